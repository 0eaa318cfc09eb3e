import { describe, expect, it } from "vitest";
import { httpRoute } from "../helpers/http-route-yaml.js";
import { analyze, classesOf, corpusFile, describeCorpus } from "../helpers/review-trees.js";

const BOOKINFO = "istio__istio/samples/bookinfo/networking";

const checkoutRoute = (backends: string, extra = "") =>
  httpRoute(`  - matches: [{ path: { type: PathPrefix, value: /checkout } }]\n    backendRefs:\n${backends}\n${extra}`);

const ref = (name: string, weight?: number, kind = "ServiceImport") =>
  `    - { group: ${kind === "ServiceImport" ? "multicluster.x-k8s.io" : '""'}, kind: ${kind}, name: ${name}, port: 8080${weight === undefined ? "" : `, weight: ${weight}`} }`;

const TOPOLOGY = `topology:
  backendRegions: ["-(?<region>jkt|sgp|tyo)$"]
`;

describeCorpus("route diff on the bookinfo corpus", () => {
  it("reads 90/10 → 80/20 as a weight change, matched by subset, not as removed + added routes", () => {
    const result = analyze(
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-90-10.yaml`) },
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-80-20.yaml`) },
    );
    expect(classesOf(result)).toEqual(["backend.weight-changed"]);
    expect(result.findings[0]!.summary).toBe("reviews.default: v1 90% → 80%, v2 10% → 20%");
    expect(result.routeDiffs).toHaveLength(1);
    expect(result.routeDiffs[0]!.backends.map((b) => [b.label, b.before, b.after])).toEqual([
      ["reviews v1", 0.9, 0.8],
      ["reviews v2", 0.1, 0.2],
    ]);
  });

  it("reads the subset swap inside 80-20 → 50-v3 as a new backend taking half the flow from the old ones: a cutover (weight-changed)", () => {
    const result = analyze(
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-80-20.yaml`) },
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-50-v3.yaml`) },
    );
    expect(classesOf(result)).toEqual(["backend.weight-changed"]);
    expect(result.findings[0]!.risk).toBe("medium-high");
    expect(result.findings[0]!.summary).toContain("receives 50%, taken from the backends that served the flow: a cutover");
    expect(result.findings[0]!.summary).toContain("v3");
    expect(result.findings[0]!.summary).toContain("v2 20% → removed");
  });

  it("reads a header-match rule added in front of the default as route.added", () => {
    const result = analyze(
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-all-v1.yaml`) },
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-test-v2.yaml`) },
    );
    expect(classesOf(result)).toContain("route.added");
    const added = result.findings.find((f) => f.class === "route.added")!;
    expect(added.summary).toContain("header end-user=jason");
    expect(added.file).toBe("vs.yaml");
  });
});

describe("route diff of Gateway API routes", () => {
  it("scales of all weights by a constant are not a change (90/10 → 900/100)", () => {
    const result = analyze(
      { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("checkout-sgp", 10)}`) },
      { "r.yaml": checkoutRoute(`${ref("checkout-sgp", 100)}\n${ref("checkout-jkt", 900)}`) },
    );
    expect(result.findings).toEqual([]);
    expect(result.routeDiffs).toEqual([]);
  });

  it("an apiVersion bump is the same resource", () => {
    const route = checkoutRoute(`${ref("checkout-jkt")}`);
    const result = analyze(
      { "r.yaml": route },
      { "r.yaml": route.replace("gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1") },
    );
    expect(result.findings).toEqual([]);
  });

  it("a weight change shows per-backend and per-region shares", () => {
    const result = analyze(
      { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("checkout-sgp", 10)}`) },
      { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 50)}\n${ref("checkout-sgp", 50)}`) },
      TOPOLOGY,
    );
    expect(classesOf(result)).toEqual(["backend.weight-changed"]);
    expect(result.findings[0]!.summary).toBe(
      "shop.example.com /checkout: ServiceImport checkout-jkt:8080 90% → 50%, ServiceImport checkout-sgp:8080 10% → 50%",
    );
    expect(result.findings[0]!.line).toBe(8);
    expect(result.routeDiffs[0]!.regions).toEqual([
      { region: "jkt", before: 0.9, after: 0.5 },
      { region: "sgp", before: 0.1, after: 0.5 },
    ]);
  });

  it("a route inside a `kind: List` is read as kubectl applies it: its weight change is found", () => {
    const list = (route: string) =>
      `apiVersion: v1\nkind: List\nitems:\n${route
        .trimEnd()
        .split("\n")
        .map((line, index) => `${index === 0 ? "- " : "  "}${line}`)
        .join("\n")}\n`;
    const result = analyze(
      { "r.yaml": list(checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("checkout-sgp", 10)}`)) },
      { "r.yaml": list(checkoutRoute(`${ref("checkout-jkt", 50)}\n${ref("checkout-sgp", 50)}`)) },
      TOPOLOGY,
    );
    expect(classesOf(result)).toContain("backend.weight-changed");
  });

  it("a backend a rule lists twice receives both weights: one backend, not two copies of it", () => {
    const result = analyze(
      { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("canary-jkt", 10)}`) },
      { "r.yaml": checkoutRoute(`${ref("canary-jkt", 90)}\n${ref("canary-jkt", 10)}`) },
      TOPOLOGY,
    );
    expect(classesOf(result)).toEqual(["backend.weight-changed"]);
    expect(result.findings[0]!.summary).toBe(
      "shop.example.com /checkout: ServiceImport checkout-jkt:8080 90% → removed, ServiceImport canary-jkt:8080 10% → 100%",
    );
  });

  it("a backend in a new region is backend.region-added; in a known region backend.added", () => {
    const base = { "r.yaml": checkoutRoute(ref("checkout-jkt")) };
    const regionAdded = analyze(base, { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("checkout-sgp", 10)}`) }, TOPOLOGY);
    expect(classesOf(regionAdded)).toEqual(["backend.region-added"]);
    expect(regionAdded.findings[0]!.summary).toContain("in new region sgp receives 10%");
    expect(regionAdded.findings[0]!.risk).toBe("high");
    const sameRegion = analyze(
      base,
      { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 90)}\n${ref("checkout-canary-jkt", 10)}`) },
      TOPOLOGY,
    );
    expect(classesOf(sameRegion)).toEqual(["backend.added"]);
  });

  it("draining a region (weight 0) is backend.region-removed; all weights 0 is backend.all-removed", () => {
    const base = { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 50)}\n${ref("checkout-sgp", 50)}`) };
    const drained = analyze(base, { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 100)}\n${ref("checkout-sgp", 0)}`) }, TOPOLOGY);
    expect(classesOf(drained)).toEqual(["backend.region-removed"]);
    expect(drained.findings[0]!.summary).toContain("region sgp no longer receives traffic");
    const dead = analyze(base, { "r.yaml": checkoutRoute(`${ref("checkout-jkt", 0)}\n${ref("checkout-sgp", 0)}`) }, TOPOLOGY);
    expect(classesOf(dead)).toEqual(["backend.all-removed"]);
    expect(dead.findings[0]!.risk).toBe("critical");
  });

  it("a direct error response in place of every backend is backend.all-removed; one that serves (200) is not", () => {
    const vs = (action: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - ${action}
`;
    const base = { "vs.yaml": vs("route: [{destination: {host: shop}}]") };
    const outage = analyze(base, { "vs.yaml": vs("directResponse: {status: 503}") });
    expect(classesOf(outage)).toEqual(["backend.all-removed", "route.match-changed"]);
    expect(outage.findings[0]!.risk).toBe("critical");
    expect(outage.findings[0]!.summary).toContain("the proxy answers every request with 503");
    const page = analyze(base, { "vs.yaml": vs("directResponse: {status: 200, body: {string: ok}}") });
    // A page served in place of every backend takes the whole flow: a cutover.
    expect(classesOf(page).sort()).toEqual(["backend.weight-changed", "route.match-changed"]);
    // Already answering with an error at base: nothing is newly cut off.
    const still = analyze({ "vs.yaml": vs("directResponse: {status: 503}") }, { "vs.yaml": vs("directResponse: {status: 502}") });
    expect(classesOf(still)).toEqual(["resource.changed"]);
  });

  it("a direct response edited in place is the same one: its body or a success status moves nothing, an error status fails every request", () => {
    const vs = (status: number, body: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: shop, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [istio-system/public]\n  http:\n  - match: [{uri: {exact: /healthz}}]\n    directResponse: {status: ${status}, body: {string: ${body}}}\n  - route: [{destination: {host: shop}}]\n`;
    const edit = (status: number, body: string) => analyze({ "vs.yaml": vs(200, "ok") }, { "vs.yaml": vs(status, body) });
    expect(classesOf(edit(200, "healthy"))).toEqual(["resource.changed"]);
    expect(classesOf(edit(204, "ok"))).toEqual(["resource.changed"]);
    const failing = edit(503, "ok");
    expect(classesOf(failing)).toEqual(["backend.all-removed"]);
    expect(failing.findings[0]!.summary).toContain("the proxy answers every request with 503");
    expect(classesOf(analyze({ "vs.yaml": vs(503, "down") }, { "vs.yaml": vs(200, "ok") }))).toEqual(["resource.changed"]);
  });

  it("a changed path match is route.match-changed, not removed + added; the old path, served nowhere now, is route.removed", () => {
    const base = checkoutRoute(ref("checkout-jkt"));
    const result = analyze({ "r.yaml": base }, { "r.yaml": base.replace("value: /checkout", "value: /pay") });
    expect(classesOf(result)).toEqual(["route.match-changed", "route.removed"]);
    const summaryOf = (cls: string) => result.findings.find((finding) => finding.class === cls)!.summary;
    expect(summaryOf("route.match-changed")).toContain("PathPrefix /pay (was PathPrefix /checkout)");
    expect(summaryOf("route.removed")).toContain("PathPrefix /checkout no longer served");
  });

  it("moving a route to another Gateway is one route.attachment-changed", () => {
    const base = checkoutRoute(ref("checkout-jkt"));
    const result = analyze(
      { "r.yaml": base },
      { "r.yaml": base.replace("name: public, namespace: infra", "name: internal, namespace: infra") },
    );
    expect(classesOf(result)).toEqual(["route.attachment-changed"]);
    expect(result.findings[0]!.summary).toBe(
      "HTTPRoute shop/checkout: attached to Gateway infra/internal; detached from Gateway infra/public",
    );
  });

  it("moved from a Gateway the repository holds to one it does not, the route names it: it is not attached there", () => {
    const gateway =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: public, namespace: infra }\nspec:\n  gatewayClassName: x\n  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }]\n";
    const base = checkoutRoute(ref("checkout-jkt"));
    const result = analyze(
      { "g.yaml": gateway, "r.yaml": base },
      { "g.yaml": gateway, "r.yaml": base.replace("name: public, namespace: infra", "name: publik, namespace: infra") },
    );
    expect(result.findings.find((f) => f.class === "route.attachment-changed")!.summary).toBe(
      "HTTPRoute shop/checkout: now names Gateway infra/publik, which the repository does not hold; detached from Gateway infra/public:http",
    );
  });

  it("a route whose key gains or loses its file (a copy of its identity elsewhere appears, or it is renamed out of one) moves no request (eks-workshop-v2 0611f14)", () => {
    // The lab's Ingresses share an ALB by their IngressGroup: where they enter is the group's, whatever their names.
    const ingress = (name: string, grouped = true) =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\n  namespace: ui\n${grouped ? "  annotations: {alb.ingress.kubernetes.io/group.name: retail-app-group}\n" : ""}spec:\n  ingressClassName: alb\n  rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ui, port: {number: 80}}}}]}}]\n`;
    const labs = { "labs/creating/ingress.yaml": ingress("ui"), "labs/multiple/ingress-ui.yaml": ingress("ui") };
    const renamed = { ...labs, "labs/multiple/ingress-ui.yaml": ingress("ui-multi") };
    const routeFindings = (result: ReturnType<typeof analyze>) => result.findings.filter((f) => f.class.startsWith("route."));
    expect(analyze(labs, renamed).routeDiffs).toEqual([]);
    expect(routeFindings(analyze(labs, renamed))).toEqual([]);
    expect(analyze(renamed, labs).routeDiffs).toEqual([]);
    // A rename that also moves its requests elsewhere still shows.
    const moved = { ...renamed, "labs/multiple/ingress-ui.yaml": ingress("ui-multi").replace("name: ui, port", "name: ui-v2, port") };
    expect(analyze(labs, moved).routeDiffs.map((diff) => diff.status)).toEqual(["changed"]);
    // Outside a group each is an ALB of its own: renamed, it is another load balancer; and the copy in
    // another folder, which nothing says is applied where this one was, does not keep this one's.
    const alone = { "labs/creating/ingress.yaml": ingress("ui", false), "labs/multiple/ingress-ui.yaml": ingress("ui", false) };
    expect(
      routeFindings(analyze(alone, { ...alone, "labs/multiple/ingress-ui.yaml": ingress("ui-multi", false) })).map((f) => f.summary),
    ).toEqual([
      "* via Ingress ui/ui [labs/multiple/ingress-ui.yaml]: no longer served (was → ui/ui:80 100%)",
      "* via Ingress ui/ui-multi: new rule → ui/ui:80 100%",
    ]);
  });

  it("a backend of the same label in another namespace is named by its key (anthos-service-mesh-samples 57e68f2)", () => {
    const gateway =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ingress, namespace: asm-ingress}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]\n";
    const frontend = (namespace: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: frontend, namespace: ${namespace}}\nspec:\n  hosts: ['*']\n  gateways: [asm-ingress/ingress]\n  http: [{route: [{destination: {host: frontend, port: {number: 80}}}]}]\n`;
    const result = analyze({ "gw.yaml": gateway, "vs.yaml": frontend("default") }, { "gw.yaml": gateway, "vs.yaml": frontend("bank") });
    expect(result.findings.filter((f) => f.class.startsWith("backend.")).map((f) => f.summary)).toEqual([
      "* via Gateway asm-ingress/ingress: frontend:80 (frontend.bank.svc.cluster.local 80) receives 100%, taken from the backends that served the flow: a cutover, not a canary's first step (frontend:80 (frontend.default.svc.cluster.local 80) 100% → removed, frontend:80 (frontend.bank.svc.cluster.local 80) new 100%)",
    ]);
  });

  it("a new route and a removed route", () => {
    const route = checkoutRoute(ref("checkout-jkt"));
    expect(classesOf(analyze({}, { "r.yaml": route }))).toEqual(["route.added"]);
    const removed = analyze({ "r.yaml": route }, {});
    expect(classesOf(removed)).toEqual(["route.removed"]);
    expect(removed.findings[0]!.risk).toBe("high");
    expect(removed.findings[0]!.file).toBe("r.yaml");
  });

  it("places ServiceImport backends by the clusters that export them", () => {
    const exportIn = (cluster: string) => ({
      [`clusters/${cluster}/export.yaml`]:
        "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: checkout, namespace: shop }\n",
    });
    const overlay = 'topology:\n  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n';
    const route = { "routes/r.yaml": checkoutRoute(ref("checkout")) };
    const result = analyze(
      { ...route, ...exportIn("jkt-prod-1") },
      { ...route, ...exportIn("jkt-prod-1"), ...exportIn("sgp-prod-1") },
      overlay,
    );
    expect(classesOf(result)).toContain("backend.region-added");
    expect(result.findings.find((f) => f.class === "backend.region-added")!.summary).toContain(
      "ServiceImport checkout:8080 now also reaches sgp (was jkt): its 100% of the traffic spreads over jkt+sgp",
    );
    const route0 = result.head.model.flows.values().next().value!;
    expect(route0.backends[0]!.placement).toEqual({ clusters: ["jkt-prod-1", "sgp-prod-1"], regions: ["jkt", "sgp"], multiCluster: true });
  });

  it("a backend that sat at weight 0 in a new region says so, not that it was there already", () => {
    const split = (jkt: number, sgp: number) => ({ "r.yaml": checkoutRoute(`${ref("checkout-jkt", jkt)}\n${ref("checkout-sgp", sgp)}`) });
    const result = analyze(split(100, 0), split(50, 50), TOPOLOGY);
    expect(result.findings.find((f) => f.class === "backend.region-added")!.summary).toContain(
      "ServiceImport checkout-sgp:8080 now reaches sgp (was at weight 0) with 50% of the traffic",
    );
  });
});

describe("a removed host's requests reach a wildcard host's rules", () => {
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: gke-l7-global-external-managed
  listeners:
  - { name: https, protocol: HTTPS, port: 443, hostname: "*.example.com", tls: { certificateRefs: [{ name: wildcard }] }, allowedRoutes: { namespaces: { from: All } } }`;
  const route = (hostnames: string, name = "shop", backend = "shop") => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: ${hostnames}
  rules: [{ backendRefs: [{ name: ${backend}, port: 8080 }] }]`;
  const catchAll = route('["*.example.com"]', "catch-all", "default-backend");

  it("a hostname widened to a wildcard still serves the old host: no route removed, the new hosts are route.added", () => {
    const result = analyze(
      { "g.yaml": gateway, "r.yaml": route("[shop.example.com]") },
      { "g.yaml": gateway, "r.yaml": route('["*.example.com"]') },
    );
    expect(classesOf(result)).toEqual(["resource.changed", "route.added"]);
  });

  it("an Istio VirtualService with a delegate rule widened to a wildcard still serves its hosts, rule by rule", () => {
    const root = (hosts: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: shop }
spec:
  hosts: ${hosts}
  gateways: [shop-gw]
  http:
  - { match: [{ uri: { prefix: /reviews } }], delegate: { name: reviews, namespace: shop } }
  - { route: [{ destination: { host: productpage } }] }`;
    const delegate = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: shop }
