import { equalData } from "../core/canonical-values.js";
import type { Detection } from "../core/finding.js";
import { targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, resourceKey, type ManifestSet, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
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
 *   and is judged as a removal;
 * - policies attached by name (Family.policyTargets): only while no other policy of the kind names
 *   one of its targets, since controllers rank such policies oldest first and a renamed one is new.
 * Anything else (a Gateway's or a GKE Ingress's name is its load balancer's) is judged as removed and added.
 */

/** Each change read as a rename: its one finding, or undefined for the old name's (nothing to say). */
export type Settled = ReadonlyMap<string, Omit<Detection, "resourceKey"> | undefined>;

const isRenamableRoute = byFamilyKind((family) => Object.fromEntries((family.renamableRoutes ?? []).map((kind) => [kind, true])));
const policyTargetsOf = byFamilyKind((family) => family.policyTargets);

/** The body as controllers read it whatever the resource is called. */
const unnamed = (resource: Resource): unknown => {
  const { metadata, ...rest } = resource.body;
  const { name: _name, ...kept } = (metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata: kept };
};

/** Two versions of one object: the same identity, applied to the same cluster. */
const sameObject = (a: Resource, b: Resource): boolean => resourceKey(a.id) === resourceKey(b.id) && a.cluster === b.cluster;

const place = (resource: Resource) => `${resource.id.group}/${resource.id.kind}/${resource.id.namespace}@${resource.cluster ?? ""}`;

const overlaps = (a: readonly PolicyTarget[], b: readonly PolicyTarget[]): boolean =>
  a.some((target) => b.some((other) => resourceKey(other) === resourceKey(target)));

/**
 * The old names of renamed routes that some other resource of the head tree writes anywhere in its
 * body, as a reference is written: one walk of the tree for every candidate of a PR. A route's own
 * body naming its old name (a backend Service of the same name) does not count.
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

/** What the finding says of `after`, renamed, or undefined where its kind's name may carry traffic (whether a route's old name is still named is asked apart, for all of them at once). */
function renameSays(after: Resource, head: ManifestSet): string | undefined {
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
  return isRenamableRoute(after)
    ? "the same spec: its flows are compared as they were, and nothing in the tree names the old name"
    : undefined;
}

export function renamedResources(changes: readonly ResourceChange[], head: ManifestSet): Settled {
  const settled = new Map<string, Omit<Detection, "resourceKey"> | undefined>();
  const removed = changes.filter((change) => change.base && !change.head);
  if (removed.length === 0) return settled;
  const candidates: { readonly previous: ResourceChange; readonly added: ResourceChange; readonly says: string }[] = [];
  const taken = new Set<string>();
  for (const change of changes) {
    const after = change.head;
    if (!after || change.base) continue;
    const renamedFrom = ({ base, key }: ResourceChange) =>
      !taken.has(key) && place(base!) === place(after) && equalData(unnamed(base!), unnamed(after));
    // A policy written in several files, renamed in each: each file's version pairs with its own.
    const previous =
      removed.find((change) => change.base!.source.file === after.source.file && renamedFrom(change)) ?? removed.find(renamedFrom);
    const says = previous && renameSays(after, head);
    if (!previous || says === undefined) continue;
    taken.add(previous.key);
    candidates.push({ previous, added: change, says });
  }
  const routes = new Map(
    candidates.filter(({ added }) => isRenamableRoute(added.head!)).map(({ previous, added }) => [added.head!, previous.base!.id.name]),
  );
  const named = namedElsewhere(head, routes);
  for (const { previous, added, says } of candidates) {
    const [before, after] = [previous.base!, added.head!];
    if (routes.has(after) && named.has(before.id.name)) continue;
    settled.set(previous.key, undefined);
    settled.set(added.key, {
      class: "resource.changed",
      summary: `${displayName(after.id)}: renamed from ${before.id.name}, with ${says}`,
      resource: after.id,
      side: "head",
      path: ["metadata", "name"],
      before: before.id.name,
      after: after.id.name,
    });
  }
  return settled;
}
