import { describe, expect, it } from "vitest";
import { httpRoute, serviceImportRef } from "../helpers/http-route-yaml.js";
import { analyze, corpusFile, describeCorpus } from "../helpers/review-trees.js";

const GATEWAY = (listener = "", extra = "") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: example
  listeners:
  - name: https
    protocol: HTTPS
    port: 443
    hostname: "*.example.com"
${listener}${extra}`;

const ROUTE = (
  parent = "{ name: public, namespace: infra, sectionName: https }",
  hostname = "shop.example.com",
  namespace = "shop",
  name = "checkout",
) =>
  httpRoute("  - matches: [{ path: { type: PathPrefix, value: /checkout } }]\n    backendRefs: [{ name: checkout, port: 8080 }]\n", {
    parent,
    hostname,
    namespace,
    name,
  });

const ALL = "    allowedRoutes: { namespaces: { from: All } }\n";
const brokenOf = (result: ReturnType<typeof analyze>) =>
  result.findings.filter((f) => f.class === "reference.broken").map((f) => `${f.file}:${f.line} ${f.summary}`);

/** A team's ListenerSet on the shared Gateway infra/public. */
const LISTENER_SET = `apiVersion: gateway.networking.x-k8s.io/v1alpha1
kind: XListenerSet
metadata: { name: team, namespace: shop }
spec:
  parentRef: { name: public, namespace: infra }
  listeners:
  - { name: team-https, protocol: HTTPS, port: 443, hostname: shop.example.com, allowedRoutes: { namespaces: { from: Same } } }
`;

describe("a Gateway name defined once per folder (examples, overlays): each route lands on its own folder's", () => {
  const folder = (name: string) => ({ [`examples/${name}/gateway.yaml`]: GATEWAY(ALL), [`examples/${name}/route.yaml`]: ROUTE() });
  const base = { ...folder("waf"), ...folder("auth") };

  it("two examples serving the same path on their own Gateways do not claim one listener", () => {
    const result = analyze(base, { ...base, ...folder("tls") });
    expect(result.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    const gateways = [...result.graphs.head.routesByGateway].map(([gateway, routes]) => [gateway.split("@")[1], routes.length]);
    expect(gateways.sort()).toEqual([
      ["examples/auth/gateway.yaml", 1],
      ["examples/tls/gateway.yaml", 1],
      ["examples/waf/gateway.yaml", 1],
    ]);
  });

  it("in one folder, a route lands on the copy its own file holds (ingress2gateway: each fixture writes Gateway default/nginx)", () => {
    const fixture = (host: string) =>
      `${GATEWAY(ALL).replace('"*.example.com"', host)}---\n${ROUTE(undefined, host, "shop", `route-${host.split(".")[0]}`)}`;
    const tree = { "fixtures/hsts.yaml": fixture("hsts.example.com"), "fixtures/grpc.yaml": fixture("grpc.example.com") };
    expect(brokenOf(analyze({}, tree))).toEqual([]);
  });

  it("a route beside no copy of its Gateway, equally far from each, takes one as before", () => {
    const result = analyze(base, { ...base, "examples/route.yaml": ROUTE().replace("name: checkout", "name: stray") });
    const attachedTo = result.graphs.head.attachments.filter((a) => a.route.includes("stray")).map((a) => a.status);
    expect(attachedTo).toEqual(["attached"]);
  });

  it("a Gateway of that name added in a subfolder of an untouched route's folder is another example's: the route stays where it was (gateway-api 6d76ec6e57)", () => {
    // Read as the route detached from infra/public:https and refused by the new example's TLS listener.
    const tls = GATEWAY().replace("name: https\n    protocol: HTTPS", "name: tls\n    protocol: TLS");
    const tree = { "examples/standard/gateway.yaml": GATEWAY(ALL), "examples/experimental/route.yaml": ROUTE() };
    const result = analyze(tree, { ...tree, "examples/experimental/v1alpha3/tls-routing/gateway.yaml": tls });
    expect(result.findings.filter((f) => f.file === "examples/experimental/route.yaml")).toEqual([]);
    const landed = result.graphs.head.attachments.filter((a) => a.route.includes("checkout")).map((a) => [a.status, a.gateway]);
    expect(landed).toEqual([["attached", "gateway.networking.k8s.io/Gateway/infra/public@examples/standard/gateway.yaml"]]);
    // The same Gateway added beside the route is the one `kubectl apply -f examples/experimental/` gives it.
    const beside = analyze(tree, { ...tree, "examples/experimental/gateway.yaml": tls });
    expect(beside.findings.filter((f) => f.file === "examples/experimental/route.yaml").map((f) => f.class)).toContain(
      "route.attachment-changed",
    );
  });

  it("a ListenerSet is judged against its own folder's Gateway (nginx-gateway-fabric 10abff7a)", () => {
    const allowing = GATEWAY(ALL, "  allowedListeners: { namespaces: { from: All } }\n");
    const tree = { ...base, "examples/sets/gateway.yaml": allowing, "examples/sets/set.yaml": LISTENER_SET };
    expect(brokenOf(analyze(tree, tree))).toEqual([]);
    expect(analyze(tree, tree).blastRadius.issues.existing).toEqual([]);
  });

  it("two routes in one folder claiming the same path on that folder's Gateway still collide", () => {
    const twin = ROUTE().replace("name: checkout", "name: checkout-v2");
    const result = analyze(base, { ...base, "examples/waf/route-v2.yaml": twin });
    expect(result.findings.filter((f) => /claimed by/.test(f.summary)).map((f) => f.summary)).toEqual([
      expect.stringContaining("is claimed by HTTPRoute shop/checkout-v2 and HTTPRoute shop/checkout @examples/waf/route.yaml"),
    ]);
  });
});

describe("a conflict that shrinks is the one the base had (aws-application-networking-k8s 1862bef9)", () => {
  const route = (name: string, backend = name) =>
    ROUTE(undefined, undefined, "shop", name).replace("{ name: checkout, port", `{ name: ${backend}, port`);
  const base = (c = route("route-c", "route-a")) => ({
    "infra/gateway.yaml": GATEWAY(ALL),
    "shop/a.yaml": route("route-a"),
    "shop/b.yaml": route("route-b"),
    "shop/c.yaml": c,
  });
  const { "shop/c.yaml": _c, ...withoutC } = base();
  const claimed = (result: ReturnType<typeof analyze>) => result.findings.filter((f) => /claimed by/.test(f.summary));

  it("three routes on one path, one deleted that sent its requests where one left does: the base's conflict, listed apart and not fixed", () => {
    const result = analyze(base(), withoutC);
    expect(claimed(result)).toEqual([]);
    expect(result.blastRadius.issues.existing.map((issue) => issue.summary)).toEqual([
      expect.stringContaining(
        "is claimed by HTTPRoute shop/route-a and HTTPRoute shop/route-b: which one serves it depends on creation order",
      ),
    ]);
    expect(result.blastRadius.issues.fixed).toEqual([]);
  });

  it("the one deleted sent its requests elsewhere: if it was the oldest they move, so the conflict left is reported high", () => {
    const result = analyze(base(route("route-c")), withoutC);
    expect(claimed(result).map((f) => `${f.risk} ${f.summary}`)).toEqual([
      expect.stringMatching(
        /^high .*claimed by HTTPRoute shop\/route-a and HTTPRoute shop\/route-b: which one serves it depends on creation order; HTTPRoute shop\/route-c \(to route-c:8080 100%\) left the contested claim: requests it served may move to the ones left$/,
      ),
    ]);
  });

  it("an object joining the ones left is a new conflict; a version of one of them a file adds is judged as its edit (session 45 probe B, A)", () => {
    const joined = analyze(base(), { ...withoutC, "shop/d.yaml": route("route-d") });
    expect(claimed(joined).map((f) => f.summary)).toEqual([expect.stringContaining("HTTPRoute shop/route-d")]);
    const versions = analyze(
      { "infra/gateway.yaml": GATEWAY(ALL), "shop/a.yaml": route("route-a"), "shop/b.yaml": route("route-b") },
      { "infra/gateway.yaml": GATEWAY(ALL), "shop/a.yaml": route("route-a"), "shop/a2.yaml": route("route-a", "checkout-v2") },
    );
    // Not a conflict of the object with itself: the cutover its version makes, where it is applied last.
    expect(claimed(versions)).toEqual([]);
    expect(versions.findings.map((f) => `${f.class} ${f.file}`)).toContain("backend.weight-changed shop/a2.yaml");
  });

  it("two equal copies of one route beside another, one copy made to differ and the other route deleted: the versions are a new conflict", () => {
    const copies = { "infra/gateway.yaml": GATEWAY(ALL), "shop/a.yaml": route("route-a"), "shop/a-copy.yaml": route("route-a") };
    const result = analyze(
      { ...copies, "shop/b.yaml": route("route-b") },
      { ...copies, "shop/a-copy.yaml": route("route-a", "route-a-v2") },
    );
    expect(claimed(result).map((f) => `${f.risk} ${f.summary}`)).toEqual([
      expect.stringMatching(/^high .*claimed by HTTPRoute shop\/route-a @.* and HTTPRoute shop\/route-a @.*: versions of one object/),
    ]);
  });

  it("the same copies with the other route kept: the copy against the original is still a new pair, so a new conflict", () => {
    const copies = {
      "infra/gateway.yaml": GATEWAY(ALL),
      "shop/a.yaml": route("route-a"),
      "shop/a-copy.yaml": route("route-a"),
      "shop/b.yaml": route("route-b"),
    };
    const result = analyze(copies, { ...copies, "shop/a-copy.yaml": route("route-a", "route-a-v2") });
    expect(claimed(result).map((f) => f.risk)).toEqual(["high"]);
    expect(result.blastRadius.issues.existing).toEqual([]);
  });

  it("mesh VirtualServices exported to their own namespaces contend only with the one both see: that one deleted and one exported to all is a new takeover", () => {
    const vs = (name: string, exportTo: string, destination: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: ${name}, namespace: team-${name} }\nspec:\n  hosts: [reviews.bookinfo.svc.cluster.local]\n${exportTo}  http:\n  - route: [{ destination: { host: ${destination}.bookinfo.svc.cluster.local } }]\n`;
    const own = '  exportTo: ["."]\n';
    const result = analyze(
      { "a.yaml": vs("a", own, "reviews"), "b.yaml": vs("b", own, "reviews-v2"), "c.yaml": vs("c", "", "reviews") },
      { "a.yaml": vs("a", "", "reviews"), "b.yaml": vs("b", own, "reviews-v2") },
    );
    // The finding is the exportTo widening of VirtualService team-a/a (one high access.widened on it); the conflict is new.
    expect(result.findings.map((f) => `${f.class} ${f.risk} ${f.file}`)).toContain("access.widened high a.yaml");
    expect(result.blastRadius.issues.introduced.map((issue) => issue.summary)).toEqual([
      expect.stringContaining(
        "host reviews.bookinfo.svc.cluster.local on the mesh is claimed by VirtualService team-a/a and VirtualService team-b/b",
      ),
    ]);
    expect(result.blastRadius.issues.existing).toEqual([]);
  });
});

