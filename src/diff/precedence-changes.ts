import { FIRST_MATCH_GROUPS } from "../families/index.js";
import { covers, mayOverlap, requestShapes, type RequestShape } from "../core/match-alternatives.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";
import { pairFlows } from "./route-diff.js";

/**
 * Reordered first-match rules (DESIGN §6): in an Istio VirtualService or a Gloo RouteTable the first
 * rule that matches wins, so moving a rule ahead of one whose requests it can also match takes
 * those requests away without any match or weight edit. Gateway API ranks rules by specificity,
 * not by order, so its reorders change nothing and are not read here.
 */

export interface Shadowing {
  /** The rule (head side) that now comes first. */
  readonly rule: Flow;
  /** Rules it now precedes and may take requests from; `covered` when it takes all of them. */
  readonly shadowed: readonly { readonly flow: Flow; readonly covered: boolean }[];
}

const slotOf = (flow: Flow) => `${flow.resourceKey}|${flow.entry}|${flow.host}`;

interface PairedRule {
  readonly base: Flow;
  readonly head: Flow;
  readonly shapes: readonly RequestShape[];
}

export function precedenceChanges(base: TrafficModel, head: TrafficModel): Shadowing[] {
  const slots = new Map<string, PairedRule[]>();
  for (const pair of pairFlows(base, head)) {
    if (!pair.base || !pair.head || !FIRST_MATCH_GROUPS.has(pair.head.resource.group)) continue;
    const rule = { base: pair.base, head: pair.head, shapes: requestShapes(pair.head.match) };
    const rules = slots.get(slotOf(pair.head));
    if (rules) rules.push(rule);
    else slots.set(slotOf(pair.head), [rule]);
  }
  const changes: Shadowing[] = [];
  for (const rules of slots.values()) {
    const ordered = rules.sort((a, b) => a.head.precedence - b.head.precedence);
    for (const [index, earlier] of ordered.entries()) {
      const shadowed = ordered
        .slice(index + 1)
        .filter((later) => later.head.precedence > earlier.head.precedence && later.base.precedence < earlier.base.precedence)
        .filter((later) => earlier.shapes.some((a) => later.shapes.some((b) => mayOverlap(a, b))))
        .map((later) => ({ flow: later.head, covered: later.shapes.every((b) => earlier.shapes.some((a) => covers(a, b))) }));
      if (shadowed.length > 0) changes.push({ rule: earlier.head, shadowed });
    }
  }
  return changes;
}
