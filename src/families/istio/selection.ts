import type { ManifestSet, Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";

/**
 * Policy-like resources (DestinationRule, PeerAuthentication, Sidecar) act on what they select,
 * not on their names (DESIGN §4): a rename or a move that selects the same thing the same way
 * changes nothing, and removing one beside another that selects the same leaves that one in force.
 * A selection is a canonical string of what the resource selects (host, workloads, namespace,
 * visibility); the cluster the file lands in is added here, as the same selection in two clusters
 * is two policies.
 */
export type Selection = (resource: Resource) => string;

/** Resources of `self`'s kind in `tree` selecting what `self` selects, in key order (`self` included when it is there). */
export function sameSelection(tree: ManifestSet, self: Resource, selection: Selection, context: DetectorContext): Resource[] {
  const scope = (resource: Resource) => `${context.clusterOfFile(resource.source.file) ?? ""}|${selection(resource)}`;
  const wanted = scope(self);
  return [...tree.resources.values()]
    .filter((other) => other.id.group === self.id.group && other.id.kind === self.id.kind && scope(other) === wanted)
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
    const [predecessor] = sameSelection(context.base, change.head, selection, context);
    return predecessor ? { ...change, base: predecessor } : change;
  }
  if (!change.base) return undefined;
  const successors = sameSelection(context.head, change.base, selection, context);
  if (successors.some((successor) => !context.base.resources.has(successor.key))) return undefined;
  return successors[0] ? { ...change, head: successors[0] } : change;
}
