import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Flow } from "../../../src/core/traffic-model.js";
import { analyze, classesOf } from "../../helpers/review-trees.js";

/** Flows only through admitted attachments (Gateway API route attachment, hostname intersection, precedence). */

type Tree = Record<string, string>;
const fixture = (name: string): string => readFileSync(path.resolve(import.meta.dirname, "../../fixtures/gateway-api", name), "utf8");

/** `HTTPRoute ns/name @ entry host match`, served flows first, in key order. */
const flowsOf = (tree: Tree): string[] =>
  [...analyze({}, tree).head.model.flows.values()]
    .map(
      (flow) =>
        `${flow.resource.kind} ${flow.resource.namespace}/${flow.resource.name} @ ${flow.entry} ${flow.host} ${flow.match}${flow.shadowedBy ? ` (shadowed by ${flow.shadowedBy})` : ""}`,
    )
    .sort();

const gateway = (listeners: string, name = "public", namespace = "infra") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  gatewayClassName: eg
  listeners:
${listeners}`;

const listener = (name: string, extra = "", protocol = "HTTP", port = 80) => `  - name: ${name}
    protocol: ${protocol}
    port: ${port}
${extra}`;

const FROM_ALL = "    allowedRoutes: { namespaces: { from: All } }\n";

const route = ({
  name = "checkout",
  namespace = "shop",
  parent = "{ name: public, namespace: infra }",
  hostnames = "[shop.example.com]",
  path = "/",
  backend = "checkout",
  kind = "HTTPRoute",
  extra = "",
} = {}) => `apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: { name: ${name}, namespace: ${namespace}${extra} }
spec:
  parentRefs: [${parent}]
  hostnames: ${hostnames}
  rules:
  - matches: [{ path: { type: PathPrefix, value: ${path} } }]
    backendRefs: [{ name: ${backend}, port: 8080 }]`;

describe("envoyproxy/gateway translator test data (test/fixtures/gateway-api)", () => {
  it("hostname intersection: a route hostname no listener hostname intersects gives no flow; a narrower listener isolates its hostnames", () => {
    // Envoy Gateway's .out.yaml: httproute-1 serves bar.com on empty-hostname, httproute-2 serves *.example.com on wildcard-example-com.
    expect(flowsOf({ "gw.yaml": fixture("hostname-intersection.yaml") })).toEqual([
      "HTTPRoute envoy-gateway/httproute-1 @ Gateway envoy-gateway/gateway-1:empty-hostname bar.com PathPrefix /empty-hostname",
      "HTTPRoute envoy-gateway/httproute-2 @ Gateway envoy-gateway/gateway-1:wildcard-example-com *.example.com PathPrefix /wildcard-example-com",
    ]);
  });

  it("a parentRef without sectionName attaches to every listener, each with its own hostname (attachedRoutes 2 on both)", () => {
    expect(flowsOf({ "gw.yaml": fixture("two-listeners-two-routes.yaml") })).toEqual([
      "HTTPRoute default/httproute-1 @ Gateway envoy-gateway/gateway-1:http-1 foo.com PathPrefix /",
      "HTTPRoute default/httproute-1 @ Gateway envoy-gateway/gateway-1:http-2 bar.com PathPrefix /",
      "HTTPRoute default/httproute-2 @ Gateway envoy-gateway/gateway-1:http-1 foo.com PathPrefix /test",
      "HTTPRoute default/httproute-2 @ Gateway envoy-gateway/gateway-1:http-2 bar.com PathPrefix /test",
    ]);
  });

  it.each([
    ["disallowed-namespace.yaml", "listener http admits only routes from namespace envoy-gateway"],
    ["disallowed-kind.yaml", "listener http admits FooRoute, not HTTPRoute"],
  ])("%s: NotAllowedByListeners, so no flow, and the graph says why", (file, reason) => {
    const { head, graphs } = analyze({}, { "gw.yaml": fixture(file) });
    expect(head.model.flows.size).toBe(0);
    expect(head.model.routes.get("gateway.networking.k8s.io/HTTPRoute/default/httproute-1")?.entries).toEqual([]);
    expect(graphs.head.attachments.map((a) => [a.status, a.reason])).toEqual([["rejected", `Gateway envoy-gateway/gateway-1: ${reason}`]]);
  });
});

describe("which listeners a parentRef selects", () => {
  const twoListeners = gateway(listener("http", FROM_ALL) + listener("admin", FROM_ALL, "HTTP", 8080));

  it.each([
    ["sectionName", "{ name: public, namespace: infra, sectionName: admin }", ["Gateway infra/public:admin"]],
    ["port", "{ name: public, namespace: infra, port: 8080 }", ["Gateway infra/public:admin"]],
    ["neither", "{ name: public, namespace: infra }", ["Gateway infra/public:admin", "Gateway infra/public:http"]],
  ])("by %s", (_, parent, entries) => {
    const flows = [...analyze({}, { "gw.yaml": twoListeners, "r.yaml": route({ parent }) }).head.model.flows.values()];
    expect(flows.map((flow) => flow.entry).sort()).toEqual(entries);
  });

  describe("a listener whose hostnames a narrower listener on its port takes whole is not where the route lands (listener isolation)", () => {
    const shared = gateway(
      listener("wildcard", `    hostname: "*.example.com"\n${FROM_ALL}`, "HTTPS", 443) +
        listener("pay", `    hostname: pay.example.com\n${FROM_ALL}`, "HTTPS", 443),
    );
    const pay = (parent: string) => ({ "gw.yaml": shared, "r.yaml": route({ parent, hostnames: "[pay.example.com]" }) });

    it("port 443 selects both listeners; pay.example.com lands on the narrower one only", () => {
      const { head } = analyze({}, pay("{ name: public, namespace: infra, port: 443 }"));
      expect(head.model.routes.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout")?.entries).toEqual(["Gateway infra/public:pay"]);
    });

    it("sectionName pay → port 443 moves nothing; → the wildcard listener detaches the route, and attaches it nowhere", () => {
      const bySection = pay("{ name: public, namespace: infra, sectionName: pay }");
      const byPort = analyze(bySection, pay("{ name: public, namespace: infra, port: 443 }"));
      expect([byPort.routeDiffs, classesOf(byPort).filter((cls) => cls !== "resource.changed")]).toEqual([[], []]);
      const moved = analyze(bySection, pay("{ name: public, namespace: infra, sectionName: wildcard }"));
      expect(moved.findings.filter((finding) => finding.class === "route.attachment-changed").map((finding) => finding.summary)).toEqual([
        "HTTPRoute shop/checkout: detached from Gateway infra/public:pay",
      ]);
    });
  });

  it("a sectionName no listener has attaches nowhere", () => {
    expect(
      flowsOf({ "gw.yaml": twoListeners, "r.yaml": route({ parent: "{ name: public, namespace: infra, sectionName: https }" }) }),
    ).toEqual([]);
  });

  it("a Gateway the repository does not hold is taken as written, unverified", () => {
    const [flow] = analyze({}, { "r.yaml": route() }).head.model.flows.values();
    expect([flow?.entry, flow?.host, flow?.unverified]).toEqual([
      "Gateway infra/public",
      "shop.example.com",
      "Gateway infra/public is not in the tree",
    ]);
  });
});

describe("what a listener admits", () => {
  it("allowedRoutes Same is the default: the Gateway's own namespace only", () => {
    const tree = { "gw.yaml": gateway(listener("http")), "a.yaml": route(), "b.yaml": route({ name: "status", namespace: "infra" }) };
    expect(flowsOf(tree)).toEqual(["HTTPRoute infra/status @ Gateway infra/public:http shop.example.com PathPrefix /"]);
  });

  it("a namespace selector the tree cannot judge (no Namespace defined): the flow is kept and says it is unverified", () => {
    const selector = "    allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { shared: 'true' } } } }\n";
    const [flow] = analyze({}, { "gw.yaml": gateway(listener("http", selector)), "r.yaml": route() }).head.model.flows.values();
    expect(flow?.entry).toBe("Gateway infra/public:http");
    expect(flow?.unverified).toBe(
      "listener http admits namespaces by label selector, and the tree does not define Namespace shop (or defines it with different labels)",
    );
  });

  describe("a namespace selector judged by the Namespace the tree defines (gateway-api e6d961975d)", () => {
    const selector =
      "    allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { expose: 'true' }, matchExpressions: [{ key: team, operator: In, values: [shop, pay] }] } } }\n";
    const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { ${labels} } }\n`;
    const tree = (labels: string) => ({ "gw.yaml": gateway(listener("http", selector)), "r.yaml": route(), "ns.yaml": namespace(labels) });

    it("matching labels admit the route; others reject it", () => {
      const [admitted] = analyze({}, tree("expose: 'true', team: shop")).head.model.flows.values();
      expect(admitted?.entry).toBe("Gateway infra/public:http");
      expect(admitted?.unverified).toBeUndefined();
      expect(flowsOf(tree("expose: 'false', team: shop"))).toEqual([]);
      expect(flowsOf(tree("expose: 'true', team: ops"))).toEqual([]);
    });

    it("relabelling the Namespace so the listener admits its route attaches the route: high, not a silent pass", () => {
      const result = analyze(tree("expose: 'false', team: shop"), tree("expose: 'true', team: shop"));
      expect(result.findings.map((finding) => [finding.class, finding.risk, finding.summary])).toEqual([
        ["route.attachment-changed", "high", "HTTPRoute shop/checkout: attached to Gateway infra/public:http"],
        ["resource.changed", "low", "Namespace shop: metadata.labels.expose: false → true"],
      ]);
    });
  });

  describe("the kubernetes.io/metadata.name label every Namespace carries (gateway-api examples/standard/http-route-attachment/gateway-strict.yaml)", () => {
    const strict =
      "    allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: shop } } } }\n";
    const unlabelled = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";

    it("admits the route of the namespace it names, whether or not the tree defines that Namespace", () => {
      for (const namespaces of [{}, { "ns.yaml": unlabelled }] as Tree[]) {
        const [flow] = analyze(
          {},
          { "gw.yaml": gateway(listener("http", strict)), "r.yaml": route(), ...namespaces },
        ).head.model.flows.values();
        expect(flow?.entry).toBe("Gateway infra/public:http");
        expect(flow?.unverified).toBeUndefined();
      }
    });

    it("rejects a route of another namespace, defined or not, and a label written with another value does not override the API server's", () => {
      const other = route({ namespace: "pay" });
      expect(flowsOf({ "gw.yaml": gateway(listener("http", strict)), "r.yaml": other })).toEqual([]);
      const forged = "apiVersion: v1\nkind: Namespace\nmetadata: { name: pay, labels: { kubernetes.io/metadata.name: shop } }\n";
      expect(flowsOf({ "gw.yaml": gateway(listener("http", strict)), "r.yaml": other, "ns.yaml": forged })).toEqual([]);
    });

    it("adding the unlabelled Namespace manifests of namespaces that exist detaches nothing; deleting the admitted route removes its flow", () => {
      const tree = { "gw.yaml": gateway(listener("http", strict)), "r.yaml": route() };
      expect(classesOf(analyze(tree, { ...tree, "ns.yaml": unlabelled }))).toEqual(["resource.changed"]);
      expect(classesOf(analyze(tree, { "gw.yaml": tree["gw.yaml"] }))).toContain("route.removed");
    });

    it("a selector that also tests a label the tree does not show stays unknown for a namespace it does not define", () => {
      const both =
        "    allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: shop, shared: 'true' } } } }\n";
      const [flow] = analyze({}, { "gw.yaml": gateway(listener("http", both)), "r.yaml": route() }).head.model.flows.values();
      expect(flow?.unverified).toContain("the tree does not define Namespace shop");
      expect(flowsOf({ "gw.yaml": gateway(listener("http", both)), "r.yaml": route({ namespace: "pay" }) })).toEqual([]);
    });
  });

  it("a selector does not save a route whose hostnames the listener rejects", () => {
    const selector = "    hostname: api.example.com\n    allowedRoutes: { namespaces: { from: Selector, selector: {} } }\n";
    expect(flowsOf({ "gw.yaml": gateway(listener("http", selector)), "r.yaml": route() })).toEqual([]);
  });

  it("kinds default to the listener protocol's: GRPCRoute on HTTPS, never TLSRoute on HTTP", () => {
    const tree = {
      "gw.yaml": gateway(listener("web", FROM_ALL, "HTTPS", 443)),
      "grpc.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: orders, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules: [{ backendRefs: [{ name: orders, port: 9000 }] }]`,
      "tls.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: { name: db, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: [db.example.com]
  rules: [{ backendRefs: [{ name: db, port: 5432 }] }]`,
    };
    expect(flowsOf(tree)).toEqual(["GRPCRoute shop/orders @ Gateway infra/public:web * grpc */*"]);
  });

  it.each([
    ["*.example.com", "[shop.example.com, example.com]", ["shop.example.com"]],
    ["*.example.com", "['*.com']", ["*.example.com"]],
    ["shop.example.com", "['*.example.com']", ["shop.example.com"]],
    ["*.example.com", "[]", ["*.example.com"]],
  ])("listener %s with route hostnames %s serves %j", (hostname, hostnames, hosts) => {
    const tree = { "gw.yaml": gateway(listener("http", `    hostname: '${hostname}'\n${FROM_ALL}`)), "r.yaml": route({ hostnames }) };
    expect([...analyze({}, tree).head.model.flows.values()].map((flow) => flow.host)).toEqual(hosts);
  });
});

describe("routes claiming the same listener, host and match", () => {
  const gw = { "gw.yaml": gateway(listener("http", FROM_ALL)) };
  const shop = (name: string, backend: string, extra = "") => route({ name, backend, extra });
  const served = (flows: Iterable<Flow>) =>
    [...flows].filter((flow) => !flow.shadowedBy).map((flow) => `${flow.resource.name} → ${flow.backends[0]?.label}`);

  it("stay two flows: the first by namespace/name takes the requests, the other is shadowed by it", () => {
    expect(flowsOf({ ...gw, "b.yaml": shop("b", "svc-b"), "a.yaml": shop("a", "svc-a") })).toEqual([
      "HTTPRoute shop/a @ Gateway infra/public:http shop.example.com PathPrefix /",
      "HTTPRoute shop/b @ Gateway infra/public:http shop.example.com PathPrefix / (shadowed by HTTPRoute shop/a)",
    ]);
  });

  it("the oldest route wins when both creation times are known", () => {
    const tree = {
      ...gw,
      "a.yaml": shop("a", "svc-a", ", creationTimestamp: '2024-05-01T00:00:00Z'"),
      "b.yaml": shop("b", "svc-b", ", creationTimestamp: 2023-01-01T00:00:00Z"),
    };
    expect(served(analyze({}, tree).head.model.flows.values())).toEqual(["b → svc-b:8080"]);
  });

  it("a route ranked second by name alone may be the one serving: its own re-weighting is compared, saying so (gateway-api conformance weighted-backends)", () => {
    const base = { ...gw, "a.yaml": shop("a", "svc-a"), "b.yaml": shop("b", "svc-b") };
    const result = analyze(base, { ...base, "b.yaml": shop("b", "svc-b2") });
    expect(result.routeDiffs.map((diff) => [diff.status, diff.base?.resource.name, diff.head?.resource.name])).toEqual([
      ["changed", "b", "b"],
    ]);
    expect(result.findings.filter((f) => f.class.startsWith("backend.")).map((f) => f.summary)).toEqual([
      expect.stringContaining(
        "(if this rule serves: HTTPRoute shop/a is ranked first by name alone, and which serves depends on which was created first)",
      ),
    ]);
    // Ranked second by known age (the oldest wins), its change reaches no request.
    const dated = (name: string, backend: string, at: string) => shop(name, backend, `, creationTimestamp: '${at}'`);
    const aged = { ...gw, "a.yaml": dated("a", "svc-a", "2023-01-01T00:00:00Z"), "b.yaml": dated("b", "svc-b", "2024-01-01T00:00:00Z") };
    expect(analyze(aged, { ...aged, "b.yaml": dated("b", "svc-b2", "2024-01-01T00:00:00Z") }).routeDiffs).toEqual([]);
  });

  it("a route added behind another changes no flow of the others (no phantom route.added, no mixed backends)", () => {
    const base = { ...gw, "a.yaml": shop("a", "svc-a"), "c.yaml": shop("c", "svc-c") };
    const result = analyze(base, { ...base, "b.yaml": shop("b", "svc-b") });
    expect(result.routeDiffs).toEqual([]);
    expect(classesOf(result).filter((cls) => cls.startsWith("route.") || cls.startsWith("backend."))).toEqual([]);
  });

  it("a route the PR adds is younger than the base's: it is shadowed even when its name sorts first", () => {
    // As in envoyproxy/gateway c16ddd35fb: a new route claiming an existing route's path on the same listener.
    const base = { ...gw, "rewrite.yaml": shop("rewrite-host", "backend-fqdn") };
    const result = analyze(base, { ...base, "override.yaml": shop("override-source", "infra-backend") });
    expect(served(result.head.model.flows.values())).toEqual(["rewrite-host → backend-fqdn:8080"]);
    expect(result.routeDiffs).toEqual([]);
  });

  it("removing the winner hands its requests to the shadowed route: a backend change, not a removal", () => {
    const base = { ...gw, "a.yaml": shop("a", "svc-a"), "b.yaml": shop("b", "svc-b") };
    const result = analyze(base, { ...gw, "b.yaml": shop("b", "svc-b") });
    expect(
      result.routeDiffs.map((diff) => [
        diff.status,
        diff.base?.resource.name,
        diff.head?.resource.name,
        diff.backends.map((b) => [b.label, b.before, b.after]),
      ]),
    ).toEqual([
      [
        "changed",
        "a",
        "b",
        [
          ["svc-a:8080", 1, undefined],
          ["svc-b:8080", undefined, 1],
        ],
      ],
    ]);
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("different paths on one listener are separate flows, both served", () => {
    const tree = {
      ...gw,
      "a.yaml": route({ name: "a", backend: "svc-a" }),
      "b.yaml": route({ name: "b", backend: "svc-b", path: "/api" }),
    };
    expect(served(analyze({}, tree).head.model.flows.values()).sort()).toEqual(["a → svc-a:8080", "b → svc-b:8080"]);
  });
});

describe("attachment changes are traffic changes", () => {
  const admitting = { "gw.yaml": gateway(listener("http", FROM_ALL)) };
  const same = { "gw.yaml": gateway(listener("http")) };
  const shop = { "r.yaml": route() };

  it("a listener that stops admitting a route detaches it: route.attachment-changed, not route.removed", () => {
    const result = analyze({ ...admitting, ...shop }, { ...same, ...shop });
    const detached = result.findings.filter((finding) => finding.class === "route.attachment-changed");
    expect(detached.map((finding) => finding.summary)).toEqual(["HTTPRoute shop/checkout: detached from Gateway infra/public:http"]);
    expect(classesOf(result)).not.toContain("route.removed");
    expect(classesOf(result)).toContain("reference.broken");
  });

  it("and one that starts admitting it attaches it", () => {
    const result = analyze({ ...same, ...shop }, { ...admitting, ...shop });
    expect(result.findings.filter((finding) => finding.class === "route.attachment-changed").map((finding) => finding.summary)).toEqual([
      "HTTPRoute shop/checkout: attached to Gateway infra/public:http",
    ]);
  });

  it("a route that is not admitted at base or head changes no traffic when its rules change", () => {
    const result = analyze({ ...same, ...shop }, { ...same, "r.yaml": route({ backend: "checkout-v2" }) });
    expect(result.routeDiffs).toEqual([]);
  });
});

describe("the traffic graph and the model read one attachment", () => {
  it("every landing with hostnames has flows on its entry, and no flow is on an entry the graph does not land on", () => {
    const tree = {
      "gw.yaml": fixture("two-listeners-two-routes.yaml"),
      // Admitted by namespace, but shop.example.com intersects neither foo.com nor bar.com.
      "denied.yaml": route({ parent: "{ name: gateway-1, namespace: envoy-gateway }" }),
    };
    const { head, graphs } = analyze({}, tree);
    const landed = new Set(
      graphs.head.attachments.flatMap((a) => a.listeners.filter((l) => l.hostnames.length > 0).map((l) => `${a.route} ${l.entry}`)),
    );
    const flowed = new Set([...head.model.flows.values()].map((flow) => `${flow.resourceKey} ${flow.entry}`));
    expect([...flowed].sort()).toEqual([...landed].sort());
    expect(graphs.head.routesByGateway.get("gateway.networking.k8s.io/Gateway/envoy-gateway/gateway-1")).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/default/httproute-1",
      "gateway.networking.k8s.io/HTTPRoute/default/httproute-2",
    ]);
  });
});
