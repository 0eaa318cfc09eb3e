import { byRules, targetingPolicies, type Family } from "../family.js";
import { backendConfigDetector, frontendConfigDetector, gkeDetector } from "./gke.js";
import { multiClusterDetector, multiClusterIngressRules, multiClusterPlacement } from "./multi-cluster-ingress.js";
import { managedCertificateDetector } from "./managed-certificate.js";
import { authzPolicyDetector } from "./authz-policy.js";
import * as gke from "./schemas.js";

/** GKE's Gateway policies, Service Extensions and multi-cluster Ingress (networking.gke.io), and GKE Ingress's BackendConfig (cloud.google.com) and ManagedCertificate. */
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
        // GKE Ingress's per-Ingress frontend settings: HTTPS redirect, SSL policy.
        ["FrontendConfig", gke.ingressConfig],
        // The Google-managed certificate GKE Ingresses name in an annotation.
        ["ManagedCertificate", gke.managedCertificate],
        ["GCPAuthzPolicy", gke.gcpAuthzPolicy],
      ],
    ],
    // GKE Ingress's per-Service backend settings: Cloud Armor, IAP, health checks.
    [["cloud.google.com"], [["BackendConfig", gke.ingressConfig]]],
  ],
  ruleSources: { MultiClusterIngress: byRules(multiClusterIngressRules) },
  placementHints: multiClusterPlacement,
  // GKE's policies write `group: ""` for a Service, as Gateway API references do.
  policyTargets: targetingPolicies(
    ["GCPBackendPolicy", "HealthCheckPolicy", "GCPGatewayPolicy", "GCPTrafficDistributionPolicy", "GCPAuthzPolicy"],
    "",
  ),
  detectors: [
    gkeDetector,
    multiClusterDetector,
    backendConfigDetector,
    frontendConfigDetector,
    managedCertificateDetector,
    authzPolicyDetector,
  ],
};