spec:
  http:
  - { route: [{ destination: { host: reviews } }] }`;
    const result = analyze(
      { "root.yaml": root("[shop.example.com, www.example.com]"), "delegate.yaml": delegate },
      { "root.yaml": root('["*.example.com"]'), "delegate.yaml": delegate },
    );
    expect(classesOf(result).filter((found) => found !== "resource.changed" && found !== "route.added")).toEqual([]);
  });

  it("a host removed where another route's wildcard takes its requests: they fall through there", () => {
    const result = analyze(
      { "g.yaml": gateway, "r.yaml": route("[shop.example.com]"), "c.yaml": catchAll },
      { "g.yaml": gateway, "c.yaml": catchAll },
    );
    expect(result.findings.map((finding) => finding.summary)).toEqual([
      "shop.example.com via Gateway infra/public:https: rule removed: its requests now fall through to catch-all → default-backend:8080 100% (were → shop:8080 100%)",
    ]);
  });

  it("where several of the wildcard host's rules may take the requests (its /api rule outranks its catch-all, whatever their order), none is claimed: the host is removed", () => {
    const split = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: catch-all, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: ["*.example.com"]
  rules:
  - { backendRefs: [{ name: shop, port: 8080 }] }
  - { matches: [{ path: { type: PathPrefix, value: /api } }], backendRefs: [{ name: api, port: 8080 }] }`;
    const result = analyze(
      { "g.yaml": gateway, "r.yaml": route("[shop.example.com]"), "c.yaml": split },
      { "g.yaml": gateway, "c.yaml": split },
    );
    expect(classesOf(result)).toEqual(["route.removed"]);
  });

  it("a wildcard takes one more label, no more: a host two labels below it is removed", () => {
    const result = analyze(
      { "g.yaml": gateway, "r.yaml": route("[a.shop.example.com]") },
      { "g.yaml": gateway, "r.yaml": route('["*.example.com"]') },
    );
    expect(classesOf(result)).toContain("route.removed");
  });

  describe("on a listener of no hostname, `*` takes every host, wildcard ones too", () => {
    const open = gateway.replace(', hostname: "*.example.com"', "");

    it("a wildcard host widened to `*` still serves its hosts: the widening is route.added, nothing removed (mchestr/home-cluster 333e4e6b6d)", () => {
      const result = analyze({ "g.yaml": open, "r.yaml": route('["*.example.com"]') }, { "g.yaml": open, "r.yaml": route('["*"]') });
      expect(classesOf(result)).toEqual(["resource.changed", "route.added"]);
    });

    it("narrowed from `*` to a wildcard host, the other hosts are no longer served", () => {
      const result = analyze({ "g.yaml": open, "r.yaml": route('["*"]') }, { "g.yaml": open, "r.yaml": route('["*.example.com"]') });
      expect(result.findings.filter((finding) => finding.class === "route.removed").map((finding) => finding.summary)).toEqual([
        "* via Gateway infra/public:https: no longer served (was → shop:8080 100%)",
      ]);
    });

    it("a more specific wildcard that may take some of the requests first leaves `*` no sure fallback: the host is removed", () => {
      const other = route('["*.com"]', "dot-com", "elsewhere");
      const result = analyze(
        { "g.yaml": open, "r.yaml": route('["*.example.com"]'), "a.yaml": route('["*"]', "any"), "o.yaml": other },
        { "g.yaml": open, "a.yaml": route('["*"]', "any"), "o.yaml": other },
      );
      expect(classesOf(result)).toContain("route.removed");
    });
  });

  it("a VirtualService's host widened to a wildcard keeps its first-match rules: each takes what its twin took; reordered, they do not", () => {
    const virtualService = (hosts: string, http: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: shop}\nspec:\n  hosts: ${hosts}\n  gateways: [istio-system/public]\n  http:\n${http}`;
    const ADMIN = '  - match: [{uri: {prefix: /admin}, headers: {x-admin: {exact: "1"}}}]\n    route: [{destination: {host: admin}}]\n';
    const REST = "  - route: [{destination: {host: web}}]\n";
    const widened = analyze(
      { "vs.yaml": virtualService("[web.example.com]", ADMIN + REST) },
      { "vs.yaml": virtualService('["*.example.com"]', ADMIN + REST) },
    );
    expect(classesOf(widened)).toEqual(["resource.changed", "route.added", "route.added"]);
    const reordered = analyze(
      { "vs.yaml": virtualService("[web.example.com]", ADMIN + REST) },
      { "vs.yaml": virtualService('["*.example.com"]', REST + ADMIN) },
    );
    expect(classesOf(reordered)).toContain("route.removed");
  });
});

describe("an Istio destination's port written out or dropped", () => {
  const virtualService = (routes: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n${routes}`;
  const to = (host: string, port = "", weight = "") =>
    `    - destination: {host: ${host}${port ? `, port: {number: ${port}}` : ""}}${weight ? `\n      weight: ${weight}` : ""}\n`;

  it("is the same backend (an unset port is the service's only one): no backend added, either way", () => {
    const [unset, written] = [virtualService(to("reviews")), virtualService(to("reviews", "9080"))];
    expect(classesOf(analyze({ "vs.yaml": unset }, { "vs.yaml": written }))).toEqual(["resource.changed"]);
    expect(classesOf(analyze({ "vs.yaml": written }, { "vs.yaml": unset }))).toEqual(["resource.changed"]);
  });

  it("is another backend where the flow names the same host on two ports, or the port changes", () => {
    const two = virtualService(to("reviews", "9080", "90") + to("reviews", "9090", "10"));
    expect(classesOf(analyze({ "vs.yaml": virtualService(to("reviews", "9080")) }, { "vs.yaml": two }))).toContain("backend.added");
    const moved = analyze({ "vs.yaml": virtualService(to("reviews", "9080")) }, { "vs.yaml": virtualService(to("reviews", "9090")) });
    expect(classesOf(moved)).toContain("backend.weight-changed");
  });

  it("a new backend taking less than half the flow starts a canary (backend.added, medium); half or more is a cutover (medium-high)", () => {
    const base = { "vs.yaml": virtualService(to("reviews", "9080")) };
    const canary = analyze(base, { "vs.yaml": virtualService(to("reviews", "9080", "90") + to("reviews-v2", "9080", "10")) });
    expect(canary.findings.map((finding) => [finding.class, finding.risk])).toEqual([["backend.added", "medium"]]);
    const cutover = analyze(base, { "vs.yaml": virtualService(to("reviews", "9080", "50") + to("reviews-v2", "9080", "50")) });
    expect(cutover.findings.map((finding) => [finding.class, finding.risk])).toEqual([["backend.weight-changed", "medium-high"]]);
    expect(cutover.findings[0]!.summary).toContain("reviews-v2:9080 receives 50%, taken from the backends that served the flow");
    // Two new backends sharing the flow take it together.
    const split = analyze(base, { "vs.yaml": virtualService(to("reviews-v2", "9080", "50") + to("reviews-v3", "9080", "50")) });
    expect(classesOf(split)).toEqual(["backend.weight-changed", "backend.weight-changed"]);
  });
});

