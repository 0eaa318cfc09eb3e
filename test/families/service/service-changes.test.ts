import fc from "fast-check";
import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { analyze, review } from "../../helpers/review-trees.js";

/**
 * Core Services the PR changes under routes that still send to them (src/families/service/service-changes.ts):
 * the review reads the Service documents of the files the PR changes, not every Service of the tree.
 */

const httpRoute = (backend = "    - name: cart\n      port: 8080\n", namespace = "shop") => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: cart, namespace: ${namespace} }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  hostnames: [cart.example.com]
  rules:
  - backendRefs:
${backend}`;

const service = (name = "cart", metadata = "namespace: shop") => `apiVersion: v1
kind: Service
metadata: { name: ${name}, ${metadata} }
spec:
  selector: { app: ${name} }
  ports: [{ port: 8080 }]
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: cart, namespace: shop }
spec: { replicas: 2 }
`;

const broken = (result: ReturnType<typeof analyze>) =>
  result.findings
    .filter((finding) => finding.class === "reference.broken")
    .map(({ file, line, risk, summary }) => ({ file, line, risk, summary }));

describe("a core Service removed while routes still send to it", () => {
  it("is reported on the route's backendRef: its requests fail", () => {
    const base = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": `${service()}---\n${DEPLOYMENT}` };
    const head = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": DEPLOYMENT };
    expect(broken(analyze(base, head))).toEqual([
      {
        file: "apps/cart/route.yaml",
        line: 9,
        risk: "high",
        summary:
          "Service shop/cart is removed (apps/cart/service.yaml) while HTTPRoute shop/cart still sends traffic for cart.example.com to it: " +
          "no Service answers that backend, so its share of the requests fails (a Gateway answers 500, an Envoy sidecar or ingress 503)",
      },
    ]);
    expect(review(base, head).decision).toBe("fail");
  });

  it("is read in any style kubectl applies: one-line JSON, a flow mapping, a List's item — rewritten so, it is not removed", () => {
    const json = JSON.stringify(jsyaml.load(service()));
    const flow = `{apiVersion: v1, kind: Service, metadata: {name: cart, namespace: shop}, spec: {selector: {app: cart}, ports: [{port: 8080}]}}\n`;
    const items = `apiVersion: v1\nkind: List\nitems:\n${[service(), DEPLOYMENT].map((doc) => `- ${doc.trimEnd().replaceAll("\n", "\n  ")}\n`).join("")}`;
    for (const rewritten of [json, flow, items]) {
      const base = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": service() };
      const head = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": rewritten };
      expect(broken(analyze(base, head))).toEqual([]);
      // And gone from that style, it is removed.
      expect(broken(analyze(head, { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": DEPLOYMENT }))).toHaveLength(1);
    }
  });

  it("that no longer reads is manifest.invalid, not passed without a word (kubernetes-engine-samples 2939f67e88); one broken already at base is not the PR's", () => {
    const misindented = service().replace("  ports: [{ port: 8080 }]\n", "  ports:\n  -   protocol: TCP\n    port: 8080\n");
    const base = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": service() };
    const head = { "apps/cart/route.yaml": httpRoute(), "apps/cart/service.yaml": misindented };
    const invalid = analyze(base, head).findings.filter((finding) => finding.class === "manifest.invalid");
    expect(invalid.map(({ file, risk, summary }) => ({ file, risk, summary }))).toEqual([
      {
        file: "apps/cart/service.yaml",
        risk: "high",
        summary:
          "Service shop/cart can no longer be read (apps/cart/service.yaml): kubectl, kustomize and the GitOps tools refuse the whole file, so nothing in it is applied until it is mended",
      },
    ]);
    expect(review(base, head).decision).toBe("fail");
    expect(broken(analyze(base, head))).toEqual([]);
    const stillBroken = { ...head, "apps/cart/route.yaml": httpRoute().replace("cart.example.com", "shop.example.com") };
    expect(analyze(head, stillBroken).findings.filter((finding) => finding.class === "manifest.invalid")).toEqual([]);
  });

  it("is one finding per Service, on the first route's backendRef, naming every route that sends to it", () => {
    const backends = "    - name: cart\n      port: 8080\n      weight: 90\n    - name: cart-next\n      port: 8080\n      weight: 10\n";
    const other = httpRoute("    - name: cart\n      port: 8080\n").replace("name: cart, namespace", "name: checkout, namespace");
    const result = analyze(
      { "route.yaml": httpRoute(backends), "checkout.yaml": other, "a.yaml": service(), "b.yaml": service("cart-next") },
      { "route.yaml": httpRoute(backends), "checkout.yaml": other },
    );
    expect(broken(result).map(({ file, line, summary }) => [file, line, summary.split(":")[0]])).toEqual([
      [
        "route.yaml",
        9,
        "Service shop/cart is removed (a.yaml) while HTTPRoute shop/cart, HTTPRoute shop/checkout still send traffic for cart.example.com to it",
      ],
      [
        "route.yaml",
        12,
        "Service shop/cart-next is removed (b.yaml) while HTTPRoute shop/cart still sends traffic for cart.example.com to it",
      ],
    ]);
  });

  const BASE = { "route.yaml": httpRoute(), "a.yaml": service() };
  it.each([
    ["moved to another file", BASE, { "route.yaml": httpRoute(), "services/cart.yaml": service() }],
    ["declared twice, one copy removed", { ...BASE, "other.yaml": service() }, { "route.yaml": httpRoute(), "other.yaml": service() }],
    [
      "renamed along with the route's backendRef",
      BASE,
      { "route.yaml": httpRoute("    - name: cart-v2\n      port: 8080\n"), "a.yaml": service("cart-v2") },
    ],
    ["removed with its route", BASE, { "a.yaml": DEPLOYMENT }],
    // kubectl refuses the file, so the Service stays as it was.
    ["left in a document that cannot be read", BASE, { "route.yaml": httpRoute(), "a.yaml": service().replace("spec:", "spec: [") }],
    ["only an edit of another document of its file", BASE, { "route.yaml": httpRoute(), "a.yaml": `${service()}---\n${DEPLOYMENT}` }],
  ])("is not reported when %s", (_, base, head) => {
    expect(broken(analyze(base, head))).toEqual([]);
  });

  it("moved to another file and changed on the way, is judged as it is there; so is a copy applied with it at base that selects other pods", () => {
    const moved = analyze(BASE, { "route.yaml": httpRoute(), "services/cart.yaml": service().replace("port: 8080", "port: 9090") });
    expect(broken(moved).map(({ summary }) => summary.split(" while ")[0])).toEqual([
      "Service shop/cart no longer has port 8080 (services/cart.yaml)",
    ]);
    const other = service().replace("{ app: cart }", "{ app: cart, version: blue }");
    const judged = (result: ReturnType<typeof analyze>) =>
      result.findings
        .filter(({ class: found }) => found !== "resource.changed")
        .map(({ class: found, summary }) => [found, summary.split(" while ")[0]]);
    const selectsOther = [
      ["backend.weight-changed", "Service shop/cart selects other pods (app=cart → app=cart, version=blue; other.yaml)"],
    ];
    // A copy the PR adds is the Service moved; one applied beside it all along (whichever was applied
    // last held) now holds alone: judged alike, its file edited or not.
    expect(judged(analyze(BASE, { "route.yaml": httpRoute(), "other.yaml": `${other}---\n${DEPLOYMENT}` }))).toEqual(selectsOther);
    expect(judged(analyze({ ...BASE, "other.yaml": other }, { "route.yaml": httpRoute(), "other.yaml": other }))).toEqual(selectsOther);
    const edited = analyze(
      { ...BASE, "other.yaml": `${other}---\n${DEPLOYMENT}` },
      { "route.yaml": httpRoute(), "other.yaml": `${other}---\n${DEPLOYMENT.replace("replicas: 2", "replicas: 3")}` },
    );
    expect(judged(edited)).toEqual(selectsOther);
    // A copy alike (selector and ports) still answers as before.
    expect(judged(analyze({ ...BASE, "other.yaml": service() }, { "route.yaml": httpRoute(), "other.yaml": service() }))).toEqual([]);
  });

  it("removed beside a copy applied apart (another kustomize root, another cluster) is no move to that copy", () => {
    // rollouts-demo ca84ae8b08: the preview root renames its Service, the canary root keeps its own,
    // selecting other pods all along, under the canary Ingress.
    const root = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [service.yaml]\n";
    const other = service().replace("{ app: cart }", "{ app: cart, version: blue }");
    const roots = { "canary/kustomization.yaml": root, "canary/service.yaml": other };
    const base = { ...roots, "route.yaml": httpRoute(), "preview/kustomization.yaml": root, "preview/service.yaml": service() };
    const head = {
      ...roots,
      "route.yaml": httpRoute(),
      "preview/kustomization.yaml": root,
      "preview/service.yaml": service("cart-preview"),
    };
    expect(analyze(base, head).findings.filter(({ class: found }) => found !== "resource.changed")).toEqual([]);
    // Placed on one cluster they are one object: the copy left on app=web-legacy takes the requests.
    const overlay = 'topology:\n  placements: ["clusters/{cluster}/**"]\n';
    const legacy = service("web").replace("{ app: web }", "{ app: web-legacy }");
    const cluster = (files: Record<string, string>) => ({
      "clusters/prod/web/route.yaml": httpRoute("    - name: web\n      port: 8080\n"),
      "clusters/prod/legacy/web.yaml": legacy,
      ...files,
    });
    const dropped = analyze(cluster({ "clusters/prod/web/service.yaml": service("web") }), cluster({}), overlay);
    expect(dropped.findings.map(({ class: found, summary }) => [found, summary.split(" while ")[0]])).toEqual([
      ["backend.weight-changed", "Service shop/web selects other pods (app=web → app=web-legacy; clusters/prod/legacy/web.yaml)"],
    ]);
    // On another cluster the copy is another cluster's: cluster prod's route has nothing left.
    const route = { "clusters/prod/web/route.yaml": httpRoute("    - name: web\n      port: 8080\n"), "clusters/staging/web.yaml": legacy };
    const gone = analyze({ ...route, "clusters/prod/web/service.yaml": service("web") }, route, overlay);
    expect(broken(gone).map(({ file }) => file)).toEqual(["clusters/prod/web/route.yaml"]);
  });

  it("is not reported for a route that names it at weight 0 (it takes no requests)", () => {
    const backends = "    - name: cart\n      port: 8080\n      weight: 0\n    - name: cart-v2\n      port: 8080\n      weight: 1\n";
    const base = { "route.yaml": httpRoute(backends), "a.yaml": service(), "b.yaml": service("cart-v2") };
    expect(broken(analyze(base, { "route.yaml": httpRoute(backends), "b.yaml": service("cart-v2") }))).toEqual([]);
  });

  it("is not reported for a backendRef of another kind that shares the name", () => {
    const backends = "    - group: gateway.envoyproxy.io\n      kind: Backend\n      name: cart\n";
    const base = { "route.yaml": httpRoute(backends), "a.yaml": service() };
    expect(broken(analyze(base, { "route.yaml": httpRoute(backends) }))).toEqual([]);
  });

  it("is not reported for a Service of the same name in another namespace", () => {
    const base = { "route.yaml": httpRoute(), "a.yaml": service("cart", "namespace: staging"), "b.yaml": service() };
    expect(broken(analyze(base, { "route.yaml": httpRoute(), "b.yaml": service() }))).toEqual([]);
  });

  it("reads Istio destinations by their host, short or qualified", () => {
    const virtualService = (host: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: cart, namespace: shop }
spec:
  hosts: [cart.example.com]
  gateways: [istio-system/public]
  http:
  - route:
    - destination: { host: ${host} }
`;
    for (const host of ["cart", "cart.shop", "cart.shop.svc.cluster.local"]) {
      const result = analyze({ "vs.yaml": virtualService(host), "a.yaml": service() }, { "vs.yaml": virtualService(host) });
      expect(broken(result).map(({ file }) => file)).toEqual(["vs.yaml"]);
    }
    // Another namespace's Service of that name is not this destination.
    const other = analyze(
      { "vs.yaml": virtualService("cart.web.svc.cluster.local"), "a.yaml": service() },
      { "vs.yaml": virtualService("cart.web.svc.cluster.local") },
    );
    expect(broken(other)).toEqual([]);
  });

  it("reads an Ingress's backends", () => {
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: cart, namespace: shop }
spec:
  ingressClassName: nginx
  rules:
  - host: cart.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: cart, port: { number: 8080 } } } }
