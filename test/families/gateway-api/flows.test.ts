import { describe, expect, it } from "vitest";
import type { ManifestSet } from "../../../src/core/resource.js";
import { gatewayApiRules } from "../../../src/families/gateway-api/flows.js";
import { gatewayApiFamily } from "../../../src/families/gateway-api/index.js";
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

/** An HTTPRoute with one rule, written as given. */
const route = (rule: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: web, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: [web.example.com]
  rules:
  - ${rule}`;

describe("HTTPRoute matches and redirects written two ways that mean the same", () => {
  const judged = (before: string, after: string) => classesOf(analyze({ "r.yaml": route(before) }, { "r.yaml": route(after) }));

  it("a PathPrefix ignores a trailing slash; an Exact path does not", () => {
    const prefix = (value: string) =>
      `matches: [{ path: { type: PathPrefix, value: "${value}" } }]\n    backendRefs: [{ name: api, port: 80 }]`;
    expect(judged(prefix("/api/"), prefix("/api"))).toEqual(["resource.changed"]);
    expect(judged(prefix("/api"), prefix("/apis"))).toContain("route.match-changed");
    const exact = (value: string) => `matches: [{ path: { type: Exact, value: "${value}" } }]\n    backendRefs: [{ name: api, port: 80 }]`;
    expect(judged(exact("/api/"), exact("/api"))).toContain("route.match-changed");
  });

  it("header names match case-insensitively; their values and query parameter names do not", () => {
    const header = (name: string, value = "always") =>
      `matches: [{ headers: [{ name: ${name}, value: ${value} }] }]\n    backendRefs: [{ name: canary, port: 80 }]`;
    expect(judged(header("X-Canary"), header("x-canary"))).toEqual(["resource.changed"]);
    expect(judged(header("X-Canary"), header("X-Canary", "Always"))).toContain("route.match-changed");
    const query = (name: string) =>
      `matches: [{ queryParams: [{ name: ${name}, value: "1" }] }]\n    backendRefs: [{ name: canary, port: 80 }]`;
    expect(judged(query("Debug"), query("debug"))).toContain("route.match-changed");
  });

  it("a RequestRedirect is where it sends clients: statusCode (302 by default) and a scheme's well-known port written out or edited move no request", () => {
    const redirect = (fields: string) => `filters: [{ type: RequestRedirect, requestRedirect: { hostname: shop.example.com${fields} } }]`;
    expect(judged(redirect(""), redirect(", statusCode: 302"))).toEqual(["resource.changed"]);
    expect(judged(redirect(", scheme: https"), redirect(", scheme: https, port: 443"))).toEqual(["resource.changed"]);
    const status = analyze({ "r.yaml": route(redirect(", statusCode: 301")) }, { "r.yaml": route(redirect(", statusCode: 302")) });
    expect(status.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "low"]]);
    const permanent = analyze({ "r.yaml": route(redirect("")) }, { "r.yaml": route(redirect(", statusCode: 301")) });
    expect(permanent.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "medium"]]);
    expect(judged(redirect(", scheme: https"), redirect(", scheme: https, port: 8443"))).toContain("route.match-changed");
    // Without a scheme the port is the listener's, which 443 need not be.
    expect(judged(redirect(""), redirect(", port: 443"))).toContain("route.match-changed");
  });
});

describe("a rule with a RequestRedirect answers requests itself, whatever backendRefs it lists", () => {
  const redirect = (target: string, backend?: string) =>
    route(
      `filters: [{ type: RequestRedirect, requestRedirect: { ${target} } }]${backend ? `\n    backendRefs: [{ name: ${backend}, port: 80 }]` : ""}`,
    );
  const found = (base: string, head: string) => {
    const result = analyze({ "r.yaml": base }, { "r.yaml": head });
    return { ...result, risks: result.findings.map((finding) => [finding.class, finding.risk]) };
  };

  it("backendRefs dropped beside the redirect move no request: the redirect answered them before too", () => {
    const result = found(redirect("scheme: https", "web"), redirect("scheme: https"));
    expect(result.routeDiffs).toEqual([]);
    expect(result.risks).toEqual([["resource.changed", "low"]]);
  });

  it("backendRefs written beside a redirect: the CRD refuses the route (manifest.invalid at the rule's backendRefs)", () => {
    const result = found(redirect("scheme: https"), redirect("scheme: https", "web"));
    expect(result.routeDiffs).toEqual([]);
    expect(result.risks).toEqual([["manifest.invalid", "high"]]);
    expect(result.findings[0]).toMatchObject({ line: 9 });
    expect(result.findings[0]!.summary).toContain("rule PathPrefix /: a RequestRedirect filter beside backendRefs");
  });

  it("a redirect added to a rule that forwarded moves its requests, and is refused", () => {
    const result = found(route("backendRefs: [{ name: web, port: 80 }]"), redirect("scheme: https", "web"));
    expect(result.risks).toContainEqual(["manifest.invalid", "high"]);
    expect(
      result.routeDiffs.map((diff) => [diff.base?.backends, diff.head?.backends].map((backends) => backends?.map((b) => b.label))),
    ).toEqual([[["web:80"], ['redirect {"port":443,"scheme":"https"}']]]);
  });

  it("both sides refused, only the unreachable backends edited: no traffic moves and no new refusal", () => {
    const result = found(redirect("scheme: https", "web"), redirect("scheme: https", "web-v2"));
    expect(result.routeDiffs).toEqual([]);
    expect(result.risks).toEqual([["resource.changed", "low"]]);
  });

  it("where the redirect sends clients is still judged beside backendRefs, as it is without them", () => {
    const result = found(redirect("hostname: a.example.com", "web"), redirect("hostname: b.example.com", "web"));
    const alone = found(redirect("hostname: a.example.com"), redirect("hostname: b.example.com"));
    // A redirect sends no request to a backend: the new target is the redirect check's, no backend's share.
    expect(result.risks.map(([kind]) => kind)).toEqual(["route.match-changed"]);
    expect(result.risks).toEqual(alone.risks);
  });
});

/** Gateway infra/public with one HTTP listener, and HTTPRoute shop/checkout on it. */
const gateway = (from: string, port = 80) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: example
  listeners: [{ name: http, protocol: HTTP, port: ${port}, allowedRoutes: { namespaces: { from: ${from} } } }]
`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: checkout, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules: [{ backendRefs: [{ name: checkout, port: 8080 }] }]
`;
const routeOf = (set: ManifestSet) => [...set.resources.values()].find((resource) => resource.id.kind === "HTTPRoute")!;

describe("a route's rules are a function of the route and its tree's entry points (its rule context)", () => {
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

  const context = (set: ManifestSet) => gatewayApiFamily.ruleContexts!.HTTPRoute!(set);

  it("one context for an equal tree, under which the model takes the base's flows; another when the Gateway changes", () => {
    const base = tree("All");
    const rules = gatewayApiRules(routeOf(base), base)!;
    const same = tree("All");
    expect(routeOf(same)).toBe(routeOf(base));
    expect(context(same)).toBe(context(base));
    const closed = tree("Same");
    expect(context(closed)).not.toBe(context(base));
    const reread = gatewayApiRules(routeOf(closed), closed)!;
    expect(rules.rules.map((rule) => rule.entry)).toEqual(["Gateway infra/public:http"]);
    // Rejected by the listener: the route lands nowhere on the Gateway.
    expect(reread.rules).toEqual([]);
  });

  it("reads the same rules again under the same context: nothing is kept between reads", () => {
    const base = tree("All");
    const rules = gatewayApiRules(routeOf(base), base)!;
    const again = gatewayApiRules(routeOf(base), base)!;
    expect(again).not.toBe(rules);
    expect(again).toEqual(rules);
  });
});

describe("the definition of its Gateway a route lands on, with those that are one object with it (Flow.entryCopy)", () => {
  const copies = (gateways: Record<string, string>) => {
    const set = loadManifests([...Object.entries(gateways).map(([path, text]) => ({ path, text })), { path: "a/route.yaml", text: ROUTE }]);
    return gatewayApiRules(routeOf(set), set)!.rules.map((rule) => rule.entryCopy);
  };

  it("its own file for a Gateway written once", () => {
    expect(copies({ "a/gateway.yaml": gateway("All", 80) })).toEqual([["a/gateway.yaml"]]);
  });

  it("its own file where another folder writes the Gateway otherwise; with it where the text is the same, or the folder", () => {
    expect(copies({ "a/gateway.yaml": gateway("All", 80), "b/gateway.yaml": gateway("All", 8080) })).toEqual([["a/gateway.yaml"]]);
    expect(copies({ "a/gateway.yaml": gateway("All", 80), "b/gateway.yaml": gateway("All", 80) })).toEqual([
      ["a/gateway.yaml", "b/gateway.yaml"],
    ]);
    expect(copies({ "a/gateway.yaml": gateway("All", 80), "a/gateway-v2.yaml": gateway("All", 8080) })).toEqual([
      ["a/gateway-v2.yaml", "a/gateway.yaml"],
    ]);
  });
});

describe("the copies of its Gateway a route may as well land on, where several differ and none is nearest (Flow.entryChoices)", () => {
  const choices = (gateways: Record<string, string>, at = "r/route.yaml") => {
    const set = loadManifests([...Object.entries(gateways).map(([path, text]) => ({ path, text })), { path: at, text: ROUTE }]);
    return gatewayApiRules(routeOf(set), set)!.rules.map((rule) => [rule.entryCopy, rule.entryChoices]);
  };

  it("each differing copy nearest alike, its own first; none where one is nearer", () => {
    const differing = { "a/gateway.yaml": gateway("All", 80), "b/gateway.yaml": gateway("All", 8080) };
    expect(choices(differing)).toEqual([[["a/gateway.yaml"], [["a/gateway.yaml"], ["b/gateway.yaml"]]]]);
    expect(choices(differing, "b/route.yaml")).toEqual([[["b/gateway.yaml"], undefined]]);
  });

  it("none where the copies nearest alike are one object (the same text)", () => {
    const same = { "a/gateway.yaml": gateway("All", 80), "b/gateway.yaml": gateway("All", 80) };
    expect(choices(same)).toEqual([[["a/gateway.yaml", "b/gateway.yaml"], undefined]]);
  });
});
