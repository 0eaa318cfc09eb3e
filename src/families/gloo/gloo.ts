import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { failoverPolicy, mirrorPolicy, outlierDetectionPolicy, retryTimeoutPolicy } from "./gloo-policies.js";
import { routeTable, virtualDestination, virtualGateway } from "./gloo-routing.js";
import { workspace, workspaceSettings } from "./gloo-workspaces.js";

/**
 * Gloo Platform 2.x (DESIGN §4): routing objects (gloo-routing.ts), resilience and traffic-control
 * policies (gloo-policies.ts) and workspaces (gloo-workspaces.ts). RouteTable destinations and
 * weights are read as flows by the route diff (flows.ts).
 */

type Check = (change: ResourceChange, out: DetectionList, context: DetectorContext) => void;

const CHECKS: Readonly<Record<string, Check>> = {
  "networking.gloo.solo.io/RouteTable": routeTable,
  "networking.gloo.solo.io/VirtualDestination": virtualDestination,
  "networking.gloo.solo.io/VirtualGateway": virtualGateway,
  "resilience.policy.gloo.solo.io/FailoverPolicy": failoverPolicy,
  "resilience.policy.gloo.solo.io/OutlierDetectionPolicy": outlierDetectionPolicy,
  "resilience.policy.gloo.solo.io/RetryTimeoutPolicy": retryTimeoutPolicy,
  "trafficcontrol.policy.gloo.solo.io/MirrorPolicy": mirrorPolicy,
  "admin.gloo.solo.io/Workspace": workspace,
  "admin.gloo.solo.io/WorkspaceSettings": workspaceSettings,
};

export const glooDetector: ResourceDetector = (change, context) => {
  const subject = change.head ?? change.base;
  const check = subject ? CHECKS[`${subject.id.group}/${subject.id.kind}`] : undefined;
  if (!check) return [];
  const out = new DetectionList(change);
  check(change, out, context);
  return out.detections;
};