describe("copies of one object in two folders contend unless something says they are applied apart (get-istio-multicluster 1b5db57570)", () => {
  const color = (extra = "") =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: color-routing, namespace: default }\nspec:\n  hosts: [color-svc.offerings.global]\n  http:\n${extra}  - route: [{ destination: { host: color-svc.offerings.global } }]\n`;
  const rule = "  - match: [{ uri: { prefix: /istio } }]\n    route: [{ destination: { host: color-svc.offerings.global, subset: v2 } }]\n";
  const claims = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.filter((f) => /claimed by/.test(f.summary))
      .map((f) => `${f.risk} ${f.summary.slice(f.summary.lastIndexOf(":") + 2)}`);
  const versions = ["high versions of one object, and which one the cluster holds depends on the order they are applied in"];
  const copies = { "archive/clusters/east/istio/color.yaml": color(), "clusters/east/istio/color.yaml": color() };
  const edited = { ...copies, "clusters/east/istio/color.yaml": color(rule) };
  const kustomization = (...resources: string[]) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${resources.join(", ")}]\n`;
  const flux = (path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: east, namespace: flux-system }\nspec:\n  path: ${path}\n  sourceRef: { kind: GitRepository, name: flux-system }\n`;
  const builds = {
    "archive/clusters/east/istio/kustomization.yaml": kustomization("color.yaml"),
    "clusters/east/istio/kustomization.yaml": kustomization("color.yaml"),
  };

  it("an archived copy its own kustomization builds, beside the live one's, is an object of its own: a rule added to the live one is judged alone", () => {
    const result = analyze({ ...copies, ...builds }, { ...edited, ...builds });
    expect(result.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(result.findings.map((f) => f.class)).toContain("route.added");
  });

  it("nor does a Flux Kustomization that delivers only the live folder bring them together", () => {
    const delivered = { "clusters/east/flux.yaml": flux("./clusters/east") };
    expect(claims({ ...copies, ...delivered }, { ...edited, ...delivered })).toEqual([]);
  });

  it("copies one folder holds, one kustomization accumulates, or one delivery applies still contend", () => {
    const together = { "clusters/east/istio/color-copy.yaml": color() };
    expect(claims({ ...copies, ...together }, { ...edited, ...together })).toEqual(versions);
    const listed = { "kustomization.yaml": kustomization("archive/clusters/east/istio/color.yaml", "clusters/east/istio/color.yaml") };
    expect(claims({ ...copies, ...listed }, { ...edited, ...listed })).toEqual(versions);
    const delivered = { "clusters/flux.yaml": flux("./") };
    expect(claims({ ...copies, ...delivered }, { ...edited, ...delivered })).toEqual(versions);
    const both = { ...builds, "clusters/kustomization.yaml": kustomization("../archive/clusters/east/istio", "east/istio") };
    expect(claims({ ...copies, ...both }, { ...edited, ...both })).toEqual(versions);
  });

  it("loose copies in sibling folders of a tree with no GitOps objects and no kustomization contend: `kubectl apply -R -f` applies both, the last one winning", () => {
    expect(claims(copies, edited)).toEqual(versions);
    // A copy added there is judged as the edit it would be where applied last, and as a route of its own (session 45 probe B, A).
    const vs = (to: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: shop, namespace: shop }\nspec:\n  hosts: [shop.example.com]\n  gateways: [istio-system/public]\n  http:\n  - route: [{ destination: { host: ${to} } }]\n`;
    const gateway =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: public, namespace: istio-system }\nspec:\n  selector: { istio: ingressgateway }\n  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ['*/shop.example.com'] }]\n";
    const apps = { "apps/gw.yaml": gateway, "apps/shop/vs.yaml": vs("shop-v1") };
    const promo = analyze(apps, { ...apps, "apps/promo/vs.yaml": vs("promo") });
    expect(promo.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(promo.findings.map((f) => `${f.risk} ${f.class}`).sort()).toEqual(["medium route.added", "medium-high backend.weight-changed"]);
  });

  it("so does a loose copy beside one a kustomization builds: nothing says the loose one is not applied too", () => {
    const one = { "clusters/east/istio/kustomization.yaml": kustomization("color.yaml") };
    expect(claims({ ...copies, ...one }, { ...edited, ...one })).toEqual(versions);
  });
});

