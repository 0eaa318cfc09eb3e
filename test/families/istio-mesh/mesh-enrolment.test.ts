// Mesh settings outside Istio's own kinds: sidecar injection labels on Namespaces, Istio chart values in Flux HelmReleases.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const real = (path: string) => readFileSync(resolve(import.meta.dirname, "../../fixtures/real", path), "utf8");
const FILE = "base/all/namespace.yaml";
const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n${labels}\n`;
const found = (result: ReturnType<typeof analyze>) => result.findings.map((finding) => [finding.class, finding.risk, finding.summary]);

describe("sidecar injection of a namespace (issue 11)", () => {
  it("istio.io/rev asm-managed → istio-injection enabled moves the namespace to the default control plane (anthos-service-mesh-samples 89e0a44)", () => {
    const result = analyze({ [FILE]: real("asm-samples/namespace-rev.yaml") }, { [FILE]: real("asm-samples/namespace-injection.yaml") });
    expect(found(result)).toEqual([
      ["resource.changed", "medium", expect.stringContaining("injected by control plane asm-managed → default")],
    ]);
  });

  it("istio-injection enabled → disabled is mTLS weakened for the namespace", () => {
    const result = analyze({ [FILE]: namespace("    istio-injection: enabled") }, { [FILE]: namespace("    istio-injection: disabled") });
    expect(found(result)).toEqual([
      ["mtls.weakened", "critical", expect.stringContaining("sidecar injection off (istio-injection=enabled → istio-injection=disabled)")],
    ]);
    expect(result.findings[0]?.line).toBe(6);
  });

  it("the revision label removed while the file stays is mTLS weakened, not a silent pass", () => {
    const result = analyze({ [FILE]: namespace("    istio.io/rev: 1-24\n    team: shop") }, { [FILE]: namespace("    team: shop") });
    expect(found(result)).toEqual([["mtls.weakened", "critical", expect.stringContaining("istio.io/rev=1-24 → no injection label")]]);
  });

  it("injection off for ambient, Istio's documented migration, keeps mTLS (ztunnel): high, not plaintext (gitops-istio repro)", () => {
    const result = analyze(
      { [FILE]: namespace("    istio-injection: enabled") },
      { [FILE]: namespace("    istio.io/dataplane-mode: ambient") },
    );
    expect(found(result).map(([cls]) => cls)).not.toContain("mtls.weakened");
    expect(found(result).filter(([, , summary]) => String(summary).includes("plaintext"))).toEqual([]);
    expect(found(result)).toContainEqual([
      "resource.changed",
      "high",
      expect.stringContaining("sidecar injection off, ambient on (istio-injection=enabled → istio.io/dataplane-mode=ambient)"),
    ]);
  });

  it("a namespace file deleted is reported without blocking: the namespace most likely goes with its workloads", () => {
    const result = analyze({ [FILE]: namespace("    istio-injection: enabled") }, {});
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("removed from the repository")]]);
  });

  it("a namespace its file (or the render that made it) no longer declares is removed, not its injection turned off (bank-of-anthos 90fa12d7b2)", () => {
    const service = "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n";
    const result = analyze({ [FILE]: `${namespace("    istio-injection: enabled")}---\n${service}` }, { [FILE]: service });
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("removed from the repository")]]);
  });

  it("a namespace moved to another file as its injection label goes is injection off, not a removal", () => {
    const result = analyze({ [FILE]: namespace("    istio-injection: enabled") }, { "base/all/ns.yaml": namespace("    team: shop") });
    expect(found(result)).toEqual([["mtls.weakened", "critical", expect.stringContaining("sidecar injection off")]]);
  });

  it("one copy of a namespace removed while another file keeps it injected turns no injection off (anthos-service-mesh-workshop 98481cb7c2)", () => {
    const copy = "prod/app/namespaces/namespace-ad.yaml";
    const injected = namespace("    istio-injection: enabled");
    const result = analyze({ "prod/namespaces/03_namespace-ad.yaml": injected, [copy]: injected }, { [copy]: injected });
    expect(found(result)).toEqual([["resource.changed", "low", "Namespace shop removed"]]);
  });

  it("a copy added beside one injected alike turns no injection on", () => {
    const injected = namespace("    istio.io/rev: 1-24");
    const result = analyze({ [FILE]: injected }, { [FILE]: injected, "base/app/ns.yaml": injected });
    expect(found(result)).toEqual([["resource.changed", "low", "Namespace shop added"]]);
  });

  it("a namespace moved to another file with another revision is a revision change, not injection off", () => {
    const result = analyze({ [FILE]: namespace("    istio.io/rev: 1-23") }, { "base/all/ns.yaml": namespace("    istio.io/rev: 1-24") });
    expect(found(result)).toContainEqual(["resource.changed", "medium", expect.stringContaining("injected by control plane 1-23 → 1-24")]);
    expect(found(result).map(([cls]) => cls)).not.toContain("mtls.weakened");
  });

  it("a copy applied to another cluster does not keep the removed namespace: removed, not injection off", () => {
    const topology = 'topology: { placements: ["clusters/{cluster}/**"] }';
    const injected = namespace("    istio-injection: enabled");
    const result = analyze(
      { "clusters/a/ns.yaml": injected, "clusters/b/ns.yaml": injected },
      { "clusters/b/ns.yaml": injected },
      topology,
    );
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("removed from the repository")]]);
    const plainThere = analyze(
      { "clusters/a/ns.yaml": injected, "clusters/b/ns.yaml": namespace("    team: shop") },
      { "clusters/b/ns.yaml": namespace("    team: shop") },
      topology,
    );
    expect(found(plainThere)).toEqual([["resource.changed", "low", expect.stringContaining("removed from the repository")]]);
  });

  it("one copy removed while the copy kept has no injection label is injection off", () => {
    const result = analyze(
      { "base/a/ns.yaml": namespace("    istio-injection: enabled"), "base/b/ns.yaml": namespace("    team: shop") },
      { "base/b/ns.yaml": namespace("    team: shop") },
    );
    expect(found(result)).toEqual([["mtls.weakened", "critical", expect.stringContaining("istio-injection=enabled → no injection label")]]);
  });

  it("injection turned on does not block", () => {
    const result = analyze({ [FILE]: namespace("    team: shop") }, { [FILE]: namespace("    istio-injection: enabled") });
    expect(found(result)).toEqual([["resource.changed", "low", expect.stringContaining("sidecar injection on")]]);
  });
});

describe("Istio chart values in a Flux HelmRelease (issue 11: mesh configuration wherever it lives)", () => {
  const istiod = (values: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: istiod, namespace: istio-system }
spec:
  interval: 1h
  chart:
    spec:
      chart: istiod
      version: 1.24.x
      sourceRef: { kind: HelmRepository, name: istio }
  values:
${values}
`;
  const FILE = "infrastructure/istio/istiod.yaml";
  const noRender = (base: string, head: string) => found(analyze({ [FILE]: base }, { [FILE]: head }));

  it("meshConfig.enableAutoMtls false is mtls.weakened", () => {
    expect(
      noRender(
        istiod("    meshConfig: { accessLogFile: /dev/stdout }"),
        istiod("    meshConfig: { accessLogFile: /dev/stdout, enableAutoMtls: false }"),
      ),
    ).toEqual([["mtls.weakened", "critical", expect.stringContaining("meshConfig.enableAutoMtls true → false")]]);
  });

  it("a trust domain or meshID change is trust.changed", () => {
    const classes = noRender(
      istiod("    meshConfig: { trustDomain: prod.example }\n    global: { meshID: mesh1 }"),
      istiod("    meshConfig: { trustDomain: prod2.example }\n    global: { meshID: mesh2 }"),
    ).map(([cls]) => cls);
    expect(classes).toEqual(["trust.changed", "trust.changed"]);
  });

  it("a release of another chart is not mesh config", () => {
    const podinfo = istiod("    replicaCount: 2").replace("chart: istiod", "chart: podinfo");
    expect(noRender(podinfo, podinfo.replace("replicaCount: 2", "replicaCount: 3"))).toEqual([]);
  });
});

