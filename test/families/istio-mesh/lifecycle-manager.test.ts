import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/** The shape of solo-io/gloo-mesh-use-cases' lifecycle managers. */
const manager = (
  kind: string,
  installations: readonly { revision: string; trustDomain?: string; network: string }[],
) => `apiVersion: admin.gloo.solo.io/v2
kind: ${kind}
metadata: { name: istio, namespace: gloo-mesh }
spec:
  installations:
${installations
  .map(
    ({ revision, trustDomain, network }) => `  - revision: ${revision}
    clusters: [{ name: cluster1, defaultRevision: true }]
    istioOperatorSpec:
      profile: minimal
      meshConfig: { rootNamespace: istio-system${trustDomain ? `, trustDomain: ${trustDomain}` : ""} }
      values: { global: { network: ${network}, multiCluster: { clusterName: cluster1 } } }
`,
  )
  .join("")}`;

const findingsOf = (base: string, head: string) =>
  analyze({ "ilm.yaml": base }, { "ilm.yaml": head }).findings.map((finding) => [
    finding.class,
    finding.risk,
    finding.line,
    finding.summary,
  ]);

describe("Gloo IstioLifecycleManager and GatewayLifecycleManager: each installation judged as an IstioOperator", () => {
  it("a trust domain set in an installation is trust.changed, critical, at the head's line (gloo-mesh-use-cases eb1ab58)", () => {
    const base = manager("IstioLifecycleManager", [{ revision: "1-18", network: "net1" }]);
    const head = manager("IstioLifecycleManager", [{ revision: "1-18", trustDomain: "cluster1", network: "net1" }]);
    expect(findingsOf(base, head)).toEqual([
      ["trust.changed", "critical", 10, expect.stringContaining("meshConfig.trustDomain cluster.local → cluster1")],
    ]);
  });

  it("installations pair by revision: reordered, nothing changes; the moved one's network change is found", () => {
    const a = { revision: "1-18", network: "net1" };
    const b = { revision: "1-19", network: "net1" };
    expect(findingsOf(manager("IstioLifecycleManager", [a, b]), manager("IstioLifecycleManager", [b, a]))).toEqual([]);
    const moved = findingsOf(
      manager("GatewayLifecycleManager", [a, b]),
      manager("GatewayLifecycleManager", [{ ...b, network: "net2" }, a]),
    );
    expect(moved).toEqual([["trust.changed", "critical", 11, expect.stringContaining("global.network net1 → net2")]]);
  });
});

describe("a lifecycle manager added, or an installation added to one, is a fresh install: compared with Istio's defaults", () => {
  const summaries = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head)
      .findings.filter((finding) => finding.class === "trust.changed")
      .map((finding) => finding.summary.split(": ").slice(1, 3).join(": "));
  const FRESH = "added, replacing no install here, so compared with Istio's defaults";

  it("a new manager's trust domain, network and cluster name are trust.changed, as on an IstioOperator", () => {
    const head = manager("IstioLifecycleManager", [{ revision: "1-18", trustDomain: "acme.io", network: "net1" }]);
    expect(summaries({}, { "ilm.yaml": head })).toEqual([
      `installation 1-18 ${FRESH}: meshConfig.trustDomain cluster.local → acme.io`,
      `installation 1-18 ${FRESH}: global.multiCluster.clusterName (unset) → cluster1`,
      `installation 1-18 ${FRESH}: global.network (unset) → net1`,
    ]);
  });

  it("one writing only defaults and settings these checks leave alone stays low", () => {
    const quiet = `apiVersion: admin.gloo.solo.io/v2
kind: IstioLifecycleManager
metadata: { name: istio, namespace: gloo-mesh }
spec:
  installations:
  - revision: 1-18
    clusters: [{ name: cluster1, defaultRevision: true }]
    istioOperatorSpec:
      profile: minimal
      hub: gcr.io/istio-release
      tag: 1.18.2
      meshConfig: { rootNamespace: istio-system, trustDomain: cluster.local, accessLogFile: /dev/stdout }
`;
    expect(analyze({}, { "ilm.yaml": quiet }).findings.filter((finding) => finding.risk !== "low")).toEqual([]);
  });

  it("renamed with the same installations it pairs with the one it replaces; a revision added beside kept ones is compared with them", () => {
    const a = { revision: "1-18", trustDomain: "acme.io", network: "net1" };
    const renamed = manager("IstioLifecycleManager", [a]).replace("name: istio,", "name: istio-prod,");
    expect(summaries({ "ilm.yaml": manager("IstioLifecycleManager", [a]) }, { "ilm.yaml": renamed })).toEqual([]);
    // A canary revision of the same mesh (Gloo's documented upgrade) repeats its identity: nothing to judge.
    const canary = manager("IstioLifecycleManager", [a, { ...a, revision: "1-19" }]);
    expect(summaries({ "ilm.yaml": manager("IstioLifecycleManager", [a]) }, { "ilm.yaml": canary })).toEqual([]);
    const other = manager("IstioLifecycleManager", [a, { ...a, revision: "1-19", trustDomain: "other.io" }]);
    expect(summaries({ "ilm.yaml": manager("IstioLifecycleManager", [a]) }, { "ilm.yaml": other })).toEqual([
      "installation 1-19 added beside installation 1-18, which it is compared with: meshConfig.trustDomain acme.io → other.io",
    ]);
  });
});
