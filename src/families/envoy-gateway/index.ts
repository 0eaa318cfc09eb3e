import type { Family } from "../family.js";
import * as envoyGateway from "./schemas.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { clientTrafficPolicyDetector } from "./client-traffic-policy.js";
import { envoyGatewayDetector } from "./security-policy.js";
import { proxyExtensionDetector } from "./proxy-extensions.js";

/**
 * Envoy Gateway's extensions of Gateway API (gateway.envoyproxy.io): the SecurityPolicy that guards
 * Gateways and routes, the TLS a ClientTrafficPolicy asks of clients, and the xDS patches and request-path
 * code of EnvoyPatchPolicy and EnvoyExtensionPolicy.
 */
export const envoyGatewayFamily: Family = {
  name: "envoy-gateway",
  kinds: [
    [
      [ENVOY_GATEWAY_GROUP],
      [
        ["SecurityPolicy", envoyGateway.securityPolicy],
        ["ClientTrafficPolicy", envoyGateway.clientTrafficPolicy],
        ["EnvoyPatchPolicy", envoyGateway.envoyPatchPolicy],
        ["EnvoyExtensionPolicy", envoyGateway.envoyExtensionPolicy],
      ],
    ],
  ],
  detectors: [envoyGatewayDetector, clientTrafficPolicyDetector, proxyExtensionDetector],
};
