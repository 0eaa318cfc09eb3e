import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

type Tree = Record<string, string>;

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
    - backendRefs:
        - {name: checkout-v1, port: 80, weight: 100}
        - {name: checkout-v2, port: 80, weight: 10}
`;

const kustomization = (extra = "") => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- route.yaml
${extra}`;

const JSON6902_WEIGHT_0 = `patches:
- target: {kind: HTTPRoute, name: checkout}
  patch: |-
    - op: replace
      path: /spec/rules/0/backendRefs/0/weight
      value: 0
`;

const WEIGHTS_PATCH = (weight: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  rules:
    - backendRefs:
        - {name: checkout-v1, port: 80, weight: ${weight}}
`;

const high = (base: Tree, head: Tree) =>
  analyze(base, head)
    .findings.filter((finding) => finding.risk === "high")
    .map((finding) => [finding.class, finding.file, finding.summary]);

describe("kustomize patches: their effect is not rendered, so a changed one that reaches traffic is high", () => {
  it("a JSON6902 patch that sets a backend weight to 0 (the route file itself unchanged)", () => {
    expect(
      high(
        { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE },
        { "app/kustomization.yaml": kustomization(JSON6902_WEIGHT_0), "app/route.yaml": ROUTE },
      ),
    ).toEqual([
      [
        "resource.changed",
        "app/kustomization.yaml",
        "kustomize patch rewrites HTTPRoute checkout: its effect is not rendered by Route Governor; review the patch",
      ],
    ]);
  });

  it("an inline strategic-merge patch names its kind in its content", () => {
    const smp = `patches:\n- patch: |-\n    apiVersion: gateway.networking.k8s.io/v1\n    kind: HTTPRoute\n    metadata: {name: checkout, namespace: shop}\n    spec: {hostnames: [evil.example.com]}\n`;
    const found = high(
      { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE },
      { "app/kustomization.yaml": kustomization(smp), "app/route.yaml": ROUTE },
    );
    expect(found.map(([, , summary]) => summary)).toEqual([
      "kustomize patch rewrites a traffic resource: its effect is not rendered by Route Governor; review the patch",
    ]);
  });

  it("removing a patch changes what is rendered too", () => {
    const found = high(
      { "app/kustomization.yaml": kustomization(JSON6902_WEIGHT_0), "app/route.yaml": ROUTE },
      { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE },
    );
    expect(found.map(([, , summary]) => summary)).toEqual([
      "kustomize patch removed: it rewrote HTTPRoute checkout; its effect is not rendered by Route Governor; review the patch",
    ]);
  });

  it("the same strategic-merge patch written the new way (kustomize edit fix) changes nothing", () => {
    const tree = (patches: string): Tree => ({
      "app/kustomization.yaml": kustomization(patches),
      "app/route.yaml": ROUTE,
      "app/weights.yaml": WEIGHTS_PATCH(0),
    });
    const smp = "patchesStrategicMerge:\n- weights.yaml\n";
    const byPath = "patches:\n- path: weights.yaml\n";
    expect(high(tree(smp), tree(byPath))).toEqual([]);
    // A target narrows what the patch applies to: another patch added, and the old one removed.
    expect(high(tree(smp), tree("patches:\n- path: weights.yaml\n  target: {kind: HTTPRoute}\n"))).toHaveLength(2);
  });

  it("a patch of how Flux applies its objects (retries, intervals, timeouts) rewrites no traffic config (sulibot/home-ops 78bea4a)", () => {
    const SYNC = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
    const flux = (patches = "", files: Tree = {}): Tree => ({
      "flux/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-sync.yaml\n${patches}`,
      "flux/gotk-sync.yaml": SYNC,
      ...files,
    });
    const smp = (spec: string, metadata = "name: flux-system, namespace: flux-system") =>
      `patches:\n- patch: |\n    apiVersion: kustomize.toolkit.fluxcd.io/v1\n    kind: Kustomization\n    metadata: {${metadata}}\n    spec: {${spec}}\n  target: {kind: Kustomization, name: flux-system}\n`;
    const json6902 = (path: string) =>
      `patches:\n- target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization, name: flux-system}\n  patch: '[{"op": "add", "path": "${path}", "value": "10s"}]'\n`;
    expect(high(flux(), flux(smp("retryInterval: 10s, timeout: 5m")))).toEqual([]);
    expect(high(flux(smp("retryInterval: 10s")), flux())).toEqual([]);
    expect(high(flux(), flux(json6902("/spec/retryInterval")))).toEqual([]);
    const byFile = (retry: string) =>
      flux("patches:\n- path: retry.yaml\n", {
        "flux/retry.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system}\nspec: {retryInterval: ${retry}}\n`,
      });
    expect(high(byFile("1m"), byFile("10s"))).toEqual([]);
    // What it builds, prunes or labels is not how it applies: still high.
    expect(high(flux(), flux(smp("prune: false")))).toHaveLength(1);
    expect(high(flux(), flux(json6902("/spec/path")))).toHaveLength(1);
    expect(
      high(flux(), flux(smp("retryInterval: 10s", "name: flux-system, annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}"))),
    ).toHaveLength(1);
  });

  it("a patch of a Deployment (or an images change) is not traffic: no high finding", () => {
    const deployment = `patches:\n- target: {kind: Deployment, name: checkout}\n  patch: '[{"op": "replace", "path": "/spec/replicas", "value": 3}]'\nimages:\n- {name: checkout, newTag: v2}\n`;
    expect(
      high(
        { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE },
        { "app/kustomization.yaml": kustomization(deployment), "app/route.yaml": ROUTE },
      ),
    ).toEqual([]);
  });

  it("a replacement whose target selects a traffic kind", () => {
    const replacement = `replacements:\n- source: {kind: ConfigMap, name: cfg, fieldPath: data.host}\n  targets:\n  - select: {kind: HTTPRoute}\n    fieldPaths: [spec.hostnames.0]\n`;
    const found = high(
      { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE },
      { "app/kustomization.yaml": kustomization(replacement), "app/route.yaml": ROUTE },
    );
    expect(found.map(([, , summary]) => summary)).toEqual([
      "kustomize replacement rewrites a traffic resource: its effect is not rendered by Route Governor; review the patch",
    ]);
  });

  describe("a patch that reaches a trust kind keeps the critical floor a direct weakening of it has", () => {
    const PEER =
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n";
    const tree = (extra = ""): Tree => ({
      "app/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- route.yaml\n- peer.yaml\n${extra}`,
      "app/route.yaml": ROUTE,
      "app/peer.yaml": PEER,
    });
    const risks = (base: Tree, head: Tree) =>
      analyze(base, head)
        .findings.filter((finding) => finding.class === "resource.changed" && finding.file === "app/kustomization.yaml")
        .map((finding) => [finding.risk, finding.summary]);

    it("a JSON6902 patch setting mTLS PERMISSIVE is critical, naming why", () => {
      const permissive =
        "patches:\n- target: {kind: PeerAuthentication, name: default}\n  patch: |-\n    - op: replace\n      path: /spec/mtls/mode\n      value: PERMISSIVE\n";
      expect(risks(tree(), tree(permissive))).toEqual([
        [
          "critical",
          "kustomize patch rewrites PeerAuthentication default: its effect is not rendered by Route Governor; review the patch (PeerAuthentication: transport security or trust, critical when weakened)",
        ],
      ]);
    });

    it("a replacement selecting a DestinationRule is critical", () => {
      const replacement =
        "replacements:\n- source: {kind: ConfigMap, name: cfg, fieldPath: data.tls}\n  targets:\n  - select: {kind: DestinationRule}\n    fieldPaths: [spec.trafficPolicy.tls.mode]\n";
      expect(risks(tree(), tree(replacement)).map(([risk]) => risk)).toEqual(["critical"]);
    });

    it("a weight patch beside the PeerAuthentication stays high: it targets the HTTPRoute alone", () => {
      expect(risks(tree(), tree(JSON6902_WEIGHT_0)).map(([risk]) => risk)).toEqual(["high"]);
    });
  });

  describe("a patch file referenced by `path:` that changes while the Kustomization does not", () => {
    const referencing = kustomization("patches:\n- path: weights-patch.yaml\n");
    const tree = (weight: number): Tree => ({
      "app/kustomization.yaml": referencing,
      "app/route.yaml": ROUTE,
      "app/weights-patch.yaml": WEIGHTS_PATCH(weight),
    });

    it("is high, on the Kustomization, naming the file and the resource it rewrites", () => {
      const found = high(tree(100), tree(0));
      expect(found).toContainEqual([
        "resource.changed",
        "app/kustomization.yaml",
        "kustomize patch file app/weights-patch.yaml changes: it rewrites HTTPRoute shop/checkout; its effect is not rendered by Route Governor; review the patch",
      ]);
    });

    it("is low where the tree's GitOps objects deliver other folders but not this one: it reaches no cluster from the repository", () => {
      const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: other, namespace: flux-system}\nspec:\n  path: ./other\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
      const staged = (weight: number): Tree => ({ ...tree(weight), "clusters/prod/other.yaml": flux });
      const result = analyze(staged(100), staged(0));
      expect(result.findings.filter((finding) => finding.risk !== "low")).toEqual([]);
      expect(result.findings.map((finding) => finding.summary)).toContainEqual(
        expect.stringContaining("no GitOps object of the repository delivers its kustomization"),
      );
    });

    it("is high where a GitOps object in another folder delivers it (clusters/prod/apps.yaml → ./app), or an overlay it delivers includes it", () => {
      const flux = (path: string) =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
      const delivered = (weight: number): Tree => ({ ...tree(weight), "clusters/prod/apps.yaml": flux("./app") });
      expect(high(delivered(100), delivered(0))).toContainEqual([
        "resource.changed",
        "app/kustomization.yaml",
        "kustomize patch file app/weights-patch.yaml changes: it rewrites HTTPRoute shop/checkout; its effect is not rendered by Route Governor; review the patch",
      ]);
      const overlay = (weight: number): Tree => ({
        ...tree(weight),
        "prod/kustomization.yaml": "resources: [../app]\n",
        "clusters/prod/apps.yaml": flux("./prod"),
      });
      expect(high(overlay(100), overlay(0)).map(([, file]) => file)).toContain("app/kustomization.yaml");
      expect(
        analyze(overlay(100), overlay(0))
          .findings.map((finding) => finding.summary)
          .join("\n"),
      ).not.toContain("no GitOps object");
    });

    it("the partial HTTPRoute in the patch file is no second route: it is applied only through its kustomization, and listed as such", () => {
      const result = analyze(tree(100), tree(0));
      expect(result.invalid).toEqual([]);
      expect([...result.head.manifests.resources.keys()].filter((key) => key.includes("HTTPRoute"))).toEqual([
        "gateway.networking.k8s.io/HTTPRoute/shop/checkout",
      ]);
      expect(result.skipped).toEqual([
        { file: "app/weights-patch.yaml", line: 1, reason: "kustomize patch of app/kustomization.yaml: applied only through it" },
      ]);
    });

    it("a patch of a Namespace, which traffic config reads for its labels, is judged as before it was a file of its own (kubeflow/manifests db9a3fd)", () => {
      const removeNamespace = "$patch: delete\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
      const found = high(
        { "app/kustomization.yaml": kustomization(), "app/route.yaml": ROUTE, "app/remove-namespace.yaml": removeNamespace },
        {
          "app/kustomization.yaml": kustomization("patches:\n- path: remove-namespace.yaml\n"),
          "app/route.yaml": ROUTE,
          "app/remove-namespace.yaml": removeNamespace,
        },
      );
      expect(found.map(([, , summary]) => summary)).toEqual([
        "kustomize patch rewrites Namespace shop: its effect is not rendered by Route Governor; review the patch",
      ]);
    });

    it("an unchanged patch file is not a finding", () => {
      expect(analyze(tree(0), tree(0)).findings).toEqual([]);
    });

    it("nor one whose comments or layout alone change: it patches the same (gloo-mesh-use-cases region tags)", () => {
      const retagged = { ...tree(0), "app/weights-patch.yaml": `# region: us-east1\n${WEIGHTS_PATCH(0).replace(/: /g, ":   ")}` };
      expect(analyze(tree(0), retagged).findings).toEqual([]);
    });
  });
});

describe("a kustomization change no detector judges (read as written)", () => {
  it("is listed on one line: an inline patch's line breaks are shown as ⏎", () => {
    const patched = (replicas: number) =>
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec: {replicas: ${replicas}}\n`;
    const summaries = analyze({ "app/kustomization.yaml": patched(1) }, { "app/kustomization.yaml": patched(2) }).findings.map(
      (finding) => finding.summary,
    );
    expect(summaries).toEqual([
      "Kustomization kustomization: patches[0].patch: apiVersion: apps/v1⏎kind: Deployment⏎… → apiVersion: apps/v1⏎kind: Deployment⏎…",
    ]);
  });
});
