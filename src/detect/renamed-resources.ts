import { equalData } from "../core/canonical-values.js";
import type { DetectorContext } from "../core/detector.js";
import type { Detection } from "../core/finding.js";
import { targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, resourceKey, type ManifestSet, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import { unscopedEntry, type TrafficModel } from "../core/traffic-model.js";
import { byFamilyKind } from "../families/index.js";

/**
 * A resource renamed with the same spec, where its name carries no traffic of its own, is one low
 * finding: read as one resource removed and another added, every setting it always had was judged
 * as new on one side and lost on the other (envoyproxy/ai-gateway 2c00d500 renamed a
 * BackendTrafficPolicy: its retries were read as 0 → 5; a renamed Ingress read as its
 * configuration snippet removed and added, both high). Two kinds qualify:
 * - routes whose name provisions nothing (Family.renamableRoutes: Gateway API routes, Istio
 *   VirtualServices, Gloo RouteTables): their traffic is their flows, which the route diff compares
 *   by entry, host and match whatever the route is called, and ranks again where the controller
 *   breaks ties by age or name. Only while nothing else in the tree names the old name
 *   (an Istio delegate, an Argo Rollout's virtualService or httpRoute): that reference would break,
 *   and is judged as a removal. Moved to another namespace too where its family finds that it names
 *   the same things there (Family.movableRoutes: an Istio VirtualService naming no host, gateway or
 *   delegate relative to its namespace, anthos-service-mesh-workshop 6f76c5d8ce);
 * - policies attached by name (Family.policyTargets): only while no other policy of the kind names
 *   one of its targets, since controllers rank such policies oldest first and a renamed one is new;
 * - entries whose name provisions nothing (Family.renamableEntries: an Istio Gateway, configuration
 *   for the ingress pods its selector picks), renamed or moved to another namespace where their
 *   family finds them the same entry, with their routes following: some route of the base tree
 *   landed on the old one, none at head does, and nothing names it as `namespace/name`
 *   (istio-0to60 7fc96ba renamed `gateway` with its VirtualService following: two high server
 *   changes and a high re-attachment for the same pods serving the same routes). One no route of the
 *   tree landed on may be named by routes of other repositories, which break. Their routes' flows
 *   are compared as they were: `entries` gives the head name of each such base entry.
 * Anything else (a Gateway API Gateway's or a GKE Ingress's name is its load balancer's) is judged as removed and added.
 */

/** Each change read as a rename: its one finding, or undefined for the old name's (nothing to say). */
export type Settled = ReadonlyMap<string, Omit<Detection, "resourceKey"> | undefined>;

export interface Renames {
  readonly settled: Settled;
  /** Base entry → the entry it is at head, for entries renamed (unscoped, as `unscopedEntry` gives them). */
  readonly entries: ReadonlyMap<string, string>;
  /** Base key → head key of each resource read as renamed or moved. */
  readonly keys: ReadonlyMap<string, string>;
}

const isRenamableRoute = byFamilyKind((family) => Object.fromEntries((family.renamableRoutes ?? []).map((kind) => [kind, true])));
const policyTargetsOf = byFamilyKind((family) => family.policyTargets);
const entryRenamingOf = byFamilyKind((family) => family.renamableEntries);
const routeMovingOf = byFamilyKind((family) => family.movableRoutes);

/** The body as controllers read it whatever the resource is called and wherever it lives (`place` asks the namespace of all but entries). */
const unnamed = (resource: Resource): unknown => {
  const { metadata, ...rest } = resource.body;
  const { name: _name, namespace: _namespace, ...kept } = (metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata: kept };
};

/** Two versions of one object: the same identity, applied to the same cluster. */
const sameObject = (a: Resource, b: Resource): boolean => resourceKey(a.id) === resourceKey(b.id) && a.cluster === b.cluster;

const place = (resource: Resource) =>
  `${resource.id.group}/${resource.id.kind}/${entryRenamingOf(resource) || routeMovingOf(resource) ? "" : resource.id.namespace}@${resource.cluster ?? ""}`;

const overlaps = (a: readonly PolicyTarget[], b: readonly PolicyTarget[]): boolean =>
  a.some((target) => b.some((other) => resourceKey(other) === resourceKey(target)));

/**
 * The old names of renamed routes (as `namespace/name`, of entries) that some other resource of the
 * head tree writes anywhere in its body, as a reference is written: one walk of the tree for every
 * candidate of a PR. A resource's own body naming its old name (a backend Service of the same name)
 * does not count.
 */
function namedElsewhere(head: ManifestSet, renamedFrom: ReadonlyMap<Resource, string>): Set<string> {
  const names = new Set(renamedFrom.values());
  const named = new Set<string>();
  if (names.size === 0) return named;
  const walk = (value: unknown, own: string | undefined): void => {
    if (typeof value === "string") {
      if (value !== own && names.has(value)) named.add(value);
    } else if (Array.isArray(value)) for (const item of value) walk(item, own);
    else if (value !== null && typeof value === "object") for (const item of Object.values(value)) walk(item, own);
  };
  head.resources.forEach((resource) => walk(resource.body, renamedFrom.get(resource)));
  return named;
}

/** What the finding says of `after`, renamed, or undefined where its kind's name may carry traffic (whether a route's or entry's old name is still named is asked apart, for all of them at once). */
function renameSays(before: Resource, after: Resource, context: DetectorContext): string | undefined {
  const head = context.head;
  const entry = entryRenamingOf(after);
  if (entry) return entry.sameEntry(before, after, head);
  const targets = policyTargetsOf(after)?.(after);
  if (targets) {
    // Controllers rank policies of one target oldest first, and a renamed one is new. Another file's
    // version of the same policy is no other policy (eg-course 6333810 renamed one written in three files).
    for (const other of head.resources.values())
      if (
        other !== after &&
        other.id.group === after.id.group &&
        other.id.kind === after.id.kind &&
        !sameObject(other, after) &&
        overlaps(policyTargetsOf(other)?.(other) ?? [], targets)
      )
        return undefined;
    return `the same targets (${targets.map(targetName).join(", ")}) and settings`;
  }
  if (!isRenamableRoute(after)) return undefined;
  // A route moved to another namespace, where what it names there depends on it, names other things.
  if (before.id.namespace !== after.id.namespace && !routeMovingOf(after)?.(before, after, context)) return undefined;
  return "the same spec: its flows are compared as they were, and nothing in the tree names the old name";
}

/** The entries some route of the head model lands on, unscoped. */
const entriesLandedOn = (model: TrafficModel): Set<string> =>
  new Set([...model.routes.values()].flatMap((route) => route.entries.map(unscopedEntry)));

export function renamedResources(
  changes: readonly ResourceChange[],
  context: DetectorContext,
  models: { readonly base: TrafficModel; readonly head: TrafficModel },
): Renames {
  const head = context.head;
  const settled = new Map<string, Omit<Detection, "resourceKey"> | undefined>();
  const entries = new Map<string, string>();
  const keys = new Map<string, string>();
  const removed = changes.filter((change) => change.base && !change.head);
  if (removed.length === 0) return { settled, entries, keys };
  const candidates: { readonly previous: ResourceChange; readonly added: ResourceChange; readonly says: string }[] = [];
  const taken = new Set<string>();
  for (const change of changes) {
    const after = change.head;
    if (!after || change.base) continue;
    // One identity on both sides is no rename: an object moved to another cluster's folder is pruned there and created here.
    const renamedFrom = ({ base, key }: ResourceChange) =>
      !taken.has(key) &&
      resourceKey(base!.id) !== resourceKey(after.id) &&
      place(base!) === place(after) &&
      equalData(unnamed(base!), unnamed(after));
    // A policy written in several files, renamed in each: each file's version pairs with its own.
    const previous =
      removed.find((change) => change.base!.source.file === after.source.file && renamedFrom(change)) ?? removed.find(renamedFrom);
    const says = previous && renameSays(previous.base!, after, context);
    if (!previous || says === undefined) continue;
    taken.add(previous.key);
    candidates.push({ previous, added: change, says });
  }
  const referenced = new Map(
    candidates.flatMap(({ previous, added }): [Resource, string][] => {
      const [before, after] = [previous.base!, added.head!];
      if (entryRenamingOf(after)) return [[after, `${before.id.namespace}/${before.id.name}`]];
      return isRenamableRoute(after) ? [[after, before.id.name]] : [];
    }),
  );
  const named = namedElsewhere(head, referenced);
  let landed: { base: Set<string>; head: Set<string> } | undefined;
  for (const { previous, added, says } of candidates) {
    const [before, after] = [previous.base!, added.head!];
    const reference = referenced.get(after);
    if (reference !== undefined && named.has(reference)) continue;
    const entry = entryRenamingOf(after);
    if (entry) {
      const was = entry.entry(before);
      landed ??= { base: entriesLandedOn(models.base), head: entriesLandedOn(models.head) };
      if (!landed.base.has(was) || landed.head.has(was)) continue;
      entries.set(was, entry.entry(after));
    }
    const moved = before.id.namespace !== after.id.namespace;
    keys.set(previous.key, added.key);
    settled.set(previous.key, undefined);
    settled.set(added.key, {
      class: "resource.changed",
      summary: `${displayName(after.id)}: ${moved ? `moved from ${before.id.namespace}/` : "renamed from "}${before.id.name}, with ${says}`,
      resource: after.id,
      side: "head",
      path: ["metadata", moved ? "namespace" : "name"],
      before: moved ? `${before.id.namespace}/${before.id.name}` : before.id.name,
      after: moved ? `${after.id.namespace}/${after.id.name}` : after.id.name,
    });
  }
  return { settled, entries, keys };
}
