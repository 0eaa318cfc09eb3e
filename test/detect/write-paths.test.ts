import { describe, expect, it } from "vitest";
import { regionalSubsets } from "../helpers/destination-rule-yaml.js";
import { httpRoute, serviceImportRef as imp } from "../helpers/http-route-yaml.js";
import { analyze, classesOf, corpusFile, hasCorpus } from "../helpers/review-trees.js";

const METHOD_ROUTE = "kubernetes-sigs__gateway-api/examples/standard/multicluster/httproute-method.yaml";

const route = (rules: string) => httpRoute(rules, { name: "cases", namespace: "cases", hostname: "cases.example.com" });
const TOPOLOGY = `topology:\n  backendRegions: ["-(?<region>jkt|sgp)$"]\n`;

describe("writes.active-active", () => {
  it.skipIf(!hasCorpus)("flags removing GEP-1748's rule that pins POST/PUT/DELETE to api-primary", () => {
    const base = corpusFile(METHOD_ROUTE);
    const head = base.replace(
      /  - matches:\n    - method: POST\n    - method: PUT\n    - method: DELETE\n    backendRefs:\n    - group: multicluster.x-k8s.io\n      kind: ServiceImport\n      name: api-primary\n      port: 8080\n/,
      "",
    );
    expect(head).not.toContain("api-primary");
    const result = analyze({ "route.yaml": base }, { "route.yaml": head });
    expect(classesOf(result)).toEqual(["route.match-changed", "writes.active-active"]);
    const finding = result.findings.find((f) => f.class === "writes.active-active")!;
    expect(finding.risk).toBe("critical");
    expect(finding.summary).toContain("POST, PUT, DELETE can now reach clusterset");
  });

  it("flags a mutating-method rule that now spreads over two regions", () => {
    const base = route(
      `  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`,
    );
    const head = route(
      `  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt", 9)}, ${imp("api-sgp", 1)}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`,
    );
    const result = analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY);
    expect(classesOf(result)).toEqual(["backend.region-added", "writes.active-active"]);
    expect(result.findings[0]!.summary).toBe(
      "cases.example.com method POST via Gateway infra/public: POST can now reach jkt, sgp (was jkt)",
    );
  });

  it("ranks a Gateway API rule with more header tests first for a method, wherever it is written; Istio keeps list order", () => {
    const pinned = `  - matches: [{ method: POST }, { method: PUT }]\n    backendRefs: [${imp("api-jkt")}]\n`;
    const canary = (method: string) =>
      `  - matches: [{ method: ${method}, headers: [{ name: x-canary, value: "true" }] }]\n    backendRefs: [${imp("api-sgp")}]\n`;
    // Written after the rule that pins writes, the canary rule still takes the POSTs that ask for it.
    const after = analyze({ "r.yaml": route(pinned) }, { "r.yaml": route(pinned + canary("POST")) }, TOPOLOGY);
    const writes = after.findings.find((f) => f.class === "writes.active-active");
    expect(writes?.risk).toBe("critical");
    expect(writes?.summary).toContain("POST can now reach jkt, sgp (was jkt)");
    // A header rule that names no method ranks below the method rule: writes stay pinned.
    const headerOnly = `  - matches: [{ headers: [{ name: x-canary, value: "true" }] }]\n    backendRefs: [${imp("api-sgp")}]\n`;
    expect(classesOf(analyze({ "r.yaml": route(pinned) }, { "r.yaml": route(pinned + headerOnly) }, TOPOLOGY))).not.toContain(
      "writes.active-active",
    );
    // Istio takes the first rule that matches: the canary rule behind the POST rule gets none of them.
    const virtualService = (rules: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: api, namespace: shop}\nspec:\n  hosts: [api.example.com]\n  gateways: [shop-gw]\n  http:\n${rules}`;
    const istioPinned = "  - match: [{method: {exact: POST}}]\n    route: [{destination: {host: api-jkt}}]\n";
    const istioCanary =
      "  - match: [{method: {exact: POST}, headers: {x-canary: {exact: 'true'}}}]\n    route: [{destination: {host: api-sgp}}]\n";
    expect(
      classesOf(analyze({ "vs.yaml": virtualService(istioPinned) }, { "vs.yaml": virtualService(istioPinned + istioCanary) }, TOPOLOGY)),
    ).not.toContain("writes.active-active");
  });

  it("flags a service the policy marks single-region, even without method matches", () => {
    const overlay = `${TOPOLOGY}services:\n  case-api: { writes: single-region }\n`;
    const base = route(`  - backendRefs: [${imp("case-api-jkt")}]`);
    const head = route(`  - backendRefs: [${imp("case-api-jkt")}, ${imp("case-api-sgp")}]`);
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": head }, overlay))).toEqual(["backend.region-added", "writes.active-active"]);
  });

  it("reads a service-name pattern off an Istio destination's fully qualified host", () => {
    const virtualService = (destinations: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: orders, namespace: shop}\nspec:\n  hosts: [orders.example.com]\n  gateways: [shop-gw]\n  http:\n  - match: [{method: {exact: POST}}]\n    route:\n${destinations}`;
    const to = (host: string, weight: number) => `    - destination: {host: ${host}.shop.svc.cluster.local}\n      weight: ${weight}\n`;
    const result = analyze(
      { "vs.yaml": virtualService(to("orders-jkt", 100)) },
      { "vs.yaml": virtualService(to("orders-jkt", 90) + to("orders-sgp", 10)) },
      TOPOLOGY,
    );
    expect(classesOf(result)).toEqual(["backend.region-added", "writes.active-active"]);
  });

  it("does not flag a service the policy allows active-active, nor read-only spreading", () => {
    const base = route(`  - backendRefs: [${imp("search-jkt")}]`);
    const head = route(`  - backendRefs: [${imp("search-jkt")}, ${imp("search-sgp")}]`);
    expect(
      classesOf(analyze({ "r.yaml": base }, { "r.yaml": head }, `${TOPOLOGY}services:\n  search: { writes: active-active }\n`)),
    ).toEqual(["backend.region-added"]);
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY))).toEqual(["backend.region-added"]);
  });

  it("treats writes pinned to a ServiceImport exported from two regions as active-active", () => {
    const overlay = `topology:\n  clusters: { jkt-1: jkt, sgp-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
    const exported = (cluster: string) => ({
      [`clusters/${cluster}/e.yaml`]:
        "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: api, namespace: cases }\n",
    });
    const r = { "r.yaml": route(`  - matches: [{ method: POST }]\n    backendRefs: [${imp("api")}]`) };
    const result = analyze({ ...r, ...exported("jkt-1") }, { ...r, ...exported("jkt-1"), ...exported("sgp-1") }, overlay);
    expect(classesOf(result)).toEqual(expect.arrayContaining(["backend.region-added", "writes.active-active"]));
    expect(result.findings.find((f) => f.class === "writes.active-active")!.summary).toContain("POST can now reach jkt, sgp (was jkt)");
  });
  it("the last ServiceExport of a write-pinned service removed: its ServiceImport runs nowhere, not across the cluster set", () => {
    const overlay = `topology:\n  clusters: { jkt-1: jkt, sgp-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
    const exported = {
      "clusters/jkt-1/e.yaml":
        "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: api, namespace: cases }\n",
    };
    const r = { "r.yaml": route(`  - matches: [{ method: POST }]\n    backendRefs: [${imp("api")}]`) };
    const result = analyze({ ...r, ...exported }, r, overlay);
    expect(classesOf(result)).not.toContain("writes.active-active");
    expect(classesOf(result)).toEqual(expect.arrayContaining(["backend.region-removed", "reference.broken"]));
    expect(result.findings.find((f) => f.class === "backend.region-removed")!.summary).toContain("now placed in no exporting cluster");
  });

  it("treats a ServiceImport named for one region but exported from another as reaching both (the name is a convention, the export is MCS)", () => {
    const overlay = `topology:\n  backendRegions: ["-(?<region>jkt|sgp)$"]\n  clusters: { jkt-1: jkt, sgp-1: sgp }\n  placements: ["clusters/{cluster}/**"]\nservices:\n  api: { writes: single-region, ownerRegion: jkt }\n`;
    const exported = (cluster: string) => ({
      [`clusters/${cluster}/e.yaml`]:
        "apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: api-jkt, namespace: cases }\n",
    });
    const r = { "r.yaml": route(`  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}]`) };
    // Exported where its name says: the name's placement stands, nothing moves.
    expect(classesOf(analyze({ ...r }, { ...r, ...exported("jkt-1") }, overlay))).toEqual(["export.changed"]);
    const result = analyze({ ...r, ...exported("jkt-1") }, { ...r, ...exported("jkt-1"), ...exported("sgp-1") }, overlay);
    expect(classesOf(result)).toEqual(expect.arrayContaining(["backend.region-added", "writes.active-active", "export.changed"]));
    const writes = result.findings.find((f) => f.class === "writes.active-active")!;
    expect(writes.risk).toBe("critical");
    expect(writes.summary).toContain("POST can now reach jkt, sgp (was jkt)");
  });

  it("places a shared base's ServiceExports where the cluster overlays that list it are delivered, though none is rendered", () => {
    // A platform monorepo: Flux delivers clusters/<cluster> to each cluster, whose kustomization lists
    // ../../apps/base/<app>; the PR touches only the config cluster's routes, so nothing renders.
    const overlay = `topology:\n  clusters: { config: jkt, jkt: jkt, sgp: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
    const flux = (cluster: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps-${cluster}, namespace: flux-system }
spec:
  path: ./clusters/${cluster}
  sourceRef: { kind: GitRepository, name: flux-system }
  kubeConfig: { secretRef: { name: ${cluster}-kubeconfig } }
`;
    const exportOf = (name: string) =>
      `apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: ${name}, namespace: cases }\n`;
    const tree = (pinnedTo: string) => ({
      "clusters/config/flux.yaml": `${flux("jkt")}---\n${flux("sgp")}`,
      "clusters/jkt/kustomization.yaml": "resources: [../../apps/base/api, ../../apps/base/api-jkt]\n",
      "clusters/sgp/kustomization.yaml": "resources: [../../apps/base/api]\n",
      "apps/base/api/kustomization.yaml": "resources: [export.yaml]\n",
      "apps/base/api/export.yaml": exportOf("api"),
      "apps/base/api-jkt/kustomization.yaml": "resources: [export.yaml]\n",
      "apps/base/api-jkt/export.yaml": exportOf("api-jkt"),
      "clusters/config/routes/r.yaml": route(
        `  - matches: [{ method: POST }]\n    backendRefs: [${imp(pinnedTo)}]\n  - backendRefs: [${imp("api")}]`,
      ),
    });
    const result = analyze(tree("api-jkt"), tree("api"), overlay);
    const writes = result.findings.find((f) => f.class === "writes.active-active");
    expect(writes?.risk).toBe("critical");
    expect(writes?.summary).toContain("POST can now reach jkt, sgp (was jkt)");
  });

  it("flags a single-region service whose route is applied in a second region's cluster: each copy stays in its region, the service's writes do not", () => {
    const overlay = `topology:\n  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp }\n  placements: ["clusters/{cluster}/**"]\nservices:\n  case-api: { writes: single-region, ownerRegion: jkt }\n`;
    const local = route(`  - backendRefs: [{ name: case-api, port: 8080 }]`);
    const jkt = { "clusters/jkt-prod-1/route.yaml": local };
    const result = analyze(jkt, { ...jkt, "clusters/sgp-prod-1/route.yaml": local }, overlay);
    const writes = result.findings.find((f) => f.class === "writes.active-active");
    expect(writes?.risk).toBe("critical");
    expect(writes?.file).toBe("clusters/sgp-prod-1/route.yaml");
    expect(writes?.summary).toContain("POST, PUT, PATCH, DELETE can now reach jkt, sgp (was jkt)");
    // A service the policy does not keep single-region spreads as a plain route added.
    const open = analyze(jkt, { ...jkt, "clusters/sgp-prod-1/route.yaml": local }, overlay.replace(/services:[\s\S]*/, ""));
    expect(classesOf(open)).not.toContain("writes.active-active");
  });

  it("places each subset of a named host by its own DestinationRule labels", () => {
    const overlay = `topology:\n  backendRegions: ["-(?<region>jkt|sgp)$"]\n`;
    const dr = (v2Region: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: api, namespace: cases }
spec:
  host: api-jkt
  subsets:
  - { name: v1, labels: { version: v1, topology.kubernetes.io/region: jkt } }
  - { name: v2, labels: { version: v2, topology.kubernetes.io/region: ${v2Region} } }
`;
    const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: api, namespace: cases }
spec:
  hosts: [api.example.com]
  gateways: [infra/public]
  http:
  - match: [{ method: { exact: POST } }]
    route:
    - { destination: { host: api-jkt, subset: v1 }, weight: 90 }
    - { destination: { host: api-jkt, subset: v2 }, weight: 10 }
`;
    const result = analyze({ "dr.yaml": dr("jkt"), "vs.yaml": vs }, { "dr.yaml": dr("sgp"), "vs.yaml": vs }, overlay);
    expect(result.findings.find((f) => f.class === "writes.active-active")?.summary).toContain("POST can now reach jkt, sgp (was jkt)");
    // Another namespace's rule for a host of the same short name is another host: it places nothing here.
    const elsewhere = dr("sgp").replace("namespace: cases", "namespace: lab");
    const unrelated = analyze(
      { "dr.yaml": dr("jkt"), "vs.yaml": vs },
      { "dr.yaml": dr("jkt"), "lab.yaml": elsewhere, "vs.yaml": vs },
      overlay,
    );
    expect(classesOf(unrelated)).not.toContain("writes.active-active");
    expect(classesOf(unrelated)).not.toContain("backend.region-added");
  });

  it("flags a header condition added to the write pin: writes without the header fall through to the 50/50 catch-all", () => {
    const pin = (condition: string) =>
      `  - matches: [{ method: POST${condition} }, { method: PUT${condition} }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`;
    const result = analyze({ "r.yaml": route(pin("")) }, { "r.yaml": route(pin(", headers: [{ name: x-canary, value: '1' }]")) }, TOPOLOGY);
    // The rest of POST and PUT, without the header, now reaches sgp too: a region gained, as for a rename.
    expect(classesOf(result)).toEqual(["backend.region-added", "route.match-changed", "writes.active-active"]);
    expect(result.findings.find((f) => f.class === "writes.active-active")!.summary).toContain(
      "POST, PUT can now reach jkt, sgp (was jkt)",
    );
  });

  it("a pin that still takes every write of the method, beside a header variant, is not flagged", () => {
    const base = route(
      `  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`,
    );
    const head = route(
      `  - matches: [{ method: POST, headers: [{ name: x-canary, value: '1' }] }, { method: POST }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`,
    );
    // The alternative it gains takes requests the rule took already: no request moves.
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY))).toEqual(["resource.changed"]);
  });

  it("flags a new, longer path split over two regions on a host that pins writes by method on /: it wins by longest prefix", () => {
    const rules = `  - matches: [{ method: POST }, { method: DELETE }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`;
    const v2 = `\n  - matches: [{ path: { type: PathPrefix, value: /v2 } }]\n    backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`;
    const result = analyze({ "r.yaml": route(rules) }, { "r.yaml": route(rules + v2) }, TOPOLOGY);
    expect(classesOf(result)).toEqual(["route.added", "writes.active-active"]);
    // PUT and PATCH already reached both regions through the catch-all: only the pinned methods are news.
    expect(result.findings.find((f) => f.class === "writes.active-active")!.summary).toBe(
      "cases.example.com /v2 via Gateway infra/public: POST, DELETE can now reach jkt, sgp (was jkt)",
    );
  });
});

