import { describe, expect, it } from "vitest";
import { patchesReleaseOperationOnly } from "../../src/render/release-operation.js";

/** A Flux Kustomization `spec.patches` entry of this patch text and target. */
const entry = (patch: string, target: Record<string, string> = { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease" }) => ({
  patch,
  target,
});

// The home-ops "defaults for every release" patch a parent Kustomization gives each app's (Diaoul/home-ops b02d1931).
const DEFAULTS = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: _
spec:
  install:
    crds: CreateReplace
  maxHistory: 3
  upgrade:
    cleanupOnFail: true
    remediation: {retries: 2}
`;

describe("a Flux Kustomization patch that only sets how Flux installs HelmReleases", () => {
  it("renders nothing else: install, upgrade, rollback, history and intervals, strategic or JSON 6902", () => {
    expect(patchesReleaseOperationOnly(entry(DEFAULTS))).toBe(true);
    expect(
      patchesReleaseOperationOnly(entry("- {op: add, path: /spec/maxHistory, value: 3}\n- {op: replace, path: /spec/interval, value: 1h}")),
    ).toBe(true);
    // Without a group the target is read as Flux's HelmRelease.
    expect(patchesReleaseOperationOnly(entry(DEFAULTS, { kind: "HelmRelease" }))).toBe(true);
  });

  it("is not one that sets values, post-renderers or the chart, targets anything else, or cannot be read", () => {
    expect(patchesReleaseOperationOnly(entry(`${DEFAULTS}  values: {service: {type: LoadBalancer}}\n`))).toBe(false);
    expect(patchesReleaseOperationOnly(entry(`${DEFAULTS}  postRenderers: []\n`))).toBe(false);
    expect(patchesReleaseOperationOnly(entry("- {op: add, path: /spec/values/replicas, value: 0}"))).toBe(false);
    // A move reads where it takes from: the value leaves the render (the chart's default applies).
    expect(patchesReleaseOperationOnly(entry("- {op: move, from: /spec/values/route/enabled, path: /spec/install/disableWait}"))).toBe(
      false,
    );
    expect(patchesReleaseOperationOnly(entry("- {op: copy, from: /spec/upgrade/remediation, path: /spec/install/remediation}"))).toBe(true);
    expect(patchesReleaseOperationOnly(entry(DEFAULTS.replace("  name: _\n", "  name: _\n  labels: {a: b}\n")))).toBe(false);
    expect(patchesReleaseOperationOnly(entry(DEFAULTS, { kind: "Deployment" }))).toBe(false);
    expect(patchesReleaseOperationOnly(entry(DEFAULTS, { group: "example.com", kind: "HelmRelease" }))).toBe(false);
    expect(patchesReleaseOperationOnly(entry("spec: [unclosed"))).toBe(false);
    expect(patchesReleaseOperationOnly({ target: { kind: "HelmRelease" } })).toBe(false);
  });
});
