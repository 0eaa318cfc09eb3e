import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJson } from "../../src/report/json-report.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { analyze, classesOf, review } from "../helpers/review-trees.js";
import { fluxKustomization } from "../helpers/flux-kustomization-yaml.js";

const route = (weights: [number, number]) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: checkout, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules:
  - backendRefs:
    - { name: checkout-v1, port: 8080, weight: ${weights[0]} }
    - { name: checkout-v2, port: 8080, weight: ${weights[1]} }
`;

const EVIDENCE = `## Change evidence
- Change request: CHG-1234
- Rollback: kubectl rollout undo deploy/checkout
`;

describe("review: the whole pipeline", () => {
  it("passes at once when nothing in the traffic config changed", () => {
    const tree = { "r.yaml": route([90, 10]), "README.yaml": "just: data\n" };
    const result = review(tree, { ...tree, "README.yaml": "just: other data\n" });
    expect(result.decision).toBe("pass");
    expect(result.risk).toBe("none");
    expect(result.governance.state).toBe("no-traffic-change");
  });

  it("fails a medium-high change until its evidence and approval are there", () => {
    const result = review({ "r.yaml": route([90, 10]) }, { "r.yaml": route([50, 50]) });
    expect(result.risk).toBe("medium-high");
    expect(result.decision).toBe("fail");
    expect(result.governance.unmet).toEqual(expect.arrayContaining(["evidence change-request: missing", "evidence rollback: missing"]));
  });

  it("takes evidence from the PR body and approvals bound to the findings' fingerprints", () => {
    const first = review({ "r.yaml": route([90, 10]) }, { "r.yaml": route([50, 50]) }, { body: EVIDENCE });
    const fingerprints = first.analysis.findings.map((f) => f.fingerprint);
    const approved = review(
      { "r.yaml": route([90, 10]) },
      { "r.yaml": route([50, 50]) },
      {
        body: EVIDENCE,
        prAuthor: "alice",
        approvals: [
          {
            login: "bob",
            at: "2026-11-21T10:00:00Z",
            source: "comment",
            groups: ["service-owners"],
            fingerprints,
            edited: false,
            cancelled: false,
          },
        ],
      },
    );
    expect(approved.governance.unmet).toEqual([]);
    expect(approved.decision).toBe("pass");
    // A different weight is a different finding: the approval is stale.
    const pushed = review(
      { "r.yaml": route([90, 10]) },
      { "r.yaml": route([40, 60]) },
      {
        body: EVIDENCE,
        prAuthor: "alice",
        approvals: [
          {
            login: "bob",
            at: "2026-11-21T10:00:00Z",
            source: "comment",
            groups: ["service-owners"],
            fingerprints,
            edited: false,
            cancelled: false,
          },
        ],
      },
    );
    expect(pushed.decision).toBe("fail");
    expect(pushed.governance.approvals.rules[0]!.stale.map((s) => s.login)).toEqual(["bob"]);
  });

  it("adding the policy under the other spelling, beside the existing one, is governance.policy-changed saying it would not load", () => {
    const tree = { "r.yaml": route([90, 10]), ".github/route-governor.yml": "services: {}\n" };
    const result = review(tree, { ...tree, ".github/route-governor.yaml": "services: {}\n" });
    expect(classesOf(result.analysis)).toEqual(["governance.policy-changed"]);
    expect(result.analysis.findings[0]!.file).toBe(".github/route-governor.yml");
    expect(result.analysis.findings[0]!.summary).toBe(
      ".github/route-governor.yml changed (now .github/route-governor.yml, .github/route-governor.yaml): this PR is governed by the base branch's policy; the new policy does not load, and every review after it merges would stop: .github/route-governor.yml and .github/route-governor.yaml: both exist, and Route Governor does not pick one: delete the one the team does not maintain",
    );
  });

  it("renaming the policy file to .yaml is governance.policy-changed", () => {
    const tree = { "r.yaml": route([90, 10]) };
    const result = review(
      { ...tree, ".github/route-governor.yml": "services: {}\n" },
      { ...tree, ".github/route-governor.yaml": "services: {}\n" },
    );
    expect(result.analysis.findings.map((finding) => [finding.class, finding.file, finding.summary])).toEqual([
      [
        "governance.policy-changed",
        ".github/route-governor.yaml",
        ".github/route-governor.yml changed (now .github/route-governor.yaml): this PR is governed by the base branch's policy",
      ],
    ]);
  });

  it("a change to the policy file is governance.policy-changed, judged under the base policy", () => {
    const tree = { "r.yaml": route([90, 10]) };
    const result = review(
      { ...tree, ".github/route-governor.yml": "services: {}\n" },
      { ...tree, ".github/route-governor.yml": "services: { checkout: { writes: single-region } }\n" },
    );
    expect(classesOf(result.analysis)).toEqual(["governance.policy-changed"]);
    expect(result.risk).toBe("critical");
    expect(result.analysis.findings[0]!.file).toBe(".github/route-governor.yml");
    expect(result.analysis.findings[0]!.summary).toBe(
      ".github/route-governor.yml changed: this PR is governed by the base branch's policy",
    );
  });

  it("a policy file that does not load says so: merged, it would stop every later review", () => {
    const tree = { "r.yaml": route([90, 10]) };
    const result = review(
      { ...tree, ".github/route-governor.yml": "services: {}\n" },
      { ...tree, ".github/route-governor.yml": "servces: {}\n" },
    );
    expect(result.analysis.findings[0]!.summary).toMatch(
      /^\.github\/route-governor\.yml changed: this PR is governed by the base branch's policy; the new policy does not load, and every review after it merges would stop: .*servces/,
    );
  });

  it("judges whether the new policy loads as the next review loads it: over the built-in profile, which it may not loosen", () => {
    const tree = { "r.yaml": route([90, 10]) };
    const summaryWith = (policy: string) => review(tree, { ...tree, ".github/route-governor.yml": policy }).analysis.findings[0]!.summary;
    // An overlay naming the profile's evidence keys and groups loads.
    expect(summaryWith("requirements: {low: {evidence: [change-request]}}\nclasses: {route.added: {approvals: [{group: sre}]}}\n")).toBe(
      ".github/route-governor.yml added: this PR is governed by the base branch's policy",
    );
    // One lowering a class's risk does not.
    expect(summaryWith("classes: {route.removed: {risk: low}}\n")).toMatch(/the new policy does not load.*route\.removed/);
  });

  it("an unreadable traffic file blocks the decision and says where", () => {
    const broken = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  namespace: [unclosed\n";
    const result = review({ "r.yaml": route([90, 10]) }, { "r.yaml": broken });
    expect(result.decision).toBe("fail");
    expect(result.governance.state).toBe("invalid-manifests");
    const invalid = result.analysis.findings.find((f) => f.class === "manifest.invalid")!;
    expect(invalid.file).toBe("r.yaml");
    expect(invalid.line).toBeGreaterThan(1);
  });

  it("an unreadable traffic file takes its risk from the policy like every finding, never below high", () => {
    const broken = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: checkout\n  namespace: [unclosed\n";
    const invalidRisk = (overlay: string) =>
      analyze({ "r.yaml": route([90, 10]) }, { "r.yaml": broken }, overlay).findings.find((f) => f.class === "manifest.invalid")!.risk;
    expect(invalidRisk("")).toBe("high");
    expect(invalidRisk("classes:\n  manifest.invalid: {risk: critical}\n")).toBe("critical");
  });

  it("what an unreadable head file declares is unknown, not removed: only its manifest.invalid finding (kubeflow/manifests 1ad5eee)", () => {
    const namespace = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";
    const gateway =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: { name: public, namespace: infra }\nspec:\n  gatewayClassName: eg\n  listeners: [{ name: http, port: 80, protocol: HTTP }]\n";
    const base = { "bundle.yaml": `${namespace}---\n${route([90, 10])}`, "gw.yaml": gateway };
    const unparsable = { ...base, "bundle.yaml": `${namespace}---\n${route([90, 10]).replace("namespace: shop }", "namespace: [shop }")}` };
    const oversize = { ...base, "bundle.yaml": `${base["bundle.yaml"]}---\n# ${"x".repeat(2 * 1024 * 1024)}\n` };
    // A Latin-1 comment, as a source reads its bytes (core/source-file.ts manifestText): kustomize and Flux refuse the file (probe E05).
    const latin1 = { ...base, "bundle.yaml": `# propri\uDCE9taire: \uDCE9quipe paiement\n${base["bundle.yaml"]}` };
    for (const head of [unparsable, oversize, latin1]) {
      const result = analyze(base, head);
      expect(result.findings.map((f) => f.class)).toEqual(["manifest.invalid"]);
      expect(result.routeDiffs).toEqual([]);
    }
    // An unreadable document that names another resource says nothing of this one: its removal is judged as ever.
    const other = route([90, 10]).replace("name: checkout,", "name: other,").replace("weight: 10", 'weight: "10"');
    const replaced = analyze(base, { ...base, "bundle.yaml": `${namespace}---\n${other}` });
    expect(replaced.head.manifests.invalid.map((item) => item.resource?.name)).toEqual(["other"]);
    expect(replaced.findings.map((f) => [f.class, f.summary])).toEqual([
      ["manifest.invalid", expect.stringContaining("weight")],
      ["resource.changed", "HTTPRoute shop/checkout removed"],
    ]);
  });

  it("a document already unreadable at base vouches for nothing: the file's other resource removed is still a removal", () => {
    const broken = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: other, namespace: [shop }\n";
    const namespace = "apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n";
    const result = analyze(
      { "bundle.yaml": `${namespace}---\n${route([90, 10])}---\n${broken}` },
      { "bundle.yaml": `${namespace}---\n${broken}` },
    );
    expect(result.invalid).toEqual([]);
    expect(result.existingInvalid).toHaveLength(1);
    expect(result.findings.map((f) => [f.class, f.summary])).toEqual([
      ["route.removed", "* via Gateway infra/public: no longer served (was → checkout-v1:8080 90%, checkout-v2:8080 10%)"],
    ]);
  });

  it("a weight written as a string is an invalid manifest naming the field", () => {
    const result = review({ "r.yaml": route([90, 10]) }, { "r.yaml": route([90, 10]).replace("weight: 10", 'weight: "10"') });
    expect(result.decision).toBe("fail");
    expect(result.analysis.invalid[0]!.message).toContain("weight");
  });

  it("a field no detector explains on a judged resource is still listed, as resource.changed", () => {
    const labelled = route([50, 50]).replace(
      "metadata: { name: checkout, namespace: shop }",
      "metadata: { name: checkout, namespace: shop, labels: { team: payments } }",
    );
    const result = review({ "r.yaml": route([90, 10]) }, { "r.yaml": labelled });
    expect(classesOf(result.analysis)).toEqual(["backend.weight-changed", "resource.changed"]);
    expect(result.analysis.findings.find((f) => f.class === "resource.changed")!.summary).toBe(
      'HTTPRoute shop/checkout: metadata.labels added ({"team":"payments"})',
    );
    // Everything explained: no fallback next to the real finding.
    expect(classesOf(review({ "r.yaml": route([90, 10]) }, { "r.yaml": route([50, 50]) }).analysis)).toEqual(["backend.weight-changed"]);
  });

  it("an unreadable file the PR does not change is listed apart and does not block an unrelated change", () => {
    const template = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: {{ .Values.name }}\n";
    const result = review(
      { "chart/vs.yaml": template, "r.yaml": route([90, 10]) },
      { "chart/vs.yaml": template, "r.yaml": route([90, 10]) },
    );
    expect(result.decision).toBe("pass");
    expect(result.analysis.invalid).toEqual([]);
    expect(result.analysis.existingInvalid.map((i) => i.file)).toEqual(["chart/vs.yaml"]);
    // The same template added or edited by the PR blocks.
    const added = review({ "r.yaml": route([90, 10]) }, { "chart/vs.yaml": template, "r.yaml": route([90, 10]) });
    expect(added.governance.state).toBe("invalid-manifests");
  });

  it("an unreadable document the PR leaves as it is does not block an edit elsewhere in its file; editing it, or breaking another, does", () => {
    // gke-networking-recipes: an Istio Gateway without hosts, beside a Deployment whose image is bumped.
    const broken =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: { name: gw, namespace: shop }\nspec:\n  servers: [{ port: { number: 80, name: http, protocol: HTTP } }]\n";
    const deployment = (image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: ${image} }] } } }\n`;
    const file = (image: string, gateway = broken) => `${deployment(image)}---\n${gateway}`;
    const bump = review({ "app.yaml": file("web:1") }, { "app.yaml": file("web:2") });
    expect(bump.analysis.invalid).toEqual([]);
    expect(bump.analysis.existingInvalid).toHaveLength(1);
    expect(bump.decision).toBe("pass");
    const edited = review({ "app.yaml": file("web:1") }, { "app.yaml": file("web:1", broken.replace("name: gw", "name: gateway")) });
    expect(edited.governance.state).toBe("invalid-manifests");
    const another = review(
      { "app.yaml": file("web:1") },
      { "app.yaml": `${file("web:2")}---\n${broken.replace("name: gw", "name: gw2")}` },
    );
    expect(another.analysis.invalid.map((item) => item.resource?.name)).toEqual(["gw2"]);
    // Reformatted (flow style, comments, key order): it says what it said, so it is the same problem.
    const reformatted = `${deployment("web:2")}---\n# still to fix\napiVersion: networking.istio.io/v1\nkind: Gateway\nspec:\n  servers:\n  - port: { protocol: HTTP, name: http, number: 80 }\nmetadata: { namespace: shop, name: gw }\n`;
    const cosmetic = review({ "app.yaml": file("web:1") }, { "app.yaml": reformatted });
    expect(cosmetic.analysis.invalid).toEqual([]);
    expect(cosmetic.decision).toBe("pass");
    // Promoted to another version of its group (gateway-api's hack/invalid-examples v1beta1 → v1): the same refusal.
    const promoted = review({ "app.yaml": file("web:1") }, { "app.yaml": file("web:1", broken.replace("/v1\n", "/v1beta1\n")) });
    expect(promoted.analysis.invalid).toEqual([]);
    expect(promoted.decision).toBe("pass");
  });

  it("a broken document moved with its folder is not a new one; a copy of it into a new file is (gloo-mesh-use-cases 95c1113)", () => {
    const broken =
      "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: { name: gw, namespace: istio-system }\nspec:\n  components: { ingressGateways: [{ name: gw, k8s: { service: { type: LoadBalancer, type: ClusterIP } } }] }\n";
    const moved = review({ "old/iop.yaml": broken }, { "new/iop.yaml": broken });
    expect(moved.analysis.invalid).toEqual([]);
    expect(moved.analysis.existingInvalid.map((item) => item.file)).toEqual(["new/iop.yaml"]);
    const copied = review({ "old/iop.yaml": broken }, { "old/iop.yaml": broken, "new/iop.yaml": broken });
    expect(copied.analysis.invalid.map((item) => item.file)).toEqual(["new/iop.yaml"]);
    // Merged below another file's document: it now opens with `---`, and is the same document.
    const other = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\n";
    const merged = review({ "iop.yaml": broken, "cm.yaml": other }, { "cm.yaml": `${other}---\n${broken}\n` });
    expect(merged.analysis.invalid).toEqual([]);
    expect(merged.analysis.existingInvalid.map((item) => item.file)).toEqual(["cm.yaml"]);
  });

  it("a YAML error whose message names its line is still the same problem when the PR adds lines above it", () => {
    const unparsable =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: vs, namespace: shop }\nspec:\n  hosts: [a]\n   http: bad\n";
    const deployment = (spec: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n${spec}---\n${unparsable}`;
    const result = review({ "app.yaml": deployment("  replicas: 1\n") }, { "app.yaml": deployment("  replicas: 2\n  paused: false\n") });
    expect(result.analysis.existingInvalid.map((item) => item.message)).toEqual([expect.stringMatching(/line \d+, column/)]);
    expect(result.analysis.invalid).toEqual([]);
  });
});

/** Small excerpts of real public files (test/fixtures/real/README.md). */
const real = (name: string) => readFileSync(new URL(`../fixtures/real/${name}`, import.meta.url), "utf8");

describe("review: a harmless PR is never blocked by YAML that is not traffic config", () => {
  const workflow = real("flux-e2e-workflow.yaml");
  const crd = real("istio-gateway-crd-wrapped-description.yaml");

  it("passes a workflow bump and a CRD update, and says in one line what it did not review", () => {
    const base = { "r.yaml": route([90, 10]), "ci/e2e.yaml": workflow, "crds/istio.yaml": crd };
    const head = {
      ...base,
      "ci/e2e.yaml": workflow.replace("actions/checkout@v7", "actions/checkout@v8"),
      "crds/istio.yaml": crd.replace("release: istio", "release: istio-1"),
    };
    const result = review(base, head);
    expect(result.decision).toBe("pass");
    expect(result.analysis.findings).toEqual([]);
    // The workflow names Envoy Gateway's group in a label selector: listed, as every file that names a traffic group is.
    expect(result.analysis.skipped).toEqual([
      { file: "ci/e2e.yaml", line: 1, reason: "not a Kubernetes object: no apiVersion and kind" },
      { file: "crds/istio.yaml", line: 1, reason: "not a traffic kind: CustomResourceDefinition (apiextensions.k8s.io/v1)" },
    ]);
    expect(renderMarkdown(result)).toContain(
      "<sub>Not reviewed: 2 changed files not traffic config (`ci/e2e.yaml`: not a Kubernetes object: no apiVersion and kind; `crds/istio.yaml`: not a traffic kind: CustomResourceDefinition (apiextensions.k8s.io/v1))</sub>",
    );
    expect(JSON.parse(renderJson(result))).toMatchObject({ skipped: result.analysis.skipped, excluded: { changed: [], total: 0 } });
  });

  it("does not read files the policy's paths exclude, however broken, and counts the changed ones", () => {
    const broken = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: [broken\n";
    const base = { "r.yaml": route([90, 10]), "internal/testdata/route.yaml": route([90, 10]), ".github/workflows/ci.yaml": workflow };
    const head = {
      ...base,
      "internal/testdata/route.yaml": broken,
      ".github/workflows/ci.yaml": `${workflow}# bumped\n`,
      ".github/old.yaml": broken,
    };
    const result = review(base, head);
    expect(result.decision).toBe("pass");
    expect(result.analysis.invalid).toEqual([]);
    expect(result.analysis.excluded).toEqual({
      changed: [".github/old.yaml", ".github/workflows/ci.yaml", "internal/testdata/route.yaml"],
      total: 3,
    });
    expect(renderMarkdown(result)).toContain("<sub>Not reviewed: 3 changed files excluded by the policy's `paths` (3 in the tree)</sub>");
    // A repository that reviews its test data sees the broken route again.
    expect(review(base, head, { overlay: 'paths: { exclude: [".github/**"] }\n' }).analysis.invalid.map((item) => item.file)).toEqual([
      "internal/testdata/route.yaml",
    ]);
  });

  it("shows no line when every changed file was reviewed", () => {
    expect(renderMarkdown(review({ "r.yaml": route([90, 10]) }, { "r.yaml": route([50, 50]) }))).not.toContain("Not reviewed");
  });
});