describe("one object rendered by two overlays (variants deployed instead of each other) claims nothing from itself", () => {
  const GATEWAY =
    "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: kubeflow-gateway, namespace: kubeflow}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]\n";
  const ui = (prefix: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ml-pipeline-ui, namespace: kubeflow}\nspec:\n  hosts: ['*']\n  gateways: [kubeflow/kubeflow-gateway]\n  http: [{match: [{uri: {prefix: ${prefix}}}], route: [{destination: {host: ml-pipeline-ui.kubeflow.svc.cluster.local}}]}]\n`;
  const claims = (files: Record<string, string>) =>
    analyze({ "istio/gateway.yaml": GATEWAY }, { "istio/gateway.yaml": GATEWAY, ...files }).findings.filter((f) =>
      /claimed by/.test(f.summary),
    );

  it("two renders of VirtualService kubeflow/ml-pipeline-ui on one gateway are no conflict", () => {
    expect(
      claims({ "env/aws/(rendered)/kustomization.yaml": ui("/pipeline"), "env/gcp/(rendered)/kustomization.yaml": ui("/pipeline") }),
    ).toEqual([]);
  });

  it("two objects, or one object written in two versions in two files, still are", () => {
    const other = ui("/pipeline").replace("name: ml-pipeline-ui,", "name: ml-pipeline-ui-v2,");
    expect(
      claims({ "env/aws/(rendered)/kustomization.yaml": ui("/pipeline"), "env/gcp/(rendered)/kustomization.yaml": other }),
    ).toHaveLength(1);
    const shifted = ui("/pipeline").replace("ml-pipeline-ui.kubeflow", "ml-pipeline-ui-next.kubeflow");
    expect(claims({ "apps/a.yaml": ui("/pipeline"), "apps/b.yaml": shifted })).toHaveLength(1);
  });

  it("a third version of one object contending with itself is the conflict the base had, told as versions of one object (kgateway 8e54fbd7)", () => {
    const shifted = (to: string) => ui("/pipeline").replace("ml-pipeline-ui.kubeflow", `${to}.kubeflow`);
    const gateway = { "istio/gateway.yaml": GATEWAY };
    const two = { ...gateway, "apps/a.yaml": ui("/pipeline"), "apps/b.yaml": shifted("ui-next") };
    const three = analyze(two, { ...two, "apps/c.yaml": shifted("ui-canary") });
    expect(three.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(three.blastRadius.issues.existing.map((issue) => issue.summary)).toEqual([
      expect.stringContaining("versions of one object, and which one the cluster holds depends on the order they are applied in"),
    ]);
    // Another object joining them is a new conflict.
    const other = shifted("ui-other").replace("name: ml-pipeline-ui,", "name: ml-pipeline-ui-v2,");
    expect(analyze(two, { ...two, "apps/c.yaml": other }).findings.filter((f) => /claimed by/.test(f.summary))).toHaveLength(1);
  });

  it("one object written alike in two files, or written and rendered alike, claims nothing from itself (microservices-demo 34da24c)", () => {
    const labelled = ui("/pipeline").replace("namespace: kubeflow}", "namespace: kubeflow, labels: {app: ui}}");
    expect(claims({ "apps/a.yaml": ui("/pipeline"), "apps/b.yaml": labelled })).toEqual([]);
    expect(claims({ "apps/a.yaml": ui("/pipeline"), "tests/all/(rendered)/kustomization.yaml": ui("/pipeline") })).toEqual([]);
    // Annotations are part of what it says: a controller may read them as routing.
    const annotated = ui("/pipeline").replace("namespace: kubeflow}", "namespace: kubeflow, annotations: {example.com/auth: 'off'}}");
    expect(claims({ "apps/a.yaml": ui("/pipeline"), "apps/b.yaml": annotated })).toHaveLength(1);
  });
});

describe("sample variants of one object, one file each, edited in place (flagger f117f72901 artifacts/routing)", () => {
  const variant = (name: string, hosts: string, to: string) =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: ${name}, namespace: test}\nspec:\n  hosts: [${hosts}]\n  http: [{route: [{destination: {host: ${to}}}]}]\n`;
  const base = {
    "artifacts/routing/match.yaml": variant("podinfo", "podinfo, app.example.com", "podinfo-canary"),
    "artifacts/workloads/virtual-service.yaml": variant("podinfo", "podinfo, podinfo.example.com", "podinfo-primary"),
  };
  const claims = (before: Record<string, string>, after: Record<string, string>) =>
    analyze(before, { ...before, ...after }).findings.filter((f) => /claimed by/.test(f.summary));
  const edited = { "artifacts/workloads/virtual-service.yaml": variant("podinfo", "podinfo, app.example.com", "podinfo-primary") };

  it("one made to claim what another version claims is the rivalry the base had: the two contended for host podinfo", () => {
    const result = analyze(base, { ...base, ...edited });
    expect(result.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(result.blastRadius.issues.existing.map((issue) => issue.summary)).toContainEqual(
      expect.stringMatching(/^host app\.example\.com on the mesh is claimed by .*: versions of one object/),
    );
    // The edit itself is still judged: the host it no longer serves.
    expect(result.findings.map((f) => `${f.risk} ${f.class}`)).toContain("high route.removed");
  });

  it("versions that did not contend at base contend anew", () => {
    const apart = {
      "artifacts/routing/match.yaml": variant("podinfo", "app.example.com", "podinfo-canary"),
      "artifacts/workloads/virtual-service.yaml": variant("podinfo", "podinfo.example.com", "podinfo-primary"),
    };
    const now = { "artifacts/workloads/virtual-service.yaml": variant("podinfo", "app.example.com", "podinfo-primary") };
    expect(claims(apart, now).map((f) => `${f.risk} ${f.class}`)).toEqual(["high listener.changed"]);
    // A third version beside two rivals, which contended with neither, is a new rival.
    const third = { ...base, "artifacts/routing/mirror.yaml": variant("podinfo", "mirror.example.com", "podinfo-mirror") };
    const claimed = claims(third, {
      "artifacts/workloads/virtual-service.yaml": variant("podinfo", "podinfo, mirror.example.com", "podinfo-primary"),
    });
    expect(claimed.map((f) => f.summary)).toEqual([
      expect.stringMatching(/^host mirror\.example\.com on the mesh is claimed by .*versions of one object/),
    ]);
  });

  it("another object's host claimed by one of the rivals is a new conflict", () => {
    const other = { ...base, "artifacts/other.yaml": variant("frontend", "app.example.com", "frontend") };
    const split = { ...other, "artifacts/routing/match.yaml": variant("podinfo", "podinfo", "podinfo-canary") };
    expect(claims(split, edited).map((f) => f.summary)).toEqual([
      expect.stringMatching(
        /^host app\.example\.com on the mesh is claimed by VirtualService test\/frontend .*VirtualService test\/podinfo/,
      ),
    ]);
  });
});

describe("routes the GitOps placement applies to different clusters claim different listeners", () => {
  const appSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: regional, namespace: argocd}
spec:
  generators: [{list: {elements: [{cluster: jkt, url: "https://jkt.example"}, {cluster: sgp, url: "https://sgp.example"}]}}]
  template:
    metadata: {name: "regional-{{cluster}}"}
    spec:
      source: {repoURL: https://example.com/platform.git, path: "deploy/{{cluster}}"}
      destination: {server: "{{url}}", namespace: regional}
`;
  const GATEWAY =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: infra}\nspec:\n  gatewayClassName: istio\n  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]\n";
  const route = (extra = "") =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: orders, namespace: regional${extra}}\nspec:\n  parentRefs: [{name: edge, namespace: infra}]\n  hostnames: [orders.example.com]\n  rules: [{backendRefs: [{name: orders, port: 80}]}]\n`;
  const claims = (jkt: string, sgp: string, set = appSet) =>
    analyze(
      { "argocd/regional.yaml": set, "infra/gateway.yaml": GATEWAY, "deploy/jkt/route.yaml": route(), "deploy/sgp/route.yaml": route() },
      { "argocd/regional.yaml": set, "infra/gateway.yaml": GATEWAY, "deploy/jkt/route.yaml": jkt, "deploy/sgp/route.yaml": sgp },
    ).findings.filter((f) => /claimed by/.test(f.summary));

  it("one region's copy of a route edited is no claim on the other region's listener", () => {
    expect(claims(route(), route(", annotations: {owner: orders}"))).toEqual([]);
  });

  it("alike where the policy names no cluster: two bootstrapped Flux roots are two clusters, and a folder nothing delivers any more claims nothing", () => {
    const flux = (name: string, path: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  path: ${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
    const fleet = (sgpPath = "./deploy/sgp") => ({
      "clusters/jkt/flux-system/gotk-sync.yaml": flux("flux-system", "./clusters/jkt"),
      "clusters/sgp/flux-system/gotk-sync.yaml": flux("flux-system", "./clusters/sgp"),
      "clusters/jkt/apps.yaml": flux("apps", "./deploy/jkt"),
      "clusters/sgp/apps.yaml": flux("apps", sgpPath),
      "clusters/jkt/infra.yaml": flux("infra", "./infra"),
      "clusters/sgp/infra.yaml": flux("infra", "./infra"),
      "infra/gateway.yaml": GATEWAY,
    });
    const claimsOf = (base: Record<string, string>, head: Record<string, string>) =>
      analyze(base, head).findings.filter((f) => /claimed by/.test(f.summary));
    const routes = (sgp: string) => ({ "deploy/jkt/route.yaml": route(), "deploy/sgp/route.yaml": sgp });
    expect(claimsOf({ ...fleet(), ...routes(route()) }, { ...fleet(), ...routes(route(", annotations: {owner: orders}")) })).toEqual([]);
    // sgp pointed at jkt's folder: sgp's own copy, delivered nowhere, is pruned and contends with none.
    const edited = routes(route(", annotations: {owner: orders}"));
    expect(claimsOf({ ...fleet(), ...edited }, { ...fleet("./deploy/jkt"), ...edited })).toEqual([]);
    // Both folders delivered to one cluster: the versions collide.
    const both = { ...fleet(), "clusters/jkt/more.yaml": flux("more", "./deploy/sgp") };
    expect(claimsOf({ ...both, ...routes(route()) }, { ...both, ...edited })).toHaveLength(1);
  });

  it("in one cluster (both folders delivered there), the two versions still collide", () => {
    expect(
      claims(route(), route(", annotations: {owner: orders}"), appSet.replace('"https://sgp.example"', '"https://jkt.example"')),
    ).toHaveLength(1);
  });
});

describe("route attachment (Gateway API: parent, listener, allowedRoutes, hostnames)", () => {
  it("a route attached to an admitting listener is fine", () => {
    const tree = { "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE() };
    const result = analyze(tree, tree);
    expect(result.graphs.head.routesByGateway.get("gateway.networking.k8s.io/Gateway/infra/public")).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout",
    ]);
    expect(result.blastRadius.issues).toEqual({ introduced: [], existing: [], fixed: [] });
  });

  it.each([
    [
      "a parent Gateway that does not exist",
      ROUTE("{ name: privat, namespace: infra }"),
      "Gateway infra/privat does not exist in the repository",
    ],
    ["a sectionName no listener has", ROUTE("{ name: public, namespace: infra, sectionName: http }"), "has no listener named http"],
    ["a hostname outside the listener's", ROUTE(undefined, "shop.example.org"), "hostname *.example.com matches none of shop.example.org"],
  ])("%s is reference.broken, on the route's parentRef line", (_, route, reason) => {
    const result = analyze({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE() }, { "gw.yaml": GATEWAY(ALL), "route.yaml": route });
    const broken = brokenOf(result);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toContain("route.yaml:5 HTTPRoute shop/checkout → Gateway infra/");
    expect(broken[0]).toContain(reason);
    expect(result.findings.find((f) => f.class === "reference.broken")!.risk).toBe("high");
  });

  it("allowedRoutes Same (the default) does not admit a route from another namespace", () => {
    const result = analyze({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE() }, { "gw.yaml": GATEWAY(), "route.yaml": ROUTE() });
    expect(brokenOf(result)).toEqual([expect.stringContaining("listener https admits only routes from namespace infra")]);
    // Reported on the route, in a file the PR did not touch.
    expect(result.findings.find((f) => f.class === "reference.broken")!.file).toBe("route.yaml");
  });

  it("allowedRoutes kinds that leave the route's kind out do not admit it", () => {
    const kinds = "    allowedRoutes: { namespaces: { from: All }, kinds: [{ kind: GRPCRoute }] }\n";
    const result = analyze({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE() }, { "gw.yaml": GATEWAY(kinds), "route.yaml": ROUTE() });
    expect(brokenOf(result)).toEqual([expect.stringContaining("listener https admits GRPCRoute, not HTTPRoute")]);
  });

  it("a label-selector listener cannot be judged without Namespace labels: unchecked, not broken", () => {
    const selector = '    allowedRoutes: { namespaces: { from: Selector, selector: { matchLabels: { shared: "true" } } } }\n';
    const result = analyze(
      { "gw.yaml": GATEWAY(selector), "route.yaml": ROUTE() },
      { "gw.yaml": GATEWAY(selector), "route.yaml": ROUTE(undefined, "www.example.com") },
    );
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([expect.stringContaining("label selector")]);
  });

  it("a repository with no Gateway at all leaves parents unchecked (an existing limitation, not a finding)", () => {
    const result = analyze({ "route.yaml": ROUTE() }, { "route.yaml": ROUTE("{ name: other, namespace: infra }") });
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual(["1 reference not checked: route parents name Gateways, but the repository holds none"]);
  });

  it("a parent Gateway that only a file the policy excludes declares is unchecked, not broken (gateway-api: examples on conformance/'s Gateways)", () => {
    const tree = { "gw.yaml": GATEWAY(ALL), "conformance/base/gw.yaml": GATEWAY(ALL).replace("name: public", "name: same-namespace") };
    const result = analyze(tree, { ...tree, "route.yaml": ROUTE("{ name: same-namespace, namespace: infra }") });
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([
      "1 reference not checked: route parents name Gateways that files the policy excludes may hold",
    ]);
    // A name no excluded file holds is still judged.
    expect(brokenOf(analyze(tree, { ...tree, "route.yaml": ROUTE("{ name: privat, namespace: infra }") }))).toEqual([
      expect.stringContaining("Gateway infra/privat does not exist in the repository"),
    ]);
  });

  it("deleting the only Gateway breaks its routes: the base tree shows the repository manages Gateways", () => {
    const result = analyze({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE() }, { "route.yaml": ROUTE() });
    expect(brokenOf(result)).toEqual([expect.stringContaining("Gateway infra/public does not exist in the repository")]);
  });

  it("a ListenerSet needs its Gateway to allow ListenerSets (allowedListeners defaults to None)", () => {
    const set = LISTENER_SET;
    const route = ROUTE("{ group: gateway.networking.x-k8s.io, kind: XListenerSet, name: team, sectionName: team-https }");
    const allowing = GATEWAY(ALL, "  allowedListeners: { namespaces: { from: All } }\n");
    const result = analyze(
      { "gw.yaml": allowing, "set.yaml": set, "route.yaml": route },
      { "gw.yaml": GATEWAY(ALL), "set.yaml": set, "route.yaml": route },
    );
    expect(brokenOf(result)).toEqual([
      expect.stringContaining("set.yaml:5 XListenerSet shop/team → Gateway infra/public: not admitted: allowedListeners is None"),
    ]);
    // The route still lands on the ListenerSet's listener, and through it on the Gateway.
    expect(result.graphs.head.routesByGateway.get("gateway.networking.k8s.io/Gateway/infra/public")).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout",
    ]);
  });
});

