import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

// A mesh install that a controller in the cluster reconciles, removed: the controller uninstalls what it installed.
const found = (result: ReturnType<typeof analyze>) =>
  result.findings.filter((finding) => finding.risk === "high").map((finding) => [finding.class, finding.summary]);

const lifecycleManager = (kind: string, namespace = "gloo-mesh") => `apiVersion: admin.gloo.solo.io/v2
kind: ${kind}
metadata: { name: istiod-control-plane, namespace: ${namespace} }
spec:
  installations:
  - revision: 1-23
    clusters: [{ name: cluster1, defaultRevision: true }]
    istioOperatorSpec: { profile: minimal }
`;
const helmRelease = (chart: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: ${chart}, namespace: istio-system }
spec:
  chart:
    spec: { chart: ${chart}, version: 1.24.x, sourceRef: { kind: HelmRepository, name: istio } }
`;
const sail = (metadata: string) => `apiVersion: sailoperator.io/v1
kind: Istio
${metadata}spec:
  namespace: istio-system
  version: v1.24.0
`;

describe("a mesh install removed", () => {
  it("a Gloo IstioLifecycleManager moved to another namespace is its removal: high (the mutation sweep's gloo-mesh-use-cases repro)", () => {
    const result = analyze(
      { "ilm.yaml": lifecycleManager("IstioLifecycleManager") },
      { "ilm.yaml": lifecycleManager("IstioLifecycleManager", "gloo-mesh-x") },
    );
    expect(found(result)).toEqual([
      [
        "resource.changed",
        expect.stringMatching(
          /^IstioLifecycleManager gloo-mesh\/istiod-control-plane: removed: Gloo Mesh uninstalls the Istio control planes it installs .*certificate renewals/,
        ),
      ],
    ]);
  });

  it("a GatewayLifecycleManager takes its gateways", () => {
    expect(found(analyze({ "glm.yaml": lifecycleManager("GatewayLifecycleManager") }, {}))).toEqual([
      [
        "resource.changed",
        expect.stringContaining("Gloo Mesh uninstalls the Istio gateways it installs when the removal is applied: the gateways' pods"),
      ],
    ]);
  });

  it("a Flux HelmRelease of an Istio chart is uninstalled by Flux, each chart with what it takes", () => {
    expect(found(analyze({ "istiod.yaml": helmRelease("istiod") }, {}))).toEqual([
      [
        "resource.changed",
        expect.stringContaining("removed: Flux uninstalls the istiod chart it released when the removal is applied: sidecars stop"),
      ],
    ]);
    expect(found(analyze({ "base.yaml": helmRelease("base") }, {}))).toEqual([
      ["resource.changed", expect.stringContaining("Istio's CRDs go, and every Istio resource of the cluster with them")],
    ]);
  });

  it("a Sail operator Istio is uninstalled by the operator; its nameless profiles are no install", () => {
    expect(found(analyze({ "istio.yaml": sail("metadata: { name: default }\n") }, {}))).toEqual([
      ["resource.changed", expect.stringContaining("removed: the Sail operator uninstalls the istiod it runs")],
    ]);
    expect(found(analyze({ "profiles/ambient.yaml": sail("") }, {}))).toEqual([]);
  });

  it("an IstioOperator (most are istioctl's input files) and an install kept or edited are not removals", () => {
    const operator =
      "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: { name: control-plane, namespace: istio-system }\nspec: { profile: minimal }\n";
    expect(found(analyze({ "iop.yaml": operator }, {}))).toEqual([]);
    expect(found(analyze({ "a.yaml": helmRelease("istiod") }, { "b.yaml": helmRelease("istiod") }))).toEqual([]);
  });
});
