import { describeCorpus } from "../../helpers/corpus.js";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifests/load-manifests.js";
import { compileFilePlacement } from "../../../src/model/file-placement.js";
import { archivedOf, buildGitopsPlacement, deliveriesOf } from "../../../src/model/gitops-placement.js";
import { TopologySchema } from "../../../src/policy/policy-schema.js";
import { kustomizeReading } from "../../../src/render/kustomize-tree.js";
import { CORPUS } from "../../helpers/corpus.js";
import { fluxKustomization } from "../../helpers/flux-kustomization-yaml.js";
import { bootstrapSet } from "../../helpers/bootstrap-application-set.js";

type Tree = Record<string, string>;

const placementOf = (tree: Tree, topology: Record<string, unknown> = {}) => {
  const policy = TopologySchema.parse(topology);
  const clusterOfFile = compileFilePlacement(policy.placements);
  const files = Object.entries(tree).map(([file, text]) => ({ path: file, text }));
  const set = loadManifests(files, { scopeOf: clusterOfFile, includedBy: kustomizeReading(files).includedBy });
  return buildGitopsPlacement(set, policy, clusterOfFile);
};

const application = (name: string, source: string, destination: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}, namespace: argocd}
spec:
  project: default
  source: {repoURL: https://github.com/example/platform.git, ${source}}
  destination: {${destination}, namespace: shop}
`;

describe("Argo CD ApplicationSet: what the render makes of each generated Application's chart lands on that Application's cluster", () => {
  const placement = placementOf(
    {
      "argocd/appsets/web.yaml": `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: web, namespace: argocd}
