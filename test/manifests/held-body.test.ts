import { describe, expect, it } from "vitest";
import { createManifestCache, loadManifests, releaseReads, type SourceFile } from "../../src/manifests/load-manifests.js";
import { releaseSharedBodies } from "../../src/manifests/held-body.js";
import { withKey } from "../../src/core/resource.js";
import { analyzeChange } from "../../src/review.js";
import { policyWith } from "../helpers/review-trees.js";

/**
 * A body let go is read again from its document's text (manifests/held-body.ts): whatever the loader
 * did to the document (nulls dropped, anchors expanded, a file-named object, directives, JSON), the
 * body read again must be the one read first, or a later stage would judge another document.
 */
const ROUTES = `%YAML 1.2
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: checkout
  namespace: shop
  labels: {app: checkout}
spec:
  parentRefs: [{name: public, namespace: infra, sectionName: }]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs:
    - &primary {name: checkout-v1, port: 8080, weight: 90}
    - {name: checkout-v2, port: 8080, weight: 10}
  - backendRefs: [*primary]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: checkout, namespace: shop}
spec:
  host: checkout.shop.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`;
const OPERATOR = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  meshConfig: {trustDomain: cluster.local}
`;
const JSON_EXPORT = JSON.stringify({
  apiVersion: "multicluster.x-k8s.io/v1alpha1",
  kind: "ServiceExport",
  metadata: { name: "checkout", namespace: "shop" },
});

// A HelmRelease of a chartRef is a resource by what its tree's source serves: read again, by its family.
const K8GB_BY_REF = `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: k8gb, namespace: k8gb}
spec: {url: oci://ghcr.io/k8gb-io/charts/k8gb}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: k8gb, namespace: k8gb}
spec:
  chartRef: {kind: OCIRepository, name: k8gb}
  values: {k8gb: {clusterGeoTag: eu}}
`;
const files = (tree: Record<string, string>): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));
const TREE = {
  "apps/routes.yaml": ROUTES,
  "mesh/operator.yaml": OPERATOR,
  "apps/export.json": JSON_EXPORT,
  "infra/k8gb.yaml": K8GB_BY_REF,
};

describe("a resource whose body was let go", () => {
  it("reads the body it was read with again, for every kind of document", () => {
    const cache = createManifestCache();
    const base = loadManifests(files(TREE), { cache });
    const head = loadManifests(files(TREE), { cache });
    releaseReads(cache);
    const first = new Map([...base.resources].map(([key, resource]) => [key, structuredClone(resource.body)]));
    expect(first.size).toBe(5);
    releaseSharedBodies(base, head);
    for (const [key, resource] of base.resources) {
      expect(resource.body, key).toEqual(first.get(key));
      expect(head.resources.get(key)!.body).toEqual(first.get(key));
    }
    const route = base.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout")!;
    // The null sectionName is gone, and the alias is the backend it names, as at the first read.
    expect(route.body).toMatchObject({ spec: { parentRefs: [{ name: "public", namespace: "infra" }] } });
    expect(JSON.stringify(route.body)).not.toContain("sectionName");
  });

  it("is read again only once for a run of asks, and keeps its body through a copy under another key", () => {
    const cache = createManifestCache();
    const base = loadManifests(files(TREE), { cache });
    const head = loadManifests(files(TREE), { cache });
    const route = base.resources.get("gateway.networking.k8s.io/HTTPRoute/shop/checkout")!;
    const before = route.body;
    releaseSharedBodies(base, head);
    const again = route.body;
    expect(again).not.toBe(before);
    expect(again).toEqual(before);
    expect(route.body).toBe(again);
    const copy = withKey(route, "gateway.networking.k8s.io/HTTPRoute/shop/checkout@apps/routes.yaml");
    expect(copy.key).not.toBe(route.key);
    expect(copy.body).toEqual(before);
    expect(copy.source).toBe(route.source);
  });

  it("of a file the policy reads as mesh values is read so again: a `{{` in its values is data, not a template (istio-demos c4863e5)", () => {
    const operator = `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  values:\n    global:\n      podDNSSearchNamespaces: ["{{ valueOrDefault .DeploymentMeta.Namespace \\"default\\" }}.global"]\n`;
    const tree = files({ "istio/values-istio-gateways.yaml": operator });
    const cache = createManifestCache();
    const options = { cache, meshValues: ["**/values-istio*.yaml"] };
    const [base, head] = [loadManifests(tree, options), loadManifests(tree, options)];
    const [resource] = [...base.resources.values()];
    const first = structuredClone(resource!.body);
    releaseSharedBodies(base, head);
    expect(resource!.body).toEqual(first);
  });

  it("is only one both trees hold: a document the PR changed keeps its body", () => {
    const cache = createManifestCache();
    const base = loadManifests(files(TREE), { cache });
    const head = loadManifests(files({ ...TREE, "apps/routes.yaml": ROUTES.replace("weight: 90", "weight: 80") }), { cache });
    const key = "gateway.networking.k8s.io/HTTPRoute/shop/checkout";
    const [changedBase, changedHead] = [base.resources.get(key)!, head.resources.get(key)!];
    const bodies = [changedBase.body, changedHead.body];
    releaseSharedBodies(base, head);
    expect(changedBase.body).toBe(bodies[0]);
    expect(changedHead.body).toBe(bodies[1]);
  });
});

describe("the review", () => {
  const input = (cache = createManifestCache()) => ({
    base: files(TREE),
    head: files({ ...TREE, "apps/routes.yaml": ROUTES.replace("weight: 90", "weight: 80") }),
    policy: policyWith(),
    cache,
  });

  it("lets go of the bodies of what the PR leaves alone, and finds what it found holding them", () => {
    const held = analyzeChange(input(createManifestCache({ acrossChanges: true })));
    const released = analyzeChange(input());
    const operator = (analysis: typeof held) =>
      analysis.head.manifests.resources.get("install.istio.io/IstioOperator/default/(unnamed) in mesh/operator.yaml")!;
    expect(released.findings).toEqual(held.findings);
    expect(released.routeDiffs).toEqual(held.routeDiffs);
    expect(operator(released).body).toEqual(operator(held).body);
  });
});
