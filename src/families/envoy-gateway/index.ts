import type { Family } from "../family.js";
import * as envoyGateway from "./schemas.js";
import { ENVOY_GATEWAY_GROUP, envoyGatewayDetector } from "./security-policy.js";

/** Envoy Gateway's extensions of Gateway API (gateway.envoyproxy.io): the SecurityPolicy that guards Gateways and routes. */
export const envoyGatewayFamily: Family = {
  name: "envoy-gateway",
  kinds: [[[ENVOY_GATEWAY_GROUP], [["SecurityPolicy", envoyGateway.securityPolicy]]]],
  detectors: [envoyGatewayDetector],
};