spec:
  generators: [{list: {elements: [{cluster: prod-us, url: https://prod-us.example.com}, {cluster: prod-eu, url: https://prod-eu.example.com}]}}]
  template:
    metadata: {name: 'web-{{cluster}}'}
    spec:
      project: default
      source: {repoURL: https://github.com/example/gitops.git, path: charts/web, helm: {parameters: [{name: weight, value: '10'}]}}
      destination: {server: '{{url}}', namespace: web}
`,
    },
    {},
  );

  it.each([
    ["argocd/appsets/(rendered web-prod-us)/web.yaml", ["https://prod-us.example.com"]],
    ["argocd/appsets/(rendered web-prod-eu)/web.yaml", ["https://prod-eu.example.com"]],
    ["argocd/appsets/(rendered web-prod-ap)/web.yaml", []],
    ["charts/web/templates/route.yaml", ["https://prod-eu.example.com", "https://prod-us.example.com"]],
  ])("%s lands in %j", (file, clusters) => {
    expect(placement(file).clusters).toEqual(clusters);
  });
});

describe("Argo CD ApplicationSet: a source path its generators do not fill places no file", () => {
  const bootstrap = (path: string, generator = "clusters: {values: {addon: shop}}") => bootstrapSet({ path, generator });
  const tree = (path: string, generator?: string) => ({
    "argocd/bootstrap.yaml": bootstrap(path, generator),
    "argocd/shop.yaml": application("shop", "path: apps/shop", "name: jkt-prod"),
  });
  const ALL = "all Argo CD clusters";

  it.each([
    // Read as a glob, it placed every file of the tree on every cluster: each unchanged chart "re-placed".
    ["{{metadata.annotations.addons_repo_path}}", "apps/shop/route.yaml", ["jkt-prod"]],
    ["{{metadata.annotations.addons_repo_path}}", "argocd/(rendered shop)/shop.yaml", ["jkt-prod"]],
    ["apps/{{metadata.labels.env}}", "apps/shop/route.yaml", ["jkt-prod"]],
    // What its generators do fill is a path as written: a clusters generator's values, a list element.
    ["apps/{{values.addon}}", "apps/shop/route.yaml", [ALL, "jkt-prod"]],
  ])("%s: %s lands in %j", (path, file, clusters) => {
    expect(placementOf(tree(path))(file).clusters).toEqual(clusters);
  });

  it("a list element fills it: its cluster, as written", () => {
    const placed = placementOf(tree("apps/{{addon}}", "list: {elements: [{addon: shop, name: sgp-prod}]}"));
    expect(placed("apps/shop/route.yaml").clusters).toEqual(["jkt-prod", "sgp-prod"]);
  });

  it("the delivery says which paths are unfilled, and what their globs may read", () => {
    const unresolvedOf = (path: string) => {
      const files = Object.entries(tree(path)).map(([file, text]) => ({ path: file, text }));
      const set = loadManifests(files, { includedBy: kustomizeReading(files).includedBy });
      const [bootstrapSet] = [...set.resources.values()].filter((resource) => resource.id.kind === "ApplicationSet");
      return deliveriesOf(set, {})(bootstrapSet!)?.unresolved;
    };
    const whole = unresolvedOf("{{metadata.annotations.addons_repo_path}}");
    expect(whole?.paths).toEqual(["{{metadata.annotations.addons_repo_path}}"]);
    expect(["apps/shop/route.yaml", "route.yaml"].map((file) => whole?.mayRead(file))).toEqual([true, true]);
    // A placeholder may hold slashes (gitops-bridge's basepath `argocd/`), what its generator fills is as written.
    const prefixed = unresolvedOf("{{metadata.annotations.addons_repo_basepath}}charts/{{values.addon}}");
    expect(prefixed?.paths).toEqual(["{{metadata.annotations.addons_repo_basepath}}charts/{{values.addon}}"]);
    expect(
      ["argocd/charts/shop/Chart.yaml", "charts/shop/templates/route.yaml", "argocd/charts/other/Chart.yaml", "argocd/shop.yaml"].map(
        (file) => prefixed?.mayRead(file),
      ),
    ).toEqual([true, true, false, false]);
    expect(unresolvedOf("apps/{{values.addon}}")).toBeUndefined();
  });
});

describe("Argo CD Application: source path → destination", () => {
  const placement = placementOf(
    {
      "argocd/shop-jkt.yaml": application("shop-jkt", "path: ./apps/shop/overlays/jkt/", "name: jkt-prod"),
      "argocd/shop-local.yaml": application("shop-local", "path: apps/shop/overlays/local", "server: https://kubernetes.default.svc"),
      "argocd/shop-sgp.yaml": application("shop-sgp", "path: apps/shop/overlays/sgp", "server: https://sgp.k8s.example.com"),
      // A kustomization's folder is read by kustomize, below it too: Argo CD's directory rules are not its.
      "apps/shop/overlays/sgp/kustomization.yaml": "resources: [deep/route.yaml]\n",
      "argocd/shared.yaml": `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shared, namespace: argocd}
spec:
  sources:
  - {repoURL: https://charts.example.com, chart: ingress, targetRevision: 1.2.0}
  - {repoURL: https://github.com/example/platform.git, path: apps/shared}
  destination: {name: jkt-prod, namespace: shared}
`,
    },
    { clusters: { "jkt-prod": "asia-southeast2" } },
  );

  it.each([
    ["apps/shop/overlays/jkt/route.yaml", ["jkt-prod"], ["asia-southeast2"]],
    // The cluster Argo CD runs in is where the Application is applied: a cluster the tree does not name.
    ["apps/shop/overlays/local/route.yaml", [], []],
    ["apps/shop/overlays/sgp/deep/route.yaml", ["https://sgp.k8s.example.com"], []],
    ["apps/shared/gateway.yaml", ["jkt-prod"], ["asia-southeast2"]],
    ["apps/shop/overlays/jkt-old/route.yaml", [], []],
    ["apps/shop/base/route.yaml", [], []],
    // What its helm sources render sits beside the Application: it lands where the Application delivers.
    ["argocd/(rendered shared#1)/shared.yaml", ["jkt-prod"], ["asia-southeast2"]],
    ["argocd/(rendered shared-other)/shared.yaml", [], []],
  ])("%s lands in %j", (file, clusters, regions) => {
    expect(placement(file)).toMatchObject({ clusters, regions });
  });
});

describe("a Flux root whose path holds its own file", () => {
  const root = (name: string) => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {path: ./clusters/${name}, sourceRef: {kind: GitRepository, name: flux-system}}
`;
  const tree = { "clusters/prod/flux-system/gotk-sync.yaml": root("prod"), "clusters/staging/flux-system/gotk-sync.yaml": root("staging") };

  it("is applied where the policy places its file, and on a site of its own only where nothing does", () => {
    const placed = placementOf(tree, { clusters: { prod: "eu" }, placements: ["clusters/{cluster}/**"] });
    expect(placed("clusters/prod/apps.yaml").sites).toEqual(["prod"]);
    expect(placed("clusters/staging/apps.yaml").sites).toEqual(["staging"]);
    expect(placementOf(tree)("clusters/prod/apps.yaml").sites).toEqual([
      "where kustomize.toolkit.fluxcd.io/Kustomization/flux-system/flux-system@clusters/prod/flux-system/gotk-sync.yaml is applied",
    ]);
  });
});

describe("Argo CD in-cluster destination: where the Application is applied", () => {
  const local = (path: string) => application("web", `path: ${path}`, "server: https://kubernetes.default.svc");
  const tree = {
    "clusters/prod/apps/web.yaml": local("clusters/prod/web"),
    "clusters/staging/apps/web.yaml": local("clusters/staging/web"),
    "argocd/shop.yaml": application("shop", "path: apps/shop", "name: in-cluster"),
  };

  it("Applications of one identity in two files run in two Argo CDs: their paths land on two clusters; another identity's beside one of them", () => {
    const placement = placementOf(tree);
    const [prod, staging, shop] = ["clusters/prod/web/route.yaml", "clusters/staging/web/route.yaml", "apps/shop/route.yaml"].map(
      (file) => placement(file).sites,
    );
    expect(prod).toEqual(["where Argo CD runs (clusters/prod/apps/web.yaml)"]);
    expect(staging).toEqual(["where Argo CD runs (clusters/staging/apps/web.yaml)"]);
    expect(shop).toEqual(["where Argo CD runs"]);
  });

  it("where the policy places the Application's file, there; where it names in-cluster, that cluster", () => {
    const placed = placementOf(tree, { clusters: { prod: "eu" }, placements: ["clusters/{cluster}/**"] });
    expect(placed("clusters/prod/web/route.yaml")).toMatchObject({ clusters: ["prod"], regions: ["eu"] });
    const named = placementOf(tree, { clusters: { "in-cluster": "eu" } });
    expect(named("clusters/staging/web/route.yaml")).toMatchObject({ clusters: ["in-cluster"], regions: ["eu"], sites: ["in-cluster"] });
  });
});

describe("Argo CD directory sources: the folder's own files, unless recurse; include and exclude globs (D99, D100)", () => {
  const tree = (directory: string) => ({
    "argocd/shop.yaml": application("shop", `path: apps/prod${directory}`, "name: prod-eu"),
    "apps/prod/gateway.yaml": "# a manifest\n",
  });
  it.each([
    ["", "apps/prod/bar.yaml", ["prod-eu"]],
    ["", "apps/prod/routes/bar.yaml", []],
    [", directory: {recurse: true}", "apps/prod/routes/bar.yaml", ["prod-eu"]],
    [", directory: {include: '*.yaml'}", "apps/prod/bar.yml", []],
    [", directory: {include: '*.yaml'}", "apps/prod/bar.yaml", ["prod-eu"]],
    // Argo CD's glob lets `*` cross folders.
    [", directory: {recurse: true, include: '*.yaml'}", "apps/prod/routes/bar.yaml", ["prod-eu"]],
    [", directory: {recurse: true, exclude: '{old/*,*.json}'}", "apps/prod/old/bar.yaml", []],
    [", directory: {recurse: true, exclude: '{old/*,*.json}'}", "apps/prod/bar.json", []],
    [", directory: {recurse: true, exclude: '{old/*,*.json}'}", "apps/prod/new/bar.yaml", ["prod-eu"]],
    // A kustomize or Helm source is its tool's to read, however deep.
    [", kustomize: {namePrefix: eu-}", "apps/prod/routes/bar.yaml", ["prod-eu"]],
  ])("source%s: %s lands in %j", (directory, file, clusters) => {
    expect(placementOf(tree(directory))(file).clusters).toEqual(clusters);
  });

  it("a folder holding a kustomization, or its render, is kustomize's, not a directory source", () => {
    for (const marker of ["apps/prod/kustomization.yaml", "apps/prod/(rendered)/kustomization.yaml"])
      expect(placementOf({ ...tree(""), [marker]: "resources: []\n" })("apps/prod/routes/bar.yaml").clusters).toEqual(["prod-eu"]);
  });
});

describe("Argo CD ApplicationSet generators", () => {
  const appSet = (generators: string, template: string, goTemplate = false) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: shop, namespace: argocd}
spec:
  goTemplate: ${goTemplate}
  generators:
${generators}
  template:
    metadata: {name: 'shop-x'}
    spec:
      project: default
${template}
`;

  it("list generator: each element's values fill the path and the destination", () => {
    const placement = placementOf(
      {
        "argocd/appset.yaml": appSet(
          "  - list:\n      elements:\n      - {cluster: jkt-prod, region: jkt}\n      - {cluster: sgp-prod, region: sgp}",
          "      source: {repoURL: x, path: 'apps/shop/{{region}}'}\n      destination: {name: '{{cluster}}', namespace: shop}",
        ),
      },
      { clusters: { "jkt-prod": "asia-southeast2", "sgp-prod": "asia-southeast1" } },
    );
    expect(placement("apps/shop/jkt/route.yaml")).toMatchObject({ clusters: ["jkt-prod"], regions: ["asia-southeast2"] });
    expect(placement("apps/shop/sgp/route.yaml")).toMatchObject({ clusters: ["sgp-prod"], regions: ["asia-southeast1"] });
  });

  it("list generator with goTemplate placeholders and nested values; one path for every cluster", () => {
    const placement = placementOf({
      "argocd/appset.yaml": appSet(
        "  - list:\n      elements:\n      - {name: jkt-prod, values: {tier: gold}}\n      - {name: sgp-prod, values: {tier: gold}}",
        "      source: {repoURL: x, path: 'apps/{{ .values.tier }}'}\n      destination: {name: '{{.name}}', namespace: shop}",
        true,
      ),
    });
    expect(placement("apps/gold/route.yaml").clusters).toEqual(["jkt-prod", "sgp-prod"]);
  });

  it("cluster generator: one symbolic label for the clusters matching the selector (cluster Secrets are not in the repository)", () => {
    const placement = placementOf({
      "argocd/appset.yaml": appSet(
        "  - clusters:\n      selector: {matchLabels: {env: prod}}",
        "      source: {repoURL: x, path: apps/shop}\n      destination: {server: '{{server}}', namespace: shop}",
      ),
    });
    expect(placement("apps/shop/route.yaml").clusters).toEqual(["all Argo CD clusters matching env=prod"]);
  });

  it("git directory generator × list in a matrix: the directory holding the file names the cluster", () => {
    const placement = placementOf({
      "argocd/appset.yaml": appSet(
        "  - matrix:\n      generators:\n      - git: {repoURL: x, revision: HEAD, directories: [{path: 'clusters/*'}, {path: clusters/legacy, exclude: true}]}\n      - list: {elements: [{team: shop}]}",
        "      source: {repoURL: x, path: '{{path}}/{{team}}'}\n      destination: {name: '{{path.basename}}', namespace: shop}",
      ),
      "clusters/sgp-prod/shop/kustomization.yaml": "resources: [deep/route.yaml]\n",
    });
    expect(placement("clusters/jkt-prod/shop/route.yaml").clusters).toEqual(["jkt-prod"]);
    expect(placement("clusters/sgp-prod/shop/deep/route.yaml").clusters).toEqual(["sgp-prod"]);
    expect(placement("clusters/legacy/shop/route.yaml").clusters).toEqual([]);
    expect(placement("clusters/jkt-prod/billing/route.yaml").clusters).toEqual([]);
  });
});

describe("Flux Kustomization: where its own file lands, or its kubeConfig's cluster", () => {
  const topology = {
    placements: ["clusters/{cluster}/**"],
    clusters: { production: "eu-west-1", staging: "eu-central-1", "dr-site": "us-east-1" },
  };
  const placement = placementOf(
    {
      "clusters/production/infrastructure.yaml": fluxKustomization("infrastructure", "./infrastructure/production"),
      "clusters/staging/infrastructure.yaml": fluxKustomization("infrastructure", "./infrastructure/staging"),
      // A chain: the infrastructure overlay holds a further Kustomization for the apps.
      "infrastructure/production/apps.yaml": fluxKustomization("apps", "./apps/production"),
      "clusters/production/dr.yaml": fluxKustomization("dr", "./apps/dr", "  kubeConfig: {secretRef: {name: dr-site-kubeconfig}}"),
      "clusters/production/flux-system/gotk-sync.yaml": fluxKustomization("flux-system", "./clusters/production"),
    },
    topology,
  );

  it.each([
    ["clusters/production/gateway.yaml", ["production"], ["eu-west-1"]],
    ["infrastructure/production/gateway.yaml", ["production"], ["eu-west-1"]],
    ["infrastructure/staging/gateway.yaml", ["staging"], ["eu-central-1"]],
    ["apps/production/route.yaml", ["production"], ["eu-west-1"]],
    ["apps/dr/route.yaml", ["dr-site"], ["us-east-1"]],
    ["apps/staging/route.yaml", [], []],
  ])("%s lands in %j", (file, clusters, regions) => {
    expect(placement(file)).toMatchObject({ clusters, regions });
  });

  it("one cluster's own build of an overlay several Kustomizations build lands on that cluster alone", () => {
    const shared = placementOf(
      {
        "clusters/production/apps.yaml": fluxKustomization("apps", "./apps/shared"),
        "clusters/staging/apps.yaml": fluxKustomization("apps", "./apps/shared"),
      },
      topology,
    );
    expect(shared("apps/shared/(rendered)/kustomization.yaml").clusters).toEqual(["production", "staging"]);
    expect(shared("apps/shared/(rendered for flux-system:apps in clusters:staging:apps.yaml)/kustomization.yaml").clusters).toEqual([
      "staging",
    ]);
  });

  it("a kubeConfig Secret the policy does not name is a cluster of its own, named by its namespace and name", () => {
    const remote = placementOf({ "fleet/remote.yaml": fluxKustomization("remote", "./apps", "  kubeConfig: {secretRef: {name: edge-7}}") });
    expect(remote("apps/route.yaml").clusters).toEqual(["flux-system/edge-7"]);
  });

  it("a cycle of Kustomizations holding each other's files ends", () => {
    const cyclic = placementOf(
      {
        "clusters/production/a.yaml": fluxKustomization("a", "./loop"),
        "loop/b.yaml": fluxKustomization("b", "./clusters/production"),
      },
      topology,
    );
    expect(cyclic("loop/route.yaml").clusters).toEqual(["production"]);
  });

  it("Kustomizations that deliver each other land together where anything outside them places one, and nowhere else", () => {
    const cyclic = placementOf(
      {
        "clusters/production/a.yaml": fluxKustomization("a", "./loop/b"),
        "loop/b/b.yaml": fluxKustomization("b", "./loop/c"),
        "loop/c/c.yaml": fluxKustomization("c", "./loop/b"),
      },
      topology,
    );
    for (const file of ["loop/b/b.yaml", "loop/c/c.yaml", "loop/c/route.yaml"]) expect(cyclic(file).sites).toEqual(["production"]);
  });

  it("where nothing outside places them, on the sites of their own", () => {
    const cyclic = placementOf({
      "loop/b/b.yaml": fluxKustomization("b", "./loop/c"),
      "loop/c/c.yaml": fluxKustomization("c", "./loop/b"),
    });
    expect(cyclic("loop/b/route.yaml").sites).toEqual(cyclic("loop/c/route.yaml").sites);
    expect(cyclic("loop/b/route.yaml").sites).toHaveLength(2);
    expect(cyclic("loop/b/route.yaml").clusters).toEqual([]);
  });

  it("a tree whose files many paths reach is placed once a file (carpenike/k8s-gitops 04c9f16f57 never finished)", () => {
    // Every Kustomization delivers the whole of ./apps, every other one's folder included: 30! paths.
    const tree: Tree = { "clusters/production/root.yaml": fluxKustomization("root", "./apps") };
    for (let n = 0; n < 30; n++) tree[`apps/k${n}/ks.yaml`] = fluxKustomization(`k${n}`, "./apps");
    tree["apps/k0/route.yaml"] = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n";
    const placement = placementOf(tree, topology);
    expect(placement("apps/k0/route.yaml").clusters).toEqual(["production"]);
    expect(placement("apps/k29/ks.yaml").sites).toEqual(["production"]);
  });
});

describe("Flux Kustomizations of another repository's GitRepository deliver none of this tree (onedr0p/cluster-template 2b09fbca)", () => {
  const topology = { placements: ["clusters/{cluster}/**"], clusters: { production: "eu-west-1" } };
  const gitRepository = (name: string, url: string, ref = "branch: main") =>
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {url: "${url}", ref: {${ref}}}\n`;
  const fromSource = (name: string, source: string, path?: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: ${source}}\n${path === undefined ? "" : `  path: ${path}\n`}`;
  const crds = (url: string, sync = gitRepository("flux-cluster", "ssh://git@github.com/example/home-cluster")) => ({
    "clusters/production/flux.yaml": `${sync}---\n${fromSource("apps", "flux-cluster", "./apps")}`,
    "apps/crds.yaml": `${gitRepository("metallb-source", url, "tag: v0.13.5")}---\n${fromSource("crds-metallb", "metallb-source")}`,
    "apps/route.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n",
    "other/route.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: other}\n",
  });

  it("an upstream repository's CRDs, with no path, are not this whole tree", () => {
    const placement = placementOf(crds("https://github.com/metallb/metallb.git"), topology);
    expect(placement("apps/route.yaml").clusters).toEqual(["production"]);
    expect(placement("other/route.yaml").clusters).toEqual([]);
  });

  it("a GitRepository of this repository, another branch or spelling of its URL, still delivers from this tree", () => {
    const placement = placementOf(crds("https://github.com/example/home-cluster.git"), topology);
    expect(placement("other/route.yaml").clusters).toEqual(["production"]);
  });

  it("nor does one that looks its source up where the tree defines none: it reads the one the tree defines of that name (carpenike/k8s-gitops de9751ec)", () => {
    const tree = crds("https://github.com/metallb/metallb.git");
    const placed = (metadata: string) =>
      placementOf(
        { ...tree, "apps/crds.yaml": tree["apps/crds.yaml"]!.replace("name: crds-metallb, namespace: flux-system", metadata) },
        topology,
      );
    // Moved to kube-system, Flux finds no source there: it applies nothing, and none of this tree.
    expect(placed("name: crds-metallb, namespace: kube-system")("other/route.yaml").clusters).toEqual([]);
    // Its namespace unwritten (the render plan reads files before any Kustomization places them).
    expect(placed("name: crds-metallb")("other/route.yaml").clusters).toEqual([]);
  });

  it("one that looks this repository's source up in the wrong namespace still reads its path of this tree: what Flux applied stays where it was", () => {
    const tree = crds("https://github.com/metallb/metallb.git");
    const moved = {
      ...tree,
      "clusters/production/flux.yaml": tree["clusters/production/flux.yaml"]!.replace(
        "name: apps, namespace: flux-system",
        "name: apps, namespace: home",
      ),
    };
    const placement = placementOf(moved, topology);
    expect(placement("apps/route.yaml").clusters).toEqual(["production"]);
    // Still known for this repository's, its URL keeps the upstream source foreign.
    expect(placement("other/route.yaml").clusters).toEqual([]);
  });

  it("a source the tree never defines is this repository's, as `flux bootstrap` creates flux-system out of the tree", () => {
    const tree = crds("https://github.com/metallb/metallb.git");
    const placement = placementOf(
      { ...tree, "apps/crds.yaml": fromSource("crds-metallb", "flux-system").replace("namespace: flux-system", "namespace: home") },
      topology,
    );
    expect(placement("other/route.yaml").clusters).toEqual(["production"]);
  });

  describe("a path this tree holds does not make another repository's source this one (a sourceRef moved to team-reviews, its path kept)", () => {
    const root = (source: string, url: string, path = "./clusters/production") =>
      `${gitRepository(source, url)}---\n${fromSource("cluster", source, path)}`;
    const moved = (sync: string, url: string) => ({
      "clusters/production/flux-system/gotk-sync.yaml": sync,
      "clusters/production/apps.yaml": `${gitRepository("team-reviews", url)}---\n${fromSource("apps", "team-reviews", "./apps")}`,
      "apps/route.yaml": crds("")["apps/route.yaml"],
    });
    const landsIn = (tree: Tree) => placementOf(tree, topology)("apps/route.yaml").clusters;
    const other = "https://github.com/example/reviews-config";

    it("flux-system's URL says which repository this is, and another URL is another repository's", () => {
      expect(landsIn(moved(root("flux-system", "ssh://git@github.com/example/home-cluster"), other))).toEqual([]);
      // A repository whose name merely starts alike is another.
      expect(
        landsIn(moved(root("flux-system", "ssh://git@github.com/example/home-cluster"), "https://github.com/example/home-cluster-old")),
      ).toEqual([]);
    });

    it.each([
      ["ssh with .git", "ssh://git@github.com/example/home-cluster.git"],
      ["https", "https://github.com/example/home-cluster"],
      ["https with .git", "https://github.com/example/home-cluster.git"],
      ["scp-like", "git@github.com:example/home-cluster"],
    ])("this repository's URL spelled otherwise (%s) is still this repository: the path is delivered", (_, spelled) => {
      expect(landsIn(moved(root("flux-system", "ssh://git@github.com/example/home-cluster"), spelled))).toEqual(["production"]);
    });

    it("without flux-system, the source of a root (a Kustomization whose path holds its own file) says it (carpenike/k8s-gitops' k8s-gitops-kubernetes)", () => {
      const sync = root("k8s-gitops-kubernetes", "https://github.com/example/home-cluster.git");
      expect(landsIn(moved(sync, other))).toEqual([]);
      expect(landsIn(moved(sync, "git@github.com:example/home-cluster"))).toEqual(["production"]);
    });

    it("a root does not override flux-system's URL: flux-system's own Kustomization moved to another repository delivers none of this tree", () => {
      const tree = {
        "clusters/production/flux-system/gotk-sync.yaml": `${gitRepository("flux-system", "ssh://git@github.com/example/home-cluster")}---\n${gitRepository("team-reviews", other)}---\n${fromSource("flux-system", "team-reviews", "./clusters/production")}`,
      };
      const sources = Object.entries(tree).map(([path, text]) => ({ path, text }));
      const set = loadManifests(sources);
      const root = [...set.resources.values()].find((resource) => resource.id.kind === "Kustomization")!;
      expect(deliveriesOf(set, {})(root)).toBeUndefined();
    });

    it("where no source known to be this repository has a literal URL (bootstrap's ${GIT_REPOSITORY_URL}, or none in the tree), the path is the only evidence: delivered, as before", () => {
      expect(landsIn(moved(root("flux-system", "${GIT_REPOSITORY_URL}"), other))).toEqual(["production"]);
      expect(landsIn(moved("", other))).toEqual(["production"]);
    });
  });

  it("this repository is the one named flux-system too, and none is foreign where nothing says which is this one", () => {
    const upstream = `${gitRepository("metallb-source", "https://github.com/metallb/metallb.git", "tag: v0.13.5")}---\n${fromSource("crds-metallb", "metallb-source")}`;
    const tree = (sync: string) => ({
      "clusters/production/sync.yaml": gitRepository(sync, "https://github.com/example/home-cluster"),
      "clusters/production/crds.yaml": upstream,
      "other/route.yaml": crds("")["other/route.yaml"],
    });
    expect(placementOf(tree("flux-system"), topology)("other/route.yaml").clusters).toEqual([]);
    // No flux-system, no Kustomization reading a path of this tree: the upstream source may be this repository.
    expect(placementOf(tree("flux-cluster"), topology)("other/route.yaml").clusters).toEqual(["production"]);
  });
});

describe("a Flux Kustomization kept in an archive folder delivers nothing (drag0n141/home-ops 9031f1810d, auricom/home-ops 882542eaad)", () => {
  const app = (name: string, path: string) => fluxKustomization(name, path).replace("namespace: flux-system", "namespace: home");
  const tree = (copy: Tree): Tree => ({
    "kubernetes/flux/cluster/ks.yaml": fluxKustomization("cluster-apps", "./kubernetes/apps"),
    "kubernetes/apps/home/home-assistant/ks.yaml": app("home-assistant", "./kubernetes/apps/home/home-assistant/app"),
    "kubernetes/apps/home/home-assistant/app/route.yaml":
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n",
    ...copy,
  });
  const setOf = (files: Tree) => {
    const sources = Object.entries(files).map(([file, text]) => ({ path: file, text }));
    return { ...loadManifests(sources, { includedBy: kustomizeReading(sources).includedBy }), files: Object.keys(files) };
  };
  const delivers = (files: Tree) => {
    const set = setOf(files);
    const deliveryOf = deliveriesOf(set, {});
    return Object.fromEntries([...set.resources.values()].map((resource) => [resource.source.file, deliveryOf(resource) !== undefined]));
  };
  const route = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: old}\n";

  it("one under .archive/ of the namespace, name and path of a Kustomization the root delivers is no one's to apply", () => {
    const archived = ".archive/kubernetes/apps/home/home-assistant/ks.yaml";
    expect(delivers(tree({ [archived]: app("home-assistant", "./kubernetes/apps/home/home-assistant/app") }))).toEqual({
      "kubernetes/flux/cluster/ks.yaml": true,
      "kubernetes/apps/home/home-assistant/ks.yaml": true,
      [archived]: false,
    });
  });

  it("one applied by hand beside the hierarchy — another path, another name, or in a tree where none delivers another — still delivers", () => {
    const byHand = "clusters/staging/ks.yaml";
    expect(delivers(tree({ [byHand]: app("home-assistant", "./kubernetes/apps/home/home-assistant/staging") }))[byHand]).toBe(true);
    expect(delivers(tree({ [byHand]: app("home-assistant-staging", "./kubernetes/apps/home/home-assistant/app") }))[byHand]).toBe(true);
    const flat = {
      "clusters/production/apps.yaml": fluxKustomization("apps", "./apps/shared"),
      "clusters/staging/apps.yaml": fluxKustomization("apps", "./apps/shared"),
    };
    expect(Object.values(delivers(flat))).toEqual([true, true]);
  });

  it("one of the same namespace, name and path outside an archive folder is another cluster's, and delivers", () => {
    // staging bootstrapped by a Flux Operator FluxInstance (or from another repository) applies its own copy
    const live = app("home-assistant", "./kubernetes/apps/home/home-assistant/app");
    expect(delivers(tree({ "clusters/staging/ks.yaml": live }))["clusters/staging/ks.yaml"]).toBe(true);
    expect(
      delivers(tree({ "kubernetes/apps/home/home-assistant/staging/ks.yaml": live }))[
        "kubernetes/apps/home/home-assistant/staging/ks.yaml"
      ],
    ).toBe(true);
    expect(delivers(tree({ ".archive/clusters/staging/ks.yaml": live }))[".archive/clusters/staging/ks.yaml"]).toBe(true);
    const instance =
      "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata: {name: flux, namespace: flux-system}\nspec: {sync: {kind: GitRepository, path: clusters/staging}}\n";
    const besideARoot = delivers(tree({ ".old/staging/ks.yaml": live, ".old/staging/instance.yaml": instance }));
    expect(besideARoot[".old/staging/ks.yaml"]).toBe(true);
    expect(delivers(tree({ "deprecated/ks.yaml": live }))["deprecated/ks.yaml"]).toBe(false);
  });

  it("one that copies no live one delivers nothing either: an old app's, naming a folder long gone or one in the archive", () => {
    const gone = ".archive/kubernetes/babybuddy/ks.yaml";
    const inside = ".archive/web/ks.yaml";
    const found = delivers(
      tree({
        [gone]: app("babybuddy", "./kubernetes/apps/default/babybuddy/app"),
        [inside]: app("web", "./.archive/web/app"),
        ".archive/web/app/route.yaml": route,
      }),
    );
    expect([found[gone], found[inside]]).toEqual([false, false]);
    // In a tree where nothing delivers another (each Kustomization applied by hand), too.
    expect(delivers({ "flux/apps.yaml": fluxKustomization("apps", "./apps"), [inside]: app("web", "./.archive/web/app") })[inside]).toBe(
      false,
    );
  });

  it("one a live Kustomization delivers still delivers, wherever it is kept; so does a root delivering Kustomizations outside the archive", () => {
    const listed = delivers(
      tree({
        "kubernetes/apps/kustomization.yaml": "resources: [../../.archive/web/ks.yaml]\n",
        ".archive/web/ks.yaml": app("web", "./.archive/web/app"),
      }),
    );
    expect(listed[".archive/web/ks.yaml"]).toBe(true);
    const root = ".old/flux/cluster.yaml";
    expect(delivers({ [root]: fluxKustomization("cluster-apps", "./apps"), "apps/web.yaml": app("web", "./apps/web") })[root]).toBe(true);
  });

  it("an archived root delivering only archived Kustomizations is kept with them", () => {
    const found = delivers(
      tree({
        ".archive/flux/cluster.yaml": fluxKustomization("cluster-old", "./.archive/apps"),
        ".archive/apps/web.yaml": app("web", "./.archive/apps/web"),
      }),
    );
    expect([found[".archive/flux/cluster.yaml"], found[".archive/apps/web.yaml"]]).toEqual([false, false]);
  });

  describe("the files kept with them", () => {
    const holds = (files: Tree) => archivedOf(setOf(files), {});
    const archive = {
      ".archive/kubernetes/babybuddy/ks.yaml": app("babybuddy", "./kubernetes/apps/default/babybuddy/app"),
      ".archive/kubernetes/babybuddy/app/helmrelease.yaml": "# a release\n",
      ".archive/kubernetes/cilium/gateway/external.yaml": "# a Gateway\n",
    };

    it("every file of an archive folder holding such a Kustomization that no other GitOps object reads", () => {
      const held = holds(tree(archive));
      expect(Object.keys(archive).map(held)).toEqual([true, true, true]);
      expect(held("kubernetes/apps/home/home-assistant/app/route.yaml")).toBe(false);
    });

    it("not one a live Kustomization delivers, nor one below a cluster's root kept in the archive, nor an archive folder holding no such Kustomization", () => {
      const delivered = holds(
        tree({
          ...archive,
          "kubernetes/apps/web/ks.yaml": app("web", "./.archive/kubernetes/web/app"),
          "kubernetes/apps/kustomization.yaml": "resources: [web/ks.yaml]\n",
        }),
      );
      expect(delivered(".archive/kubernetes/web/app/route.yaml")).toBe(false);
      expect(delivered(".archive/kubernetes/cilium/gateway/external.yaml")).toBe(true);
      const instance =
        "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata: {name: flux, namespace: flux-system}\nspec: {sync: {kind: GitRepository, path: .archive/staging}}\n";
      const synced = holds(tree({ ...archive, ".archive/staging/instance.yaml": instance }));
      expect(synced(".archive/staging/apps/route.yaml")).toBe(false);
      expect(synced(".archive/kubernetes/cilium/gateway/external.yaml")).toBe(true);
      // A dot folder of templates a task applies by hand is no archive of GitOps objects.
      expect(holds(tree({ ".taskfiles/volsync/templates/route.yaml": route }))(".taskfiles/volsync/templates/route.yaml")).toBe(false);
    });
  });
});

describe("kustomize bases: a file lands wherever the kustomizations that accumulate it land", () => {
  const topology = { placements: ["clusters/{cluster}/**"], clusters: { jkt: "jkt", sgp: "sgp" } };
  const tree = {
    "clusters/jkt/kustomization.yaml": "resources: [../../apps/overlays/shared]\n",
    "clusters/sgp/kustomization.yaml": "resources: [../../apps/overlays/shared, ../../apps/base/extra.yaml]\n",
    "apps/overlays/shared/kustomization.yaml": "resources: [../../base/api]\ncomponents: [../../components/tls]\n",
    "apps/base/api/kustomization.yaml": "resources: [route.yaml]\n",
    "apps/components/tls/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cert.yaml]\n",
    ...Object.fromEntries(
      ["apps/base/api/route.yaml", "apps/components/tls/cert.yaml", "apps/base/extra.yaml", "apps/base/unlisted.yaml"].map((file) => [
        file,
        "# a manifest\n",
      ]),
    ),
  };

  it.each([
    ["apps/base/api/route.yaml", ["jkt", "sgp"]],
    ["apps/components/tls/cert.yaml", ["jkt", "sgp"]],
    ["apps/base/extra.yaml", ["sgp"]],
    ["apps/base/unlisted.yaml", []],
  ])("%s lands in %j, through the cluster overlays' bases", (file, clusters) => {
    expect(placementOf(tree, topology)(file).clusters).toEqual(clusters);
  });

  it("so does a base an Argo CD Application's path reaches, and a cycle of kustomizations ends", () => {
    const placement = placementOf({
      "argocd/shop.yaml": application("shop", "path: overlays/prod", "name: prod-eu"),
      "overlays/prod/kustomization.yaml": "resources: [../../base]\n",
      "base/kustomization.yaml": "resources: [route.yaml, ../overlays/prod]\n",
      "base/route.yaml": "# a manifest\n",
    });
    expect(placement("base/route.yaml").clusters).toEqual(["prod-eu"]);
  });
});

describe("Flux sources pushed as OCI artifacts: paths start where the artifact was pushed from", () => {
  // xunholy/k8s-gitops: CI pushes kubernetes/ as the OCIRepository flux-system; Kustomizations read
  // ./clusters/cluster-00 from it, and an ArtifactGenerator copies @repo/apps/base/<app>/app/ out of it.
  const topology = { placements: ["kubernetes/clusters/{cluster}/**"], clusters: { "cluster-00": "eu-west-1" } };
  const fromOci = (name: string, path: string, source = "OCIRepository") =>
    fluxKustomization(name, path).replace("{kind: GitRepository, name: flux-system}", `{kind: ${source}, name: ${name}}`);
  const generator = `
apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata: {name: k8s-gitops, namespace: flux-system}
spec:
  sources: [{alias: repo, kind: OCIRepository, name: flux-system}]
  artifacts:
  - name: web
    copy: [{from: "@repo/apps/base/web/app/", to: "@artifact/apps/base/web/app/"}]
`;
  const placement = placementOf(
    {
      "kubernetes/clusters/cluster-00/sync.yaml": fromOci("flux-system", "./clusters/cluster-00"),
      "kubernetes/clusters/cluster-00/apps.yaml": fromOci("web", "./apps/base/web/app", "ExternalArtifact"),
      "kubernetes/clusters/cluster-00/generator.yaml": generator,
      "kubernetes/apps/base/web/app/route.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: web}\n",
      "kubernetes/apps/base/other/app/route.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: other}\n",
      // Another repository's artifact: nothing of this tree is under its path.
      "kubernetes/clusters/cluster-00/vendor.yaml": fromOci("vendor", "./deploy/manifests"),
    },
    topology,
  );

  it.each([
    ["kubernetes/apps/base/web/app/route.yaml", ["cluster-00"]],
    ["kubernetes/apps/base/other/app/route.yaml", []],
    ["deploy/manifests/route.yaml", []],
  ])("%s lands in %j", (file, clusters) => {
    expect(placement(file).clusters).toEqual(clusters);
  });
});

const fluxExample = path.join(CORPUS, "fluxcd__flux2-kustomize-helm-example");

describeCorpus("corpus: fluxcd/flux2-kustomize-helm-example (ExternalArtifact from an ArtifactGenerator)", () => {
  const tree: Tree = {};
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".yaml")) tree[path.relative(fluxExample, full)] = readFileSync(full, "utf8");
    }
  };
  walk(fluxExample);
  const placement = placementOf(tree, {
    placements: ["clusters/{cluster}/**"],
    clusters: { production: "eu-west-1", staging: "eu-central-1" },
  });

  it.each([
    // apps/<env> is copied to the artifact's <env>/, which the cluster's `apps` Kustomization applies.
    ["apps/production/podinfo-values.yaml", ["production"]],
    ["apps/staging/podinfo-values.yaml", ["staging"]],
    // infrastructure/** is copied to the artifact root; both clusters apply ./controllers and ./configs.
    ["infrastructure/configs/cluster-issuers.yaml", ["production", "staging"]],
    ["infrastructure/controllers/cert-manager.yaml", ["production", "staging"]],
    // The overlays include ../base through kustomization.yaml, which placement does not follow.
    ["apps/base/podinfo/release.yaml", []],
    ["clusters/staging/apps.yaml", ["staging"]],
  ])("%s lands in %j", (file, clusters) => {
    expect(placement(file).clusters).toEqual(clusters);
  });
});

describe("Flux hub and spoke: each spoke's kubeConfig, in its own namespace, is a cluster of its own", () => {
  // fluxcd/flux2-hub-spoke-example: the hub keeps one namespace per spoke, each with a Secret `cluster-kubeconfig`.
  const spoke = (cluster: string, kubeConfig: string, patch = "") => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: ${cluster}}
spec:
  path: ./clusters/${cluster}/apps
  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  targetNamespace: ${cluster}
${kubeConfig ? `  kubeConfig: {${kubeConfig}}\n` : ""}${patch}`;
  const hub = (kubeConfig: string) => ({
    "hub/production.yaml": spoke("production", kubeConfig),
    "hub/staging.yaml": spoke("staging", kubeConfig),
  });

  it.each([
    ["secretRef", "secretRef: {name: cluster-kubeconfig}", "cluster-kubeconfig"],
    ["configMapRef", "configMapRef: {name: spoke}", "spoke"],
  ])("one Secret or ConfigMap name in two namespaces (%s) is two clusters, never one", (_, kubeConfig, name) => {
    const placement = placementOf(hub(kubeConfig));
    expect(placement("clusters/production/apps/route.yaml").clusters).toEqual([`production/${name}`]);
    expect(placement("clusters/staging/apps/route.yaml").clusters).toEqual([`staging/${name}`]);
  });

  it("the policy's clusters name them: by the Secret's name, with or without -kubeconfig, else by the namespace", () => {
    const clusters = { production: "eu", staging: "us", "edge-7": "ap" };
    const byNamespace = placementOf(hub("secretRef: {name: cluster-kubeconfig}"), { clusters });
    expect(byNamespace("clusters/production/apps/route.yaml").clusters).toEqual(["production"]);
    expect(byNamespace("clusters/staging/apps/route.yaml").clusters).toEqual(["staging"]);
    const bySecret = placementOf({ "hub/production.yaml": spoke("production", "secretRef: {name: edge-7-kubeconfig}") }, { clusters });
    expect(bySecret("clusters/production/apps/route.yaml").clusters).toEqual(["edge-7"]);
  });

  it("a HelmRelease's render lands on its kubeConfig's cluster, not where the release itself is applied", () => {
    const placement = placementOf({
      "hub/flux-system/sync.yaml": fluxKustomization("flux-system", "./hub"),
      "hub/production.yaml": spoke("production", ""),
      "hub/staging.yaml": spoke("staging", ""),
    });
    const release = (cluster: string, kubeConfig: string) =>
      `clusters/${cluster}/apps/(rendered)/(rendered ${cluster}/web${kubeConfig})/kustomization.yaml`;
    // The release object stays on the hub, with its Kustomization.
    expect(placement("clusters/production/apps/(rendered)/kustomization.yaml").sites).toEqual(
      placement("clusters/staging/apps/(rendered)/kustomization.yaml").sites,
    );
    expect(placement(release("production", " to kubeConfig production:cluster-kubeconfig")).clusters).toEqual([
      "production/cluster-kubeconfig",
    ]);
    expect(placement(release("staging", " to kubeConfig staging:cluster-kubeconfig")).clusters).toEqual(["staging/cluster-kubeconfig"]);
    // Without a kubeConfig it installs where it is applied: the hub.
    expect(placement(release("production", "")).sites).toEqual(placement("hub/production.yaml").sites);
  });

  it("there alone, where nothing in the tree delivers the release or the policy's patterns place its folder elsewhere", () => {
    // The hub's own folder, applied by a bootstrap the tree does not hold (the example's gotk-sync.yaml is a placeholder).
    const placement = placementOf({}, { clusters: { hub: "eu" }, placements: ["{cluster}/**"] });
    expect(placement("hub/(rendered production/web to kubeConfig production:cluster-kubeconfig)/production.yaml").sites).toEqual([
      "production/cluster-kubeconfig",
    ]);
    expect(placement("hub/(rendered staging/web to kubeConfig staging:cluster-kubeconfig)/staging.yaml").sites).toEqual([
      "staging/cluster-kubeconfig",
    ]);
    expect(placement("hub/(rendered flux-system/web)/production.yaml").clusters).toEqual(["hub"]);
  });
});
