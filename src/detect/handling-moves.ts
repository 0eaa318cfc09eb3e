import type { Handover, RouteDiff } from "../diff/route-diff.js";
import type { Flow } from "../core/traffic-model.js";
import type { DetectorContext } from "../core/detector.js";
import type { Detection } from "../core/finding.js";
import type { HandlingMove } from "../core/handling-moves.js";
import { sameValue } from "../core/canonical-values.js";
import type { Shadowing } from "../diff/precedence-changes.js";
import { ruleLabel } from "../model/describe-flow.js";
import { byFamilyKind } from "../families/index.js";

const judgeOf = byFamilyKind((family) => family.handlingJudges);

/**
 * Requests that passed from one rule to another (RouteDiff.handovers), judged by their family as an
 * in-place edit of the one rule's handling into the other's: a `/api` rule with a 30 s timeout and
 * no retries removed above a catch-all with a 1 s timeout and 5 retries on resets to the same
 * Service is that timeout cut and those retries added for `/api` (retry-timeout.changed), not a
 * rule removed that moved nothing. Rules of different families, or of kinds no family judges, are
 * not compared. A rule now ranked ahead of another (`reordered`) takes the requests they share as a
 * widened rule does: a Traefik catch-all grown longer than its host's `/admin` rule passes `/admin`
 * by the basicAuth Middleware that rule named.
 */
export function handlingMoveDetections(
  diffs: readonly RouteDiff[],
  reordered: readonly Shadowing[],
  context: DetectorContext,
): Detection[] {
  const moves = [
    ...diffs.flatMap((diff) => (diff.handovers ?? []).map((handover) => ({ ...handover, reason: reasonOf(diff.status, handover) }))),
    ...reordered.flatMap(({ rule, shadowed, orderUnknown }) =>
      shadowed.map(({ base }) => ({
        from: base,
        to: rule,
        changed: "to" as const,
        ...(sameValue(shares(base), shares(rule)) ? {} : { elsewhere: true as const }),
        reason: `${orderUnknown ? "may be " : ""}ranked ahead of ${ruleLabel(base)}: takes the requests they share`,
      })),
    ),
  ];
  const detections: Detection[] = [];
  const said = new Set<string>();
  for (const { from, to, changed, elsewhere, reason } of moves) {
    const [before, after] = [context.base.resources.get(from.resourceKey), context.head.resources.get(to.resourceKey)];
    if (!before || !after || before.family !== after.family || before.id.kind !== after.id.kind) continue;
    const judge = judgeOf(after);
    if (!judge) continue;
    const move: HandlingMove = {
      before: { resource: before, path: from.path },
      after: { resource: after, path: to.path },
      changed: changed === "from" ? "before" : "after",
      ...(elsewhere ? { elsewhere } : {}),
      reason,
    };
    // A rule of several hosts hands each host's requests over alike: said once.
    for (const detection of judge(move, context)) {
      const key = JSON.stringify([detection.class, to.resourceKey, detection.summary, detection.path]);
      if (said.has(key)) continue;
      said.add(key);
      detections.push({ ...detection, resourceKey: to.resourceKey });
    }
  }
  return detections;
}

/** Where a rule sends its requests, by backend and share: two rules sending alike move no request between backends. */
const shares = (flow: Flow) => flow.backends.map(({ key, share }) => [key, share]).sort();

/** What became of the requests, said after the changed rule's label. */
function reasonOf(status: RouteDiff["status"], { from, to, changed }: Handover): string {
  if (changed === "to") return `${status === "added" ? "new" : "widened"}: takes these requests from ${ruleLabel(from)}`;
  return status === "match-changed"
    ? `narrowed: what it gave up at ${from.entry} now falls through to ${ruleLabel(to)}`
    : `its requests at ${from.entry} now fall through to ${ruleLabel(to)}`;
}
