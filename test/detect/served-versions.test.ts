import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

const route = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: HTTPRoute
metadata: { name: shop, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules: [{ backendRefs: [{ name: shop, port: 80 }] }]
`;

const versionFindings = (from: string, to: string) =>
  analyze({ "route.yaml": route(from) }, { "route.yaml": route(to) })
    .findings.filter((finding) => finding.summary.includes("apiVersion"))
    .map(({ risk, summary, line }) => ({ risk, summary, line }));

describe("a resource moved to an API version its group never served", () => {
  it("fails the apply: high, on its apiVersion line (a version bump is otherwise no change)", () => {
    expect(versionFindings("gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v2")).toEqual([
      {
        risk: "high",
        line: 1,
        summary:
          "HTTPRoute shop/shop: apiVersion gateway.networking.k8s.io/v1 → gateway.networking.k8s.io/v2: gateway.networking.k8s.io serves no v2 (v1alpha2, v1alpha3, v1beta1, v1), so the apply fails, and a GitOps tool stops applying what it delivers with it",
      },
    ]);
  });

  it("a served version is a promotion, not a change", () => {
    expect(versionFindings("gateway.networking.k8s.io/v1beta1", "gateway.networking.k8s.io/v1")).toEqual([]);
  });
});