describe("Istio chart values in an Argo CD Application", () => {
  const application = (chart: string, values: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: istiod, namespace: argocd }
spec:
  project: default
  destination: { server: https://kubernetes.default.svc, namespace: istio-system }
  source:
    repoURL: https://istio-release.storage.googleapis.com/charts
    chart: ${chart}
    targetRevision: 1.24.0
    helm:
      valuesObject:
${values}
`;
  const FILE = "argocd/istiod.yaml";
  const classes = (chart: string, before: string, after: string) =>
    analyze({ [FILE]: application(chart, before) }, { [FILE]: application(chart, after) }).findings.map((f) => [f.class, f.risk]);

  it("a trust domain change in helm.valuesObject of the istiod chart is trust.changed", () => {
    expect(
      classes("istiod", "        meshConfig: { trustDomain: a.example }", "        meshConfig: { trustDomain: b.example }"),
    ).toContainEqual(["trust.changed", "critical"]);
  });

  // Argo CD's `helm.values` is a YAML string; valuesObject takes precedence over it, field by field.
  const withValues = (values: string, valuesObject = "") => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: istiod, namespace: argocd }
spec:
  project: default
  destination: { server: https://kubernetes.default.svc, namespace: istio-system }
  source:
    repoURL: https://istio-release.storage.googleapis.com/charts
    chart: istiod
    targetRevision: 1.24.0
    helm:
      values: |
${values}
${valuesObject}`;
  const stringFindings = (before: string, after: string, valuesObject?: string) =>
    analyze({ [FILE]: withValues(before, valuesObject) }, { [FILE]: withValues(after, valuesObject) }).findings;

  it("a trust domain or mTLS change in the helm.values string is read like valuesObject, at the values line", () => {
    const findings = stringFindings(
      "        meshConfig:\n          trustDomain: a.example\n        global:\n          meshID: mesh1",
      "        meshConfig:\n          trustDomain: b.example\n          enableAutoMtls: false\n        global:\n          meshID: mesh1",
    );
    expect(findings.map((f) => [f.class, f.risk, f.line])).toEqual(
      expect.arrayContaining([
        ["trust.changed", "critical", 12],
        ["mtls.weakened", "critical", 12],
      ]),
    );
  });

  it("valuesObject wins over the values string: a change the object overrides changes nothing", () => {
    const object = "      valuesObject:\n        meshConfig: { trustDomain: pinned.example }\n";
    const findings = stringFindings(
      "        meshConfig: { trustDomain: a.example }",
      "        meshConfig: { trustDomain: b.example }",
      object,
    );
    expect(findings.map((f) => f.class)).not.toContain("trust.changed");
  });

  it("a multi-source Application installing istiod is mesh config too", () => {
    const multi = (trustDomain: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: istiod, namespace: argocd }
spec:
  project: default
  destination: { server: https://kubernetes.default.svc, namespace: istio-system }
  sources:
    - repoURL: https://github.com/acme/mesh-values.git
      targetRevision: main
      ref: values
    - repoURL: https://istio-release.storage.googleapis.com/charts
      chart: istiod
      targetRevision: 1.24.0
      helm:
        valuesObject:
          meshConfig: { trustDomain: ${trustDomain} }
`;
    const findings = analyze({ [FILE]: multi("a.example") }, { [FILE]: multi("b.example") }).findings;
    expect(findings.map((f) => [f.class, f.risk])).toContainEqual(["trust.changed", "critical"]);
  });

  it("the same keys in another chart's values are not mesh config", () => {
    expect(classes("podinfo", "        global: { network: a }", "        global: { network: b }")).not.toContainEqual([
      "trust.changed",
      "critical",
    ]);
  });
});
