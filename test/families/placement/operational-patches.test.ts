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

  it("an entry added, removed, retargeted or written as JSON 6902 counts when it writes operation fields alone", () => {
    const entry = {
      patch: "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: _}\nspec: {interval: 1h}",
      target: { kind: "HelmRelease" },
    };
    const interval = (value: string) => ({ ...entry, patch: entry.patch.replace("1h", value) });
    const ops = (path: string) => ({ patch: `- {op: replace, path: ${path}, value: 1}`, target: entry.target });
    expect(onlyOperationalPatches([entry], [interval("30m")], readYaml)).toBe(true);
    expect(onlyOperationalPatches([entry], [entry, interval("30m")], readYaml)).toBe(true);
    expect(onlyOperationalPatches([entry, interval("30m")], [entry], readYaml)).toBe(true);
    expect(onlyOperationalPatches([entry], [{ ...interval("30m"), target: { kind: "HelmRelease", name: "cilium" } }], readYaml)).toBe(true);
    expect(onlyOperationalPatches([ops("/spec/interval")], [ops("/spec/maxHistory")], readYaml)).toBe(true);
    // What the added entry writes beside them, or the objects its target selects, may rewrite anything.
    expect(onlyOperationalPatches([entry], [entry, ops("/spec/values/replicas")], readYaml)).toBe(false);
    expect(onlyOperationalPatches([entry], [entry, { ...entry, target: { kind: "HTTPRoute" } }], readYaml)).toBe(false);
    expect(onlyOperationalPatches([entry], [entry, { ...entry, target: { name: "web" } }], readYaml)).toBe(false);
    expect(
      onlyOperationalPatches([entry], [entry, { ...entry, patch: entry.patch.replace("interval: 1h", "values: {a: 1}") }], readYaml),
    ).toBe(false);
  });
});

/** The root Kustomization of a home-ops tree, with these `spec.patches` entries (drag0n141/home-ops). */
const root = (...entries: string[]) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: cluster-apps, namespace: flux-system}
spec:
  path: ./kubernetes/apps
  sourceRef: {kind: GitRepository, name: flux-system}
  patches:
${[SOPS, ...entries].join("")}`;
const childPatch = (spec: string) => `    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: _}
        spec:
${spec
  .split("\n")
  .map((line) => `          ${line}`)
  .join("\n")}
      target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}
`;
const SOPS = childPatch("decryption: {provider: sops}");
const RELEASE_DEFAULTS = `deletionPolicy: WaitForTermination
patches:
  - patch: |-
      apiVersion: helm.toolkit.fluxcd.io/v2
      kind: HelmRelease
      metadata: {name: _}
      spec:
        install: {crds: CreateReplace, strategy: {name: RetryOnFailure}}
        upgrade: {cleanupOnFail: true, crds: CreateReplace, remediation: {retries: 2}}
        rollback: {cleanupOnFail: true}
    target: {group: helm.toolkit.fluxcd.io, kind: HelmRelease}`;
/** An app's Kustomization; the folder it applies has no kustomization file (Flux generates one): the review renders nothing. */
const app = (extra = "") => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: web, namespace: flux-system}
spec:
  path: ./kubernetes/apps/web/app
  targetNamespace: web
  sourceRef: {kind: GitRepository, name: flux-system}
${extra}`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: external, namespace: network}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
const tree = (rootText: string, appText = app()) => ({
  "kubernetes/flux/cluster/ks.yaml": rootText,
  "kubernetes/apps/web/ks.yaml": appText,
  "kubernetes/apps/web/app/httproute.yaml": ROUTE,
});
const notLow = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head)
    .findings.filter((finding) => finding.risk !== "low")
    .map((finding) => [finding.class, finding.risk]);

describe("a Kustomization defaults patch added to the root Kustomization", () => {
  it("deletionPolicy and a nested patch of every HelmRelease's install, upgrade and rollback rewrite no traffic config (drag0n141/home-ops e38feebb35)", () => {
    expect(notLow(tree(root()), tree(root(childPatch(RELEASE_DEFAULTS))))).toEqual([]);
    expect(notLow(tree(root(childPatch(RELEASE_DEFAULTS))), tree(root()))).toEqual([]);
  });

  it("one that sets what the children build (path, target namespace, a release's values) is still high", () => {
    for (const spec of [
      "path: ./kubernetes/other",
      "targetNamespace: default",
      RELEASE_DEFAULTS.replace("rollback: {cleanupOnFail: true}", "values: {route: {enabled: false}}"),
    ])
      expect(notLow(tree(root()), tree(root(childPatch(spec))))).toContainEqual(["resource.changed", "high"]);
  });

  it("substitutions no file of the children names change nothing (one a route names is read as Flux substitutes it: child-patches.test.ts)", () => {
    expect(notLow(tree(root()), tree(root(childPatch("postBuild: {substitute: {DOMAIN: example.org}}"))))).toEqual([]);
  });

  it("its nested patches replace those a child writes itself (kustomize replaces a custom resource's list): still high", () => {
    const own = app(`  patches:
    - patch: |-
        - {op: replace, path: /spec/hostnames/0, value: www.example.com}
      target: {kind: HTTPRoute, name: web}
`);
    expect(notLow(tree(root(), own), tree(root(childPatch(RELEASE_DEFAULTS)), own))).toContainEqual(["resource.changed", "high"]);
  });

  describe("a label-selected nested patch displacing the children's HelmRelease defaults (joryirving/home-ops a57b01f096)", () => {
    // Kustomize replaces the child's nested `patches` with the later entry's: the defaults patch is
    // gone from the labelled child, the Dragonfly patch in its place.
    const labelled = (target: string, patch: string) => `    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: _}
        spec:
          patches:
            - target: ${target}
              patch: |-
                ${patch}
      target: {kind: Kustomization, labelSelector: "components.dragonfly/cluster-mode=non-cluster"}
`;
    const labelledApp = app().replace(
      "metadata: {name: web, namespace: flux-system}",
      'metadata: {name: web, namespace: flux-system, labels: {"components.dragonfly/cluster-mode": non-cluster}}',
    );
    const displacing = (entry: string) =>
      notLow(tree(root(childPatch(RELEASE_DEFAULTS))), tree(root(childPatch(RELEASE_DEFAULTS), entry), labelledApp));

    it("the defaults it drops only said how releases install: no traffic config is rewritten", () => {
      expect(
        displacing(labelled("{group: dragonflydb.io, version: v1alpha1, kind: Dragonfly}", "- {op: remove, path: /spec/args/2}")),
      ).toEqual([]);
    });

    it("one writing a release's values or chart, or naming a traffic kind, in its place is still high", () => {
      for (const entry of [
        labelled("{group: helm.toolkit.fluxcd.io, kind: HelmRelease}", "- {op: add, path: /spec/values/route, value: {enabled: false}}"),
        labelled("{kind: HelmRelease}", "- {op: replace, path: /spec/chart/spec/version, value: 4.0.0}"),
        labelled("{kind: HTTPRoute, name: web}", "- {op: replace, path: /spec/hostnames/0, value: www.example.com}"),
      ])
        expect(displacing(entry)).toContainEqual(["resource.changed", "high"]);
    });
  });
});
