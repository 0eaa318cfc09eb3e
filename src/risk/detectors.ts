import type { Family } from "../manifests/resource.js";
import type { ResourceDetector } from "./detector.js";

/**
 * The detector registry: each family's detectors, in one table. Route flows (route.*, backend.*,
 * writes.*) are read off the traffic model instead (route-changes.ts, write-paths.ts), and
 * resource.changed catches whatever no detector explains (resource-changes.ts).
 */
export const DETECTORS: Readonly<Record<Family, readonly ResourceDetector[]>> = {
  "gateway-api": [],
  mcs: [],
  gke: [],
  istio: [],
  "istio-mesh": [],
  gloo: [],
  trust: [],
  dns: [],
  placement: [],
  "legacy-gateway-api": [],
};