describe("a mesh VirtualService routing its host to itself, removed", () => {
  const mesh = (rules: string, gateways = "") =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\nspec:\n  hosts: [cart-eu.shop.svc.cluster.local]\n${gateways}  http:\n${rules}`;
  const summaries = (base: string, head?: string) =>
    analyze({ "vs.yaml": base }, head === undefined ? {} : { "vs.yaml": head }).findings.map((f) => `${f.risk} ${f.class}: ${f.summary}`);

  it("leaves the host served: the sidecars' default route sends it to the same Service, each request on its own port", () => {
    expect(summaries(mesh("  - route: [{destination: {host: cart-eu}}]\n"))).toEqual([
      "low resource.changed: VirtualService shop/cart removed",
    ]);
    const onItsPort = "  - match: [{port: 8080}]\n    route: [{destination: {host: cart-eu, port: {number: 8080}}}]\n";
    expect(summaries(mesh(onItsPort))).toEqual(["low resource.changed: VirtualService shop/cart removed"]);
  });

  it("a port it sent every request to is no default: requests of the Service's other ports went there (review s12)", () => {
    expect(summaries(mesh("  - route: [{destination: {host: cart-eu, port: {number: 9090}}}]\n"))).toContainEqual(
      expect.stringMatching(/^high route\.removed/),
    );
  });

  it("while a rule of its host is left, requests no rule takes are refused, not sent by default (review s1: Envoy's route_not_found)", () => {
    const rules =
      "  - match: [{uri: {prefix: /v1/}}]\n    route: [{destination: {host: cart-eu}}]\n  - match: [{uri: {prefix: /api/}}]\n    route: [{destination: {host: cart-eu}}]\n";
    const dropped = rules.slice(rules.indexOf("  - match: [{uri: {prefix: /api/}}]"));
    expect(classesOf(analyze({ "vs.yaml": mesh(rules) }, { "vs.yaml": mesh(dropped) }))).toContain("route.removed");
    const alternatives = "  - match: [{uri: {prefix: /a}}, {uri: {prefix: /b}}]\n    route: [{destination: {host: cart-eu}}]\n";
    const narrowed = analyze({ "vs.yaml": mesh(alternatives) }, { "vs.yaml": mesh(alternatives.replace(", {uri: {prefix: /b}}", "")) });
    expect(narrowed.findings.map((f) => `${f.risk} ${f.class}`)).toContainEqual(expect.stringMatching(/^(high|medium-high) route\./));
  });

  it("still stops what it sent elsewhere (a subset, another host) or served at a gateway", () => {
    expect(summaries(mesh("  - route: [{destination: {host: cart-eu, subset: v2}}]\n"))).toContainEqual(
      expect.stringMatching(/^high route\.removed: cart-eu.shop via mesh: no longer served \(was → v2 100%\)/),
    );
    expect(summaries(mesh("  - route: [{destination: {host: cart-us}}]\n"))).toContainEqual(expect.stringMatching(/^high route\.removed/));
    expect(summaries(mesh("  - route: [{destination: {host: cart-eu}}]\n", "  gateways: [shop-gw]\n"))).toContainEqual(
      expect.stringMatching(/^high route\.removed/),
    );
  });
});

describe("a rule added where an earlier rule of the same VirtualService takes all its requests", () => {
  const virtualService = (rules: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: shop, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [shop-gw]\n  http:\n${rules}`;
  const rule = (prefix: string | undefined, host: string) =>
    `  - ${prefix ? `match: [{uri: {prefix: ${prefix}}}]\n    ` : ""}route: [{destination: {host: ${host}}}]\n`;

  it("serves no request (after a catch-all, or a shorter prefix): a low change naming the rule before it", () => {
    const result = analyze(
      { "vs.yaml": virtualService(rule(undefined, "productpage")) },
      { "vs.yaml": virtualService(rule(undefined, "productpage") + rule("/feeds", "feeds")) },
    );
    expect(result.findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary.replace(/^.*?: /, "")}`)).toEqual([
      "low resource.changed: new rule serves no request: catch-all before it takes every request it matches",
    ]);
  });

  it("one removed whose requests the rules before it did not take falls through to the catch-all: route.match-changed, not removed", () => {
    const rules = rule("/accounts/profile", "profile") + rule("/accounts", "accounts") + rule(undefined, "web");
    const result = analyze(
      { "vs.yaml": virtualService(rules) },
      { "vs.yaml": virtualService(rules.replace(rule("/accounts", "accounts"), "")) },
    );
    expect(result.findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`)).toContainEqual(
      expect.stringMatching(/^medium-high route\.match-changed: shop\.example\.com \/accounts .*fall through to catch-all → web 100%/),
    );
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("Gateway API ranks rules by their matches: a catch-all written first takes a removed /api rule's requests (review s13)", () => {
    const route = (rules: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: default}\nspec:\n  hostnames: [example.com]\n  rules:\n${rules}`;
    const catchAll = "  - backendRefs: [{name: web, port: 8080}]\n";
    const api = "  - matches: [{path: {type: PathPrefix, value: /api}}]\n    backendRefs: [{name: web, port: 8080}]\n";
    const result = analyze({ "route.yaml": route(catchAll + api) }, { "route.yaml": route(catchAll) });
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("placed before the rule that would cover it, it serves its requests: route.added", () => {
    const result = analyze(
      { "vs.yaml": virtualService(rule(undefined, "productpage")) },
      { "vs.yaml": virtualService(rule("/feeds", "feeds") + rule(undefined, "productpage")) },
    );
    expect(classesOf(result)).toContain("route.added");
  });
});

describe("a rule removed that an earlier rule of the same first-match resource hid", () => {
  const virtualService = (rules: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: shop, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [shop-gw]\n  http:\n${rules}`;
  const rule = (match: string | undefined, host: string) =>
    `  - ${match ? `match: [${match}]\n    ` : ""}route: [{destination: {host: ${host}}}]\n`;
  const prefix = (value: string) => `{uri: {prefix: ${value}}}`;
  const admin = rule(prefix("/admin"), "admin");
  const findings = (base: string, head: string) =>
    analyze({ "vs.yaml": virtualService(base) }, { "vs.yaml": virtualService(head) }).findings.map(
      (finding) => `${finding.risk} ${finding.class}: ${finding.summary}`,
    );

  it("served no request, and its requests still go where they went: low, naming the rule that took them (probe O1)", () => {
    const catchAll = rule(prefix("/"), "main");
    expect(findings(catchAll + admin, catchAll)).toEqual([
      "low resource.changed: shop.example.com /admin via Gateway shop/shop-gw: removed rule served no request: catch-all before it took every request it matches, and still does (→ main 100%)",
    ]);
    // A shorter prefix hides a longer one as a catch-all does.
    const api = rule(prefix("/admin/"), "api");
    expect(findings(api.replace("/admin/", "/ad") + api, api.replace("/admin/", "/ad"))).toEqual([
      expect.stringMatching(/^low resource\.changed: .*removed rule served no request/),
    ]);
  });

  it("a Gloo RouteTable's route behind its catch-all alike", () => {
    const table = (routes: string) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: shop, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  virtualGateways: [{name: north-south-gw, namespace: gw, cluster: mgmt}]\n  http:\n${routes}`;
    const route = (name: string, path: string) =>
      `  - name: ${name}\n    matchers: [{uri: {prefix: ${path}}}]\n    forwardTo:\n      destinations: [{ref: {name: ${name}, namespace: shop, cluster: jkt-1}, port: {number: 80}}]\n`;
    const result = analyze({ "rt.yaml": table(route("shop", "/") + route("admin", "/admin")) }, { "rt.yaml": table(route("shop", "/")) });
    expect(result.findings.map((finding) => `${finding.risk} ${finding.class}`)).toEqual(["low resource.changed"]);
    expect(result.findings[0]!.summary).toContain(
      "removed rule served no request: catch-all before it took every request it matches, and still does (→ shop@jkt-1:80 100%)",
    );
  });

  it("not in a Gloo table a delegate sorts by specificity: /admin ranked before the catch-all served its requests", () => {
    const root = (sort: string) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: root, namespace: gw}\nspec:\n  hosts: [shop.example.com]\n  virtualGateways: [{name: north-south-gw, namespace: gw}]\n  http:\n  - name: shop\n    delegate:\n      routeTables: [{labels: {team: shop}}]\n${sort}`;
    const child = (routes: string) =>
      `apiVersion: networking.gloo.solo.io/v2\nkind: RouteTable\nmetadata: {name: shop, namespace: shop, labels: {team: shop}}\nspec:\n  http:\n${routes}`;
    const route = (name: string, path: string) =>
      `  - name: ${name}\n    matchers: [{uri: {prefix: ${path}}}]\n    forwardTo:\n      destinations: [{ref: {name: ${name}, namespace: shop}, port: {number: 80}}]\n`;
    const removal = (sort: string) =>
      analyze(
        { "root.yaml": root(sort), "child.yaml": child(route("web", "/") + route("admin", "/admin")) },
        { "root.yaml": root(sort), "child.yaml": child(route("web", "/")) },
      ).findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`);
    expect(removal("")).toEqual([expect.stringMatching(/^low resource\.changed: .*removed rule served no request/)]);
    expect(removal("      sortMethod: TABLE_WEIGHT\n")).toEqual([expect.stringMatching(/^low resource\.changed/)]);
    const sorted = removal("      sortMethod: ROUTE_SPECIFICITY\n");
    expect(sorted.join("\n")).not.toContain("served no request");
    expect(sorted).toContainEqual(expect.stringMatching(/^(high|medium-high) route\.(removed|match-changed): .*\/admin/));
  });

  it("still high where the rule that hid it is removed too: the requests it matched are served nowhere", () => {
    expect(findings(rule(prefix("/"), "main") + admin, rule(prefix("/shop"), "shop"))).toContainEqual(
      expect.stringMatching(/^high route\.removed/),
    );
    expect(findings(rule(prefix("/"), "main") + admin, "")).toContainEqual(expect.stringMatching(/^high /));
  });

  it("still high where the rule that hid it is narrowed in the same PR: the removed rule would have started serving", () => {
    const result = findings(rule(prefix("/"), "main") + admin, rule(prefix("/shop"), "main"));
    expect(result).toContainEqual(expect.stringMatching(/^high route\.removed: shop\.example\.com \/admin .*no longer served/));
    expect(result.join("\n")).not.toContain("served no request");
  });

  it("still high where the earlier rule takes only some of its requests (one method, one header)", () => {
    for (const partial of ["{uri: {prefix: /}, method: {exact: GET}}", "{uri: {prefix: /}, headers: {x-canary: {exact: 'on'}}}"]) {
      const result = findings(rule(partial, "main") + admin, rule(partial, "main"));
      expect(result).toContainEqual(expect.stringMatching(/^high route\.removed: shop\.example\.com \/admin/));
      expect(result.join("\n")).not.toContain("served no request");
    }
  });

  it("Gateway API ranks rules by their matches, not their order: a catch-all written first hid nothing", () => {
    const route = (rules: string) => httpRoute(rules);
    const catchAll = "  - matches: [{ path: { type: PathPrefix, value: / } }]\n    backendRefs: [{ name: main, port: 80 }]\n";
    const adminRule = "  - matches: [{ path: { type: PathPrefix, value: /admin } }]\n    backendRefs: [{ name: admin, port: 80 }]\n";
    const result = analyze({ "r.yaml": route(catchAll + adminRule) }, { "r.yaml": route(catchAll) });
    expect(result.findings.map((finding) => finding.summary).join("\n")).not.toContain("served no request");
    expect(result.findings.map((finding) => finding.risk)).toContain("medium-high");
  });
});

describe("a rule that now redirects its requests", () => {
  const virtualService = (action: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: shop}\nspec:\n  hosts: [shop.example.com]\n  gateways: [gw]\n  http:\n  - match: [{uri: {prefix: /}}]\n    ${action}\n`;
  it("sends none to a backend: the redirect is the route change, no backend takes a share (probe gw-redirect-added)", () => {
    const split =
      "  - matches: [{ path: { type: PathPrefix, value: / } }]\n    backendRefs: [{ name: shop-a, port: 80, weight: 90 }, { name: shop-b, port: 80, weight: 10 }]\n";
    const redirect =
      "  - matches: [{ path: { type: PathPrefix, value: / } }]\n    filters: [{ type: RequestRedirect, requestRedirect: { hostname: evil.example.net, statusCode: 302 } }]\n";
    const gateway = analyze({ "r.yaml": httpRoute(split) }, { "r.yaml": httpRoute(redirect) });
    expect(gateway.findings.map((finding) => `${finding.risk} ${finding.class}`)).toEqual(["medium-high route.match-changed"]);
    expect(gateway.findings[0]!.summary).toContain("RequestRedirect added");
    const istio = (action: string) =>
      analyze(
        { "vs.yaml": virtualService("route: [{destination: {host: a}, weight: 90}, {destination: {host: b}, weight: 10}]") },
        { "vs.yaml": virtualService(action) },
      ).findings.map((finding) => `${finding.risk} ${finding.class}`);
    expect(istio("redirect: {authority: evil.example.net}")).toEqual(["medium-high route.match-changed"]);
    // A redirect to another target is the redirect check's too, not a cutover to a new "backend".
    expect(
      analyze(
        { "vs.yaml": virtualService("redirect: {authority: a.example.net}") },
        { "vs.yaml": virtualService("redirect: {authority: evil.example.net}") },
      ).findings.map((finding) => `${finding.risk} ${finding.class}`),
    ).toEqual(["medium-high route.match-changed"]);
  });

  it("a redirect replaced by backends still names the backends that now take the requests", () => {
    const result = analyze(
      { "vs.yaml": virtualService("redirect: {authority: evil.example.net}") },
      { "vs.yaml": virtualService("route: [{destination: {host: a}}]") },
    );
    expect(classesOf(result)).toEqual(expect.arrayContaining(["route.match-changed", "backend.weight-changed"]));
  });
});

describe("a rule whose match drops an alternative that no other rule takes", () => {
  const rule = (paths: readonly string[]) =>
    httpRoute(
      `  - matches: [${paths.map((path) => `{ path: { type: Exact, value: ${path} } }`).join(", ")}]\n    backendRefs: [${ref("web-jkt").trim().slice(2)}]`,
    );
  const removed = (before: readonly string[], after: string, extra = "") =>
    analyze({ "r.yaml": rule(before) + extra }, { "r.yaml": rule([after]) + extra })
      .findings.filter((finding) => finding.class === "route.removed")
      .map((finding) => [finding.risk, finding.summary]);

  it("serves those requests nowhere: route.removed, naming them (bookinfo's /logout)", () => {
    expect(removed(["/login", "/logout"], "/login")).toEqual([
      [
        "high",
        expect.stringMatching(
          /Exact \/logout no longer served: the rule no longer matches it and no other rule takes it \(was → ServiceImport web-jkt:8080 100%\)$/,
        ),
      ],
    ]);
  });

  it("not where another rule takes them all (a catch-all)", () => {
    expect(removed(["/login", "/logout"], "/login", `  - backendRefs: [${ref("web-jkt").trim().slice(2)}]\n`)).toEqual([]);
  });
});

describe("a rule whose match is narrowed, with no rule left to take the rest", () => {
  const cart = (match: string, backend = "cart-jkt") => `  - matches: [${match}]\n    backendRefs: [${ref(backend).trim().slice(2)}]\n`;
  const prefix = (value: string, extra = "") => `{ path: { type: PathPrefix, value: ${value} }${extra} }`;
  const beta = ", headers: [{ name: x-cart-beta, value: '1' }]";
  const judged = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary.replace(/^.*? via Gateway infra\/public: /, "")}`)
      .sort();

  it("gives up the rest of its path: route.removed beside the match change, as a dropped alternative is (/cart → /cart/items)", () => {
    expect(judged({ "r.yaml": httpRoute(cart(prefix("/cart"))) }, { "r.yaml": httpRoute(cart(prefix("/cart/items"))) })).toEqual([
      "high route.removed: the rest of PathPrefix /cart no longer served: the rule no longer matches it and no other rule takes it (was → ServiceImport cart-jkt:8080 100%)",
      "medium-high route.match-changed: rule now captures PathPrefix /cart/items (was PathPrefix /cart)",
    ]);
  });

  it("given a header test, a query test or a method: every request without it", () => {
    for (const narrowed of [
      prefix("/cart", beta),
      prefix("/cart", ", queryParams: [{ name: beta, value: '1' }]"),
      prefix("/cart", ", method: GET"),
    ])
      expect(judged({ "r.yaml": httpRoute(cart(prefix("/cart"))) }, { "r.yaml": httpRoute(cart(narrowed)) })).toContainEqual(
        expect.stringMatching(/^high route\.removed: the rest of PathPrefix \/cart no longer served/),
      );
  });

  it("a rule within what it kept takes none of the rest (/cart/items/gift beside it)", () => {
    const gift = cart(prefix("/cart/items/gift"), "gift-jkt");
    expect(
      judged({ "r.yaml": httpRoute(cart(prefix("/cart")) + gift) }, { "r.yaml": httpRoute(cart(prefix("/cart/items")) + gift) }),
    ).toContainEqual(expect.stringMatching(/^high route\.removed: the rest of PathPrefix \/cart/));
  });

  it("a sibling for part of the rest takes none of what was given up (/cart → /cart/items beside /cart/checkout: /cart and /cart/view answer 404)", () => {
    const checkout = cart(prefix("/cart/checkout"), "checkout-jkt");
    expect(
      judged({ "r.yaml": httpRoute(cart(prefix("/cart")) + checkout) }, { "r.yaml": httpRoute(cart(prefix("/cart/items")) + checkout) }),
    ).toContainEqual(expect.stringMatching(/^high route\.removed: the rest of PathPrefix \/cart no longer served/));
    // A sibling testing a header the plain requests do not carry takes none of them either; one that may take them does.
    const tested = cart(prefix("/cart", beta), "beta-jkt");
    expect(
      judged({ "r.yaml": httpRoute(cart(prefix("/cart")) + tested) }, { "r.yaml": httpRoute(cart(prefix("/cart/items")) + tested) }),
    ).toContainEqual(expect.stringMatching(/^high route\.removed: the rest of PathPrefix \/cart/));
    // Some of them taken, the rest is left to the match change: a POST rule of another route beside `/cart` pinned to GET.
    const post = httpRoute(cart(prefix("/cart", ", method: POST"), "writes-jkt"), { name: "writes" });
    expect(
      judged(
        { "r.yaml": httpRoute(cart(prefix("/cart"))), "w.yaml": post },
        { "r.yaml": httpRoute(cart(prefix("/cart", ", method: GET"))), "w.yaml": post },
      ),
    ).not.toContainEqual(expect.stringMatching(/route\.removed/));
  });

  it("not where another rule may take some of the rest: a sibling without the header, another route on the listener, a regular expression", () => {
    const base = cart(prefix("/cart"));
    const head = cart(prefix("/cart", beta));
    const sibling = cart(prefix("/cart"), "cart-sgp");
    expect(judged({ "r.yaml": httpRoute(base + sibling) }, { "r.yaml": httpRoute(head + sibling) })).not.toContainEqual(
      expect.stringMatching(/route\.removed/),
    );
    const other = httpRoute(cart(prefix("/"), "web-jkt"), { name: "web" });
    expect(judged({ "r.yaml": httpRoute(base), "o.yaml": other }, { "r.yaml": httpRoute(head), "o.yaml": other })).not.toContainEqual(
      expect.stringMatching(/route\.removed/),
    );
    const regex = cart('{ path: { type: RegularExpression, value: "/c.*" } }', "web-jkt");
    expect(judged({ "r.yaml": httpRoute(base + regex) }, { "r.yaml": httpRoute(head + regex) })).not.toContainEqual(
      expect.stringMatching(/route\.removed/),
    );
  });

  it("not where it may still take the rest: narrowed to a regular expression, or given a test that may take every request", () => {
    for (const narrowed of [
      '{ path: { type: RegularExpression, value: "/cart/.*" } }',
      prefix("/cart", ", headers: [{ name: user-agent, type: RegularExpression, value: '.*' }]"),
    ])
      expect(judged({ "r.yaml": httpRoute(cart(prefix("/cart"))) }, { "r.yaml": httpRoute(cart(narrowed)) })).toEqual([
        expect.stringMatching(/^(medium-high|high) route\.match-changed/),
      ]);
  });

  it("an Istio VirtualService's only rule given a match: the rest is refused (route_not_found); not beside a catch-all after it", () => {
    const virtualService = (rules: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ratings, namespace: bookinfo}\nspec:\n  hosts: [ratings]\n  http:\n${rules}`;
    const primary = (match: string) => `  - name: primary\n${match}    route: [{destination: {host: ratings, subset: v1}}]\n`;
    const within = (value: string) => `    match: [{uri: {prefix: ${value}}}]\n`;
    const judgedVs = (base: string, head: string, rest = "") =>
      analyze({ "vs.yaml": virtualService(primary(base) + rest) }, { "vs.yaml": virtualService(primary(head) + rest) }).findings.map(
        (finding) => `${finding.risk} ${finding.class}: ${finding.summary}`,
      );
    expect(judgedVs("", within("/v2"))).toContainEqual(
      "high route.removed: ratings.bookinfo via mesh: the rest of PathPrefix / no longer served: the rule no longer matches it and no other rule takes it (was → v1 100%)",
    );
    expect(judgedVs(within("/api"), within("/api/v2"), "  - route: [{destination: {host: ratings, subset: v2}}]\n")).toEqual([
      expect.stringMatching(/^medium-high route\.match-changed: .*the rest of \/api now falls through to catch-all → v2 100%$/),
    ]);
  });
});

describe("a rule removed under the root prefix, whatever its own path type", () => {
  it("a removed regular-expression rule under a catch-all to the same backend moves nothing; to another backend its requests fall through", () => {
    const route = (catchAllTo: string, regex: boolean) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: default}\nspec:\n  hostnames: [example.com]\n  rules:\n${
        regex ? '  - matches: [{path: {type: RegularExpression, value: "/api/v[0-9]+"}}]\n    backendRefs: [{name: api, port: 80}]\n' : ""
      }  - matches: [{path: {type: PathPrefix, value: /}}]\n    backendRefs: [{name: ${catchAllTo}, port: 80}]\n`;
    const findings = (catchAllTo: string) =>
      analyze({ "route.yaml": route(catchAllTo, true) }, { "route.yaml": route(catchAllTo, false) }).findings.map(
        (finding) => `${finding.risk} ${finding.class}`,
      );
    expect(findings("api")).toEqual(["low resource.changed"]);
    expect(findings("web")).toEqual(["medium-high route.match-changed"]);
  });

  it("an Ingress's ImplementationSpecific / dropped beside another's Prefix / to the same Service moves nothing (Kong/kubernetes-ingress-controller 3edba62)", () => {
    const ingress = (name: string, pathType: string, service: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ${name}, namespace: default}\nspec:\n  ingressClassName: kong\n  rules: [{http: {paths: [{path: /, pathType: ${pathType}, backend: {service: {name: ${service}, port: {number: 80}}}}]}}]\n`;
    const dropped = (kept: string) =>
      analyze(
        { "a.yaml": ingress("httpbin", "Prefix", kept), "b.yaml": ingress("legacy", "ImplementationSpecific", "httpbin") },
        { "a.yaml": ingress("httpbin", "Prefix", kept) },
      ).findings.map((finding) => `${finding.risk} ${finding.class}`);
    expect(dropped("httpbin")).toEqual(["low resource.changed"]);
    expect(dropped("web")).toEqual(["medium-high route.match-changed"]);
  });
});

