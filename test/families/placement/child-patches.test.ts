import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

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
const child = (name: string, path: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: flux-system}
spec:
  interval: 3m
  path: ${path}
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
`;
const TREE = {
  "tools/provider.yaml": child("crossplane-aws-provider", "./tools/crossplane-aws-provider"),
  "tools/crossplane-aws-provider/provider.yaml":
    "apiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: provider-aws}\nspec:\n  package: xpkg.upbound.io/crossplane-contrib/provider-aws:v0.33.0\n  controllerConfigRef: {name: aws-config}\n",
  "tools/routes.yaml": child("routes", "./apps/routes"),
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
const REWRITE = ["resource.changed", "high", expect.stringContaining("spec.patches rewrite traffic config")];

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

  it("a child that builds an HTTPRoute has its substitutions, namespace or nested patches rewritten: high", () => {
    expect(risksOf(patching("routes"))).toContainEqual(REWRITE);
    expect(risksOf(patching("routes|crossplane-aws-provider"))).toContainEqual(REWRITE);
    const namespace = "        - {op: add, path: /spec/targetNamespace, value: web-v2}";
    expect(risksOf(patching("routes", namespace))).toContainEqual(REWRITE);
  });

  it("a patch that sets what the child builds, or names a traffic kind itself, is high whatever the child builds now", () => {
    const path = "        - {op: replace, path: /spec/path, value: ./apps/routes}";
    expect(risksOf(patching("crossplane-aws-provider", path))).toContainEqual(REWRITE);
    const whole = "        - {op: replace, path: /spec, value: {path: ./apps/routes, interval: 3m}}";
    expect(risksOf(patching("crossplane-aws-provider", whole))).toContainEqual(REWRITE);
    const nested = IRSA.replace("{group: pkg.crossplane.io, kind: ControllerConfig, name: aws-config}", "{kind: HTTPRoute, name: web}");
    expect(risksOf(patching("crossplane-aws-provider", nested))).toContainEqual(REWRITE);
  });

  it("a child whose HTTPRoute does not read (a bare `${HOST}` in a flow list) still builds traffic config: high", () => {
    const unreadable = { "apps/routes/route.yaml": TREE["apps/routes/route.yaml"].replace('["${HOST}"]', "[${HOST}]") };
    expect(unreadable["apps/routes/route.yaml"]).toContain("[${HOST}]");
    const result = analyze(
      { ...TREE, ...unreadable, "clusters/prod/infra.yaml": parent("") },
      { ...TREE, ...unreadable, "clusters/prod/infra.yaml": parent(patching("routes")) },
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.summary])).toContainEqual(REWRITE);
  });

  it("a child the tree does not hold, or a patch that does not read, may rewrite anything: high", () => {
    expect(risksOf(patching("elsewhere"))).toContainEqual(REWRITE);
    expect(risksOf(patching("crossplane-aws-provider", "        - op: add\n          path: [unclosed"))).toContainEqual(REWRITE);
  });
});
