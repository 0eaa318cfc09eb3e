import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/**
 * Each finding a detector words (not resource.changed, which the unrendered inputs of a release
 * also raise here, where no render runs) as class, risk, file, line and what it says of the setting.
 */
const judged = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head)
    .findings.filter((finding) => finding.class !== "resource.changed")
    .map((finding) => [finding.class, finding.risk, finding.file, finding.line, finding.summary.split(": ")[1]]);

const classes = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head).findings.map((finding) => `${finding.class} ${finding.risk}`);

describe("an Argo CD Application's helm.parameters are istiod's values, as --set writes them", () => {
  const application = (parameters: string, valuesObject = "") => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: istiod, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: istio-system}
  source:
    repoURL: https://istio-release.storage.googleapis.com/charts
    chart: istiod
    targetRevision: 1.22.0
    helm:
${valuesObject}      parameters:
${parameters}`;
  const trustDomain = (value: string) =>
    `      - {name: pilot.replicaCount, value: "2"}\n      - {name: meshConfig.trustDomain, value: ${value}}\n`;

  it("a trust domain changed in a parameter is trust.changed, pointing at its entry (it was resource.changed low)", () => {
    expect(
      judged({ "app.yaml": application(trustDomain("prod.example.com")) }, { "app.yaml": application(trustDomain("cluster.local")) }),
    ).toEqual([["trust.changed", "critical", "app.yaml", 14, "meshConfig.trustDomain prod.example.com → cluster.local"]]);
  });

  it("a parameter that sets no mesh identity keeps today's rating; one overridden by a later parameter changes nothing", () => {
    const replicas = (count: string) =>
      `      - {name: pilot.replicaCount, value: "${count}"}\n      - {name: meshConfig.trustDomain, value: prod.example.com}\n`;
    expect(classes({ "app.yaml": application(replicas("2")) }, { "app.yaml": application(replicas("3")) })).toEqual([
      // The chart's inputs changed, unrendered here: as before this reading.
      "resource.changed high",
    ]);
    // Parameters are laid over valuesObject: its trust domain edited under an unchanged parameter is not what istiod runs with.
    const under = (value: string) => `      valuesObject: {meshConfig: {trustDomain: ${value}}}\n`;
    expect(
      judged(
        { "app.yaml": application(trustDomain("prod.example.com"), under("a.example")) },
        { "app.yaml": application(trustDomain("prod.example.com"), under("b.example")) },
      ),
    ).toEqual([]);
    // The dangerous neighbour: the parameter removed, valuesObject's other trust domain takes over.
    expect(
      judged(
        { "app.yaml": application(trustDomain("prod.example.com"), under("b.example")) },
        { "app.yaml": application('      - {name: pilot.replicaCount, value: "2"}\n', under("b.example")) },
      ),
    ).toEqual([["trust.changed", "critical", "app.yaml", 12, "meshConfig.trustDomain prod.example.com → b.example"]]);
  });

  it("global settings set by parameters: a network, a cluster name in a dotted path", () => {
    const network = (value: string) =>
      `      - {name: global.network, value: ${value}}\n      - {name: global.multiCluster.clusterName, value: east}\n`;
    expect(judged({ "app.yaml": application(network("net-a")) }, { "app.yaml": application(network("net-b")) })).toEqual([
      ["trust.changed", "critical", "app.yaml", 13, "global.network net-a → net-b"],
    ]);
  });
});

describe("an Argo CD Application's valueFiles the repository holds", () => {
  const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: istiod, namespace: argocd}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: istio-system}
  sources:
  - repoURL: https://istio-release.storage.googleapis.com/charts
    chart: istiod
    targetRevision: 1.22.0
    helm:
      valueFiles: [$values/mesh/istiod.yaml]
  - {repoURL: https://github.com/acme/platform, targetRevision: main, ref: values}
`;
  const values = (trustDomain: string, replicas = 1) => `pilot:\n  replicaCount: ${replicas}\nmeshConfig:\n  trustDomain: ${trustDomain}\n`;

  it("a trust domain edited in the values file, the Application unchanged, is trust.changed at the file's line", () => {
    expect(
      judged(
        { "argo/istiod.yaml": application, "mesh/istiod.yaml": values("prod.example.com") },
        { "argo/istiod.yaml": application, "mesh/istiod.yaml": values("cluster.local") },
      ),
    ).toEqual([["trust.changed", "critical", "mesh/istiod.yaml", 4, "meshConfig.trustDomain prod.example.com → cluster.local"]]);
  });

  it("another value edited there is no mesh identity change", () => {
    expect(
      judged(
        { "argo/istiod.yaml": application, "mesh/istiod.yaml": values("prod.example.com") },
        { "argo/istiod.yaml": application, "mesh/istiod.yaml": values("prod.example.com", 2) },
      ),
    ).toEqual([]);
  });
});

