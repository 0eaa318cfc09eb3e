import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { onlyOperationalPatches } from "../../../src/families/placement/operational-patches.js";
import { analyze } from "../../helpers/review-trees.js";

const readYaml = (text: string): unknown => jsyaml.load(text);

/** A cluster Kustomization setting HelmRelease defaults on every child Kustomization (xunholy/k8s-gitops, onedr0p/home-ops). */
const cluster = (release: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: cluster, namespace: flux-system}
spec:
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: _}
        spec:
          timeout: 3m
          patches:
            - patch: |-
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata: {name: _}
                spec:
${release
  .split("\n")
  .map((line) => `                  ${line}`)
  .join("\n")}
              target: {group: helm.toolkit.fluxcd.io, kind: HelmRelease}
      target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}
`;
const DEFAULTS = "install: {timeout: 10m}\nupgrade: {remediation: {retries: 3}}";
const patchesOf = (text: string) => (jsyaml.load(text) as { spec: { patches: unknown } }).spec.patches;

describe("Flux spec.patches that change only how releases are applied", () => {
  it("a HelmRelease defaults patch gaining install.remediation (xunholy dc581ef829) rewrites no traffic config", () => {
    const [base, head] = [
      cluster(DEFAULTS),
      cluster("install: {timeout: 10m, remediation: {retries: 3}}\nupgrade: {remediation: {retries: 3}}"),
    ];
    expect(onlyOperationalPatches(patchesOf(base), patchesOf(head), readYaml)).toBe(true);
    const result = analyze({ "clusters/prod/cluster.yaml": base }, { "clusters/prod/cluster.yaml": head });
    expect(result.findings.filter((finding) => finding.risk !== "low")).toEqual([]);
  });

  it("values, post-renderers, suspend or a chart in the patch may rewrite anything: still high", () => {
    for (const change of [
      "values: {replicas: 2}",
      "postRenderers: [{kustomize: {patches: []}}]",
      "suspend: true",
      "chart: {spec: {version: 2.0.0}}",
    ]) {
      const head = cluster(`${DEFAULTS}\n${change}`);
      expect(onlyOperationalPatches(patchesOf(cluster(DEFAULTS)), patchesOf(head), readYaml)).toBe(false);
      const result = analyze({ "clusters/prod/cluster.yaml": cluster(DEFAULTS) }, { "clusters/prod/cluster.yaml": head });
      expect(result.findings.map((finding) => [finding.class, finding.risk])).toContainEqual(["resource.changed", "high"]);
    }
  });

  it("an entry added, retargeted or written as JSON 6902 operations is not judged operational", () => {
    const entry = {
      patch: "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: _}\nspec: {interval: 1h}",
      target: { kind: "HelmRelease" },
    };
    const interval = (value: string) => ({ ...entry, patch: entry.patch.replace("1h", value) });
    expect(onlyOperationalPatches([entry], [interval("30m")], readYaml)).toBe(true);
    expect(onlyOperationalPatches([entry], [entry, interval("30m")], readYaml)).toBe(false);
    expect(onlyOperationalPatches([entry], [{ ...interval("30m"), target: { kind: "HelmRelease", name: "cilium" } }], readYaml)).toBe(
      false,
    );
    const ops = (value: number) => ({ patch: `- {op: replace, path: /spec/interval, value: ${value}}`, target: entry.target });
    expect(onlyOperationalPatches([ops(1)], [ops(2)], readYaml)).toBe(false);
  });
});
