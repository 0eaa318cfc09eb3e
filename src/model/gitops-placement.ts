import type { ManifestSet, Resource } from "../core/resource.js";
import { sortedSet } from "../core/canonical-values.js";
import { sameInputs, sameItems } from "../core/same-items.js";
import type { Topology } from "../policy/policy-schema.js";
import { clustersThroughLinks, type ClusterOfFile } from "./file-placement.js";
import {
  isNamedCluster,
  type ClusterRegions,
  type Delivery,
  type DeliverySource,
  type Destination,
  type FileClusters,
  type FilePlacement,
} from "../core/gitops-delivery.js";
import { FAMILIES, type Family } from "../families/index.js";
import { sitesThrough, unplacedSite } from "../core/delivery-sites.js";
import { resourcesOfKind } from "../core/resources-of-kind.js";
import { linkedPaths, linkTarget } from "../core/repository-links.js";
import { releaseKubeConfigOf, remoteSite } from "../core/flux-kubeconfig.js";

export type { Delivery, FilePlacement };

/**
 * GitOps placement (research §1.6): which clusters a repository file lands in. A file lands in
 * every cluster the families' GitOps objects deliver it to (their `deliveries`: Argo CD
 * Applications and ApplicationSets, Flux Kustomizations), and in the cluster the policy's
 * `topology.placements` patterns give it. An object that delivers to wherever it is applied itself
 * (a Flux Kustomization without a kubeConfig) passes on the clusters its own file lands in, and so
 * does a kustomization to the files it accumulates. What a Flux HelmRelease with a kubeConfig
 * renders lands on that cluster alone (core/flux-kubeconfig.ts), wherever the release is applied.
 */

/** What one resource of a tree delivers where, whichever family's; undefined for one that delivers nothing. */
export type DeliveryReader = (resource: Resource) => Delivery | undefined;

export interface GitopsPlacement {
  /** Reads a tree's GitOps objects once (`clusters`: the policy's). */
  readonly deliveriesOf: (set: ManifestSet, clusters: ClusterRegions) => DeliveryReader;
  /**
   * `previous`: the other tree's placement, which this one is where both trees hold the same
   * objects of the delivering families (the same objects, in order) under the same policy.
   */
  readonly buildGitopsPlacement: (
    set: ManifestSet,
    topology: Topology,
    clusterOfFile: ClusterOfFile,
    previous?: FilePlacement,
  ) => FilePlacement;
  /** Reads a tree once, then says whether it keeps a file where nothing applies it (Deliveries.archived). */
  readonly archivedOf: (set: ManifestSet, clusters: ClusterRegions) => (file: string) => boolean;
  /** The kinds whose documents the families read to know what is delivered. */
  readonly deliveryKinds: readonly string[];
}

/** What a placement was built from, for the next tree to tell whether it would build the same. */
interface PlacementInputs {
  readonly sources: readonly Resource[];
  readonly topology: Topology;
  readonly clusterOfFile: ClusterOfFile;
  readonly includedBy: ReadonlyMap<string, readonly string[]>;
  /** Links by content, as inclusions: each tree reads its own. */
  readonly links: string;
}

const NOT_INCLUDED: ReadonlyMap<string, readonly string[]> = new Map();

/** The same build: the same objects and policy, and kustomization inclusions alike (each tree reads its own, so by content). */
const sameBuild = ({ includedBy: a, ...inputs }: PlacementInputs, { includedBy: b, ...other }: PlacementInputs): boolean =>
  sameInputs(inputs, other) &&
  (a === b || (a.size === b.size && [...a].every(([file, includers]) => sameItems(includers, b.get(file) ?? []))));

const builtFrom = new WeakMap<FilePlacement, PlacementInputs>();

/** An object applied where it delivers, delivering a file from another file. */
interface Through {
  readonly own: string;
  readonly destination: Extract<Destination, { readonly whereApplied: true }>;
  readonly delivery: Delivery;
}

/** What places one file: clusters named outright, objects applying it from its own file or another, kustomizations listing it. */
interface Parents {
  readonly fixed: ReadonlySet<string>;
  readonly selfApplied: readonly string[];
  readonly through: readonly Through[];
  readonly includers: readonly string[];
  /** The files whose placement this one's depends on. */
  readonly next: readonly string[];
}

