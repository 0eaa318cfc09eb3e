import * as jsyaml from "js-yaml";
import { resolvePolicy } from "../src/policy/load-policy.js";
import { analyzeChange, outcomeOf, reviewAnalysis } from "../src/review.js";
import { generateFleet } from "./generate-fleet.js";
import { report, sample } from "./measure.js";

/**
 * The core review: a generated 500-file PR (10 HTTPRoutes per file, every 10th file re-weighted, all on
 * one shared Gateway, with ServiceExports per region) reviewed end to end — repo-wide graph and blast
 * radius included — against a bare js-yaml parse of the same base and head files.
 * Goal (issue 2, DESIGN §12): review ≤ 1.5 × bare parse.
 */
const RUNS = 7;

async function measure(label: string, run: () => void): Promise<number> {
  run(); // warm-up: JIT and module initialisation are not what we measure
  return report(
    label,
    await sample(RUNS, () => {
      const start = performance.now();
      run();
      return performance.now() - start;
    }),
  );
}

const { base, head } = generateFleet({ files: 500, routesPerFile: 10, changeEvery: 10, infrastructure: true });
const bytes = [...base, ...head].reduce((sum, file) => sum + file.text.length, 0);
console.log(`PR: ${base.length} files, ${500 * 10} HTTPRoutes per side, ${(bytes / 1e6).toFixed(1)} MB (base + head)`);

// Backends are named for their region (svc-1-2-jkt), so shares move between regions.
const { policy } = resolvePolicy(`topology: { backendRegions: ["-(?<region>jkt|sgp|tyo)$"] }\n`, "bench");
const now = new Date("2026-11-22T00:00:00Z");
let findings = 0;
let graph = "";
const bare = await measure("bare js-yaml loadAll (base + head)", () => {
  for (const file of [...base, ...head]) jsyaml.loadAll(file.text);
});
const review = await measure("route-governor review (end to end)", () => {
  const input = { base, head, policy, policySource: "default", body: "", now };
  const analysis = analyzeChange(input);
  findings = reviewAnalysis(outcomeOf(analysis), input).analysis.findings.length;
  graph = `${analysis.graphs.head.routes.size} routes, ${analysis.graphs.head.attachments.length} attachments, ${analysis.graphs.head.serviceExports.size} exports; blast radius: ${analysis.blastRadius.hostnames.length} hostnames, ${analysis.blastRadius.shareShift.length} share shifts`;
});
console.log(`findings: ${findings}`);
console.log(`graph (head): ${graph}`);
console.log(`ratio review / bare parse: ${(review / bare).toFixed(2)} (goal ≤ 1.5)`);
