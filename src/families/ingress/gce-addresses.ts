import { sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { INGRESS_GROUPS, servingOf } from "./flows.js";
import { STATIC_ADDRESS_KEYS } from "./gke-ingress.js";

/** One Ingress in its cluster, whichever file writes it and whichever group (extensions/v1beta1 promoted is the same object). */
const objectOf = (resource: Resource): string => `${resource.id.namespace}/${resource.id.name}@${resource.cluster ?? ""}`;

const nameOf = (resource: Resource): string => `Ingress ${resource.id.namespace}/${resource.id.name}`;

/** Whether the Ingress is a GKE load balancer of its own, which its static address annotations name the address of. */
const gkeBalanced = (resource: Resource, set: ManifestSet): boolean => servingOf(resource, set).balancer === "gke";

const holdings = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Resource[]>>();

/** A tree's Ingresses with a GKE load balancer of their own, by the static address each names (`key`, NUL, name): read once per tree. */
function holdersOf(set: ManifestSet): ReadonlyMap<string, readonly Resource[]> {
  let holders = holdings.get(set);
  if (!holders) {
    const found = new Map<string, Resource[]>();
    for (const resource of resourcesOfKind(set, "Ingress")) {
      if (!INGRESS_GROUPS.includes(resource.id.group) || !gkeBalanced(resource, set)) continue;
      for (const key of STATIC_ADDRESS_KEYS) {
        const address = resource.annotations[key]?.trim();
        if (address) found.set(`${key}\0${address}`, [...(found.get(`${key}\0${address}`) ?? []), resource]);
      }
    }
    holdings.set(set, (holders = found));
  }
  return holders;
}

/**
 * A static address another GKE Ingress held at base and lets go of in this PR (deleted, or naming
 * another address or none), now named by this one. Each GKE Ingress is its own load balancer, so its
 * rules compete with no other's (flows.ts); but one address can be held by one load balancer only, and
 * the clients and DNS records of it now reach this Ingress's hosts and paths, not the other's, once
 * the other's releases it: whatever the two Ingresses' rules, what is served at that address moves
 * (a rename of an Ingress with its address is such a move: its name is its load balancer's). An
 * address another Ingress keeps is not taken: that one goes on holding it.
 */
export function addressesTaken(change: ResourceChange, context: DetectorContext, out: DetectionList): void {
  const head = change.head;
  if (!head || !gkeBalanced(head, context.head)) return;
  for (const key of STATIC_ADDRESS_KEYS) {
    const address = head.annotations[key]?.trim();
    if (!address) continue;
    const named = `${key}\0${address}`;
    const was = holdersOf(context.base).get(named) ?? [];
    // This Ingress held it already: another naming it too never had it, and still has not.
    if (was.some((resource) => objectOf(resource) === objectOf(head))) continue;
    const kept = new Set((holdersOf(context.head).get(named) ?? []).map(objectOf));
    const from = sortedSet(was.filter((resource) => !kept.has(objectOf(resource))).map(nameOf));
    if (from.length === 0) continue;
    out.add({
      class: "listener.changed",
      summary: `${key} ${address}, held by ${from.join(", ")} until now: clients and DNS records of that address reach this Ingress's hosts and paths instead, on its own load balancer once the old one releases the address`,
      side: "head",
      path: ["metadata", "annotations", key],
      before: from,
      after: nameOf(head),
    });
  }
}