describe("a Gateway admitting ListenerSets by namespace selector, judged by the Namespace the tree defines", () => {
  const set = LISTENER_SET;
  const selecting = GATEWAY(ALL, "  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { shared: 'true' } } } }\n");
  const namespace = (shared: string) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { shared: '${shared}' } }\n`;
  const tree = (shared: string) => ({ "gw.yaml": selecting, "set.yaml": set, "ns.yaml": namespace(shared) });

  it("relabelling the Namespace so the Gateway no longer admits its ListenerSet breaks it", () => {
    expect(brokenOf(analyze(tree("true"), tree("false")))).toEqual([
      expect.stringContaining(
        "XListenerSet shop/team → Gateway infra/public: not admitted: its allowedListeners selector does not match Namespace shop's labels",
      ),
    ]);
  });

  it("without the Namespace in the tree it stays unchecked", () => {
    const result = analyze(
      { "gw.yaml": selecting, "set.yaml": set },
      { "gw.yaml": selecting, "set.yaml": set.replace("port: 443", "port: 8443") },
    );
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([expect.stringContaining("does not define their Namespaces")]);
  });

  it("a selector by the kubernetes.io/metadata.name label every Namespace carries is judged without the Namespace in the tree", () => {
    const byName = (name: string) =>
      GATEWAY(
        ALL,
        `  allowedListeners: { namespaces: { from: Selector, selector: { matchLabels: { kubernetes.io/metadata.name: ${name} } } } }\n`,
      );
    const result = analyze({ "gw.yaml": byName("shop"), "set.yaml": set }, { "gw.yaml": byName("pay"), "set.yaml": set });
    expect(brokenOf(result)).toEqual([
      expect.stringContaining("XListenerSet shop/team → Gateway infra/public: not admitted: its allowedListeners selector does not match"),
    ]);
    expect(result.blastRadius.unchecked).toEqual([]);
  });
});

describe("existing, introduced and fixed (gwctl analyze style)", () => {
  const broken = { "gw.yaml": GATEWAY(ALL), "a.yaml": ROUTE("{ name: gone, namespace: infra }", "a.example.com", "a", "a") };
  it("a problem already on the base branch is listed as existing and does not gate", () => {
    const result = analyze(broken, { ...broken, "gw.yaml": GATEWAY(ALL).replace("port: 443", "port: 8443") });
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.issues.existing.map((i) => `${i.file}:${i.line} ${i.class}`)).toEqual(["a.yaml:5 reference.broken"]);
  });

  it("a problem the PR removes is listed as fixed", () => {
    const result = analyze(broken, { ...broken, "a.yaml": ROUTE(undefined, "a.example.com", "a", "a") });
    expect(result.blastRadius.issues.fixed.map((i) => i.summary)).toEqual([expect.stringContaining("Gateway infra/gone does not exist")]);
    expect(result.blastRadius.issues.introduced).toEqual([]);
  });
});

describe("a backendRef to a Service or ServiceImport of a group that kind does not have", () => {
  const tree = (route: string) => ({ "gw.yaml": GATEWAY(ALL), "route.yaml": route });
  it("is refused (InvalidKind): its share of requests gets 500", () => {
    const misspelt = ROUTE().replace("{ name: checkout, port: 8080 }", "{ group: core, kind: Service, name: checkout, port: 8080 }");
    expect(brokenOf(analyze(tree(ROUTE()), tree(misspelt)))).toEqual([
      "route.yaml:9 HTTPRoute shop/checkout → Service.core shop/checkout: no Service has API group core (a core Service has none), so the Gateway refuses the backend (InvalidKind) and answers its share of requests with 500",
    ]);
    // Two rules sending to the same refused backend: one finding, not the same one twice.
    const twice = misspelt.replace(
      "    backendRefs: [{ group: core",
      "    backendRefs: [{ group: core, kind: Service, name: checkout, port: 8080 }]\n  - matches: [{ path: { type: PathPrefix, value: /cart } }]\n    backendRefs: [{ group: core",
    );
    expect(twice).not.toBe(misspelt);
    expect(brokenOf(analyze(tree(ROUTE()), tree(twice)))).toHaveLength(1);
    const gke = ROUTE().replace("{ name: checkout, port: 8080 }", "{ group: net.gke.io, kind: ServiceImport, name: checkout, port: 8080 }");
    expect(brokenOf(analyze(tree(gke), tree(gke.replace("net.gke.io", "net.gke.iox"))))).toEqual([
      expect.stringContaining("→ ServiceImport.net.gke.iox shop/checkout: no ServiceImport has API group net.gke.iox"),
    ]);
  });

  it("group core on a mesh route is Linkerd's spelling of the core group, not judged (rollouts-plugin-trafficrouter-gatewayapi 6efa631e)", () => {
    const mesh = (backendGroup: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: checkout, namespace: shop }
spec:
  parentRefs: [{ group: core, kind: Service, name: checkout, port: 80 }]
  rules:
  - backendRefs:
    - { group: ${backendGroup}, kind: Service, name: checkout-stable, port: 80, weight: 90 }
    - { group: ${backendGroup}, kind: Service, name: checkout-canary, port: 80, weight: 10 }
`;
    expect(brokenOf(analyze({}, { "route.yaml": mesh("core") }))).toEqual([]);
    expect(brokenOf(analyze({ "route.yaml": mesh('""') }, { "route.yaml": mesh("core") }))).toEqual([]);
    // Another group is no Service's for any mesh.
    expect(brokenOf(analyze({ "route.yaml": mesh('""') }, { "route.yaml": mesh("apps") }))).toEqual([
      expect.stringContaining("→ Service.apps shop/checkout-stable: no Service has API group apps"),
      expect.stringContaining("→ Service.apps shop/checkout-canary: no Service has API group apps"),
    ]);
  });

  describe("a ServiceImport that names no group", () => {
    const groupless = ROUTE().replace("{ name: checkout, port: 8080 }", "{ kind: ServiceImport, name: checkout, port: 8080 }");
    const onClass = (className: string, extra: Record<string, string> = {}) => ({
      "gw.yaml": GATEWAY(ALL).replace("gatewayClassName: example", `gatewayClassName: ${className}`),
      "route.yaml": ROUTE(),
      ...extra,
    });
    const CLASS = (name: string, controller: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: { name: ${name} }\nspec: { controllerName: ${controller} }\n`;

    it("is a core kind that does not exist for implementations that follow the spec", () => {
      expect(brokenOf(analyze(tree(ROUTE()), tree(groupless)))).toEqual([
        "route.yaml:9 HTTPRoute shop/checkout → ServiceImport shop/checkout: it names no API group, so it is read as a core ServiceImport, which does not exist (a ServiceImport's group is multicluster.x-k8s.io, or net.gke.io on GKE), so the Gateway refuses the backend (InvalidKind) and answers its share of requests with 500",
      ]);
    });

    it("is resolved by kind alone on Gateways of the AWS VPC Lattice controller (aws-application-networking-k8s f60df58)", () => {
      const lattice = onClass("amazon-vpc-lattice");
      expect(brokenOf(analyze(lattice, { ...lattice, "route.yaml": groupless }))).toEqual([]);
      const own = onClass("lattice", { "class.yaml": CLASS("lattice", "application-networking.k8s.aws/gateway-api-controller") });
      expect(brokenOf(analyze(own, { ...own, "route.yaml": groupless }))).toEqual([]);
    });

    it("the class's controllerName decides where the tree defines it, not its name", () => {
      const other = onClass("amazon-vpc-lattice", { "class.yaml": CLASS("amazon-vpc-lattice", "example.com/gateway-controller") });
      expect(brokenOf(analyze(other, { ...other, "route.yaml": groupless }))).toHaveLength(1);
    });

    it("a route also attached to another implementation's Gateway is judged", () => {
      const second = GATEWAY(ALL).replace("name: public", "name: edge");
      const both = { ...onClass("amazon-vpc-lattice"), "edge.yaml": second };
      const twoParents = ROUTE(
        "{ name: public, namespace: infra, sectionName: https }, { name: edge, namespace: infra, sectionName: https }",
      ).replace("{ name: checkout, port: 8080 }", "{ kind: ServiceImport, name: checkout, port: 8080 }");
      expect(brokenOf(analyze(both, { ...both, "route.yaml": twoParents }))).toHaveLength(1);
    });
  });

  it("an implementation's own backend kind is not judged", () => {
    const backend = ROUTE().replace("{ name: checkout, port: 8080 }", "{ group: gateway.envoyproxy.io, kind: Backend, name: checkout }");
    expect(brokenOf(analyze(tree(ROUTE()), tree(backend)))).toEqual([]);
  });
});

describe("a parentRef whose group has no such parent kind: implementations refuse the parent", () => {
  const MESH = '{ group: "", kind: Service, name: checkout, port: 8080 }';
  const tree = (parent: string) => ({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE(parent) });
  const classes = (result: ReturnType<typeof analyze>) => result.findings.map((f) => `${f.class}:${f.risk}`).sort();

  it("a mesh route's Service parent without group \"\" (the CRD's default group is gateway.networking.k8s.io): the split it made stops", () => {
    const result = analyze(tree(MESH), tree(MESH.replace('group: "", ', "")));
    expect(brokenOf(result)).toEqual([
      'route.yaml:5 HTTPRoute shop/checkout → Service shop/checkout:8080: not admitted: no Service has API group gateway.networking.k8s.io (what a parentRef that names no group means): a mesh route\'s Service parent needs group "", so implementations refuse the parent and the route is not served there',
    ]);
    expect(classes(result)).toContain("route.attachment-changed:high");
  });

  it("the core group written `core` (Linkerd reads it so) and the Gateway's own group are parents", () => {
    expect(brokenOf(analyze(tree(MESH), tree(MESH.replace('group: ""', "group: core"))))).toEqual([]);
    const gateway = "{ name: public, namespace: infra, sectionName: https }";
    expect(brokenOf(analyze(tree(gateway), tree(gateway.replace("{ ", "{ group: gateway.networking.k8s.io, "))))).toEqual([]);
  });

  it("a Gateway of another group is no parent", () => {
    const gateway = "{ name: public, namespace: infra, sectionName: https }";
    expect(brokenOf(analyze(tree(gateway), tree(gateway.replace("{ ", "{ group: networking.istio.io, "))))).toEqual([
      expect.stringContaining("→ Gateway infra/public:https: not admitted: no Gateway has API group networking.istio.io"),
    ]);
  });
});

describe("a backendRef to another namespace needs that namespace's ReferenceGrant", () => {
  const crossing = ROUTE().replace("{ name: checkout, port: 8080 }", "{ name: checkout, namespace: payments, port: 8080 }");
  const grant = (from: string, to = '{ group: "", kind: Service }') => `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: routes, namespace: payments }
spec:
  from: [${from}]
  to: [${to}]
`;
  const SHOP = "{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop }";
  const tree = (extra: Record<string, string>) => ({ "gw.yaml": GATEWAY(ALL), "route.yaml": ROUTE(), ...extra });

  it("the grant removed while a route relies on it: the backend receives nothing", () => {
    const result = analyze(tree({ "route.yaml": crossing, "grant.yaml": grant(SHOP) }), tree({ "route.yaml": crossing }));
    expect(brokenOf(result)).toEqual([
      expect.stringContaining("route.yaml:9 HTTPRoute shop/checkout → Service payments/checkout: no ReferenceGrant"),
    ]);
  });

  it("a route sent across namespaces where the grant admits another namespace, kind or name", () => {
    const granted = { "grant.yaml": grant(SHOP.replace("namespace: shop", "namespace: web")) };
    const result = analyze(tree(granted), tree({ ...granted, "route.yaml": crossing }));
    expect(brokenOf(result)).toEqual([
      "route.yaml:9 HTTPRoute shop/checkout → Service payments/checkout: no ReferenceGrant in namespace payments lets HTTPRoutes of namespace shop reference it, so the Gateway refuses the backend (RefNotPermitted) and it receives no traffic",
    ]);
    const named = { "grant.yaml": grant(SHOP, '{ group: "", kind: Service, name: ledger }') };
    expect(brokenOf(analyze(tree(named), tree({ ...named, "route.yaml": crossing })))).toHaveLength(1);
    const admitted = { "grant.yaml": grant(SHOP, '{ group: "", kind: Service, name: checkout }') };
    expect(brokenOf(analyze(tree(admitted), tree({ ...admitted, "route.yaml": crossing })))).toEqual([]);
  });

  it("a RequestMirror's backendRef needs one too: without it the mirror is dropped (RefNotPermitted), on the rule or on a backend", () => {
    const mirror = (backend: string) =>
      `{ type: RequestMirror, requestMirror: { backendRef: { name: ${backend}, namespace: payments, port: 8080 }, percent: 10 } }`;
    const mirroring = ROUTE().replace(
      "backendRefs: [{ name: checkout, port: 8080 }]",
      `filters: [${mirror("shadow")}]\n    backendRefs: [{ name: checkout, port: 8080, filters: [${mirror("audit")}] }]`,
    );
    const granted = { "grant.yaml": grant(SHOP, '{ group: "", kind: Service, name: ledger }') };
    expect(brokenOf(analyze(tree(granted), tree({ ...granted, "route.yaml": mirroring })))).toEqual([
      "route.yaml:9 HTTPRoute shop/checkout → mirror Service payments/shadow: no ReferenceGrant in namespace payments lets HTTPRoutes of namespace shop reference it, so the Gateway drops the mirror (RefNotPermitted) and no request is mirrored to it",
      "route.yaml:10 HTTPRoute shop/checkout → mirror Service payments/audit: no ReferenceGrant in namespace payments lets HTTPRoutes of namespace shop reference it, so the Gateway drops the mirror (RefNotPermitted) and no request is mirrored to it",
    ]);
    const admitted = { "grant.yaml": grant(SHOP) };
    expect(brokenOf(analyze(tree(admitted), tree({ ...admitted, "route.yaml": mirroring })))).toEqual([]);
  });

  it("not checked where the repository holds no ReferenceGrant: they are kept elsewhere", () => {
    const result = analyze(tree({}), tree({ "route.yaml": crossing }));
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toContainEqual(
      "1 reference not checked: backendRefs name objects of other namespaces, but the repository holds no ReferenceGrant",
    );
  });

  it("a grant written with no namespace that would admit it leaves it unchecked, not broken; one that would not, broken", () => {
    // xunholy/k8s-gitops 605b0ff: ReferenceGrant oauth2-proxy-extauth, written with no namespace, applied by Flux where the Service is.
    const unplaced = (from: string) => ({ "grant.yaml": grant(from).replace(", namespace: payments }", " }") });
    const result = analyze(tree(unplaced(SHOP)), tree({ ...unplaced(SHOP), "route.yaml": crossing }));
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toContainEqual(
      "1 reference not checked: backendRefs name objects of other namespaces: a ReferenceGrant the tree holds with no namespace of its own would permit them, and the tree does not say which namespace it is applied to",
    );
    const web = unplaced(SHOP.replace("namespace: shop", "namespace: web"));
    expect(brokenOf(analyze(tree(web), tree({ ...web, "route.yaml": crossing })))).toHaveLength(1);
  });

  it("a grant written with no namespace is said to grant where it is applied, not in default", () => {
    const unplaced = grant(SHOP).replace(", namespace: payments }", " }");
    const summaries = analyze(tree({}), tree({ "grant.yaml": unplaced })).findings.map((f) => f.summary);
    expect(summaries).toContainEqual(expect.stringContaining("in the namespace it is applied to (none written)"));
  });
});

describe("a listener's certificateRef to another namespace needs that namespace's ReferenceGrant", () => {
  const TLS = (ref: string) => `${ALL}    tls: { certificateRefs: [${ref}] }\n`;
  const crossing = GATEWAY(TLS("{ name: wildcard, namespace: certs }"));
  const grant = (to = '{ group: "", kind: Secret }', from = "{ group: gateway.networking.k8s.io, kind: Gateway, namespace: infra }") =>
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: gateways, namespace: certs }
spec:
  from: [${from}]
  to: [${to}]
`;
  const tree = (gateway: string, extra: Record<string, string>) => ({ "gw.yaml": gateway, "route.yaml": ROUTE(), ...extra });

  it("the grant removed while a Gateway's certificate relies on it: the listener serves no TLS", () => {
    const result = analyze(tree(crossing, { "grant.yaml": grant() }), tree(crossing, {}));
    expect(brokenOf(result)).toEqual([
      "gw.yaml:12 Gateway infra/public listener https → Secret certs/wildcard: no ReferenceGrant in namespace certs lets Gateways of namespace infra reference it, so the certificate does not resolve (RefNotPermitted) and the listener serves no TLS",
    ]);
    expect(result.findings.find((f) => f.class === "reference.broken")?.risk).toBe("high");
  });

  it("a certificate moved to another namespace: admitted by a grant for its kind or name, refused by one for another Gateway namespace or name", () => {
    const before = GATEWAY(TLS("{ name: wildcard }"));
    const judged = (grants: Record<string, string>) => brokenOf(analyze(tree(before, grants), tree(crossing, grants)));
    expect(judged({ "grant.yaml": grant() })).toEqual([]);
    expect(judged({ "grant.yaml": grant('{ group: "", kind: Secret, name: wildcard }') })).toEqual([]);
    expect(judged({ "grant.yaml": grant('{ group: "", kind: Secret, name: other }') })).toHaveLength(1);
    expect(judged({ "grant.yaml": grant(undefined, "{ group: gateway.networking.k8s.io, kind: Gateway, namespace: edge }") })).toHaveLength(
      1,
    );
  });

  it("a ListenerSet's certificate needs a grant from ListenerSets of its namespace, not from Gateways", () => {
    const set = LISTENER_SET.replace(
      "allowedRoutes: { namespaces: { from: Same } } }",
      "allowedRoutes: { namespaces: { from: Same } }, tls: { certificateRefs: [{ name: shop, namespace: certs }] } }",
    );
    const parent = GATEWAY(ALL, "  allowedListeners: { namespaces: { from: All } }\n");
    const fromSets = grant(undefined, "{ group: gateway.networking.x-k8s.io, kind: XListenerSet, namespace: shop }");
    expect(brokenOf(analyze(tree(parent, { "grant.yaml": grant() }), tree(parent, { "grant.yaml": grant(), "set.yaml": set })))).toEqual([
      expect.stringContaining("XListenerSet shop/team listener team-https → Secret certs/shop: no ReferenceGrant"),
    ]);
    expect(brokenOf(analyze(tree(parent, { "grant.yaml": fromSets }), tree(parent, { "grant.yaml": fromSets, "set.yaml": set })))).toEqual(
      [],
    );
  });

  it("not checked where the repository holds no ReferenceGrant, and a certificate in the Gateway's own namespace needs none", () => {
    const result = analyze(tree(GATEWAY(TLS("{ name: wildcard }")), {}), tree(crossing, {}));
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toContainEqual(
      "1 reference not checked: listener certificateRefs name objects of other namespaces, but the repository holds no ReferenceGrant",
    );
    const own = GATEWAY(TLS("{ name: wildcard, namespace: infra }"));
    expect(brokenOf(analyze(tree(own, { "grant.yaml": grant() }), tree(own, {})))).toEqual([]);
  });
});