describe("review: an IstioOperator without metadata (istioctl install -f) is reviewed", () => {
  // The Anthos Service Mesh sample, given the multicluster settings of Istio's install guides.
  const operator = (mesh: string, cluster: string, network: string, trustDomain: string) =>
    real("asm-istiooperator-without-metadata.yaml").replace(
      "spec:\n  meshConfig:\n",
      `spec:\n  values:\n    global:\n      meshID: ${mesh}\n      multiCluster:\n        clusterName: ${cluster}\n      network: ${network}\n  meshConfig:\n    trustDomain: ${trustDomain}\n`,
    );

  it("finds meshID, clusterName, network and trustDomain changes on the operator its file names", () => {
    const result = analyze(
      { "cluster1.yaml": operator("mesh1", "cluster1", "network1", "cluster.local") },
      { "cluster1.yaml": operator("mesh2", "cluster9", "network2", "corp.example") },
    );
    expect(result.invalid).toEqual([]);
    const trust = result.findings.filter((finding) => finding.class === "trust.changed");
    expect(trust.map((finding) => finding.summary.split(":")[1]?.trim().split(" ")[0]).sort()).toEqual([
      "global.meshID",
      "global.multiCluster.clusterName",
      "global.network",
      "meshConfig.trustDomain",
    ]);
    expect(new Set(trust.map((finding) => `${finding.resource.kind} ${finding.resource.name} ${finding.file}`))).toEqual(
      new Set(["IstioOperator (unnamed) in cluster1.yaml cluster1.yaml"]),
    );
    // Named as what it is: not `default/cluster1.yaml`, a name in a namespace no object has.
    expect(
      trust.every(
        (finding) =>
          finding.summary.startsWith("IstioOperator (unnamed) in cluster1.yaml: global.") ||
          finding.summary.startsWith("IstioOperator (unnamed) in cluster1.yaml: meshConfig."),
      ),
    ).toBe(true);
  });
});