`;
    expect(broken(analyze({ "ingress.yaml": ingress, "a.yaml": service() }, { "ingress.yaml": ingress })).map(({ file }) => file)).toEqual([
      "ingress.yaml",
    ]);
  });

  it("takes the namespace a kustomization gives a Service that names none", () => {
    const kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: [service.yaml]\n";
    const base = { "route.yaml": httpRoute(), "app/kustomization.yaml": kustomization, "app/service.yaml": service("cart", "labels: {}") };
    const head = {
      "route.yaml": httpRoute(),
      "app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources: []\n",
    };
    expect(broken(analyze(base, head)).map(({ file }) => file)).toEqual(["route.yaml"]);
    // Given another namespace, it is not the route's backend.
    const elsewhere = { ...base, "app/kustomization.yaml": kustomization.replace("shop", "web") };
    expect(
      broken(analyze(elsewhere, { ...head, "app/kustomization.yaml": head["app/kustomization.yaml"].replace("shop", "web") })),
    ).toEqual([]);
  });

  it("does not read a kustomize patch of a Service, a chart template or a file the policy's paths leave out", () => {
    const kustomization = (patches: string) =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\npatches: [${patches}]\n`;
    const patched = {
      "route.yaml": httpRoute(),
      "overlay/kustomization.yaml": kustomization("{ path: service.yaml }"),
      "overlay/service.yaml": service(),
    };
    expect(broken(analyze(patched, { "route.yaml": httpRoute(), "overlay/kustomization.yaml": kustomization("") }))).toEqual([]);
    const templated = { "route.yaml": httpRoute(), "a.yaml": service("{{ .Release.Name }}") };
    expect(broken(analyze(templated, { "route.yaml": httpRoute() }))).toEqual([]);
    const excluded = { "route.yaml": httpRoute(), "test/testdata/a.yaml": service() };
    expect(broken(analyze(excluded, { "route.yaml": httpRoute() }))).toEqual([]);
  });

  it("matches a route in the cluster the Service was removed from, not another cluster's", () => {
    const overlay = 'topology:\n  placements: ["clusters/{cluster}/**"]\n';
    const base = {
      "clusters/a/route.yaml": httpRoute(),
      "clusters/b/route.yaml": httpRoute(),
      "clusters/a/svc.yaml": service(),
      "clusters/b/svc.yaml": service(),
    };
    const head = { "clusters/a/route.yaml": httpRoute(), "clusters/b/route.yaml": httpRoute(), "clusters/b/svc.yaml": service() };
    // Cluster b's copy answers cluster b's route only.
    expect(broken(analyze(base, head, overlay)).map(({ file }) => file)).toEqual(["clusters/a/route.yaml"]);
    // Where the policy places no file, a copy anywhere answers.
    expect(broken(analyze(base, head))).toEqual([]);
  });

  it("reads a Service written as JSON", () => {
    const json = JSON.stringify(
      { apiVersion: "v1", kind: "Service", metadata: { name: "cart", namespace: "shop" }, spec: { ports: [{ port: 8080 }] } },
      null,
      2,
    );
    expect(broken(analyze({ "route.yaml": httpRoute(), "svc.json": json }, { "route.yaml": httpRoute() })).map(({ file }) => file)).toEqual(
      ["route.yaml"],
    );
  });

  it("is not reported for a Service a Flagger Canary of the tree makes at run time", () => {
    const canary = (service: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: cart, namespace: shop }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: cart }
  service: { ${service}port: 8080 }
  analysis: { interval: 1m, threshold: 5, maxWeight: 50, stepWeight: 10 }
`;
    const base = { "route.yaml": httpRoute(), "a.yaml": service() };
    expect(broken(analyze(base, { "route.yaml": httpRoute(), "canary.yaml": canary("") }))).toEqual([]);
    // A Canary whose apex Service has another name makes none called cart.
    expect(
      broken(analyze(base, { "route.yaml": httpRoute(), "canary.yaml": canary("name: cart-apex, ") })).map(({ file }) => file),
    ).toEqual(["route.yaml"]);
    // Its Services are the Canary's to shape: Flagger rewrites the apex's selector to the primary's pods.
    const managed = { "route.yaml": httpRoute(), "a.yaml": service(), "canary.yaml": canary("") };
    const reselected = analyze(managed, { ...managed, "a.yaml": service().replace("app: cart", "app: cart-primary") });
    expect(reselected.findings.map(({ class: found }) => found)).toEqual([]);
  });
});

const ENDPOINTS = `apiVersion: v1
kind: Endpoints
metadata: { name: cart, namespace: shop }
subsets: [{ addresses: [{ ip: 10.0.0.7 }], ports: [{ port: 8080 }] }]
`;

const SLICE = (address: string) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: cart-1, namespace: shop, labels: { kubernetes.io/service-name: cart } }
addressType: IPv4
ports: [{ port: 8080 }]
endpoints: [{ addresses: [${address}] }]
`;

describe("a core Service changed under routes that send to it", () => {
  const withPorts = (ports: string, extra = "") => `apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop${extra} }
spec:
${ports}`;
  const HTTP = "  ports: [{ name: http, port: 8080 }]\n";

  it("loses the port a route names: reference.broken", () => {
    const result = analyze(
      { "route.yaml": httpRoute(), "a.yaml": withPorts(HTTP) },
      { "route.yaml": httpRoute(), "a.yaml": withPorts("  ports: [{ name: http, port: 80 }]\n") },
    );
    expect(broken(result).map(({ file, summary }) => [file, summary.split(":")[0]])).toEqual([
      [
        "route.yaml",
        "Service shop/cart no longer has port 8080 (a.yaml) while HTTPRoute shop/cart still sends traffic for cart.example.com to it there",
      ],
    ]);
  });

  it("keeps the port a route names, or the route names none: nothing", () => {
    const twoPorts = "  ports: [{ name: http, port: 8080 }, { name: admin, port: 9090 }]\n";
    expect(
      broken(
        analyze({ "route.yaml": httpRoute(), "a.yaml": withPorts(twoPorts) }, { "route.yaml": httpRoute(), "a.yaml": withPorts(HTTP) }),
      ),
    ).toEqual([]);
    const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: cart, namespace: shop }
spec:
  hosts: [cart]
  http:
  - route:
    - destination: { host: cart }
`;
    expect(
      broken(analyze({ "vs.yaml": vs, "a.yaml": withPorts(HTTP) }, { "vs.yaml": vs, "a.yaml": withPorts("  ports: [{ port: 80 }]\n") })),
    ).toEqual([]);
    // An ExternalName Service is a DNS name: the route's port is dialled there, whatever ports it lists.
    const external = withPorts("  type: ExternalName\n  externalName: cart.example.net\n");
    expect(
      broken(analyze({ "route.yaml": httpRoute(), "a.yaml": withPorts(HTTP) }, { "route.yaml": httpRoute(), "a.yaml": external })),
    ).toEqual([]);
  });

  it("reads an Ingress backend's port by name", () => {
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: cart, namespace: shop }
spec:
  rules:
  - host: cart.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: cart, port: { name: http } } } }
`;
    const renamed = analyze(
      { "ingress.yaml": ingress, "a.yaml": withPorts(HTTP) },
      { "ingress.yaml": ingress, "a.yaml": withPorts("  ports: [{ name: web, port: 8080 }]\n") },
    );
    expect(broken(renamed).map(({ file }) => file)).toEqual(["ingress.yaml"]);
  });

  it("turned into an internet-facing load balancer: access.widened, unless it stays internal", () => {
    const exposed = (head: string) =>
      analyze({ "route.yaml": httpRoute(), "a.yaml": withPorts(HTTP) }, { "route.yaml": httpRoute(), "a.yaml": head })
        .findings.filter((finding) => finding.class === "access.widened")
        .map(({ file, risk, summary }) => ({ file, risk, summary }));
    expect(exposed(withPorts(`  type: LoadBalancer\n${HTTP}`))).toEqual([
      {
        file: "route.yaml",
        risk: "high",
        summary:
          "Service shop/cart becomes an internet-facing load balancer (type: LoadBalancer, no internal annotation; a.yaml): its pods are " +
          "reachable from the internet directly, around the Gateways and policies in front of it, while HTTPRoute shop/cart still sends traffic for cart.example.com to it",
      },
    ]);
    expect(
      exposed(withPorts(`  type: LoadBalancer\n${HTTP}`, ", annotations: { networking.gke.io/load-balancer-type: Internal }")),
    ).toEqual([]);
    expect(exposed(withPorts(`  type: ClusterIP\n${HTTP}`))).toEqual([]);
  });

  it("an internet-facing load balancer that stops restricting its sources: access.widened", () => {
    const opened = (base: string, head: string) =>
      analyze(
        { "route.yaml": httpRoute(), "a.yaml": withPorts(`  type: LoadBalancer\n${base}${HTTP}`) },
        { "route.yaml": httpRoute(), "a.yaml": withPorts(`  type: LoadBalancer\n${head}${HTTP}`) },
      )
        .findings.filter((finding) => finding.class === "access.widened")
        .map(({ summary }) => summary.replace(/: its pods.*$/, ""));
    const RANGES = "  loadBalancerSourceRanges: [10.0.0.0/8]\n";
    expect(opened(RANGES, "")).toEqual([
      "Service shop/cart's internet-facing load balancer no longer restricts its sources (10.0.0.0/8 lifted; a.yaml)",
    ]);
    expect(opened(RANGES, "  loadBalancerSourceRanges: [0.0.0.0/0]\n")).toHaveLength(1);
    // Restricted still, or restricted anew: no widening.
    expect(opened(RANGES, "  loadBalancerSourceRanges: [10.0.0.0/8, 192.168.0.0/16]\n")).toEqual([]);
    expect(opened("", RANGES)).toEqual([]);
  });

  it("selects other pods: backend.weight-changed (a blue/green cutover); none left: reference.broken", () => {
    const selecting = (selector: string) => `apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop }
spec:
${selector}  ports: [{ port: 8080 }]
`;
    const judged = (before: string, after: string) =>
      analyze(
        { "route.yaml": httpRoute(), "a.yaml": selecting(before) },
        { "route.yaml": httpRoute(), "a.yaml": selecting(after) },
      ).findings.map(({ class: found, risk, file, summary }) => ({ found, risk, file, summary }));
    const BLUE = "  selector: { app: cart, version: blue }\n";
    expect(judged(BLUE, "  selector: { version: green, app: cart }\n")).toEqual([
      {
        found: "backend.weight-changed",
        risk: "medium-high",
        file: "route.yaml",
        summary:
          "Service shop/cart selects other pods (app=cart, version=blue → app=cart, version=green; a.yaml) while HTTPRoute shop/cart " +
          "still sends traffic for cart.example.com to it: every request of that backend now goes to the pods the new selector picks",
      },
    ]);
    expect(judged(BLUE, "").map(({ found, summary }) => [found, summary.split(":")[0]])).toEqual([
      [
        "reference.broken",
        "Service shop/cart no longer selects pods (selector app=cart, version=blue removed; a.yaml) while HTTPRoute shop/cart still sends traffic for cart.example.com to it",
      ],
    ]);
    // The same labels, reordered or requoted, are the same pods.
    expect(judged(BLUE, "  selector:\n    version: 'blue'\n    app: cart\n")).toEqual([]);
  });

  it("left with no selector but hand-written Endpoints or ready EndpointSlices of its own: their addresses take every request, not nothing", () => {
    const selectorless = "  ports: [{ port: 8080 }]\n";
    const judged = (endpoints: string) =>
      analyze(
        { "route.yaml": httpRoute(), "a.yaml": service() },
        { "route.yaml": httpRoute(), "a.yaml": withPorts(selectorless), "endpoints.yaml": endpoints },
      ).findings.map(({ class: found, risk, summary }) => ({ found, risk, summary }));
    expect(judged(ENDPOINTS)).toEqual([
      {
        found: "backend.weight-changed",
        risk: "medium-high",
        summary:
          "Service shop/cart no longer selects pods (selector app=cart removed; a.yaml) while HTTPRoute shop/cart still sends traffic for " +
          "cart.example.com to it: every request of that backend now goes to the addresses its hand-written Endpoints give (10.0.0.7)",
      },
    ]);
    expect(judged(SLICE("10.0.0.8")).map(({ found }) => found)).toEqual(["backend.weight-changed"]);
    // Not its own: another namespace's Endpoints, a slice of another Service, a slice of endpoints not ready.
    for (const other of [
      ENDPOINTS.replace("namespace: shop", "namespace: web"),
      SLICE("10.0.0.8").replace("service-name: cart", "service-name: cart-next"),
      SLICE("10.0.0.8").replace("addresses: [10.0.0.8]", "addresses: [10.0.0.8], conditions: { ready: false }"),
    ])
      expect(judged(other).map(({ found }) => found)).toEqual(["reference.broken"]);
  });

  describe("an ExternalName Service turned another type (mmalyska/home-ops 783571c77d)", () => {
    const ALIAS = withPorts("  type: ExternalName\n  externalName: 192.168.50.9\n  ports: [{ port: 8080 }]\n");
    const judged = (head: Record<string, string>) =>
      analyze({ "route.yaml": httpRoute(), "a.yaml": ALIAS }, { "route.yaml": httpRoute(), ...head }).findings.map(
        ({ class: found, risk, file, summary }) => ({ found, risk, file, summary }),
      );

    it("with no selector and no Endpoints of its own: reference.broken on the route, nothing answers it", () => {
      expect(judged({ "a.yaml": withPorts("  ports: [{ port: 8080 }]\n") }).filter(({ found }) => found !== "resource.changed")).toEqual([
        {
          found: "reference.broken",
          risk: "high",
          file: "route.yaml",
          summary:
            "Service shop/cart is no longer an ExternalName for 192.168.50.9 (a.yaml) and nothing gives it endpoints — no selector, no Endpoints " +
            "or EndpointSlices written for it — while HTTPRoute shop/cart still sends traffic for cart.example.com to it: no endpoint answers " +
            "that backend, so its share of the requests fails (a Gateway answers 500, an Envoy sidecar or ingress 503)",
        },
      ]);
      // Moved to another file on the way, judged as it is there.
      expect(judged({ "b.yaml": withPorts("  ports: [{ port: 8080 }]\n") }).map(({ found }) => found)).toContain("reference.broken");
    });

    it("with a selector, Endpoints or an EndpointSlice: no broken reference (its move is judged on the Service)", () => {
      const heads: Record<string, string>[] = [
        { "a.yaml": service() },
        { "a.yaml": `${withPorts("  ports: [{ port: 8080 }]\n")}---\n${ENDPOINTS}` },
        { "a.yaml": withPorts("  ports: [{ port: 8080 }]\n"), "slice.yaml": SLICE("192.168.50.9") },
      ];
      for (const head of heads) expect(judged(head).map(({ found, risk }) => [found, risk])).toEqual([["resource.changed", "high"]]);
    });

    it("without the port the route names: the ports it listed as an ExternalName were never dialled, the new ones are", () => {
      const portless = withPorts("  type: ExternalName\n  externalName: 192.168.50.9\n");
      const result = analyze(
        { "route.yaml": httpRoute(), "a.yaml": portless },
        { "route.yaml": httpRoute(), "a.yaml": service().replace("port: 8080", "port: 80") },
      );
      expect(broken(result).map(({ summary }) => summary.split(" while ")[0])).toEqual(["Service shop/cart has no port 8080 (a.yaml)"]);
    });
  });

  it("removed while a ServiceExport of its cluster still exports it: export.changed on the export", () => {
    const exported = (group: string) => `${service()}---
apiVersion: ${group}
kind: ServiceExport
metadata: { name: cart, namespace: shop }
`;
    const exportOnly = (group: string) => exported(group).split("---\n")[1]!;
    for (const group of ["net.gke.io/v1", "multicluster.x-k8s.io/v1alpha1"]) {
      const result = analyze({ "clusters/a/cart.yaml": exported(group) }, { "clusters/a/cart.yaml": exportOnly(group) });
      expect(result.findings.map(({ class: found, risk, file, line, summary }) => ({ found, risk, file, line, summary }))).toEqual([
        {
          found: "export.changed",
          risk: "high",
          file: "clusters/a/cart.yaml",
          line: 3,
          summary:
            "Service shop/cart is removed (clusters/a/cart.yaml) while this ServiceExport still exports it: this cluster's endpoints leave " +
            "the ClusterSet, and the ServiceImport's requests go only to the other clusters exporting it, or fail where none does",
        },
      ]);
    }
    // Removed together, the export's own removal says it (the MCS family).
    const both = analyze({ "clusters/a/cart.yaml": exported("net.gke.io/v1") }, { "clusters/a/other.yaml": DEPLOYMENT });
    expect(both.findings.filter(({ class: found }) => found === "export.changed")).toHaveLength(1);
    expect(both.findings[0]!.summary).not.toContain("still exports it");
  });

  describe("an exported Service behind a ServiceImport that routes send to, from any cluster", () => {
    const imported = (group: string) =>
      httpRoute(`    - group: ${group}\n      kind: ServiceImport\n      name: cart\n      port: 8080\n`, "shop");
    const exportOf = "---\napiVersion: net.gke.io/v1\nkind: ServiceExport\nmetadata: { name: cart, namespace: shop }\n";
    const changed = (edit: (text: string) => string, otherCluster: boolean, group = "net.gke.io") => {
      const tree = (text: string) => ({
        "routes/cart.yaml": imported(group),
        "clusters/a/cart.yaml": text + exportOf,
        ...(otherCluster ? { "clusters/b/cart.yaml": service() + exportOf } : {}),
      });
      return analyze(tree(service()), tree(edit(service())))
        .findings.filter(({ class: found }) => found !== "resource.changed")
        .map(({ class: found, risk, file, summary }) => ({ found, risk, file, summary }));
    };
    const noPort = (text: string) => text.replace("port: 8080", "port: 9090");
    const noSelector = (text: string) => text.replace("  selector: { app: cart }\n", "");

    it("a port gone or no selector left: the export's endpoints leave the import, broken where no other cluster exports it", () => {
      expect(changed(noPort, false)).toEqual([
        {
          found: "reference.broken",
          risk: "high",
          file: "routes/cart.yaml",
          summary:
            "Service shop/cart no longer has port 8080 (clusters/a/cart.yaml) while HTTPRoute shop/cart still sends traffic for " +
            "cart.example.com to it through its ServiceImport there: no other cluster in this repository exports it: no endpoint answers " +
            "that backend, so its share of the requests fails (a Gateway answers 500, an Envoy sidecar or ingress 503)",
        },
      ]);
      expect(changed(noSelector, true, "multicluster.x-k8s.io")).toEqual([
        {
          found: "backend.weight-changed",
          risk: "medium-high",
          file: "routes/cart.yaml",
          summary:
            "Service shop/cart no longer selects pods (selector app=cart removed; clusters/a/cart.yaml) while HTTPRoute shop/cart still " +
            "sends traffic for cart.example.com to it through its ServiceImport: this cluster's endpoints leave the ServiceImport, and its " +
            "requests go only to the other cluster exporting it",
        },
      ]);
      expect(changed(noPort, true).map(({ found }) => found)).toEqual(["backend.weight-changed"]);
    });

    it("another selector moves what this cluster's export answers", () => {
      expect(
        changed((text) => text.replace("{ app: cart }", "{ app: cart-next }"), true).map(({ found, summary }) => [
          found,
          summary.split(": ")[1],
        ]),
      ).toEqual([["backend.weight-changed", "every request this cluster's export answered now goes to the pods the new selector picks"]]);
    });

    it("a Service nothing exports feeds no import, and a route to another import is not sent there", () => {
      const unexported = analyze(
        { "routes/cart.yaml": imported("net.gke.io"), "clusters/a/cart.yaml": service() },
        { "routes/cart.yaml": imported("net.gke.io"), "clusters/a/cart.yaml": noPort(service()) },
      );
      expect(unexported.findings).toEqual([]);
      const elsewhere = imported("net.gke.io").replace("name: cart\n      port", "name: checkout\n      port");
      const other = analyze(
        { "routes/cart.yaml": elsewhere, "clusters/a/cart.yaml": service() + exportOf },
        { "routes/cart.yaml": elsewhere, "clusters/a/cart.yaml": noPort(service()) + exportOf },
      );
      expect(other.findings).toEqual([]);
    });

    it("an Istio route to the service's clusterset.local host sends through the import", () => {
      const virtualService = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: cart, namespace: shop }
spec:
  hosts: [cart.example.com]
  gateways: [infra/public]
  http:
  - route:
    - destination: { host: cart.shop.svc.clusterset.local, port: { number: 8080 } }
`;
      const tree = (text: string) => ({ "routes/cart.yaml": virtualService, "clusters/a/cart.yaml": text + exportOf });
      const found = analyze(tree(service()), tree(noSelector(service()))).findings.map(({ class: c, summary }) => [
        c,
        summary.split(" while ")[0],
      ]);
      expect(found).toEqual([
        ["reference.broken", "Service shop/cart no longer selects pods (selector app=cart removed; clusters/a/cart.yaml)"],
      ]);
    });
  });

  describe("an internet-facing load balancer Service that stops facing the internet, routes or not", () => {
    const gateway = (type: string, annotations = "{}", port = 443) => `apiVersion: v1
kind: Service
metadata: { name: istio-ingressgateway, namespace: istio-system, annotations: ${annotations} }
spec:
  type: ${type}
  selector: { istio: ingressgateway }
  ports: [{ name: https, port: ${port}, targetPort: 8443 }]
`;
    const closed = (head: string) =>
      analyze({ "gw/svc.yaml": gateway("LoadBalancer") }, { "gw/svc.yaml": head }).findings.map(
        ({ class: found, risk, file, line, summary }) => ({
          found,
          risk,
          file,
          line,
          summary,
        }),
      );

    it("turned ClusterIP, made internal, or no longer listening on a port: listener.changed where the Service is written", () => {
      expect(closed(gateway("ClusterIP"))).toEqual([
        {
          found: "listener.changed",
          risk: "high",
          file: "gw/svc.yaml",
          line: 5,
          summary:
            "Service istio-system/istio-ingressgateway: type LoadBalancer → ClusterIP: its internet-facing load balancer and address are " +
            "released, so clients outside the cluster are refused, and every route behind it with them",
        },
      ]);
      expect(closed(gateway("LoadBalancer", "{ networking.gke.io/load-balancer-type: Internal }")).map(({ summary }) => summary)).toEqual([
        "Service istio-system/istio-ingressgateway: its load balancer becomes internal (networking.gke.io/load-balancer-type: Internal): " +
          "clients on the internet are refused, and every route behind it with them",
      ]);
      expect(closed(gateway("LoadBalancer", "{}", 8443)).map(({ summary }) => summary)).toEqual([
        "Service istio-system/istio-ingressgateway: its internet-facing load balancer no longer listens on port 443: clients connecting " +
          "there from outside the cluster are refused",
      ]);
    });

    it("is quiet where nothing faced the internet, or only a port's name changed", () => {
      const internal = gateway("LoadBalancer", "{ networking.gke.io/load-balancer-type: Internal }");
      expect(analyze({ "svc.yaml": internal }, { "svc.yaml": internal.replace("type: LoadBalancer", "type: ClusterIP") }).findings).toEqual(
        [],
      );
      expect(closed(gateway("LoadBalancer").replace("name: https", "name: web"))).toEqual([]);
      expect(analyze({ "svc.yaml": gateway("ClusterIP") }, { "svc.yaml": gateway("ClusterIP", "{}", 80) }).findings).toEqual([]);
    });
  });

  it("reads any shape of Service document without failing, and reports only what it judges", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 6 }),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
    );
    const document = fc.record({
      name: fc.oneof(fc.constant("cart"), value),
      namespace: fc.oneof(fc.constant("shop"), value),
      // ExternalName Services are traffic documents of their own (index.ts), judged by their schema.
      type: fc.oneof(fc.constantFrom("LoadBalancer", "ClusterIP", "NodePort"), value),
      ports: fc.oneof(value, fc.array(fc.record({ port: fc.oneof(fc.constantFrom(8080, 80), value), name: value }), { maxLength: 3 })),
    });
    const asYaml = (d: { name: unknown; namespace: unknown; type: unknown; ports: unknown }) =>
      jsyaml.dump({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: d.name, namespace: d.namespace },
        spec: { type: d.type, ports: d.ports },
      });
    fc.assert(
      fc.property(document, fc.option(document, { nil: undefined }), (before, after) => {
        const head: Record<string, string> = { "route.yaml": httpRoute(), ...(after === undefined ? {} : { "a.yaml": asYaml(after) }) };
        const classes = analyze({ "route.yaml": httpRoute(), "a.yaml": asYaml(before) }, head).findings.map((finding) => finding.class);
        expect(classes.every((found) => ["reference.broken", "access.widened", "listener.changed"].includes(found))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
