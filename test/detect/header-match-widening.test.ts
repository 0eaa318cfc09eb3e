import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

describe("a route rule's header match widened to any value captures every request carrying the header", () => {
  const route = (match: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: shop }
spec:
  parentRefs: [{ name: gw, namespace: infra }]
  hostnames: [web.example.com]
  rules:
  - matches: [{ headers: [${match}] }]
    backendRefs: [{ name: web-canary, port: 80 }]
  - backendRefs: [{ name: web-stable, port: 80 }]
`;
  const judged = (before: string, after: string) =>
    analyze({ "r.yaml": route(before) }, { "r.yaml": route(after) })
      .findings.filter((f) => f.class === "route.match-changed")
      .map((f) => [f.risk, f.summary]);

  it("a canary-by-header rule taking every user agent is high", () => {
    expect(judged("{ name: x-canary, value: 'true' }", "{ name: user-agent, type: RegularExpression, value: '.*' }")).toEqual([
      [
        "high",
        "web.example.com via Gateway infra/gw: rule now captures PathPrefix /, header user-agent~.* (was PathPrefix /, header x-canary=true): its test of user-agent takes any value, so every request carrying it is captured",
      ],
    ]);
  });

  it("another value is the usual medium-high match change", () => {
    expect(judged("{ name: x-canary, value: 'true' }", "{ name: x-canary, value: 'yes' }").map(([risk]) => risk)).toEqual(["medium-high"]);
  });
});
