import type { Check } from "../../core/by-kind.js";
import { canonical, durationMs } from "../../core/canonical-values.js";
import type { FieldPath } from "../../core/finding.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { conditionsIn, kuadrantPolicies, kuadrantPolicyChecks, rulesOfKind, type Out } from "./effective-policy.js";
import { conditionsMove, entriesOf, entryChange } from "./named-entries.js";
import { conditionsOf, sectionOf, type SectionMode } from "./policy-sections.js";

/**
 * Kuadrant's RateLimitPolicy and TokenRateLimitPolicy: Limitador's limits for the Gateway or route
 * it targets (of requests; of the tokens an LLM answers with), each a name with rates, conditions
 * and counters. Judged as rate limits are elsewhere (Envoy Gateway's
 * BackendTrafficPolicy `rateLimit`): a limit lifted, raised, or left to fewer requests lets bursts
 * and abusive clients through to the backends (medium-high); one added or lowered refuses requests
 * that passed with 429 (medium). Rates compare as requests a second, so v1beta2's
 * `duration: 1, unit: minute` rewritten as v1's `window: 1m` is the same rate.
 */

const PER_UNIT_MS: Readonly<Record<string, number>> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A rate's window in milliseconds, either spelling; undefined where it does not read. */
const windowMs = (fields: JsonRecord): number | undefined => {
  const ms =
    text(fields.window) !== undefined
      ? durationMs(fields.window)
      : (numeric(fields.duration) ?? 0) * (PER_UNIT_MS[text(fields.unit) ?? ""] ?? Number.NaN);
  return ms !== undefined && ms > 0 ? ms : undefined;
};

/** A limit's rates by window, as requests a second (undefined where unreadable): one limit may set several windows (10 a second, 500 a minute). */
const ratesOf = (limit: unknown): Map<string, number | undefined> =>
  new Map(
    list(record(limit).rates).map((rate) => {
      const fields = record(rate);
      const [window, requests] = [windowMs(fields), numeric(fields.limit)];
      return [String(window), window === undefined || requests === undefined ? undefined : (requests * 1000) / window];
    }),
  );

/** Rates compared window by window: `raised` where none is lower or gone, `lowered` where none is higher and none gone. */
function rateMove(was: unknown, now: unknown): "same" | "raised" | "lowered" | "changed" {
  const [before, after] = [ratesOf(was), ratesOf(now)];
  if (canonical([...before].sort()) === canonical([...after].sort())) return "same";
  // One rate each: compared as requests a second whatever their windows (5 per 30s → 5 per 1m is lowered).
  const [only, other] = [[...before.values()], [...after.values()]];
  if (only.length === 1 && other.length === 1 && only[0] !== undefined && other[0] !== undefined)
    return other[0] > only[0] ? "raised" : other[0] < only[0] ? "lowered" : "same";
  const windows = new Set([...before.keys(), ...after.keys()]);
  let up = false;
  let down = false;
  for (const window of windows) {
    const [a, b] = [before.get(window), after.get(window)];
    if (a === undefined && before.has(window)) return "changed";
    if (b === undefined && after.has(window)) return "changed";
    if (!after.has(window)) up = true;
    else if (!before.has(window)) down = true;
    else if (b! > a!) up = true;
    else if (b! < a!) down = true;
  }
  return up && down ? "changed" : up ? "raised" : down ? "lowered" : "same";
}

/**
 * A limit in v1's spelling, whatever version wrote it: v1beta2 and the first v1beta3 named each
 * counter by its selector, v1 by a CEL `expression` (kuadrant-operator a9252736 rewrote
 * `counters: [auth.identity.username]` as `counters: [{expression: auth.identity.username}]`).
 * Rates (`duration`/`unit` or `window`) and conditions (`selector`/`operator`/`value` or
 * `predicate`) are read in either spelling where they are compared; v1beta2's `routeSelectors`,
 * which chose route rules rather than requests, are judged as written.
 */
const currentLimit = (limit: unknown): unknown => {
  const fields = record(limit);
  if (fields.counters === undefined) return limit;
  return { ...fields, counters: list(fields.counters).map((counter) => (typeof counter === "string" ? { expression: counter } : counter)) };
};

/** A policy's rules as Kuadrant merges them (RateLimitPolicy.Rules()): its limits by name, and the section's own conditions. */
function rulesOf(policy: Resource): Map<string, unknown> {
  const section = sectionOf(policy);
  const conditions = conditionsOf(section.fields);
  return new Map([
    ...[...entriesOf(section.fields.limits)].map(([name, limit]): [string, unknown] => [`limits#${name}`, currentLimit(limit)]),
    ...(conditions.length > 0 ? [["conditions#", conditions] as [string, unknown]] : []),
  ]);
}

/** kuadrant-operator's Empty(): a policy without limits leaves atomic defaults above it in force. */
const noLimits = (rules: ReadonlyMap<string, unknown>): boolean => rulesOfKind(rules, "limits").size === 0;

/** What limits a side sets, and its conditions, written at `path`. */
interface Limits {
  readonly limits: Map<string, unknown>;
  readonly conditions: readonly unknown[];
  readonly path: FieldPath;
}

const limitsFrom = (rules: ReadonlyMap<string, unknown>, path: FieldPath): Limits => ({
  limits: rulesOfKind(rules, "limits"),
  conditions: conditionsIn(rules),
  path,
});

