import { describe, expect, it } from "vitest";
import { renderForReview } from "../../src/render/render-change.js";
import { unrenderedTrust } from "../../src/render/unrendered-trust.js";
import { reviewChange, type SourceFile } from "../../src/review.js";
import { NOW, policyWith } from "../helpers/review-trees.js";

const policy = policyWith();
const tree = (files: Record<string, string>): SourceFile[] => Object.entries(files).map(([path, text]) => ({ path, text }));
const texts = (files: Record<string, string>) => new Map(Object.entries(files));

const PEER =
  "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec:\n  mtls: {mode: STRICT}\n";
const PEER_VAR = PEER.replace("STRICT", "${MTLS_MODE}");
const ROUTE = (weight: number) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: web}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: ${weight}}\n    - {name: web-v2, port: 80, weight: ${100 - weight}}\n`;
const BASE_KUSTOMIZATION = "resources: [peer.yaml, route.yaml]\n";
const FLUX = (mode: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/prod\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute:\n      MTLS_MODE: ${mode}\n`;

describe("the trust kinds an unrendered root's change may rewrite", () => {
  const inputs = [
    "apps/base/kustomization.yaml",
    "apps/base/peer.yaml",
    "apps/base/route.yaml",
    "apps/prod/kustomization.yaml",
    "apps/prod/weights.yaml",
  ];
  const side = (prod: string, extra: Record<string, string> = {}) =>
    texts({
      "apps/base/kustomization.yaml": BASE_KUSTOMIZATION,
      "apps/base/peer.yaml": PEER,
      "apps/base/route.yaml": ROUTE(90),
      "apps/prod/kustomization.yaml": `resources: [../base]\n${prod}`,
      "apps/prod/weights.yaml": "- {op: replace, path: /spec/rules/0/backendRefs/0/weight, value: 10}\n",
      ...extra,
    });

  it("a patch targeting the PeerAuthentication reaches it; one targeting the HTTPRoute does not", () => {
    const mtls = "patches:\n- target: {kind: PeerAuthentication}\n  patch: '[{op: replace, path: /spec/mtls/mode, value: PERMISSIVE}]'\n";
    const weight = "patches:\n- target: {kind: HTTPRoute}\n  path: weights.yaml\n";
    expect(unrenderedTrust(inputs, side(""), side(mtls))).toEqual(["PeerAuthentication"]);
    expect(unrenderedTrust(inputs, side(""), side(weight))).toEqual([]);
    // The JSON 6902 file names no kind: the entry reading it says what it targets.
    const edited = side(weight, { "apps/prod/weights.yaml": "- {op: replace, path: /spec/rules/0/backendRefs/0/weight, value: 0}\n" });
    expect(unrenderedTrust(inputs, side(weight), edited)).toEqual([]);
  });

  it("what may reach everything the root builds does: commonAnnotations, a generator literal, a component", () => {
    for (const change of [
      "commonLabels: {team: web}\n",
      "configMapGenerator: [{name: cfg, literals: [mtls=PERMISSIVE]}]\n",
      "components: [../../components/debug]\n",
    ])
      expect(unrenderedTrust(inputs, side(""), side(change))).toEqual(["PeerAuthentication"]);
  });

  it("a chart's version or a remote resource bumped reaches none of the root's own files; the chart's values do", () => {
    const files = ["infra/kustomization.yaml", "infra/certificate.yaml"];
    const CERTIFICATE =
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: auth, namespace: auth}\nspec:\n  issuerRef: {name: letsencrypt}\n";
    const root = (version: string, values = "{}", remote = "v1.5.0") =>
      texts({
        "infra/kustomization.yaml": `resources:\n- certificate.yaml\n- https://github.com/kubernetes-sigs/gateway-api/releases/download/${remote}/standard-install.yaml\nhelmCharts:\n- {name: authelia, repo: https://charts.authelia.com, version: ${version}, valuesInline: ${values}}\n`,
        "infra/certificate.yaml": CERTIFICATE,
      });
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.2"))).toEqual([]);
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.1", "{}", "v1.6.0"))).toEqual([]);
    expect(unrenderedTrust(files, root("0.10.1"), root("0.10.2", "{issuer: staging}"))).toEqual(["Certificate"]);
    const extra = texts({
      ...Object.fromEntries(root("0.10.1")),
      "infra/kustomization.yaml": `${root("0.10.2").get("infra/kustomization.yaml")}commonLabels: {a: b}\n`,
    });
    expect(unrenderedTrust(files, root("0.10.1"), extra)).toEqual(["Certificate"]);
  });

  it("a cert-manager issuer annotation written on everything (commonAnnotations) reaches trust through a Gateway; a label does not", () => {
    const gateway = (prod: string) =>
      texts({
        "apps/prod/kustomization.yaml": `resources: [gateway.yaml]\n${prod}`,
        "apps/prod/gateway.yaml":
          "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public}\nspec: {gatewayClassName: istio, listeners: []}\n",
      });
    const files = ["apps/prod/gateway.yaml", "apps/prod/kustomization.yaml"];
    expect(unrenderedTrust(files, gateway(""), gateway("commonAnnotations: {cert-manager.io/cluster-issuer: staging}\n"))).toEqual([
      "cert-manager.io/cluster-issuer",
    ]);
    expect(unrenderedTrust(files, gateway(""), gateway("commonLabels: {team: web}\n"))).toEqual([]);
  });

  it("a Flux Kustomization the root applies, its dependsOn dropped, reaches that object alone (onedr0p/home-ops a8a502ff1c)", () => {
    const flux = (dependsOn: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: gateway}\nspec:\n${dependsOn}  path: ./apps/gateway\n`;
    const files = ["apps/base/kustomization.yaml", "apps/base/peer.yaml", "apps/base/ks.yaml"];
    const side = (dependsOn: string) =>
      texts({
        "apps/base/kustomization.yaml": "resources: [peer.yaml, ks.yaml]\n",
        "apps/base/peer.yaml": PEER,
        "apps/base/ks.yaml": flux(dependsOn),
      });
    expect(unrenderedTrust(files, side("  dependsOn: [{name: certificates}]\n"), side(""))).toEqual([]);
    // A release's values may reach whatever its chart renders.
    const release = (mode: string) =>
      texts({
        "charts/mesh/templates/peer.yaml": PEER,
        "apps/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: mesh}\nspec:\n  values: {mode: ${mode}}\n`,
      });
    expect(unrenderedTrust(["apps/release.yaml", "charts/mesh/templates/peer.yaml"], release("STRICT"), release("PERMISSIVE"))).toEqual([
      "PeerAuthentication",
    ]);
  });

  it("a direct edit of a route reaches the route alone", () => {
    expect(unrenderedTrust(inputs, side(""), side("", { "apps/base/route.yaml": ROUTE(10) }))).toEqual([]);
  });
});

describe("a root not rendered whose change may weaken mTLS is critical, not high", () => {
  const side = (mode: string, weight = 90) =>
    tree({
      "clusters/prod/apps.yaml": FLUX(mode),
      "apps/prod/kustomization.yaml": BASE_KUSTOMIZATION,
      "apps/prod/peer.yaml": PEER_VAR,
      "apps/prod/route.yaml": ROUTE(weight),
    });
  const review = async (base: SourceFile[], head: SourceFile[]) => {
    const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "turned off (test)" });
    return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW }).analysis.findings.filter(
      (finding) => finding.resource.kind === "Render",
    );
  };

  it("a Flux substitute STRICT → PERMISSIVE feeding the PeerAuthentication", async () => {
    const [finding] = await review(side("STRICT"), side("PERMISSIVE"));
    expect(finding).toMatchObject({ class: "resource.changed", risk: "critical" });
    expect(finding!.summary).toContain("the change may rewrite PeerAuthentication (transport security or trust)");
  });

  it("a weight edit in the same build stays high", async () => {
    const findings = await review(side("STRICT", 90), side("STRICT", 10));
    expect(findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "high"]]);
    expect(findings[0]!.summary).not.toContain("transport security");
  });
});
