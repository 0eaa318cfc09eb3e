import type { InvalidManifest } from "../core/resource.js";
import type { Detection, Finding } from "../core/finding.js";
import type { Policy } from "../policy/policy-schema.js";
import { toFinding } from "./to-finding.js";

/**
 * manifest.invalid: a traffic document of the head tree that cannot be read. Its risk comes from
 * the policy like every other finding's, never below high (what it would change is unknown), and
 * it blocks whatever that risk (BLOCKING_CLASSES). Its fingerprint is its place: nothing was read
 * to bind an approval to.
 */
export function invalidManifestFinding(item: InvalidManifest, policy: Policy): Finding {
  const detection: Detection = {
    class: "manifest.invalid",
    summary: item.message,
    resource: item.resource ?? { group: "", kind: "File", namespace: "", name: item.file },
    side: "head",
    path: [],
    riskFloor: "high",
  };
  return {
    ...toFinding(detection, undefined, policy, { clusters: [], regions: [] }),
    file: item.file,
    line: item.line,
    fingerprint: `invalid:${item.file}:${item.line}`,
  };
}