describe("requests a rule gives up, landing on a rule that sends them to another region", () => {
  const to = (name: string) => ref(name).trim().slice(2);
  const path = (value: string, backends: string) =>
    `  - matches: [{ path: { type: PathPrefix, value: ${value} } }]\n    backendRefs: [${backends}]\n`;
  const catchAll = (backends: string) => `  - backendRefs: [${backends}]\n`;
  const judged = (base: string, head: string) =>
    analyze({ "r.yaml": httpRoute(base) }, { "r.yaml": httpRoute(head) }, TOPOLOGY)
      .findings.map((finding) => [finding.risk, finding.class, finding.summary])
      .sort();

  it("a rule removed: the region its requests left is drained, the one they land in gained, as a rule inserted ahead is judged", () => {
    const rules = path("/east", to("store-sgp")) + catchAll(to("store-jkt"));
    expect(judged(rules, catchAll(to("store-jkt")))).toEqual([
      [
        "high",
        "backend.region-added",
        "shop.example.com /east via Gateway infra/public: rule removed, its requests fall through to catch-all: ServiceImport store-jkt:8080 in new region jkt receives 100% (ServiceImport store-sgp:8080 100% → removed, ServiceImport store-jkt:8080 new 100%)",
      ],
      [
        "high",
        "backend.region-removed",
        "shop.example.com /east via Gateway infra/public: rule removed, its requests fall through to catch-all: region sgp no longer receives traffic (ServiceImport store-sgp:8080 100% → removed, ServiceImport store-jkt:8080 new 100%)",
      ],
      [
        "medium-high",
        "route.match-changed",
        "shop.example.com /east via Gateway infra/public: rule removed: its requests now fall through to catch-all → ServiceImport store-jkt:8080 100% (were → ServiceImport store-sgp:8080 100%)",
      ],
    ]);
  });

  it("into a split over two regions: the second region is gained", () => {
    const split = catchAll(`${to("store-jkt")}, ${to("store-sgp")}`);
    expect(judged(path("/west", to("store-jkt")) + split, split).map(([risk, cls]) => `${risk} ${cls}`)).toEqual([
      "high backend.region-added",
      "medium-high route.match-changed",
    ]);
  });

  it("a path renamed: the match change says where the old path now lands, and the regions it moved between are judged", () => {
    const rules = (value: string) => path(value, to("store-sgp")) + catchAll(to("store-jkt"));
    const found = judged(rules("/east"), rules("/us-east"));
    expect(found.map(([risk, cls]) => `${risk} ${cls}`)).toEqual([
      "high backend.region-added",
      "high backend.region-removed",
      "medium-high route.match-changed",
    ]);
    expect(found[2]![2]).toBe(
      "shop.example.com via Gateway infra/public: rule now captures PathPrefix /us-east (was PathPrefix /east); /east now falls through to catch-all → ServiceImport store-jkt:8080 100%",
    );
  });

  it("landing on another backend in the same region stays the match change", () => {
    const rules = path("/east", to("orders-jkt")) + catchAll(to("store-jkt"));
    expect(judged(rules, catchAll(to("store-jkt"))).map(([risk, cls]) => `${risk} ${cls}`)).toEqual(["medium-high route.match-changed"]);
    const renamed = path("/us-east", to("orders-jkt")) + catchAll(to("store-jkt"));
    expect(judged(rules, renamed).map(([risk, cls]) => `${risk} ${cls}`)).toEqual(["medium-high route.match-changed"]);
  });

  it("an Ingress path renamed lands on the default backend, which takes what no rule of the host matches", () => {
    const ingress = (value: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: zone, namespace: zone }
spec:
  ingressClassName: nginx
  defaultBackend: { service: { name: web-sgp, port: { number: 80 } } }
  rules:
  - host: zone.example.com
    http:
      paths:
      - { path: ${value}, pathType: Exact, backend: { service: { name: api-jkt, port: { number: 80 } } } }
`;
    const found = analyze({ "i.yaml": ingress("/api") }, { "i.yaml": ingress("/v2/api") }, TOPOLOGY).findings;
    expect(found.map((f) => `${f.risk} ${f.class}`).sort()).toEqual([
      "high backend.region-added",
      "high backend.region-removed",
      "medium-high route.match-changed",
    ]);
    expect(found.find((f) => f.class === "route.match-changed")!.summary).toContain(
      "Exact /api now falls through to default backend → zone/web-sgp:80 100%",
    );
  });

  it("a path narrowed, or given a header test: the rest of its requests fall through, judged as a rename is", () => {
    const rules = (match: string) => `  - matches: [${match}]\n    backendRefs: [${to("store-sgp")}]\n` + catchAll(to("store-jkt"));
    const east = "{ path: { type: PathPrefix, value: /east } }";
    for (const narrowed of [
      "{ path: { type: PathPrefix, value: /east/api } }",
      "{ path: { type: PathPrefix, value: /east }, headers: [{ name: x-beta, value: '1' }] }",
    ]) {
      const found = judged(rules(east), rules(narrowed));
      expect(found.map(([risk, cls]) => `${risk} ${cls}`)).toEqual([
        "high backend.region-added",
        "high backend.region-removed",
        "medium-high route.match-changed",
      ]);
      expect(found[2]![2]).toContain("; the rest of /east now falls through to catch-all → ServiceImport store-jkt:8080 100%");
      expect(found[1]![2]).toContain(
        "/east via Gateway infra/public: the rest of /east now falls through to catch-all: region sgp no longer receives traffic",
      );
    }
  });

  it("a path narrowed into the same region, or a header test dropped from two, moves no request to another region", () => {
    const rules = (match: string, backend = "store-sgp") =>
      `  - matches: [${match}]\n    backendRefs: [${to(backend)}]\n` + catchAll(to("store-jkt"));
    const narrowed = judged(
      rules("{ path: { type: PathPrefix, value: /east } }", "orders-jkt"),
      rules("{ path: { type: PathPrefix, value: /east/api } }", "orders-jkt"),
    );
    expect(narrowed.map(([risk, cls]) => `${risk} ${cls}`)).toEqual(["medium-high route.match-changed"]);
    expect(narrowed[0]![2]).toContain("the rest of /east now falls through to catch-all → ServiceImport store-jkt:8080 100%");
    const headers = (...names: string[]) =>
      `{ path: { type: PathPrefix, value: /east }, headers: [${names.map((name) => `{ name: ${name}, value: '1' }`).join(", ")}] }`;
    expect(judged(rules(headers("x-beta", "x-user")), rules(headers("x-beta"))).map(([risk, cls]) => `${risk} ${cls}`)).toEqual([
      "medium-high route.match-changed",
    ]);
  });

  it("a path split out of a rule into a new one of its own reads so", () => {
    const both = `  - matches: [{ path: { type: PathPrefix, value: /a } }, { path: { type: PathPrefix, value: /b } }]\n    backendRefs: [${to("store-jkt")}]\n`;
    const split = path("/a", to("store-jkt")) + path("/b", to("store-sgp"));
    const found = judged(both + catchAll(to("store-sgp")), split + catchAll(to("store-sgp")));
    expect(found.find(([, cls]) => cls === "route.match-changed")![2]).toContain(
      "; /b now has a rule of its own → ServiceImport store-sgp:8080 100%",
    );
  });

  it("an Ingress path removed falls to the default backend: judged by its regions, as a rename is, not as unserved", () => {
    const ingress = (paths: string[], fallback: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: zone, namespace: zone }
spec:
  ingressClassName: gce
  defaultBackend: { service: { name: ${fallback}, port: { number: 80 } } }
  rules:
  - host: zone.example.com
    http:
      paths:
${paths.map((value) => `      - { path: /${value}, pathType: Prefix, backend: { service: { name: ${value}-jkt, port: { number: 80 } } } }\n`).join("")}`;
    const removed = (fallback: string) =>
      analyze({ "i.yaml": ingress(["api", "web"], fallback) }, { "i.yaml": ingress(["web"], fallback) }, TOPOLOGY)
        .findings.map((f) => [f.risk, f.class, f.summary])
        .sort();
    expect(removed("web-sgp").map(([risk, cls]) => `${risk} ${cls}`)).toEqual([
      "high backend.region-added",
      "high backend.region-removed",
      "medium-high route.match-changed",
    ]);
    expect(removed("web-jkt")).toEqual([
      [
        "medium-high",
        "route.match-changed",
        "zone.example.com /api via Ingress zone/zone: rule removed: its requests now fall through to default backend → zone/web-jkt:80 100% (were → zone/api-jkt:80 100%)",
      ],
    ]);
  });
});

