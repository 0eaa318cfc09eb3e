import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { appliedFiles, kustomizationsOf, listedWithFolder } from "../../src/model/applied-files.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";
import { TopologySchema } from "../../src/policy/policy-schema.js";
import { kustomizeReading } from "../../src/render/kustomize-tree.js";
import { bootstrapSet, UNFILLED_PATH } from "../helpers/bootstrap-application-set.js";

type Tree = Record<string, string>;

const appliedIn = (tree: Tree, topology: Record<string, unknown> = {}) => {
  const policy = TopologySchema.parse(topology);
  const clusterOfFile = compileFilePlacement(policy.placements);
  const files = Object.entries(tree).map(([path, text]) => ({ path, text }));
  const set = loadManifests(files, { scopeOf: clusterOfFile, includedBy: kustomizeReading(files).includedBy });
  return appliedFiles(set, kustomizationsOf(Object.keys(tree)), policy, clusterOfFile);
};

const fluxKustomization = (path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ${path}
  prune: true
`;

const MANIFEST = "# a manifest\n";

describe("applied files: what a tree's GitOps objects apply", () => {
  it("a Flux Kustomization of a folder without a kustomization applies every file below it, and nothing else", () => {
    const applied = appliedIn({ "clusters/prod/apps.yaml": fluxKustomization("./apps/prod") });
    expect(["apps/prod/bar.yaml", "apps/prod/deep/bar.yaml", "apps/staging/bar.yaml", "apps/old/bar.yaml"].map(applied)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("where a kustomization it reads sits at or above the file, only what that kustomization accumulates is applied (D111)", () => {
    const applied = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps"),
      "apps/kustomization.yaml": "resources: [shop]\n",
      "apps/shop/kustomization.yaml": "resources: [gateway.yaml, routes]\n",
      "apps/shop/routes/kustomization.yaml": "resources: [foo.yaml]\n",
      "apps/shop/gateway.yaml": MANIFEST,
      "apps/shop/routes/foo.yaml": MANIFEST,
      "apps/shop/routes/unlisted.yaml": MANIFEST,
      "apps/shop/recipe.yaml": MANIFEST,
      "apps/unlisted/kustomization.yaml": "resources: [route.yaml]\n",
      "apps/unlisted/route.yaml": MANIFEST,
    });
    expect(
      Object.fromEntries(
        [
          "apps/shop/gateway.yaml",
          "apps/shop/routes/foo.yaml",
          "apps/shop/routes/unlisted.yaml",
          "apps/shop/recipe.yaml",
          "apps/unlisted/route.yaml",
          // A kustomization's render stands where its folder's kustomization is applied.
          "apps/(rendered)/kustomization.yaml",
          "apps/shop/(rendered)/kustomization.yaml",
          "apps/unlisted/(rendered)/kustomization.yaml",
        ].map((file) => [file, applied(file)]),
      ),
    ).toEqual({
      "apps/shop/gateway.yaml": true,
      "apps/shop/routes/foo.yaml": true,
      "apps/shop/routes/unlisted.yaml": false,
      "apps/shop/recipe.yaml": false,
      "apps/unlisted/route.yaml": false,
      "apps/(rendered)/kustomization.yaml": true,
      "apps/shop/(rendered)/kustomization.yaml": true,
      "apps/unlisted/(rendered)/kustomization.yaml": false,
    });
  });

  it("Flux's generated kustomization takes a subfolder's own kustomization in whole, and only what it lists", () => {
    const applied = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      "apps/prod/shop/kustomization.yaml": "resources: [route.yaml]\n",
      "apps/prod/shop/route.yaml": MANIFEST,
      "apps/prod/shop/draft.yaml": MANIFEST,
    });
    expect(["apps/prod/shop/route.yaml", "apps/prod/shop/draft.yaml", "apps/prod/other.yaml"].map(applied)).toEqual([true, false, true]);
  });

  it("Flux's generated kustomization lists only files named .yaml or .yml, as written; a kustomization lists any name (probe F20, F21)", () => {
    const applied = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      "apps/prod/shop/kustomization.yaml": "resources: [route.json]\n",
      "apps/prod/shop/route.json": MANIFEST,
      "apps/prod/cart/Kustomization": "resources: [route.YAML]\n",
      "apps/prod/cart/route.YAML": MANIFEST,
    });
    expect(
      [
        "apps/prod/edge-route.yml",
        "apps/prod/edge-route.json",
        "apps/prod/edge-route.YAML",
        "apps/prod/deep/edge-route.Yml",
        "apps/prod/edge-route.yaml.disabled",
        "apps/prod/shop/route.json",
        "apps/prod/cart/route.YAML",
        "apps/prod/cart/Kustomization",
      ].map(applied),
    ).toEqual([true, false, false, false, false, true, true, true]);
  });

  it("an Argo CD directory source applies its folder's own files (D99)", () => {
    const applied = appliedIn({
      "argocd/shop.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  source: {repoURL: https://github.com/example/fleet.git, path: apps/prod}
  destination: {server: https://kubernetes.default.svc, namespace: shop}
`,
    });
    expect(["apps/prod/bar.yaml", "apps/prod/routes/bar.yaml"].map(applied)).toEqual([true, false]);
    // Its repo server reads files named .yaml, .yml, .json or .jsonnet, as written.
    expect(["apps/prod/bar.yml", "apps/prod/bar.json", "apps/prod/bar.YAML", "apps/prod/bar.yaml.bak"].map(applied)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it("a Flux Kustomization in a file its parent kustomization does not list delivers nothing, nor do those only it applies (ishioni/homelab-ops fb4ca12b99)", () => {
    const app = (name: string, path: string) => fluxKustomization(path).replace("name: apps", `name: ${name}`);
    const tree = (parent: string): Tree => ({
      "clusters/prod/apps.yaml": fluxKustomization("./apps"),
      "apps/kustomization.yaml": parent,
      "apps/gw/ks.yaml": app("gw", "./apps/gw/app"),
      "apps/gw/app/gateway.yaml": MANIFEST,
      "apps/hass/ks.yaml": app("hass", "./apps/hass/app"),
      "apps/hass/app/route.yaml": MANIFEST,
      "apps/hass/app/child.yaml": app("hass-child", "./apps/hass/child"),
      "apps/hass/child/route.yaml": MANIFEST,
    });
    const files = ["apps/gw/app/gateway.yaml", "apps/hass/ks.yaml", "apps/hass/app/route.yaml", "apps/hass/child/route.yaml"];
    // `# - ./hass/ks.yaml`: commented out.
    const off = appliedIn(tree("resources:\n  - ./gw/ks.yaml\n  # - ./hass/ks.yaml\n"));
    expect(files.map(off)).toEqual([true, false, false, false]);
    const on = appliedIn(tree("resources:\n  - ./gw/ks.yaml\n  - ./hass/ks.yaml\n"));
    expect(files.map(on)).toEqual([true, true, true, true]);
  });

  it("a Flux Kustomization no known path holds, in a folder a kustomization above leaves out, delivers nothing (mirceanton/home-ops e8df4fb933)", () => {
    // Synced from outside the tree (a FluxInstance Helm installs, syncing apps/): Flux builds
    // apps/monitoring's kustomization, which lists ./admin only once the PR adds it.
    const app = (name: string) => fluxKustomization(`./apps/monitoring/${name}/app`).replace("name: apps", `name: ${name}`);
    const tree = (parent: string): Tree => ({
      "apps/monitoring/kustomization.yaml": parent,
      "apps/monitoring/other/kustomization.yaml": "resources: [ks.yaml]\n",
      "apps/monitoring/other/ks.yaml": app("other"),
      "apps/monitoring/admin/kustomization.yaml": "resources: [ks.yaml]\n",
      "apps/monitoring/admin/ks.yaml": app("admin"),
    });
    const files = ["apps/monitoring/other/app/cm.yaml", "apps/monitoring/admin/app/helm-release.yaml"];
    expect(files.map(appliedIn(tree("resources: [./other]\n")))).toEqual([true, false]);
    expect(files.map(appliedIn(tree("resources: [./other, ./admin]\n")))).toEqual([true, true]);
    // A sync committed in the tree, its own path holding it, is applied where it was bootstrapped,
    // even with a kustomization above its folder that does not list it.
    const bootstrapped = appliedIn({
      "clusters/kustomization.yaml": "resources: [prod/apps.yaml]\n",
      "clusters/staging/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
      "clusters/staging/flux-system/gotk-sync.yaml": fluxKustomization("./clusters/staging"),
      "clusters/staging/apps.yaml": fluxKustomization("./apps/staging").replace("name: apps", "name: staging-apps"),
    });
    expect(["clusters/staging/apps.yaml", "apps/staging/route.yaml"].map(bootstrapped)).toEqual([true, true]);
  });

  it("an archive folder of Flux Kustomizations nothing delivers is known not applied, but for what a live one delivers there (auricom/home-ops 882542eaad)", () => {
    const applied = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      "apps/prod/web.yaml": fluxKustomization("./.archive/web").replace("name: apps", "name: web"),
      ".archive/old/ks.yaml": fluxKustomization("./apps/old").replace("name: apps", "name: old"),
    });
    const files = [".archive/old/gateway.yaml", ".archive/web/route.yaml", "elsewhere/route.yaml"];
    expect(files.map((file) => [applied(file), applied.archived(file)])).toEqual([
      [false, true],
      [true, false],
      [false, false],
    ]);
    // Without GitOps objects, every file is applied as written, archived or not.
    expect(appliedIn({ ".archive/old/ks.yaml": "# a manifest\n" }).archived(".archive/old/gateway.yaml")).toBe(false);
  });

  it("the policy's placements apply the files they place", () => {
    const applied = appliedIn({ "clusters/prod/apps.yaml": fluxKustomization("./apps/prod") }, { placements: ["clusters/{cluster}/**"] });
    expect(["clusters/prod/extra/route.yaml", "apps/old/route.yaml"].map(applied)).toEqual([true, false]);
  });

  it("a tree with no GitOps object, or one whose reach is not known, applies every file as written", () => {
    expect(appliedIn({ "apps/shop/kustomization.yaml": "resources: [a.yaml]\n" })("apps/old/route.yaml")).toBe(true);
    const unknown = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      "argocd/apps.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: apps, namespace: argocd}
spec:
  generators: [{scmProvider: {github: {organization: example}}}]
  template:
    metadata: {name: '{{repository}}'}
    spec:
      source: {repoURL: '{{url}}', path: 'deploy/{{repository}}'}
      destination: {server: https://kubernetes.default.svc, namespace: apps}
`,
    });
    expect(unknown("apps/old/route.yaml")).toBe(true);
    // A path its generators leave unfilled (a cluster Secret's annotation) may name any folder: its reach is not known either.
    const unfilled = appliedIn({
      "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      "argocd/bootstrap.yaml": bootstrapSet({ path: UNFILLED_PATH }),
    });
    expect(unfilled("apps/old/route.yaml")).toBe(true);
  });
});

const argoApplication = (sources: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: shop}
${sources}
`;

const SHOP_ROOT = { "apps/prod/kustomization.yaml": "resources: [services.yaml]\n", "apps/prod/services.yaml": MANIFEST };

describe("applied files, source by source: Argo CD renders each source and each generated Application on its own", () => {
  it("a second source reading a folder below the first's kustomization as a directory applies its files (review C3)", () => {
    const applied = appliedIn({
      ...SHOP_ROOT,
      "apps/prod/extra/route.yaml": MANIFEST,
      "apps/prod/stale.yaml": MANIFEST,
      "argocd/shop.yaml": argoApplication(`  sources:
  - {repoURL: https://github.com/acme/fleet, path: apps/prod}
  - {repoURL: https://github.com/acme/fleet, path: apps/prod/extra}`),
    });
    expect(["apps/prod/extra/route.yaml", "apps/prod/stale.yaml"].map(applied)).toEqual([true, false]);
    // Only what every source over it is known to build without is known not to be applied.
    expect(["apps/prod/extra/route.yaml", "apps/prod/stale.yaml"].map(applied.builtWithout)).toEqual([false, true]);
  });

  it("an ApplicationSet's generated Applications are sources of their own (review C5)", () => {
    const applied = appliedIn({
      "platform/kustomization.yaml": "resources: [services.yaml]\n",
      "platform/services.yaml": MANIFEST,
      "platform/routes/route.yaml": MANIFEST,
      "argocd/platform.yaml": `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: platform, namespace: argocd}
spec:
  generators:
  - list: {elements: [{name: infra, path: platform}, {name: routes, path: platform/routes}]}
  template:
    metadata: {name: '{{name}}'}
    spec:
      destination: {server: https://kubernetes.default.svc, namespace: shop}
      source: {repoURL: https://github.com/acme/fleet, path: '{{path}}'}
`,
    });
    expect(applied("platform/routes/route.yaml")).toBe(true);
  });

  it("a Component an Argo CD kustomize source adds is applied, inside its path or out of it (review C2, C6)", () => {
    const applied = appliedIn({
      ...SHOP_ROOT,
      "apps/prod/components/canary/kustomization.yaml": "kind: Component\nresources: [route.yaml]\n",
      "apps/prod/components/canary/route.yaml": MANIFEST,
      "apps/components/mirror/kustomization.yaml": "kind: Component\nresources: [route.yaml]\n",
      "apps/components/mirror/route.yaml": MANIFEST,
      "argocd/shop.yaml": argoApplication(`  source:
    repoURL: https://github.com/acme/fleet
    path: apps/prod
    kustomize: {components: [./components/canary, ../components/mirror]}`),
    });
    expect(["apps/prod/components/canary/route.yaml", "apps/components/mirror/route.yaml"].map(applied)).toEqual([true, true]);
  });

  it("is known not to apply a file only beside a kustomize build that does not read it: not under a plugin, a directory source or a chart", () => {
    const tree = (source: string, extra: Tree = {}) =>
      appliedIn({
        ...SHOP_ROOT,
        ...extra,
        "apps/prod/stale.yaml": MANIFEST,
        "argocd/shop.yaml": argoApplication(`  source: {repoURL: https://github.com/acme/fleet, path: apps/prod${source}}`),
      }).builtWithout("apps/prod/stale.yaml");
    expect(tree("")).toBe(true);
    expect(tree(", plugin: {name: envsubst}")).toBe(false);
    expect(tree(", directory: {recurse: true, exclude: stale.yaml}")).toBe(false);
    expect(tree("", { "apps/prod/Chart.yaml": "name: shop\n" })).toBe(false);
    // Flux builds its path's kustomization; one generated for a folder without one is not evidence.
    expect(
      appliedIn({
        ...SHOP_ROOT,
        "apps/prod/stale.yaml": MANIFEST,
        "clusters/prod/apps.yaml": fluxKustomization("./apps/prod"),
      }).builtWithout("apps/prod/stale.yaml"),
    ).toBe(true);
    expect(
      appliedIn({ "apps/prod/stale.yml.off": MANIFEST, "clusters/prod/apps.yaml": fluxKustomization("./apps/prod") }).builtWithout(
        "apps/prod/stale.yml.off",
      ),
    ).toBe(false);
  });
});

describe("files applied with their folder", () => {
  it("beside a kustomization, the files it accumulates (a Component's included); in a folder without one, every file", () => {
    const tree: Tree = {
      "mesh/kustomization.yaml": "resources: [mesh-mtls.yaml]\ncomponents: [parts]\n",
      "mesh/parts/kustomization.yaml": "kind: Component\nresources: [../extra.yaml]\n",
      "mesh/mesh-mtls.yaml": MANIFEST,
      "mesh/extra.yaml": MANIFEST,
      "mesh/vm-onboarding.yaml": MANIFEST,
      "demo/route.yaml": MANIFEST,
    };
    const files = Object.entries(tree).map(([path, text]) => ({ path, text }));
    const withFolder = listedWithFolder(kustomizationsOf(Object.keys(tree)), kustomizeReading(files).includedBy);
    expect(
      ["mesh/kustomization.yaml", "mesh/mesh-mtls.yaml", "mesh/extra.yaml", "mesh/vm-onboarding.yaml", "demo/route.yaml"].map(withFolder),
    ).toEqual([true, true, true, false, true]);
  });
});
