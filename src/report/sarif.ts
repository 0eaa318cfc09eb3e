import packageJson from "../../package.json" with { type: "json" };
import type { ReviewResult } from "../review.js";
import { CHANGE_CLASSES, type ChangeClassId } from "../core/change-classes.js";
import type { Finding } from "../core/finding.js";
import type { RiskLevel } from "../core/risk-level.js";

/**
 * `--format sarif`: the findings as a SARIF 2.1.0 log for GitHub code scanning
 * (github/codeql-action/upload-sarif). Rule ids are the change classes, so code scanning groups
 * alerts the way the policy does; the fingerprint is a partial fingerprint, so an alert keeps its
 * identity across pushes while the change it describes stays the same.
 */
const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** SARIF's result level, and the severity code scanning sorts by (0.0–10.0, as for CVSS). */
const LEVEL: Readonly<Record<RiskLevel, { level: "error" | "warning" | "note"; severity: string }>> = {
  critical: { level: "error", severity: "9.5" },
  high: { level: "error", severity: "8.0" },
  "medium-high": { level: "warning", severity: "6.0" },
  medium: { level: "warning", severity: "5.0" },
  low: { level: "note", severity: "2.0" },
  none: { level: "note", severity: "0.0" },
};

const ruleOf = (id: ChangeClassId) => {
  const { risk, what } = CHANGE_CLASSES[id];
  return {
    id,
    name: id,
    shortDescription: { text: what },
    defaultConfiguration: { level: LEVEL[risk].level },
    properties: { "security-severity": LEVEL[risk].severity, tags: ["traffic", id.split(".")[0]!] },
  };
};

// Code scanning rejects a region without a line, and a location needs a file: findings about no
// file (a render root, the whole repository) are reported on the policy file's first line instead.
const locationOf = (finding: Finding) => ({
  physicalLocation: {
    artifactLocation: { uri: finding.file === "" ? ".github/route-governor.yml" : finding.file, uriBaseId: "%SRCROOT%" },
    region: { startLine: Math.max(1, finding.line) },
  },
});

export function toSarif(result: ReviewResult) {
  const findings = result.analysis.findings;
  const ruleIds = [...new Set(findings.map((finding) => finding.class))].sort();
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "Route Governor", version: packageJson.version, rules: ruleIds.map(ruleOf) } },
        results: findings.map((finding) => ({
          ruleId: finding.class,
          ruleIndex: ruleIds.indexOf(finding.class),
          level: LEVEL[finding.risk].level,
          message: { text: `${finding.summary} (${finding.risk} risk)` },
          locations: [locationOf(finding)],
          partialFingerprints: { routeGovernorFinding: finding.fingerprint },
          properties: { risk: finding.risk, clusters: finding.clusters, regions: finding.regions },
        })),
        properties: { decision: result.decision, risk: result.risk, state: result.governance.state },
      },
    ],
  };
}

export const renderSarif = (result: ReviewResult): string => `${JSON.stringify(toSarif(result), null, 2)}\n`;
