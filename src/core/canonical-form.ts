/**
 * The semantic content of a traffic document, so that cosmetic edits compare equal: key order,
 * quoting and comments are gone after parsing; here apiVersion, status and server-written metadata
 * are dropped, lists whose order carries no meaning are sorted, and backend weights become shares
 * (90/10 and 900/100 are the same split).
 */
const UNORDERED_LISTS = new Set([
  "hosts",
  "hostnames",
  "gateways",
  "parentRefs",
  "backendRefs",
  "route",
  "destinations",
  "matches",
  "match",
  "exportTo",
  "subsets",
  "endpoints",
  "listeners",
  "servers",
  "addresses",
  "dnsNames",
  "trustDomainAliases",
  // Gloo lifecycle managers' installations, paired by revision.
  "installations",
]);
/** Lists whose weights are relative. Gloo's `destinations` are not: they must sum to 100. */
const WEIGHTED_LISTS = new Set(["backendRefs", "route", "forwardTo"]);
const SERVER_METADATA = new Set(["resourceVersion", "generation", "creationTimestamp", "managedFields", "uid", "selfLink"]);
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const stable = (value: Json): string => JSON.stringify(value);

function withShares(items: Json[]): Json[] {
  const weights = items.map((item) =>
    item && typeof item === "object" && !Array.isArray(item) && typeof item.weight === "number" ? item.weight : undefined,
  );
  if (weights.every((w) => w === undefined)) return items;
  const total = weights.reduce<number>((sum, w) => sum + (w ?? 0), 0);
  return items.map((item, i) => {
    if (!item || typeof item !== "object" || Array.isArray(item) || weights[i] === undefined) return item;
    return { ...item, weight: total > 0 ? Number(((weights[i] ?? 0) / total).toFixed(9)) : 0 };
  });
}

/** A list's items in canonical form, and the written position of each, in the order canonical form gives them. */
function canonicalItems(value: readonly unknown[], parentKey: string | undefined): { items: Json[]; written: number[] } {
  let items = value.map((item) => canonical(item, undefined));
  if (parentKey && WEIGHTED_LISTS.has(parentKey)) items = withShares(items);
  const written = items.map((_, index) => index);
  if (parentKey && UNORDERED_LISTS.has(parentKey)) {
    const texts = items.map(stable);
    written.sort((a, b) => (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0));
  }
  return { items, written };
}

function canonical(value: unknown, parentKey: string | undefined): Json {
  if (Array.isArray(value)) {
    const { items, written } = canonicalItems(value, parentKey);
    return written.map((index) => items[index]!);
  }
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key], key);
    return out;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return null;
}

export function canonicalForm(document: Readonly<Record<string, unknown>>): Json {
  const { apiVersion: _apiVersion, status: _status, metadata, ...rest } = document;
  const meta = { ...((metadata ?? {}) as Record<string, unknown>) };
  for (const key of SERVER_METADATA) delete meta[key];
  if (meta.annotations && typeof meta.annotations === "object") {
    const { [LAST_APPLIED]: _lastApplied, ...annotations } = meta.annotations as Record<string, unknown>;
    meta.annotations = annotations;
  }
  return canonical({ ...rest, metadata: meta }, undefined);
}

/**
 * A path into a document's canonical form as a path into the document as written: in a list that
 * canonical form sorts, a position is where the item is written, so a field is named (and its line
 * found) where the reader sees it.
 */
export function writtenPath(document: Readonly<Record<string, unknown>>, path: readonly (string | number)[]): (string | number)[] {
  let node: unknown = document;
  let parentKey: string | undefined;
  return path.map((segment) => {
    if (typeof segment === "number" && Array.isArray(node)) {
      const position = canonicalItems(node, parentKey).written[segment] ?? segment;
      [node, parentKey] = [node[position], undefined];
      return position;
    }
    [node, parentKey] = [
      node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined,
      String(segment),
    ];
    return segment;
  });
}

export const canonicalText = (document: Readonly<Record<string, unknown>>): string => stable(canonicalForm(document));

/**
 * What a document says whatever its kind is called: its canonical form without `kind`, so a kind
 * promoted from an experimental API (`XListenerSet` → `ListenerSet`) means what it meant.
 */
export const canonicalMeaning = (document: Readonly<Record<string, unknown>>): Json => {
  const { kind: _kind, ...meaning } = canonicalForm(document) as { [key: string]: Json };
  return meaning;
};
