import { describe, expect, it } from "vitest";
import { analyze, NOW, policyWith } from "../../helpers/review-trees.js";
import { renderForReview } from "../../../src/render/render-change.js";
import { reviewChange } from "../../../src/review.js";

// A Flux Kustomization patching the Kustomizations it delivers, in a folder Flux builds without a
// kustomization file (so the review does not render it): eks-multi-cluster-gitops 581eebfb39.
const parent = (patches: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: infra, namespace: flux-system}
spec:
  interval: 3m
  path: ./tools
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
${patches}`;
const child = (name: string, path: string, extra = "") => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 3m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
${extra}`;
const TREE = {
  "tools/provider.yaml": child("crossplane-aws-provider", "./tools/crossplane-aws-provider"),
  "tools/crossplane-aws-provider/provider.yaml":
    "apiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: provider-aws}\nspec:\n  package: xpkg.upbound.io/crossplane-contrib/provider-aws:v0.33.0\n  controllerConfigRef: {name: aws-config}\n",
  "tools/routes.yaml": child("routes", "./apps/routes", "  postBuild: {substitute: {HOST: web.example.com}}\n"),
  "apps/routes/route.yaml":
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: web}\nspec:\n  hostnames: ["${HOST}"]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n',
};
/** The patch entry of 581eebfb39: a nested patch of a crossplane ControllerConfig, and substitutions from a ConfigMap. */
const IRSA = `        - op: add
          path: /spec/patches
          value:
            - target: {group: pkg.crossplane.io, kind: ControllerConfig, name: aws-config}
              patch: |-
                - op: replace
                  path: /metadata/annotations
                  value:
                    eks.amazonaws.com/role-arn: arn:aws:iam::\${ACCOUNT_ID}:role/crossplane-role
        - op: add
          path: /spec/postBuild
          value:
            substituteFrom: [{kind: ConfigMap, name: cluster-info}]`;
const patching = (name: string, operations = IRSA) => `  patches:
    - target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization, name: "${name}", namespace: flux-system}
      patch: |-
${operations}
`;
const risksOf = (patches: string) =>
  analyze({ ...TREE, "clusters/prod/infra.yaml": parent("") }, { ...TREE, "clusters/prod/infra.yaml": parent(patches) }).findings.map(
    (finding) => [finding.class, finding.risk, finding.summary],
  );
const REWRITE = ["resource.changed", "high", expect.stringContaining("spec.patches may rewrite traffic config")];

