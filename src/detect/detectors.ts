import type { Family } from "../core/resource.js";
import type { ResourceDetector } from "./detector.js";
import { gatewayApiDetector } from "./gateway-api.js";
import { gkeDetector } from "./gke.js";
import { glooDetector } from "./gloo.js";
import { istioDetector } from "./istio.js";
import { istioMeshDetector, networkLabelDetector } from "./istio-mesh.js";
import { legacyGatewayApiDetector } from "./legacy-gateway-api.js";
import { mcsDetector } from "./mcs.js";
import { ambientLabelDetector, waypointDetector } from "./ambient.js";
import { externalDnsAnnotationDetector, gslbDetector } from "./gslb.js";
import { kustomizeDetector } from "./kustomize.js";
import { placementDetector } from "./placement.js";
import { progressiveDetector } from "./progressive.js";
import { externalNameDetector } from "./external-name.js";
import { sidecarInjectionDetector } from "./sidecar-injection.js";
import { issuerAnnotationDetector, trustDetector } from "./trust.js";

/**
 * The detector registry: each family's detectors, in one table. Route flows (route.*, backend.*,
 * writes.*) are read off the traffic model instead (route-changes.ts, write-paths.ts), and
 * resource.changed catches whatever no detector explains (resource-changes.ts).
 */
export const DETECTORS: Readonly<Record<Family, readonly ResourceDetector[]>> = {
  "gateway-api": [gatewayApiDetector, networkLabelDetector, ambientLabelDetector, waypointDetector, issuerAnnotationDetector, externalDnsAnnotationDetector],
  mcs: [mcsDetector],
  gke: [gkeDetector],
  istio: [istioDetector, networkLabelDetector, ambientLabelDetector, externalDnsAnnotationDetector],
  "istio-mesh": [istioMeshDetector, networkLabelDetector, ambientLabelDetector, sidecarInjectionDetector],
  gloo: [glooDetector],
  trust: [trustDetector],
  dns: [gslbDetector],
  placement: [placementDetector, kustomizeDetector],
  progressive: [progressiveDetector],
  service: [externalNameDetector],
  "legacy-gateway-api": [legacyGatewayApiDetector, externalDnsAnnotationDetector],
};
