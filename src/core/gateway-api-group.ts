/** Gateway API's API group, and its experimental twin (XListenerSet, XBackendTrafficPolicy). */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_EXPERIMENTAL_GROUP = "gateway.networking.x-k8s.io";

/** Gateway API's route kinds: what attaches to a Gateway's listeners, and what a policy may name below a Gateway. */
export const GATEWAY_ROUTE_KINDS: ReadonlySet<string> = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
