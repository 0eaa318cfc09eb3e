import { canonical } from "../core/canonical-values.js";
import { listed } from "../core/listed-names.js";
import type { Flow } from "../core/traffic-model.js";
import type { Detection } from "../core/finding.js";

/**
 * One change, one finding: a rule with two hosts on two gateways is four flows, but a reviewer
 * approves the rule's change once. Detections read off flows are drafted per flow, then merged
 * when they say the same thing about the same rule (class, resource, rule, field, before/after);
 * the merged summary names every flow it reaches.
 */
export interface FlowDraft {
  readonly detection: Omit<Detection, "summary" | "rule" | "lands" | "reaches">;
  readonly flow: Flow;
  /** The same rule at base, when the change is between two sides: its backends are reached too. */
  readonly baseFlow?: Flow;
  /** How the flow is named: the host alone, or the host with its match. */
  readonly what: string;
  /** Whether the entry (gateway, mesh, ...) is named even when only one is reached. */
  readonly showEntry: boolean;
  /** The rest of the summary, after the flows. */
  readonly detail: string;
  /** Identity of the changed thing within the flow's rule, when a rule has several (a backend). */
  readonly within?: string;
}

/** How many names a list shows before "and N more". */
const LISTED = 4;

const listedFew = (names: readonly string[]): string => listed(names, LISTED);

const unique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** `a, b via Gateway x, Gateway y`, or per entry when entries reach different flows. */
function describeFlows(drafts: readonly FlowDraft[]): string {
  const byEntry = new Map<string, string[]>();
  for (const draft of drafts) {
    const names = byEntry.get(draft.flow.entry);
    if (names) names.push(draft.what);
    else byEntry.set(draft.flow.entry, [draft.what]);
  }
  const entries = unique(byEntry.keys());
  const showEntry = entries.length > 1 || drafts.some((draft) => draft.showEntry);
  const whats = entries.map((entry) => unique(byEntry.get(entry) ?? []));
  const sameEverywhere = whats.every((names) => canonical(names) === canonical(whats[0]));
  if (!showEntry) return listedFew(whats[0] ?? []);
  if (sameEverywhere) return `${listedFew(whats[0] ?? [])} via ${listedFew(entries)}`;
  return listed(
    entries.map((entry, index) => `${listedFew(whats[index] ?? [])} via ${entry}`),
    LISTED,
    "; ",
  );
}

export function mergeFlowDrafts(drafts: readonly FlowDraft[]): Detection[] {
  const groups = new Map<string, FlowDraft[]>();
  for (const draft of drafts) {
    const { detection, flow } = draft;
    const key = canonical([
      detection.class,
      detection.resourceKey,
      flow.ruleId,
      draft.within ?? null,
      detection.path,
      detection.before ?? null,
      detection.after ?? null,
    ]);
    const group = groups.get(key);
    if (group) group.push(draft);
    else groups.set(key, [draft]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0] as FlowDraft;
    const rule = first.within === undefined ? first.flow.ruleId : `${first.flow.ruleId} → ${first.within}`;
    const backends = group.flatMap((draft) => [...draft.flow.backends, ...(draft.baseFlow?.backends ?? [])]);
    const lands = {
      clusters: unique(backends.flatMap((b) => b.placement.clusters)),
      regions: unique(backends.flatMap((b) => b.placement.regions)),
    };
    const reaches = unique(group.map((draft) => `${draft.flow.entry} | ${draft.flow.host} | ${draft.flow.match}`));
    return { ...first.detection, rule, reaches, summary: `${describeFlows(group)}: ${first.detail}`, lands };
  });
}
