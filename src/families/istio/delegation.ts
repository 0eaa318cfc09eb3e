import type { ManifestSet, Resource } from "../../core/resource.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { gatewayEntry } from "../../core/istio-http-match.js";
import { scopeOfKey } from "../../core/graph-nodes.js";

/**
 * VirtualService delegation (Istio 1.8+): a root VirtualService's http rule naming `delegate` is
 * replaced by the rules of the delegate (a VirtualService without hosts), each under the root's
 * hosts and gateways with the root rule's match merged into its own. A delegate rule whose match
 * falls outside every root match is dropped, as is a delegate the root cannot see (its `exportTo`)
 * or one the root names but Istio cannot find. Delegation is one level deep. This follows istiod's
 * mergeVirtualServices and mergeHTTPRoute (pilot/pkg/model/virtualservice.go).
 */

const VIRTUAL_SERVICE = { group: "networking.istio.io", kind: "VirtualService" };

export const isVirtualService = (resource: Resource): boolean =>
  resource.id.kind === VIRTUAL_SERVICE.kind && resource.id.group === VIRTUAL_SERVICE.group;

/** A VirtualService without hosts serves only as some root's delegate. */
export const isDelegate = (resource: Resource): boolean =>
  isVirtualService(resource) && nonEmptyTexts(record(resource.body.spec).hosts).length === 0;

/** One root http rule handing its requests to a delegate. */
export interface Delegation {
  readonly root: Resource;
  readonly rule: JsonRecord;
  readonly ruleIndex: number;
}

interface DelegationIndex {
  /** Delegates by `namespace/name`: more than one where the tree holds it once per cluster. */
  readonly delegates: ReadonlyMap<string, readonly Resource[]>;
  /** The root rules that name each delegate (`namespace/name`), in key order. */
  readonly delegations: ReadonlyMap<string, readonly Delegation[]>;
}

/** The cluster (or file) a resource's key is scoped to; "" for one applied everywhere. */
const scopeOf = (resource: Resource): string => scopeOfKey(resource.key) ?? "";

const delegateName = (rule: JsonRecord, rootNamespace: string): string | undefined => {
  const delegate = record(rule.delegate);
  const name = text(delegate.name);
  return name === undefined ? undefined : `${text(delegate.namespace) ?? rootNamespace}/${name}`;
};

const indexes = new WeakMap<ManifestSet, DelegationIndex>();

function indexOf(set: ManifestSet): DelegationIndex {
  const known = indexes.get(set);
  if (known) return known;
  const delegates = new Map<string, Resource[]>();
  const delegations = new Map<string, Delegation[]>();
  const services = [...set.resources.values()].filter(isVirtualService).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const resource of services) {
    const { namespace, name } = resource.id;
    if (isDelegate(resource)) {
      const named = `${namespace}/${name}`;
      delegates.set(named, [...(delegates.get(named) ?? []), resource]);
      continue;
    }
    list(record(resource.body.spec).http).forEach((item, ruleIndex) => {
      const rule = record(item);
      const named = delegateName(rule, namespace);
      if (named !== undefined) delegations.set(named, [...(delegations.get(named) ?? []), { root: resource, rule, ruleIndex }]);
    });
  }
  const index = { delegates, delegations };
  indexes.set(set, index);
  return index;
}

/** The delegate a root rule names, when the tree holds it: the one applied where the root is, else one applied everywhere. */
export function delegateOf(set: ManifestSet, root: Resource, rule: JsonRecord): Resource | undefined {
  const named = delegateName(rule, root.id.namespace);
  const candidates = named === undefined ? [] : (indexOf(set).delegates.get(named) ?? []);
  return candidates.find((delegate) => scopeOf(delegate) === scopeOf(root)) ?? candidates.find((delegate) => scopeOf(delegate) === "");
}

/** The root rules the delegate serves, those that can see it; undefined when no root in the tree names it. */
export function delegationsTo(set: ManifestSet, delegate: Resource): readonly Delegation[] | undefined {
  const named = indexOf(set).delegations.get(`${delegate.id.namespace}/${delegate.id.name}`);
  if (!named) return undefined;
  return named.filter(({ root, rule }) => delegateOf(set, root, rule) === delegate && visibleTo(delegate, root.id.namespace));
}

/** The root rules of a tree that name this delegate and find none of its name there: their requests match no route. */
export function orphanedDelegations(set: ManifestSet, delegate: Resource): readonly Delegation[] {
  const named = indexOf(set).delegations.get(`${delegate.id.namespace}/${delegate.id.name}`) ?? [];
  return named.filter(({ root, rule }) => delegateOf(set, root, rule) === undefined);
}

/** A delegate is seen by the roots of the namespaces its `exportTo` names (all of them by default). */
function visibleTo(delegate: Resource, namespace: string): boolean {
  const exportTo = nonEmptyTexts(record(delegate.body.spec).exportTo);
  return (
    exportTo.length === 0 || exportTo.some((to) => to === "*" || to === namespace || (to === "." && delegate.id.namespace === namespace))
  );
}

/** A match condition with the gateways it is limited to, resolved where they are written (as `gatewayEntry`s). */
export interface ScopedMatch {
  readonly match: JsonRecord;
  readonly only: readonly string[];
}

export const scopedMatch = (match: JsonRecord, namespace: string): ScopedMatch => ({
  match,
  only: nonEmptyTexts(match.gateways).map((gateway) => gatewayEntry(gateway, namespace)),
});

