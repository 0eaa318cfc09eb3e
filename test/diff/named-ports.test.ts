import { describe, expect, it } from "vitest";
import { servicePortNumbers, withNamedPortsNumbered } from "../../src/diff/named-ports.js";
import type { DeclaredService } from "../../src/core/declared-services.js";
import { analyze } from "../helpers/review-trees.js";

const ingress = (port: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: ${port}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {name: grpc}}}}
`;

const declared = (name: string, ports: unknown[], namespace = "shop"): DeclaredService => ({
  name,
  namespace,
  file: `${name}.yaml`,
  source: { file: `${name}.yaml`, line: 1, text: "" },
  spec: { ports },
  annotations: {},
});

describe("backends naming a Service port by name, numbered as the tree's Service numbers it", () => {
  it("gives each the key it would have by number; a flow the head shares with the base (/api, left as it was) is left as it is", () => {
    const { base, head } = analyze({ "i.yaml": ingress("{number: 80}") }, { "i.yaml": ingress("{name: http}") });
    const numbers = new Map([
      ["web:http", 80],
      ["api:grpc", 9000],
    ]);
    const asked: string[] = [];
    const numberOf = ({ service, name }: { service: string; name: string }) => (
      asked.push(`${service}:${name}`),
      numbers.get(`${service}:${name}`)
    );
    const models = withNamedPortsNumbered({ base: base.model, head: head.model }, { base: numberOf, head: numberOf });
    const backends = (model: typeof base.model) =>
      [...model.flows.values()].flatMap((flow) => flow.backends.map(({ key, numbered }) => [key, numbered]));
    expect(backends(models.head)).toEqual([
      ["/Service/shop/web:http", "/Service/shop/web:80"],
      ["/Service/shop/api:grpc", undefined],
    ]);
    expect(backends(models.base)).toEqual([
      ["/Service/shop/web:80", undefined],
      ["/Service/shop/api:grpc", undefined],
    ]);
    expect(asked).toEqual(["web:http"]);
    // Left as it was, the head's flow is the base's: neither side reads its Service.
    const same = analyze({ "i.yaml": ingress("{number: 80}") }, { "i.yaml": ingress("{number: 80}") });
    asked.length = 0;
    const unchanged = withNamedPortsNumbered({ base: same.base.model, head: same.head.model }, { base: numberOf, head: numberOf });
    expect([unchanged.base, unchanged.head]).toEqual([same.base.model, same.head.model]);
    expect(asked).toEqual([]);
  });

  it("reads the number off the Service's declarations in the backend's namespace; copies that number it apart leave it as written", () => {
    const services: Record<string, DeclaredService[]> = {
      web: [declared("web", [{ name: "http", port: 80 }]), declared("web", [{ name: "http", port: 8080 }], "other")],
      api: [declared("api", [{ name: "grpc", port: 9000 }]), declared("api", [{ name: "grpc", port: 9001 }])],
    };
    const numberOf = servicePortNumbers((name) => services[name] ?? []);
    const port = (service: string, name: string) => numberOf({ namespace: "shop", service, name, keyWithout: "" });
    expect([port("web", "http"), port("web", "metrics"), port("api", "grpc"), port("cart", "http")]).toEqual([
      80,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
