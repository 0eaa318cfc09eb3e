import type { FieldPath } from "./finding.js";
import type { Resource } from "./resource.js";

/**
 * Narrow readers over resource bodies. Detectors run on documents whose schemas are permissive
 * (unknown fields pass), so every read tolerates a missing or mistyped field instead of trusting it.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

export const isRecord = (value: unknown): value is JsonRecord => typeof value === "object" && value !== null && !Array.isArray(value);

/** The items of a `List` (`v1`, or a typed `…List`) as kubectl and kustomize read one: each is applied; undefined for any other value. */
export function listItems(value: unknown): unknown[] | undefined {
  if (!isRecord(value)) return undefined;
  const { kind, items } = value;
  return typeof kind === "string" && kind.endsWith("List") && Array.isArray(items) ? items : undefined;
}

/** The record, or an empty one: an absent block reads as "nothing set". */
export const record = (value: unknown): JsonRecord => (isRecord(value) ? value : {});

/** A resource's spec; an absent resource has an empty one. */
export const spec = (resource: Resource | undefined): JsonRecord => record(resource?.body.spec);

export const optionalRecord = (value: unknown): JsonRecord | undefined => (isRecord(value) ? value : undefined);

export const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Numbers, and numeric strings (YAML authors quote ports and percentages). */
export const numeric = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
};

export const flag = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);

export const texts = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === "string");

/** The non-empty strings of a list: host and gateway names, where "" names nothing. */
const isNonEmptyText = (item: unknown): item is string => typeof item === "string" && item !== "";

/**
 * A list's non-empty strings. `filter` leaves room for 17 items in its result, which a graph node
 * keeps for the whole review: a list that is all text (nearly every one) is copied to its size.
 */
export const nonEmptyTexts = (value: unknown): string[] => {
  const items = list(value);
  return items.every(isNonEmptyText) ? (items.slice() as string[]) : items.filter(isNonEmptyText);
};

export const stringMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(record(value))) {
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") out[key] = String(item);
  }
  return out;
};

export const valueAt = (root: unknown, path: FieldPath): unknown => {
  let current: unknown = root;
  for (const step of path) {
    if (typeof step === "number") current = Array.isArray(current) ? current[step] : undefined;
    else current = isRecord(current) ? current[step] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
};

/** The longest prefix of `path` that exists in `root`: a finding about a removed field points at its parent. */
export const existingPath = (root: unknown, path: FieldPath): FieldPath => {
  let current: unknown = root;
  for (let depth = 0; depth < path.length; depth++) {
    const step = path[depth] as string | number;
    const next =
      typeof step === "number" ? (Array.isArray(current) ? current[step] : undefined) : isRecord(current) ? current[step] : undefined;
    if (next === undefined) return path.slice(0, depth);
    current = next;
  }
  return path;
};
