import type { Family } from "../family.js";
import { gkeDetector } from "./gke.js";
import * as gke from "./schemas.js";

/** GKE's Gateway policies (networking.gke.io). */
export const gkeFamily: Family = {
  name: "gke",
  kinds: [
    [
      ["networking.gke.io"],
      [
        ["GCPBackendPolicy", gke.gcpBackendPolicy],
        ["HealthCheckPolicy", gke.healthCheckPolicy],
        ["GCPGatewayPolicy", gke.gcpGatewayPolicy],
        ["GCPTrafficDistributionPolicy", gke.gcpTrafficDistributionPolicy],
      ],
    ],
  ],
  detectors: [gkeDetector],
};