describe("a Flux HelmRelease's valuesFrom ConfigMaps and Secrets the repository holds", () => {
  const release = (values = "") => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: istiod, namespace: istio-system}
spec:
  chart:
    spec: {chart: istiod, sourceRef: {kind: HelmRepository, name: istio}}
  valuesFrom:
  - {kind: ConfigMap, name: istiod-values}
${values}`;
  const configMap = (trustDomain: string, extra = "") => `apiVersion: v1
kind: ConfigMap
metadata: {name: other, namespace: istio-system}
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istiod-values, namespace: istio-system}
data:
  values.yaml: |
    meshConfig:
      trustDomain: ${trustDomain}${extra}
`;

  it("a trust domain edited in the ConfigMap is trust.changed, pointing at its values key (it passed as a render to do)", () => {
    expect(
      judged(
        { "hr.yaml": release(), "cm.yaml": configMap("prod.example.com") },
        { "hr.yaml": release(), "cm.yaml": configMap("cluster.local") },
      ),
    ).toEqual([["trust.changed", "critical", "cm.yaml", 10, "meshConfig.trustDomain prod.example.com → cluster.local"]]);
  });

  it("the release's own values are laid over the ConfigMap's: edited under them, nothing changes; removed, the ConfigMap's counts", () => {
    const own = "  values: {meshConfig: {trustDomain: prod.example.com}}\n";
    expect(
      judged(
        { "hr.yaml": release(own), "cm.yaml": configMap("a.example") },
        { "hr.yaml": release(own), "cm.yaml": configMap("b.example") },
      ),
    ).toEqual([]);
    expect(
      judged({ "hr.yaml": release(own), "cm.yaml": configMap("b.example") }, { "hr.yaml": release(), "cm.yaml": configMap("b.example") }),
    ).toEqual([["trust.changed", "critical", "cm.yaml", 10, "meshConfig.trustDomain prod.example.com → b.example"]]);
  });

  it("an unrelated value edited there, or the text re-spelled, is no mesh identity change", () => {
    const base = { "hr.yaml": release(), "cm.yaml": configMap("prod.example.com") };
    expect(judged(base, { "hr.yaml": release(), "cm.yaml": configMap("prod.example.com", "\n    pilot: {replicaCount: 3}") })).toEqual([]);
    expect(judged(base, { "hr.yaml": release(), "cm.yaml": configMap('"prod.example.com"  # the mesh') })).toEqual([]);
  });

  it("a ConfigMap generated from a values file: the finding points into that file", () => {
    const kustomization =
      "resources: [hr.yaml]\nnamespace: istio-system\nconfigMapGenerator:\n- name: istiod-values\n  files: [values.yaml]\n";
    const values = (trustDomain: string) => `meshConfig:\n  enableAutoMtls: true\n  trustDomain: ${trustDomain}\n`;
    expect(
      judged(
        { "istio/hr.yaml": release(), "istio/kustomization.yaml": kustomization, "istio/values.yaml": values("prod.example.com") },
        { "istio/hr.yaml": release(), "istio/kustomization.yaml": kustomization, "istio/values.yaml": values("cluster.local") },
      ),
    ).toEqual([["trust.changed", "critical", "istio/values.yaml", 3, "meshConfig.trustDomain prod.example.com → cluster.local"]]);
  });
});

describe("a wrapper chart of istiod: its values under the dependency's key", () => {
  const chart = (dependency: string) =>
    `apiVersion: v2\nname: mesh\nversion: 0.1.0\ndependencies:\n- {${dependency}, version: 1.22.0, repository: https://istio-release.storage.googleapis.com/charts}\n`;
  const values = (key: string, trustDomain: string, global = "") => `${global}${key}:\n  meshConfig:\n    trustDomain: ${trustDomain}\n`;

  it("nothing installs it: its values.yaml is what any install starts from, and a trust domain there is trust.changed", () => {
    const tree = (trustDomain: string) => ({ "mesh/Chart.yaml": chart("name: istiod"), "mesh/values.yaml": values("istiod", trustDomain) });
    expect(judged(tree("prod.example.com"), tree("cluster.local"))).toEqual([
      ["trust.changed", "critical", "mesh/values.yaml", 3, "meshConfig.trustDomain prod.example.com → cluster.local"],
    ]);
  });

  it("under its alias; the wrapper's own global reaches istiod, over the dependency's", () => {
    const tree = (meshID: string) => ({
      "mesh/Chart.yaml": chart("name: istiod, alias: control-plane"),
      "mesh/values.yaml": values("control-plane", "prod.example.com", `global:\n  meshID: ${meshID}\n`) + "  global: {meshID: ignored}\n",
    });
    expect(judged(tree("mesh-a"), tree("mesh-b"))).toEqual([
      ["trust.changed", "critical", "mesh/values.yaml", 2, "global.meshID mesh-a → mesh-b"],
    ]);
    // A key no istiod dependency is read by is not istiod's.
    const other = (trustDomain: string) => ({
      "mesh/Chart.yaml": chart("name: istiod, alias: control-plane"),
      "mesh/values.yaml": values("istiod", trustDomain),
    });
    expect(judged(other("prod.example.com"), other("cluster.local"))).toEqual([]);
  });

  it("installed by an Application with a values file of its own: that file's edit is the Application's finding", () => {
    const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: mesh, namespace: argocd}
spec:
  destination: {server: https://kubernetes.default.svc, namespace: istio-system}
  source: {repoURL: https://github.com/acme/platform, path: mesh, targetRevision: main, helm: {valueFiles: [values-prod.yaml]}}
`;
    const tree = (trustDomain: string, replicas = 1) => ({
      "argo/mesh.yaml": application,
      "mesh/Chart.yaml": chart("name: istiod"),
      "mesh/values.yaml": values("istiod", "cluster.local"),
      "mesh/values-prod.yaml": values("istiod", trustDomain) + `  pilot: {replicaCount: ${replicas}}\n`,
    });
    expect(judged(tree("prod.example.com"), tree("cluster.local"))).toEqual([
      ["trust.changed", "critical", "mesh/values-prod.yaml", 3, "meshConfig.trustDomain prod.example.com → cluster.local"],
    ]);
    expect(analyze(tree("prod.example.com"), tree("cluster.local")).findings[0]?.summary).toMatch(/^Application argocd\/mesh: /);
    expect(judged(tree("prod.example.com"), tree("prod.example.com", 2))).toEqual([]);
  });
});

describe("istiod values of an umbrella, named as mesh values by the policy's globs", () => {
  it("the trust domain under the istiod key is read (it was resource.changed low)", () => {
    const values = (trustDomain: string) => `istiod:\n  meshConfig:\n    trustDomain: ${trustDomain}\n`;
    expect(judged({ "mesh/values-istio.yaml": values("prod.example.com") }, { "mesh/values-istio.yaml": values("cluster.local") })).toEqual(
      [["trust.changed", "critical", "mesh/values-istio.yaml", 3, "meshConfig.trustDomain prod.example.com → cluster.local"]],
    );
  });
});

describe("the legacy global.trustDomain, which istiod's chart reads where meshConfig sets none", () => {
  const operator = (values: string, meshConfig = "") =>
    `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: cp, namespace: istio-system}\nspec:\n${meshConfig}  values:\n    global:\n${values}`;

  it("changed, it is trust.changed (it was resource.changed low)", () => {
    expect(
      judged(
        { "iop.yaml": operator("      trustDomain: prod.example.com\n") },
        { "iop.yaml": operator("      trustDomain: cluster.local\n") },
      ),
    ).toEqual([["trust.changed", "critical", "iop.yaml", 7, "global.trustDomain prod.example.com → cluster.local"]]);
  });

  it("moved to meshConfig with its value, nothing changes; under a meshConfig trust domain, it is not what istiod runs with", () => {
    expect(
      judged(
        { "iop.yaml": operator("      trustDomain: prod.example.com\n") },
        { "iop.yaml": operator("      meshID: ''\n", "  meshConfig: {trustDomain: prod.example.com}\n") },
      ),
    ).toEqual([]);
    const under = (legacy: string) => operator(`      trustDomain: ${legacy}\n`, "  meshConfig: {trustDomain: prod.example.com}\n");
    expect(judged({ "iop.yaml": under("a.example") }, { "iop.yaml": under("b.example") })).toEqual([]);
  });
});
