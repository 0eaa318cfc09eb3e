import { createHash } from "node:crypto";
import { lineOf } from "../manifests/field-line.js";
import type { Resource } from "../core/resource.js";
import { classify } from "../policy/class-risk.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Detection, Finding } from "../core/finding.js";

export interface Placed {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
}

/**
 * The fingerprint an approval binds to (DESIGN §10): exactly what was reviewed. Class, resource and
 * the scope it is applied in (its key: `@cluster`, or `@file` when only the file tells copies
 * apart), the rule and the flows it reaches (entry, host, match), the clusters the change lands in,
 * and the normalised before/after. So a push that leaves a finding the same keeps its approvals,
 * while the same edit moved to another Gateway, host, rule or cluster is a new finding to approve.
 * Lines, field paths and wording are not part of it: re-indenting or reordering is not a new risk.
 */
const fingerprintOf = (
  detection: Pick<Detection, "class" | "resource" | "resourceKey" | "rule" | "reaches" | "before" | "after">,
  clusters: readonly string[],
): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        detection.class,
        detection.resource,
        detection.resourceKey ?? null,
        detection.rule ?? null,
        detection.reaches ?? null,
        clusters,
        detection.before ?? null,
        detection.after ?? null,
      ]),
    )
    .digest("hex")
    .slice(0, 16);

const union = (where: readonly string[], more: readonly string[] = []): string[] => [...new Set([...where, ...more])].sort();

/** A detection placed in its file and line, with the policy's risk for its class. */
export function toFinding(detection: Detection, resource: Resource | undefined, policy: Policy, placed: Placed): Finding {
  const clusters = union(placed.clusters, detection.lands?.clusters);
  const source = detection.at ?? resource?.source;
  return {
    class: detection.class,
    risk: classify(detection, policy),
    summary: detection.summary,
    file: source?.file ?? "",
    line: source ? lineOf(source, detection.path) : 1,
    resource: detection.resource,
    fingerprint: fingerprintOf(detection, clusters),
    clusters,
    regions: union(placed.regions, detection.lands?.regions),
  };
}
