import { describe, expect, it } from "vitest";
import { planRenders, textsOf } from "../../src/render/render-plan.js";
import { rendersNoTraffic } from "../../src/render/traffic-free-root.js";
import { policyWith } from "../helpers/review-trees.js";

const topology = policyWith().topology;

/** Whether the kustomize root of `app/` applies no traffic config, in a tree of these files. */
const quiet = (files: Record<string, string>): boolean => {
  const tree = Object.entries(files).map(([path, text]) => ({ path, text }));
  const root = planRenders(tree, topology).find((candidate) => candidate.id === "kustomize app");
  expect(root).toBeDefined();
  return rendersNoTraffic(root!, textsOf(tree));
};

const DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n";
const ROUTE =
  "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n";
// kustomize v5 refuses a patch given as a bare path (rancher/fleet-examples 3614aa1).
const LEGACY = "resources: [deployment.yaml]\npatches:\n- patch.yaml\n";
const PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n";

describe("a kustomize root that applies no traffic config needs no render", () => {
  it("workloads, their patches and generator inputs are no traffic config; files it does not list are not its", () => {
    expect(quiet({ "app/kustomization.yaml": LEGACY, "app/deployment.yaml": DEPLOYMENT, "app/patch.yaml": PATCH })).toBe(true);
    // Fleet's own config, and a route applied by hand (reviewed as written, as it is not rendered).
    const beside = { "app/fleet.yaml": "targetCustomizations: [{name: dev}]\n", "app/recipe/route.yaml": ROUTE };
    expect(quiet({ "app/kustomization.yaml": LEGACY, "app/deployment.yaml": DEPLOYMENT, "app/patch.yaml": PATCH, ...beside })).toBe(true);
    const generated = "resources: [deployment.yaml]\nconfigMapGenerator:\n- {name: settings, files: [settings.yaml]}\n";
    expect(
      quiet({
        "app/kustomization.yaml": generated,
        "app/deployment.yaml": DEPLOYMENT,
        "app/settings.yaml": "mode: fast\n",
        "app/README.md": "# app",
      }),
    ).toBe(true);
  });

  it("a resource that no longer parses is none when its text names no traffic or GitOps kind or group (rafaribe/home-ops 59bb3b0d43)", () => {
    const duplicated = (document: string) =>
      quiet({
        "app/kustomization.yaml": "resources: [resource.yaml]\n",
        "app/resource.yaml": document.replace("metadata: {", "metadata: {a: 1, a: 2, "),
      });
    expect(duplicated("apiVersion: kopiur.home-operations.com/v1alpha1\nkind: ClusterRepository\nmetadata: {name: s3}\n")).toBe(true);
    expect(duplicated(ROUTE)).toBe(false);
    expect(duplicated("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n")).toBe(false);
    expect(duplicated("apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: apps}\n")).toBe(false);
  });

  it("a traffic document among its resources, or one a GitOps tool renders further, is", () => {
    expect(
      quiet({
        "app/kustomization.yaml": "resources: [deployment.yaml, route.yaml]\n",
        "app/deployment.yaml": DEPLOYMENT,
        "app/route.yaml": ROUTE,
      }),
    ).toBe(false);
    const release =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec: {chart: {spec: {chart: web}}}\n";
    expect(quiet({ "app/kustomization.yaml": "resources: [release.yaml]\n", "app/release.yaml": release })).toBe(false);
    const namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
    expect(quiet({ "app/kustomization.yaml": "resources: [ns.yaml]\n", "app/ns.yaml": namespace })).toBe(false);
  });

  it("a route is one however its text spells it: a kind written with YAML escapes, or an item of a List", () => {
    const route = (text: string) => quiet({ "app/kustomization.yaml": "resources: [route.yaml]\n", "app/route.yaml": text });
    // Parsed, the file is judged by its documents; only one that does not parse is judged by its words.
    expect(
      route(
        ROUTE.replace("kind: HTTPRoute", 'kind: "HTTP\\x52oute"').replace(
          "gateway.networking.k8s.io/v1",
          '"gateway.networking.k8s\\x2eio/v1"',
        ),
      ),
    ).toBe(false);
    // kubectl and kustomize apply a List as its items.
    const list = `apiVersion: v1\nkind: List\nitems:\n${ROUTE.replace(/^/gm, "  ").replace(/^  apiVersion/, "- apiVersion")}`;
    expect(route(list)).toBe(false);
    expect(route(`apiVersion: v1\nkind: List\nitems:\n- ${DEPLOYMENT.trimEnd().replace(/\n/g, "\n  ")}\n`)).toBe(true);
  });

  it("a patch that names a traffic kind or makes a Service leave the cluster is", () => {
    const inline = `resources: [deployment.yaml]\npatches:\n- target: {kind: HTTPRoute}\n  patch: |-\n    - {op: replace, path: /spec/hostnames/0, value: evil.example.com}\n`;
    expect(quiet({ "app/kustomization.yaml": inline, "app/deployment.yaml": DEPLOYMENT })).toBe(false);
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n";
    const external = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: ExternalName, externalName: evil.example.com}\n";
    expect(
      quiet({
        "app/kustomization.yaml": "resources: [service.yaml]\npatches:\n- path: external.yaml\n",
        "app/service.yaml": service,
        "app/external.yaml": external,
      }),
    ).toBe(false);
    const kindChange =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n- {op: replace, path: /kind, value: VirtualService}\n";
    expect(
      quiet({
        "app/kustomization.yaml": "resources: [deployment.yaml]\npatches:\n- path: to-route.yaml\n",
        "app/deployment.yaml": DEPLOYMENT,
        "app/to-route.yaml": kindChange,
      }),
    ).toBe(false);
  });

  it("what creates or carries documents it cannot see (a remote base, a replacement, a plugin), or a file it lists the tree lacks, is unknown", () => {
    expect(quiet({ "app/kustomization.yaml": "resources: [https://example.com/app.yaml]\n" })).toBe(false);
    const replacing = "resources: [deployment.yaml]\nreplacements:\n- path: replacement.yaml\n";
    expect(
      quiet({
        "app/kustomization.yaml": replacing,
        "app/deployment.yaml": DEPLOYMENT,
        "app/replacement.yaml": "source: {kind: Deployment}\n",
      }),
    ).toBe(false);
    expect(
      quiet({ "app/kustomization.yaml": "resources: [deployment.yaml, ../outside/route.yaml]\n", "app/deployment.yaml": DEPLOYMENT }),
    ).toBe(false);
    expect(quiet({ "app/kustomization.yaml": "resources: [/deployment.yaml]\n", "app/deployment.yaml": DEPLOYMENT })).toBe(false);
    expect(quiet({ "app/kustomization.yaml": "resources: [deployment.yaml\n", "app/deployment.yaml": DEPLOYMENT })).toBe(false);
  });

  it("a base folder it includes is judged with it", () => {
    const base = { "base/kustomization.yaml": "resources: [deployment.yaml]\n", "base/deployment.yaml": DEPLOYMENT };
    expect(quiet({ ...base, "app/kustomization.yaml": LEGACY.replace("deployment.yaml", "../base"), "app/patch.yaml": PATCH })).toBe(true);
    expect(
      quiet({
        ...base,
        "base/route.yaml": ROUTE,
        "base/kustomization.yaml": "resources: [deployment.yaml, route.yaml]\n",
        "app/kustomization.yaml": "resources: [../base]\n",
      }),
    ).toBe(false);
  });

  describe("a generator whose object something reads as traffic config (probe C K06d, K06d2, K06d4)", () => {
    const MESH = "trustDomain: fleet.example.com\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\n";
    const generating = (generator: string, extra: Record<string, string> = {}) =>
      quiet({
        "app/kustomization.yaml": `namespace: istio-system\nresources: [deployment.yaml]\nconfigMapGenerator:\n${generator}generatorOptions: {disableNameSuffixHash: true}\n`,
        "app/deployment.yaml": DEPLOYMENT,
        "app/mesh.yaml": MESH,
        ...extra,
      });

    it("istiod's mesh ConfigMap, from a file or a literal, revisioned or not, is; a ConfigMap of app config beside it is not", () => {
      expect(generating("- {name: istio, files: [mesh=mesh.yaml]}\n")).toBe(false);
      expect(generating("- name: istio-1-24\n  literals:\n  - |\n    mesh=trustDomain: fleet.example.com\n")).toBe(false);
      // istiod reads the key `mesh` of a ConfigMap named `istio`: another name or key is app config.
      expect(generating("- {name: istio, files: [mesh.yaml]}\n")).toBe(true);
      expect(generating("- {name: settings, files: [mesh=mesh.yaml]}\n")).toBe(true);
    });

    it("one a Flux substitution or a release's valuesFrom reads from the cluster is; one only a replacement of another build copies is not", () => {
      const substituting = (name: string) => ({
        "clusters/prod/apps.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./app\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substituteFrom: [{kind: ConfigMap, name: ${name}}]\n`,
      });
      const vars = "- {name: cluster-vars, envs: [cluster.env]}\n";
      expect(generating(vars, { ...substituting("cluster-vars"), "app/cluster.env": "PRIMARY_REGION=jkt\n" })).toBe(false);
      expect(generating(vars, { ...substituting("other-vars"), "app/cluster.env": "PRIMARY_REGION=jkt\n" })).toBe(true);
      const release =
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  valuesFrom: [{kind: ConfigMap, name: web-values}]\n";
      expect(generating("- {name: web-values, files: [values.yaml=mesh.yaml]}\n", { "web/release.yaml": release })).toBe(false);
      // A replacement copies within its own build: another build's reads nothing of this one.
      const replacing = (resources: string) => ({
        "other/kustomization.yaml": `resources: [${resources}]\nreplacements:\n- source: {kind: ConfigMap, name: settings, fieldPath: data.host}\n  targets: [{select: {kind: HTTPRoute}, fieldPaths: [spec.hostnames.0]}]\n`,
        "other/route.yaml": ROUTE,
      });
      expect(generating("- {name: settings, literals: [host=shop.example.com]}\n", replacing("route.yaml"))).toBe(true);
      // One whose build includes it copies it into its route: that build renders, as crossed.
      const tree = Object.entries({
        "app/kustomization.yaml":
          "resources: [deployment.yaml]\nconfigMapGenerator:\n- {name: settings, literals: [host=shop.example.com]}\n",
        "app/deployment.yaml": DEPLOYMENT,
        ...replacing("../app, route.yaml"),
      }).map(([path, text]) => ({ path, text }));
      const crossed = planRenders(tree, topology).find((candidate) => candidate.id === "kustomize other");
      expect(crossed?.crossed).toContain("app/kustomization.yaml");
      expect(rendersNoTraffic(crossed!, textsOf(tree))).toBe(false);
    });

    it("a base or Component of the root that generates one counts as the root's own", () => {
      const base = {
        "base/kustomization.yaml": "configMapGenerator:\n- {name: istio, files: [mesh=mesh.yaml]}\n",
        "base/mesh.yaml": MESH,
      };
      expect(quiet({ ...base, "app/kustomization.yaml": "resources: [../base]\n" })).toBe(false);
      const component = {
        "mesh/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n- {name: istio, files: [mesh=mesh.yaml]}\n",
        "mesh/mesh.yaml": MESH,
      };
      expect(
        quiet({
          ...component,
          "app/kustomization.yaml": "resources: [deployment.yaml]\ncomponents: [../mesh]\n",
          "app/deployment.yaml": DEPLOYMENT,
        }),
      ).toBe(false);
    });
  });
});
