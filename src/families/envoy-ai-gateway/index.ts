import { byKind } from "../../core/by-kind.js";
import { targetingPolicies, type Family } from "../family.js";
import { AI_GATEWAY_GROUP, generatedRoute } from "./generated-route.js";
import { aiGatewayDefaults } from "./defaults.js";
import { backendCredentials } from "./backend-credentials.js";
import { mcpRoute, mcpRouteAddedOrRemoved } from "./mcp-route.js";
import { routeBackends } from "./route-backends.js";
import * as aiGateway from "./schemas.js";
import { removedWhileRouted, repointed } from "./service-backend.js";

/**
 * Envoy AI Gateway (aigateway.envoyproxy.io): an AIGatewayRoute is served as the HTTPRoute its
 * controller writes (its flows, attachment and the policies naming it are Gateway API's), sending
 * to what its AIServiceBackends name; BackendSecurityPolicies are the credentials presented to AI
 * providers; an MCPRoute serves MCP servers' tools to agents.
 */
export const envoyAiGatewayFamily: Family = {
  name: "envoy-ai-gateway",
  kinds: [
    [
      [AI_GATEWAY_GROUP],
      [
        ["AIGatewayRoute", aiGateway.aiGatewayRoute],
        ["AIServiceBackend", aiGateway.aiServiceBackend],
        ["BackendSecurityPolicy", aiGateway.backendSecurityPolicy],
        ["MCPRoute", aiGateway.mcpRoute],
      ],
    ],
  ],
  defaults: aiGatewayDefaults,
  generates: { AIGatewayRoute: generatedRoute },
  policyTargets: targetingPolicies(["BackendSecurityPolicy"], AI_GATEWAY_GROUP),
  trustKinds: ["BackendSecurityPolicy"],
  detectors: [
    byKind({
      AIGatewayRoute: [routeBackends],
      AIServiceBackend: [repointed, removedWhileRouted],
      BackendSecurityPolicy: [backendCredentials],
      MCPRoute: [mcpRoute, mcpRouteAddedOrRemoved],
    }),
  ],
};
