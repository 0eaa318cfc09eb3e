import { canonical } from "../../core/canonical-values.js";
import { isRecord, list, record, spec, text, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import type { Resource } from "../../core/resource.js";

/**
 * Where an AuthPolicy or RateLimitPolicy writes its rules (docs.kuadrant.io, "Defaults and
 * overrides"): in `overrides` they win over the policies of the routes below the Gateway it
 * targets; in `defaults`, or written at the top of `spec` (implicit defaults), a route's own policy
 * replaces them. The three are mutually exclusive (the CRDs' validation).
 */
export type SectionMode = "overrides" | "defaults";

export interface PolicySection {
  readonly mode: SectionMode;
  readonly fields: JsonRecord;
  /** Where the section sits: `["spec", "overrides"]`, `["spec"]`. */
  readonly path: FieldPath;
}

export function sectionOf(policy: Resource | undefined): PolicySection {
  const fields = spec(policy);
  if (isRecord(fields.overrides)) return { mode: "overrides", fields: fields.overrides, path: ["spec", "overrides"] };
  if (isRecord(fields.defaults)) return { mode: "defaults", fields: fields.defaults, path: ["spec", "defaults"] };
  return { mode: "defaults", fields, path: ["spec"] };
}

/**
 * The conditions that decide which requests the section applies to: `when` (predicates in v1beta3
 * and v1, selector/operator/value patterns before) and v1beta2's `routeSelectors`. More of them,
 * or other ones, leave some requests out of the policy.
 */
export const conditionsOf = (fields: JsonRecord): unknown[] => [...list(fields.when), ...list(fields.routeSelectors)];

/** A named entry's own conditions (an auth rule's or a limit's `when`, v1beta2's `routeSelectors`). */
export const entryConditions = (entry: unknown): unknown[] => conditionsOf(record(entry));

/** v1beta2's string operators as the CEL they are (wasm-shim compared, prefixed and suffixed strings alike). */
const OPERATORS: ReadonlyMap<string, (selector: string, value: string) => string> = new Map([
  ["eq", (selector: string, value: string) => `${selector} == '${value}'`],
  ["neq", (selector: string, value: string) => `${selector} != '${value}'`],
  ["startswith", (selector: string, value: string) => `${selector}.startsWith('${value}')`],
  ["endswith", (selector: string, value: string) => `${selector}.endsWith('${value}')`],
]);

/**
 * A condition as one spelling: v1beta2's `selector`/`operator`/`value` pattern read as the v1
 * predicate it became (kuadrant-operator a925273666 rewrote `selector: request.method, operator: eq,
 * value: "GET"` as `predicate: "request.method == 'GET'"`), quotes and spacing aside. Anything else
 * (a named pattern reference, `all`/`any` groups, `incl`/`excl`/`matches`, a value CEL would read
 * otherwise once quoted: a quote or a backslash in it) as written.
 */
export const conditionKey = (condition: unknown): string => {
  const fields = record(condition);
  const [selector, operator, value, predicate] = [text(fields.selector), text(fields.operator), fields.value, text(fields.predicate)];
  const cel = OPERATORS.get(operator ?? "");
  const spelled =
    predicate ??
    (selector !== undefined && cel !== undefined && typeof value === "string" && !/['\\]/.test(value) ? cel(selector, value) : undefined);
  return spelled === undefined ? canonical(condition) : `predicate ${spelled.replace(/"/g, "'").replace(/\s+/g, " ").trim()}`;
};
