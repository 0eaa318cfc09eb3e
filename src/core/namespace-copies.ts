import { mayShareCluster, type ManifestSet, type Resource } from "./resource.js";
import { resourcesOfKind } from "./resources-of-kind.js";
import { fileSites, sitesMeet, type FilePlacement } from "./gitops-delivery.js";

/** Both trees of a change and where their GitOps objects deliver each file (the detector context has them). */
export interface PlacedTrees {
  readonly base: ManifestSet;
  readonly head: ManifestSet;
  readonly placementOf: (set: ManifestSet) => FilePlacement;
}

/**
 * Whether a resource of `tree` may be applied on a cluster where `of` is: by the policy's
 * placements, and, given the trees, by GitOps delivery (`apps/prod/` and `apps/staging/` under two
 * clusters' Flux roots are two clusters). Where either file is placed nowhere, it may.
 */
export function mayShareSite(tree: ManifestSet, of: Resource, trees?: PlacedTrees): (other: Resource) => boolean {
  const sitesIn = (set: ManifestSet) => (trees ? fileSites(trees.placementOf(set)) : () => []);
  const ofSites = trees ? sitesIn(trees.head.resources.get(of.key) === of ? trees.head : trees.base)(of.source.file) : [];
  const sitesOf = sitesIn(tree);
  return (other) => {
    if (!mayShareCluster(other, of)) return false;
    const sites = ofSites.length === 0 ? [] : sitesOf(other.source.file);
    return sites.length === 0 || sitesMeet(sites, ofSites);
  };
}

/**
 * The core Namespaces a tree declares that are the namespace `of` is, where `of` is applied: its
 * copies in any file (a Namespace written twice, once beside the namespaces and once beside its app,
 * is one object on the cluster), none applied to another cluster (mayShareSite: prod's Namespace
 * removed is deleted though staging's copy stays).
 */
export function namespaceCopies(tree: ManifestSet, of: Resource, trees?: PlacedTrees): Resource[] {
  const together = mayShareSite(tree, of, trees);
  return resourcesOfKind(tree, "Namespace").filter((other) => other.id.group === "" && other.id.name === of.id.name && together(other));
}
