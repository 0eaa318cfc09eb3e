import type { FieldPath } from "../../core/finding.js";
import { list, record, type JsonRecord } from "../../core/json-access.js";

/**
 * A route rule's filters, on the rule and on each of its backendRefs, each with its path: where a
 * filter that acts on every request (a mirror, an authorizer, a header edit) may be written.
 */
export const ruleFilters = (rule: JsonRecord, rulePath: FieldPath): { readonly fields: JsonRecord; readonly path: FieldPath }[] => {
  const at = (filters: unknown, path: FieldPath) =>
    list(filters).map((filter, index) => ({ fields: record(filter), path: [...path, index] }));
  return [
    ...at(rule.filters, [...rulePath, "filters"]),
    ...list(rule.backendRefs).flatMap((backend, index) => at(record(backend).filters, [...rulePath, "backendRefs", index, "filters"])),
  ];
};

/** Whether a rule has filters at all, on itself or a backend: most have none, and are not walked. */
export const hasFilters = (rule: JsonRecord): boolean =>
  rule.filters !== undefined || list(rule.backendRefs).some((ref) => record(ref).filters !== undefined);
