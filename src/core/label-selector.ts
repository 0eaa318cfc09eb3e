import { list, record, stringMap, text, texts } from "./json-access.js";

export type Labels = Readonly<Record<string, string>>;

/** One requirement of a selector: a test of one label's value (undefined: unset), or, for an operator Kubernetes does not know, of none. */
interface Requirement {
  readonly key?: string;
  readonly test: (value: string | undefined) => boolean;
}

function requirements(selector: unknown): Requirement[] {
  const fields = record(selector);
  const equalities = Object.entries(stringMap(fields.matchLabels)).map(([key, wanted]) => ({
    key,
    test: (value: string | undefined) => value === wanted,
  }));
  const expressions = list(fields.matchExpressions).map((item): Requirement => {
    const expression = record(item);
    const key = text(expression.key) ?? "";
    const values = texts(expression.values);
    switch (text(expression.operator)) {
      case "In":
        return { key, test: (value) => value !== undefined && values.includes(value) };
      case "NotIn":
        return { key, test: (value) => value === undefined || !values.includes(value) };
      case "Exists":
        return { key, test: (value) => value !== undefined };
      case "DoesNotExist":
        return { key, test: (value) => value === undefined };
      default:
        return { test: () => false };
    }
  });
  return [...equalities, ...expressions];
}

/** Whether a Kubernetes label selector (matchLabels, matchExpressions) selects these labels; an empty one selects everything. */
export const selects = (selector: unknown, labels: Labels): boolean =>
  requirements(selector).every(({ key, test }) => test(key === undefined ? undefined : labels[key]));

/**
 * The same, for an object of which only the labels under some keys are known (`labels` holds those
 * it has): a requirement they fail rejects it, one on a label not known leaves it unknown.
 */
export function selectsKnowing(selector: unknown, labels: Labels, known: (key: string) => boolean): boolean | "unknown" {
  let judged = true;
  for (const { key, test } of requirements(selector)) {
    if (key !== undefined && !known(key)) judged = false;
    else if (!test(key === undefined ? undefined : labels[key])) return false;
  }
  return judged || "unknown";
}

/**
 * A selector written as text, as kubectl's `-l` and kustomize's `labelSelector` and
 * `annotationSelector` take it (`app=web,tier!=cache,env in (prod,staging),!legacy`), in the form
 * `selects` reads; undefined when it is not one (the caller cannot tell what it selects).
 */
export function selectorOfText(written: string): { matchLabels: Record<string, string>; matchExpressions: object[] } | undefined {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: object[] = [];
  // Commas inside a set's parentheses separate its values, not requirements.
  for (const requirement of written.split(/,(?![^(]*\))/)) {
    const term = requirement.trim();
    if (term === "") continue;
    const set = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
    const equality = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    const exists = /^(!?)\s*([^\s!=(),]+)$/.exec(term);
    if (set) {
      const values = set[3]!.split(",").map((value) => value.trim());
      matchExpressions.push({ key: set[1], operator: set[2] === "in" ? "In" : "NotIn", values });
    } else if (equality?.[2] === "!=") matchExpressions.push({ key: equality[1], operator: "NotIn", values: [equality[3]] });
    else if (equality) matchLabels[equality[1]!] = equality[3]!;
    else if (exists) matchExpressions.push({ key: exists[2], operator: exists[1] ? "DoesNotExist" : "Exists" });
    else return undefined;
  }
  return { matchLabels, matchExpressions };
}
