import { isRecord } from "./json-access.js";

/**
 * Normal forms for comparing field values across base and head, so that edits with no meaning
 * (key order, "1s" vs "1000ms", host list order) never look like changes.
 */

/** JSON with object keys sorted: equal for documents that differ only in key order. */
export const canonical = (value: unknown): string => JSON.stringify(sortKeys(value)) ?? "undefined";

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) out[key] = sortKeys(value[key]);
  }
  return out;
};

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/**
 * Exact equality of plain data (what YAML and the model are made of), key order aside: whether one
 * object may stand for the other. Cheaper than node:util's isDeepStrictEqual, which also weighs
 * prototypes, symbols and cycles that plain data does not have.
 */
export function equalData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !equalData((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/**
 * Sorted, de-duplicated: for lists whose order has no meaning (hosts, hostnames, SANs). Most such
 * lists hold one item, which needs no set: a review of a large tree makes one per flow.
 */
export const sortedSet = (items: Iterable<string>): string[] =>
  Array.isArray(items) && items.length < 2 ? [...(items as readonly string[])] : [...new Set(items)].sort();

/** Items of a list whose order has no meaning, sorted by their canonical form. */
export const sortedByCanonical = <T>(items: readonly T[]): T[] =>
  items
    .map((item) => ({ key: canonical(item), item }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);

export interface SetChange {
  readonly added: string[];
  readonly removed: string[];
}

export const setChange = (before: Iterable<string>, after: Iterable<string>): SetChange => {
  const was = new Set(before);
  const now = new Set(after);
  return {
    added: [...now].filter((item) => !was.has(item)).sort(),
    removed: [...was].filter((item) => !now.has(item)).sort(),
  };
};

/** `-removed` then `+added` items, for summaries of an order-free list. */
export const showSetChange = (change: SetChange): string[] => [
  ...change.removed.map((item) => `-${item}`),
  ...change.added.map((item) => `+${item}`),
];

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/**
 * Milliseconds of a Go / Gateway API / protobuf-JSON duration ("1h30m", "1.5s", "500ms");
 * undefined when the value is not a duration.
 */
export const durationMs = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (trimmed === "0") return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? Number.NaN);
    consumed = part.lastIndex;
  }
  return consumed === trimmed.length && consumed > 0 && Number.isFinite(total) ? total : undefined;
};

/** A duration in the shortest exact unit, so "1000ms" and "1s" print (and fingerprint) alike. */
export const formatDuration = (ms: number): string => {
  if (ms === Number.POSITIVE_INFINITY) return "none";
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
};

/** How a value reads in a summary: `(unset)`, bare strings, `[a, b]`, `k=v` maps. */
export const show = (value: unknown): string => {
  if (value === undefined || value === null) return "(unset)";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${key}=${show(value[key])}`);
    return entries.length === 0 ? "{}" : `{${entries.join(", ")}}`;
  }
  return String(value);
};

export interface LeafChange {
  readonly path: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

/** Changed leaves of two nested records (lists compare whole), for summaries like `hostname a → b`. */
export const leafChanges = (before: unknown, after: unknown, prefix: readonly string[] = []): LeafChange[] => {
  if (isRecord(before) && isRecord(after)) {
    const keys = sortedSet([...Object.keys(before), ...Object.keys(after)]);
    return keys.flatMap((key) => leafChanges(before[key], after[key], [...prefix, key]));
  }
  return sameValue(before, after) ? [] : [{ path: prefix, before, after }];
};

export const describeLeafChanges = (changes: readonly LeafChange[]): string =>
  changes.map((change) => `${change.path.join(".") || "value"} ${show(change.before)} → ${show(change.after)}`).join(", ");

/** `app=x, tier=y` for label selectors and label maps. */
export const showLabels = (labels: Readonly<Record<string, string>>): string => {
  const entries = Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`);
  return entries.length === 0 ? "(none)" : entries.join(", ");
};

/**
 * A copy of a nested value with the named duration fields in one unit and numeric strings as
 * numbers, for comparing policy blocks whose authors write "1s" or "1000ms", "10" or 10.
 */
export const withNormalDurations = (value: unknown, durationKeys: ReadonlySet<string>): unknown => {
  if (Array.isArray(value)) return value.map((item) => withNormalDurations(item, durationKeys));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    const ms = durationKeys.has(key) ? durationMs(item) : undefined;
    out[key] =
      ms !== undefined
        ? formatDuration(ms)
        : typeof item === "string" && /^\d+$/.test(item)
          ? Number(item)
          : withNormalDurations(item, durationKeys);
  }
  return out;
};

/** A request timeout as a limit: unset and "0s" both mean none, so shortening is `after < before`. */
export const timeoutLimitMs = (value: unknown): number => {
  const ms = durationMs(value);
  return ms === undefined || ms === 0 ? Number.POSITIVE_INFINITY : ms;
};
