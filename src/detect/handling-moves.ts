import type { Handover, RouteDiff } from "../diff/route-diff.js";
import type { Flow } from "../core/traffic-model.js";
import type { DetectorContext } from "../core/detector.js";
import type { Detection } from "../core/finding.js";
import type { HandlingMove } from "../core/handling-moves.js";
import { ruleLabel } from "../model/describe-flow.js";
import { byFamilyKind } from "../families/index.js";

const judgeOf = byFamilyKind((family) => family.handlingJudges);

/**
 * Requests that passed from one rule to another (RouteDiff.handovers), judged by their family as an
 * in-place edit of the one rule's handling into the other's: a `/api` rule with a 30 s timeout and
 * no retries removed above a catch-all with a 1 s timeout and 5 retries on resets to the same
 * Service is that timeout cut and those retries added for `/api` (retry-timeout.changed), not a
 * rule removed that moved nothing. Rules of different families, or of kinds no family judges, are
 * not compared.
 */
export function handlingMoveDetections(diffs: readonly RouteDiff[], context: DetectorContext): Detection[] {
  const detections: Detection[] = [];
  const said = new Set<string>();
  for (const diff of diffs) {
    for (const { from, to, changed, elsewhere } of diff.handovers ?? []) {
      const [before, after] = [context.base.resources.get(from.resourceKey), context.head.resources.get(to.resourceKey)];
      if (!before || !after || before.family !== after.family || before.id.kind !== after.id.kind) continue;
      const judge = judgeOf(after);
      if (!judge) continue;
      const move: HandlingMove = {
        before: { resource: before, path: from.path },
        after: { resource: after, path: to.path },
        changed: changed === "from" ? "before" : "after",
        ...(elsewhere ? { elsewhere } : {}),
        reason: reasonOf(diff.status, from, to, changed),
      };
      // A rule of several hosts hands each host's requests over alike: said once.
      for (const detection of judge(move, context)) {
        const key = JSON.stringify([detection.class, to.resourceKey, detection.summary, detection.path]);
        if (said.has(key)) continue;
        said.add(key);
        detections.push({ ...detection, resourceKey: to.resourceKey });
      }
    }
  }
  return detections;
}

/** What became of the requests, said after the changed rule's label. */
function reasonOf(status: RouteDiff["status"], from: Flow, to: Flow, changed: Handover["changed"]): string {
  if (changed === "to") return `${status === "added" ? "new" : "widened"}: takes these requests from ${ruleLabel(from)}`;
  return status === "match-changed"
    ? `narrowed: what it gave up at ${from.entry} now falls through to ${ruleLabel(to)}`
    : `its requests at ${from.entry} now fall through to ${ruleLabel(to)}`;
}
