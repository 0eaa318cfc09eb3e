import { describe, expect, it } from "vitest";
import { analyze, policyWith } from "../helpers/review-trees.js";
import { createManifestCache, loadManifests } from "../../src/manifests/load-manifests.js";
import { buildGitopsPlacement } from "../../src/model/gitops-placement.js";
import { buildPlacementIndex } from "../../src/model/placement.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";

/**
 * The head model takes the base's flow for a rule both trees share unless where its backends run
 * changed (model/build-model.ts hands the base's flows over): the shortcut must never hide a placement change.
 */
const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: gke-l7-global-external-managed-mc
  listeners: [{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]
`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs:
    - {group: net.gke.io, kind: ServiceImport, name: checkout, port: 8080}
`;
const EXPORT = `apiVersion: net.gke.io/v1
kind: ServiceExport
metadata: {name: checkout, namespace: shop}
`;
const TOPOLOGY = `topology:\n  clusters: {jkt-prod-1: jkt, sgp-prod-1: sgp}\n  placements: ["clusters/{cluster}/**"]\n`;

const tree = (exportsIn: string) => ({
  "infra/gateway.yaml": GATEWAY,
  "apps/checkout/route.yaml": ROUTE,
  [`clusters/${exportsIn}/exports.yaml`]: EXPORT,
});

const onlyFlow = (flows: ReadonlyMap<string, { backends: readonly { placement: { clusters: readonly string[] } }[] }>) => {
  expect(flows.size).toBe(1);
  return [...flows.values()][0]!;
};

describe("the head model's flows of rules both trees share", () => {
  it("are the base's objects when nothing they depend on changed", () => {
    const analysis = analyze(tree("jkt-prod-1"), { ...tree("jkt-prod-1"), "README.yaml": "note: x\n" }, TOPOLOGY);
    expect(onlyFlow(analysis.head.model.flows)).toBe(onlyFlow(analysis.base.model.flows));
    expect(analysis.head.model.routes.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout")).toBe(
      analysis.base.model.routes.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout"),
    );
    expect(analysis.routeDiffs).toEqual([]);
  });

  it("are the base's objects too when the head places backends afresh and alike (an unrelated export added)", () => {
    const other = EXPORT.replace("name: checkout", "name: payments");
    const analysis = analyze(tree("jkt-prod-1"), { ...tree("jkt-prod-1"), "clusters/sgp-prod-1/exports.yaml": other }, TOPOLOGY);
    expect(onlyFlow(analysis.head.model.flows)).toBe(onlyFlow(analysis.base.model.flows));
    expect(analysis.routeDiffs).toEqual([]);
  });

  it("land on the head's entries when only the Gateway changed (the route file untouched)", () => {
    const twoListeners = GATEWAY.replace(
      "listeners: [",
      "listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}, ",
    );
    const analysis = analyze({ ...tree("jkt-prod-1"), "infra/gateway.yaml": twoListeners }, tree("jkt-prod-1"), TOPOLOGY);
    const key = "gateway.networking.k8s.io/HTTPRoute/shop/checkout";
    expect(analysis.base.model.routes.get(key)?.entries).toEqual(["Gateway infra/public:http", "Gateway infra/public:https"]);
    expect(analysis.head.model.routes.get(key)?.entries).toEqual(["Gateway infra/public:https"]);
  });

  it("are built again when a backend now runs elsewhere (the export moved clusters, the route file untouched)", () => {
    const analysis = analyze(tree("jkt-prod-1"), tree("sgp-prod-1"), TOPOLOGY);
    expect(onlyFlow(analysis.base.model.flows).backends[0]!.placement.clusters).toEqual(["jkt-prod-1"]);
    expect(onlyFlow(analysis.head.model.flows).backends[0]!.placement.clusters).toEqual(["sgp-prod-1"]);
    expect(analysis.routeDiffs).toHaveLength(1);
  });

  it("are built again when the GitOps object delivering the route's file sends it to another cluster", () => {
    const serviceRoute = ROUTE.replace(
      "{group: net.gke.io, kind: ServiceImport, name: checkout, port: 8080}",
      "{name: checkout, port: 8080}",
    );
    const application = (cluster: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: checkout, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://example.com/fleet.git, path: apps/checkout, targetRevision: main}\n  destination: {name: ${cluster}, namespace: shop}\n`;
    const delivered = (cluster: string) => ({
      "infra/gateway.yaml": GATEWAY,
      "apps/checkout/route.yaml": serviceRoute,
      "argocd/checkout.yaml": application(cluster),
    });
    const analysis = analyze(delivered("jkt-prod-1"), delivered("sgp-prod-1"), TOPOLOGY);
    expect(onlyFlow(analysis.base.model.flows).backends[0]!.placement.clusters).toEqual(["jkt-prod-1"]);
    expect(onlyFlow(analysis.head.model.flows).backends[0]!.placement.clusters).toEqual(["sgp-prod-1"]);
  });
});

describe("the head tree's placement", () => {
  const { topology } = policyWith(TOPOLOGY);
  const placedBy = (files: Record<string, string>) => loadManifests(Object.entries(files).map(([path, text]) => ({ path, text })));
  const clusterOfFile = compileFilePlacement(topology.placements);

  it("is the base's where both trees hold the same delivering objects and placement hints", () => {
    const cache = createManifestCache();
    const base = loadManifests(
      Object.entries(tree("jkt-prod-1")).map(([path, text]) => ({ path, text })),
      { cache },
    );
    const head = loadManifests(
      Object.entries({ ...tree("jkt-prod-1"), "apps/checkout/other.yaml": ROUTE.replace("checkout}", "other}") }).map(([path, text]) => ({
        path,
        text,
      })),
      { cache },
    );
    const files = buildGitopsPlacement(base, topology, clusterOfFile);
    expect(buildGitopsPlacement(head, topology, clusterOfFile, files)).toBe(files);
    const index = buildPlacementIndex(base, topology, files);
    expect(buildPlacementIndex(head, topology, files, index)).toBe(index);
  });

  it("is built again when a placement hint or a delivering object differs", () => {
    const cache = createManifestCache();
    const base = loadManifests(
      Object.entries(tree("jkt-prod-1")).map(([path, text]) => ({ path, text })),
      { cache },
    );
    const files = buildGitopsPlacement(base, topology, clusterOfFile);
    const index = buildPlacementIndex(base, topology, files);
    const exported = placedBy({ ...tree("jkt-prod-1"), "clusters/sgp-prod-1/exports.yaml": EXPORT });
    expect(buildPlacementIndex(exported, topology, files, index)).not.toBe(index);
    const delivered = placedBy({
      ...tree("jkt-prod-1"),
      "argocd/app.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a, namespace: argocd}\nspec: {source: {path: apps}, destination: {name: sgp-prod-1}}\n",
    });
    expect(buildGitopsPlacement(delivered, topology, clusterOfFile, files)).not.toBe(files);
  });
});
