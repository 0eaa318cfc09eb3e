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
