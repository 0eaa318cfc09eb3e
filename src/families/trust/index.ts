import { trustDefaults } from "./defaults.js";
import type { Family } from "../family.js";
import * as trust from "./schemas.js";
import { issuerAnnotationDetector, trustDetector } from "./trust.js";

/** cert-manager itself, the trust bundles trust-manager distributes, and istio-csr, the mesh's CA through cert-manager. */
const TRUST_CONTROLLERS = ["cert-manager", "trust-manager", "cert-manager-istio-csr"];

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
  trustCharts: TRUST_CONTROLLERS,
  // Beside them, the issuers and the approver that sign what cert-manager requests.
  controllerCharts: {
    serve: "certificates and issuers",
    charts: [
      ...TRUST_CONTROLLERS,
      ...["cert-manager-approver-policy", "step-issuer", "aws-privateca-issuer", "origin-ca-issuer", "cert-manager-google-cas-issuer"],
    ],
    classes: [/\bcert-manager\.io\/(?:cluster-)?issuer["']?:[ \t]*["']?([\w.-]+)/g],
  },
  defaults: trustDefaults,
  detectors: [trustDetector],
  detectsOn: { ingress: [issuerAnnotationDetector], "gateway-api": [issuerAnnotationDetector] },
};
