import type { RouteDiff } from "../diff/route-diff.js";
import { lineOf } from "../manifests/field-line.js";
import { describeFlow, ruleLabel, shortLabel } from "../model/describe-flow.js";
import type { ReviewResult } from "../review.js";

/**
 * The plain-data view every report renders (markdown, JSON, check run): the route diff as
 * reviewers read it, with file:line, shares in percent and regions.
 */
export interface RouteDiffView {
  readonly flow: string;
  readonly entry: string;
  readonly host: string;
  readonly match: string;
  readonly status: RouteDiff["status"];
  /** A removed rule whose requests another rule takes: that rule. */
  readonly fallsThroughTo?: string;
  readonly resource: { group: string; kind: string; namespace: string; name: string };
  readonly file: string;
  readonly line: number;
  readonly backends: readonly { backend: string; before: number | null; after: number | null; regions: readonly string[] }[];
  readonly regions: readonly { region: string; before: number; after: number }[];
  /** The step plan of a progressive delivery controller on the flow, at base and head (Flow.plan). */
  readonly plan?: { readonly before: string | null; readonly after: string | null };
}

const pct = (share: number | undefined): number | null => (share === undefined ? null : Number((share * 100).toFixed(2)));

/** A removed rule whose requests another rule takes says where they go. */
export const statusText = (diff: RouteDiff): string =>
  diff.fallback ? `removed: requests fall through to ${ruleLabel(diff.fallback)}` : diff.status;

/**
 * Which flows the comment shows first when it cannot show them all: those that start or stop
 * sending traffic to a region (added, removed, a region gained or drained) before those gaining or
 * losing a backend, before those that only shift weights.
 */
export function flowsByImpact(diffs: readonly RouteDiff[]): number[] {
  const impact = (diff: RouteDiff): number =>
    diff.status === "added" || diff.status === "removed" || diff.regions.some((share) => share.before > 0 !== share.after > 0)
      ? 2
      : diff.backends.some((shift) => shift.before === undefined || shift.after === undefined)
        ? 1
        : 0;
  return diffs
    .map((diff, index) => ({ index, impact: impact(diff) }))
    .sort((a, b) => b.impact - a.impact || a.index - b.index)
    .map(({ index }) => index);
}

export function routeDiffViews(result: ReviewResult): RouteDiffView[] {
  const { analysis } = result;
  return analysis.routeDiffs.map((diff) => {
    const flow = (diff.head ?? diff.base)!;
    const source = (diff.head ? analysis.routeSources.head : analysis.routeSources.base).get(flow.resourceKey);
    return {
      flow: describeFlow(flow),
      entry: flow.entry,
      host: flow.host,
      match: flow.match,
      status: diff.status,
      ...(diff.fallback ? { fallsThroughTo: ruleLabel(diff.fallback) } : {}),
      resource: flow.resource,
      file: source?.file ?? "",
      line: source ? lineOf(source, flow.path) : 0,
      backends: diff.backends.map((shift) => ({
        backend: shortLabel(shift.label, flow.host),
        before: pct(shift.before),
        after: pct(shift.after),
        regions: shift.regions,
      })),
      regions: diff.regions.map((share) => ({ region: share.region, before: pct(share.before) ?? 0, after: pct(share.after) ?? 0 })),
      ...(diff.base?.plan || diff.head?.plan ? { plan: { before: diff.base?.plan ?? null, after: diff.head?.plan ?? null } } : {}),
    };
  });
}
