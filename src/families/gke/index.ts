import { byRules, type Family } from "../family.js";
import { backendConfigDetector, gkeDetector } from "./gke.js";
import { multiClusterDetector, multiClusterIngressRules, multiClusterPlacement } from "./multi-cluster-ingress.js";
import * as gke from "./schemas.js";

/** GKE's Gateway policies, Service Extensions and multi-cluster Ingress (networking.gke.io), and GKE Ingress's BackendConfig (cloud.google.com). */
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
        ["MultiClusterIngress", gke.multiClusterIngress],
        ["MultiClusterService", gke.multiClusterService],
        ["GCPTrafficExtension", gke.serviceExtension],
        ["GCPRoutingExtension", gke.serviceExtension],
      ],
    ],
    // GKE Ingress's per-Service backend settings: Cloud Armor and IAP in front of the Services that name it.
    [["cloud.google.com"], [["BackendConfig", gke.backendConfig]]],
  ],
  ruleSources: [byRules(multiClusterIngressRules)],
  placementHints: multiClusterPlacement,
  detectors: [gkeDetector, multiClusterDetector, backendConfigDetector],
};
