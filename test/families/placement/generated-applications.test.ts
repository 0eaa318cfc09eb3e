import { describe, expect, it } from "vitest";
import * as jsyaml from "js-yaml";
import { loadManifests } from "../../../src/manifests/load-manifests.js";
import { generatedApplications, generatingSet } from "../../../src/families/placement/generated-applications.js";

type Tree = Record<string, string>;

const REPO = "https://github.com/example/platform.git";

const appSet = (spec: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: apps, namespace: argocd}
spec:
${spec}`;

const template = (name: string, path: string, destination = "server: https://kubernetes.default.svc") => `  template:
    metadata: {name: '${name}'}
    spec:
      project: default
      source: {repoURL: ${REPO}, path: '${path}'}
      destination: {${destination}, namespace: shop}
`;

/** The Applications the set in `argocd/apps.yaml` generates from the tree: name → [path, destination, finalizers]; undefined where not told. */
const generated = (tree: Tree) => {
  const files = Object.entries(tree).map(([path, text]) => ({ path, text }));
  const set = loadManifests(files);
  const applicationSet = [...set.resources.values()].find((resource) => resource.id.kind === "ApplicationSet")!;
  const applications = generatedApplications(applicationSet, {
    files: set.files,
    data: (path) => (tree[path] === undefined ? undefined : jsyaml.load(tree[path])),
  });
  return applications?.map((application) => {
    const spec = application.body.spec as { source: { path: string }; destination: Record<string, string> };
    const metadata = application.body.metadata as { finalizers?: string[] };
    expect(generatingSet(application)).toBe(applicationSet);
    return [application.id.name, spec.source.path, spec.destination.name ?? spec.destination.server, metadata.finalizers ?? []];
  });
};

const FINALIZER = ["resources-finalizer.argocd.argoproj.io"];
const IN_CLUSTER = "https://kubernetes.default.svc";
const FOLDERS: Tree = {
  "apps/shop/route.yaml": "kind: ConfigMap\n",
  "apps/web/deploy/app.yaml": "kind: ConfigMap\n",
  "apps/legacy/app.yaml": "kind: ConfigMap\n",
  "apps/shop/(rendered)/all.yaml": "kind: ConfigMap\n",
};

describe("the Applications an ApplicationSet generates, where the tree tells", () => {
  it("list elements fill the template, with the resources finalizer the controller adds; none where the set preserves resources", () => {
    const spec = `  generators: [{list: {elements: [{app: shop, cluster: jkt-prod}, {app: web, cluster: sgp-prod}]}}]\n${template("{{app}}", "apps/{{app}}", "name: '{{cluster}}'")}`;
    expect(generated({ "argocd/apps.yaml": appSet(spec) })).toEqual([
      ["shop", "apps/shop", "jkt-prod", FINALIZER],
      ["web", "apps/web", "sgp-prod", FINALIZER],
    ]);
    expect(generated({ "argocd/apps.yaml": appSet(`  syncPolicy: {preserveResourcesOnDeletion: true}\n${spec}`) })).toEqual([
      ["shop", "apps/shop", "jkt-prod", []],
      ["web", "apps/web", "sgp-prod", []],
    ]);
  });

  it("a git directory generator: the folders its path matches as Go's path.Match does (one segment a star), less those excluded, never the review's rendered output", () => {
    const spec = (directories: string) =>
      `  generators: [{git: {repoURL: ${REPO}, revision: HEAD, directories: [${directories}]}}]\n${template("{{path.basename}}", "{{path}}")}`;
    expect(generated({ ...FOLDERS, "argocd/apps.yaml": appSet(spec("{path: 'apps/*'}, {path: apps/legacy, exclude: true}")) })).toEqual([
      ["shop", "apps/shop", IN_CLUSTER, FINALIZER],
      ["web", "apps/web", IN_CLUSTER, FINALIZER],
    ]);
    expect(generated({ ...FOLDERS, "argocd/apps.yaml": appSet(spec("{path: 'apps/**'}")) })?.map(([name]) => name)).toEqual([
      "legacy",
      "shop",
      "web",
    ]);
    expect(generated({ ...FOLDERS, "argocd/apps.yaml": appSet(spec("{path: 'apps/*/*'}")) })?.map(([name]) => name)).toEqual(["deploy"]);
  });

  it("a git file generator: each file's values (each item of a list) and its folder's path parameters", () => {
    const spec = `  generators: [{git: {repoURL: ${REPO}, revision: HEAD, files: [{path: 'config/*/app.json'}]}}]\n${template("{{name}}-{{path.basename}}", "apps/{{name}}", "name: '{{cluster.name}}'")}`;
    expect(
      generated({
        "argocd/apps.yaml": appSet(spec),
        "config/jkt/app.json": '{"name": "shop", "cluster": {"name": "jkt-prod"}}',
        "config/sgp/app.json": '[{"name": "shop", "cluster": {"name": "sgp-prod"}}, {"name": "web", "cluster": {"name": "sgp-prod"}}]',
      }),
    ).toEqual([
      ["shop-jkt", "apps/shop", "jkt-prod", FINALIZER],
      ["shop-sgp", "apps/shop", "sgp-prod", FINALIZER],
      ["web-sgp", "apps/web", "sgp-prod", FINALIZER],
    ]);
  });

  it("matrix (the second generator reading the first's parameters), merge by keys, and a post selector", () => {
    const matrix = `  generators:
  - matrix:
      generators:
      - list: {elements: [{cluster: jkt-prod, team: apps}, {cluster: sgp-prod, team: apps}]}
      - git: {repoURL: ${REPO}, revision: HEAD, directories: [{path: '{{team}}/*'}]}
    selector: {matchExpressions: [{key: path.basename, operator: NotIn, values: [legacy]}]}
