import type { ManifestSet, Resource } from "../core/resource.js";
import type { Topology } from "../policy/policy-schema.js";
import type { FilePlacement } from "../core/gitops-delivery.js";
import { UNKNOWN_PLACEMENT, type Placement } from "../core/traffic-model.js";
import type { BackendRef } from "../core/route-rules.js";
import { sortedSet } from "../core/canonical-values.js";
import { sameInputs } from "../core/same-items.js";
import { sharedText } from "../core/string-table.js";
import { byFamilyKind, FAMILIES, type DestinationPlacement, type Family, type PlacementTools } from "../families/index.js";

/**
 * Places backends on clusters and regions, by the first source that applies (DESIGN §6):
 * policy backend-name patterns (widened by the regions the resources below add), an explicit
 * cluster on the reference (Gloo `ref.cluster`), then
 * what the families' resources say (their `placementHints`: ServiceExports per cluster for
 * ServiceImports, Gloo VirtualDestination service selectors, DestinationRule subset labels then
 * ServiceEntry endpoint locality for hosts), then GitOps placement of the route's file. Unknown
 * stays unknown. The engine names no kind: each reference kind is placed by the families that
 * declare it.
 */
export interface PlacementIndex {
  place(ref: BackendRef): Placement;
  /** The policy `services` key of a backend: its name with the region part removed. */
  serviceOf(ref: BackendRef): string;
}

/** What a `backendRegions` pattern reads off a backend's name. */
interface Matched {
  readonly placement: Placement;
  readonly service: string;
}

/**
 * `previous`: the other tree's index. Where both trees hold the same resources that say where
 * backends run (the same objects, in order: what a PR that leaves them alone shares) under the same
 * file placement and topology, every backend is placed alike: the index is that one.
 */
type BuildPlacementIndex = (
  set: ManifestSet,
  topology: Topology,
  filePlacement: FilePlacement,
  previous?: PlacementIndex,
) => PlacementIndex;

/** What an index was built from, for the next tree to tell whether it would build the same. */
interface IndexInputs {
  readonly sources: readonly Resource[];
  readonly topology: Topology;
  readonly filePlacement: FilePlacement;
}

const builtFrom = new WeakMap<PlacementIndex, IndexInputs>();

