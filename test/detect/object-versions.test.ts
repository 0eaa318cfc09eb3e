import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { placedAsCompared, withVersionsCompared, worstComparison } from "../../src/detect/object-versions.js";
import type { ResourceChange } from "../../src/core/resource-change.js";

const peerAuthentication = (mode: string) =>
  `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec:\n  mtls: {mode: ${mode}}\n`;

const [added, strict, disable] = [
  ...loadManifests([
    { path: "zz-vm-onboarding.yaml", text: peerAuthentication("PERMISSIVE") },
    { path: "mesh-mtls.yaml", text: peerAuthentication("STRICT") },
    { path: "00-bootstrap.yaml", text: peerAuthentication("DISABLE") },
  ]).resources.values(),
];

describe("a version change judged as the comparison that rates highest", () => {
  const change: ResourceChange = { key: "k", base: disable!, head: added!, version: "added", counterparts: [disable!, strict!] };
  const modeOf = (comparison: ResourceChange) => (comparison.base!.body as { spec: { mtls: { mode: string } } }).spec.mtls.mode;

  it("keeps the counterpart whose comparison rates highest, and the first on a tie; no counterparts left on it", () => {
    const weakened = worstComparison(change, (comparison) => (modeOf(comparison) === "STRICT" ? 5 : 1));
    expect([weakened.base, weakened.head, "counterparts" in weakened]).toEqual([strict, added, false]);
    expect(worstComparison(change, () => 1).base).toBe(disable);
  });

  it("a version dropped is compared with each version that stays", () => {
    const dropped: ResourceChange = { key: "k", base: added!, head: disable!, version: "removed", counterparts: [disable!, strict!] };
    const rated = worstComparison(dropped, (comparison) =>
      (comparison.head!.body as { spec: { mtls: { mode: string } } }).spec.mtls.mode === "STRICT" ? 5 : 1,
    );
    expect([rated.base, rated.head]).toEqual([added, strict]);
  });

  it("a change of one counterpart, or none, is rated never", () => {
    let asked = 0;
    worstComparison({ ...change, counterparts: [disable!] }, () => ++asked);
    worstComparison({ key: "k", head: added! }, () => ++asked);
    expect(asked).toBe(0);
  });
});

describe("a copy now delivered where another file's was (a redelivered version change)", () => {
  const change: ResourceChange = {
    key: "k",
    base: strict!,
    head: disable!,
    version: "redelivered",
    counterparts: [disable!, added!],
    redeliveredTo: new Map([[disable!, ["jkt-prod-1"]]]),
  };
  const detection = {
    class: "mtls.weakened",
    summary: "weakened",
    resource: strict!.id,
    side: "head",
    path: [],
    resourceKey: "k",
  } as const;
  const placed = { clusters: ["jkt-prod-1", "sgp-prod-1"], regions: ["jkt", "sgp"], sites: ["jkt-prod-1", "sgp-prod-1"] };
  const topology = { clusters: { "jkt-prod-1": "jkt", "sgp-prod-1": "sgp" } };

  it("names the cluster it took over and lands there only, not on every cluster its file reaches", () => {
    expect(withVersionsCompared(change, detection).summary).toBe(
      "weakened (on cluster jkt-prod-1, 00-bootstrap.yaml's version now applies in place of mesh-mtls.yaml's, which is no longer delivered there)",
    );
    expect(placedAsCompared(change, placed, topology)).toEqual({ clusters: ["jkt-prod-1"], regions: ["jkt"] });
  });

  it("compared with its own head version, where its file is still delivered: an edit, said and placed as one", () => {
    const own: ResourceChange = { ...change, head: added! };
    expect(withVersionsCompared(own, detection).summary).toBe("weakened");
    expect(placedAsCompared(own, placed, topology)).toBe(placed);
  });
});
