/**
 * GKE's Gateway controllers and the classes they install: the single-cluster controller its
 * `gke-l7-*` classes, the multi-cluster one (enabled on a fleet) the `gke-l7-*-mc` classes, each
 * under its controllerName (GKE's "Enable multi-cluster Gateways" lists the classes). Which name a
 * cluster shows for the multi-cluster classes (`networking.gke.io/gateway` or
 * `networking.gke.io/gateway-multicluster`) is not settled by a source at hand, so both count as
 * GKE's: read by the classes GKE restores and by the request timeouts GKE applies.
 */
export const GKE_GATEWAY_CONTROLLER = "networking.gke.io/gateway";
export const GKE_MULTI_CLUSTER_GATEWAY_CONTROLLER = "networking.gke.io/gateway-multicluster";
export const GKE_GATEWAY_CONTROLLERS: readonly string[] = [GKE_GATEWAY_CONTROLLER, GKE_MULTI_CLUSTER_GATEWAY_CONTROLLER];

/** The controller of a class GKE installs, by its name (`gke-l7-rilb-mc`: the multi-cluster one); undefined for any other name. */
export const gkeClassController = (className: string): string | undefined =>
  className.startsWith("gke-l7-") ? (className.endsWith("-mc") ? GKE_MULTI_CLUSTER_GATEWAY_CONTROLLER : GKE_GATEWAY_CONTROLLER) : undefined;