describe("a write path the PR opens", () => {
  const overlay = `topology:\n  clusters: { jkt-1: jkt, sgp-1: sgp }\n  placements: ["clusters/{cluster}/**"]\n`;
  const exported = (cluster: string, name: string, namespace = "cases") => ({
    [`clusters/${cluster}/${namespace}-${name}.yaml`]: `apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: ServiceExport\nmetadata: { name: ${name}, namespace: ${namespace} }\n`,
  });
  // GEP-1748: writes pinned to api-primary (jkt), PATCH left to the replicas exported from both regions.
  const exports = { ...exported("jkt-1", "api-primary"), ...exported("jkt-1", "api-replicas"), ...exported("sgp-1", "api-replicas") };
  const gep1748 = `  - matches: [{ method: POST }, { method: PUT }, { method: DELETE }]\n    backendRefs: [${imp("api-primary")}]\n  - backendRefs: [${imp("api-replicas")}]`;
  const writes = (result: ReturnType<typeof analyze>) => result.findings.filter((f) => f.class === "writes.active-active");

  it("copying a write split live at base (a host alias, a second parentRef) is no active-active news", () => {
    const base = { ...exports, "r.yaml": route(gep1748) };
    const alias = {
      ...exports,
      "r.yaml": httpRoute(gep1748, { name: "cases", namespace: "cases", hostname: "cases.example.com, cases.example.org" }),
    };
    const aliased = analyze(base, alias, overlay);
    expect(writes(aliased)).toEqual([]);
    expect(aliased.findings.map((f) => [f.class, f.risk])).toEqual(expect.arrayContaining([["route.added", "medium"]]));
    expect(aliased.findings.every((f) => f.risk === "medium" || f.risk === "low")).toBe(true);
    const parents = "{ name: public, namespace: infra }, { name: internal, namespace: infra }";
    const second = {
      ...exports,
      "r.yaml": httpRoute(gep1748, { name: "cases", namespace: "cases", hostname: "cases.example.com", parent: parents }),
    };
    expect(writes(analyze(base, second, overlay))).toEqual([]);
  });

  it("a new path's writes were the shorter path's at base: another host's catch-all, or another path's split, makes them no copy (review W1)", () => {
    const pin = `  - matches: [{ method: POST }, { method: PUT }, { method: PATCH }, { method: DELETE }]\n    backendRefs: [${imp("api-jkt")}]\n`;
    const both = `[${imp("api-jkt")}, ${imp("api-sgp")}]`;
    const all = `  - backendRefs: ${both}\n`;
    const under = (path: string) => `  - matches: [{ path: { type: PathPrefix, value: ${path} } }]\n    backendRefs: ${both}\n`;
    const api = (rules: string) => httpRoute(rules, { name: "api", namespace: "cases", hostname: "api.example.com" });
    const status = httpRoute(all, { name: "status", namespace: "cases", hostname: "status.example.com" });
    const summaries = (base: Record<string, string>, head: Record<string, string>) =>
      writes(analyze(base, head, TOPOLOGY)).map((f) => [f.risk, f.summary]);
    const expected = [
      ["critical", "api.example.com /v2 via Gateway infra/public: POST, PUT, PATCH, DELETE can now reach jkt, sgp (was jkt)"],
    ];
    // status.example.com's catch-all over both regions routes no write on purpose.
    expect(
      summaries({ "r.yaml": api(pin + all), "s.yaml": status }, { "r.yaml": api(pin + all + under("/v2")), "s.yaml": status }),
    ).toEqual(expected);
    expect(summaries({ "r.yaml": api(pin + all + under("/docs")) }, { "r.yaml": api(pin + all + under("/docs") + under("/v2")) })).toEqual(
      expected,
    );
    // A new host copying the pin keeps its writes where they were; one pinning POST alone is news for the rest, whatever /docs splits.
    const alias = (rules: string) => httpRoute(rules, { name: "api2", namespace: "cases", hostname: "api.example.org" });
    const docs = { "r.yaml": api(pin + all + under("/docs")) };
    expect(summaries(docs, { ...docs, "a.yaml": alias(pin + all + under("/docs")) })).toEqual([]);
    const postOnly = `  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}]\n`;
    expect(summaries(docs, { ...docs, "a.yaml": alias(postOnly + all + under("/docs")) })).toEqual([
      ["critical", "api.example.org via Gateway infra/public: PUT, PATCH, DELETE can now reach jkt, sgp"],
    ]);
  });

  it("a new host whose writes meet in two regions that base reached only singly, or another namespace's replicas, is news", () => {
    const pinnedTo = (service: string, host: string) =>
      httpRoute(`  - matches: [{ method: POST }]\n    backendRefs: [${imp(service)}]`, {
        name: host,
        namespace: "cases",
        hostname: `${host}.example.com`,
      });
    const singly = {
      ...exported("jkt-1", "api-jkt"),
      ...exported("sgp-1", "api-sgp"),
      "a.yaml": pinnedTo("api-jkt", "a"),
      "b.yaml": pinnedTo("api-sgp", "b"),
    };
    const split = httpRoute(`  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`, {
      name: "c",
      namespace: "cases",
      hostname: "c.example.com",
    });
    expect(writes(analyze(singly, { ...singly, "c.yaml": split }, overlay)).map((f) => [f.risk, f.summary])).toEqual([
      ["critical", "c.example.com method POST via Gateway infra/public: POST can now reach jkt, sgp"],
    ]);
    // The same name in another namespace is another ServiceImport: its writes never met before.
    const lab = { ...exported("jkt-1", "api-replicas", "lab"), ...exported("sgp-1", "api-replicas", "lab") };
    const base = { ...exports, ...lab, "r.yaml": route(gep1748) };
    const other = httpRoute(gep1748, { name: "lab", namespace: "lab", hostname: "cases.example.org" });
    expect(writes(analyze(base, { ...base, "lab.yaml": other }, overlay)).map((f) => f.summary)).toEqual([
      "cases.example.org via Gateway infra/public: PATCH can now reach jkt, sgp",
    ]);
  });
});

