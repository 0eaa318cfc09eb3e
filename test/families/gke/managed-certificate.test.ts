import { describe } from "vitest";
import { managedCertificateDetector } from "../../../src/families/gke/managed-certificate.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";

// Shaped after GoogleCloudPlatform/gke-networking-recipes' ingress/single-cluster/ingress-https.
const certificate = (domains: string) => `
apiVersion: networking.gke.io/v1
kind: ManagedCertificate
metadata: {name: shop-cert, namespace: shop}
spec:
  domains: [${domains}]
`;
const ingress = resource(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations:
    networking.gke.io/managed-certificates: "shop-cert, api-cert"
    kubernetes.io/ingress.class: gce
spec:
  defaultBackend: {service: {name: shop, port: {number: 80}}}
`);
const run = detectorTable(managedCertificateDetector, { base: [ingress], head: [ingress] });

describe("GKE ManagedCertificate: the names the Ingresses that name it serve HTTPS for", () => {
  run([
    {
      name: "a domain dropped fails its clients' handshakes; one added re-provisions the certificate",
      base: certificate("shop.example.com, www.shop.example.com"),
      head: certificate("shop.example.com, api.shop.example.com"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "domains"],
          says: "domains no longer cover www.shop.example.com: HTTPS clients of that host on Ingress shop/shop get a certificate that does not name it",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "domains"],
          says: "domains gain api.shop.example.com: Google provisions the certificate of Ingress shop/shop again",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "removed while an Ingress still names it",
      base: certificate("shop.example.com"),
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while Ingress shop/shop still names it (networking.gke.io/managed-certificates): shop.example.com lose their certificate",
        },
      ],
    },
  ]);
});
