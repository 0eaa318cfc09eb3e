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

/**
 * Reports mirrors that are new or send a larger share than before (mirror.changed). Mirroring a
 * rule that takes writes duplicates those writes in the shadow backend, hence the high floor.
 * `earlier` is what the same rule mirrored at base, or, for a rule with no base counterpart
 * (its matches were edited), every mirror of the base resource: only a new target is news then.
 */
export const reportMirrorIncreases = (out: DetectionList, rule: MirroringRule, earlier: readonly Mirror[], what: string): void => {
  for (const mirror of rule.mirrors) {
    const shares = earlier.filter((candidate) => candidate.target === mirror.target).map((candidate) => candidate.percent);
    const before = shares.length === 0 ? undefined : Math.max(...shares);
    if (before !== undefined && mirror.percent <= before) continue;
    const change = before === undefined ? `added (${mirror.percent}% of requests)` : `${before}% → ${mirror.percent}%`;
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