describe("a rule split in two, or two merged: judged alternative by alternative", () => {
  const route = (rules: string) => httpRoute(rules, { name: "api", namespace: "api", hostname: "api.example.com" });
  const methods = (list: string[], backend: string, extra = "") =>
    `  - matches: [${list.map((method) => `{ method: ${method} }`).join(", ")}]\n    backendRefs: [{ name: ${backend}, port: 80 }]\n${extra}`;
  const catchAll = "  - backendRefs: [{ name: api-replicas, port: 80 }]\n";

  it("POST apart from PUT and DELETE, all still to api-primary, moves nothing; merged back, neither", () => {
    const one = route(methods(["POST", "PUT", "DELETE"], "api-primary") + catchAll);
    const two = route(methods(["POST"], "api-primary") + methods(["PUT", "DELETE"], "api-primary") + catchAll);
    expect(classesOf(analyze({ "r.yaml": one }, { "r.yaml": two }))).toEqual(["resource.changed"]);
    expect(classesOf(analyze({ "r.yaml": two }, { "r.yaml": one }))).toEqual(["resource.changed"]);
  });

  it("a half that sends elsewhere, or handles its requests otherwise (a timeout, a rewrite), still counts", () => {
    const one = route(methods(["POST", "PUT"], "api-primary") + catchAll);
    const elsewhere = route(methods(["POST"], "api-primary") + methods(["PUT"], "api-replicas") + catchAll);
    expect(classesOf(analyze({ "r.yaml": one }, { "r.yaml": elsewhere }))).toContain("route.match-changed");
    const timeout = route(methods(["POST"], "api-primary") + methods(["PUT"], "api-primary", "    timeouts: { request: 1s }\n") + catchAll);
    expect(classesOf(analyze({ "r.yaml": one }, { "r.yaml": timeout }))).toContain("route.added");
  });

  it("a new path rule sending where the catch-all did, handled alike, moves nothing; with a rewrite it is a new route", () => {
    const base = route(catchAll);
    const plain = route(
      `  - matches: [{ path: { type: PathPrefix, value: /v2 } }]\n    backendRefs: [{ name: api-replicas, port: 80 }]\n${catchAll}`,
    );
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": plain }))).toEqual(["resource.changed"]);
    const rewritten = plain.replace(
      "    backendRefs: [{ name: api-replicas, port: 80 }]\n  - backendRefs",
      "    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /internal } } }]\n    backendRefs: [{ name: api-replicas, port: 80 }]\n  - backendRefs",
    );
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": rewritten }))).toContain("route.added");
    // A prefix rewrite depends on the match it rewrites: /v2 with ReplacePrefixMatch / is not the catch-all's handling.
    const prefix = (value: string) =>
      `  - matches: [{ path: { type: PathPrefix, value: ${value} } }]\n    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: / } } }]\n    backendRefs: [{ name: api-replicas, port: 80 }]\n`;
    expect(classesOf(analyze({ "r.yaml": route(prefix("/v2")) }, { "r.yaml": route(prefix("/v2/internal") + prefix("/v2")) }))).toContain(
      "route.added",
    );
  });

  it("a rule of another route taking a path moves it there, whatever it sends (policies attached by route differ)", () => {
    const admin = httpRoute(
      "  - matches: [{ path: { type: PathPrefix, value: /admin } }]\n    backendRefs: [{ name: admin, port: 80 }]\n",
      {
        name: "admin",
        namespace: "api",
        hostname: "api.example.com",
      },
    );
    const web = (rules: string) => httpRoute(rules, { name: "web", namespace: "api", hostname: "api.example.com" });
    const users = "  - matches: [{ path: { type: PathPrefix, value: /admin/users } }]\n    backendRefs: [{ name: admin, port: 80 }]\n";
    const result = analyze({ "a.yaml": admin, "w.yaml": web(catchAll) }, { "a.yaml": admin, "w.yaml": web(users + catchAll) });
    expect(classesOf(result)).toContain("route.added");
  });
});

describe("a rule removed among rules ranked by their matches: its requests go where precedence sends them (session 40 probes r2, r2p)", () => {
  const rule = (type: string, value: string, backend: string) =>
    `  - matches: [{ path: { type: ${type}, value: "${value}" } }]\n    backendRefs: [{ name: ${backend}, port: 80 }]\n`;
  const routeOf = (last: string) =>
    httpRoute(rule("PathPrefix", "/", "svc-a") + rule("PathPrefix", "/api", "svc-b") + last, {
      name: "web",
      namespace: "shop",
      hostname: "shop.example.com",
    });
  const removing = (type: string, value: string) =>
    analyze({ "r.yaml": routeOf(rule(type, value, "svc-a")) }, { "r.yaml": routeOf("") }).findings.map((f) => [f.risk, f.class, f.summary]);

  it("/api/v1 removed falls to the longer /api, not to the / written first", () => {
    expect(removing("PathPrefix", "/api/v1")).toEqual([
      [
        "medium-high",
        "route.match-changed",
        "shop.example.com /api/v1 via Gateway infra/public: rule removed: its requests now fall through to /api → svc-b:80 100% (were → svc-a:80 100%)",
      ],
    ]);
  });

  it("a regular expression removed: / and /api both take some of its requests, which one is not known, so it is not read as moving nothing", () => {
    expect(removing("RegularExpression", "/api/v1/.*").map(([risk]) => risk)).not.toContain("low");
    expect(removing("RegularExpression", "/api/v1/.*")).not.toEqual([]);
  });
});