/** The GitOps placement engine over a table of families (THE table, `FAMILIES`, but for tests). */
export function gitopsPlacementOver(families: readonly Family[]): GitopsPlacement {
  const readers = families.flatMap((family) => (family.deliveries ? [[family.name, family.deliveries.read] as const] : []));
  // A family's reader reads its own resources only (deliveriesOf): they are all a placement depends on.
  const delivering = new Set(readers.map(([name]) => name));

  const deliveriesOf = (set: ManifestSet, clusters: ClusterRegions): DeliveryReader => {
    // A family is asked only about its own resources.
    const reads = new Map(readers.map(([name, read]) => [name, read(set, clusters)]));
    const read: DeliveryReader = (resource) => reads.get(resource.family)?.(resource);
    if (!set.links?.some((link) => linkTarget(link) !== undefined)) return read;
    const pathsOf = linkedPaths(set.links);
    const known = new Map<Resource, Delivery | undefined>();
    return (resource) => {
      if (!known.has(resource)) {
        const delivery = read(resource);
        known.set(resource, delivery && throughLinks(delivery, pathsOf));
      }
      return known.get(resource);
    };
  };

  const buildGitopsPlacement = (
    set: ManifestSet,
    topology: Topology,
    clusterOfFile: ClusterOfFile,
    previous?: FilePlacement,
  ): FilePlacement => {
    const inputs: PlacementInputs = {
      sources: [...set.resources.values()].filter((resource) => delivering.has(resource.family)),
      topology,
      clusterOfFile,
      includedBy: set.includedBy ?? NOT_INCLUDED,
      links: (set.links ?? []).map((link) => `${link.path}\0${link.target}`).join("\n"),
    };
    const before = previous && builtFrom.get(previous);
    if (previous && before && sameBuild(before, inputs)) return previous;
    const { includedBy } = inputs;
    const deliveryOf = deliveriesOf(set, topology.clusters);
    const deliveries = inputs.sources.flatMap((resource) => deliveryOf(resource) ?? []);
    const byPatterns = clustersThroughLinks(clusterOfFile, set.links);
    const memo = new Map<string, readonly string[]>();

    /**
     * Transitive: an object applied where its own file lands delivers there, which another object
     * may decide; a file a kustomization accumulates lands where that kustomization's file does
     * (a shared base under `apps/base` where the cluster overlays that list it are delivered).
     * Where nothing places the object's own file, it delivers to one cluster the tree does not
     * name: a site of its own (FileClusters.sites), which two files it delivers share. An object
     * whose path holds its own file (a Flux root: clusters/staging/flux-system/gotk-sync.yaml under
     * ./clusters/staging) is applied where that file is otherwise placed (the policy's pattern for
     * clusters/staging), and on a site of its own only where nothing else places it: not both, as a
     * site the tree does not name may be any cluster, and staging's copy of a route would seem to
     * land where prod's does.
     *
     * Files whose placements depend on each other (Kustomizations delivering each other's folders)
     * are placed together, as one strongly connected component, in the order Tarjan's walk finds
     * them: each file's parents are read once and each component settled once, where walking every
     * path from every file took exponential time (carpenike/k8s-gitops 04c9f16f57 never finished).
     */
    const parentsOf = new Map<string, Parents>();
    const parents = (file: string): Parents => {
      let known = parentsOf.get(file);
      if (known) return known;
      // A HelmRelease's render with a kubeConfig lands on that cluster alone, wherever the release object is applied.
      const remote = releaseKubeConfigOf(file);
      if (remote) {
        known = { fixed: new Set([remoteSite(remote, topology.clusters)]), selfApplied: [], through: [], includers: [], next: [] };
        parentsOf.set(file, known);
        return known;
      }
      const fixed = new Set<string>(byPatterns(file));
      const selfApplied: string[] = [];
      const through: Through[] = [];
      for (const delivery of deliveries) {
        const destination = delivery.destinationOf(file);
        if (!destination) continue;
        const own = delivery.resource.source.file;
        if ("clusters" in destination) for (const cluster of destination.clusters) fixed.add(cluster);
        else if (own === file) selfApplied.push(unplacedSite(destination, delivery));
        else through.push({ own, destination, delivery });
      }
      const includers = (includedBy.get(file) ?? []).filter((includer) => includer !== file);
      known = { fixed, selfApplied, through, includers, next: [...through.map(({ own }) => own), ...includers] };
      parentsOf.set(file, known);
      return known;
    };

    /** What a file's parents give it, given where each parent lands (`sitesOfParent`, undefined: not known yet). */
    const gathered = (
      file: string,
      sitesOfParent: (parent: string) => ReadonlySet<string> | readonly string[] | undefined,
    ): Set<string> => {
      const { fixed, through, includers } = parents(file);
      const sites = new Set(fixed);
      for (const { own, destination, delivery } of through) {
        const found = sitesOfParent(own);
        if (found) for (const site of sitesThrough(destination, delivery, [...found])) sites.add(site);
      }
      for (const includer of includers) for (const site of sitesOfParent(includer) ?? []) sites.add(site);
      return sites;
    };

    // One component: a file alone is what its parents give it, else where its own objects apply it.
    // Files that depend on each other grow together to what their parents outside give them all; only
    // where nothing outside places any of them do their objects' own sites seed them.
    const settle = (component: readonly string[]): void => {
      if (component.length === 1) {
        const [file] = component as [string];
        const sites = gathered(file, (parent) => memo.get(parent) ?? []);
        memo.set(file, sortedSet(sites.size > 0 ? sites : parents(file).selfApplied));
        return;
      }
      const members = new Set(component);
      const grown = new Map(component.map((file) => [file, new Set<string>()]));
      const grow = (): void => {
        for (let changed = true; changed;) {
          changed = false;
          for (const [file, sites] of grown) {
            const given = gathered(file, (parent) => {
              if (!members.has(parent)) return memo.get(parent) ?? [];
              const found = grown.get(parent);
              return found && found.size > 0 ? found : undefined;
            });
            for (const site of given) if (!sites.has(site)) (sites.add(site), (changed = true));
          }
        }
      };
      grow();
      if ([...grown.values()].every((sites) => sites.size === 0)) {
        for (const [file, sites] of grown) {
          const { selfApplied, through } = parents(file);
          for (const site of selfApplied) sites.add(site);
          for (const { own, destination, delivery } of through)
            if (members.has(own) && !("clusters" in destination)) sites.add(unplacedSite(destination, delivery));
        }
        grow();
      }
      for (const [file, sites] of grown) memo.set(file, sortedSet(sites));
    };

    // Tarjan's strongly connected components over the parents of files not yet placed.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const visit = (file: string): void => {
      const order = index.size;
      index.set(file, order);
      low.set(file, order);
      stack.push(file);
      onStack.add(file);
      for (const parent of parents(file).next) {
        if (memo.has(parent)) continue;
        if (!index.has(parent)) {
          visit(parent);
          low.set(file, Math.min(low.get(file)!, low.get(parent)!));
        } else if (onStack.has(parent)) low.set(file, Math.min(low.get(file)!, index.get(parent)!));
      }
      if (low.get(file) !== order) return;
      const component: string[] = [];
      for (let member = stack.pop()!; ; member = stack.pop()!) {
        onStack.delete(member);
        component.push(member);
        if (member === file) break;
      }
      settle(component);
    };
    const sitesOf = (file: string): readonly string[] => {
      if (!memo.has(file)) visit(file);
      return memo.get(file)!;
    };

    // One answer a path, held: the model places each of a file's backends by it.
    const placed = new Map<string, FileClusters>();
    const placement: FilePlacement = (path) => {
      let answer = placed.get(path);
      if (!answer) {
        const sites = sitesOf(path);
        const clusters = sites.filter(isNamedCluster);
        answer = { clusters, regions: sortedSet(clusters.flatMap((cluster) => topology.clusters[cluster] ?? [])), sites };
        placed.set(path, answer);
      }
      return answer;
    };
    builtFrom.set(placement, inputs);
    return placement;
  };

  const archivedOf = (set: ManifestSet, clusters: ClusterRegions): ((file: string) => boolean) => {
    const archives = families.flatMap((family) => family.deliveries?.archived?.(set, clusters) ?? []);
    return (file) => archives.some((archived) => archived(file));
  };

  return {
    deliveriesOf,
    buildGitopsPlacement,
    archivedOf,
    deliveryKinds: sortedSet(families.flatMap((family) => family.deliveries?.kinds ?? [])),
  };
}