/** The placement engine over a table of families (THE table, `FAMILIES`, but for tests). */
export function placementIndexOver(families: readonly Family[]): BuildPlacementIndex {
  const hintsOf = byFamilyKind((family) => family.placementHints?.hints, families);
  const destinations = new Map<string, (DestinationPlacement & { readonly family: string })[]>();
  for (const family of families)
    for (const [kind, destination] of Object.entries(family.placementHints?.destinations ?? {}))
      destinations.set(kind, [...(destinations.get(kind) ?? []), { ...destination, family: family.name }]);

  return (set, topology, filePlacement, previous) => {
    const inputs: IndexInputs = { sources: [...set.resources.values()].filter((resource) => hintsOf(resource)), topology, filePlacement };
    const before = previous && builtFrom.get(previous);
    if (previous && before && sameInputs(before, inputs)) return previous;
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
    // A file's clusters are one list for all its resources (a fleet's ServiceExports): placed once.
    const ofList = { single: new WeakMap<object, Placement>(), multi: new WeakMap<object, Placement>() };
    const placementOfClusters: PlacementTools["ofClusters"] = (clusters, multiCluster, regionOf) => {
      const memo = regionOf === undefined && typeof clusters === "object" ? ofList[multiCluster ? "multi" : "single"] : undefined;
      const known = memo?.get(clusters);
      if (known) return known;
      const sortedClusters = sortedSet(clusters);
      const region = (cluster: string) => regionOfCluster(cluster) ?? regionOf?.(cluster);
      const placement = intern({
        clusters: sortedClusters,
        regions: sortedSet(sortedClusters.map(region).filter((r): r is string => r !== undefined)),
        multiCluster,
      });
      memo?.set(clusters, placement);
      return placement;
    };
    const heldKinds = new Set([...inputs.sources, ...(before?.sources ?? [])].map((resource) => resource.id.kind));
    const tools: PlacementTools = {
      ofClusters: placementOfClusters,
      clustersOfFile: (file) => filePlacement(file).clusters,
      holds: (kind) => heldKinds.has(kind),
    };

    // family → key → what its resources say, in tree order.
    const hints = new Map<string, Map<string, Placement[]>>();
    for (const resource of inputs.sources) {
      for (const { key, placement } of hintsOf(resource)!(resource, tools)) {
        const ofFamily = hints.get(resource.family) ?? new Map<string, Placement[]>();
        hints.set(resource.family, ofFamily);
        const said = ofFamily.get(key);
        if (said) said.push(placement);
        else ofFamily.set(key, [placement]);
      }
    }
    const hintsOfFamily = (family: string) => (key: string) => hints.get(family)?.get(key) ?? [];

    // Every backend is placed and named by its name (place and serviceOf), in every flow naming it: each name is matched once.
    // null: matched no pattern (one lookup a backend, not two).
    const matchedNames = new Map<string, Matched | null>();
    const byPattern = (name: string): Matched | undefined => {
      if (patterns.length === 0) return undefined;
      let found = matchedNames.get(name);
      if (found === undefined) matchedNames.set(name, (found = matchPatterns(name) ?? null));
      return found ?? undefined;
    };
    const matchPatterns = (name: string): Matched | undefined => {
      for (const regex of patterns) {
        const match = regex.exec(name);
        const groups = match?.groups;
        if (!match || !groups) continue;
        // The policy `services` key: the name with the matched part (where it matched, not its first
        // occurrence: `pay-eu-cache-eu`) and the separators around it removed.
        const rest = name.slice(0, match.index) + name.slice(match.index + match[0].length);
        // One string for a service's every regional name (checkout-jkt, checkout-sgp): held by each backend of each flow.
        const service = sharedText(rest.replace(/^[-_.]+|[-_.]+$/g, "") || name);
        if (groups.cluster) {
          const placement = placementOfClusters([groups.cluster], false);
          return {
            placement: groups.region ? intern({ ...placement, regions: sortedSet([...placement.regions, groups.region]) }) : placement,
            service,
          };
        }
        if (groups.region) return { placement: intern({ clusters: [], regions: [groups.region], multiCluster: false }), service };
      }
      return undefined;
    };

    const fromResources = (ref: BackendRef): Placement | undefined => {
      for (const destination of destinations.get(ref.kind) ?? []) {
        const placed = destination.place?.(ref, hintsOfFamily(destination.family), tools);
        if (placed) return placed;
      }
      return undefined;
    };
    // A name says where a backend runs by the policy's convention; the resources say where it
    // does. Exported from a cluster of another region (a ServiceExport of checkout-jkt applied in
    // sgp), the ServiceImport spans that region too, whatever its name: the name's region alone
    // would hide writes reaching two regions. Agreeing, the name's placement stands. By kind,
    // namespace, name and subset (a DestinationRule subset may be labelled for its own region).
    const beyondName = new Map<string, Map<string, Map<string, Placement>>>();
    const placedByName = (ref: BackendRef, named: Placement): Placement => {
      // Nothing in the tree places backends (no hints at all), or nothing places this kind: the name stands.
      if (hints.size === 0 || !destinations.has(ref.kind)) return named;
      let ofKind = beyondName.get(ref.kind);
      if (!ofKind) beyondName.set(ref.kind, (ofKind = new Map()));
      let ofNamespace = ofKind.get(ref.namespace);
      if (!ofNamespace) ofKind.set(ref.namespace, (ofNamespace = new Map()));
      const name = ref.subset === undefined ? ref.name : `${ref.name}\0${ref.subset}`;
      let placement = ofNamespace.get(name);
      if (!placement) {
        const placed = fromResources(ref);
        placement =
          placed && placed.regions.some((region) => !named.regions.includes(region))
            ? intern({
                clusters: sortedSet([...named.clusters, ...placed.clusters]),
                regions: sortedSet([...named.regions, ...placed.regions]),
                multiCluster: true,
              })
            : named;
        ofNamespace.set(name, placement);
      }
      return placement;
    };

    const serviceNameOf = (ref: BackendRef): string => {
      const naming = destinations.get(ref.kind)?.find((destination) => destination.serviceName)?.serviceName;
      return naming ? naming(ref) : ref.name;
    };
    const byServiceName = (ref: BackendRef): Matched | undefined => {
      const name = serviceNameOf(ref);
      return name === ref.name ? undefined : byPattern(name);
    };
    const index: PlacementIndex = {
      place(ref) {
        // A pattern over service names (`-(?<region>jkt)$`) reads an Istio host's service name too
        // (orders-jkt.shop.svc.cluster.local): matched against the whole host only, such hosts were
        // placed nowhere, and writes reaching two regions passed as a backend added.
        const named = byPattern(ref.name) ?? (patterns.length > 0 ? byServiceName(ref) : undefined);
        if (named) return placedByName(ref, named.placement);
        if (ref.cluster) return placementOfClusters([ref.cluster], false);
        const placed = fromResources(ref);
        if (placed) return placed;
        // A cluster-local Service runs wherever the route's file is applied (possibly several clusters).
        const clusters = filePlacement(ref.routeFile).clusters;
        return clusters.length > 0 ? placementOfClusters(clusters, clusters.length > 1) : UNKNOWN_PLACEMENT;
      },
      serviceOf(ref) {
        const base = serviceNameOf(ref);
        return byPattern(base)?.service ?? base;
      },
    };
    builtFrom.set(index, inputs);
    return index;
  };
}

export const buildPlacementIndex: BuildPlacementIndex = placementIndexOver(FAMILIES);