describe("writes through Istio's first-match rules", () => {
  const subsets = regionalSubsets("orders", "shop", { primary: "jkt", replica: "sgp" });
  const virtualService = (name: string, rules: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: ${name}, namespace: shop }
spec:
  hosts: [shop.example.com]
  gateways: [shop-gw]
  http:
${rules}`;
  const tree = (rules: string) => ({ "dr.yaml": subsets, "vs.yaml": virtualService("storefront", rules) });
  const write = (method: string) =>
    `  - name: write\n    match: [{ uri: { prefix: /orders }, method: ${method} }]\n    route: [{ destination: { host: orders, subset: primary } }]\n`;
  const read =
    "  - name: read\n    match: [{ uri: { prefix: /orders } }]\n    route:\n    - { destination: { host: orders, subset: primary }, weight: 80 }\n    - { destination: { host: orders, subset: replica }, weight: 20 }\n";
  const to = (name: string, match: string, subset: string) =>
    `  - name: ${name}\n    match: [${match}]\n    route: [{ destination: { host: orders, subset: ${subset} } }]\n`;
  const REGEX = '{ regex: "POST|PUT|PATCH|DELETE" }';
  const writes = (base: string, head: string) =>
    analyze(tree(base), tree(head))
      .findings.filter((f) => f.class === "writes.active-active")
      .map((f) => [f.risk, f.summary]);

  it("an alias VirtualService copies the original's writes path by path, a destination's port spelled out or not (review W2)", () => {
    const catalog =
      "  - name: catalog\n    match: [{ uri: { prefix: /catalog } }]\n    route:\n    - { destination: { host: orders, subset: primary }, weight: 50 }\n    - { destination: { host: orders, subset: replica }, weight: 50 }\n";
    const base = (rules: string) => tree(rules);
    const alias = (rules: string) =>
      virtualService("storefront-org", rules).replace("hosts: [shop.example.com]", "hosts: [shop.example.org]");
    const aliased = (original: string, copy: string) =>
      analyze(base(original), { ...base(original), "alias.yaml": alias(copy) })
        .findings.filter((f) => f.class === "writes.active-active")
        .map((f) => [f.risk, f.summary]);
    const post = write("{ exact: POST }");
    // Its read rule first takes the POSTs the original pinned: /catalog's 50/50 split is another path.
    expect(aliased(post + read + catalog, read + post + catalog)).toEqual([
      ["critical", "shop.example.org /orders via Gateway shop/shop-gw: POST can now reach jkt, sgp"],
    ]);
    const port = (rules: string) => rules.replaceAll(/subset: (primary|replica) \}/g, "subset: $1, port: { number: 8080 } }");
    expect(aliased(post + read, post + read)).toEqual([]);
    expect(aliased(post + read, port(post + read))).toEqual([]);
  });

  it("a write rule moved below the 80/20 read rule: the read rule, first, takes its writes to two regions", () => {
    expect(writes(write("{ exact: POST }") + read, read + write("{ exact: POST }"))).toEqual([
      ["critical", "shop.example.com /orders via Gateway shop/shop-gw: POST can now reach jkt, sgp (was jkt)"],
    ]);
    expect(writes(write(REGEX) + read, read + write(REGEX))).toEqual([
      ["critical", "shop.example.com /orders via Gateway shop/shop-gw: POST, PUT, PATCH, DELETE can now reach jkt, sgp (was jkt)"],
    ]);
  });

  it("a regex method match pins writes as an exact one does: re-weighted or narrowed, the writes it leaves reach two regions", () => {
    const spread = write(REGEX).replace(
      "route: [{ destination: { host: orders, subset: primary } }]",
      "route:\n    - { destination: { host: orders, subset: primary }, weight: 90 }\n    - { destination: { host: orders, subset: replica }, weight: 10 }",
    );
    expect(writes(write(REGEX) + read, spread + read).map(([risk]) => risk)).toEqual(["critical"]);
    expect(writes(write(REGEX) + read, write('{ regex: "POST|PUT" }') + read)).toEqual([
      ["critical", "shop.example.com /orders via Gateway shop/shop-gw: PATCH, DELETE can now reach jkt, sgp (was jkt)"],
    ]);
    expect(writes(write(REGEX) + read, write("{ prefix: P }") + read)).toEqual([
      ["critical", "shop.example.com /orders via Gateway shop/shop-gw: DELETE can now reach jkt, sgp (was jkt)"],
    ]);
  });

  it("a header canary inserted above the write rule takes some writes: the canary's land in a second region", () => {
    const canary = to("canary", '{ uri: { prefix: /orders }, headers: { x-canary: { exact: "true" } } }', "replica");
    expect(writes(write("{ exact: POST }") + read, canary + write("{ exact: POST }") + read)).toEqual([
      ["critical", "shop.example.com /orders, header x-canary=true via Gateway shop/shop-gw: POST can now reach jkt, sgp (was jkt)"],
    ]);
  });

  it("two VirtualServices of one gateway host come in no known order: a rule below another's first rule is still met (review s10)", () => {
    const other = virtualService("web", "  - route: [{ destination: { host: web } }]\n");
    const canary = to("canary", '{ uri: { prefix: /orders }, headers: { x-canary: { exact: "true" } } }', "primary");
    const spread = write("{ exact: POST }").replace(
      "route: [{ destination: { host: orders, subset: primary } }]",
      "route:\n    - { destination: { host: orders, subset: primary }, weight: 50 }\n    - { destination: { host: orders, subset: replica }, weight: 50 }",
    );
    const findings = analyze(
      { ...tree(canary + write("{ exact: POST }")), "web.yaml": other },
      { ...tree(canary + spread), "web.yaml": other },
    ).findings.filter((f) => f.class === "writes.active-active");
    expect(findings.map((f) => f.risk)).toEqual(["critical"]);
  });

  it("rules that take no write first change nothing: another path, reads only, a longer path below the write rule", () => {
    const base = write(REGEX) + read;
    expect(writes(base, to("catalog", "{ uri: { prefix: /catalog } }", "replica") + base)).toEqual([]);
    expect(writes(base, to("reads", '{ uri: { prefix: /orders }, method: { regex: "GET|HEAD" } }', "replica") + base)).toEqual([]);
    expect(writes(base, write(REGEX) + to("export", "{ uri: { prefix: /orders/export } }", "replica") + read)).toEqual([]);
  });
});

describe("a removed rule whose requests another rule serves", () => {
  it("is the requests moving to the catch-all's backends, not a route no longer served", () => {
    const base = route(
      `  - matches: [{ method: POST }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`,
    );
    const head = route(`  - backendRefs: [${imp("api-jkt")}, ${imp("api-sgp")}]`);
    const result = analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY);
    const moved = result.findings.find((f) => f.class === "route.match-changed")!;
    expect(moved.summary).toContain(
      "rule removed: its requests now fall through to catch-all → ServiceImport api-jkt:8080 50%, ServiceImport api-sgp:8080 50%",
    );
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("with the same split there, removing it changes no traffic: no route finding", () => {
    const base = route(
      `  - matches: [{ path: { type: PathPrefix, value: /api } }]\n    backendRefs: [${imp("api-jkt")}]\n  - backendRefs: [${imp("api-jkt")}]`,
    );
    const head = route(`  - backendRefs: [${imp("api-jkt")}]`);
    const result = analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY);
    expect(classesOf(result).filter((cls) => cls.startsWith("route.") || cls.startsWith("backend."))).toEqual([]);
  });

  it("a rule whose requests nothing else takes is still no longer served", () => {
    const base = route(
      `  - matches: [{ path: { type: PathPrefix, value: /api } }]\n    backendRefs: [${imp("api-jkt")}]\n  - matches: [{ path: { type: PathPrefix, value: /web } }]\n    backendRefs: [${imp("web-jkt")}]`,
    );
    const head = route(`  - matches: [{ path: { type: PathPrefix, value: /web } }]\n    backendRefs: [${imp("web-jkt")}]`);
    expect(classesOf(analyze({ "r.yaml": base }, { "r.yaml": head }, TOPOLOGY))).toContain("route.removed");
  });
});