/**
 * A delivery as the tool reading the tree through its links applies it: a file it reads at any of
 * the paths the tree's links give it (a Flux Kustomization's `path: ./clusters/prod/apps`, a link
 * to `../../apps/shop`, applies apps/shop/route.yaml; a file link `apps/shop/release.yaml ->
 * ../../shared/release.yaml` in a folder it reads applies the shared release). The families read
 * their objects' paths as written; what those paths lead to is the tree's, so it is resolved here,
 * once, for every reader of deliveries (placement, applied files, Flux substitution and namespaces).
 */
function throughLinks(delivery: Delivery, pathsOf: (file: string) => readonly string[]): Delivery {
  const seen = (file: string): readonly string[] => [file, ...pathsOf(file)];
  // The paths it reads the file at; the file's own where it reads none, so each answer stays the family's there.
  const readAt = (file: string): readonly string[] => {
    const read = seen(file).filter((path) => delivery.destinationOf(path) !== undefined);
    return read.length > 0 ? read : [file];
  };
  const { generatedListing, sourcesOf, leavesOut } = delivery;
  const sources = new Map<DeliverySource, DeliverySource>();
  const linked = (source: DeliverySource): DeliverySource => {
    let made = sources.get(source);
    if (!made) sources.set(source, (made = { ...source, reads: (file) => seen(file).some(source.reads) }));
    return made;
  };
  return {
    ...delivery,
    destinationOf: (file) => {
      for (const path of seen(file)) {
        const destination = delivery.destinationOf(path);
        if (destination) return destination;
      }
      return undefined;
    },
    ...(generatedListing && { generatedListing: (file: string) => readAt(file).some(generatedListing) }),
    ...(sourcesOf && { sourcesOf: (file: string) => [...new Set(seen(file).flatMap(sourcesOf))].map(linked) }),
    ...(leavesOut && { leavesOut: (file: string) => readAt(file).every(leavesOut) }),
  };
}

export const { deliveriesOf, buildGitopsPlacement, archivedOf, deliveryKinds } = gitopsPlacementOver(FAMILIES);

/** Every delivery the GitOps objects of a tree make, by kind. */
export const treeDeliveries = (set: ManifestSet, clusters: ClusterRegions): Delivery[] => {
  const deliveryOf = deliveriesOf(set, clusters);
  return deliveryKinds.flatMap((kind) => resourcesOfKind(set, kind).flatMap((resource) => deliveryOf(resource) ?? []));
};
