import { FIRST_MATCH_GROUPS } from "../families/index.js";
import { covers, mayOverlap, requestShapes, type RequestShape } from "../core/match-alternatives.js";
import { priorityOrder } from "../core/route-rules.js";
import { servedAt, type Flow, type TrafficModel } from "../core/traffic-model.js";
import { hostCovers, hostMeets, pairFlows } from "./route-diff.js";

/**
 * Reordered first-match rules (DESIGN §6): in an Istio VirtualService or a Gloo RouteTable the first
 * rule that matches wins, so moving a rule ahead of one whose requests it can also match takes
 * those requests away without any match or weight edit. Gateway API ranks rules by specificity,
 * not by order, so its reorders change nothing and are not read here. Traefik ranks the routers of
 * every route of an entry point by their priority (Flow.priority), so a rule grown longer, or a
 * new one, may take requests from another route's rule of its hosts.
 */

export interface Shadowing {
  /** The rule (head side) that now comes first. */
  readonly rule: Flow;
  /** Rules it now precedes and may take requests from (head side, with their base twin); `covered` when it takes all of them. */
  readonly shadowed: readonly { readonly flow: Flow; readonly base: Flow; readonly covered: boolean }[];
  /** Which of them comes first is not known on one side (a Flux variable in a rule, a tie): taken as the worse reading, this one. */
  readonly orderUnknown?: true;
}

const slotOf = (flow: Flow) => `${flow.resourceKey}|${flow.entry}|${flow.host}`;

interface PairedRule {
  readonly base: Flow;
  readonly head: Flow;
  readonly shapes: readonly RequestShape[];
}

export function precedenceChanges(base: TrafficModel, head: TrafficModel): Shadowing[] {
  const slots = new Map<string, PairedRule[]>();
  const pairs = pairFlows(base, head);
  for (const pair of pairs) {
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
        .map((later) => ({
          flow: later.head,
          base: later.base,
          covered: later.shapes.every((b) => earlier.shapes.some((a) => covers(a, b))),
        }));
      if (shadowed.length > 0) changes.push({ rule: earlier.head, shadowed });
    }
  }
  return [...changes, ...priorityChanges(pairs)];
}

/**
 * Rules ranked across routes by priority (Flow.priority) that now come ahead of a rule of their
 * entry and hosts they came behind at base, or were not there: a catch-all given more host
 * alternatives grows longer than its host's authenticated `/admin` rule and takes `/admin`; a new
 * HostRegexp catch-all longer than every rule of a host takes some of each. Only a rule whose rank
 * changed, or a new one, is looked at against the others of its entry; a new one only where it
 * takes more than a subset carved out of the rule after it.
 */
function priorityChanges(pairs: readonly { base?: Flow; head?: Flow }[]): Shadowing[] {
  const byEntry = new Map<string, { base?: Flow; head: Flow }[]>();
  const moved: { base?: Flow; head: Flow }[] = [];
  for (const { base, head } of pairs) {
    if (!head?.priority) continue;
    const rule = { ...(base ? { base } : {}), head };
    const at = servedAt(head);
    const rules = byEntry.get(at);
    if (rules) rules.push(rule);
    else byEntry.set(at, [rule]);
    if (!base?.priority || base.priority.value !== head.priority.value || base.priority.variables !== head.priority.variables)
      moved.push(rule);
  }
  const changes = new Map<Flow, { shadowed: Shadowing["shadowed"][number][]; orderUnknown: boolean }>();
  const said = new Set<string>();
  const shapesOf = (flow: Flow) => requestShapes(flow.match);
  for (const rule of moved)
    for (const other of byEntry.get(servedAt(rule.head)) ?? []) {
      if (other === rule) continue;
      for (const [earlier, later] of [
        [rule, other],
        [other, rule],
      ] as const) {
        const key = `${earlier.head.key}|${later.head.key}`;
        if (!later.base || said.has(key) || !hostMeets(earlier.head.host, later.head.host)) continue;
        const now = priorityOrder(earlier.head.priority!, later.head.priority!);
        const then = earlier.base?.priority ? priorityOrder(earlier.base.priority, later.base.priority!) : "behind";
        if (now === "behind" || then === "ahead" || (now === "unknown" && then === "unknown")) continue;
        const [ahead, behind] = [shapesOf(earlier.head), shapesOf(later.head)];
        if (!ahead.some((a) => behind.some((b) => mayOverlap(a, b)))) continue;
        // A new rule that carves a subset out of one after it (`/api` ahead of the catch-all) takes
        // only its own requests, which route.added names; one reordered ahead takes them from it.
        if (!earlier.base && hostCovers(later.head.host, earlier.head.host) && ahead.every((a) => behind.some((b) => covers(b, a))))
          continue;
        said.add(key);
        const covered = hostCovers(earlier.head.host, later.head.host) && behind.every((b) => ahead.some((a) => covers(a, b)));
        const change = changes.get(earlier.head) ?? { shadowed: [], orderUnknown: false };
        change.shadowed.push({ flow: later.head, base: later.base, covered });
        change.orderUnknown ||= now === "unknown" || then === "unknown";
        changes.set(earlier.head, change);
      }
    }
  return [...changes].map(([rule, { shadowed, orderUnknown }]) => ({
    rule,
    shadowed,
    ...(orderUnknown ? { orderUnknown: true as const } : {}),
  }));
}
