import type { ManifestSet, Resource } from "../core/resource.js";
import type { Topology } from "../policy/policy-schema.js";
import type { FilePlacement } from "./gitops-placement.js";
import type { Placement } from "../core/traffic-model.js";
import type { BackendRef } from "../core/route-rules.js";
import { list, record, text } from "../core/json-access.js";

/**
 * Places backends on clusters and regions, by the first source that applies (DESIGN §6):
 * policy backend-name patterns, an explicit cluster on the reference (Gloo `ref.cluster`),
 * ServiceExports per cluster (for ServiceImports), Gloo VirtualDestination service selectors,
 * ServiceEntry endpoint locality, DestinationRule subset labels, GitOps placement of the route's
 * file. Unknown stays unknown.
 */
export interface PlacementIndex {
  place(ref: BackendRef): Placement;
  /** The policy `services` key of a backend: its name with the region part removed. */
  serviceOf(ref: BackendRef): string;
}

const REGION_LABEL = "topology.kubernetes.io/region";
const CLUSTER_LABEL = "topology.istio.io/cluster";
const UNKNOWN: Placement = { clusters: [], regions: [], multiCluster: false };
const UNKNOWN_MULTI_CLUSTER: Placement = { ...UNKNOWN, multiCluster: true };

const shortHost = (host: string): string => host.split(".")[0] ?? host;

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function buildPlacementIndex(set: ManifestSet, topology: Topology, filePlacement: FilePlacement): PlacementIndex {
  const patterns = topology.backendRegions.map((pattern) => new RegExp(pattern));
  const regionOfCluster = (cluster: string) => topology.clusters[cluster];
  // Every backend of a fleet lands on one of a few placements: one shared object each, not one per backend of every flow.
  const interned = new Map<string, Placement>();
  const intern = (placement: Placement): Placement => {
    const key = `${placement.clusters.join(",")}|${placement.regions.join(",")}|${placement.multiCluster}`;
    const known = interned.get(key);
    if (known) return known;
    interned.set(key, placement);
    return placement;
  };
  const placementOfClusters = (clusters: Iterable<string>, multiCluster: boolean): Placement => {
    const sortedClusters = sorted(clusters);
    return intern({
      clusters: sortedClusters,
      regions: sorted(sortedClusters.map(regionOfCluster).filter((r): r is string => r !== undefined)),
      multiCluster,
    });
  };

  const exporters = new Map<string, Set<string>>();
  const subsetRegions = new Map<string, Placement>();
  const hostRegions = new Map<string, Placement>();
  const virtualDestinations = new Map<string, Placement>();

  for (const resource of set.resources.values()) indexResource(resource);

  function indexResource(resource: Resource) {
    const { id, body } = resource;
    const spec = record(body.spec);
    if (id.kind === "ServiceExport") {
      const key = `${id.namespace}/${id.name}`;
      const clusters = exporters.get(key) ?? new Set<string>();
      for (const cluster of filePlacement(resource.source.file).clusters) clusters.add(cluster);
      exporters.set(key, clusters);
    } else if (id.kind === "DestinationRule" && id.group === "networking.istio.io") {
      const host = text(spec.host);
      if (!host) return;
      for (const subset of list(spec.subsets)) {
        const { name, labels } = record(subset);
        const labelMap = record(labels);
        const region = text(labelMap[REGION_LABEL]);
        const cluster = text(labelMap[CLUSTER_LABEL]);
        if (typeof name !== "string" || (!region && !cluster)) continue;
        const placement = cluster ? placementOfClusters([cluster], false) : UNKNOWN;
        subsetRegions.set(`${shortHost(host)}|${name}`, {
          clusters: placement.clusters,
          regions: sorted([...placement.regions, ...(region ? [region] : [])]),
          multiCluster: false,
        });
      }
    } else if (id.kind === "VirtualDestination" && id.group === "networking.gloo.solo.io") {
      // A selector without a cluster selects the service in every cluster of the workspace.
      const clusters = list(spec.services).map((selector) => text(record(selector).cluster));
      const named = clusters.filter((cluster): cluster is string => cluster !== undefined && cluster !== "");
      virtualDestinations.set(
        `${id.namespace}/${id.name}`,
        named.length > 0 && named.length === clusters.length ? placementOfClusters(named, true) : { ...UNKNOWN, multiCluster: true },
      );
    } else if (id.kind === "ServiceEntry" && id.group === "networking.istio.io") {
      const regions = new Set<string>();
      for (const endpoint of list(spec.endpoints)) {
        const locality = text(record(endpoint).locality);
        const region = locality?.split("/")[0];
        if (region) regions.add(region);
      }
      if (regions.size === 0) return;
      for (const host of list(spec.hosts)) {
        if (typeof host === "string")
          hostRegions.set(shortHost(host), { clusters: [], regions: sorted(regions), multiCluster: regions.size > 1 });
      }
    }
  }

  const byPattern = (name: string): { placement: Placement; matched: string } | undefined => {
    for (const regex of patterns) {
      const match = regex.exec(name);
      const groups = match?.groups;
      if (!match || !groups) continue;
      if (groups.cluster) {
        const placement = placementOfClusters([groups.cluster], false);
        return {
          placement: groups.region ? intern({ ...placement, regions: sorted([...placement.regions, groups.region]) }) : placement,
          matched: match[0],
        };
      }
      if (groups.region) return { placement: intern({ clusters: [], regions: [groups.region], multiCluster: false }), matched: match[0] };
    }
    return undefined;
  };

  return {
    place(ref) {
      const named = byPattern(ref.name);
      if (named) return named.placement;
      if (ref.cluster) return placementOfClusters([ref.cluster], false);
      if (ref.kind === "VirtualDestination") return virtualDestinations.get(`${ref.namespace}/${ref.name}`) ?? UNKNOWN_MULTI_CLUSTER;
      if (ref.kind === "ServiceImport") {
        const clusters = exporters.get(`${ref.namespace}/${ref.name}`);
        return clusters ? placementOfClusters(clusters, true) : UNKNOWN_MULTI_CLUSTER;
      }
      if (ref.kind === "Host") {
        const host = shortHost(ref.name);
        const bySubset = ref.subset ? subsetRegions.get(`${host}|${ref.subset}`) : undefined;
        if (bySubset) return bySubset;
        const byEntry = hostRegions.get(host);
        if (byEntry) return byEntry;
        // A fully qualified remote host is not in the route's cluster: do not guess from the file.
        if (ref.name.includes(".") && !ref.name.endsWith(".svc.cluster.local")) return UNKNOWN;
      }
      // A cluster-local Service runs wherever the route's file is applied (possibly several clusters).
      const clusters = filePlacement(ref.routeFile).clusters;
      return clusters.length > 0 ? placementOfClusters(clusters, clusters.length > 1) : UNKNOWN;
    },
    serviceOf(ref) {
      const base = ref.kind === "Host" ? shortHost(ref.name) : ref.name;
      const matched = byPattern(base)?.matched;
      if (!matched) return base;
      return base.replace(matched, "").replace(/^[-_.]+|[-_.]+$/g, "") || base;
    },
  };
}
