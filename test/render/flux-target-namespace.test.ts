import { describe, expect, it } from "vitest";
import { fluxCommonLabels, fluxTargetNamespaces, releaseKubeConfigs } from "../../src/render/flux-target-namespace.js";
import { kustomizeReading } from "../../src/render/kustomize-tree.js";
import type { SourceFile } from "../../src/review.js";
import { analyze, policyWith } from "../helpers/review-trees.js";

const { topology } = policyWith();
const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));

const kustomization = (name: string, path: string, targetNamespace?: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
${targetNamespace ? `  targetNamespace: ${targetNamespace}\n` : ""}`;

describe("Flux targetNamespace: the namespace a Kustomization applies what it delivers in", () => {
  it("reads the deepest Kustomization that delivers a file, and rendered roots as their kustomization folder", () => {
    const namespaceOf = fluxTargetNamespaces(
      tree({
        "clusters/prod/apps.yaml": `${kustomization("apps", "./apps", "apps")}---\n${kustomization("edge", "./apps/edge", "network")}---\n${kustomization("plain", "./apps/plain")}`,
      }),
      topology,
    );
    expect(namespaceOf("apps/shop/route.yaml")).toBe("apps");
    expect(namespaceOf("apps/edge/gateway.yaml")).toBe("network");
    expect(namespaceOf("apps/edge/(rendered)/kustomization.yaml")).toBe("network");
    // A deeper Kustomization without targetNamespace leaves its files where they say.
    expect(namespaceOf("apps/plain/route.yaml")).toBeUndefined();
    expect(namespaceOf("infra/gateway.yaml")).toBeUndefined();
  });

  it("reaches a shared base through the kustomizations that list it: one namespace where they agree, none where they do not", () => {
    const files = tree({
      "clusters/prod/apps.yaml": `${kustomization("shop", "./apps/shop/prod", "shop")}---\n${kustomization("shop-qa", "./apps/shop/qa", "shop-qa")}---\n${kustomization("edge", "./apps/edge", "network")}`,
      "apps/shop/prod/kustomization.yaml": "resources: [../base]\n",
      "apps/shop/qa/kustomization.yaml": "resources: [../base]\n",
      "apps/shop/base/kustomization.yaml": "resources: [route.yaml]\n",
      "apps/shop/base/route.yaml": "# a route\n",
      "apps/edge/kustomization.yaml": "resources: [../gateways/public.yaml]\n",
      "apps/gateways/public.yaml": "# a Gateway\n",
    });
    const namespaceOf = fluxTargetNamespaces(files, topology, kustomizeReading(files).includedBy);
    expect(namespaceOf("apps/gateways/public.yaml")).toBe("network");
    expect(namespaceOf("apps/shop/base/route.yaml")).toBeUndefined();
    expect(fluxTargetNamespaces(files, topology)("apps/gateways/public.yaml")).toBeUndefined();
  });

  it("two Kustomizations reading one path into two namespaces decide nothing", () => {
    const namespaceOf = fluxTargetNamespaces(
      tree({ "clusters/prod/apps.yaml": `${kustomization("a", "./apps", "team-a")}---\n${kustomization("b", "./apps", "team-b")}` }),
      topology,
    );
    expect(namespaceOf("apps/route.yaml")).toBeUndefined();
  });

  it("places an unnamespaced Gateway where Flux applies it, so routes naming it there are checked, and attach", () => {
    // xunholy/k8s-gitops: Gateway envoy-external is written without a namespace; its Kustomization applies it in network-system.
    const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: envoy-external}
spec:
  gatewayClassName: envoy
  listeners: [{name: https, protocol: HTTPS, port: 443, allowedRoutes: {namespaces: {from: All}}}]
`;
    const route = (gatewayNamespace: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: envoy-external, namespace: ${gatewayNamespace}, sectionName: https}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
    const base = {
      "clusters/prod/network.yaml": kustomization("network", "./network", "network-system"),
      "network/gateway.yaml": gateway,
    };
    const attached = analyze(base, { ...base, "apps/web.yaml": route("network-system") });
    expect(attached.findings.filter((finding) => finding.class === "reference.broken")).toEqual([]);
    expect(attached.blastRadius.unchecked).toEqual([]);
    expect(attached.head.manifests.resources.has("gateway.networking.k8s.io/Gateway/network-system/envoy-external")).toBe(true);
    // Named in another namespace, it is missing: the tree says where it is applied.
    const missing = analyze(base, { ...base, "apps/web.yaml": route("edge") });
    expect(missing.findings.map((finding) => finding.summary)).toContainEqual(
      expect.stringContaining("Gateway edge/envoy-external does not exist in the repository"),
    );
  });
});

