import { describe, expect, it } from "vitest";
import type { ManifestSet } from "../../../src/core/resource.js";
import { gatewayApiRules } from "../../../src/families/gateway-api/flows.js";
import { createManifestCache, loadManifests } from "../../../src/manifests/load-manifests.js";
import { analyze, classesOf } from "../../helpers/review-trees.js";

const grpcRoute = (method: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: orders, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{ method: { ${method} } }]
    backendRefs: [{ name: orders, port: 9000 }]`;

describe("GRPCRoute match signature", () => {
  it("method.type Exact → RegularExpression changes what the rule captures", () => {
    const exact = grpcRoute("service: shop.Orders, method: Get.*");
    const result = analyze({ "r.yaml": exact }, { "r.yaml": grpcRoute("type: RegularExpression, service: shop.Orders, method: Get.*") });
    expect(classesOf(result)).toContain("route.match-changed");
    expect(result.routeDiffs.map((diff) => [diff.base?.match, diff.head?.match])).toEqual([
      ["grpc shop.Orders/Get.*", "grpc ~shop.Orders/Get.*"],
    ]);
  });

  it("an explicit `type: Exact` is the default", () => {
    const result = analyze(
      { "r.yaml": grpcRoute("service: shop.Orders, method: Get") },
      { "r.yaml": grpcRoute("type: Exact, service: shop.Orders, method: Get") },
    );
    expect(result.routeDiffs).toEqual([]);
  });
});

describe("a route both trees share is read once while their entry points are equal", () => {
  const gateway = (from: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: example
  listeners: [{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: ${from} } } }]
`;
  const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: checkout, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules: [{ backendRefs: [{ name: checkout, port: 8080 }] }]
`;
  // One cache, as in a review: a document both trees hold is one resource.
  const cache = createManifestCache();
  const tree = (from: string) =>
    loadManifests(
      [
        { path: "gateway.yaml", text: gateway(from) },
        { path: "route.yaml", text: ROUTE },
      ],
      { cache },
    );
  const route = (set: ManifestSet) => [...set.resources.values()].find((resource) => resource.id.kind === "HTTPRoute")!;

  it("the same rules for an equal tree; read again, with the new landing, when the Gateway changes", () => {
    const base = tree("All");
    const rules = gatewayApiRules(route(base), base)!;
    const same = tree("All");
    expect(gatewayApiRules(route(same), same)).toBe(rules);
    const closed = tree("Same");
    const reread = gatewayApiRules(route(closed), closed)!;
    expect(reread).not.toBe(rules);
    expect(rules.rules.map((rule) => rule.entry)).toEqual(["Gateway infra/public:http"]);
    // Rejected by the listener: the route lands nowhere on the Gateway.
    expect(reread.rules).toEqual([]);
  });

  it("hands the rules over to the next tree's read and keeps nothing: a third read reads again", () => {
    const base = tree("All");
    const rules = gatewayApiRules(route(base), base)!;
    const head = tree("All");
    expect(gatewayApiRules(route(head), head)).toBe(rules);
    const again = gatewayApiRules(route(head), head)!;
    expect(again).not.toBe(rules);
    expect(again).toEqual(rules);
  });
});
