import type { Resource } from "./resource.js";
import { spec, text } from "./json-access.js";

/** The annotation that puts an Istio AuthorizationPolicy in dry-run mode. */
export const DRY_RUN = "istio.io/dry-run";

/** Go's strconv.ParseBool true spellings, which istiod parses the annotation with. */
const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/**
 * Whether an AuthorizationPolicy is in dry-run mode, so enforces nothing: istiod builds a sidecar's
 * or gateway's rules for it as shadow rules, which only log and count what they would decide, and
 * gives ztunnel none of it (pilot authz builder isDryRun, ambient authorization: a dry-run policy is
 * skipped). Only ALLOW and DENY policies may carry it (istio validation refuses it on another
 * action), so a CUSTOM policy written so is read as enforced, as its author means it to be.
 */
export const inDryRun = (policy: Resource): boolean => {
  const action = text(spec(policy).action) ?? "ALLOW";
  return (action === "ALLOW" || action === "DENY") && TRUE.has(policy.annotations[DRY_RUN] ?? "");
};
