import { equalData } from "../core/canonical-values.js";
import type { Detection } from "../core/finding.js";
import { targetIdentity, targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, type ManifestSet, type Resource } from "../core/resource.js";
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

const place = (resource: Resource) => `${resource.id.group}/${resource.id.kind}/${resource.id.namespace}@${resource.cluster ?? ""}`;

const overlaps = (a: readonly PolicyTarget[], b: readonly PolicyTarget[]): boolean =>
  a.some((target) => b.some((other) => targetIdentity(other) === targetIdentity(target)));

/** Whether any string of `value` is `text` (a name written anywhere in a body, as a reference is). */
function mentions(value: unknown, text: string): boolean {
  if (value === text) return true;
  if (Array.isArray(value)) return value.some((item) => mentions(item, text));
  if (value !== null && typeof value === "object") return Object.values(value).some((item) => mentions(item, text));
  return false;
}

/** What makes a rename of `before` into `after` change nothing, or undefined where it may. */
function renameSays(before: Resource, after: Resource, head: ManifestSet): string | undefined {
  const targets = policyTargetsOf(after)?.(after);
  if (targets) {
    const contested = [...head.resources.values()].some(
      (other) =>
        other !== after &&
        other.id.group === after.id.group &&
        other.id.kind === after.id.kind &&
        overlaps(policyTargetsOf(other)?.(other) ?? [], targets),
    );
    return contested ? undefined : `the same targets (${targets.map(targetName).join(", ")}) and settings`;
  }
  if (!isRenamableRoute(after)) return undefined;
  const named = [...head.resources.values()].some((other) => other !== after && mentions(other.body, before.id.name));
  return named ? undefined : "the same spec: its flows are compared as they were, and nothing in the tree names the old name";
}

export function renamedResources(changes: readonly ResourceChange[], head: ManifestSet): Settled {
  const settled = new Map<string, Omit<Detection, "resourceKey"> | undefined>();
  const removed = changes.filter((change) => change.base && !change.head);
  if (removed.length === 0) return settled;
  for (const change of changes) {
    const after = change.head;
    if (!after || change.base) continue;
    const previous = removed.find(
      ({ base, key }) => !settled.has(key) && place(base!) === place(after) && equalData(unnamed(base!), unnamed(after)),
    );
    if (!previous) continue;
    const before = previous.base!;
    const says = renameSays(before, after, head);
    if (says === undefined) continue;
    settled.set(previous.key, undefined);
    settled.set(change.key, {
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
