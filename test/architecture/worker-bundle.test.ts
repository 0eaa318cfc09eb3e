import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { lean, shared } from "../../scripts/bundle-options.mjs";

/**
 * The App's worker evaluates PRs and leaves the analysis to a thread of its own: what the worker
 * imports on a cold start should not include the analysis engine (review, model, graph,
 * detectors) nor the render step (its plan reads manifests through the families' kinds), which
 * only that thread runs: compiling them again on the main thread was a third of the worker's
 * import time (~175 → ~110 ms). Read from esbuild's own module graph, so type-only imports
 * (erased in the bundle) do not count.
 */
describe("the Lambda worker's bundle", () => {
  it("reaches governance and reports, not the analysis engine, the render step or any family", async () => {
    const result = await build({
      ...shared,
      entryPoints: ["src/lambda-worker.ts"],
      external: ["@aws-sdk/*"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const modules = Object.keys(result.metafile.inputs);
    expect(modules).toContain("src/governance/review-decision.ts");
    expect(modules).toContain("src/render/kustomize-tree.ts");
    const engine = [
      "src/review.ts",
      "src/model/build-model.ts",
      "src/graph/graph-review.ts",
      "src/detect/detectors.ts",
      "src/manifests/kinds.ts",
      "src/manifests/load-manifests.ts",
      "src/render/render-plan.ts",
      "src/render/render-change.ts",
    ];
    expect(modules.filter((module) => engine.includes(module) || module.startsWith("src/families/"))).toEqual([]);
  });

  it("as deployed, carries Bottleneck's light build only: no Redis scripts to load", async () => {
    const result = await build({
      ...shared,
      ...lean,
      entryPoints: ["src/lambda-worker.ts"],
      external: ["@aws-sdk/*"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const bottleneck = Object.keys(result.metafile.inputs).filter((module) => module.includes("node_modules/bottleneck/"));
    expect(bottleneck).toEqual(["node_modules/bottleneck/light.js"]);
  });
});
