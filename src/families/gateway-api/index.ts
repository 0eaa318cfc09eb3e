import { gatewayApiDefaults } from "./defaults.js";
import { forKinds, targetingPolicies, type Family } from "../family.js";
import { GATEWAY_API_EXPERIMENTAL_GROUP, GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { gatewayApiRules } from "./flows.js";
import { entryPointsOf } from "./entry-points.js";
import { GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";
import { gatewayApiDetector, gatewayClassNameDetector } from "./gateway-api.js";
import { gatewayApiGraphNodes } from "./graph-nodes.js";
import { routeRuleHandover } from "./gateway-api-rules.js";
import * as gatewayApi from "./schemas.js";
import { ANY_SEGMENT } from "../../core/trust-reach.js";

/** Gateway API (gateway.networking.k8s.io and its experimental x-k8s.io group). */
export const gatewayApiFamily: Family = {
  name: "gateway-api",
  kinds: [
    [
      [GATEWAY_API_GROUP, GATEWAY_API_EXPERIMENTAL_GROUP],
      [
        ["GatewayClass", gatewayApi.gatewayClass, "cluster-scoped"],
        ["Gateway", gatewayApi.gateway],
        ["ListenerSet", gatewayApi.listenerSet],
        ["XListenerSet", gatewayApi.listenerSet],
        ["HTTPRoute", gatewayApi.httpRoute],
        ["GRPCRoute", gatewayApi.grpcRoute],
        ["TLSRoute", gatewayApi.tlsRoute],
        ["TCPRoute", gatewayApi.l4Route],
        ["UDPRoute", gatewayApi.l4Route],
        ["ReferenceGrant", gatewayApi.referenceGrant],
        ["BackendTLSPolicy", gatewayApi.backendTlsPolicy],
        ["XBackendTrafficPolicy", gatewayApi.backendTrafficPolicy],
        ["XBackend", gatewayApi.xBackend],
      ],
    ],
  ],
  ruleSources: forKinds(GATEWAY_ROUTE_KINDS, gatewayApiRules),
  ruleContexts: forKinds(GATEWAY_ROUTE_KINDS, entryPointsOf),
  defaults: gatewayApiDefaults,
  renamableRoutes: [...GATEWAY_ROUTE_KINDS],
  promotions: {
    groups: { [GATEWAY_API_EXPERIMENTAL_GROUP]: GATEWAY_API_GROUP },
    kinds: { XListenerSet: "ListenerSet", XBackendTrafficPolicy: "BackendTrafficPolicy" },
  },
  graphNodes: gatewayApiGraphNodes,
  gatewayRoles: { Gateway: "gateway", ListenerSet: "listener-set", XListenerSet: "listener-set", GatewayClass: "gateway-class" },
  // Their targets are Services (`group: ""`) or other backends.
  policyTargets: targetingPolicies(["BackendTLSPolicy", "XBackendTrafficPolicy"], ""),
  // TLSRoute, TCPRoute and UDPRoute rules only send: their requests are handled alike wherever they land.
  handlingJudges: { HTTPRoute: routeRuleHandover, GRPCRoute: routeRuleHandover },
  // Every field of a BackendTLSPolicy is upstream TLS validation.
  trustKinds: ["BackendTLSPolicy"],
  // A listener's TLS (certificates, mode, v1.1–v1.3 frontendValidation) and the Gateway's own
  // (frontend validation, the backend client certificate): not a Gateway's selector or ports, so a
  // patch of its infrastructure or addresses is no trust change.
  trustFields: {
    Gateway: [
      ["spec", "listeners", ANY_SEGMENT, "tls"],
      ["spec", "tls"],
    ],
    ListenerSet: [["spec", "listeners", ANY_SEGMENT, "tls"]],
    XListenerSet: [["spec", "listeners", ANY_SEGMENT, "tls"]],
  },
  trustValues: [/(?:^|\.)(?:tls\w*|certificateRefs)(?:\.|$)/i],
  detectors: [gatewayApiDetector],
  detectsOn: { "legacy-gateway-api": [gatewayClassNameDetector] },
  // Gateway API implementations installed by a chart of their own (Envoy Gateway's is its family's).
  controllerCharts: {
    serve: "Gateways",
    charts: ["nginx-gateway-fabric", "kgateway", "contour", "cilium"],
    classes: [/\bgatewayClassName["']?:[ \t]*["']?([\w.-]+)/g],
  },
};
