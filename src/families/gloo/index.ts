import type { Family } from "../family.js";
import { GLOO_NETWORKING_GROUP, glooRouteTableSource } from "./flows.js";
import { glooDetector } from "./gloo.js";
import { glooPlacementHints } from "./placement-hints.js";
import * as gloo from "./schemas.js";

/** Gloo Platform 2.x: routing, resilience, traffic-control and security policies, workspaces. */
export const glooFamily: Family = {
  name: "gloo",
  kinds: [
    [
      ["networking.gloo.solo.io"],
      [
        ["RouteTable", gloo.routeTable],
        ["VirtualDestination", gloo.virtualDestination],
        ["VirtualGateway", gloo.virtualGateway],
        ["ExternalService", gloo.externalService],
      ],
    ],
    [
      ["resilience.policy.gloo.solo.io"],
      [
        ["FailoverPolicy", gloo.failoverPolicy],
        ["OutlierDetectionPolicy", gloo.outlierDetectionPolicy],
        ["RetryTimeoutPolicy", gloo.retryTimeoutPolicy],
        ["FaultInjectionPolicy", gloo.faultInjectionPolicy],
      ],
    ],
    [
      ["trafficcontrol.policy.gloo.solo.io"],
      [
        ["MirrorPolicy", gloo.mirrorPolicy],
        ["RateLimitPolicy", gloo.routeGuardPolicy],
      ],
    ],
    [
      ["security.policy.gloo.solo.io"],
      [
        ["AccessPolicy", gloo.accessPolicy],
        ["ExtAuthPolicy", gloo.routeGuardPolicy],
        ["JWTPolicy", gloo.routeGuardPolicy],
        ["WAFPolicy", gloo.routeGuardPolicy],
        ["CSRFPolicy", gloo.routeGuardPolicy],
        ["CORSPolicy", gloo.routeGuardPolicy],
        ["DLPPolicy", gloo.routeGuardPolicy],
        ["GraphQLAllowedQueryPolicy", gloo.routeGuardPolicy],
        ["ClientTLSPolicy", gloo.clientTlsPolicy],
      ],
    ],
    [
      ["admin.gloo.solo.io"],
      [
        ["Workspace", gloo.workspace],
        ["WorkspaceSettings", gloo.workspaceSettings],
      ],
    ],
  ],
  ruleSources: { RouteTable: glooRouteTableSource },
  renamableRoutes: ["RouteTable"],
  firstMatchGroups: [GLOO_NETWORKING_GROUP],
  attachmentFields: { [GLOO_NETWORKING_GROUP]: ["spec", "virtualGateways"] },
  placementHints: glooPlacementHints,
  detectors: [glooDetector],
  controllerCharts: { serve: "Gloo's routes", charts: ["gloo", "gloo-ee", "gloo-platform"] },
};
