import type { DetectorContext } from "./detector.js";
import type { ManifestSet, Resource } from "./resource.js";
import type { WeightedRef } from "./route-rules.js";
import { serviceOfClusterSetHost, serviceOfHost } from "./service-host.js";
import { agree, type ServiceName } from "./declared-services.js";

/**
 * The Service a backend sends to: a reference to a core Service, or a cluster-local host (Istio
 * destinations and progressive delivery key a backend by the host they qualify, then `|`);
 * `imported`: the Service as every cluster exports it, through an MCS ServiceImport or its
 * `clusterset.local` host, wherever the route is applied.
 */
function serviceOfBackend(
  backend: WeightedRef,
): { readonly name: string; readonly namespace: string; readonly imported: boolean } | undefined {
  const { ref } = backend;
  if (ref.coreService || ref.kind === "ServiceImport") return { name: ref.name, namespace: ref.namespace, imported: !ref.coreService };
  if (ref.kind !== "Host") return undefined;
  const end = backend.key.indexOf("|");
  if (end < 0) return undefined;
  const host = backend.key.slice(0, end);
  const local = serviceOfHost(host);
  if (local) return { ...local, imported: false };
  const clusterSet = serviceOfClusterSetHost(host);
  return clusterSet && { ...clusterSet, imported: true };
}

/**
 * A route's backends that send to one of the services, each with the host its rule serves;
 * `imported`: through the ServiceImport every cluster's export of the service feeds.
 */
export interface RouteSending<S extends ServiceName> {
  readonly route: Resource;
  readonly sends: readonly { readonly backend: WeightedRef; readonly host: string; readonly service: S; readonly imported: boolean }[];
}

/**
 * The routes of a tree that send traffic to any of these Services, by reference or by host, in
 * the same cluster, or through a ServiceImport from any cluster where `exported` says a
 * ServiceExport of the Service's own cluster feeds it. `carrying`: only backends with a weight
 * above 0 (a backend at weight 0 takes no requests). Reading every route's rules is work: only
 * routes whose text names a service are read.
 */
export function routesSending<S extends ServiceName>(
  tree: ManifestSet,
  routeRules: DetectorContext["routeRules"],
  services: readonly S[],
  carrying: boolean,
  exported: (service: S) => boolean = () => false,
): RouteSending<S>[] {
  const found: RouteSending<S>[] = [];
  tree.resources.forEach((route) => {
    if (!services.some(({ name }) => route.source.text.includes(name))) return;
    const sends: RouteSending<S>["sends"][number][] = [];
    for (const rule of routeRules(route, tree)) {
      for (const backend of rule.backends) {
        const sent = serviceOfBackend(backend);
        if (!sent || (carrying && backend.weight <= 0)) continue;
        const service = services.find(
          (candidate) =>
            candidate.name === sent.name &&
            agree(candidate.namespace, sent.namespace) &&
            (sent.imported ? exported(candidate) : agree(candidate.cluster, backend.ref.cluster ?? route.cluster)),
        );
        if (service) sends.push({ backend, host: rule.host, service, imported: sent.imported });
      }
    }
    if (sends.length > 0) found.push({ route, sends });
  });
  return found;
}
