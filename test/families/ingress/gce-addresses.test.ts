import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/** A static address moves between GKE Ingresses: what is served at it moves, though their rules never compete. */

const STATIC_IP = "kubernetes.io/ingress.global-static-ip-name";

const ingress = (name: string, annotations: Record<string, string>, apiVersion = "networking.k8s.io/v1") => `apiVersion: ${apiVersion}
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
    kubernetes.io/ingress.class: gce
${Object.entries(annotations)
  .map(([key, value]) => `    ${key}: ${value}\n`)
  .join("")}spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /*
        pathType: ImplementationSpecific
        backend: ${apiVersion.endsWith("v1") ? "{service: {name: web, port: {number: 80}}}" : "{serviceName: web, servicePort: 80}"}
`;

const judged = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`);
const TAKEN = (from: string, to: string) =>
  `high listener.changed: Ingress shop/${to}: ${STATIC_IP} shop-ip, held by Ingress shop/${from} until now: clients and DNS records of that address reach this Ingress's hosts and paths instead, on its own load balancer once the old one releases the address`;

describe("a static address moved from one GKE Ingress to another", () => {
  const OLD = { "old.yaml": ingress("web", { [STATIC_IP]: "shop-ip" }) };

  it("an Ingress renamed with its address: the address moves to the new load balancer (and the old one's routes are gone)", () => {
    const found = judged(OLD, { "old.yaml": ingress("web-v2", { [STATIC_IP]: "shop-ip" }) });
    expect(found).toContainEqual(TAKEN("web", "web-v2"));
    expect(found).toContainEqual(expect.stringMatching(/^high route\.removed: shop\.example\.com via Ingress shop\/web: /));
  });

  it("an address one Ingress lets go of and another, already there, now names: both are said", () => {
    const base = { ...OLD, "new.yaml": ingress("web-next", {}) };
    const found = judged(base, { "old.yaml": ingress("web", {}), "new.yaml": ingress("web-next", { [STATIC_IP]: "shop-ip" }) });
    expect(found).toEqual([
      TAKEN("web", "web-next"),
      `high listener.changed: Ingress shop/web: ${STATIC_IP} shop-ip → (unset: an ephemeral address): its load balancer answers at another address, and clients or DNS records of the old one stop reaching its hosts`,
    ]);
  });

  it("an address another Ingress keeps is not taken: a new Ingress naming it too is only a new route", () => {
    const found = judged(OLD, { ...OLD, "new.yaml": ingress("web-next", { [STATIC_IP]: "shop-ip" }) });
    expect(found.map((line) => line.split(":")[0])).toEqual(["medium route.added"]);
  });

  it("the Ingress that holds it, moved to another file or promoted from extensions/v1beta1, keeps it", () => {
    expect(judged(OLD, { "moved/web.yaml": OLD["old.yaml"] })).toEqual([]);
    const beta = { "old.yaml": ingress("web", { [STATIC_IP]: "shop-ip" }, "extensions/v1beta1") };
    expect(judged(beta, OLD).filter((line) => line.includes("listener.changed"))).toEqual([]);
  });

  it("regional addresses are their own names: a global address of the same name is another", () => {
    const regional = "kubernetes.io/ingress.regional-static-ip-name";
    const base = { "old.yaml": ingress("web", { [regional]: "shop-ip" }) };
    const head = { "old.yaml": ingress("web", { [regional]: "shop-ip" }), "new.yaml": ingress("web-next", { [STATIC_IP]: "shop-ip" }) };
    expect(judged(base, head).filter((line) => line.includes("listener.changed"))).toEqual([]);
  });
});
