import type { Family } from "../manifests/resource.js";
import type { ResourceDetector } from "./detector.js";
import { gatewayApiDetector } from "./gateway-api.js";
import { istioDetector } from "./istio.js";
import { istioMeshDetector, networkLabelDetector } from "./istio-mesh.js";
import { mcsDetector } from "./mcs.js";

/**
 * The detector registry: each family's detectors, in one table. Route flows (route.*, backend.*,
 * writes.*) are read off the traffic model instead (route-changes.ts, write-paths.ts), and
 * resource.changed catches whatever no detector explains (resource-changes.ts).
 */
export const DETECTORS: Readonly<Record<Family, readonly ResourceDetector[]>> = {
  "gateway-api": [gatewayApiDetector, networkLabelDetector],
  mcs: [mcsDetector],
  gke: [],
  istio: [istioDetector, networkLabelDetector],
  "istio-mesh": [istioMeshDetector],
  gloo: [],
  trust: [],
  dns: [],
  placement: [],
  "legacy-gateway-api": [],
};
