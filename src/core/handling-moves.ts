import { DetectionList } from "./detection-list.js";
import type { DetectorContext } from "./detector.js";
import type { Detection, FieldPath } from "./finding.js";
import type { Resource } from "./resource.js";

/** One route rule, in the tree that holds it: its resource and its path there (Flow.path). */
export interface RuleAt {
  readonly resource: Resource;
  readonly path: FieldPath;
}

/**
 * Requests that pass from one rule to another that handles them otherwise (route-diff.ts): a rule
 * removed, its requests falling through to the catch-all; a new rule taking requests from the one
 * that took them at base.
 */
export interface HandlingMove {
  /** The rule that handled the requests at base (in the base tree). */
  readonly before: RuleAt;
  /** The rule that handles them at head (in the head tree); what the findings point at. */
  readonly after: RuleAt;
  /**
   * Which of the two the PR added or took away: `before`, a rule gone (its requests meet `after`'s
   * handling, faults and mirrors included); `after`, a new rule, whose faults and mirrors its own
   * resource's detector already judges as new.
   */
  readonly changed: "before" | "after";
  /** What became of the requests, as the findings say it after the changed rule's label: `its requests at mesh now fall through to catch-all`. */
  readonly reason: string;
}

/**
 * How a family judges a HandlingMove of its rules: the findings an in-place edit of `before`'s
 * handling into `after`'s would get (a timeout cut 30s → 1s, retries added on writes, a rewrite
 * lost), none where nothing that matters differs.
 */
export type HandlingJudge = (move: HandlingMove, context: DetectorContext) => readonly Detection[];

/** A family's view of one of its rules, as its comparisons read it: the label its findings name, and why it can carry writes. */
interface RuleView {
  readonly label: string;
  readonly writes: string | undefined;
}

/** How a family compares two of its rules' handling, `after` the rule the requests now meet. */
type Compare<R> = (out: DetectionList, before: R, after: R, move: HandlingMove, context: DetectorContext) => void;

/**
 * A HandlingJudge from a family's reading of its rules (`ruleAt`, undefined for one it does not
 * judge) and its in-place comparisons: `handling` (timeouts, retries, rewrites, headers, CORS…)
 * for every move; `gone`, what a rule gone also gives up to the rule its requests meet (faults,
 * mirrors), where a new rule's own are judged as new by its resource's detector. The findings
 * point at the rule that now handles the requests, named after the rule that changed, and carry
 * the writes the requests held.
 */
export function handoverJudge<R extends RuleView>(
  ruleAt: (rule: RuleAt) => R | undefined,
  handling: Compare<R>,
  gone: Compare<R>,
): HandlingJudge {
  return (move, context) => {
    const [was, now] = [ruleAt(move.before), ruleAt(move.after)];
    if (!was || !now) return [];
    const out = new DetectionList({ key: move.after.resource.key, head: move.after.resource });
    if (move.changed === "after") {
      handling(out, was, { ...now, label: `${now.label} (${move.reason})` }, move, context);
      return out.detections;
    }
    const taken = { ...now, label: `${was.label} (${move.reason})`, writes: was.writes };
    gone(out, was, taken, move, context);
    handling(out, was, taken, move, context);
    return out.detections;
  };
}
