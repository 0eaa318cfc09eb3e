import { appliedTogether } from "./copies-apart.js";
import type { Side } from "./detection-list.js";
import type { DetectorContext } from "./detector.js";
import { describeClusters, type ClusterRegions } from "./gitops-delivery.js";
import type { Resource } from "./resource.js";

/**
 * The objects of one tree with this one's namespace and name under another key (another API group,
 * folder or cluster), of the kind `alike` accepts. Global DNS controllers run in every cluster of a
 * global name, each publishing its own targets for the copy of the policy it holds (k8gb's Gslb,
 * Kuadrant's DNSPolicy); the diff pairs a copy in another folder or cluster as an object of its own,
 * so one added or removed beside these is its cluster joining or leaving the answers.
 */
export const namesakesIn = (
  resource: Resource,
  context: Pick<DetectorContext, Side>,
  tree: Side,
  alike: (candidate: Resource) => boolean,
): Resource[] =>
  [...context[tree].resources.values()].filter(
    (candidate) =>
      alike(candidate) &&
      candidate.key !== resource.key &&
      candidate.id.namespace === resource.id.namespace &&
      candidate.id.name === resource.id.name,
  );

/** What a detector context tells of where a tree applies its files: GitOps placement, and the regions of the policy's clusters. */
type Siting = Pick<DetectorContext, Side | "placementOf"> & {
  readonly policy: { readonly topology: { readonly clusters: ClusterRegions } };
};

/** `eu-1 (region eu), apps/us/gslb.yaml`: the clusters a tree applies each to, by the policy and GitOps objects; its file where they name none. */
export const whereApplied = (resources: readonly Resource[], context: Siting, tree: Side): string =>
  resources
    .map(
      (resource) =>
        describeClusters(context.placementOf(context[tree])(resource.source.file), context.policy.topology.clusters) ??
        resource.source.file,
    )
    .join(", ");

/**
 * Whether two namesakes may be applied to different clusters: not both on one known cluster nor,
 * where either's is unknown, in one folder (copies-apart.ts appliedTogether). Namesakes in one
 * folder are the same object written twice, alternatives the diff judges alone (example folders),
 * never one cluster's copy beside another's.
 */
export const inOtherCluster = (a: Resource, b: Resource): boolean =>
  !appliedTogether({ cluster: a.cluster, file: a.source.file }, { cluster: b.cluster, file: b.source.file });

/**
 * The same policy in a tree: `elsewhere`, copies other clusters may hold (the clusters answering
 * the name together); `alike`, whether one in its own folder or cluster (the same object written in
 * another file, an alternative the diff judges alone) answers as it does (`same`), so that what it
 * answers with is not new there.
 */
export const copiesIn = (
  resource: Resource,
  context: Pick<DetectorContext, Side>,
  tree: Side,
  ofKind: (candidate: Resource) => boolean,
  same: (a: Resource, b: Resource) => boolean,
): { readonly elsewhere: Resource[]; readonly alike: boolean } => {
  const namesakes = namesakesIn(resource, context, tree, ofKind);
  return {
    elsewhere: namesakes.filter((copy) => inOtherCluster(copy, resource)),
    alike: namesakes.some((copy) => !inOtherCluster(copy, resource) && same(copy, resource)),
  };
};
