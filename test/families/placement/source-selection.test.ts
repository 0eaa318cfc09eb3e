import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/**
 * Flux source selection (probe G F2): what a GitRepository's artifact leaves out is pruned as a
 * deleted file is, and a delivering source checking out another revision is judged as Argo CD's
 * targetRevision switch.
 */

const DENY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-external, namespace: payments}
spec:
  action: DENY
  rules: [{from: [{source: {notNamespaces: [payments, frontend]}}]}]
`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: web}
spec:
  parentRefs: [{name: internal, namespace: gateways}]
  hostnames: [web.internal.example.com]
  rules: [{backendRefs: [{name: web-v1, port: 8080}]}]
`;
const source = (name: string, ref: string, extra = "") => `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 1m
  url: ssh://git@github.com/example/gitops
  ref: {${ref}}
${extra}`;
const apps = (sourceName = "flux-system", path = "./apps/raw") => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: ${sourceName}}
`;
const TREE = {
  "apps/raw/deny.yaml": DENY,
  "apps/raw/httproute.yaml": ROUTE,
  "clusters/prod/apps.yaml": apps(),
  "clusters/prod/flux-system/gotk-sync.yaml": source("flux-system", "branch: main"),
  "clusters/prod/flux-system/kustomization.yaml":
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [gotk-sync.yaml]\n",
};

const above = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head)
    .findings.filter((finding) => finding.risk !== "low")
    .map((finding) => [finding.class, finding.risk, finding.file]);

describe("files a GitRepository's artifact leaves out", () => {
  const dropped = [["access.widened", "high", "apps/raw/deny.yaml"]];

  it("a .sourceignore at the root, in the folder, or spec.ignore dropping the DENY policy: high, as deleting it is", () => {
    expect(above(TREE, Object.fromEntries(Object.entries(TREE).filter(([path]) => path !== "apps/raw/deny.yaml")))).toEqual(dropped);
    expect(above(TREE, { ...TREE, ".sourceignore": "apps/raw/deny.yaml\n" })).toEqual(dropped);
    expect(above(TREE, { ...TREE, "apps/raw/.sourceignore": "deny.yaml\n" })).toEqual(dropped);
    expect(above(TREE, { ...TREE, "apps/.sourceignore": "*\n!*.yaml\ndeny*\n" })).toEqual(dropped);
    const ignoring = {
      ...TREE,
      "clusters/prod/flux-system/gotk-sync.yaml": source("flux-system", "branch: main", "  ignore: |\n    apps/raw/deny.yaml\n"),
    };
    expect(above(TREE, ignoring)).toEqual(dropped);
    // Listed by the path's kustomization, the file left out breaks Flux's build: not passed either.
    const listed = { ...TREE, "apps/raw/kustomization.yaml": "resources: [deny.yaml, httproute.yaml]\n" };
    expect(above(listed, { ...listed, ".sourceignore": "apps/raw/deny.yaml\n" })).toEqual(dropped);
  });

  it("harmless: entries that leave out no applied file, and the rule taken back with a later `!`", () => {
    expect(above(TREE, { ...TREE, ".sourceignore": "docs/\n*.md\nother/deny.yaml\n" })).toEqual([]);
    expect(above(TREE, { ...TREE, ".sourceignore": "apps/raw/deny.yaml\n", "apps/raw/.sourceignore": "!deny.yaml\n" })).toEqual([]);
    // Removing the rule that dropped it applies the policy again: nothing is widened.
    const hidden = { ...TREE, ".sourceignore": "apps/raw/deny.yaml\n" };
    expect(above(hidden, TREE)).toEqual([]);
  });
});

describe("the revision a delivering GitRepository checks out", () => {
  const edited = (ref: string) => ({ ...TREE, "clusters/prod/flux-system/gotk-sync.yaml": source("flux-system", ref) });

  it("branch main → hotfix, or pinned to a commit or a semver range: high", () => {
    for (const ref of ["branch: hotfix", "commit: 0123456789abcdef0123456789abcdef01234567", "semver: '>=1.0.0'"])
      expect(above(TREE, edited(ref))).toEqual([["resource.changed", "high", "clusters/prod/flux-system/gotk-sync.yaml"]]);
  });

  it("harmless: an interval edit, and a revision change of a source whose Kustomizations deliver no traffic config", () => {
    const interval = { ...TREE, "clusters/prod/flux-system/gotk-sync.yaml": source("flux-system", "branch: main").replace("1m", "5m") };
    expect(above(TREE, interval)).toEqual([]);
    const quiet = {
      ...TREE,
      "apps/raw/httproute.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: web}\ndata: {a: b}\n",
      "apps/raw/deny.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: web}\ndata: {a: b}\n",
    };
    expect(above(quiet, { ...quiet, "clusters/prod/flux-system/gotk-sync.yaml": source("flux-system", "branch: hotfix") })).toEqual([]);
    // Another repository's tag bumped (upstream CRDs): none of its revisions is reviewed here.
    const upstream = (tag: string) => ({
      ...TREE,
      "clusters/prod/crds.yaml": `${source("metallb", `tag: ${tag}`).replace("example/gitops", "metallb/metallb")}---\n${apps("metallb", "./config/crd").replace("name: apps", "name: crds")}`,
    });
    expect(above(upstream("v0.13.5"), upstream("v0.14.0"))).toEqual([]);
  });

  it("a Kustomization moved to a GitRepository of the same URL on another branch: high; one on the same branch, low", () => {
    const other = (ref: string) => ({ "clusters/prod/canary-source.yaml": source("gitops-canary", ref) });
    const moved = (ref: string) => [
      { ...TREE, ...other(ref) },
      { ...TREE, ...other(ref), "clusters/prod/apps.yaml": apps("gitops-canary") },
    ];
    const [base, head] = moved("branch: canary");
    expect(above(base!, head!)).toEqual([["resource.changed", "high", "clusters/prod/apps.yaml"]]);
    const [sameBase, sameHead] = moved("branch: main");
    expect(above(sameBase!, sameHead!)).toEqual([]);
  });
});