${template("{{path.basename}}-{{cluster}}", "{{path}}", "name: '{{cluster}}'")}`;
    expect(generated({ ...FOLDERS, "argocd/apps.yaml": appSet(matrix) })?.map(([name]) => name)).toEqual([
      "shop-jkt-prod",
      "web-jkt-prod",
      "shop-sgp-prod",
      "web-sgp-prod",
    ]);
    const merge = `  generators:
  - merge:
      mergeKeys: [app]
      generators:
      - list: {elements: [{app: shop, revision: main}, {app: web, revision: main}]}
      - list: {elements: [{app: web, revision: v2}, {app: other, revision: v3}]}
${template("{{app}}-{{revision}}", "apps/{{app}}")}`;
    expect(generated({ "argocd/apps.yaml": appSet(merge) })?.map(([name]) => name)).toEqual(["shop-main", "web-v2"]);
  });

  it("not told: a generator reading what the repository does not hold (clusters, pull requests, plugins), another repository, a name or path left with a Go function, two Applications of one name", () => {
    const with_ = (generators: string, name = "{{app}}") =>
      generated({ ...FOLDERS, "argocd/apps.yaml": appSet(`  generators: [${generators}]\n${template(name, "apps/shop")}`) });
    expect(with_("{clusters: {}}", "{{name}}")).toBeUndefined();
    expect(with_("{pullRequest: {github: {owner: example, repo: platform}}}", "pr-{{number}}")).toBeUndefined();
    expect(with_("{matrix: {generators: [{clusters: {}}, {list: {elements: [{app: shop}]}}]}}")).toBeUndefined();
    expect(
      with_(`{git: {repoURL: https://github.com/other/config.git, revision: HEAD, directories: [{path: 'apps/*'}]}}`, "{{path.basename}}"),
    ).toBeUndefined();
    expect(with_("{list: {elements: [{app: Shop}]}}", "{{ .app | lower }}")).toBeUndefined();
    expect(with_("{list: {elements: [{app: shop}, {app: shop}]}}")).toBeUndefined();
    const segment = `  generators: [{list: {elements: [{app: shop}]}}]\n${template("{{app}}", "apps/{{ index .path.segments 1 }}")}`;
    expect(generated({ "argocd/apps.yaml": appSet(segment) })).toBeUndefined();
    // The same repository spelled without `.git` is this one.
    expect(
      with_(
        `{git: {repoURL: https://github.com/example/platform, revision: HEAD, directories: [{path: 'apps/shop'}]}}`,
        "{{path.basename}}",
      ),
    ).toEqual([["shop", "apps/shop", IN_CLUSTER, FINALIZER]]);
  });
});
