import type { Detection } from "../core/finding.js";
import type { ResourceChange } from "../core/resource-change.js";

/**
 * A detection of a change between two versions of one object in two files (diff/resource-diff.ts),
 * saying which versions were compared: the reader sees a file that adds or drops a version judged
 * against another file's, not an edit of its own (istio-demos c4863e5: vm-onboarding.yaml's DISABLE
 * judged against mesh-mtls.yaml's STRICT). Detections of other resources, or of other changes, pass as they are.
 */
export function withVersionsCompared(change: ResourceChange, detection: Detection): Detection {
  if (!change.head || !change.base || change.version === undefined || detection.resourceKey !== change.key) return detection;
  const [base, head] = [change.base.source.file, change.head.source.file];
  const compared =
    change.version === "added"
      ? `${head} writes another version of it beside ${base}'s, judged against that one`
      : `${base} no longer writes its version, judged against ${head}'s, which stays`;
  return { ...detection, summary: `${detection.summary} (${compared}: one object, whichever file is applied last holds)` };
}