describe("review: one identity defined twice in one file", () => {
  it("is a high manifest.invalid finding, and the review judges the later document kubectl applies", () => {
    const twice = `${route([90, 10])}---\n${route([0, 100])}`;
    const result = analyze({ "r.yaml": route([90, 10]) }, { "r.yaml": twice });
    expect(result.findings.map((f) => [f.class, f.risk, f.line, f.summary])).toEqual([
      [
        "manifest.invalid",
        "high",
        3,
        "HTTPRoute shop/checkout: defined twice in this file: kubectl applies the later document (line 13), which this review uses",
      ],
      ["backend.weight-changed", "medium-high", 17, "* via Gateway infra/public: checkout-v1:8080 90% → 0%, checkout-v2:8080 10% → 100%"],
    ]);
  });
});

describe("review: a file moved out of what the GitOps objects apply is removed, one moved in added", () => {
  const fluxApps = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec:
  interval: 10m
  sourceRef: { kind: GitRepository, name: flux-system }
  path: ./apps/prod
  prune: true
`;
  const argoShop = (directory = "") => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: shop, namespace: argocd }
spec:
  source: { repoURL: https://github.com/example/fleet.git, path: apps/prod${directory} }
  destination: { server: https://kubernetes.default.svc, namespace: shop }
`;
  const moved = (gitops: Record<string, string>, from: string, to: string) =>
    review({ ...gitops, [from]: route([90, 10]) }, { ...gitops, [to]: route([90, 10]) });

  it("a route moved out of a Flux Kustomization's path is pruned: high, as its deletion is (D98)", () => {
    const result = moved({ "clusters/prod/apps.yaml": fluxApps }, "apps/prod/checkout.yaml", "apps/staging/checkout.yaml");
    expect(classesOf(result.analysis)).toContain("route.removed");
    expect(result.risk).toBe("high");
  });

  it("a route listed by the kustomization Flux builds, unlisted and archived where nothing applies it, is removed (D111)", () => {
    const gitops = { "clusters/prod/apps.yaml": fluxApps };
    const result = review(
      { ...gitops, "apps/prod/kustomization.yaml": "resources: [checkout.yaml]\n", "apps/prod/checkout.yaml": route([90, 10]) },
      { ...gitops, "apps/prod/kustomization.yaml": "resources: []\n", "apps/old/checkout.yaml": route([90, 10]) },
    );
    expect(classesOf(result.analysis)).toContain("route.removed");
    expect(result.risk).toBe("high");
  });

  it("into a subfolder of an Argo CD directory source: removed, unless the source recurses (D99, H97)", () => {
    const [from, to] = ["apps/prod/checkout.yaml", "apps/prod/routes/checkout.yaml"];
    expect(moved({ "argocd/shop.yaml": argoShop() }, from, to).risk).toBe("high");
    expect(moved({ "argocd/shop.yaml": argoShop(", directory: { recurse: true }") }, from, to).risk).toBe("none");
  });

  it("renamed .yml under an Argo CD include of '*.yaml': removed (D100)", () => {
    const result = moved(
      { "argocd/shop.yaml": argoShop(", directory: { include: '*.yaml' }") },
      "apps/prod/checkout.yaml",
      "apps/prod/checkout.yml",
    );
    expect(classesOf(result.analysis)).toContain("route.removed");
  });

  it("renamed .json or .YAML where Flux generates the kustomization (it lists .yaml and .yml only): removed; back to .yaml: added (probe F20, F21)", () => {
    const gitops = { "clusters/prod/apps.yaml": fluxApps };
    for (const renamed of ["apps/prod/checkout.json", "apps/prod/checkout.YAML"]) {
      const away = moved(gitops, "apps/prod/checkout.yaml", renamed);
      expect(classesOf(away.analysis)).toContain("route.removed");
      expect(away.risk).toBe("high");
      expect(classesOf(moved(gitops, renamed, "apps/prod/checkout.yml").analysis)).toContain("route.added");
    }
    // A kustomization that lists it by name applies it whatever its name.
    const listed = { ...gitops, "apps/prod/kustomization.yaml": "resources: [checkout.json]\n" };
    const byName = review(
      { ...listed, "apps/prod/kustomization.yaml": "resources: [checkout.yaml]\n", "apps/prod/checkout.yaml": route([90, 10]) },
      { ...listed, "apps/prod/checkout.json": route([90, 10]) },
    );
    expect(classesOf(byName.analysis)).not.toContain("route.removed");
  });

  it("a move between two applied places, or two places nothing applies, is the same route", () => {
    const gitops = { "clusters/prod/apps.yaml": fluxApps };
    expect(moved(gitops, "apps/prod/checkout.yaml", "apps/prod/shop/checkout.yaml").analysis.findings).toEqual([]);
    expect(moved(gitops, "apps/old/checkout.yaml", "apps/archive/checkout.yaml").analysis.findings).toEqual([]);
    // A tree without GitOps objects is reviewed as written: wherever its files are.
    expect(moved({}, "apps/prod/checkout.yaml", "apps/old/checkout.yaml").analysis.findings).toEqual([]);
  });

  describe("between folders each cluster's own Flux root delivers", () => {
    // The standard layout: every cluster's root Kustomization is flux-system/flux-system, in its own folder.
    const cluster = (name: string) => ({
      [`clusters/${name}/flux-system/gotk-sync.yaml`]: fluxApps
        .replace("name: apps,", "name: flux-system,")
        .replace("./apps/prod", `./clusters/${name}`),
      [`clusters/${name}/apps.yaml`]: fluxApps.replace("./apps/prod", `./apps/${name}`),
    });
    const gitops = { ...cluster("prod"), ...cluster("staging") };

    it("a route moved from prod's folder to staging's is pruned on prod and created on staging (mv1)", () => {
      const result = moved(gitops, "apps/prod/checkout.yaml", "apps/staging/checkout.yaml");
      const findings = result.analysis.findings.map((finding) => [finding.class, finding.file]);
      expect(findings).toContainEqual(["route.removed", "apps/prod/checkout.yaml"]);
      expect(findings).toContainEqual(["route.added", "apps/staging/checkout.yaml"]);
      expect(classesOf(result.analysis)).not.toContain("resource.changed");
      expect(result.risk).toBe("high");
    });

    it("a move to where only an object of unknown reach may deliver it is the same route: where it lands is not told", () => {
      const unknownReach = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: apps, namespace: argocd }
spec:
  generators: [{ clusterDecisionResource: { configMapRef: acm-placement } }]
  template:
    metadata: { name: "{{name}}" }
    spec:
      source: { repoURL: https://github.com/example/fleet.git, path: "{{path}}" }
      destination: { server: "{{server}}", namespace: shop }
`;
      const result = moved({ ...gitops, "argocd/apps.yaml": unknownReach }, "apps/prod/checkout.yaml", "elsewhere/checkout.yaml");
      expect(result.analysis.findings).toEqual([]);
    });

    it("a move within one cluster's folder, or into a base both clusters' folders list, keeps the route where it was", () => {
      expect(moved(gitops, "apps/prod/checkout.yaml", "apps/prod/shop/checkout.yaml").analysis.findings).toEqual([]);
      const listing = {
        "apps/prod/kustomization.yaml": "resources: [../base]\n",
        "apps/staging/kustomization.yaml": "resources: [../base]\n",
      };
      const intoBase = review(
        {
          ...gitops,
          ...listing,
          "apps/prod/kustomization.yaml": "resources: [../base, checkout.yaml]\n",
          "apps/base/kustomization.yaml": "resources: []\n",
          "apps/prod/checkout.yaml": route([90, 10]),
        },
        {
          ...gitops,
          ...listing,
          "apps/base/kustomization.yaml": "resources: [checkout.yaml]\n",
          "apps/base/checkout.yaml": route([90, 10]),
        },
      );
      // Staging gains it (a limitation: docs/families.md); prod keeps it, and nothing reads as removed.
      expect(classesOf(intoBase.analysis)).not.toContain("route.removed");
      expect(classesOf(intoBase.analysis)).not.toContain("route.added");
    });
  });

  describe("identical copies of a route, one dropped", () => {
    const cluster = (name: string) => ({
      [`clusters/${name}/flux-system/gotk-sync.yaml`]: fluxApps
        .replace("name: apps,", "name: flux-system,")
        .replace("./apps/prod", `./clusters/${name}`),
      [`clusters/${name}/apps.yaml`]: fluxApps.replace("./apps/prod", `./apps/${name}`),
    });
    const copies = { "apps/prod/checkout.yaml": route([90, 10]), "apps/staging/checkout.yaml": route([90, 10]) };
    const { "apps/staging/checkout.yaml": _dropped, ...prodOnly } = copies;
    const overlay = "topology:\n  clusters: { prod: eu, staging: us }\n  placements: ['clusters/{cluster}/**']\n";

    it("from the cluster Flux delivers it to while another cluster keeps its own: removed there (M4e)", () => {
      const gitops = { ...cluster("prod"), ...cluster("staging") };
      const result = review({ ...gitops, ...copies }, { ...gitops, ...prodOnly }, { overlay });
      expect(result.analysis.findings.filter((f) => f.class === "route.removed").map((f) => f.file)).toEqual([
        "apps/staging/checkout.yaml",
      ]);
      expect(result.risk).toBe("high");
    });

    it("with no policy: each cluster's Flux root is a cluster of its own, as a cluster holds one flux-system/flux-system (M4)", () => {
      const gitops = { ...cluster("prod"), ...cluster("staging") };
      const result = review({ ...gitops, ...copies }, { ...gitops, ...prodOnly });
      expect(result.analysis.findings.filter((f) => f.class === "route.removed").map((f) => f.file)).toEqual([
        "apps/staging/checkout.yaml",
      ]);
    });

    it("a Namespace removed from one root's folder is deleted there, though the other root's copy stays (reviewer ns2)", () => {
      const gitops = { ...cluster("prod"), ...cluster("staging") };
      const ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: { istio-injection: enabled }\n";
      const both = { ...gitops, ...copies, "apps/prod/ns.yaml": ns, "apps/staging/ns.yaml": ns };
      const { "apps/prod/ns.yaml": _gone, ...prodless } = both;
      const result = review(both, prodless);
      const broken = result.analysis.findings.filter((f) => f.class === "reference.broken");
      expect(broken.map((f) => [f.file, f.risk])).toEqual([["apps/prod/ns.yaml", "high"]]);
      expect(broken[0]?.summary).toContain("1 traffic resource stays");
    });

    it("from folders nothing delivers: removed there too, as nothing says the two are applied as one (session 45 probe B, F11)", () => {
      const result = review(copies, prodOnly, { overlay });
      expect(result.analysis.findings.filter((f) => f.class === "route.removed").map((f) => f.file)).toEqual([
        "apps/staging/checkout.yaml",
      ]);
    });
  });

  describe("between folders Argo CD Applications deliver to the cluster Argo CD runs in (in-cluster)", () => {
    const app = (name: string, path: string) =>
      argoShop().replace("name: shop,", `name: ${name},`).replace("path: apps/prod", `path: ${path}`);

    it("of one identity in each cluster's folder (an Argo CD per cluster): pruned on one, created on the other (M3)", () => {
      const gitops = {
        "clusters/prod/apps/shop.yaml": app("shop", "apps/prod"),
        "clusters/staging/apps/shop.yaml": app("shop", "apps/staging"),
      };
      const result = moved(gitops, "apps/prod/checkout.yaml", "apps/staging/checkout.yaml");
      const findings = result.analysis.findings.map((finding) => [finding.class, finding.file]);
      expect(findings).toContainEqual(["route.removed", "apps/prod/checkout.yaml"]);
      expect(findings).toContainEqual(["route.added", "apps/staging/checkout.yaml"]);
      expect(result.risk).toBe("high");
    });

    it("of two identities (one Argo CD may hold both), or where the policy names in-cluster, the same route", () => {
      const gitops = { "argocd/shop.yaml": app("shop", "apps/prod"), "argocd/cart.yaml": app("cart", "apps/staging") };
      expect(moved(gitops, "apps/prod/checkout.yaml", "apps/staging/checkout.yaml").analysis.findings).toEqual([]);
      const named = {
        "clusters/prod/apps/shop.yaml": app("shop", "apps/prod"),
        "clusters/staging/apps/shop.yaml": app("shop", "apps/staging"),
      };
      const overlay = "topology:\n  clusters: { in-cluster: eu }\n";
      const [from, to] = ["apps/prod/checkout.yaml", "apps/staging/checkout.yaml"];
      const result = review({ ...named, [from]: route([90, 10]) }, { ...named, [to]: route([90, 10]) }, { overlay });
      expect(classesOf(result.analysis)).not.toContain("route.removed");
    });
  });

  it("a kustomization deleted from a Flux Kustomization's path applies the files beside it that it did not list; one added prunes them", () => {
    const gitops = {
      "clusters/prod/apps.yaml": fluxApps,
      "apps/prod/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: shop }\n",
    };
    const listing = {
      ...gitops,
      "apps/prod/kustomization.yaml": "resources: [web.yaml]\n",
      "apps/prod/old/checkout.yaml": route([90, 10]),
    };
    const generated = { ...gitops, "apps/prod/old/checkout.yaml": route([90, 10]) };
    // Flux generates a kustomization of every file under the path, subfolders too.
    const dropped = review(listing, generated);
    expect(dropped.analysis.findings.filter((finding) => finding.class === "route.added").map((finding) => finding.file)).toEqual([
      "apps/prod/old/checkout.yaml",
    ]);
    expect(classesOf(dropped.analysis)).not.toContain("route.removed");
    const added = review(generated, listing);
    expect(added.analysis.findings.filter((finding) => finding.class === "route.removed").map((finding) => finding.file)).toEqual([
      "apps/prod/old/checkout.yaml",
    ]);
    expect(added.risk).toBe("high");
    // A tree without GitOps objects says nothing of what is applied: its files are reviewed as written either way.
    const { "clusters/prod/apps.yaml": _flux, ...plain } = listing;
    const { "clusters/prod/apps.yaml": _flux2, ...plainGenerated } = generated;
    expect(review(plain, plainGenerated).analysis.findings.filter((finding) => finding.class.startsWith("route."))).toEqual([]);
  });

  describe("an app switched on or off by (un)commenting its ks.yaml in the parent kustomization (ishioni/homelab-ops fb4ca12b99)", () => {
    const app = (listed: boolean, weights: [number, number] = [90, 10]) => ({
      "clusters/prod/apps.yaml": fluxApps,
      "apps/prod/kustomization.yaml": `resources:\n  - ./web.yaml\n  ${listed ? "" : "# "}- ./hass/ks.yaml\n`,
      "apps/prod/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web, namespace: shop }\n",
      "apps/prod/hass/ks.yaml": fluxApps.replace("name: apps", "name: hass").replace("./apps/prod", "./apps/hass"),
      "apps/hass/route.yaml": route(weights),
    });
    const routeFindings = (result: ReturnType<typeof review>) =>
      result.analysis.findings.filter((finding) => finding.class.startsWith("route.") || finding.class.startsWith("backend."));

    it("switched on, its route is added, as a new app's is, not re-delivered: medium", () => {
      const result = review(app(false), app(true));
      expect(routeFindings(result).map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
        ["route.added", "medium", "apps/hass/route.yaml"],
      ]);
      expect(result.risk).toBe("medium");
    });

    it("switched on with its route edited on the way, the route is still added: the base's was applied nowhere", () => {
      const result = review(app(false), app(true, [50, 50]));
      expect(routeFindings(result).map((finding) => [finding.class, finding.risk])).toEqual([["route.added", "medium"]]);
    });

    it("switched off, its route is pruned: high", () => {
      const result = review(app(true), app(false));
      expect(classesOf(result.analysis)).toContain("route.removed");
      expect(result.risk).toBe("high");
    });
  });

  it("a route moved from where nothing applies it into a Flux Kustomization's path is added", () => {
    const result = moved({ "clusters/prod/apps.yaml": fluxApps }, "apps/old/checkout.yaml", "apps/prod/checkout.yaml");
    expect(classesOf(result.analysis)).toContain("route.added");
    expect(classesOf(result.analysis)).not.toContain("route.removed");
  });
});

describe("review: an archive folder of Flux Kustomizations nothing delivers (auricom/home-ops 882542eaad)", () => {
  const flux = (name: string, path: string) => fluxKustomization(name, path);
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: cilium
  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }]
`;
  const live = (listed: string[]) => ({
    "kubernetes/flux/apps.yaml": flux("cluster-apps", "./kubernetes/apps"),
    "kubernetes/apps/kustomization.yaml": `resources: [${listed.join(", ")}]\n`,
    "kubernetes/apps/infra/ks.yaml": flux("infra", "./kubernetes/apps/infra/app"),
    "kubernetes/apps/infra/app/gateway.yaml": gateway,
  });
  const web = (path: string) => flux("web", path);
  // An old app's Kustomization naming the folder it left, its route, and an old Gateway beside them.
  const archive = {
    ".archive/kubernetes/web/ks.yaml": web("./kubernetes/apps/shop/web/app"),
    ".archive/kubernetes/web/app/route.yaml": route([90, 10]),
    ".archive/kubernetes/cilium/gateway.yaml": gateway.replace("name: public", "name: old"),
  };

  it("deleted, or edited, it changes nothing that runs", () => {
    const base = { ...live(["infra/ks.yaml"]), ...archive };
    expect(review(base, live(["infra/ks.yaml"])).analysis.findings.filter((finding) => finding.risk !== "low")).toEqual([]);
    const edited = review(base, { ...base, ".archive/kubernetes/web/app/route.yaml": route([0, 100]) });
    expect(edited.analysis.findings.map((finding) => [finding.risk, finding.summary])).toEqual([
      [
        "low",
        "HTTPRoute shop/checkout: edited in .archive/kubernetes/web/app/route.yaml, which is not applied (it is kept in an archive folder, among Flux Kustomizations that nothing delivers, and nothing else reads it): no object of the cluster changes",
      ],
    ]);
  });

  it("so is one kept in the archive with its app", () => {
    const inside = { ".archive/web/ks.yaml": web("./.archive/web/app"), ".archive/web/app/route.yaml": route([90, 10]) };
    const result = review({ ...live(["infra/ks.yaml"]), ...inside }, live(["infra/ks.yaml"]));
    expect(classesOf(result.analysis)).not.toContain("route.removed");
  });

  it("a live app archived, its Kustomization moved into the archive with it or naming its old folder, is removed: high", () => {
    const base = {
      ...live(["infra/ks.yaml", "shop/web/ks.yaml"]),
      "kubernetes/apps/shop/web/ks.yaml": web("./kubernetes/apps/shop/web/app"),
      "kubernetes/apps/shop/web/app/route.yaml": route([90, 10]),
    };
    for (const path of ["./.archive/kubernetes/web/app", "./kubernetes/apps/shop/web/app"]) {
      const head = { ...live(["infra/ks.yaml"]), ...archive, ".archive/kubernetes/web/ks.yaml": web(path) };
      const result = review(base, head);
      expect(classesOf(result.analysis)).toContain("route.removed");
      expect(result.risk).toBe("high");
    }
  });

  it("a route in an archive folder that a live Kustomization delivers is judged", () => {
    const delivered = {
      ...live(["infra/ks.yaml", "shop/web/ks.yaml"]),
      ...archive,
      "kubernetes/apps/shop/web/ks.yaml": web("./.archive/kubernetes/web/app"),
    };
    const result = review(delivered, { ...delivered, ".archive/kubernetes/web/app/route.yaml": route([0, 100]) });
    expect(classesOf(result.analysis)).toContain("backend.weight-changed");
  });
});

describe("review: a route of an app repository whose Flux variables another repository substitutes", () => {
  const route = (lines: { weight?: string; backend?: string; label?: string } = {}) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: foo
  namespace: shop
  labels: {gateway: web${lines.label ?? ""}}
spec:
  parentRefs: [{name: web}]
  hostnames: ["\${FOO_HOST}"]
  rules:
  - backendRefs:
    - name: foo-v1
      port: 8080
      weight: \${STABLE_WEIGHT}
    - name: ${lines.backend ?? "foo-v2"}
      port: 8080
      weight: ${lines.weight ?? "\${CANARY_WEIGHT}"}
`;
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: shop}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}]
`;
  const tree = (text: string) => ({ "apps/prod/gateway.yaml": gateway, "apps/prod/foo.yaml": text });

  it("a label added beside the variables is the label, low: the variables are unknown, not invalid (probe H109)", () => {
    const result = review(tree(route()), tree(route({ label: ", team: shop" })));
    expect(result.analysis.findings.map((finding) => [finding.risk, finding.class])).toEqual([["low", "resource.changed"]]);
    expect(result.decision).toBe("pass");
  });

  it("a variable replaced by a literal, or renamed, changes a value the tree does not hold: high, saying both as written", () => {
    const literal = review(tree(route()), tree(route({ weight: "100" })));
    const unknown = literal.analysis.findings.find((finding) => finding.risk === "high")!;
    expect(unknown.class).toBe("resource.changed");
    expect(unknown.summary).toContain("spec.rules[0].backendRefs[1].weight: ${CANARY_WEIGHT} → 100");
    expect(classesOf(literal.analysis)).toContain("backend.weight-changed");
    const renamed = review(tree(route()), tree(route({ weight: "${CANARY_WEIGHT_V2}" })));
    expect(renamed.analysis.findings.map((finding) => [finding.risk, finding.summary])).toEqual([
      ["high", expect.stringContaining("${CANARY_WEIGHT} → ${CANARY_WEIGHT_V2}")],
    ]);
    const toVariable = review(tree(route({ weight: "10" })), tree(route()));
    expect(toVariable.risk).toBe("high");
  });

  it("every weight set to 0 is all backends removed, critical; a backend swapped beside the variables is judged as a backend change", () => {
    const drained = review(tree(route().replace("${STABLE_WEIGHT}", "0")), tree(route({ weight: "0" }).replace("${STABLE_WEIGHT}", "0")));
    expect(classesOf(drained.analysis)).toContain("backend.all-removed");
    expect(drained.risk).toBe("critical");
    const swapped = review(tree(route()), tree(route({ backend: "foo-v3" })));
    expect(classesOf(swapped.analysis)).toContain("backend.weight-changed");
  });
});

describe("review: a resource added, removed or re-scoped with a field left as a Flux variable the tree does not hold", () => {
  const peerAuthentication = (selector: boolean) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: legacy, namespace: payments}
spec:
${selector ? "  selector:\n    matchLabels: {app: legacy-batch}\n" : ""}  mtls:
    mode: \${MTLS_MODE}
`;
  const namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n  labels: {istio-injection: enabled}\n";
  const tree = (policy?: string) => ({ "apps/ns.yaml": namespace, ...(policy ? { "apps/pa.yaml": policy } : {}) });
  const high = (result: ReturnType<typeof review>) =>
    result.analysis.findings.filter((finding) => finding.risk === "high").map((finding) => finding.summary);

  it("added or removed, what it applies is unknown: high, never the unset reading (reviewB var1: the Secret's DISABLE is critical)", () => {
    const added = review(tree(), tree(peerAuthentication(false)));
    expect(added.risk).toBe("high");
    expect(high(added)).toEqual([
      "PeerAuthentication payments/legacy added: spec.mtls.mode is ${MTLS_MODE}, a value this tree does not hold: what it applies is unknown",
    ]);
    expect(high(review(tree(peerAuthentication(true)), tree()))).toEqual([
      "PeerAuthentication payments/legacy removed: spec.mtls.mode is ${MTLS_MODE}, a value this tree does not hold: what it applied is unknown",
    ]);
  });

  it("its selector removed, the unknown mode now applies namespace-wide: high (reviewB var2); a label added beside it stays low", () => {
    const widened = review(tree(peerAuthentication(true)), tree(peerAuthentication(false)));
    expect(widened.risk).toBe("high");
    expect(high(widened)).toEqual([expect.stringContaining("applies an unknown spec.mtls.mode (${MTLS_MODE}")]);
    const labelled = review(
      tree(peerAuthentication(true)),
      tree(peerAuthentication(true).replace("namespace: payments}", "namespace: payments, labels: {team: pay}}")),
    );
    expect(labelled.risk).toBe("low");
  });
});

describe("review: a trust field between a Flux variable the tree does not hold and a literal it may stand for", () => {
  const policy = (hostname: string, annotations = "") => `apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: truenas, namespace: network${annotations}}
spec:
  targetRefs: [{group: "", kind: Service, name: truenas}]
  validation:
    hostname: "${hostname}"
    wellKnownCACertificates: System
`;
  const judged = (before: string, after: string) =>
    review({ "apps/policy.yaml": before }, { "apps/policy.yaml": after }).analysis.findings.map((finding) => [
      finding.risk,
      finding.class,
      finding.summary,
    ]);

  /** The policy delivered by a Flux Kustomization with `postBuild` (none where undefined). */
  const delivered = (text: string, postBuild?: string) => ({
    "apps/policy.yaml": text,
    "clusters/main/apps.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
${postBuild ? `  postBuild:\n${postBuild}` : ""}`,
  });
  const fromSecret = "    substituteFrom:\n    - {kind: Secret, name: cluster-secrets}\n";
  const judgedIn = (before: Record<string, string>, after: Record<string, string>) =>
    review(before, after).analysis.findings.map((finding) => [finding.risk, finding.class, finding.summary]);

  it("${SECRET_DOMAIN} ⇄ the literal it may be, its value in a Secret the tree does not hold: may differ, high, not a trust change (gavinmcfall/home-ops 3ab03f3adc, 429576fa4a)", () => {
    const summary =
      "BackendTLSPolicy network/truenas: validation.hostname ${SECRET_DOMAIN} → nerdz.cloud: upstream certificate validation changes — unless ${SECRET_DOMAIN} is nerdz.cloud: the value Flux substitutes is not in this tree, so the two may be equal";
    expect(judgedIn(delivered(policy("${SECRET_DOMAIN}"), fromSecret), delivered(policy("nerdz.cloud"), fromSecret))).toEqual([
      ["high", "resource.changed", summary],
    ]);
    expect(judgedIn(delivered(policy("nas.nerdz.cloud"), fromSecret), delivered(policy("nas.${SECRET_DOMAIN}"), fromSecret))).toEqual([
      ["high", "resource.changed", expect.stringContaining("unless ${SECRET_DOMAIN} is nerdz.cloud")],
    ]);
  });

  it("in a tree whose Flux Kustomizations do not apply the file (an app repository): may differ, high, saying it is substituted elsewhere if at all", () => {
    expect(judged(policy("${SECRET_DOMAIN}"), policy("nerdz.cloud"))).toEqual([
      [
        "high",
        "resource.changed",
        "BackendTLSPolicy network/truenas: validation.hostname ${SECRET_DOMAIN} → nerdz.cloud: upstream certificate validation changes — unless ${SECRET_DOMAIN} is nerdz.cloud: no Flux Kustomization of this tree applies the file (an app repository's values are substituted where it is delivered from), so the two may be equal",
      ],
    ]);
  });

  it("applied by a Kustomization without postBuild, Flux applies the ${VAR} as written: a trust change (reviewer c5)", () => {
    expect(judgedIn(delivered(policy("nas.nerdz.cloud")), delivered(policy("nas.${SECRET_DOMAIN}")))).toEqual([
      ["critical", "trust.changed", expect.stringContaining("validation.hostname nas.nerdz.cloud → nas.${SECRET_DOMAIN}")],
    ]);
  });

  it("certificateRefs compared in order: a ${VAR} ref reads as the ref in its place, never as one a new default sorted behind it (reviewer c8)", () => {
    const gateway = (...refs: string[]) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: external, namespace: networking}
spec:
  gatewayClassName: envoy
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls:
      certificateRefs: [${refs.map((name) => `{name: "${name}"}`).join(", ")}]
`;
    expect(judgedIn(delivered(gateway("${CERT_NAME}-tls", "b-tls"), fromSecret), delivered(gateway("b-tls", "a-tls"), fromSecret))).toEqual(
      [
        [
          "critical",
          "trust.changed",
          expect.stringContaining(
            "[Secret networking/${CERT_NAME}-tls, Secret networking/b-tls] → [Secret networking/b-tls, Secret networking/a-tls]",
          ),
        ],
      ],
    );
    expect(judgedIn(delivered(gateway("${CERT_NAME}-tls", "b-tls"), fromSecret), delivered(gateway("a-tls", "b-tls"), fromSecret))).toEqual(
      [["high", "resource.changed", expect.stringContaining("unless ${CERT_NAME} is a")]],
    );
  });

  it("a literal the variable cannot stand for, another variable, or substitution disabled: a trust change as before", () => {
    const critical = [["critical", "trust.changed", expect.stringContaining("validation.hostname")]];
    expect(judged(policy("nas.${SECRET_DOMAIN}"), policy("backup.nerdz.cloud"))).toEqual(critical);
    expect(judged(policy("nas.${SECRET_DOMAIN}"), policy("nas."))).toEqual(critical);
    expect(judged(policy("${SECRET_DOMAIN}"), policy("${OTHER_DOMAIN}"))).toEqual(critical);
    const disabled = ", annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}";
    expect(judged(policy("${SECRET_DOMAIN}", disabled), policy("nerdz.cloud", disabled))).toEqual(critical);
  });
});
