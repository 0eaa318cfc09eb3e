import { describe, expect, it } from "vitest";
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
