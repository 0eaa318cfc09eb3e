import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

type Tree = Record<string, string>;

const CRD =
  "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true}]\n";

const CHART: Tree = {
  "charts/operator/Chart.yaml":
    "apiVersion: v2\nname: operator\nversion: 1.0.0\ndependencies: [{name: gadgets, version: 1.0.0, repository: https://charts.example.com}, {name: shared, version: 1.0.0, repository: 'file://../shared'}]\n",
  "charts/shared/Chart.yaml": "apiVersion: v2\nname: shared\nversion: 1.0.0\n",
  "charts/shared/crds/sprockets.yaml": CRD.replace(/widgets/g, "sprockets").replace("Widget", "Sprocket"),
  "charts/operator/values.yaml": "replicas: 1\n",
  "charts/operator/crds/widgets.yaml": CRD,
  "charts/operator/charts/gadgets/Chart.yaml": "apiVersion: v2\nname: gadgets\nversion: 1.0.0\n",
  "charts/operator/charts/gadgets/crds/gadgets.yaml": CRD.replace(/widgets/g, "gadgets").replace("Widget", "Gadget"),
};

const PRUNE = "  syncPolicy: {automated: {prune: true}}\n";
const SYNC = "  syncPolicy: {automated: {}}\n";

const app = (
  skipCrds: boolean | undefined,
  syncPolicy: string,
  source = "repoURL: https://github.com/example/platform.git, path: charts/operator",
) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: operator, namespace: argocd}\nspec:\n  project: default\n  source: {${source}${skipCrds === undefined ? "" : `, helm: {skipCrds: ${skipCrds}}`}}\n  destination: {server: https://kubernetes.default.svc, namespace: operator}\n${syncPolicy}`;

/** Findings above low, as [risk, summary]. */
const above = (base: Tree, head: Tree) =>
  analyze(base, head)
    .findings.filter((finding) => finding.risk !== "low" && finding.risk !== "none")
    .map((finding) => [finding.risk, finding.summary]);

const switched = (before: boolean | undefined, after: boolean, syncPolicy: string, chart: Tree = CHART, source?: string) =>
  above(
    { ...chart, "argocd/operator.yaml": app(before, syncPolicy, source) },
    { ...chart, "argocd/operator.yaml": app(after, syncPolicy, source) },
  );

describe("an Argo CD Helm source's skipCrds switched: the chart's CRDs, which no render here reads", () => {
  it("turned on under automated prune: Argo CD prunes the CRDs of the chart and its subcharts, and every custom resource with them (high, naming them)", () => {
    expect(switched(undefined, true, PRUNE)).toEqual([
      [
        "high",
        "Application argocd/operator: source.helm.skipCrds false → true: under automated prune, Argo CD stops applying the CRDs of chart charts/operator (CustomResourceDefinition gadgets.example.com, CustomResourceDefinition sprockets.example.com, CustomResourceDefinition widgets.example.com) and prunes them from a cluster the tree does not name, and with each every custom resource of its kind",
      ],
    ]);
  });

  it("turned on without automated prune (manual sync, automated without prune, a Prune=false sync option): Argo CD deletes nothing, nothing above low", () => {
    expect(switched(false, true, "")).toEqual([]);
    expect(switched(false, true, SYNC)).toEqual([]);
    expect(switched(false, true, "  syncPolicy: {automated: {prune: true}, syncOptions: [Prune=false]}\n")).toEqual([]);
  });

  it("turned off under automated sync: Argo CD applies the chart's CRDs over those installed (high); under manual sync, nothing above low", () => {
    expect(switched(true, false, SYNC)).toEqual([
      [
        "high",
        expect.stringContaining(
          "source.helm.skipCrds true → false: under automated sync, Argo CD now applies the CRDs of chart charts/operator",
        ),
      ],
    ]);
    expect(switched(true, false, "")).toEqual([]);
  });

  it("a chart whose crds/ folders hold none: nothing is pruned or applied, nothing above low", () => {
    const withoutCrds = Object.fromEntries(Object.entries(CHART).filter(([path]) => !path.includes("/crds/")));
    expect(switched(false, true, PRUNE, withoutCrds)).toEqual([]);
    expect(switched(true, false, SYNC, withoutCrds)).toEqual([]);
  });

  it("a chart from a Helm repository, or with a packaged subchart, cannot be read: it may ship CRDs (high)", () => {
    expect(switched(false, true, PRUNE, {}, "repoURL: https://charts.example.com, chart: operator, targetRevision: 1.0.0")).toEqual([
      ["high", expect.stringContaining("the CRDs chart operator ships in its crds/ folders (which this review cannot read)")],
    ]);
    const packaged = {
      ...CHART,
      "charts/operator/Chart.yaml":
        "apiVersion: v2\nname: operator\nversion: 1.0.0\ndependencies: [{name: extra, version: 1.0.0, repository: https://charts.example.com}]\n",
    };
    expect(switched(false, true, PRUNE, packaged)).toEqual([["high", expect.stringContaining("which this review cannot read")]]);
  });

  it("an ApplicationSet's template switched: the same judgment for every Application it generates", () => {
    const set = (skipCrds: boolean) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: operators, namespace: argocd}\nspec:\n  generators: [{list: {elements: [{cluster: prod}]}}]\n  template:\n    metadata: {name: 'operator-{{cluster}}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: charts/operator, helm: {skipCrds: ${skipCrds}}}\n      destination: {name: '{{cluster}}', namespace: operator}\n      syncPolicy: {automated: {prune: true}}\n`;
    expect(above({ ...CHART, "argocd/set.yaml": set(false) }, { ...CHART, "argocd/set.yaml": set(true) })).toEqual([
      ["high", expect.stringContaining("template.spec.source.helm.skipCrds false → true: under automated prune")],
    ]);
  });
});
