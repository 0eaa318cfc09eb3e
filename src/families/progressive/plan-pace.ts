import { FULL, type PlanStep } from "./plans.js";

/**
 * Whether a step plan shifts traffic no faster than another: a Rollout's steps, and a Flagger
 * analysis walked as steps (plans.ts flaggerSteps). Either controller moves on no sooner than its
 * steps let it, so each plan is read at its fastest: a timed pause lasts its length, a weight, a
 * check or an experiment no time at all.
 */

/**
 * When a step comes at the soonest: after how many pauses until promoted, which wait for a person
 * (both plans wait for their first go-ahead, their second, alike, however late it comes), and how
 * long after the last of them.
 */
interface Moment {
  readonly promoted: number;
  readonly ms: number;
}

// Compared, not subtracted: a pause that cannot be read puts the old plan's next steps at Infinity.
const order = (a: Moment, b: Moment): number => a.promoted - b.promoted || (a.ms === b.ms ? 0 : a.ms < b.ms ? -1 : 1);

interface Timed extends PlanStep {
  readonly at: Moment;
}

const isPause = (step: PlanStep): boolean => step.gate?.startsWith("pause") === true;

/** `unread`: how long a pause that cannot be read is taken to last, the old plan's as long as may be and the new one's none. */
function timeline(steps: readonly PlanStep[], unread: number): Timed[] {
  let at: Moment = { promoted: 0, ms: 0 };
  return steps.map((step) => {
    const timed = { ...step, at };
    if (isPause(step))
      at =
        step.pauseMs === Number.POSITIVE_INFINITY
          ? { promoted: at.promoted + 1, ms: 0 }
          : { promoted: at.promoted, ms: at.ms + (step.pauseMs ?? unread) };
    return timed;
  });
}

/** The canary's weight at a moment: that of the last step come by then. */
const weightAt = (plan: readonly Timed[], moment: Moment): number => plan.findLast((step) => order(step.at, moment) <= 0)?.weight ?? 0;

/** Whether each of `was`, in its order, is met by one of `now` of the same gate and weight that comes no sooner. */
function keptNoSooner(was: readonly Timed[], now: readonly Timed[]): boolean {
  let next = 0;
  for (const step of now) {
    const wanted = was[next];
    if (wanted && step.gate === wanted.gate && step.weight === wanted.weight && order(step.at, wanted.at) >= 0) next++;
  }
  return next === was.length;
}

/**
 * The highest weight a plan gives the canary before its last step, while it may still be rolled
 * back. `belowFull`: leaving out all the traffic, which a canary given it before promotion takes
 * no sooner than the moments allow (`setWeight: 100` and a pause added before the end).
 */
const ceiling = (plan: readonly PlanStep[], belowFull = false): number =>
  Math.max(0, ...plan.slice(0, -1).flatMap(({ weight }) => (belowFull && weight >= FULL ? [] : [weight])));

/**
 * Whether `now` gives the canary's release no more of the traffic than `was` at any moment,
 * counted from the start of a rollout (finer steps or longer holds on the way, a pause until
 * promoted for a timed one), and, before promotion, no higher a share than `was` ever gave it: the
 * cap an operator sets on a release that may still be rolled back (Flagger's `maxWeight`) raised
 * is judged, though the release then reaches all the traffic later. The steps that act besides
 * setting a weight stay where they were or come later: the old plan's checks (an analysis moved
 * ahead of the pause before it measures a canary that has hardly taken traffic yet), more of them
 * allowed, and the same header routes, mirrors and experiments, no more and no fewer.
 */
export function noFaster(was: readonly PlanStep[], now: readonly PlanStep[]): boolean {
  const [before, after] = [timeline(was, Number.POSITIVE_INFINITY), timeline(now, 0)];
  if (ceiling(now, true) > ceiling(was)) return false;
  if (![...before, ...after].every(({ at }) => weightAt(after, at) <= weightAt(before, at))) return false;
  const checks = (plan: readonly Timed[]) => plan.filter((step) => step.gate === "analysis");
  const moves = (plan: readonly Timed[]) => plan.filter((step) => step.gate !== undefined && step.gate !== "analysis" && !isPause(step));
  return (
    moves(before).length === moves(after).length && keptNoSooner(moves(before), moves(after)) && keptNoSooner(checks(before), checks(after))
  );
}