describe("requests passing to a rule that sends them to the same backends but handles them otherwise (session 43 probe U, F1)", () => {
  const virtualService = (rules: string) =>
    `apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: color-routing, namespace: default}\nspec:\n  hosts: [color-svc.offerings.global]\n  http:\n${rules}`;
  const to = "    route: [{destination: {host: color-svc.offerings.global}}]\n";
  const catchAll = `  - timeout: 1s\n    retries: {attempts: 5, retryOn: "5xx,reset"}\n${to}`;
  const api = `  - match: [{uri: {prefix: /api}}]\n    timeout: 30s\n    retries: {attempts: 0}\n${to}`;
  const bison = (extra = "") => `  - match: [{uri: {prefix: /bison}${extra}}]\n    rewrite: {uri: /random}\n${to}`;
  const findings = (base: string, head: string) =>
    analyze({ "vs.yaml": base }, { "vs.yaml": head }).findings.map((f) => `${f.risk} ${f.class}: ${f.summary}`);

  it("a rule removed above a catch-all to the same Service loses its timeout and its retries: judged as them edited in place", () => {
    expect(findings(virtualService(api + catchAll), virtualService(catchAll))).toEqual([
      "medium-high retry-timeout.changed: VirtualService default/color-routing: http rule uri prefix /api (its requests at mesh now fall through to catch-all): timeout 30s → 1s: requests slower than that now fail with 504",
      "medium-high retry-timeout.changed: VirtualService default/color-routing: http rule uri prefix /api (its requests at mesh now fall through to catch-all): retries.attempts 0 → 5: failures are retried more often, and retries multiply across layers",
      "medium-high retry-timeout.changed: VirtualService default/color-routing: http rule uri prefix /api (its requests at mesh now fall through to catch-all): retries.retryOn adds 5xx: server errors are retried, which amplifies load on a failing backend",
    ]);
  });

  it("a rewrite lost with its rule, or with its rule no longer applying on the mesh (rytswd/get-istio-multicluster dba1cb1683), as the rewrite removed in place", () => {
    const plain = `  - route: [{destination: {host: color-svc.offerings.global}}]\n`;
    const lost =
      "medium-high route.match-changed: VirtualService default/color-routing: http rule uri prefix /bison (its requests at mesh now fall through to catch-all): rewrite removed: requests reach backends unrewritten";
    expect(findings(virtualService(bison() + plain), virtualService(plain))).toEqual([lost]);
    expect(
      findings(virtualService(bison() + plain), virtualService(bison(", gateways: [istio-system/external-ingressgateway]") + plain)),
    ).toContainEqual(lost);
  });

  it("a new rule ahead of the catch-all, to the same Service, with a 1 s timeout and 10 retries on resets: those requests' retries and timeout changed", () => {
    const orders = (rules: string) =>
      `apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: orders, namespace: shop}\nspec:\n  hosts: [orders]\n  http:\n${rules}`;
    const slow = "  - timeout: 30s\n    route: [{destination: {host: orders}}]\n";
    const fast = `  - match: [{uri: {prefix: /api/orders}}]\n    timeout: 1s\n    retries: {attempts: 10, retryOn: "5xx,reset"}\n    route: [{destination: {host: orders}}]\n`;
    const result = findings(orders(slow), orders(fast + slow));
    expect(result).toContain(
      "medium-high retry-timeout.changed: VirtualService shop/orders: http rule uri prefix /api/orders (new: takes these requests from catch-all): timeout 30s → 1s: requests slower than that now fail with 504",
    );
    expect(result).toContainEqual(expect.stringMatching(/^medium-high retry-timeout\.changed: .*retryOn adds reset: .*writes can repeat$/));
    expect(result).toContainEqual(
      expect.stringMatching(/^medium route\.added: orders\.shop \/api\/orders via mesh: new rule → orders 100%$/),
    );
  });

  it("handled alike, or only as harmlessly otherwise (a longer timeout), nothing beyond the field diff", () => {
    const same = `  - match: [{uri: {prefix: /api}}]\n    timeout: 1s\n    retries: {attempts: 5, retryOn: "5xx,reset"}\n${to}`;
    expect(findings(virtualService(same + catchAll), virtualService(catchAll))).toEqual([
      "low resource.changed: VirtualService default/color-routing: spec.http[0] removed",
    ]);
    const tighter = `  - match: [{uri: {prefix: /api}}]\n    timeout: 500ms\n    retries: {attempts: 5, retryOn: "5xx,reset"}\n${to}`;
    expect(findings(virtualService(tighter + catchAll), virtualService(catchAll)).map((f) => f.split(":")[0])).toEqual([
      "low resource.changed",
    ]);
  });

  it("a rule sending elsewhere removed is still the match change, and its lost rewrite is said beside it", () => {
    const canary = bison().replace("color-svc.offerings.global", "canary.offerings.global");
    const plain = `  - route: [{destination: {host: color-svc.offerings.global}}]\n`;
    expect(findings(virtualService(canary + plain), virtualService(plain)).map((f) => f.slice(0, f.indexOf(":")))).toEqual([
      "medium-high route.match-changed",
      "medium-high route.match-changed",
    ]);
  });

  it("a new rule sending elsewhere is judged by where its requests go, not by the handling it gives its own backend", () => {
    const base = virtualService(catchAll);
    const head = virtualService(
      `  - match: [{uri: {prefix: /v2}}]\n    rewrite: {uri: /}\n    route: [{destination: {host: v2}}]\n${catchAll}`,
    );
    expect(classesOf(analyze({ "vs.yaml": base }, { "vs.yaml": head }))).toEqual(["route.added"]);
  });

  it("Gateway API: a rule removed beside a catch-all to the same Service loses its request timeout and its URLRewrite", () => {
    const route = (rules: string) => httpRoute(rules, { name: "web", namespace: "shop", hostname: "shop.example.com" });
    const web = "    backendRefs: [{ name: web, port: 80 }]\n";
    const all = `  - timeouts: { request: 1s }\n${web}`;
    const slow = `  - matches: [{ path: { type: PathPrefix, value: /reports } }]\n    timeouts: { request: 30s }\n${web}`;
    expect(findings(route(slow + all), route(all))).toEqual([
      "medium-high retry-timeout.changed: HTTPRoute shop/web: rule PathPrefix /reports (its requests at Gateway infra/public now fall through to catch-all): timeouts.request 30s → 1s: requests slower than 1s now fail with 504",
    ]);
    const rewrite = `  - matches: [{ path: { type: PathPrefix, value: /old } }]\n    filters: [{ type: URLRewrite, urlRewrite: { path: { type: ReplaceFullPath, replaceFullPath: /new } } }]\n${web}`;
    expect(findings(route(rewrite + all), route(all))).toContainEqual(
      expect.stringMatching(
        /^medium-high route\.match-changed: HTTPRoute shop\/web: rule PathPrefix \/old \(its requests .*\): URLRewrite removed/,
      ),
    );
  });

  /** Findings of trees of several files. */
  const found = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head).findings.map((f) => `${f.risk} ${f.class}: ${f.summary}`);

  describe("a new, narrowed or widened rule, across backends and routes (session 43 review A)", () => {
    const route = (rules: string, name = "app") => httpRoute(rules, { name, namespace: "app", hostname: "app.example.com" });
    const to = (service: string) => `    backendRefs: [{ name: ${service}, port: 80 }]\n`;
    const authelia = "    filters: [{ type: ExtensionRef, extensionRef: { group: traefik.io, kind: Middleware, name: authelia } }]\n";
    const path = (value: string) => `  - matches: [{ path: { type: PathPrefix, value: ${value} } }]\n`;
    const guarded = `  - timeouts: { request: 30s }\n${authelia}${to("app")}`;
    const unchecked =
      /^high access\.widened: HTTPRoute app\/\w+: rule PathPrefix \/\w+ \((new|widened|narrowed)[^)]*\): ExtensionRef filter Middleware authelia \(traefik\.io\) removed/;

    it("a new rule to another Service, in the route or another one, taking /admin from a catch-all an ExtensionRef authenticates: its guard is lost, not its timeout", () => {
      const admin = `${path("/admin")}    timeouts: { request: 1s }\n${to("admin")}`;
      const inRoute = found({ "r.yaml": route(guarded) }, { "r.yaml": route(admin + guarded) });
      expect(inRoute).toContainEqual(expect.stringMatching(unchecked));
      expect(inRoute).toContainEqual(expect.stringMatching(/^medium route\.added: /));
      expect(inRoute).not.toContainEqual(expect.stringMatching(/retry-timeout/));
      expect(found({ "r.yaml": route(guarded) }, { "r.yaml": route(guarded), "admin.yaml": route(admin, "admin") })).toContainEqual(
        expect.stringMatching(unchecked),
      );
      // Guarded alike, the new rule to another Service is judged by where its requests go.
      expect(
        found({ "r.yaml": route(guarded) }, { "r.yaml": route(`${path("/admin")}${authelia}${to("admin")}${guarded}`) }).map(
          (f) => f.split(":")[0],
        ),
      ).toEqual(["medium route.added"]);
    });

    it("a rule narrowed, what it gave up falling to a catch-all to the same Service that does not authenticate; a rule widened over what an authenticating catch-all took", () => {
      const plain = `  - ${to("app").trimStart()}`;
      const api = (value: string) => `${path(value)}${authelia}${to("app")}`;
      expect(found({ "r.yaml": route(api("/api") + plain) }, { "r.yaml": route(api("/api/v1") + plain) })).toContainEqual(
        expect.stringMatching(unchecked),
      );
      const open = (value: string) => `${path(value)}${to("app")}`;
      const widened = found({ "r.yaml": route(open("/api/public") + guarded) }, { "r.yaml": route(open("/api") + guarded) });
      expect(widened).toContainEqual(expect.stringMatching(unchecked));
      expect(widened).toContainEqual(expect.stringMatching(/^medium-high route\.match-changed: /));
    });
  });

  describe("Ingress: the annotations of the Ingress the requests leave against those of the one they meet", () => {
    const ingress = (name: string, value: string, annotations = "") =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\n  namespace: app\n${annotations ? `  annotations:\n${annotations}` : ""}spec:\n  ingressClassName: nginx\n  rules: [{host: app.example.com, http: {paths: [{path: ${value}, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}]}}]\n`;
    const auth = '    nginx.ingress.kubernetes.io/auth-url: "https://oauth2.example.com/oauth2/auth"\n';

    it("an authenticating Ingress for /admin deleted beside one for / to the same Service: /admin reaches it unauthenticated, as the annotation dropped in place", () => {
      const base = { "admin.yaml": ingress("admin", "/admin", auth), "app.yaml": ingress("app", "/") };
      expect(found(base, { "app.yaml": ingress("app", "/") })).toEqual([
        "high access.widened: Ingress app/app: path app.example.com/admin (its requests at IngressClass nginx now fall through to catch-all): nginx.ingress.kubernetes.io/auth-url removed: requests reach its hosts without external authentication",
        "low resource.changed: Ingress app/admin removed",
      ]);
    });

    it("annotated alike, or a path of the same Ingress: nothing beyond the field diff, and no route diff row", () => {
      const base = { "admin.yaml": ingress("admin", "/admin", auth), "app.yaml": ingress("app", "/", auth) };
      const result = analyze(base, { "app.yaml": ingress("app", "/", auth) });
      expect(classesOf(result)).toEqual(["resource.changed"]);
      expect(result.routeDiffs).toEqual([]);
    });
  });

  it("a rule kind no family judges the handling of (TLSRoute) hands nothing over: no route diff row for requests that moved nowhere", () => {
    const tls = (name: string, hostname: string, rule: string) =>
      `apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TLSRoute\nmetadata: {name: ${name}, namespace: app}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  hostnames: ["${hostname}"]\n  rules:\n  - name: ${rule}\n    backendRefs: [{ name: db, port: 5432 }]\n`;
    const wildcard = { "all.yaml": tls("all", "*.example.com", "any") };
    const result = analyze({ ...wildcard, "db.yaml": tls("db", "db.example.com", "primary") }, wildcard);
    expect(result.routeDiffs).toEqual([]);
  });
});

describe("copies of one object delivered to clusters apart: a delivery pointed at another copy's folder is judged per cluster", () => {
  const vs = (weights: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: bookinfo}\nspec:\n  hosts: [reviews.bookinfo.svc.cluster.local]\n  http:\n  - route:\n${weights
      .split(" ")
      .map((pair) => pair.split("="))
      .map(
        ([subset, weight]) => `    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: ${subset}}\n      weight: ${weight}\n`,
      )
      .join("")}`;
  const judged = (result: ReturnType<typeof analyze>) =>
    result.findings.map((finding) => `${finding.risk} ${finding.class}: ${finding.summary}`);

  // Two bootstrapped clusters, each its own flux-system/flux-system root, the policy naming neither.
  const fleet = (sgpPath: string): Record<string, string> => ({
    ...Object.fromEntries(
      ["jkt", "sgp"].flatMap((cluster) => [
        [
          `clusters/${cluster}/flux-system/gotk-sync.yaml`,
          `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
        ],
        [
          `clusters/${cluster}/apps.yaml`,
          `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ${cluster === "sgp" ? sgpPath : "./apps/jkt"}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
        ],
      ]),
    ),
    "apps/jkt/reviews.yaml": vs("v1=50 v2=50"),
    "apps/sgp/reviews.yaml": vs("v1=100"),
  });

  it("sgp's Flux Kustomization pointed at jkt's folder: sgp's reviews go 100% → 50/50, not placed nowhere, and no two versions contend", () => {
    const findings = judged(analyze(fleet("./apps/sgp"), fleet("./apps/jkt")));
    expect(findings).toContainEqual(expect.stringMatching(/^medium-high backend\.weight-changed: .*v1 100% → 50%, v2 new 50%/));
    expect(findings).toContainEqual(expect.stringMatching(/^high route\.attachment-changed: Kustomization flux-system\/apps/));
    expect(findings.filter((finding) => /region-removed|route\.removed|claimed by/.test(finding))).toEqual([]);
    // Pointed at a folder holding the same: nothing moves on sgp.
    const same = { ...fleet("./apps/sgp"), "apps/sgp/reviews.yaml": vs("v1=50 v2=50") };
    expect(judged(analyze(same, { ...same, "clusters/sgp/apps.yaml": fleet("./apps/jkt")["clusters/sgp/apps.yaml"]! }))).toEqual([
      "low resource.changed: Kustomization flux-system/apps: spec.path: ./apps/sgp → ./apps/jkt",
    ]);
  });

  // Argo CD Applications per cluster, the policy naming the clusters (session 43 probe a01).
  const argo = (jktPath: string, sgpWeights: string) => ({
    ...Object.fromEntries(
      ["jkt", "sgp"].map((cluster) => [
        `argocd/frontend-${cluster}.yaml`,
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: reviews-${cluster}, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://github.com/acme/fleet.git, path: ${cluster === "jkt" ? jktPath : "deploy/sgp"}}\n  destination: {name: ${cluster}-prod-1, namespace: bookinfo}\n`,
      ]),
    ),
    "deploy/jkt/reviews.yaml": vs("v1=100"),
    "deploy/sgp/reviews.yaml": vs(sgpWeights),
  });
  const POLICY = "topology:\n  clusters: {jkt-prod-1: jkt, sgp-prod-1: sgp}\n";

  it("jkt's Application pointed at sgp's folder as sgp's gains a canary: jkt still serves reviews, and v2 is no new region there", () => {
    const findings = judged(analyze(argo("deploy/jkt", "v1=100"), argo("deploy/sgp", "v1=80 v2=20"), POLICY));
    expect(findings).toContainEqual(
      expect.stringMatching(/^medium backend\.added: reviews\.bookinfo: v2 receives 20% \(v1 100% → 80%, v2 new 20%\)/),
    );
    expect(findings.filter((finding) => /region-added|route\.removed|no longer served|claimed by/.test(finding))).toEqual([]);
  });

  it("a cluster the copy it now gets reaches anew, no copy having served it there, is still a new region", () => {
    const without = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([path]) => path !== "deploy/jkt/reviews.yaml"));
    const findings = judged(analyze(without(argo("deploy/jkt", "v1=100")), without(argo("deploy/sgp", "v1=100")), POLICY));
    expect(findings).toContainEqual(expect.stringMatching(/^high backend\.region-added: reviews\.bookinfo: v1 now also reaches jkt/));
  });

  // Both clusters' Applications read deploy/common; jkt's is pointed at its own folder while sgp's stays.
  const leaving = (jktPath: string, jktWeights: string): Record<string, string> => {
    const tree: Record<string, string> = Object.fromEntries(
      Object.entries(argo(jktPath, "v1=100")).filter(([path]) => path !== "deploy/sgp/reviews.yaml"),
    );
    return {
      ...tree,
      "argocd/frontend-sgp.yaml": tree["argocd/frontend-sgp.yaml"]!.replace("path: deploy/sgp", "path: deploy/common"),
      "deploy/common/reviews.yaml": vs("v1=100"),
      "deploy/jkt/reviews.yaml": vs(jktWeights),
    };
  };

  it("a copy leaving only some of its clusters: jkt cut over to its own folder's v2 is the cutover, sgp keeps common's v1", () => {
    const findings = judged(analyze(leaving("deploy/common", "v2=100"), leaving("deploy/jkt", "v2=100"), POLICY));
    expect(findings).toContainEqual(
      expect.stringMatching(/^medium-high backend\.weight-changed: reviews\.bookinfo: v2 receives 100%.*a cutover/),
    );
    // Read as region jkt losing reviews ("v1 now placed in sgp") and v2 reaching jkt anew.
    expect(findings.filter((finding) => /region-removed|region-added|route\.removed/.test(finding))).toEqual([]);
    // Pointed at a folder holding the same: nothing moves on jkt.
    expect(judged(analyze(leaving("deploy/common", "v1=100"), leaving("deploy/jkt", "v1=100"), POLICY))).toEqual([
      "low resource.changed: Application argocd/reviews-jkt: spec.source.path: deploy/common → deploy/jkt",
    ]);
  });

  it("a copy leaving only some clusters, no other copy taking them, still leaves them", () => {
    const findings = judged(analyze(leaving("deploy/common", "v1=100"), { ...leaving("deploy/nowhere", "v1=100") }, POLICY));
    expect(findings).toContainEqual(
      expect.stringMatching(/^high backend\.region-removed: reviews\.bookinfo: region jkt no longer receives traffic/),
    );
  });
});