describe("Flux spec.patches aimed at the Kustomizations a Kustomization delivers", () => {
  it("a child that builds no traffic config is not rewritten into any (eks-multi-cluster-gitops 581eebfb39)", () => {
    expect(risksOf(patching("crossplane-aws-provider"))).toEqual([
      ["resource.changed", "low", expect.stringContaining("spec.patches added")],
    ]);
    // Its name as kustomize reads it, an anchored regular expression.
    expect(risksOf(patching("crossplane-.*")).map(([, risk]) => risk)).toEqual(["low"]);
  });

  it("a strategic merge of the child's substitutions is judged the same: its own kind and group are not what it rewrites", () => {
    const merge = `        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: crossplane-aws-provider, namespace: flux-system}
        spec:
          postBuild: {substituteFrom: [{kind: ConfigMap, name: cluster-info}]}`;
    expect(risksOf(patching("crossplane-aws-provider", merge)).map(([, risk]) => risk)).toEqual(["low"]);
  });

  it("a child that builds an HTTPRoute has its substitutions, namespace or nested patches rewritten: judged as written on it", async () => {
    // The substitution is read as Flux applies the child patched (the whole review substitutes): the route's host changes.
    const host = "        - {op: replace, path: /spec/postBuild/substitute/HOST, value: www.example.com}";
    const sides = [parent(""), parent(patching("routes", host))].map((infra) =>
      Object.entries({ ...TREE, "clusters/prod/infra.yaml": infra }).map(([path, text]) => ({ path, text })),
    );
    const policy = policyWith();
    const rendered = await renderForReview(sides[0]!, sides[1]!, policy, { budgetMs: 1_000, off: "turned off (test)" });
    const substituted = reviewChange({ base: sides[0]!, head: sides[1]!, rendered, policy, policySource: "test", body: "", now: NOW });
    expect(substituted.analysis.findings.map((finding) => [finding.class, finding.risk])).toContainEqual(["route.removed", "high"]);
    expect(risksOf(patching("routes", "        - {op: add, path: /spec/targetNamespace, value: web-v2}"))).toContainEqual([
      "resource.changed",
      "high",
      expect.stringContaining(
        "spec.patches rewrite Kustomization flux-system/routes: targetNamespace (unset) → web-v2: moves HTTPRoute web: web → web-v2",
      ),
    ]);
    const nested = IRSA.replace("{group: pkg.crossplane.io, kind: ControllerConfig, name: aws-config}", "{kind: HTTPRoute, name: web}");
    expect(risksOf(patching("routes|crossplane-aws-provider", nested))).toContainEqual([
      "resource.changed",
      "high",
      expect.stringContaining("spec.patches rewrite Kustomization flux-system/routes: spec.patches may rewrite traffic config"),
    ]);
  });

  it("a child of only a Deployment and a ClusterIP Service retargeted is high, as the same edit written on it (reviewer's cp1)", () => {
    const app = {
      "tools/checkout.yaml": child("checkout", "./apps/checkout", "  targetNamespace: shop\n"),
      "apps/checkout/service.yaml":
        "apiVersion: v1\nkind: Service\nmetadata: {name: checkout}\nspec:\n  selector: {app: checkout}\n  ports: [{port: 8080}]\n",
      "apps/checkout/deployment.yaml":
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout}\nspec:\n  selector: {matchLabels: {app: checkout}}\n  template: {metadata: {labels: {app: checkout}}, spec: {containers: [{name: app, image: checkout:1}]}}\n",
    };
    const retarget = "        - {op: replace, path: /spec/targetNamespace, value: shop-v2}";
    const patched = analyze(
      { ...TREE, ...app, "clusters/prod/infra.yaml": parent("") },
      { ...TREE, ...app, "clusters/prod/infra.yaml": parent(patching("checkout", retarget)) },
    ).findings.map((finding) => [finding.risk, finding.summary]);
    expect(patched).toEqual([
      [
        "high",
        expect.stringContaining(
          "spec.patches rewrite Kustomization flux-system/checkout: targetNamespace shop → shop-v2: moves Service checkout: shop → shop-v2, Deployment checkout: shop → shop-v2",
        ),
      ],
    ]);
    const written = analyze(
      { ...TREE, ...app, "clusters/prod/infra.yaml": parent("") },
      {
        ...TREE,
        ...app,
        "tools/checkout.yaml": child("checkout", "./apps/checkout", "  targetNamespace: shop-v2\n"),
        "clusters/prod/infra.yaml": parent(""),
      },
    ).findings.map((finding) => finding.risk);
    expect(written).toEqual(["high"]);
  });

  it("a child renamed by namePrefix (Flux 2.5), patched or written, renames what it applies: high", () => {
    const prefix = "        - {op: add, path: /spec/namePrefix, value: v2-}";
    expect(risksOf(patching("routes", prefix))).toContainEqual([
      "resource.changed",
      "high",
      expect.stringContaining(
        "spec.patches rewrite Kustomization flux-system/routes: namePrefix (unset) → v2-: renames every object it applies",
      ),
    ]);
  });

  it("a patch that sets what the child builds, or names a traffic kind itself, is high whatever the child builds now", () => {
    const high = (patches: string) => risksOf(patches).map(([, risk]) => risk);
    expect(high(patching("crossplane-aws-provider", "        - {op: replace, path: /spec/path, value: ./apps/routes}"))).toContain("high");
    expect(
      high(patching("crossplane-aws-provider", "        - {op: replace, path: /spec, value: {path: ./apps/routes, interval: 3m}}")),
    ).toContain("high");
    const nested = IRSA.replace("{group: pkg.crossplane.io, kind: ControllerConfig, name: aws-config}", "{kind: HTTPRoute, name: web}");
    expect(high(patching("crossplane-aws-provider", nested))).toContain("high");
  });

  it("an entry of a HelmRelease's values, or of objects of any kind, may rewrite traffic config: high", () => {
    const entry = (target: string, patch: string) => `  patches:\n    - target: ${target}\n      patch: |-\n        ${patch}\n`;
    expect(
      risksOf(entry("{kind: HelmRelease, name: web}", "- {op: add, path: /spec/values/ingress, value: {enabled: false}}")),
    ).toContainEqual(REWRITE);
    expect(risksOf(entry("{labelSelector: app=web}", "- {op: add, path: /metadata/labels/tier, value: edge}"))).toContainEqual(REWRITE);
  });

  it("a child the tree does not hold, or a patch that does not read, may rewrite anything: high", () => {
    expect(risksOf(patching("elsewhere"))).toContainEqual(REWRITE);
    expect(risksOf(patching("crossplane-aws-provider", "        - op: add\n          path: [unclosed"))).toContainEqual(REWRITE);
  });
});
