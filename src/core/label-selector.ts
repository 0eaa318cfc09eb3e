import { list, record, stringMap, text, texts } from "./json-access.js";

export type Labels = Readonly<Record<string, string>>;

/** Whether a Kubernetes label selector (matchLabels, matchExpressions) selects these labels; an empty one selects everything. */
export function selects(selector: unknown, labels: Labels): boolean {
  const fields = record(selector);
  const matchLabels = stringMap(fields.matchLabels);
  if (Object.entries(matchLabels).some(([key, value]) => labels[key] !== value)) return false;
  return list(fields.matchExpressions).every((item) => {
    const expression = record(item);
    const key = text(expression.key) ?? "";
    const values = texts(expression.values);
    const value = labels[key];
    switch (text(expression.operator)) {
      case "In":
        return value !== undefined && values.includes(value);
      case "NotIn":
        return value === undefined || !values.includes(value);
      case "Exists":
        return value !== undefined;
      case "DoesNotExist":
        return value === undefined;
      default:
        return false;
    }
  });
}