const names = (limits: Iterable<string>): string => [...limits].join(", ");

/** A target left without the policy's limits (`title`: how, and which). */
const liftedFrom = (out: Out, title: string, limits: Limits, side: "base" | "head"): void => {
  if (limits.limits.size === 0) return;
  out.add({
    class: "resource.changed",
    summary: `${title}: limits ${names(limits.limits.keys())} are lifted: bursts and abusive clients reach its backends`,
    side,
    path: side === "head" ? ["spec", "targetRef"] : ["spec"],
    before: { limits: [...limits.limits.keys()] },
    riskFloor: "medium-high",
  });
};

/** A target nothing limited before gains the policy's limits. */
const limitedBy = (out: Out, title: string, limits: Limits): void => {
  if (limits.limits.size === 0) return;
  out.add({
    class: "resource.changed",
    summary: `${title}: requests over limits ${names(limits.limits.keys())} are refused (429)`,
    side: "head",
    path: ["spec"],
    after: { limits: [...limits.limits.keys()] },
    riskFloor: "medium",
  });
};

const lifted = (out: Out, summary: string, path: FieldPath, before: unknown, after: unknown): void =>
  out.add({ class: "resource.changed", summary, side: "head", path, before, after, riskFloor: "medium-high" });

const refused = (out: Out, summary: string, path: FieldPath, before: unknown, after: unknown): void =>
  out.add({ class: "resource.changed", summary, side: "head", path, before, after, riskFloor: "medium" });

/** Limit by limit, and the conditions, what a target's requests are limited by before and after. */
const compared = (was: Limits, now: Limits, out: Out, reach: string): void => {
  const at = [...now.path, "limits"];
  const gone = [...was.limits.keys()].filter((name) => !now.limits.has(name));
  const fresh = [...now.limits.keys()].filter((name) => !was.limits.has(name));
  if (gone.length > 0)
    out.add({
      class: "resource.changed",
      summary: `limits ${names(gone)} removed: requests to ${reach} are no longer limited by them, bursts and abusive clients reach the backends`,
      side: "base",
      path: [...was.path, "limits", gone[0]!],
      before: gone,
      riskFloor: "medium-high",
    });
  if (fresh.length > 0)
    refused(out, `limits ${names(fresh)} added: requests to ${reach} over them are refused (429)`, [...at, fresh[0]!], null, fresh);
  for (const [name, limit] of now.limits) {
    if (!was.limits.has(name)) continue;
    const before = was.limits.get(name);
    const path = [...at, name];
    const rates = rateMove(before, limit);
    if (rates === "raised")
      lifted(
        out,
        `limit ${name} raised: more requests to ${reach} pass before any is refused`,
        [...path, "rates"],
        record(before).rates,
        record(limit).rates,
      );
    else if (rates !== "same")
      refused(
        out,
        `limit ${name} ${rates}: requests to ${reach} that passed may be refused (429)`,
        [...path, "rates"],
        record(before).rates,
        record(limit).rates,
      );
    const move = entryChange({ ...record(before), rates: null }, { ...record(limit), rates: null });
    if (move === "fewer-requests")
      lifted(out, `limit ${name} gains conditions: requests they leave out are no longer limited by it`, [...path, "when"], before, limit);
    else if (move === "more-requests")
      refused(out, `limit ${name} loses conditions: it counts and refuses more requests`, [...path, "when"], before, limit);
    else if (move === "changed")
      refused(out, `limit ${name} rewritten (counters or other settings): requests are counted or refused otherwise`, path, before, limit);
  }
  const policyConditions = conditionsMove(was.conditions, now.conditions);
  if (policyConditions === "fewer-requests" && was.limits.size > 0)
    lifted(
      out,
      `conditions (when) added or changed: requests to ${reach} they leave out are not limited`,
      [...now.path, "when"],
      was.conditions,
      now.conditions,
    );
  else if (policyConditions === "more-requests")
    refused(out, `conditions (when) dropped: every request to ${reach} is counted`, [...now.path, "when"], was.conditions, now.conditions);
};

/** A Gateway's policy of `kind` turned from `overrides` to `defaults` or back. */
const modeChanged =
  (kind: string) =>
  (was: SectionMode, now: SectionMode, out: Out, path: FieldPath, reach: string): void => {
    if (was === "overrides")
      lifted(out, `overrides → defaults: routes of ${reach} with their own ${kind} no longer get these limits`, path, was, now);
    else refused(out, `defaults → overrides: these limits now replace the routes' own ${kind} on ${reach}`, path, was, now);
  };

/**
 * The checks of a kind of limits policy: RateLimitPolicy (Limitador's request counts) and
 * TokenRateLimitPolicy (kuadrant.io/v1alpha1: the same limits, rates and merge, counting the tokens
 * of LLM responses). A route's policy is judged on what governs the route (K6: 100000 a second for
 * the route under the Gateway's 100-a-minute defaults lifts that limit).
 */
export const limitPolicyChecks = (kind: string): readonly Check[] =>
  kuadrantPolicyChecks(kuadrantPolicies(kind, rulesOf, noLimits), {
    read: limitsFrom,
    lost: liftedFrom,
    gained: limitedBy,
    compared,
    modeChanged: modeChanged(kind),
    unchanged: "the limits its requests meet stay the same",
  });
