import { describe, expect, it } from "vitest";
import { servicePorts, withNamedPortsNumbered, type ServicePorts } from "../../src/diff/named-ports.js";
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
    const ports = new Map([
      ["web:http", { number: 80, target: "8080" }],
      ["web:80", { number: 80, target: "8080" }],
      ["api:grpc", { number: 9000, target: "9000" }],
    ]);
    const asked: string[] = [];
    const numberOf: ServicePorts = ({ service }, port) => (asked.push(`${service}:${port}`), ports.get(`${service}:${port}`));
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
    // The name read off the head's Service, its number off the base's: the same pods' port.
    expect(asked).toEqual(["web:http", "web:80"]);
    // Left as it was, the head's flow is the base's: neither side reads its Service.
    const same = analyze({ "i.yaml": ingress("{number: 80}") }, { "i.yaml": ingress("{number: 80}") });
    asked.length = 0;
    const unchanged = withNamedPortsNumbered({ base: same.base.model, head: same.head.model }, { base: numberOf, head: numberOf });
    expect([unchanged.base, unchanged.head]).toEqual([same.base.model, same.head.model]);
    expect(asked).toEqual([]);
  });

  it("reads the number off the Service's declarations in the backend's namespace; copies that number it apart leave it as written", () => {
    const services: Record<string, DeclaredService[]> = {
      web: [declared("web", [{ name: "http", port: 80, targetPort: "web" }]), declared("web", [{ name: "http", port: 8080 }], "other")],
      api: [declared("api", [{ name: "grpc", port: 9000 }]), declared("api", [{ name: "grpc", port: 9001 }])],
    };
    const ports = servicePorts((name) => services[name] ?? []);
    const port = (service: string, named: string | number) => ports({ namespace: "shop", service }, named);
    expect([port("web", "http"), port("web", 80), port("web", "metrics"), port("api", "grpc"), port("cart", "http")]).toEqual([
      { number: 80, target: "web" },
      { number: 80, target: "web" },
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("pairs a name with a number only where both trees send that number to the same pods' port", () => {
    const service = (ports: string) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: ${ports}
`;
    const cutover = (base: [string, string], head: [string, string]) =>
      analyze(
        { "i.yaml": ingress(base[0]), "s.yaml": service(base[1]) },
        { "i.yaml": ingress(head[0]), "s.yaml": service(head[1]) },
      ).findings.filter(({ class: found }) => found === "backend.weight-changed").length;
    const ports = "[{name: http, port: 80, targetPort: 8080}, {name: grpc, port: 81, targetPort: 9090}]";
    // rollouts-demo c2e4167c0f: `80` written `{name: http}`, the Service as it was.
    expect(cutover(["{number: 80}", ports], ["{name: http}", ports])).toBe(0);
    // The names swapped onto the other numbers while the Ingress moves from `http` to `grpc`: port 80 now sends to 9090.
    const swapped = "[{name: grpc, port: 80, targetPort: 9090}, {name: http, port: 81, targetPort: 8080}]";
    expect(cutover(["{name: http}", ports], ["{name: grpc}", swapped])).toBe(1);
    // A port renamed with its Ingress, still sending to 8080, is the same backend.
    const renamed = "[{name: web, port: 80, targetPort: 8080}, {name: grpc, port: 81, targetPort: 9090}]";
    expect(cutover(["{name: http}", ports], ["{name: web}", renamed])).toBe(0);
  });
});