describe("copies of one object: twins only where the tree applies them as one", () => {
  const ingress = (service: string) =>
    `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: canary, namespace: shop}\nspec:\n  ingressClassName: nginx\n  rules: [{host: canary.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${service}, port: {number: 80}}}}]}}]\n`;
  const kustomization = (...resources: string[]) => `resources: [${resources.join(", ")}]\n`;

  it("a kustomization built into another root becoming a root of its own renders what that root rendered of it (argoproj/rollouts-demo 7b38537)", () => {
    const canary = { "canary/kustomization.yaml": kustomization("canary-ingress.yaml") };
    // At base the analysis overlay builds the canary one; at head it lists the canary's files, and canary is a root.
    const one = {
      ...canary,
      "analysis/kustomization.yaml": kustomization("../canary"),
      "analysis/(rendered)/kustomization.yaml": ingress("canary"),
    };
    const two = {
      ...one,
      "analysis/kustomization.yaml": kustomization("../canary/canary-ingress.yaml"),
      "canary/(rendered)/kustomization.yaml": ingress("canary"),
    };
    expect(analyze(one, two).routeDiffs).toEqual([]);
    expect(analyze(two, one).routeDiffs).toEqual([]);
    // A copy that differs is a version of its own: what it serves shows.
    const other = { ...two, "canary/(rendered)/kustomization.yaml": ingress("canary-v2") };
    expect(analyze(one, other).routeDiffs.map((diff) => diff.status)).toContain("added");
  });

  it("two overlays each rendering a shared base's route: one dropping it loses it, one added gains it", () => {
    const overlays = (...names: string[]): Record<string, string> =>
      Object.fromEntries(
        names.flatMap((name) => [
          [`overlays/${name}/kustomization.yaml`, kustomization("../../base")],
          [`overlays/${name}/(rendered)/kustomization.yaml`, ingress("canary")],
        ]),
      );
    const base = { "base/kustomization.yaml": kustomization("ingress.yaml"), ...overlays("prod", "staging") };
    const withoutProd = Object.fromEntries(
      Object.entries({ ...base, "overlays/prod/kustomization.yaml": kustomization() }).filter(
        ([path]) => !path.startsWith("overlays/prod/("),
      ),
    );
    expect(classesOf(analyze(base, withoutProd))).toEqual(["route.removed"]);
    const withEu = { ...base, ...overlays("eu") };
    expect(classesOf(analyze(base, withEu))).toEqual(["route.added"]);
  });

  it("identical copies in two folders nothing places are objects of their own: west's route dropped beside east's is removed (session 45 probe B, F11)", () => {
    const route = checkoutRoute(ref("checkout-jkt"));
    const copies = { "clusters/east/route.yaml": route, "clusters/west/route.yaml": route };
    const { "clusters/west/route.yaml": _west, ...eastOnly } = copies;
    const removed = analyze(copies, eastOnly);
    expect(removed.findings.map((f) => `${f.class} ${f.file}`)).toEqual(["route.removed clusters/west/route.yaml"]);
    expect(classesOf(analyze(eastOnly, copies))).toEqual(["route.added"]);
    // Two files of one folder are applied together: the copy kept holds the object.
    const together = { "clusters/east/route.yaml": route, "clusters/east/route-copy.yaml": route };
    const { "clusters/east/route-copy.yaml": _copy, ...one } = together;
    expect(analyze(together, one).routeDiffs).toEqual([]);
    expect(analyze(one, together).routeDiffs).toEqual([]);
  });
});

describe("versions of one object in two files: the one a file adds is judged as the edit it is (session 45 probe B, A)", () => {
  const GATEWAYS = ["eg", "other"]
    .map(
      (name) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: default}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n`,
    )
    .join("---\n");
  const rule = (path: string, backend = "backend", extra = "") =>
    `  - matches: [{ path: { type: PathPrefix, value: ${path} } }]\n    backendRefs: [{ name: ${backend}, port: 3000 }]\n${extra}`;
  const route = (rules: string, { parent = "eg", hostname = "www.example.com", name = "backend" } = {}) =>
    httpRoute(rules, { name, namespace: "default", hostname, parent: `{ name: ${parent} }` });
  const base = { "ex/gateway.yaml": GATEWAYS, "ex/route.yaml": route(rule("/")) };
  const judged = (head: Record<string, string>) => {
    const result = analyze(base, head);
    return {
      result,
      conflicts: result.findings.filter((f) => /claimed by/.test(f.summary)),
      said: result.findings.map((f) => `${f.risk} ${f.class}`),
    };
  };
  const header = "    filters: [{ type: RequestHeaderModifier, requestHeaderModifier: { add: [{ name: x-auth, value: on }] } }]\n";

  it("beside it in its folder, adding a header filter: no flow moves, and the object contends with nobody", () => {
    const { result, conflicts, said } = judged({ ...base, "ex/route-auth.yaml": route(rule("/", "backend", header)) });
    expect(result.routeDiffs).toEqual([]);
    expect(conflicts).toEqual([]);
    expect(said).toEqual(["low resource.changed"]);
  });

  it("beside it in its folder, sending its requests to another backend: the cutover, as the edit in place reads", () => {
    const { conflicts, result } = judged({ ...base, "ex/route-v2.yaml": route(rule("/", "backend-v2")) });
    expect(conflicts).toEqual([]);
    expect(result.findings.map((f) => `${f.risk} ${f.class} ${f.file}`)).toEqual(["medium-high backend.weight-changed ex/route-v2.yaml"]);
    expect(result.findings[0]!.summary).toContain("ex/route-v2.yaml writes another version of it beside ex/route.yaml's");
    const inPlace = analyze(base, { ...base, "ex/route.yaml": route(rule("/", "backend-v2")) });
    expect(inPlace.findings.map((f) => `${f.risk} ${f.class}`)).toEqual(["medium-high backend.weight-changed"]);
  });

  it("re-attaching it to another Gateway: attached and detached, as the edit in place (envoyproxy/gateway 8fa767a980)", () => {
    const { said, result } = judged({ ...base, "ex/admission.yaml": route(rule("/"), { parent: "other" }) });
    expect(said).toEqual(["high route.attachment-changed"]);
    expect(result.findings[0]!.summary).toMatch(
      /^HTTPRoute default\/backend: attached to Gateway default\/other:http; detached from Gateway default\/eg:http \(ex\/admission.yaml writes another version/,
    );
  });

  it("lacking a rule of the base's version: that rule's requests are served no more, the base's copy that stays taking none of them", () => {
    const two = { ...base, "ex/route.yaml": route(`${rule("/")}${rule("/admin", "admin")}`) };
    const result = analyze(two, { ...two, "ex/route-lean.yaml": route(rule("/")) });
    const routes = (findings: typeof result.findings) =>
      findings.filter((f) => f.class.startsWith("route.")).map((f) => `${f.risk} ${f.class} ${f.summary.split(":")[0]}`);
    expect(routes(result.findings)).toEqual(["medium-high route.match-changed www.example.com /admin via Gateway default/eg"]);
    expect(result.findings.find((f) => f.class === "route.match-changed")!.summary).toContain(
      "rule removed: its requests now fall through to catch-all → backend:3000 100% (were → admin:3000 100%) (ex/route-lean.yaml writes another version",
    );
    expect(routes(analyze(two, { ...two, "ex/route.yaml": route(rule("/")) }).findings)).toEqual(routes(result.findings));
  });

  it("loose in another folder, where it may as well be another cluster's object: a new route, and the cutover where the two contend", () => {
    const { conflicts, said } = judged({ ...base, "promo/route.yaml": route(rule("/", "promo")) });
    expect(conflicts).toEqual([]);
    expect(said.sort()).toEqual(["medium route.added", "medium-high backend.weight-changed"]);
    // A header filter added there moves no request the two contend for: only the new route.
    expect(judged({ ...base, "authn/route.yaml": route(rule("/", "backend", header)) }).said).toEqual(["medium route.added"]);
    // Nor is an example for another host, of the same name, an edit that drops the first's host, nor one on another Gateway a re-attachment.
    expect(judged({ ...base, "other/route.yaml": route(rule("/"), { hostname: "other.example.com" }) }).said).toEqual([
      "medium route.added",
    ]);
    expect(judged({ ...base, "other/route.yaml": route(rule("/"), { parent: "other" }) }).said).toEqual(["medium route.added"]);
  });

  it("beside base versions that route otherwise each (alternatives, one applied at a time), it is judged alone", () => {
    const alternatives = { ...base, "ex/route-b.yaml": route(rule("/", "backend-b")) };
    const result = analyze(alternatives, { ...alternatives, "ex/route-c.yaml": route(rule("/", "backend-c")) });
    expect(result.findings.filter((f) => /writes another version/.test(f.summary) && f.class !== "resource.changed")).toEqual([]);
    expect(result.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(result.blastRadius.issues.existing.map((issue) => issue.summary)).toEqual([expect.stringContaining("versions of one object")]);
  });
});

describe("a rule of one of two files writing an object, moved into another route (session 45 probe B, F)", () => {
  const gateway =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: eg, namespace: default}\nspec:\n  gatewayClassName: eg\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n";
  const route = (name: string, rules: string) =>
    httpRoute(rules, { name, namespace: "default", hostname: "www.example.com", parent: "{ name: eg }" });
  const rule = (path: string, backend = "backend") =>
    `  - matches: [{ path: { type: PathPrefix, value: ${path} } }]\n    backendRefs: [{ name: ${backend}, port: 3000 }]\n`;
  const base = {
    "ex/gateway.yaml": gateway,
    "ex/route.yaml": route("backend", rule("/")),
    "ex/authn/jwt.yaml": route("backend", rule("/foo")),
  };
  const { "ex/authn/jwt.yaml": _jwt, ...rest } = base;

  it("still serves its requests where the other route takes them all (envoyproxy/gateway 364710f447)", () => {
    const result = analyze(base, { ...rest, "ex/jwt/jwt.yaml": route("foo", rule("/foo")) });
    expect(result.findings.filter((f) => f.class === "route.removed")).toEqual([]);
  });

  it("is no longer served where only the other file's copy of its object is left: that copy is an object of its own", () => {
    const result = analyze(base, rest);
    expect(result.findings.map((f) => `${f.class} ${f.file}`)).toContain("route.removed ex/authn/jwt.yaml");
  });

  it("moves where the other route sends them elsewhere", () => {
    const result = analyze(base, { ...rest, "ex/jwt/jwt.yaml": route("foo", rule("/foo", "backend-v2")) });
    expect(result.findings.map((f) => f.summary)).toContainEqual(expect.stringContaining("its requests now fall through to"));
  });
});

describe("example folders each writing their own Gateway of one name: rules compete only on the same one (session 48 probe H, F1)", () => {
  const gateway = (listeners: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gateway, namespace: default}\nspec:\n  gatewayClassName: nginx\n  listeners:\n${listeners}`;
  const HTTP = "  - {name: http, port: 80, protocol: HTTP}\n";
  const HTTPS = `${HTTP}  - {name: https, port: 443, protocol: HTTPS, tls: {mode: Terminate, certificateRefs: [{kind: Secret, name: cafe-secret}]}}\n`;
  const route = (name: string, rules: string) =>
    httpRoute(rules, { name, namespace: "default", hostname: "cafe.example.com", parent: "{ name: gateway, sectionName: http }" });
  const tea = (type: string, name = "tea") =>
    route(name, `  - matches: [{ path: { type: ${type}, value: /tea } }]\n    backendRefs: [{ name: tea, port: 80 }]\n`);
  const REDIRECT = route("cafe-tls-redirect", "  - filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, port: 443 } }]\n");
  // https-termination's Gateway and its redirect of every request on http: an example of its own.
  const https = { "https-termination/gateway.yaml": gateway(HTTPS), "https-termination/routes.yaml": REDIRECT };
  const said = (result: ReturnType<typeof analyze>) => result.findings.map((f) => `${f.risk} ${f.class} ${f.file}`).sort();

  it("a rule narrowed on one folder's Gateway leaves the rest of its requests unserved, not to another folder's redirect (NGF 3b11e8ef94)", () => {
    const base = { ...https, "cafe/gateway.yaml": gateway(HTTP), "cafe/routes.yaml": tea("PathPrefix") };
    const result = analyze(base, { ...base, "cafe/routes.yaml": tea("Exact") });
    expect(said(result)).toEqual(["high route.removed cafe/routes.yaml", "medium-high route.match-changed cafe/routes.yaml"]);
    expect(result.findings.find((f) => f.class === "route.removed")!.summary).toContain(
      "the rest of PathPrefix /tea no longer served: the rule no longer matches it and no other rule takes it",
    );
    expect(result.findings.map((f) => f.summary).join("\n")).not.toContain("redirect");
  });

  it("a rule on another folder's Gateway claiming the same host and match shadows none of it: the first claim on each Gateway serves", () => {
    const rateLimit = {
      "rate-limit/gateway.yaml": gateway('  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}\n'),
      "rate-limit/routes.yaml": tea("Exact", "tea-rl"),
    };
    const base = { ...https, ...rateLimit, "cafe/gateway.yaml": gateway(HTTP), "cafe/routes.yaml": tea("PathPrefix") };
    const result = analyze(base, { ...base, "cafe/routes.yaml": tea("Exact") });
    expect(said(result)).toEqual(["high route.removed cafe/routes.yaml", "medium-high route.match-changed cafe/routes.yaml"]);
    const exact = [...result.head.model.flows.values()].filter((flow) => flow.match === "Exact /tea");
    expect(exact.map((flow) => [flow.resource.name, flow.shadowedBy])).toEqual([
      ["tea", undefined],
      ["tea-rl", undefined],
    ]);
  });

  it("a new example folder's route takes nothing from another folder's catch-all (NGF 219c97341d and eleven more)", () => {
    const head = { ...https, "rate-limit/gateway.yaml": gateway(HTTP), "rate-limit/routes.yaml": tea("Exact", "tea-rl") };
    const result = analyze(https, head);
    expect(said(result)).toEqual(["high listener.changed rate-limit/gateway.yaml", "medium route.added rate-limit/routes.yaml"]);
    expect(result.routeDiffs.flatMap((diff) => diff.handovers ?? [])).toEqual([]);
  });

  it("two routes on one folder's Gateway still hand requests to each other: the rest of /tea falls through to that folder's redirect", () => {
    const cafe = { "cafe/gateway.yaml": gateway(HTTP), "cafe/redirect.yaml": REDIRECT.replace("cafe-tls-redirect", "cafe-redirect") };
    const narrowed = (beside: Record<string, string>) => {
      const base = { ...beside, ...cafe, "cafe/routes.yaml": tea("PathPrefix") };
      return analyze(base, { ...base, "cafe/routes.yaml": tea("Exact") });
    };
    // Beside another folder's differing Gateway, as with the cafe's Gateway alone.
    for (const result of [narrowed(https), narrowed({})]) {
      expect(said(result)).toEqual([
        "medium-high route.match-changed cafe/redirect.yaml",
        "medium-high route.match-changed cafe/routes.yaml",
      ]);
      expect(result.findings.find((f) => f.file === "cafe/routes.yaml")!.summary).toContain(
        "the rest of /tea now falls through to catch-all → redirect",
      );
    }
  });

  it("a route moved to another folder's Gateway leaves the one it was on and takes requests from the other's redirect", () => {
    const base = { ...https, "cafe/gateway.yaml": gateway(HTTP), "cafe/routes.yaml": tea("PathPrefix") };
    const { "cafe/routes.yaml": moved, ...rest } = base;
    const result = analyze(base, { ...rest, "https-termination/tea.yaml": moved });
    expect(said(result)).toEqual([
      "high route.removed cafe/routes.yaml",
      "medium route.added https-termination/tea.yaml",
      "medium-high route.match-changed https-termination/tea.yaml",
    ]);
    expect(result.findings.find((f) => f.class === "route.match-changed")!.summary).toContain(
      "(new: takes these requests from catch-all): RequestRedirect removed",
    );
  });

  it("a version of a route another folder adds on its own Gateway is no edit of the one that stays (gateway-api f5a88e95d5)", () => {
    const result = analyze(https, { ...https, "redirect/gateway.yaml": gateway(HTTP), "redirect/routes.yaml": REDIRECT });
    expect(said(result).filter((finding) => finding.includes("route."))).toEqual(["medium route.added redirect/routes.yaml"]);
  });

  it("copies of one text, or of one folder, are one object: their routes compete as one Gateway's", () => {
    // A third folder's Gateway that differs, with its own route, tells the tree's Gateways apart.
    const rateLimit = {
      "rate-limit/gateway.yaml": gateway('  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}\n'),
      "rate-limit/routes.yaml": tea("Exact", "tea-rl").replace("/tea", "/coffee"),
    };
    for (const [folder, copy] of [
      ["cafe", gateway(HTTPS)],
      ["https-termination", gateway(HTTP)],
    ] as const) {
      const base = { ...https, ...rateLimit, [`${folder}/gateway-copy.yaml`]: copy, [`${folder}/tea.yaml`]: tea("PathPrefix") };
      const result = analyze(base, { ...base, [`${folder}/tea.yaml`]: tea("Exact") });
      expect(said(result)).toEqual(
        [`medium-high route.match-changed ${folder}/tea.yaml`, "medium-high route.match-changed https-termination/routes.yaml"].sort(),
      );
      expect(result.findings.find((f) => f.file === `${folder}/tea.yaml`)!.summary).toContain("falls through to catch-all → redirect");
    }
  });
});

