import type { PlacementHints } from "../family.js";
import { UNKNOWN_PLACEMENT } from "../../core/traffic-model.js";
import { list, record, text } from "../../core/json-access.js";
import { sortedSet } from "../../core/canonical-values.js";

/**
 * Where a destination host runs (DESIGN §6), by what Istio's own resources say of it: the region
 * and cluster labels of the DestinationRule subset it names, else the endpoint localities of a
 * ServiceEntry for the host. A host is Istio's way of naming a destination; other families' routes
 * that name one (Gloo external services, Flagger's canary hosts) are placed the same way. Hosts
 * are compared as one name wherever written (hostKey): `reviews` in shop is
 * `reviews.shop.svc.cluster.local`, not lab's `reviews`, nor `reviews.partner-cdn.net`.
 */

const REGION_LABEL = "topology.kubernetes.io/region";
const CLUSTER_LABEL = "topology.istio.io/cluster";

const shortHost = (host: string): string => host.split(".")[0] ?? host;

/**
 * A host as Istio resolves it: a short name in the namespace of the resource that writes it, an
 * in-cluster name (`name.namespace`, `…svc`, `…svc.cluster.local`) as `name.namespace`, any other
 * host whole.
 */
const hostKey = (host: string, namespace: string): string => {
  const [name, serviceNamespace, ...domain] = host.split(".");
  if (serviceNamespace === undefined) return `${name}.${namespace}`;
  return ["", "svc", "svc.cluster.local"].includes(domain.join(".")) ? `${name}.${serviceNamespace}` : host;
};

const subsetKey = (host: string, namespace: string, subset: string) => `subset ${hostKey(host, namespace)}|${subset}`;
const entryKey = (host: string, namespace: string) => `entry ${hostKey(host, namespace)}`;

export const istioPlacementHints: PlacementHints = {
  hints: {
    DestinationRule: ({ body, id }, tools) => {
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
        return [{ key: subsetKey(host, id.namespace, name), placement: { clusters: placement.clusters, regions, multiCluster: false } }];
      });
    },
    ServiceEntry: ({ body, id }) => {
      const spec = record(body.spec);
      const regions = new Set<string>();
      for (const endpoint of list(spec.endpoints)) {
        const region = text(record(endpoint).locality)?.split("/")[0];
        if (region) regions.add(region);
      }
      if (regions.size === 0) return [];
      return list(spec.hosts).flatMap((host) =>
        typeof host === "string"
          ? [
              {
                key: entryKey(host, id.namespace),
                placement: { clusters: [], regions: sortedSet(regions), multiCluster: regions.size > 1 },
              },
            ]
          : [],
      );
    },
  },
  destinations: {
    Host: {
      place: (ref, hints) => {
        const bySubset = ref.subset ? hints(subsetKey(ref.name, ref.namespace, ref.subset)).at(-1) : undefined;
        if (bySubset) return bySubset;
        const byEntry = hints(entryKey(ref.name, ref.namespace)).at(-1);
        if (byEntry) return byEntry;
        // A fully qualified remote host is not in the route's cluster: do not guess from the file.
        return ref.name.includes(".") && !ref.name.endsWith(".svc.cluster.local") ? UNKNOWN_PLACEMENT : undefined;
      },
      serviceName: (ref) => shortHost(ref.name),
    },
  },
};
