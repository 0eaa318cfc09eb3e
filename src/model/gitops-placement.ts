import type { ManifestSet, Resource } from "../core/resource.js";
import { sortedSet } from "../core/canonical-values.js";
import { sameInputs, sameItems } from "../core/same-items.js";
import type { Topology } from "../policy/policy-schema.js";
import type { ClusterOfFile } from "./file-placement.js";
import { isNamedCluster, type ClusterRegions, type Delivery, type FileClusters, type FilePlacement } from "../core/gitops-delivery.js";
import { FAMILIES, type Family } from "../families/index.js";
import { sitesThrough, unplacedSite } from "../core/delivery-sites.js";

export type { Delivery, FilePlacement };

/**
 * GitOps placement (research §1.6): which clusters a repository file lands in. A file lands in
 * every cluster the families' GitOps objects deliver it to (their `deliveries`: Argo CD
 * Applications and ApplicationSets, Flux Kustomizations), and in the cluster the policy's
 * `topology.placements` patterns give it. An object that delivers to wherever it is applied itself
 * (a Flux Kustomization without a kubeConfig) passes on the clusters its own file lands in, and so
 * does a kustomization to the files it accumulates.
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
  /** The kinds whose documents the families read to know what is delivered. */
  readonly deliveryKinds: readonly string[];
}

/** What a placement was built from, for the next tree to tell whether it would build the same. */
interface PlacementInputs {
  readonly sources: readonly Resource[];
  readonly topology: Topology;
  readonly clusterOfFile: ClusterOfFile;
  readonly includedBy: ReadonlyMap<string, readonly string[]>;
}

const NOT_INCLUDED: ReadonlyMap<string, readonly string[]> = new Map();

/** The same build: the same objects and policy, and kustomization inclusions alike (each tree reads its own, so by content). */
const sameBuild = ({ includedBy: a, ...inputs }: PlacementInputs, { includedBy: b, ...other }: PlacementInputs): boolean =>
  sameInputs(inputs, other) &&
  (a === b || (a.size === b.size && [...a].every(([file, includers]) => sameItems(includers, b.get(file) ?? []))));

const builtFrom = new WeakMap<FilePlacement, PlacementInputs>();

/** The GitOps placement engine over a table of families (THE table, `FAMILIES`, but for tests). */
export function gitopsPlacementOver(families: readonly Family[]): GitopsPlacement {
  const readers = families.flatMap((family) => (family.deliveries ? [[family.name, family.deliveries.read] as const] : []));
  // A family's reader reads its own resources only (deliveriesOf): they are all a placement depends on.
  const delivering = new Set(readers.map(([name]) => name));

  const deliveriesOf = (set: ManifestSet, clusters: ClusterRegions): DeliveryReader => {
    // A family is asked only about its own resources.
    const reads = new Map(readers.map(([name, read]) => [name, read(set, clusters)]));
    return (resource) => reads.get(resource.family)?.(resource);
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
    };
    const before = previous && builtFrom.get(previous);
    if (previous && before && sameBuild(before, inputs)) return previous;
    const { includedBy } = inputs;
    const deliveryOf = deliveriesOf(set, topology.clusters);
    const deliveries = inputs.sources.flatMap((resource) => deliveryOf(resource) ?? []);
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
     */
    const sitesOf = (file: string, visiting: ReadonlySet<string>): readonly string[] => {
      const known = memo.get(file);
      if (known) return known;
      const sites = new Set<string>();
      // Objects that deliver this file while applied by it (a Flux root's path holds its own file): where nothing else places it.
      const selfApplied: string[] = [];
      const byPattern = clusterOfFile(file);
      if (byPattern) sites.add(byPattern);
      for (const delivery of deliveries) {
        const destination = delivery.destinationOf(file);
        if (!destination) continue;
        const own = delivery.resource.source.file;
        if ("whereApplied" in destination && (own === file || visiting.has(own))) selfApplied.push(unplacedSite(destination, delivery));
        else {
          const found = "clusters" in destination ? [] : sitesOf(own, new Set([...visiting, file]));
          for (const site of sitesThrough(destination, delivery, found)) sites.add(site);
        }
      }
      for (const includer of includedBy.get(file) ?? []) {
        if (includer === file || visiting.has(includer)) continue;
        for (const site of sitesOf(includer, new Set([...visiting, file]))) sites.add(site);
      }
      if (sites.size === 0) for (const site of selfApplied) sites.add(site);
      const result = sortedSet(sites);
      // A result cut short by a cycle is not remembered: another entry point may complete it.
      if (visiting.size === 0) memo.set(file, result);
      return result;
    };

    // One answer a path, held: the model places each of a file's backends by it.
    const placed = new Map<string, FileClusters>();
    const placement: FilePlacement = (path) => {
      let answer = placed.get(path);
      if (!answer) {
        const sites = sitesOf(path, new Set());
        const clusters = sites.filter(isNamedCluster);
        answer = { clusters, regions: sortedSet(clusters.flatMap((cluster) => topology.clusters[cluster] ?? [])), sites };
        placed.set(path, answer);
      }
      return answer;
    };
    builtFrom.set(placement, inputs);
    return placement;
  };

  return { deliveriesOf, buildGitopsPlacement, deliveryKinds: sortedSet(families.flatMap((family) => family.deliveries?.kinds ?? [])) };
}

export const { deliveriesOf, buildGitopsPlacement, deliveryKinds } = gitopsPlacementOver(FAMILIES);
