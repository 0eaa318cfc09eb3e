/** Gateway API's API group, and its experimental twin (XListenerSet, XBackendTrafficPolicy). */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_EXPERIMENTAL_GROUP = "gateway.networking.x-k8s.io";
