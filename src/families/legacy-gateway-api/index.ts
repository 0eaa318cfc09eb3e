import { byRules, forKinds, type Family } from "../family.js";
import { LEGACY_ROUTE_KINDS, legacyRouteRules } from "./flows.js";
import { legacyGatewayApiGraphNodes } from "./graph-nodes.js";
import { legacyGatewayApiDetector } from "./legacy-gateway-api.js";
import * as legacy from "./schemas.js";

/** The pre-v1alpha2 service-apis (networking.x-k8s.io), still found in older trees. */
export const legacyGatewayApiFamily: Family = {
  name: "legacy-gateway-api",
  kinds: [
    [
      ["networking.x-k8s.io"],
      [
        ["GatewayClass", legacy.legacyGatewayClass, "cluster-scoped"],
        ["Gateway", legacy.legacyGateway],
        ["HTTPRoute", legacy.legacyRoute],
        ["TCPRoute", legacy.legacyRoute],
        ["UDPRoute", legacy.legacyRoute],
        ["TLSRoute", legacy.legacyRoute],
        ["BackendPolicy", legacy.legacyLoose],
      ],
    ],
  ],
  ruleSources: forKinds(LEGACY_ROUTE_KINDS, byRules(legacyRouteRules)),
  renamableRoutes: [...LEGACY_ROUTE_KINDS],
  graphNodes: legacyGatewayApiGraphNodes,
  // Its Gateways stay out of the graph, but a class of its name still reaches the Gateway API Gateways that name it.
  gatewayRoles: { GatewayClass: "gateway-class" },
  // Gateways select these routes by label.
  attachmentFields: { "networking.x-k8s.io": ["metadata", "labels"] },
  detectors: [legacyGatewayApiDetector],
};