const VS = (name: string, subset: string, host = "reviews") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: bookinfo }
spec:
  hosts: [${host}]
  http:
  - route:
    - destination: { host: reviews, subset: ${subset} }
`;
const DR = (subsets: string[], trafficPolicy = "") => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: bookinfo }
spec:
  host: reviews.bookinfo.svc.cluster.local
${trafficPolicy}  subsets:
${subsets.map((s) => `  - { name: ${s}, labels: { version: ${s} } }`).join("\n")}
`;

describe("Istio references", () => {
  it("a subset no DestinationRule for the host defines is reference.broken, host names qualified", () => {
    const result = analyze(
      { "vs.yaml": VS("reviews", "v1"), "dr.yaml": DR(["v1", "v2"]) },
      { "vs.yaml": VS("reviews", "v3"), "dr.yaml": DR(["v1", "v2"]) },
    );
    expect(brokenOf(result)).toEqual([
      expect.stringMatching(
        /^vs\.yaml:8 VirtualService bookinfo\/reviews: subset v3 of reviews: no DestinationRule for reviews.bookinfo.svc.cluster.local defines it/,
      ),
    ]);
  });

  it("subsets are not checked in a repository without DestinationRules", () => {
    const result = analyze({ "vs.yaml": VS("reviews", "v1") }, { "vs.yaml": VS("reviews", "v3") });
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([expect.stringContaining("no DestinationRule")]);
  });

  it("locality failover left with no outlier detection for the host is failover.changed, on the unchanged DestinationRule", () => {
    const failover = `  trafficPolicy:
    loadBalancer:
      localityLbSetting: { enabled: true, failover: [{ from: asia-southeast1, to: asia-southeast2 }] }
`;
    const health = DR([], "  trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } }\n").replace(
      "name: reviews,",
      "name: reviews-health,",
    );
    const result = analyze({ "dr.yaml": DR(["v1"], failover), "health.yaml": health }, { "dr.yaml": DR(["v1"], failover) });
    const found = result.findings.filter((f) => f.class === "failover.changed");
    expect(found.map((f) => `${f.file}:${f.line} ${f.risk}`)).toEqual(["dr.yaml:8 critical"]);
    expect(found[0]!.summary).toContain("no outlierDetection in any DestinationRule for that host");
  });

  it("two VirtualServices for one host in the mesh collide (Istio applies one)", () => {
    const other = VS("reviews-canary", "v2")
      .replace("namespace: bookinfo", "namespace: canary")
      .replace("[reviews]", "[reviews.bookinfo.svc.cluster.local]");
    const result = analyze({ "vs.yaml": VS("reviews", "v1") }, { "vs.yaml": VS("reviews", "v1"), "canary.yaml": other });
    const takeover = result.findings.filter((f) => f.class === "access.widened");
    expect(takeover.map((f) => f.summary)).toEqual([
      expect.stringContaining(
        "host reviews.bookinfo.svc.cluster.local on the mesh is claimed by VirtualService bookinfo/reviews and VirtualService canary/reviews-canary",
      ),
    ]);
    // Reported on the resource the PR added, not on the one that was there.
    expect(takeover[0]!.file).toBe("canary.yaml");
  });
});