describe("a route nearest several differing copies of its Gateway alike lands on one by tree order alone (session 49 probe K, family A)", () => {
  const gateway = (className: string, listener = "{name: http, port: 80, protocol: HTTP}") =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: inference-gateway, namespace: default}\nspec:\n  gatewayClassName: ${className}\n  listeners: [${listener}]\n`;
  const route = (name: string, backend: string, header = "") =>
    httpRoute(
      `  - ${header ? `matches: [{ headers: [{ name: X-Model, value: ${header} }] }]\n    ` : ""}backendRefs: [{ name: ${backend}, port: 8000 }]\n`,
      { name, namespace: "default", hostname: "'*'", parent: "{ name: inference-gateway }" },
    );
  const BBR = route("llm-llama-route", "llama", "llama");
  // Each provider's folder brings its own Gateway and route; bbr/ has none and is applied with one of them.
  const provider = (folder: string, className: string) => ({
    [`${folder}/gateway.yaml`]: gateway(className),
    [`${folder}/httproute.yaml`]: route("llm-route", "llm"),
  });
  const BASE = { ...provider("gw/a", "agentgateway"), ...provider("gw/b", "kgateway"), "bbr/route.yaml": BBR };
  const without = (tree: Record<string, string>, folder: string) =>
    Object.fromEntries(Object.entries(tree).filter(([file]) => !file.startsWith(`${folder}/`)));
  const said = (result: ReturnType<typeof analyze>) => result.findings.map((f) => `${f.risk} ${f.class} ${f.file}`).sort();
  const bbrFlow = (result: ReturnType<typeof analyze>, side: "base" | "head") =>
    [...result[side].model.flows.values()].find((flow) => flow.resource.name === "llm-llama-route")!;

  it("lands on the first copy and knows it may as well be on the other", () => {
    const flow = bbrFlow(analyze(BASE, BASE), "base");
    expect(flow.entryCopy).toEqual(["gw/a/gateway.yaml"]);
    expect(flow.entryChoices).toEqual([["gw/a/gateway.yaml"], ["gw/b/gateway.yaml"]]);
  });

  it("another copy's folder deleted: the route stays on the one left, unchanged (gateway-api-inference-extension a42fc1d897)", () => {
    const result = analyze(BASE, without(BASE, "gw/a"));
    expect(said(result)).toEqual(["high listener.changed gw/a/gateway.yaml", "high route.removed gw/a/httproute.yaml"]);
    expect(result.routeDiffs.filter((diff) => (diff.base ?? diff.head)!.resource.name === "llm-llama-route")).toEqual([]);
  });

  it("a copy's folder renamed, nothing else: no change, though tree order now puts the other copy first", () => {
    const head = { ...without(BASE, "gw/a"), ...provider("gw/z", "agentgateway") };
    const result = analyze(BASE, head);
    expect(bbrFlow(result, "head").entryCopy).toEqual(["gw/b/gateway.yaml"]);
    expect(said(result)).toEqual([]);
  });

  it("the route edited as a copy's folder is renamed: judged as its edit, not as removed from one copy and added on another", () => {
    const head = {
      ...without(BASE, "gw/a"),
      ...provider("gw/z", "agentgateway"),
      "bbr/route.yaml": route("llm-llama-route", "llama-v2", "llama"),
    };
    const result = analyze(BASE, head);
    expect(said(result).filter((finding) => finding.includes("bbr/"))).not.toContainEqual(expect.stringContaining("route.removed"));
    expect(result.routeDiffs.map((diff) => [diff.status, diff.backends.map((b) => [b.label, b.before, b.after])])).toEqual([
      [
        "changed",
        [
          ["llama:8000", 1, undefined],
          ["llama-v2:8000", undefined, 1],
        ],
      ],
    ]);
  });

  it("its match edited as a copy's folder is renamed: read as the same edit alone, its old requests falling to the copy's catch-all", () => {
    const edited = { "bbr/route.yaml": route("llm-llama-route", "llama", "llama3") };
    const renamed = { ...without(BASE, "gw/a"), ...provider("gw/z", "agentgateway") };
    const summaries = (result: ReturnType<typeof analyze>) => result.findings.map((f) => `${f.risk} ${f.class} ${f.summary}`);
    const alone = summaries(analyze(BASE, { ...BASE, ...edited }));
    expect(alone).toEqual([expect.stringContaining("header x-model=llama now falls through to catch-all → llm:8000 100%")]);
    expect(summaries(analyze(BASE, { ...renamed, ...edited }))).toEqual(alone);
  });

  it("moved into a third copy's folder, it leaves the copies it was applied with: its requests there fall to their catch-all, and it is new on that one", () => {
    const base = { ...BASE, ...provider("gw/c", "istio") };
    const { "bbr/route.yaml": moved, ...rest } = base;
    const result = analyze(base, { ...rest, "gw/c/bbr-route.yaml": moved! });
    expect(bbrFlow(result, "head").entryChoices).toBeUndefined();
    expect(said(result)).toEqual(["medium route.added gw/c/bbr-route.yaml", "medium-high route.match-changed bbr/route.yaml"]);
    expect(result.findings.find((f) => f.class === "route.match-changed")!.summary).toContain(
      "rule removed: its requests now fall through to catch-all → llm:8000 100%",
    );
  });

  it("a copy of its own added beside it, in its file's folder: it moves to that one, though both trees hold the others", () => {
    const result = analyze(BASE, { ...BASE, "bbr/gateway.yaml": gateway("istio") });
    expect(bbrFlow(result, "head").entryCopy).toEqual(["bbr/gateway.yaml"]);
    expect(said(result)).toEqual([
      "high listener.changed bbr/gateway.yaml",
      "medium route.added bbr/route.yaml",
      "medium-high route.match-changed bbr/route.yaml",
    ]);
  });

  it("the copy left to it changing its listener: the route's requests are judged there (high)", () => {
    const head = {
      ...without(BASE, "gw/a"),
      "gw/b/gateway.yaml": gateway("kgateway", '{name: http, port: 80, protocol: HTTP, hostname: "llama.example.com"}'),
    };
    const result = analyze(BASE, head);
    const bbr = result.findings.filter((f) => f.file === "bbr/route.yaml").map((f) => `${f.risk} ${f.class}`);
    expect(bbr).toContain("high route.removed");
  });
});
