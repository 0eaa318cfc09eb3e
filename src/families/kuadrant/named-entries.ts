import { canonical } from "../../core/canonical-values.js";
import { isRecord, list, record, text } from "../../core/json-access.js";
import { conditionKey, entryConditions } from "./policy-sections.js";

/**
 * Auth rules and limits by name: a map (v1beta2 and later) or, in v1beta1's authScheme, a list of
 * named entries, whose `name` is then the key, as the map spells it.
 */
export const entriesOf = (value: unknown): Map<string, unknown> =>
  isRecord(value)
    ? new Map(Object.entries(value))
    : new Map(
        list(value).map((entry, index) => {
          const { name, ...rest } = record(entry);
          return [text(name) ?? `#${index}`, rest];
        }),
      );

/**
 * How one named entry kept on both sides changed: `fewer-requests`, conditions added or rewritten
 * (it may now skip requests it applied to); `more-requests`, conditions only dropped.
 */
export type EntryChange = "same" | "fewer-requests" | "more-requests" | "changed";

/** Fields of an entry that change when and how it is evaluated, not what it admits (Authorino: caching, metrics, priority groups). */
const OPERATIONAL = new Set(["cache", "metrics", "priority"]);

const withoutConditions = (entry: unknown, ignored: ReadonlySet<string>): string =>
  canonical(
    Object.fromEntries(
      Object.entries(record(entry)).filter(
        ([field]) => !ignored.has(field) && !OPERATIONAL.has(field) && field !== "when" && field !== "routeSelectors",
      ),
    ),
  );

/**
 * The entry as written otherwise: its conditions (`when`, `routeSelectors`) apart, since more of
 * them apply it to fewer requests, fewer to more; `ignored` fields (where credentials are read) left out.
 */
export function entryChange(was: unknown, now: unknown, ignored: ReadonlySet<string> = new Set()): EntryChange {
  if (withoutConditions(was, ignored) !== withoutConditions(now, ignored)) return "changed";
  return conditionsMove(entryConditions(was), entryConditions(now));
}

/** Conditions all of which must hold: only dropping some applies the rule to more requests; any other edit may leave some out. */
export function conditionsMove(before: readonly unknown[], after: readonly unknown[]): Exclude<EntryChange, "changed"> {
  const [was, now] = [before.map(conditionKey), after.map(conditionKey)];
  if (canonical([...was].sort()) === canonical([...now].sort())) return "same";
  return now.every((condition) => was.includes(condition)) ? "more-requests" : "fewer-requests";
}
