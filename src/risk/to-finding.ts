import { createHash } from "node:crypto";
import { lineOf } from "../manifests/field-line.js";
import type { Resource } from "../manifests/resource.js";
import { classify } from "../policy/class-risk.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Detection, Finding } from "./finding.js";

export interface Placed {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
}

/**
 * The fingerprint an approval binds to: class, resource, rule (for route findings) and the normalised before/after, so a push
 * that leaves a finding the same keeps its approvals and one that changes it does not (DESIGN §10).
 * Lines, field paths and wording are not part of it: moving a rule or a document is not a new risk.
 */
const fingerprintOf = (detection: Pick<Detection, "class" | "resource" | "rule" | "before" | "after">): string =>
  createHash("sha256")
    .update(JSON.stringify([detection.class, detection.resource, ...(detection.rule === undefined ? [] : [detection.rule]), detection.before ?? null, detection.after ?? null]))
    .digest("hex")
    .slice(0, 16);

const union = (where: readonly string[], more: readonly string[] = []): string[] => [...new Set([...where, ...more])].sort();

/** A detection placed in its file and line, with the policy's risk for its class. */
export function toFinding(detection: Detection, resource: Resource | undefined, policy: Policy, placed: Placed): Finding {
  return {
    class: detection.class,
    risk: classify(detection, policy),
    summary: detection.summary,
    file: resource?.source.file ?? "",
    line: resource ? lineOf(resource.source, detection.path) : 1,
    resource: detection.resource,
    fingerprint: fingerprintOf(detection),
    clusters: union(placed.clusters, detection.lands?.clusters),
    regions: union(placed.regions, detection.lands?.regions),
  };
}
