import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { worstComparison } from "../../src/detect/object-versions.js";
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
