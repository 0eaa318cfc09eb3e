import { trustDefaults } from "./defaults.js";
import type { Family } from "../family.js";
import * as trust from "./schemas.js";
import { issuerAnnotationDetector, trustDetector } from "./trust.js";

/** cert-manager: Issuers, ClusterIssuers and Certificates, and its issuer annotations on Ingresses, Gateways and ListenerSets. */
export const trustFamily: Family = {
  name: "trust",
  kinds: [
    [
      ["cert-manager.io"],
      [
        ["Issuer", trust.issuer],
        ["ClusterIssuer", trust.issuer, "cluster-scoped"],
        ["Certificate", trust.certificate],
      ],
    ],
  ],
  trustKinds: ["Issuer", "ClusterIssuer", "Certificate"],
  trustMarks: [/\bcert-manager\.io\/(?:cluster-)?issuer\b/],
  // Charts' keys that render or name them (`certificate.enabled`, `clusterIssuer`, `issuerRef`).
  trustValues: [/issuer|certificate/i],
  // cert-manager itself, the trust bundles trust-manager distributes, and istio-csr, the mesh's CA through cert-manager.
  trustCharts: ["cert-manager", "trust-manager", "cert-manager-istio-csr"],
  defaults: trustDefaults,
  detectors: [trustDetector],
  detectsOn: { ingress: [issuerAnnotationDetector], "gateway-api": [issuerAnnotationDetector] },
};