const MATCH_KINDS = ["exact", "prefix", "regex"] as const;
const stringMatchOf = (value: unknown): { kind: (typeof MATCH_KINDS)[number]; value: string } | undefined => {
  const match = record(value);
  const kind = MATCH_KINDS.find((k) => text(match[k]) !== undefined && text(match[k]) !== "");
  return kind ? { kind, value: text(match[kind])! } : undefined;
};

/** istiod's stringMatchConflict: whether a delegate's string match can fall outside the root's. */
function stringMatchConflict(rootValue: unknown, leafValue: unknown): boolean {
  if (rootValue === undefined || leafValue === undefined) return false;
  const [root, leaf] = [stringMatchOf(rootValue), stringMatchOf(leafValue)];
  if (root?.kind === "regex" && leaf) return true;
  if (leaf?.kind === "regex" && root) return true;
  if (root?.kind === "exact") return leaf?.kind === "prefix" || leaf?.value !== root.value;
  if (root?.kind === "prefix") {
    if (leaf?.kind === "prefix" || leaf?.kind === "exact") return !leaf.value.startsWith(root.value);
  }
  return true;
}

const namedConflict = (root: unknown, leaf: unknown): boolean =>
  Object.entries(record(leaf)).some(([name, value]) => stringMatchConflict(record(root)[name], value));

/** istiod's hasConflict: a delegate match must be a subset of the root match it merges with. */
function conflicts(root: ScopedMatch, leaf: ScopedMatch): boolean {
  const [r, l] = [root.match, leaf.match];
  if ((["uri", "scheme", "method", "authority"] as const).some((field) => stringMatchConflict(r[field], l[field]))) return true;
  if (
    namedConflict(r.headers, l.headers) ||
    namedConflict(r.withoutHeaders, l.withoutHeaders) ||
    namedConflict(r.queryParams, l.queryParams)
  )
    return true;
  if (Boolean(r.ignoreUriCase) !== Boolean(l.ignoreUriCase)) return true;
  const [rootPort, leafPort] = [numeric(r.port) ?? 0, numeric(l.port) ?? 0];
  if (rootPort > 0 && leafPort > 0 && rootPort !== leafPort) return true;
  const rootSource = text(r.sourceNamespace) ?? "";
  if (rootSource !== "" && text(l.sourceNamespace) !== rootSource) return true;
  const rootLabels = record(r.sourceLabels);
  if (Object.entries(record(l.sourceLabels)).some(([key, value]) => key in rootLabels && rootLabels[key] !== value)) return true;
  if (root.only.length > 0 && leaf.only.length > 0) return leaf.only.some((gateway) => !root.only.includes(gateway));
  return false;
}

/** Fields a delegate match takes from the root's when it sets none, and maps merged key by key (the delegate's winning). */
const INHERITED_CONDITIONS = ["uri", "scheme", "method", "authority", "port", "sourceNamespace"] as const;
const MERGED_CONDITIONS = ["headers", "withoutHeaders", "queryParams", "sourceLabels"] as const;

/** istiod's mergeHTTPMatchRequest: the delegate's conditions, the root's where the delegate sets none. */
function mergeMatch(root: ScopedMatch, leaf: ScopedMatch): ScopedMatch {
  const [r, l] = [root.match, leaf.match];
  const inherited = INHERITED_CONDITIONS.filter((field) => l[field] === undefined && r[field] !== undefined).map((field) => [
    field,
    r[field],
  ]);
  const merged = MERGED_CONDITIONS.filter((field) => r[field] !== undefined || l[field] !== undefined).map((field) => [
    field,
    { ...record(r[field]), ...record(l[field]) },
  ]);
  return { match: { ...l, ...Object.fromEntries([...inherited, ...merged]) }, only: leaf.only.length > 0 ? leaf.only : root.only };
}

/**
 * istiod's mergeHTTPMatchRequests: each delegate match merged with every root match it fits in;
 * undefined (the delegate rule is dropped) when one of them fits in none.
 */
export function mergeMatches(root: readonly ScopedMatch[], leaf: readonly ScopedMatch[]): readonly ScopedMatch[] | undefined {
  if (root.length === 0) return leaf;
  if (leaf.length === 0) return root;
  const merged: ScopedMatch[] = [];
  for (const sub of leaf) {
    const fits = root.filter((match) => !conflicts(match, sub));
    if (fits.length === 0) return undefined;
    merged.push(...fits.map((match) => mergeMatch(match, sub)));
  }
  return merged;
}

/** What a delegate rule takes from the root rule when it has none of its own (of what the flows read). */
const INHERITED_ACTIONS = ["directResponse", "mirror", "mirrorPercentage", "mirrors"] as const;

/** istiod's mergeHTTPRoute: the delegate rule, named after both, with the root's mirrors and direct response where it has none. */
export function mergeRule(root: JsonRecord, leaf: JsonRecord): JsonRecord {
  const [rootName, leafName] = [text(root.name), text(leaf.name)];
  const name = rootName && leafName ? `${rootName}-${leafName}` : (leafName ?? rootName);
  const inherited = INHERITED_ACTIONS.filter((field) => leaf[field] === undefined && root[field] !== undefined).map((field) => [
    field,
    root[field],
  ]);
  return { ...leaf, ...Object.fromEntries(inherited), ...(name === undefined ? {} : { name }) };
}