describe("a targetNamespace kustomize `replacements` write (haraldkoch/kochhaus-home's components/replacements/ks.yaml)", () => {
  const replacements = `- source: {kind: Namespace, fieldPath: metadata.name}
  targets:
    - select: {kind: Kustomization, group: kustomize.toolkit.fluxcd.io}
      fieldPaths: [spec.targetNamespace]
      options: {create: true}
`;
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: internal, namespace: network}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
  const repository = (namespace: string, targetNamespace?: string) => ({
    "clusters/main/apps.yaml": kustomization("apps", "./apps"),
    "components/replacements/ks.yaml": replacements,
    "apps/kustomization.yaml": "resources: [./obs]\n",
    "apps/obs/kustomization.yaml": `namespace: ${namespace}\nreplacements: [{path: ../../components/replacements/ks.yaml}]\nresources: [namespace.yaml, web.yaml]\n`,
    "apps/obs/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: _}\n",
    "apps/obs/web.yaml": kustomization("web", "./web", targetNamespace),
    "web/route.yaml": route,
  });

  it("reads the namespace the replacement writes: the route is obs/web, not default/web", () => {
    const namespaceOf = fluxTargetNamespaces(tree(repository("obs")), topology);
    expect(namespaceOf("web/route.yaml")).toBe("obs");
    expect(analyze({}, repository("obs")).head.manifests.resources.has("gateway.networking.k8s.io/HTTPRoute/obs/web")).toBe(true);
  });

  it("dropping a targetNamespace the replacement writes anyway changes nothing (b5af83067 'remove targetNamespace in ks.yaml')", () => {
    // Only the Kustomization's own text changes (low, as written); nothing it applies moves.
    expect(analyze(repository("obs", "obs"), repository("obs")).findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["resource.changed", "low"],
    ]);
  });

  it("a namespace changed through the replacement's source still moves the route, and is judged (the dangerous neighbour)", () => {
    const moved = analyze(repository("obs"), repository("shop"));
    expect(moved.head.manifests.resources.has("gateway.networking.k8s.io/HTTPRoute/shop/web")).toBe(true);
    expect(moved.findings.map((finding) => [finding.class, finding.risk])).toContainEqual(["backend.weight-changed", "medium-high"]);
  });
});

describe("Flux commonMetadata labels: what a Kustomization sets on every object it applies", () => {
  it("reads the deepest Kustomization that delivers a file, and rendered roots as their kustomization folder", () => {
    const labelled = (name: string, path: string, labels: string) =>
      `${kustomization(name, path)}  commonMetadata:\n    labels: ${labels}\n`;
    const labelsOf = fluxCommonLabels(
      tree({
        "clusters/prod/apps.yaml": `${labelled("apps", "./apps", "{team: apps}")}---\n${labelled("envoy", "./apps/envoy", "{app.kubernetes.io/name: envoy}")}---\n${kustomization("plain", "./apps/plain")}`,
      }),
      topology,
    );
    expect(labelsOf("apps/shop/route.yaml")).toEqual({ team: "apps" });
    expect(labelsOf("apps/envoy/gateway.yaml")).toEqual({ "app.kubernetes.io/name": "envoy" });
    expect(labelsOf("apps/envoy/(rendered)/kustomization.yaml")).toEqual({ "app.kubernetes.io/name": "envoy" });
    expect(labelsOf("apps/plain/route.yaml")).toBeUndefined();
    expect(labelsOf("infra/gateway.yaml")).toBeUndefined();
  });
});

describe("a HelmRelease's kubeConfig, as the Kustomization delivering it patches it", () => {
  const patch = (secret: string) =>
    `  patches:\n    - target: {kind: HelmRelease}\n      patch: |\n        - op: add\n          path: /spec/kubeConfig\n          value: {secretRef: {name: ${secret}}}\n`;
  const release = (spec = "") => ({
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "web" },
    spec: { chart: { spec: { chart: "./charts/web" } }, ...(spec ? { kubeConfig: { secretRef: { name: spec } } } : {}) },
  });
  const files = tree({
    "hub/production.yaml": `${kustomization("apps", "./clusters/production/apps", "production")}${patch("cluster-kubeconfig")}`,
    "hub/edge.yaml": `${kustomization("edge", "./clusters/edge", "edge")}  patches:\n    - target: {kind: HelmRelease}\n      patch: "- op: remove\\n  path: /spec/missing\\n"\n`,
  });
  const kubeConfigOf = releaseKubeConfigs(files, topology);

  it("a release its Kustomization patches installs with the patched kubeConfig, read in the Kustomization's targetNamespace", () => {
    // A folder Flux generates a kustomization for: no build applies the patch, so the review does.
    expect(kubeConfigOf("clusters/production/apps/release.yaml", release())).toEqual({
      namespace: "production",
      name: "cluster-kubeconfig",
    });
    // A build that applied it already: applied again, the same.
    expect(kubeConfigOf("clusters/production/apps/(rendered)/kustomization.yaml", release("cluster-kubeconfig"))).toEqual({
      namespace: "production",
      name: "cluster-kubeconfig",
    });
  });

  it("elsewhere its own kubeConfig, or none; a patch that cannot be applied leaves it as written", () => {
    expect(kubeConfigOf("apps/release.yaml", release())).toBeUndefined();
    expect(kubeConfigOf("apps/release.yaml", { ...release("spoke"), metadata: { name: "web", namespace: "tenant" } })).toEqual({
      namespace: "tenant",
      name: "spoke",
    });
    expect(kubeConfigOf("clusters/edge/release.yaml", release("edge-kubeconfig"))).toEqual({ namespace: "edge", name: "edge-kubeconfig" });
  });
});
