import { byKind } from "../../core/by-kind.js";
import {
  failoverPolicy,
  faultInjectionPolicy,
  mirrorPolicy,
  outlierDetectionPolicy,
  retryTimeoutPolicy,
  routeLabelPolicies,
} from "./gloo-policies.js";
import { routeTable, virtualDestination, virtualGateway } from "./gloo-routing.js";
import { workspace, workspaceSettings } from "./gloo-workspaces.js";
import { accessPolicy } from "./gloo-access.js";

/**
 * Gloo Platform 2.x (DESIGN §4): routing objects (gloo-routing.ts), resilience and traffic-control
 * policies (gloo-policies.ts), access policies (gloo-access.ts) and workspaces (gloo-workspaces.ts).
 * RouteTable destinations and weights are read as flows by the route diff (flows.ts).
 */

// Each kind of the family lives in one API group: the kind alone says which.
export const glooDetector = byKind({
  RouteTable: [routeTable, routeLabelPolicies],
  VirtualDestination: [virtualDestination],
  VirtualGateway: [virtualGateway],
  FailoverPolicy: [failoverPolicy],
  OutlierDetectionPolicy: [outlierDetectionPolicy],
  RetryTimeoutPolicy: [retryTimeoutPolicy],
  FaultInjectionPolicy: [faultInjectionPolicy],
  MirrorPolicy: [mirrorPolicy],
  AccessPolicy: [accessPolicy],
  Workspace: [workspace],
  WorkspaceSettings: [workspaceSettings],
});