describeCorpus("reference checks on istio analyzer test data (../shared/corpus)", () => {
  const analyzer = (file: string) => corpusFile(`istio__istio/pkg/config/analysis/analyzers/testdata/${file}`);
  const existing = (file: string) =>
    analyze({ "t.yaml": analyzer(file) }, { "t.yaml": analyzer(file) }).blastRadius.issues.existing.map((i) => i.summary);

  it("virtualservice_gateways: the bogus gateway, and only it", () => {
    expect(existing("virtualservice_gateways.yaml")).toEqual([
      expect.stringContaining(
        "VirtualService default/httpbin-bogus → Gateway default/httpbin-gateway-bogus: Istio Gateway default/httpbin-gateway-bogus does not exist",
      ),
    ]);
  });

  it("virtualservice_destinationrules: the two bogus subsets (route and mirror)", () => {
    expect(existing("virtualservice_destinationrules.yaml").sort()).toEqual([
      expect.stringContaining("VirtualService default/reviews-bogussubset: subset bogus"),
      expect.stringContaining("VirtualService default/reviews-mirror-bogussubset: subset bogus"),
    ]);
  });

  it("virtualservice_conflictingmeshgatewayhosts: the mesh host conflicts the analyzer reports", () => {
    const issues = existing("virtualservice_conflictingmeshgatewayhosts.yaml");
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          "host productpage.foo.svc.cluster.local on the mesh is claimed by VirtualService foo/bogus-productpage and VirtualService foo/productpage",
        ),
        expect.stringContaining(
          "host ratings.foo.svc.cluster.local on the mesh is claimed by VirtualService bar/ratings and VirtualService foo/ratings",
        ),
      ]),
    );
    expect(issues.join("\n")).not.toContain("reviews");
  });
});

