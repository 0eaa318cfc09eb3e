import { targetingPolicies, type Family } from "../family.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import * as envoyGateway from "./schemas.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { clientTrafficPolicyDetector } from "./client-traffic-policy.js";
import { envoyGatewayDetector, guardsOf } from "./security-policy.js";
import { commonLabelsDetector, labelSelectedDetector } from "./label-selection.js";
import { proxyExtensionDetector } from "./proxy-extensions.js";
import { backendTrafficPolicyDetector } from "./backend-traffic-policy.js";
import { backendDetector } from "./backend.js";
import { envoyProxyDetector, envoyProxyParameters } from "./envoy-proxy.js";
import { routeFilterDetector } from "./route-filter.js";

/**
 * Envoy Gateway's extensions of Gateway API (gateway.envoyproxy.io): the SecurityPolicy that guards
 * Gateways and routes, the TLS a ClientTrafficPolicy asks of clients, how a BackendTrafficPolicy has
 * proxies talk to backends, the xDS patches and request-path code of EnvoyPatchPolicy and
 * EnvoyExtensionPolicy, the destinations a Backend gives routes outside Services, the Service
 * and bootstrap of the proxies an EnvoyProxy deploys, and what an HTTPRouteFilter does to the
 * requests of the route rules that name it.
 */
export const envoyGatewayFamily: Family = {
  name: "envoy-gateway",
  kinds: [
    [
      [ENVOY_GATEWAY_GROUP],
      [
        ["SecurityPolicy", envoyGateway.securityPolicy],
        ["ClientTrafficPolicy", envoyGateway.clientTrafficPolicy],
        ["BackendTrafficPolicy", envoyGateway.backendTrafficPolicy],
        ["EnvoyPatchPolicy", envoyGateway.envoyPatchPolicy],
        ["EnvoyExtensionPolicy", envoyGateway.envoyExtensionPolicy],
        ["Backend", envoyGateway.backend],
        ["EnvoyProxy", envoyGateway.envoyProxy],
        ["HTTPRouteFilter", envoyGateway.httpRouteFilter],
      ],
    ],
  ],
  policyTargets: targetingPolicies(
    ["SecurityPolicy", "ClientTrafficPolicy", "BackendTrafficPolicy", "EnvoyPatchPolicy", "EnvoyExtensionPolicy"],
    GATEWAY_API_GROUP,
  ),
  guardingPolicies: { SecurityPolicy: (policy) => guardsOf(policy).join(", ") || undefined },
  proxyParameters: { EnvoyProxy: envoyProxyParameters },
  detectors: [
    envoyGatewayDetector,
    clientTrafficPolicyDetector,
    backendTrafficPolicyDetector,
    proxyExtensionDetector,
    backendDetector,
    envoyProxyDetector,
    routeFilterDetector,
  ],
  // A Gateway's or route's labels, its own and those its Flux Kustomization sets, decide which label-selecting policies pick it.
  detectsOn: { "gateway-api": [labelSelectedDetector], placement: [commonLabelsDetector] },
  controllerCharts: { serve: "Envoy Gateway's Gateways and policies", charts: ["gateway-helm", "envoy-gateway"] },
};
