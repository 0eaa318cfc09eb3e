import { DetectionList } from "./detection-list.js";
import type { DetectorContext, ResourceDetector } from "./detector.js";
import type { ResourceChange } from "./resource-change.js";
import type { ResourceId } from "./resource.js";

/** One judgement of a changed resource, written into the resource's detection list. */
export type Check = (change: ResourceChange, out: DetectionList, context: DetectorContext) => void;

/**
 * A family's detector as a table of checks by kind: the checks of the changed resource's kind run
 * in order into one list. `accepts` keeps out a kind another API group names the same (Istio's
 * Gateway beside Gateway API's).
 */
export const byKind =
  (checks: Readonly<Record<string, readonly Check[]>>, accepts: (id: ResourceId) => boolean = () => true): ResourceDetector =>
  (change, context) => {
    const subject = change.head ?? change.base;
    const kindChecks = subject && accepts(subject.id) ? checks[subject.id.kind] : undefined;
    if (!kindChecks) return [];
    const out = new DetectionList(change);
    for (const check of kindChecks) check(change, out, context);
    return out.detections;
  };