describe("a route that names no namespace: where its references resolve depends on where it is applied", () => {
  // kubeflow/manifests' model-registry VirtualServices: no namespace, in files no kustomization places.
  const ISTIO_GATEWAY =
    'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: kubeflow-gateway, namespace: kubeflow }\nspec:\n  selector: { istio: ingressgateway }\n  servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }]\n';
  const virtualService = (gateway: string, namespace = "") =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: model-registry${namespace ? `, namespace: ${namespace}` : ""} }\nspec:\n  hosts: ["*"]\n  gateways: [${gateway}]\n  http: [{ match: [{ uri: { prefix: /api/model_registry/ } }], route: [{ destination: { host: model-registry-service } }] }]\n`;
  const added = (route: string) => analyze({ "gw.yaml": ISTIO_GATEWAY }, { "gw.yaml": ISTIO_GATEWAY, "apps/route.yaml": route });

  it("its Gateway, held in another namespace, is not missing: unchecked, and said so", () => {
    const result = added(virtualService("kubeflow-gateway"));
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([
      "1 reference not checked: routes name no namespace, and the tree does not say which namespace they are applied to",
    ]);
  });

  it("a Gateway the tree holds in no namespace at all is missing wherever the route is applied", () => {
    expect(brokenOf(added(virtualService("other-gateway")))).toEqual([
      expect.stringContaining("Istio Gateway default/other-gateway does not exist in the repository"),
    ]);
  });

  it("a namespace written on either side is checked as before", () => {
    expect(brokenOf(added(virtualService("kubeflow-gateway", "team")))).toEqual([
      expect.stringContaining("Istio Gateway team/kubeflow-gateway does not exist in the repository"),
    ]);
    expect(brokenOf(added(virtualService("kubeflow/kubeflow-gateway")))).toEqual([]);
    expect(brokenOf(added(virtualService("default/kubeflow-gateway")))).toEqual([
      expect.stringContaining("Istio Gateway default/kubeflow-gateway does not exist in the repository"),
    ]);
  });

  it("an HTTPRoute without namespace on a listener admitting only its Gateway's namespace is unchecked, not rejected", () => {
    const same = "    allowedRoutes: { namespaces: { from: Same } }\n";
    const unnamespaced = ROUTE().replace(", namespace: shop }", " }");
    const result = analyze({ "gw.yaml": GATEWAY(same) }, { "gw.yaml": GATEWAY(same), "route.yaml": unnamespaced });
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([
      "1 reference not checked: routes name no namespace, and the tree does not say which namespace they are applied to",
    ]);
    // Written in another namespace, the same route is rejected.
    expect(brokenOf(analyze({ "gw.yaml": GATEWAY(same) }, { "gw.yaml": GATEWAY(same), "route.yaml": ROUTE() }))).toEqual([
      expect.stringContaining("admits only routes from namespace infra"),
    ]);
  });

  it("an HTTPRoute without namespace naming its Gateway without one finds it only if some namespace holds it", () => {
    const unnamespaced = (parent: string) => ROUTE(parent).replace(", namespace: shop }", " }");
    const tree = (route: string) => ({ "gw.yaml": GATEWAY(ALL), "route.yaml": route });
    expect(brokenOf(analyze(tree(ROUTE()), tree(unnamespaced("{ name: public, sectionName: https }"))))).toEqual([]);
    // Read in shop, where the file's base object was written: its namespace is left to whoever applies it.
    expect(brokenOf(analyze(tree(ROUTE()), tree(unnamespaced("{ name: privat, sectionName: https }"))))).toEqual([
      expect.stringContaining("Gateway shop/privat does not exist in the repository"),
    ]);
  });

  describe("its Gateway, beside it at base, given a namespace of its own (istio bookinfo-gateway.yaml moved to istio-system)", () => {
    const beside = ISTIO_GATEWAY.replace(", namespace: kubeflow }", " }");
    const moved = ISTIO_GATEWAY.replace("namespace: kubeflow", "namespace: istio-system");
    const review = (gateway: string, route: string) =>
      analyze({ "gw.yaml": beside, "route.yaml": virtualService("kubeflow-gateway") }, { "gw.yaml": gateway, "route.yaml": route });

    it("the route, still naming it without a namespace, no longer reaches it: broken", () => {
      expect(brokenOf(review(moved, virtualService("kubeflow-gateway")))).toEqual([
        expect.stringContaining(
          "VirtualService default/model-registry → Gateway default/kubeflow-gateway: the Gateway, beside it at base, is now only at istio-system/kubeflow-gateway; a parent named without a namespace is looked up in the route's own, which the route does not write: it reaches the Gateway only if applied to istio-system",
        ),
      ]);
    });

    it("a route that names the Gateway's new namespace, or a Gateway still beside it, is not", () => {
      expect(brokenOf(review(moved, virtualService("istio-system/kubeflow-gateway")))).toEqual([]);
      expect(brokenOf(review(beside.replace("number: 80", "number: 8080"), virtualService("kubeflow-gateway")))).toEqual([]);
    });

    it("the same for an HTTPRoute whose parentRef names no namespace", () => {
      const unplaced = GATEWAY(ALL).replace(", namespace: infra }", " }");
      const route = ROUTE("{ name: public, sectionName: https }").replace(", namespace: shop }", " }");
      const result = analyze({ "gw.yaml": unplaced, "route.yaml": route }, { "gw.yaml": GATEWAY(ALL), "route.yaml": route });
      expect(brokenOf(result)).toEqual([expect.stringContaining("the Gateway, beside it at base, is now only at infra/public")]);
    });
  });
});

describe("a Gateway that names no namespace: it lands in the namespace it is applied to", () => {
  // xunholy/k8s-gitops 605b0ff: Gateway envoy-external is written without a namespace (Flux's
  // targetNamespace places it in network-system); a new HTTPRoute naming network-system/envoy-external was reported missing.
  const unplaced = GATEWAY(ALL).replace(", namespace: infra }", " }");
  const added = (parent: string) => analyze({ "gw.yaml": unplaced }, { "gw.yaml": unplaced, "route.yaml": ROUTE(parent) });

  it("a route naming it in any namespace is unchecked, and said so", () => {
    const result = added("{ name: public, namespace: infra, sectionName: https }");
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toEqual([
      "1 reference not checked: routes name Gateways that the tree holds with no namespace of their own, and the tree does not say which namespace those are applied to",
    ]);
  });

  it("a route naming another Gateway still finds it missing", () => {
    expect(brokenOf(added("{ name: private, namespace: infra, sectionName: https }"))).toEqual([
      expect.stringContaining("Gateway infra/private does not exist in the repository"),
    ]);
  });

  it("a Gateway written in its namespace is checked as before", () => {
    const tree = { "gw.yaml": GATEWAY(ALL) };
    const result = analyze(tree, { ...tree, "route.yaml": ROUTE("{ name: public, namespace: edge, sectionName: https }") });
    expect(brokenOf(result)).toEqual([expect.stringContaining("Gateway edge/public does not exist in the repository")]);
  });
});

describe("a subset named by a route that names no namespace", () => {
  const rule = (subset: string) =>
    `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: reviews, namespace: bookinfo }\nspec:\n  host: reviews\n  subsets: [{ name: ${subset}, labels: { version: ${subset} } }]\n`;
  const route =
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: reviews }\nspec:\n  hosts: [reviews]\n  http: [{ route: [{ destination: { host: reviews, subset: v2 } }] }]\n";
  const added = (subset: string) => analyze({ "dr.yaml": rule(subset) }, { "dr.yaml": rule(subset), "vs.yaml": route });

  it("is unchecked when a rule for that short host in another namespace defines it", () => {
    const result = added("v2");
    expect(brokenOf(result)).toEqual([]);
    expect(result.blastRadius.unchecked).toContain(
      "1 reference not checked: routes name no namespace, and the tree does not say which namespace they are applied to",
    );
  });

  it("is broken when no rule for that host, in any namespace, defines it", () => {
    expect(brokenOf(added("v1"))).toEqual([expect.stringContaining("subset v2 of reviews")]);
  });
});

describe("mesh VirtualServices that name no namespace, for one short host", () => {
  const meshRoute = (name: string, host = "web") =>
    `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: ${name} }\nspec:\n  hosts: [${host}]\n  http: [{ route: [{ destination: { host: ${host} } }] }]\n`;
  const claims = (head: Record<string, string>) =>
    analyze({}, head)
      .findings.filter((f) => /claimed by/.test(f.summary))
      .map((f) => f.summary.slice(0, f.summary.indexOf(":")));

  it("in two files with two names may land in two namespaces (two services): unchecked, not a conflict", () => {
    const result = analyze({}, { "apps/a/vs.yaml": meshRoute("web-a"), "apps/b/vs.yaml": meshRoute("web-b") });
    expect(result.findings.filter((f) => /claimed by/.test(f.summary))).toEqual([]);
    expect(result.blastRadius.unchecked).toContain(
      "1 reference not checked: routes name no namespace, and the tree does not say which namespace they are applied to",
    );
  });

  it("in one file, or one object written in two versions in two files of one folder, or a fully qualified host, still collide", () => {
    expect(claims({ "vs.yaml": `${meshRoute("web-a")}---\n${meshRoute("web-b")}` })).toEqual([
      "host web.default.svc.cluster.local on the mesh is claimed by VirtualService default/web-a and VirtualService default/web-b",
    ]);
    const retargeted = meshRoute("web").replace("destination: { host: web }", "destination: { host: web-next }");
    expect(claims({ "a/vs.yaml": meshRoute("web"), "a/vs-next.yaml": retargeted })).toHaveLength(1);
    expect(claims({ "a/vs.yaml": meshRoute("web"), "b/vs.yaml": meshRoute("web") })).toEqual([]);
    const fqdn = "web.shop.svc.cluster.local";
    expect(claims({ "a/vs.yaml": meshRoute("web-a", fqdn), "b/vs.yaml": meshRoute("web-b", fqdn) })).toHaveLength(1);
  });
});

describe("a ServiceImport backend of a route that names no namespace", () => {
  const EXPORT = "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: checkout, namespace: shop }\n";
  const route = (backend: string) =>
    httpRoute(`  - backendRefs: [${backend}]\n`, { namespace: "shop" }).replace(", namespace: shop }", " }");
  const added = (backend: string) => analyze({ "export.yaml": EXPORT }, { "export.yaml": EXPORT, "route.yaml": route(backend) });

  it("is unchecked when some namespace exports that name, and broken when none does", () => {
    expect(brokenOf(added(serviceImportRef("checkout")))).toEqual([]);
    expect(brokenOf(added(serviceImportRef("payments")))).toEqual([
      expect.stringContaining("ServiceImport default/payments is exported by no cluster"),
    ]);
  });
});

describeCorpus("reference checks on Gateway API examples (../shared/corpus)", () => {
  const example = (file: string) => corpusFile(`kubernetes-sigs__gateway-api/examples/standard/${file}`);
  it("http-route-attachment: the strict Gateway admits the route only through its matching listener", () => {
    const tree = {
      "gw.yaml": example("http-route-attachment/gateway-strict.yaml"),
      "route.yaml": example("http-route-attachment/httproute.yaml"),
    };
    const result = analyze(tree, tree);
    expect(result.blastRadius.issues.existing).toEqual([]);
  });

  it("cross-namespace-routing: both teams' routes attach; different paths on one hostname are no conflict", () => {
    const tree = {
      "gw.yaml": example("cross-namespace-routing/gateway.yaml"),
      "site.yaml": example("cross-namespace-routing/site-route.yaml"),
      "store.yaml": example("cross-namespace-routing/store-route.yaml"),
    };
    const result = analyze(tree, tree);
    expect(result.blastRadius.issues.existing).toEqual([]);
    expect([...result.graphs.head.routesByGateway.values()].flat().sort()).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/site-ns/home",
      "gateway.networking.k8s.io/HTTPRoute/site-ns/login",
      "gateway.networking.k8s.io/HTTPRoute/store-ns/store",
    ]);
  });
});
