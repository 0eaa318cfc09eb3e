import { isDeepStrictEqual } from "node:util";
import type { FieldPath } from "./finding.js";
import { isRecord, record, text } from "./json-access.js";

/**
 * What the families say holds transport security or trust, read together: whole kinds
 * (Family.trustKinds), fields of other kinds (trustFields), keys of a chart's values (trustValues)
 * and charts whose values configure a trust controller (trustCharts). What an unrendered change
 * reaches of them keeps the critical floor its direct change gets.
 */
export interface TrustTable {
  readonly kinds: ReadonlySet<string>;
  readonly fields: Readonly<Record<string, readonly FieldPath[]>>;
  readonly values: readonly RegExp[];
  readonly charts: ReadonlySet<string>;
}

/** A trust field's segment matching any one segment: a list index, JSON patch's `-`. */
export const ANY_SEGMENT = "*";

/** The paths of a value's leaves (an empty object or list is one), under `at`. */
export function leafPaths(value: unknown, at: FieldPath = []): FieldPath[] {
  const entries = isRecord(value) ? Object.entries(value) : Array.isArray(value) ? value.map((item, index) => [index, item] as const) : [];
  return entries.length === 0 ? [at] : entries.flatMap(([key, item]) => leafPaths(item, [...at, key]));
}

/** The leaf paths at which two values differ: both sides' leaves where one replaces the other's shape. */
export function differingPaths(before: unknown, after: unknown, at: FieldPath = []): FieldPath[] {
  if (isDeepStrictEqual(before, after)) return [];
  const both = (isRecord(before) && isRecord(after)) || (Array.isArray(before) && Array.isArray(after));
  if (!both) return before === undefined ? leafPaths(after, at) : after === undefined ? leafPaths(before, at) : [at];
  const [was, is] = [before as Record<string, unknown>, after as Record<string, unknown>];
  const keys = Array.isArray(before)
    ? Array.from({ length: Math.max((before as unknown[]).length, (after as unknown[]).length) }, (_, index) => index)
    : [...new Set([...Object.keys(was), ...Object.keys(is)])];
  return keys.flatMap((key) => differingPaths(was[key], is[key], [...at, key]));
}

/** A JSON pointer (`/spec/listeners/0/tls`) as a field path. */
const pointer = (value: unknown): FieldPath =>
  (text(value) ?? "")
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));

/**
 * What JSON 6902 operations write or take away: each one's path (what a replace, a remove or an add
 * to an existing key takes away, all of it) and its value's leaves (an append takes nothing away),
 * and where a move or copy reads.
 */
const operationPaths = (operations: readonly unknown[]): FieldPath[] =>
  operations.flatMap((operation) => {
    const { path, value, from } = record(operation);
    const at = pointer(path);
    const appends = at[at.length - 1] === "-";
    return [
      ...(appends ? [] : [at]),
      ...("value" in record(operation) ? leafPaths(value, at) : []),
      ...(from === undefined ? [] : [pointer(from)]),
    ];
  });

/** The fields that JSON 6902 operations one side has and the other lacks write or take away. */
export function operationsPaths(before: readonly unknown[], after: readonly unknown[]): FieldPath[] {
  const missing = (from: readonly unknown[]) => (operation: unknown) => !from.some((other) => isDeepStrictEqual(other, operation));
  return operationPaths([...before.filter(missing(after)), ...after.filter(missing(before))]);
}

/** Whether `path` lies under `root` (`*` any one segment): what of it is below, else undefined. */
export const below = (path: FieldPath, root: FieldPath): FieldPath | undefined =>
  path.length >= root.length && root.every((segment, index) => segment === ANY_SEGMENT || String(path[index]) === String(segment))
    ? path.slice(root.length)
    : undefined;

/** Whether writing at `path` may write the field `pattern` names: one lies on the other's way. */
const overlaps = (path: FieldPath, pattern: FieldPath): boolean =>
  below(path.slice(0, pattern.length), pattern.slice(0, path.length)) !== undefined;

/** The trust fields (`Gateway spec.listeners.*.tls`) that writing `paths` of an object of one of `kinds` may rewrite. */
export const trustFieldsReached = (table: TrustTable, kinds: Iterable<string>, paths: readonly FieldPath[]): string[] =>
  [...new Set(kinds)].flatMap((kind) =>
    (table.fields[kind] ?? [])
      .filter((pattern) => paths.some((path) => overlaps(path, pattern)))
      .map((pattern) => `${kind} ${pattern.join(".")}`),
  );

/** What changed of a chart's install: the charts it may be (by name), the values paths that differ, and whether anything else did. */
export interface ChartChange {
  readonly charts: readonly string[];
  readonly values: readonly FieldPath[];
  /** Something besides its values and where it is fetched from (its release name, namespace, post-renderers). */
  readonly rest: boolean;
}

/**
 * What a chart's changed install may rewrite of trust, unrendered: all of it where the chart is a
 * trust controller (cert-manager, istiod) and anything but its fetch changed; else the values keys
 * the families name (`ingress.tls`, `meshConfig.trustDomain`), as `values <path>`.
 */
export function chartTrust(table: TrustTable, change: ChartChange): string[] {
  const controller = change.values.length > 0 || change.rest ? change.charts.filter((chart) => table.charts.has(chart)) : [];
  const keys = change.values.map((path) => path.join(".")).filter((path) => table.values.some((pattern) => pattern.test(path)));
  return [...controller.map((chart) => `chart ${chart}`), ...keys.map((path) => `values ${path}`)];
}
