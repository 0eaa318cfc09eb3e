import type { Check } from "../../core/by-kind.js";
import { canonical, show } from "../../core/canonical-values.js";
import { list, numeric, record, spec, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";

/**
 * What an AIGatewayRoute decides of its backends beyond the shares its generated HTTPRoute's flows
 * show (generated-route.ts): the order in which providers take over when those before them fail
 * (`priority`, Envoy's priority levels: failover.changed), and the model a provider is asked for
 * in place of the one the client named (`modelNameOverride`: another model answers those requests).
 * Rules are paired by name, else by their matches, as the route diff pairs them.
 */

interface RuleBackends {
  readonly index: number;
  /** `backend → priority`, of rules that name more than one level. */
  readonly order: Readonly<Record<string, number>>;
  readonly overrides: Readonly<Record<string, string>>;
}

const backendName = (ref: unknown): string => {
  const fields = record(ref);
  return `${text(fields.kind) ?? "AIServiceBackend"} ${text(fields.namespace) ? `${text(fields.namespace)}/` : ""}${text(fields.name) ?? "?"}`;
};

function rulesOf(route: Resource): Map<string, RuleBackends> {
  const rules = new Map<string, RuleBackends>();
  list(spec(route).rules).forEach((item, index) => {
    const rule = record(item);
    const refs = list(rule.backendRefs);
    const identity = text(rule.name) ?? canonical(list(rule.matches).map((match) => record(match).headers ?? null));
    rules.set(identity, {
      index,
      order: Object.fromEntries(refs.map((ref) => [backendName(ref), numeric(record(ref).priority) ?? 0])),
      overrides: Object.fromEntries(
        refs.flatMap((ref) => (text(record(ref).modelNameOverride) ? [[backendName(ref), text(record(ref).modelNameOverride)!]] : [])),
      ),
    });
  });
  return rules;
}

/** The levels a rule's backends stand on, lowest first: `a, b (then) c`. */
const levels = (order: Readonly<Record<string, number>>): string => {
  const byLevel = new Map<number, string[]>();
  for (const [name, level] of Object.entries(order)) byLevel.set(level, [...(byLevel.get(level) ?? []), name]);
  return [...byLevel.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, names]) => names.sort().join(" + "))
    .join(", then ");
};

/** Only a rule with more than one level fails over; a single level is the flow's shares alone. */
const failsOver = (order: Readonly<Record<string, number>>): boolean => new Set(Object.values(order)).size > 1;

export const routeBackends: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const before = rulesOf(change.base);
  for (const [identity, now] of rulesOf(change.head)) {
    const was = before.get(identity);
    if (!was) continue;
    const path = ["spec", "rules", now.index, "backendRefs"];
    if ((failsOver(was.order) || failsOver(now.order)) && levels(was.order) !== levels(now.order))
      out.add({
        class: "failover.changed",
        summary: `rule ${now.index}: backends by priority ${levels(was.order)} → ${levels(now.order)}: who takes the requests when the first fail changes`,
        side: "head",
        path,
        before: was.order,
        after: now.order,
      });
    for (const name of new Set([...Object.keys(was.overrides), ...Object.keys(now.overrides)])) {
      if (was.overrides[name] === now.overrides[name] || !(name in now.order)) continue;
      out.add({
        class: "resource.changed",
        summary: `rule ${now.index}: ${name} modelNameOverride ${show(was.overrides[name] ?? "(the model requested)")} → ${show(now.overrides[name] ?? "(the model requested)")}: another model answers the requests sent there`,
        side: "head",
        path,
        before: was.overrides[name] ?? null,
        after: now.overrides[name] ?? null,
        riskFloor: "medium-high",
      });
    }
  }
};
