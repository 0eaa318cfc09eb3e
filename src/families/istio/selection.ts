import type { ManifestSet, Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { fileSites } from "../../core/gitops-delivery.js";
import { sharePlace } from "../../core/shared-place.js";

/**
 * Policy-like resources (DestinationRule, PeerAuthentication, Sidecar) act on what they select,
 * not on their names (DESIGN §4): a rename or a move that selects the same thing the same way
 * changes nothing, and removing one beside another that selects the same leaves that one in force.
 * A selection is a canonical string of what the resource selects (host, workloads, namespace,
 * visibility); where it is put is compared apart (placedTogether), as the same selection in two
 * clusters is two policies.
 */
export type Selection = (resource: Resource) => string;

/** How a check tells whether two resources, each read from its own tree, apply together. */
export type Together = (context: DetectorContext, one: Resource, oneIn: ManifestSet, other: Resource, otherIn: ManifestSet) => boolean;

/**
 * Whether two resources, each read from its own tree, are put where one acts with the other (a
 * policy and another that selects the same, or the namespace or mesh policy it inherits from):
 * the same clusters, or where placement does not say, one folder (core/shared-place.ts). Not the
 * whole tree: gke-1/ and gke-2/ may be two clusters, and gke-2's STRICT policy does not hold gke-1's
 * workloads once gke-1's is removed.
 */
export const placedTogether: Together = (context, one, oneIn, other, otherIn) =>
  sharePlace(
    { file: one.source.file, sites: fileSites(context.placementOf(oneIn)) },
    { file: other.source.file, sites: fileSites(context.placementOf(otherIn)) },
  );

/**
 * Whether two resources may be applied together: placement does not put them on different
 * clusters. Where it does not say, two folders may be two clusters' (gke-1/, gke-2/), and as well
 * one cluster's (istio-system/ holding the mesh-wide policy, apps/shop/ a workload's): a check counts
 * another policy that may apply where counting it makes a change worse (the mesh's STRICT that a
 * PERMISSIVE workload policy added overrides), and one placedTogether where it makes it harmless (the
 * mesh's STRICT still holding workloads whose own STRICT policy is removed).
 */
export const mayApplyTogether: Together = (context, one, oneIn, other, otherIn) => {
  const [here, there] = [
    fileSites(context.placementOf(oneIn))(one.source.file),
    fileSites(context.placementOf(otherIn))(other.source.file),
  ];
  return here.length === 0 || there.length === 0 || there.some((site) => here.includes(site));
};

/**
 * Resources of `self`'s kind in `tree` selecting what `self` (of tree `selfIn`) selects and put
 * with it (`together`), in key order (`self` included when it is there).
 */
export function sameSelection(
  tree: ManifestSet,
  self: Resource,
  selfIn: ManifestSet,
  selection: Selection,
  context: DetectorContext,
  together: Together = placedTogether,
): Resource[] {
  const wanted = selection(self);
  return [...tree.resources.values()]
    .filter(
      (other) =>
        other.id.group === self.id.group &&
        other.id.kind === self.id.kind &&
        selection(other) === wanted &&
        together(context, self, selfIn, other, tree),
    )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The resources whose effects a change compares: the resource itself when it stays; for an added
 * one, a resource that selected the same in base (its predecessor); for a removed one, a resource
 * that still selects the same in head and was already there in base. A removal whose successor is
 * itself new is compared once, from the addition: then this gives undefined.
 */
export function selectionCounterparts(change: ResourceChange, context: DetectorContext, selection: Selection): ResourceChange | undefined {
  if (change.base && change.head) return change;
  if (change.head) {
    const [predecessor] = sameSelection(context.base, change.head, context.head, selection, context);
    return predecessor ? { ...change, base: predecessor } : change;
  }
  if (!change.base) return undefined;
  const successors = sameSelection(context.head, change.base, context.base, selection, context);
  if (successors.some((successor) => !context.base.resources.has(successor.key))) return undefined;
  return successors[0] ? { ...change, head: successors[0] } : change;
}
