import type { PlacementHints } from "../family.js";
import { UNKNOWN_PLACEMENT } from "../../core/traffic-model.js";
import { list, record, text } from "../../core/json-access.js";
import { sortedSet } from "../../core/canonical-values.js";

/**
 * Where a destination host runs (DESIGN §6), by what Istio's own resources say of it: the region
 * and cluster labels of the DestinationRule subset it names, else the endpoint localities of a
 * ServiceEntry for the host. A host is Istio's way of naming a destination; other families' routes
 * that name one (Gloo external services, Flagger's canary hosts) are placed the same way. Hosts
 * are compared by their first label (`reviews`, `reviews.shop.svc.cluster.local`).
 */

const REGION_LABEL = "topology.kubernetes.io/region";
const CLUSTER_LABEL = "topology.istio.io/cluster";

const shortHost = (host: string): string => host.split(".")[0] ?? host;

const subsetKey = (host: string, subset: string) => `subset ${shortHost(host)}|${subset}`;
const entryKey = (host: string) => `entry ${shortHost(host)}`;

export const istioPlacementHints: PlacementHints = {
  hints: {
    DestinationRule: ({ body }, tools) => {
      const spec = record(body.spec);
      const host = text(spec.host);
      if (!host) return [];
      return list(spec.subsets).flatMap((subset) => {
        const { name, labels } = record(subset);
        const labelMap = record(labels);
        const region = text(labelMap[REGION_LABEL]);
        const cluster = text(labelMap[CLUSTER_LABEL]);
        if (typeof name !== "string" || (!region && !cluster)) return [];
        const placement = cluster ? tools.ofClusters([cluster], false) : UNKNOWN_PLACEMENT;
        const regions = sortedSet([...placement.regions, ...(region ? [region] : [])]);
        return [{ key: subsetKey(host, name), placement: { clusters: placement.clusters, regions, multiCluster: false } }];
      });
    },
    ServiceEntry: ({ body }) => {
      const spec = record(body.spec);
      const regions = new Set<string>();
      for (const endpoint of list(spec.endpoints)) {
        const region = text(record(endpoint).locality)?.split("/")[0];
        if (region) regions.add(region);
      }
      if (regions.size === 0) return [];
      return list(spec.hosts).flatMap((host) =>
        typeof host === "string"
          ? [{ key: entryKey(host), placement: { clusters: [], regions: sortedSet(regions), multiCluster: regions.size > 1 } }]
          : [],
      );
    },
  },
  destinations: {
    Host: {
      place: (ref, hints) => {
        const bySubset = ref.subset ? hints(subsetKey(ref.name, ref.subset)).at(-1) : undefined;
        if (bySubset) return bySubset;
        const byEntry = hints(entryKey(ref.name)).at(-1);
        if (byEntry) return byEntry;
        // A fully qualified remote host is not in the route's cluster: do not guess from the file.
        return ref.name.includes(".") && !ref.name.endsWith(".svc.cluster.local") ? UNKNOWN_PLACEMENT : undefined;
      },
      serviceName: (ref) => shortHost(ref.name),
    },
  },
};
