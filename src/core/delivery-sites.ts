import { unnamedSite, type Delivery, type Destination } from "./gitops-delivery.js";
import { siteLabel } from "./flux-build-output.js";

/**
 * The sites one delivering object sends a file to (FileClusters.sites), given where its own file
 * lands (`ownSites`): the named clusters of its destination, or, for an object applied where it
 * delivers (Flux without a kubeConfig, an Argo CD in-cluster destination), its own file's sites,
 * else its unplaced site; of those only the one its own build is for where it names one.
 */
export const sitesThrough = (destination: Destination, delivery: Delivery, ownSites: readonly string[]): readonly string[] => {
  if ("clusters" in destination) return destination.clusters;
  const where = ownSites.length > 0 ? ownSites : [unplacedSite(destination, delivery)];
  const only = destination.only === undefined ? [] : where.filter((site) => siteLabel(site) === destination.only);
  return only.length > 0 ? only : where;
};

/** Where an object applied where it delivers sends files when nothing places its own file: a site of its own. */
export const unplacedSite = (destination: Extract<Destination, { readonly whereApplied: true }>, delivery: Delivery): string =>
  destination.unplaced ?? unnamedSite(delivery.resource);
