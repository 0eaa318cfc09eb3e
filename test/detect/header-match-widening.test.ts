import { describe, expect, it } from "vitest";
import { httpRoute } from "../helpers/http-route-yaml.js";
import { analyze } from "../helpers/review-trees.js";

const route = (rules: string) => httpRoute(rules, { name: "web", hostname: "web.example.com", parent: "{ name: gw, namespace: infra }" });
const STABLE = "  - backendRefs: [{ name: web-stable, port: 80 }]\n";
const vs = (rules: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: web, namespace: shop }
spec:
  hosts: [web.shop.svc.cluster.local]
  http:
${rules}`;
const ISTIO_STABLE = "  - route: [{ destination: { host: web-stable } }]\n";
const canary = (match: string) => `  - matches: [{ ${match} }]\n    backendRefs: [{ name: web-canary, port: 80 }]\n`;

describe("a route rule's header match widened to any value captures every request carrying the header", () => {
  const judged = (before: string, after: string) =>
    analyze({ "r.yaml": route(canary(`headers: [${before}]`) + STABLE) }, { "r.yaml": route(canary(`headers: [${after}]`) + STABLE) })
      .findings.filter((f) => f.class === "route.match-changed")
      .map((f) => [f.risk, f.summary]);

  it("a canary-by-header rule taking every user agent is high", () => {
    expect(judged("{ name: x-canary, value: 'true' }", "{ name: user-agent, type: RegularExpression, value: '.*' }")).toEqual([
      [
        "high",
        "web.example.com via Gateway infra/gw: rule now captures PathPrefix /, header user-agent~.* (was PathPrefix /, header x-canary=true): its test of user-agent takes any value, so every request carrying it is captured; the rest of header x-canary=true now falls through to catch-all → web-stable:80 100%",
      ],
    ]);
  });

  it("another value is the usual medium-high match change", () => {
    expect(judged("{ name: x-canary, value: 'true' }", "{ name: x-canary, value: 'yes' }").map(([risk]) => risk)).toEqual(["medium-high"]);
  });
});

describe("a new rule whose header tests take any value, beside the rule serving its path", () => {
  const ANY_AGENT = "headers: [{ name: user-agent, type: RegularExpression, value: '.*' }]";
  const added = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.filter((f) => f.class === "route.added")
      .map((f) => [f.risk, f.summary]);

  it("takes every request carrying the header from it: high, in Gateway API wherever the rule is written", () => {
    const summary = (rules: string) => added({ "r.yaml": route(STABLE) }, { "r.yaml": route(rules) });
    expect(summary(canary(ANY_AGENT) + STABLE)).toEqual([
      [
        "high",
        "web.example.com header user-agent~.* via Gateway infra/gw: new rule → web-canary:80 100%: its test of user-agent takes any value, so every request carrying it is taken from the rule already serving this path (PathPrefix / → web-stable:80 100%)",
      ],
    ]);
    expect(summary(STABLE + canary(ANY_AGENT)).map(([risk]) => risk)).toEqual(["high"]);
  });

  it("not from a rule of another path, nor with a value told apart, nor after an Istio rule that takes them first", () => {
    const risks = (rules: string) => added({ "r.yaml": route(STABLE) }, { "r.yaml": route(rules) }).map(([risk]) => risk);
    expect(risks(STABLE + canary(`path: { type: PathPrefix, value: /beta }, ${ANY_AGENT}`))).toEqual(["medium"]);
    expect(risks(canary("headers: [{ name: x-canary, value: 'true' }]") + STABLE)).toEqual(["medium"]);
    const ISTIO_CANARY = "  - match: [{ headers: { user-agent: { regex: '.*' } } }]\n    route: [{ destination: { host: web-canary } }]\n";
    const istio = (rules: string) => added({ "vs.yaml": vs(ISTIO_STABLE) }, { "vs.yaml": vs(rules) }).map(([risk]) => risk);
    expect(istio(ISTIO_CANARY + ISTIO_STABLE)).toEqual(["high"]);
    // After the catch-all that takes them first it serves no request at all: no route added.
    expect(istio(ISTIO_STABLE + ISTIO_CANARY)).toEqual([]);
  });
});

describe("an Istio rule turned from a header's value to every request without it", () => {
  it("takes nearly every request: high", () => {
    const tested = (match: string) =>
      vs(`  - match: [{ ${match}: { x-canary: { exact: "true" } } }]\n    route: [{ destination: { host: web-canary } }]\n${ISTIO_STABLE}`);
    const result = analyze({ "vs.yaml": tested("headers") }, { "vs.yaml": tested("withoutHeaders") });
    expect(result.findings.filter((f) => f.class === "route.match-changed").map((f) => [f.risk, f.summary])).toEqual([
      [
        "high",
        "web.shop via mesh: rule now captures PathPrefix /, without-header x-canary=true (was PathPrefix /, header x-canary=true): its test without x-canary=true leaves out only that value, so nearly every request is captured; the rest of header x-canary=true now falls through to catch-all → web-stable 100%",
      ],
    ]);
  });
});
