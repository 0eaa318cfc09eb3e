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
 * removed, or narrowed, its requests falling through to the catch-all; a new rule, or one widened,
 * taking requests from the one that took them at base.
 */
export interface HandlingMove {
  /** The rule that handled the requests at base (in the base tree). */
  readonly before: RuleAt;
  /** The rule that handles them at head (in the head tree); what the findings point at. */
  readonly after: RuleAt;
  /**
   * Which of the two the PR changed: `before`, a rule gone or narrowed (its requests meet `after`'s
   * handling, faults and mirrors included); `after`, a new or widened rule, whose faults and mirrors
   * its own resource's detector already judges.
   */
  readonly changed: "before" | "after";
  /**
   * `after` sends the requests to other backends than `before` did (`/admin` split out of an
   * authenticating catch-all to an admin Service): a new or widened rule's own timeouts, retries and
   * rewrites are its backends' (judged by where the requests go, route.added), only what guards the
   * requests themselves is compared with what they left (authentication, identity headers, CORS,
   * redirects, allowed sources). A rule gone or narrowed leaves all its handling, wherever they land.
   */
  readonly elsewhere?: true;
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

/** A family's in-place comparisons of two of its rules' handling, split by what they judge. */
export interface HandlingComparisons<R> {
  /** What guards the requests themselves, whatever backend they reach: authentication, identity headers, CORS, redirects, allowed sources. */
  readonly guards: Compare<R>;
  /** How the rule treats them for its backends: timeouts, retries, rewrites, session persistence. */
  readonly handling: Compare<R>;
  /** What a rule gone or narrowed also gives up to the rule its requests meet (faults, mirrors); a new rule's own are judged as new by its resource's detector. */
  readonly gone: Compare<R>;
}

/**
 * A HandlingJudge from a family's reading of its rules (`ruleAt`, undefined for one it does not
 * judge) and its in-place comparisons. The findings point at the rule that now handles the
 * requests, named after the rule that changed, and carry the writes the requests held. A new or
 * widened rule sending them elsewhere (HandlingMove.elsewhere) has only its guards compared.
 */
export function handoverJudge<R extends RuleView>(
  ruleAt: (rule: RuleAt) => R | undefined,
  { guards, handling, gone }: HandlingComparisons<R>,
): HandlingJudge {
  return (move, context) => {
    const [was, now] = [ruleAt(move.before), ruleAt(move.after)];
    if (!was || !now) return [];
    const out = new DetectionList({ key: move.after.resource.key, head: move.after.resource });
    if (move.changed === "after") {
      const taking = { ...now, label: `${now.label} (${move.reason})` };
      guards(out, was, taking, move, context);
      if (!move.elsewhere) handling(out, was, taking, move, context);
      return out.detections;
    }
    const taken = { ...now, label: `${was.label} (${move.reason})`, writes: was.writes };
    gone(out, was, taken, move, context);
    guards(out, was, taken, move, context);
    handling(out, was, taken, move, context);
    return out.detections;
  };
}
