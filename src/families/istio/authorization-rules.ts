import { list, record, text, texts, type JsonRecord } from "../../core/json-access.js";
import { rangesMeet, rangeWithin } from "../../core/cidr.js";

/**
 * Whether one Istio AuthorizationPolicy rule matches every request another matches (`covers`),
 * read as Istio evaluates a rule: it matches when some `from` source, some `to` operation and every
 * `when` condition match (an absent list matches anything); a source or operation matches when each
 * of its fields does — a value listed (exactly, or by a `*`, `prefix*` or `*suffix` pattern; an
 * address range by containment, `10.20.4.0/24` within `10.20.0.0/16`), or one its `not…` field does
 * not list. So an ALLOW rule edited to list fewer principals or methods, or to add a condition, is
 * covered by the rule it was: it admits no request it did not. Where a field cannot be compared (a
 * condition on another key), the answer is no: the edit is judged as a rule gained or lost.
 */
export function covers(wider: unknown, narrower: unknown): boolean {
  const [a, b] = [record(wider), record(narrower)];
  return (
    clausesCover(list(a.from), list(b.from), "source") &&
    clausesCover(list(a.to), list(b.to), "operation") &&
    list(a.when).every((condition) => list(b.when).some((other) => conditionCovers(record(condition), record(other))))
  );
}

/** Some clause of `wider` matches whatever each clause of `narrower` matches; no clauses match anything. */
function clausesCover(wider: readonly unknown[], narrower: readonly unknown[], field: "source" | "operation"): boolean {
  if (wider.length === 0) return true;
  if (narrower.length === 0) return false;
  return narrower.every((clause) => wider.some((other) => fieldsCover(record(record(other)[field]), record(record(clause)[field]))));
}

/** Source fields of address ranges, which match by containment rather than by pattern. */
const ADDRESS_FIELDS = new Set(["ipBlocks", "remoteIpBlocks", "notIpBlocks", "notRemoteIpBlocks"]);

/** Each field `wider` tests, `narrower` tests at least as strictly. */
function fieldsCover(wider: JsonRecord, narrower: JsonRecord): boolean {
  return Object.keys(wider).every((field) => {
    const allowed = texts(wider[field]);
    const addresses = ADDRESS_FIELDS.has(field);
    const within = (value: string, pattern: string) => (addresses ? rangeWithin(value, pattern) : patternCovers(pattern, value));
    const meet = (a: string, b: string) => (addresses ? rangesMeet(a, b) : mayMatchSame(a, b));
    if (field.startsWith("not")) {
      // Excluded by `wider`: each must be excluded by `narrower` too, or fall outside what it lists.
      const positive = field.charAt(3).toLowerCase() + field.slice(4);
      const excluded = texts(narrower[field]);
      const listed = narrower[positive] === undefined ? undefined : texts(narrower[positive]);
      return allowed.every(
        (value) => excluded.some((own) => within(value, own)) || (listed !== undefined && listed.every((own) => !meet(value, own))),
      );
    }
    if (narrower[field] === undefined) return false;
    return texts(narrower[field]).every((value) => allowed.some((pattern) => within(value, pattern)));
  });
}

/** A `when` condition of `wider` that `narrower` tests at least as strictly on the same key. */
function conditionCovers(wider: JsonRecord, narrower: JsonRecord): boolean {
  if (text(wider.key) === undefined || text(wider.key) !== text(narrower.key)) return false;
  const values = texts(wider.values);
  const withinValues =
    wider.values === undefined ||
    (narrower.values !== undefined && texts(narrower.values).every((value) => values.some((pattern) => patternCovers(pattern, value))));
  const excluded = texts(narrower.notValues);
  return withinValues && texts(wider.notValues).every((value) => excluded.includes(value));
}

/** Whether every string `narrower` matches, `pattern` matches (Istio's exact, `*`, `prefix*` and `*suffix` values). */
function patternCovers(pattern: string, narrower: string): boolean {
  if (pattern === "*" || pattern === narrower) return true;
  if (pattern.endsWith("*")) {
    const prefix = pattern.slice(0, -1);
    return narrower.startsWith(prefix) && !narrower.startsWith("*");
  }
  if (pattern.startsWith("*")) {
    const suffix = pattern.slice(1);
    return narrower.endsWith(suffix) && !narrower.endsWith("*");
  }
  return false;
}

/** Whether two values may match one string: in doubt (patterns), yes. */
const mayMatchSame = (a: string, b: string): boolean => a === b || a.includes("*") || b.includes("*");
