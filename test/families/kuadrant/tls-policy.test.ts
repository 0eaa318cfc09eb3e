import { describe } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable } from "../../detect/resource-fixture.js";
import { around } from "./fixtures.js";

const run = detectorTable(kuadrantFamily.detectors[0]!, around);

// kuadrant-operator's config/samples/kuadrant_v1_tlspolicy.yaml.
const policy = (issuer: string, kind = "ClusterIssuer", gateway = "prod-web") => `apiVersion: kuadrant.io/v1
kind: TLSPolicy
metadata: {name: prod-web, namespace: ingress-gateway}
spec:
  targetRef: {name: ${gateway}, group: gateway.networking.k8s.io, kind: Gateway}
  issuerRef: {group: cert-manager.io, kind: ${kind}, name: ${issuer}}
`;

describe("Kuadrant TLSPolicy: cert-manager certificates for a Gateway's listeners", () => {
  run([
    {
      name: "another issuer signs the listeners' certificates",
      base: policy("letsencrypt-prod"),
      head: policy("self-signed-ca"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "issuerRef"],
          says: "issuerRef ClusterIssuer letsencrypt-prod → ClusterIssuer self-signed-ca: the certificates of Gateway ingress-gateway/prod-web (api.toystore.example.com) (Secret api-toystore-tls)",
        },
      ],
    },
    {
      name: "an Issuer is an Issuer whether its kind is written or not",
      base: policy("letsencrypt", "Issuer"),
      head: policy("letsencrypt", "Issuer").replace(", kind: Issuer", ""),
      expected: [],
    },
    {
      name: "removed: the listeners' certificates are no longer renewed",
      base: policy("letsencrypt-prod"),
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec", "targetRef"],
          says: "removed: the Certificates of Gateway ingress-gateway/prod-web",
        },
      ],
    },
    {
      name: "added for an existing Gateway: its Secrets are written by the issuer from now on",
      head: policy("letsencrypt-prod"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "issuerRef"],
          says: "added for Gateway ingress-gateway/prod-web (api.toystore.example.com) (Secret api-toystore-tls)",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});
