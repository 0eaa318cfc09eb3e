import type { Family } from "../family.js";
import * as envoyGateway from "./schemas.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { clientTrafficPolicyDetector } from "./client-traffic-policy.js";
import { envoyGatewayDetector } from "./security-policy.js";

/**
 * Envoy Gateway's extensions of Gateway API (gateway.envoyproxy.io): the SecurityPolicy that guards
 * Gateways and routes, and the TLS a ClientTrafficPolicy asks of clients.
 */
export const envoyGatewayFamily: Family = {
  name: "envoy-gateway",
  kinds: [
    [
      [ENVOY_GATEWAY_GROUP],
      [
        ["SecurityPolicy", envoyGateway.securityPolicy],
        ["ClientTrafficPolicy", envoyGateway.clientTrafficPolicy],
      ],
    ],
  ],
  detectors: [envoyGatewayDetector, clientTrafficPolicyDetector],
};
