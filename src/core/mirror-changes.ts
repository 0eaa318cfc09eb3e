import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";

/** One mirror of a route rule: where shadow traffic goes and how much of it. */
export interface Mirror {
  /** Identity and label: `Service shop/checkout-shadow:8080`, `reviews subset v2`. */
  readonly target: string;
  readonly percent: number;
  readonly path: FieldPath;
}

export interface MirroringRule {
  readonly label: string;
  /** Why the rule can carry writes; undefined when it only takes reads. */
  readonly writes: string | undefined;
  readonly mirrors: readonly Mirror[];
}

export const MUTATING_METHODS: readonly string[] = ["POST", "PUT", "PATCH", "DELETE"];

/** A mirror at base, and whether the rule that held it took writes (unsaid: taken to, so only a new target or share is news). */
export interface EarlierMirror extends Mirror {
  readonly tookWrites?: boolean;
}

/**
 * Reports mirrors that are new or send a larger share than before (mirror.changed). Mirroring a
 * rule that takes writes duplicates those writes in the shadow backend, hence the high floor: so
 * a mirror kept on a rule whose match widened to take writes (a `method: GET` dropped) is news too.
 * `earlier` is what the same rule mirrored at base, or, for a rule with no base counterpart
 * (its matches were edited), every mirror of the base resource: only a new target is news then.
 */
export const reportMirrorIncreases = (out: DetectionList, rule: MirroringRule, earlier: readonly EarlierMirror[], what: string): void => {
  for (const mirror of rule.mirrors) {
    const same = earlier.filter((candidate) => candidate.target === mirror.target);
    const before = same.length === 0 ? undefined : Math.max(...same.map((candidate) => candidate.percent));
    const nowWrites = rule.writes !== undefined && same.length > 0 && same.every((candidate) => candidate.tookWrites === false);
    if (before !== undefined && mirror.percent <= before && !nowWrites) continue;
    const change =
      before === undefined
        ? `added (${mirror.percent}% of requests)`
        : mirror.percent > before
          ? `${before}% → ${mirror.percent}%`
          : `kept at ${mirror.percent}% while the rule now takes writes`;
    out.add({
      class: "mirror.changed",
      summary: `${rule.label}: ${what} to ${mirror.target} ${change}${rule.writes ? `; ${rule.writes}, so mirrored writes are duplicated` : ""}`,
      side: "head",
      path: mirror.path,
      before: before === undefined ? undefined : { target: mirror.target, percent: before },
      after: { target: mirror.target, percent: mirror.percent },
      ...(rule.writes ? { riskFloor: "high" as const } : {}),
    });
  }
};

/**
 * Mirrors a rule kept no longer sends (resource.changed, low): the shadow backend stops receiving
 * copies of its requests, while clients' responses never depended on it. Named as a mirror removed
 * so the field diff's `spec.rules[0].filters removed` is not all the review says.
 */
export const reportMirrorsRemoved = (out: DetectionList, rule: MirroringRule, earlier: readonly Mirror[], what: string): void => {
  for (const mirror of earlier) {
    if (rule.mirrors.some((kept) => kept.target === mirror.target)) continue;
    out.add({
      class: "resource.changed",
      summary: `${rule.label}: ${what} to ${mirror.target} removed: it no longer receives copies of the rule's requests (${mirror.percent}%); responses to clients are unchanged`,
      side: "base",
      path: mirror.path,
      before: { target: mirror.target, percent: mirror.percent },
      after: null,
    });
  }
};
