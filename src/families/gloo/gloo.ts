import { byKind } from "../../core/by-kind.js";
import {
  destinationLabelPolicies,
  failoverPolicy,
  faultInjectionPolicy,
  mirrorPolicy,
  outlierDetectionPolicy,
  retryTimeoutPolicy,
  routeLabelPolicies,
} from "./gloo-policies.js";
import {
  delegatedTableRemoved,
  externalService,
  routeTable,
  unknownVirtualGateways,
  virtualDestination,
  virtualGateway,
  virtualGatewayRemoved,
} from "./gloo-routing.js";
import { workspace, workspaceSettings } from "./gloo-workspaces.js";
import { accessPolicy } from "./gloo-access.js";
import { guardedRoutes, routeGuards } from "./gloo-route-guards.js";
import { clientTls, corsConfig, dlpConfig, extAuthConfig, jwtConfig, rateLimitConfig, wafConfig } from "./gloo-security-config.js";

/**
 * Gloo Platform 2.x (DESIGN §4): routing objects (gloo-routing.ts), resilience and traffic-control
 * policies (gloo-policies.ts), access policies (gloo-access.ts), the security and rate-limit
 * policies that guard routes (gloo-route-guards.ts, gloo-security-config.ts) and workspaces (gloo-workspaces.ts).
 * RouteTable destinations and weights are read as flows by the route diff (flows.ts).
 */

// Each kind of the family lives in one API group: the kind alone says which.
export const glooDetector = byKind({
  RouteTable: [routeTable, routeLabelPolicies, routeGuards, delegatedTableRemoved, unknownVirtualGateways],
  VirtualDestination: [virtualDestination, destinationLabelPolicies],
  VirtualGateway: [virtualGateway, virtualGatewayRemoved],
  ExternalService: [externalService, destinationLabelPolicies],
  FailoverPolicy: [failoverPolicy],
  OutlierDetectionPolicy: [outlierDetectionPolicy],
  RetryTimeoutPolicy: [retryTimeoutPolicy],
  FaultInjectionPolicy: [faultInjectionPolicy],
  MirrorPolicy: [mirrorPolicy],
  AccessPolicy: [accessPolicy],
  ExtAuthPolicy: [guardedRoutes, extAuthConfig],
  JWTPolicy: [guardedRoutes, jwtConfig],
  WAFPolicy: [guardedRoutes, wafConfig],
  CSRFPolicy: [guardedRoutes],
  CORSPolicy: [corsConfig],
  DLPPolicy: [guardedRoutes, dlpConfig],
  GraphQLAllowedQueryPolicy: [guardedRoutes],
  RateLimitPolicy: [guardedRoutes, rateLimitConfig],
  ClientTLSPolicy: [clientTls],
  Workspace: [workspace],
  WorkspaceSettings: [workspaceSettings],
});
