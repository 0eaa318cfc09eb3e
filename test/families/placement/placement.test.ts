import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifests/load-manifests.js";
import { compileFilePlacement } from "../../../src/model/file-placement.js";
import { PolicySchema } from "../../../src/policy/policy-schema.js";
import { placementDetector } from "../../../src/families/placement/placement.js";
import type { Detection } from "../../../src/core/finding.js";
import { analyze, classesOf, policyWith } from "../../helpers/review-trees.js";
import { bootstrapSet, UNFILLED_PATH } from "../../helpers/bootstrap-application-set.js";
import { httpRoute } from "../../helpers/http-route-yaml.js";
import { changeOf, expectDetections, type Expected } from "../../detect/resource-fixture.js";
import { detectorContext } from "../../../src/detect/detector-context.js";
import { planRenders } from "../../../src/render/render-plan.js";
import type { RenderResult } from "../../../src/render/render-result.js";

type Tree = Record<string, string>;

const POLICY = PolicySchema.parse({
  topology: {
    placements: ["clusters/{cluster}/**"],
    clusters: { "jkt-prod": "asia-southeast2", "sgp-prod": "asia-southeast1", production: "eu-west-1" },
  },
});

/** Runs the placement detector on the object at `key` of two whole trees, loaded as the review loads them. */
const detectIn = (key: string, base: Tree, head: Tree, withTexts = false, policy: typeof POLICY = POLICY): Detection[] => {
  const clusterOfFile = compileFilePlacement(policy.topology.placements);
  const load = (tree: Tree) =>
    loadManifests(
      Object.entries(tree).map(([path, text]) => ({ path, text })),
      { scopeOf: clusterOfFile },
    );
  const before = load(base);
  const after = load(head);
  const baseResource = before.resources.get(key);
  const headResource = after.resources.get(key);
  // File texts, for detectors that read what a path holds beyond its traffic config.
  const texts = (tree: Tree) => (withTexts ? Object.entries(tree).map(([path, text]) => ({ path, text })) : []);
  const files = { base: texts(base), head: texts(head) };
  return placementDetector(
    changeOf(key, baseResource, headResource),
    detectorContext(policy, before, after, clusterOfFile, undefined, files),
  );
};

const ROUTES = {
  "apps/shop/jkt/route.yaml": `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules: [{backendRefs: [{name: checkout, port: 8080}]}]
`,
  "apps/shop/sgp/route.yaml": `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: checkout, namespace: shop}
spec:
  hosts: [checkout]
  http: [{route: [{destination: {host: checkout}}]}]
`,
};

const application = (fields: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd, finalizers: [resources-finalizer.argocd.argoproj.io]}
spec:
  project: default
${fields}`;

const APP = "argoproj.io/Application/argocd/shop";

interface Case {
  readonly name: string;
  readonly key: string;
  readonly base?: string;
  readonly head?: string;
  readonly file?: string;
  readonly expected: readonly Expected[];
}

const run = (cases: readonly Case[]) => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const file = testCase.file ?? "argocd/shop.yaml";
      const base: Tree = { ...ROUTES, ...(testCase.base ? { [file]: testCase.base } : {}) };
      const head: Tree = { ...ROUTES, ...(testCase.head ? { [file]: testCase.head } : {}) };
      expectDetections(detectIn(testCase.key, base, head), testCase.expected);
    });
  }
};

describe("Argo CD Application", () => {
  const source = "  source: {repoURL: https://github.com/example/platform.git, path: apps/shop/jkt}\n";
  run([
    {
      name: "destination moves to another cluster",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}`),
      head: application(`${source}  destination: {name: sgp-prod, namespace: shop}`),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "destination"],
          says: "Application argocd/shop: traffic config it delivers moves: gains sgp-prod; loses jkt-prod; now 1 traffic resources to cluster sgp-prod",
        },
      ],
    },
    {
      name: "source path moves to other traffic config",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}`),
      head: application("  source: {repoURL: x, path: apps/shop/sgp}\n  destination: {name: jkt-prod, namespace: shop}"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "source"],
          says: "(paths [apps/shop/jkt] → [apps/shop/sgp]): now delivers VirtualService shop/checkout; no longer delivers HTTPRoute shop/checkout",
        },
      ],
    },
    {
      name: "destination namespace",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}`),
      head: application(`${source}  destination: {name: jkt-prod, namespace: shop-v2}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "destination", "namespace"],
          riskFloor: "high",
          says: "destination.namespace shop → shop-v2: moves every object it applies on cluster jkt-prod",
        },
      ],
    },
    {
      name: "automated sync with prune turned on",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: false}}`),
      head: application(`${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: true}}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "syncPolicy", "automated"],
          riskFloor: "high",
          says: "deleted from cluster jkt-prod",
        },
      ],
    },
    {
      name: "automated prune turned off: what the repository removes stays in the cluster",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: true}}`),
      head: application(`${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: false}}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "syncPolicy", "automated"],
          riskFloor: "medium",
          says: "stay on cluster jkt-prod, still serving traffic",
        },
      ],
    },
    {
      name: "self-heal turned on: what the repository applies is the same, so no setting finding",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: true}}`),
      head: application(
        `${source}  destination: {name: jkt-prod, namespace: shop}\n  syncPolicy: {automated: {prune: true, selfHeal: true}}`,
      ),
      expected: [],
    },
    {
      name: "added: starts delivering traffic config",
      key: APP,
      head: application(`${source}  destination: {server: https://kubernetes.default.svc, namespace: shop}`),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec"],
          says: "added: delivers 1 traffic resources (HTTPRoute shop/checkout) from [apps/shop/jkt] to a cluster the tree does not name",
        },
      ],
    },
    {
      name: "removed with the resources finalizer: what it applied is deleted",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}`),
      expected: [
        {
          class: "route.attachment-changed",
          side: "base",
          path: ["spec"],
          says: "removed: its 1 traffic resources (HTTPRoute shop/checkout) are deleted from cluster jkt-prod",
        },
      ],
    },
    {
      name: "a change that does not move anything (project, repoURL) is left to resource.changed",
      key: APP,
      base: application(`${source}  destination: {name: jkt-prod, namespace: shop}`),
      head: application(
        `  source: {repoURL: https://github.com/example/mirror.git, path: apps/shop/jkt}\n  destination: {name: jkt-prod, namespace: shop}`,
      ),
      expected: [],
    },
  ]);
});

describe("Argo CD sources deploy what the PR does not show", () => {
  const at = (revision: string) =>
    `  source: {repoURL: https://github.com/example/platform.git, path: apps/shop/jkt, targetRevision: ${revision}}\n`;
  const destination = "  destination: {name: jkt-prod, namespace: shop}";
  const patched = (weight: number) => `  source:
    repoURL: https://github.com/example/platform.git
    path: apps/shop/jkt
    kustomize:
      patches:
      - target: {kind: HTTPRoute, name: checkout}
        patch: '[{"op": "replace", "path": "/spec/rules/0/backendRefs/0/weight", "value": ${weight}}]'
`;
  run([
    {
      name: "targetRevision main → attacker-branch",
      key: APP,
      base: application(`${at("main")}${destination}`),
      head: application(`${at("attacker-branch")}${destination}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "deploys revision attacker-branch instead of main to cluster jkt-prod: the config deployed is not reviewed here",
        },
      ],
    },
    {
      name: "one of several sources[] changes its targetRevision",
      key: APP,
      base: application(
        `  sources:\n  - {repoURL: x, path: apps/shop/jkt, targetRevision: v1}\n  - {repoURL: z, path: charts, targetRevision: v1}\n${destination}`,
      ),
      head: application(
        `  sources:\n  - {repoURL: x, path: apps/shop/jkt, targetRevision: v1}\n  - {repoURL: z, path: charts, targetRevision: v9}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "sources"],
          riskFloor: "high",
          says: "deploys revision [v1, v9] instead of [v1, v1]",
        },
      ],
    },
    {
      name: "an inline kustomize patch on an HTTPRoute",
      key: APP,
      base: application(`${patched(100)}${destination}`),
      head: application(`${patched(0)}${destination}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "inline kustomize patches rewrite traffic config for cluster jkt-prod",
        },
      ],
    },
    {
      name: "a kustomize namePrefix or namespace set on the Application: every resource it renders is renamed or moved, unseen",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: apps/shop/jkt\n    kustomize: {images: ['shop:v1']}\n${destination}`),
      head: application(
        `  source:\n    repoURL: x\n    path: apps/shop/jkt\n    kustomize: {images: ['shop:v2'], namePrefix: jkt-, namespace: edge-v2}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "kustomize namePrefix, namespace rename, move or relabel what is rendered for cluster jkt-prod",
        },
      ],
    },
    {
      name: "a kustomize image tag, replica count or team annotation set on the Application renames nothing",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: apps/shop/jkt\n    kustomize: {images: ['shop:v1']}\n${destination}`),
      head: application(
        `  source:\n    repoURL: x\n    path: apps/shop/jkt\n    kustomize: {images: ['shop:v2'], replicas: [{name: shop, count: 3}], commonAnnotations: {team: edge}}\n${destination}`,
      ),
      expected: [],
    },
    {
      name: "a controller's annotation on everything the Application renders steers traffic unseen",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: apps/shop/jkt\n${destination}`),
      head: application(
        `  source:\n    repoURL: x\n    path: apps/shop/jkt\n    kustomize: {commonAnnotations: {nginx.ingress.kubernetes.io/whitelist-source-range: 0.0.0.0/0}}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "kustomize commonAnnotations renames, moves or relabels what is rendered",
        },
      ],
    },
    {
      name: "inline Helm values: whatever they feed is rendered unseen",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: apps/shop/jkt\n    helm: {values: "weight: 90"}\n${destination}`),
      head: application(`  source:\n    repoURL: x\n    path: apps/shop/jkt\n    helm: {values: "weight: 0"}\n${destination}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "helm.values changes what is rendered for cluster jkt-prod",
        },
      ],
    },
    {
      name: "value files respelled: named as the field that changed, not as inline values (eks-blueprints-add-ons e8c2555514)",
      key: APP,
      base: application(
        `  sources:\n  - {repoURL: x, ref: values}\n  - {repoURL: https://charts.example.com, chart: web, targetRevision: 1.0.0, helm: {valueFiles: [$values/charts/web/values.yaml]}}\n${destination}`,
      ),
      head: application(
        `  sources:\n  - {repoURL: x, ref: values}\n  - {repoURL: https://charts.example.com, chart: web, targetRevision: 1.0.0, helm: {valueFiles: [$values/argocd/charts/web/values.yaml]}}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "sources"],
          riskFloor: "high",
          says: "sources render inputs: sources[1].helm.valueFiles changes what is rendered for ",
        },
      ],
    },
    {
      name: "several Helm inputs changed at once are each named",
      key: APP,
      base: application(
        `  source:\n    repoURL: x\n    path: charts/web\n    helm: {parameters: [{name: canary, value: "10"}], values: "a: 1"}\n${destination}`,
      ),
      head: application(
        `  source:\n    repoURL: x\n    path: charts/web\n    helm: {parameters: [{name: canary, value: "90"}], values: "a: 1", fileParameters: [{name: b, path: b.txt}]}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "helm.parameters, helm.fileParameters change what is rendered",
        },
      ],
    },
    {
      name: "a release name renames what most charts render: high, as a kustomize namePrefix is",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web}\n${destination}`),
      head: application(`  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web-v2}\n${destination}`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "helm.releaseName changes what is rendered for cluster jkt-prod",
        },
      ],
    },
    {
      name: "what the templates are told of the cluster and the release (kubeVersion, apiVersions, namespace) changes what a chart renders: high, named",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web}\n${destination}`),
      head: application(
        `  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web, kubeVersion: "1.20.0", apiVersions: [v1], namespace: edge, skipSchemaValidation: true}\n${destination}`,
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "source"],
          riskFloor: "high",
          says: "helm.namespace, helm.kubeVersion, helm.apiVersions, helm.skipSchemaValidation change what is rendered for cluster jkt-prod",
        },
      ],
    },
    {
      name: "passCredentials only lets a dependency's fetch use the repository's credentials: the same chart renders, nothing above low",
      key: APP,
      base: application(`  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web}\n${destination}`),
      head: application(
        `  source:\n    repoURL: x\n    path: charts/web\n    helm: {releaseName: web, passCredentials: true}\n${destination}`,
      ),
      expected: [],
    },
  ]);

  it("an ApplicationSet template's targetRevision counts the same", () => {
    const appSet = (revision: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: shop, namespace: argocd}
spec:
  generators: [{list: {elements: [{cluster: jkt-prod}]}}]
  template:
    metadata: {name: 'shop-{{cluster}}'}
    spec:
      project: default
      source: {repoURL: x, path: apps/shop/jkt, targetRevision: ${revision}}
      destination: {name: '{{cluster}}', namespace: shop}
`;
    const found = detectIn(
      "argoproj.io/ApplicationSet/argocd/shop",
      { ...ROUTES, "argocd/shop.yaml": appSet("main") },
      { ...ROUTES, "argocd/shop.yaml": appSet("evil") },
    );
    expect(found.map((d) => [d.path, d.riskFloor])).toEqual([[["spec", "template", "spec", "source"], "high"]]);
    expect(found[0]?.summary).toContain("deploys revision evil instead of main");
  });
});

describe("an ApplicationSet whose source path its generators do not fill (eks-blueprints-add-ons 2c7800c47a's gitops-bridge bootstrap)", () => {
  const KEY = "argoproj.io/ApplicationSet/argocd/bootstrap";
  const bootstrap = (path: string, destination?: string, generator = "clusters: {selector: {matchLabels: {env: prod}}}") =>
    bootstrapSet({ path, generator, ...(destination ? { destination } : {}), source: "directory: {recurse: true}" });
  const UNFILLED = UNFILLED_PATH;
  const where = "cluster all Argo CD clusters matching env=prod";
  run([
    {
      name: "added: one finding of its own, high, naming what of the tree it may apply; none of the routes is placed by it",
      key: KEY,
      head: bootstrap(UNFILLED),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          riskFloor: "high",
          says: `ApplicationSet argocd/bootstrap: added: its generators (clusters) do not fill source path ${UNFILLED} from the repository, so which folder it applies to ${where} cannot be known offline; of this tree it may apply HTTPRoute shop/checkout, VirtualService shop/checkout`,
        },
      ],
    },
    {
      name: "removed: what its Applications applied is not known either",
      key: KEY,
      base: bootstrap(UNFILLED),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          riskFloor: "high",
          says: `removed: its generators (clusters) do not fill source path ${UNFILLED} from the repository, so what its Applications applied, now deleted from ${where}, cannot be known offline; of this tree it may apply HTTPRoute shop/checkout`,
        },
      ],
    },
    {
      name: "its destination edited: judged again, before and after unknown",
      key: KEY,
      base: bootstrap(UNFILLED),
      head: bootstrap(UNFILLED, "server: '{{server}}'"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "template", "spec", "destination"],
          riskFloor: "high",
          says: `template.spec.destination changed while its generators (clusters) do not fill source path ${UNFILLED}`,
        },
      ],
    },
    {
      name: "a label edited, its generators, sources and destination alike: it applies the same unknown folder, nothing to say",
      key: KEY,
      base: bootstrap(UNFILLED),
      head: bootstrap(UNFILLED).replace("namespace: argocd}\nspec:", "namespace: argocd, labels: {team: platform}}\nspec:"),
      expected: [],
    },
    {
      name: "a path its generator does fill (a clusters generator's values) is judged by what it delivers, as a written path",
      key: KEY,
      head: bootstrap("apps/shop/{{values.region}}", undefined, "clusters: {values: {region: jkt}}"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec"],
          says: "added: delivers 1 traffic resources (HTTPRoute shop/checkout) from [apps/shop/jkt] to cluster all Argo CD clusters",
        },
      ],
    },
  ]);

  it("a tree its path cannot reach anything of (only another repository's folders): one low finding", () => {
    const found = detectIn(KEY, {}, { "argocd/shop.yaml": bootstrap(UNFILLED) });
    expect(found.map((d) => [d.riskFloor, d.summary.split("; ")[1]])).toEqual([
      [undefined, "no folder of this tree its path may name holds traffic config, a GitOps object or a chart"],
    ]);
  });
});

describe("an ApplicationSet path left unfilled, its generators gaining a cluster of another region (review finding: writes.active-active)", () => {
  const OVERLAY = `
topology:
  clusters: {jkt-1: jkt, jkt-2: jkt, sgp-1: sgp}
services:
  case-api: {writes: single-region, ownerRegion: jkt}
`;
  const KEY = "argoproj.io/ApplicationSet/argocd/bootstrap";
  const listed = (path: string, clusters: readonly string[]) =>
    bootstrapSet({
      path,
      generator: `list: {elements: [${clusters.map((name) => `{cluster: ${name}}`).join(", ")}]}`,
      destination: "name: '{{cluster}}'",
    });
  const GATEWAY =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: infra}\n" +
    "spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]}\n";
  const ROUTE = `${GATEWAY}---\n${httpRoute(
    "  - matches: [{path: {type: PathPrefix, value: /cases}, method: POST}]\n    backendRefs: [{name: case-api, port: 8080}]\n",
    { name: "cases", hostname: "cases.example.com" },
  )}`;
  const tree = (path: string, clusters: readonly string[], route = ROUTE) => ({
    "bootstrap/bootstrap.yaml": listed(path, clusters),
    "apps/prod/route.yaml": route,
  });
  const topRisk = (result: ReturnType<typeof analyze>) =>
    (["critical", "high", "medium", "low"] as const).find((risk) => result.findings.some((finding) => finding.risk === risk));
  const judged = (path: string, base: readonly string[], head: readonly string[], route = ROUTE) => {
    const result = analyze(tree(path, base, route), tree(path, head, route), OVERLAY);
    return { classes: classesOf(result), risk: topRisk(result) };
  };

  it.each([["apps/{{metadata.annotations.env}}"], [UNFILLED_PATH]])(
    "%s, sgp-1 added to its list: writes.active-active, critical, though the route's files are placed by none",
    (path) => {
      const { classes, risk } = judged(path, ["jkt-1"], ["jkt-1", "sgp-1"]);
      expect(risk).toBe("critical");
      expect(classes).toEqual(["resource.changed", "route.attachment-changed", "writes.active-active"]);
    },
  );

  it("says which route, which service and which region", () => {
    const found = detectIn(KEY, tree(UNFILLED_PATH, ["jkt-1"]), tree(UNFILLED_PATH, ["jkt-1", "sgp-1"]), false, policyWith(OVERLAY));
    expect(found.filter((d) => d.class === "writes.active-active").map((d) => [d.summary, d.path])).toEqual([
      [
        "ApplicationSet argocd/bootstrap: HTTPRoute shop/cases, which it may apply, send writes to case-api, kept single-region in jkt: its clusters now reach sgp, where those writes may land",
        ["spec", "generators"],
      ],
    ]);
  });

  it("the dangerous neighbours kept apart: a read-only route, a cluster of the region it has, a cluster dropped; an owner's region added to another's", () => {
    const reads = ROUTE.replace(", method: POST", ", method: GET");
    expect(judged(UNFILLED_PATH, ["jkt-1"], ["jkt-1", "sgp-1"], reads).risk).toBe("high");
    expect(judged(UNFILLED_PATH, ["jkt-1"], ["jkt-1", "jkt-2"]).risk).toBe("high");
    expect(judged(UNFILLED_PATH, ["jkt-1", "sgp-1"], ["jkt-1"]).risk).toBe("high");
    // An Istio route names the service by its host.
    const virtualService =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cases, namespace: shop}\n" +
      "spec: {hosts: [cases.example.com], http: [{match: [{method: {exact: PUT}}], route: [{destination: {host: case-api.shop.svc.cluster.local}}]}]}\n";
    expect(judged(UNFILLED_PATH, ["jkt-1"], ["jkt-1", "sgp-1"], virtualService).classes).toContain("writes.active-active");
    // Its writes were in sgp already; jkt added makes two regions.
    expect(judged(UNFILLED_PATH, ["sgp-1"], ["sgp-1", "jkt-1"]).classes).toContain("writes.active-active");
    // Added on a cluster of another region: its writes may land there; on the owner's alone, they stay there.
    const added = (clusters: readonly string[]) =>
      classesOf(analyze({ "apps/prod/route.yaml": ROUTE }, tree(UNFILLED_PATH, clusters), OVERLAY));
    expect(added(["sgp-1"])).toContain("writes.active-active");
    expect(added(["jkt-1"])).not.toContain("writes.active-active");
  });

  it("trust config it may apply on a region gained: critical; the same set gaining a cluster of a region it has: high", () => {
    const permissive =
      "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: PERMISSIVE}}\n";
    const trees = (clusters: readonly string[]) => ({
      "bootstrap/bootstrap.yaml": listed(UNFILLED_PATH, clusters),
      "mesh/peer.yaml": permissive,
    });
    const floors = (head: readonly string[]) =>
      detectIn(KEY, trees(["jkt-1"]), trees(head), false, policyWith(OVERLAY)).flatMap((d) => d.riskFloor ?? []);
    expect(floors(["jkt-1", "sgp-1"])).toEqual(["high", "critical"]);
    expect(floors(["jkt-1", "jkt-2"])).toEqual(["high"]);
  });
});

describe("Argo CD ApplicationSet", () => {
  const appSet = (elements: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: shop, namespace: argocd}
spec:
  generators:
  - list: {elements: [${elements}]}
  template:
    metadata: {name: 'shop-{{cluster}}'}
    spec:
      project: default
      source: {repoURL: x, path: apps/shop/jkt}
      destination: {name: '{{cluster}}', namespace: shop}
`;
  run([
    {
      name: "a list generator element added: one change reaches several clusters",
      key: "argoproj.io/ApplicationSet/argocd/shop",
      base: appSet("{cluster: jkt-prod}"),
      head: appSet("{cluster: jkt-prod}, {cluster: sgp-prod}"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "generators"],
          says: "gains sgp-prod; now 1 traffic resources to 2 clusters at once jkt-prod, sgp-prod",
        },
      ],
    },
    {
      name: "its template renamed: the controller deletes the old Applications, with the resources finalizer it gives them, before the new ones apply the same routes again",
      key: "argoproj.io/ApplicationSet/argocd/shop",
      base: appSet("{cluster: jkt-prod}"),
      head: appSet("{cluster: jkt-prod}").replace("'shop-{{cluster}}'", "'checkout-{{cluster}}'"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "template", "metadata", "name"],
          riskFloor: "high",
          says: "template.metadata.name shop-{{cluster}} → checkout-{{cluster}}: no longer generates Application shop-jkt-prod (generates checkout-jkt-prod): deleted with the resources finalizer, it deletes its 1 traffic resources (HTTPRoute shop/checkout) from cluster jkt-prod before checkout-jkt-prod applies them again",
        },
      ],
    },
    {
      name: "its template renamed where it preserves resources on deletion: the renamed Applications adopt them, a low field change",
      key: "argoproj.io/ApplicationSet/argocd/shop",
      base: appSet("{cluster: jkt-prod}").replace(
        "spec:\n  generators:",
        "spec:\n  syncPolicy: {preserveResourcesOnDeletion: true}\n  generators:",
      ),
      head: appSet("{cluster: jkt-prod}")
        .replace("spec:\n  generators:", "spec:\n  syncPolicy: {preserveResourcesOnDeletion: true}\n  generators:")
        .replace("'shop-{{cluster}}'", "'checkout-{{cluster}}'"),
      expected: [],
    },
    {
      name: "its template renamed under create-update: the old Applications stay, and two apply every route",
      key: "argoproj.io/ApplicationSet/argocd/shop",
      base: appSet("{cluster: jkt-prod}").replace(
        "spec:\n  generators:",
        "spec:\n  syncPolicy: {applicationsSync: create-update}\n  generators:",
      ),
      head: appSet("{cluster: jkt-prod}")
        .replace("spec:\n  generators:", "spec:\n  syncPolicy: {applicationsSync: create-update}\n  generators:")
        .replace("'shop-{{cluster}}'", "'checkout-{{cluster}}'"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "template", "metadata", "name"],
          riskFloor: "high",
          says: "no longer generates Application shop-jkt-prod (generates checkout-jkt-prod): it stays (applicationsSync create-update), and two Applications apply each of its 1 traffic resources (HTTPRoute shop/checkout) on cluster jkt-prod",
        },
      ],
    },
  ]);
});

describe("Flux Kustomization", () => {
  const kustomization = (extra: string) => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: shop, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./apps/shop/jkt
${extra}`;
  const FILE = "clusters/jkt-prod/shop.yaml";
  const KEY = "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/shop@jkt-prod";
  run([
    {
      name: "kubeConfig sends the config to a remote cluster",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true"),
      head: kustomization("  prune: true\n  kubeConfig: {secretRef: {name: sgp-prod-kubeconfig}}"),
      expected: [{ class: "route.attachment-changed", side: "head", path: ["spec", "kubeConfig"], says: "gains sgp-prod; loses jkt-prod" }],
    },
    {
      name: "targetNamespace",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true"),
      head: kustomization("  prune: true\n  targetNamespace: shop-v2"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "targetNamespace"],
          riskFloor: "high",
          says: "targetNamespace (unset) → shop-v2: moves every object it applies on cluster jkt-prod",
        },
      ],
    },
    {
      // flux2-hub-spoke-example 17a9dca read "every resource it applies to no known cluster moves …".
      name: "targetNamespace of a Kustomization whose cluster the tree does not name",
      key: "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/shop",
      file: "hub/shop.yaml",
      base: kustomization("  prune: true"),
      head: kustomization("  prune: true\n  targetNamespace: shop-v2"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "targetNamespace"],
          riskFloor: "high",
          says: "targetNamespace (unset) → shop-v2: moves every object it applies on a cluster the tree does not name",
        },
      ],
    },
    {
      name: "suspend: later changes stop landing",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true"),
      head: kustomization("  prune: true\n  suspend: true"),
      expected: [{ class: "resource.changed", side: "head", path: ["spec", "suspend"], riskFloor: "medium", says: "reconciliation stops" }],
    },
    {
      name: "resume: pending changes land at once",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true\n  suspend: true"),
      head: kustomization("  prune: true\n  suspend: false"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "suspend"],
          riskFloor: "high",
          says: "applied to cluster jkt-prod at once",
        },
      ],
    },
    {
      // tyriis/home-ops cf94ea48f5: Flux prunes what leaves its inventory, which no longer lists what was removed while prune was off.
      name: "prune turned on: nothing removed earlier is deleted",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: false"),
      head: kustomization("  prune: true"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "prune"],
          riskFloor: "low",
          says: "from now on are deleted from cluster jkt-prod, and so is everything it applied if it is deleted; those removed while prune was off are not",
        },
      ],
    },
    {
      name: "prune turned off: removed routes keep serving",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true"),
      head: kustomization("  prune: false"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "prune"],
          riskFloor: "medium",
          says: "stay on cluster jkt-prod, still serving traffic",
        },
      ],
    },
    {
      name: "removed under deletionPolicy Delete, prune off: kustomize-controller deletes what it applied all the same",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: false\n  deletionPolicy: Delete"),
      expected: [{ class: "route.attachment-changed", side: "base", path: ["spec"], says: "are deleted from cluster jkt-prod" }],
    },
    {
      name: "removed under deletionPolicy Orphan, prune on: what it applied stays",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true\n  deletionPolicy: Orphan"),
      expected: [{ class: "route.attachment-changed", side: "base", path: ["spec"], says: "are left unmanaged on cluster jkt-prod" }],
    },
    {
      name: "components added where the review built none (no render: a route mirrored by one passed as low)",
      key: KEY,
      file: FILE,
      base: kustomization("  prune: true"),
      head: kustomization("  prune: true\n  components: [../../components/mirror]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "components"],
          riskFloor: "high",
          says: "spec.components added for cluster jkt-prod on top of apps/shop/jkt: the review did not build them",
        },
      ],
    },
  ]);
});

describe("end to end: findings of a placement change, and nothing above low for cosmetic edits", () => {
  const app = application("  source: {repoURL: x, path: apps/shop/jkt}\n  destination: {name: jkt-prod, namespace: shop}");
  it("moving the destination is one high finding", () => {
    const result = analyze({ ...ROUTES, "argocd/shop.yaml": app }, { ...ROUTES, "argocd/shop.yaml": app.replace("jkt-prod", "sgp-prod") });
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.line])).toEqual([
      ["route.attachment-changed", "high", 8],
    ]);
  });
  it("an old copy of an app's Kustomization kept under .archive/ delivers nothing: no route arrives with it (drag0n141/home-ops 9031f1810d)", () => {
    const ks = (name: string, namespace: string, path: string, extra = "") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ${path}\n${extra}`;
    const live = {
      "kubernetes/flux/cluster/ks.yaml": ks("cluster-apps", "flux-system", "./kubernetes/apps"),
      "kubernetes/apps/shop/ks.yaml": ks("shop", "shop", "./apps/shop/jkt"),
      ...ROUTES,
    };
    const copy = ks("shop", "shop", "./apps/shop/jkt", "  postBuild: {substitute: {APP: shop}}\n");
    const result = analyze(live, { ...live, ".archive/kubernetes/apps/shop/ks.yaml": copy });
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
      ["resource.changed", "low", ".archive/kubernetes/apps/shop/ks.yaml"],
    ]);
  });
  it("a new Kustomization delivering tenants' Namespaces (read only for their labels) and RBAC delivers no traffic config: no finding above low", () => {
    const tenants = {
      "tenants/team-a/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {team: a}}\n",
      "tenants/team-a/rbac.yaml":
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: admins, namespace: team-a}\n",
    };
    const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: tenants, namespace: flux-system}\nspec:\n  interval: 10m\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./tenants\n  prune: true\n`;
    const result = analyze({ ...ROUTES, ...tenants }, { ...ROUTES, ...tenants, "clusters/jkt-prod/tenants.yaml": flux });
    expect(result.findings.filter((finding) => finding.risk !== "low")).toEqual([]);
    const withRoute = analyze(
      { ...ROUTES, ...tenants },
      { ...ROUTES, ...tenants, "tenants/team-a/route.yaml": ROUTES["apps/shop/jkt/route.yaml"], "clusters/jkt-prod/tenants.yaml": flux },
    );
    expect(withRoute.findings.map((finding) => finding.summary)).toContainEqual(
      expect.stringContaining("added: delivers 1 traffic resources (HTTPRoute shop/checkout) from [tenants]"),
    );
  });

  it("another repository's CRDs, added or removed, deliver none of this tree's routes (onedr0p/cluster-template 2b09fbca, de61c22c)", () => {
    const sync = {
      "clusters/jkt-prod/flux.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-cluster, namespace: flux-system}\nspec: {url: "ssh://git@github.com/example/home-cluster", ref: {branch: main}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: flux-cluster}\n  path: ./apps/shop/jkt\n  prune: true\n`,
    };
    const upstream = (url: string, ignore = `, ignore: "/*\\n!/config/crd"`) => ({
      "clusters/jkt-prod/crds.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: metallb-source, namespace: flux-system}\nspec: {url: "${url}", ref: {tag: v0.13.5}${ignore}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: crds-metallb, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: metallb-source}\n  prune: true\n`,
    });
    const base = { ...ROUTES, ...sync };
    const foreign = { ...base, ...upstream("https://github.com/metallb/metallb.git") };
    expect(classesOf(analyze(base, foreign))).not.toContain("route.attachment-changed");
    expect(classesOf(analyze(foreign, base))).not.toContain("route.attachment-changed");
    // The same Kustomization of this repository's URL (another branch) delivers its whole tree; its
    // `spec.ignore` keeping only config/crd, none of it (source-controller leaves the rest out).
    const ours = { ...base, ...upstream("https://github.com/example/home-cluster.git", "") };
    expect(analyze(base, ours).findings.map((finding) => finding.summary)).toContainEqual(expect.stringContaining("added: delivers"));
    const crdsOnly = { ...base, ...upstream("https://github.com/example/home-cluster.git") };
    expect(analyze(base, crdsOnly).findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["resource.changed", "low"],
      ["resource.changed", "low"],
    ]);
  });

  describe("which GitRepository is this repository", () => {
    const sync = (url: string, name = "flux-system") => ({
      "clusters/jkt-prod/flux-system/gotk-sync.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {url: "${url}", ref: {branch: main}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: cluster, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: ${name}}\n  path: ./clusters/jkt-prod\n`,
    });
    // A second GitRepository and a path-less Kustomization of it delivering to another cluster (F4).
    const staging = (url: string) => ({
      "clusters/jkt-prod/platform.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: home-staging, namespace: flux-system}\nspec: {url: "${url}", ref: {branch: main}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: all-staging, namespace: flux-system}\nspec:\n  kubeConfig: {secretRef: {name: sgp-prod-kubeconfig}}\n  sourceRef: {kind: GitRepository, name: home-staging}\n`,
    });
    const delivered = (base: Tree, head: Tree) =>
      analyze(base, head).findings.some(
        (finding) => finding.summary.includes("all-staging: added: delivers") && finding.class === "route.attachment-changed",
      );

    it("flux-system's URL a ${variable}: no evidence, so a GitRepository of a literal URL is this repository and its delivery is placed", () => {
      const base = { ...ROUTES, ...sync("${GIT_REPOSITORY_URL}") };
      expect(delivered(base, { ...base, ...staging("https://github.com/example/home") })).toBe(true);
    });

    it.each([
      ["a default port", "ssh://git@github.com/example/home", "ssh://git@github.com:22/example/home"],
      ["scp-like and https", "git@github.com:example/home.git", "https://github.com/Example/home/"],
      ["SSH over 443 and a user", "ssh://git@ssh.github.com:443/example/home", "https://token@github.com/example/home.git"],
      ["git+ssh", "git+ssh://git@github.com/example/home", "ssh://git@github.com/example/home"],
    ])("this repository spelled otherwise (%s) is this repository", (_, ours, spelled) => {
      const base = { ...ROUTES, ...sync(ours) };
      expect(delivered(base, { ...base, ...staging(spelled) })).toBe(true);
    });

    it("another repository is still foreign", () => {
      const base = { ...ROUTES, ...sync("ssh://git@github.com/example/home") };
      expect(delivered(base, { ...base, ...staging("https://github.com/example/other") })).toBe(false);
    });

    it("the head alone does not unlearn which URL is this repository: flux-system pointed elsewhere, or renamed to another URL", () => {
      const base = { ...ROUTES, ...sync("ssh://git@github.com/example/home") };
      const attachments = (head: Tree) =>
        analyze(base, head)
          .findings.filter((finding) => finding.class === "route.attachment-changed")
          .map((finding) => [finding.risk, finding.summary]);
      const moved = attachments({ ...ROUTES, ...sync("https://github.com/example/other"), ...staging("https://github.com/example/home") });
      expect(moved).toContainEqual(["high", expect.stringContaining("is this repository by the base tree (flux-system/flux-system)")]);
      expect(moved).toContainEqual([
        "high",
        expect.stringContaining("this repository's source ssh://git@github.com/example/home → https://github.com/example/other"),
      ]);
      const renamed = attachments({
        ...ROUTES,
        ...sync("https://github.com/example/other", "upstream"),
        ...staging("https://github.com/example/home"),
      });
      expect(renamed).toContainEqual([
        "high",
        expect.stringContaining("(removed), while the head names flux-system/upstream this repository"),
      ]);
      // Renamed with its URL, or its URL respelled: nothing unlearnt.
      expect(attachments({ ...ROUTES, ...sync("ssh://git@github.com/example/home", "home") })).toEqual([]);
      expect(attachments({ ...ROUTES, ...sync("git@github.com:example/home.git") })).toEqual([]);
    });

    describe("a Kustomization moved to another repository's GitRepository, its path kept (probe F08d: one low line)", () => {
      const HOME = "ssh://git@github.com/example/home";
      const OTHER = "https://github.com/example/reviews-config";
      const team = (url: string) => ({
        "clusters/jkt-prod/team.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: team-reviews, namespace: flux-system}\nspec: {url: "${url}", ref: {branch: main}}\n`,
      });
      const shop = (source: string, prune = "  prune: true\n") => ({
        "clusters/jkt-prod/shop.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: ${source}}\n  path: ./apps/shop/jkt\n${prune}`,
      });
      const judged = (base: Tree, head: Tree) =>
        analyze(base, head).findings.map((finding): [string, string, string] => [finding.class, finding.risk, finding.summary]);
      const above = (found: readonly [string, string, string][]) => found.filter(([, risk]) => risk !== "low");

      it("ends what it delivered from this repository (pruned under prune) and applies what that repository holds: high, naming the source", () => {
        const tree = { ...ROUTES, ...sync(HOME), ...team(OTHER) };
        const found = judged({ ...tree, ...shop("flux-system") }, { ...tree, ...shop("team-reviews") });
        expect(found.filter(([cls]) => cls === "route.attachment-changed")).toEqual([
          [
            "route.attachment-changed",
            "high",
            "Kustomization flux-system/shop: spec.sourceRef names GitRepository flux-system/team-reviews of https://github.com/example/reviews-config, another repository than this one (github.com/example/home): Flux applies what that repository holds at ./apps/shop/jkt, which this review does not see, and its 1 traffic resources from this repository (HTTPRoute shop/checkout) are deleted from a cluster the tree does not name unless that repository applies them too",
          ],
        ]);
        const unpruned = judged({ ...tree, ...shop("flux-system", "") }, { ...tree, ...shop("team-reviews", "") });
        expect(unpruned.find(([cls]) => cls === "route.attachment-changed")?.[2]).toContain(
          "(HTTPRoute shop/checkout) stay unmanaged on a cluster the tree does not name",
        );
      });

      it("so does a root's source where the tree has no flux-system, and a sourceRef moved back to this repository delivers again", () => {
        const tree = { ...ROUTES, ...sync("https://github.com/example/home.git", "home-kubernetes"), ...team(OTHER) };
        const [away, back] = [
          judged({ ...tree, ...shop("home-kubernetes") }, { ...tree, ...shop("team-reviews") }),
          judged({ ...tree, ...shop("team-reviews") }, { ...tree, ...shop("home-kubernetes") }),
        ];
        expect(above(away).map(([cls, risk, summary]) => [cls, risk, summary.split(", another")[0]])).toContainEqual([
          "route.attachment-changed",
          "high",
          "Kustomization flux-system/shop: spec.sourceRef names GitRepository flux-system/team-reviews of https://github.com/example/reviews-config",
        ]);
        expect(above(back)).toContainEqual([
          "route.attachment-changed",
          "high",
          expect.stringContaining("shop: added: delivers 1 traffic resources"),
        ]);
      });

      it("a GitRepository of this repository pointed at another, read by a Kustomization the PR leaves alone: high on its URL", () => {
        const tree = { ...ROUTES, ...sync(HOME), ...shop("team-reviews") };
        const found = judged({ ...tree, ...team(`${HOME}.git`) }, { ...tree, ...team(OTHER) });
        expect(above(found)).toEqual([
          [
            "route.attachment-changed",
            "high",
            `GitRepository flux-system/team-reviews: spec.url ${HOME}.git → ${OTHER}, read by Kustomization flux-system/shop: another repository than this one (github.com/example/home): Flux applies what that repository holds at ./apps/shop/jkt, which this review does not see, and its 1 traffic resources from this repository (HTTPRoute shop/checkout) are deleted from a cluster the tree does not name unless that repository applies them too`,
          ],
        ]);
      });

      it("harmless: a source renamed with this repository's URL, however spelled, and an interval edit of this repository's own source", () => {
        for (const spelled of ["git@github.com:example/home", "https://github.com/example/home.git", `${HOME}.git`]) {
          const tree = { ...ROUTES, ...sync(HOME), ...team(spelled) };
          expect(above(judged({ ...tree, ...shop("flux-system") }, { ...tree, ...shop("team-reviews") }))).toEqual([]);
          expect(above(judged({ ...tree, ...shop("team-reviews"), ...team(HOME) }, { ...tree, ...shop("team-reviews") }))).toEqual([]);
        }
        const tree = { ...ROUTES, ...shop("flux-system"), ...team(OTHER) };
        const edited = (from: string, to: string) =>
          judged(
            { ...tree, ...sync(HOME) },
            {
              ...tree,
              "clusters/jkt-prod/flux-system/gotk-sync.yaml": sync(HOME)["clusters/jkt-prod/flux-system/gotk-sync.yaml"].replace(from, to),
            },
          ).map(([cls, risk]) => [cls, risk]);
        expect(edited("ref: {branch: main}", "interval: 5m, ref: {branch: main}")).toEqual([["resource.changed", "low"]]);
        // Dangerous neighbour: pinned to a tag, the clusters apply that revision's files, which this review does not read (as Argo CD's targetRevision).
        expect(edited("branch: main", "tag: v2.0.0")).toEqual([["resource.changed", "high"]]);
      });

      it("harmless: where nothing says which URL is this repository (bootstrap's ${GIT_REPOSITORY_URL}), none is another's, as before", () => {
        const tree = { ...ROUTES, ...sync("${GIT_REPOSITORY_URL}"), ...team(OTHER) };
        expect(above(judged({ ...tree, ...shop("flux-system") }, { ...tree, ...shop("team-reviews") }))).toEqual([]);
      });
    });
  });

  describe("a Flux Kustomization whose sourceRef Flux does not find: the tree defines that GitRepository in another namespace", () => {
    const gotk = {
      "clusters/jkt-prod/flux-system/gotk-sync.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {url: "ssh://git@github.com/example/home", ref: {branch: main}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./clusters/jkt-prod\n  prune: true\n`,
    };
    const shop = (namespace: string, sourceRef: string, extra = "  prune: true\n") => ({
      "clusters/jkt-prod/shop.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: ${namespace}}\nspec:\n  sourceRef: {kind: GitRepository, ${sourceRef}}\n  path: ./apps/shop/jkt\n${extra}`,
    });
    const findings = (base: Tree, head: Tree, tree: Tree = { ...ROUTES, ...gotk }) =>
      analyze({ ...tree, ...base }, { ...tree, ...head }).findings.map((finding): [string, string, string] => [
        finding.class,
        finding.risk,
        finding.summary,
      ]);

    it("kept under its name, it stops reconciling and deletes nothing: one medium finding, no route removed or moved", () => {
      const found = findings(shop("shop", "name: flux-system, namespace: flux-system"), shop("shop", "name: flux-system"));
      expect(found).toEqual([
        [
          "resource.changed",
          "medium",
          "Kustomization shop/shop: spec.sourceRef names GitRepository shop/flux-system, which the tree defines in flux-system only: Flux finds no source and stops reconciling it: its 1 traffic resources (HTTPRoute shop/checkout) stay on a cluster the tree does not name as last applied, and changes under [apps/shop/jkt] no longer reach them",
        ],
      ]);
    });

    it("moved to its app's namespace without the source's: the one it replaces prunes its routes and nothing applies them again (high)", () => {
      const found = findings(shop("flux-system", "name: flux-system"), shop("shop", "name: flux-system"));
      expect(found).toContainEqual([
        "route.attachment-changed",
        "high",
        "Kustomization flux-system/shop: removed: its 1 traffic resources (HTTPRoute shop/checkout) are deleted from a cluster the tree does not name",
      ]);
      expect(found).toContainEqual([
        "resource.changed",
        "medium",
        "Kustomization shop/shop: spec.sourceRef names GitRepository shop/flux-system, which the tree defines in flux-system only: Flux finds no source, so it applies nothing, nor takes over the 1 traffic resources (HTTPRoute shop/checkout) that Kustomization flux-system/shop, removed, applied on a cluster the tree does not name",
      ]);
      expect(found.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("added: delivers"));
      // Without prune the old one orphans them: they stay, unmanaged, as its removal says.
      const orphaned = findings(shop("flux-system", "name: flux-system", ""), shop("shop", "name: flux-system", ""));
      expect(orphaned.map(([, risk, summary]) => [risk, summary.split(": ")[1]?.split(" (")[0]])).toEqual([
        ["high", "removed"],
        ["medium", "spec.sourceRef names GitRepository shop/flux-system, which the tree defines in flux-system only"],
      ]);
      expect(orphaned[0]?.[2]).toContain("are left unmanaged on");
      // Moved with the source's namespace, Flux finds it: the move is judged as any (high), with no word of a missing source.
      const fine = findings(shop("flux-system", "name: flux-system"), shop("shop", "name: flux-system, namespace: flux-system"));
      expect(fine.map(([cls, risk]) => [cls, risk])).toEqual([
        ["route.attachment-changed", "high"],
        ["route.attachment-changed", "high"],
      ]);
    });

    it("upstream CRDs' Kustomization moved to kube-system applies nothing, and delivers none of this tree (carpenike/k8s-gitops de9751ec)", () => {
      const crds = (namespace: string) => ({
        "clusters/jkt-prod/crds.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: gateway-api-crd, namespace: flux-system}\nspec: {url: "https://github.com/kubernetes-sigs/gateway-api", ref: {tag: v1.2.1}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: gateway-api, namespace: ${namespace}}\nspec:\n  sourceRef: {kind: GitRepository, name: gateway-api-crd}\n  prune: true\n`,
      });
      const tree = { ...ROUTES, ...gotk, ...shop("flux-system", "name: flux-system") };
      expect(findings(crds("flux-system"), crds("kube-system"), tree)).toEqual([
        ["resource.changed", "low", "Kustomization flux-system/gateway-api removed"],
        [
          "resource.changed",
          "low",
          "Kustomization kube-system/gateway-api: spec.sourceRef names GitRepository kube-system/gateway-api-crd, which the tree defines in flux-system only: Flux finds no source, so it applies nothing",
        ],
      ]);
    });

    it("a source the tree never defines is `flux bootstrap`'s, this repository: moved, the Kustomization still delivers, as before", () => {
      const found = findings(shop("flux-system", "name: flux-system"), shop("shop", "name: flux-system"), ROUTES);
      expect(found.map(([cls, risk, summary]) => [cls, risk, summary.split(": ")[1]])).toEqual([
        ["route.attachment-changed", "high", "removed"],
        ["route.attachment-changed", "high", "added"],
      ]);
    });

    it("where the tree does not say the Kustomization's namespace, nothing is said of its source", () => {
      const unwritten = (sourceRef: string) => ({
        "clusters/jkt-prod/shop.yaml": shop("x", sourceRef)["clusters/jkt-prod/shop.yaml"]!.replace(", namespace: x}", "}"),
      });
      expect(findings(unwritten("name: flux-system, namespace: flux-system"), unwritten("name: flux-system"))).toEqual([
        ["resource.changed", "low", "Kustomization default/shop: spec.sourceRef.namespace removed"],
      ]);
    });
  });

  it("a new app, its Flux Kustomization and its route both added: the route is added, and nothing delivered moved (xunholy/k8s-gitops 4f1be9fb)", () => {
    const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: bazarr, namespace: flux-system}\nspec:\n  interval: 10m\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./apps/bazarr\n  prune: true\n`;
    const route = ROUTES["apps/shop/jkt/route.yaml"]!.replace(/name: checkout/, "name: bazarr");
    const result = analyze(ROUTES, { ...ROUTES, "apps/bazarr/route.yaml": route, "clusters/jkt-prod/bazarr.yaml": flux });
    // Its Gateway is not in this tree: the route is an added resource, judged as the route diff judges it.
    expect(result.findings.map((finding) => finding.summary)).toContain("HTTPRoute shop/bazarr added");
    expect(classesOf(result)).not.toContain("route.attachment-changed");
  });

  describe("a GitOps object edited only in when it applies, beside edits under its path (joryirving/home-ops bd32e35057)", () => {
    const route = (name: string, host = "web.example.com") =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: web}\nspec:\n  hostnames: [${host}]\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n`;
    const flux = (extra = "", path = "./apps/web") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: web, namespace: flux-system}\nspec:\n  interval: 1h\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ${path}\n  prune: true\n${extra}`;
    const argo = (extra = "") =>
      application(
        `  source: {repoURL: https://github.com/example/platform.git, path: apps/web}\n  destination: {name: jkt-prod, namespace: web}\n${extra}`,
      );
    const BASE = { "apps/web/route.yaml": route("web") };
    const RENAMED = { "apps/web/route.yaml": route("web-external") };
    const ADDED = { ...BASE, "apps/web/api.yaml": route("web-api", "api.example.com") };
    const judged = (base: Tree, head: Tree) =>
      analyze(base, head)
        .findings.filter((finding) => finding.risk !== "low")
        .map((finding) => [finding.class, finding.risk]);
    const ATTACHMENT = ["route.attachment-changed", "high"];

    it("a dependsOn, interval or timeout added leaves a route renamed or added to the route diff, as with the object untouched", () => {
      const at = (tree: Tree, object: string) => ({ ...tree, "clusters/jkt-prod/web.yaml": object });
      for (const edit of ["  dependsOn: [{name: operator}]\n", "  retryInterval: 1m\n  timeout: 5m\n"]) {
        expect(judged(at(BASE, flux()), at(RENAMED, flux(edit)))).toEqual(judged(at(BASE, flux()), at(RENAMED, flux())));
        expect(judged(at(BASE, flux()), at(ADDED, flux(edit)))).toEqual(judged(at(BASE, flux()), at(ADDED, flux())));
        expect(judged(at(BASE, flux()), at(ADDED, flux(edit)))).not.toContainEqual(ATTACHMENT);
      }
      // An Application's sync retries likewise.
      const retry = "  syncPolicy: {retry: {limit: 5}}\n";
      expect(judged(at(BASE, argo()), at(RENAMED, argo(retry)))).not.toContainEqual(ATTACHMENT);
    });

    it("an edit of what it builds, where, or whether and how it applies still reads what it delivers as moving: high", () => {
      const at = (tree: Tree, object: string) => ({ ...tree, "clusters/jkt-prod/web.yaml": object });
      const dependsOn = "  dependsOn: [{name: operator}]\n";
      for (const head of [
        flux(dependsOn, "./apps/web-v2"),
        flux(`${dependsOn}  suspend: false\n  wait: true\n`),
        flux(`${dependsOn}  wait: true\n`),
        flux(`${dependsOn}  force: true\n`),
        flux(`${dependsOn}  serviceAccountName: web-deployer\n`),
        flux(dependsOn).replace("  prune: true\n", "  prune: false\n"),
        flux(dependsOn).replace("{name: web, namespace: flux-system}", "{name: web, namespace: flux-system, labels: {tier: edge}}"),
      ])
        expect(judged(at(BASE, flux()), at({ ...RENAMED, "apps/web-v2/route.yaml": route("web-external") }, head))).toContainEqual(
          ATTACHMENT,
        );
      // Suspended before, resumed now: the pending rename lands at once, as before.
      expect(judged(at(BASE, flux("  suspend: true\n")), at(RENAMED, flux(dependsOn)))).toContainEqual(ATTACHMENT);
      const automated = "  syncPolicy: {automated: {prune: true}, retry: {limit: 5}}\n";
      expect(judged(at(BASE, argo()), at(RENAMED, argo(automated)))).toContainEqual(ATTACHMENT);
    });
  });

  describe("an edited GitOps object that now delivers objects the base tree never declared (budimanjojo/home-cluster b5720186ab, 02d5ab5b08)", () => {
    const flux = (name: string, path: string, extra = "") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  interval: 1h\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ${path}\n  prune: true\n${extra}`;
    const route = (name: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: web}\nspec:\n  hostnames: [${name}.example.com]\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: ${name}, port: 80}]}]\n`;
    const certificate = (name: string) =>
      `apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: ${name}, namespace: web}\nspec:\n  secretName: ${name}\n  commonName: web\n  usages: [client auth]\n  issuerRef: {kind: ClusterIssuer, name: postgres-client-ca}\n`;
    const BASE = {
      "apps/web/route.yaml": route("web"),
      "apps/admin/route.yaml": route("admin"),
      "clusters/jkt-prod/web.yaml": flux("web", "./apps/web"),
      "clusters/jkt-prod/admin.yaml": flux("admin", "./apps/admin"),
    };
    // What Flux applies differently besides (a component, wait): not an edit of when it applies alone.
    const EDITED = { "clusters/jkt-prod/web.yaml": flux("web", "./apps/web", "  wait: true\n") };
    const attachments = (head: Tree) =>
      analyze(BASE, { ...BASE, ...EDITED, ...head })
        .findings.filter((finding) => finding.class === "route.attachment-changed")
        .map((finding) => [finding.risk, finding.summary]);

    it("a new client Certificate or a new route it brings is judged by its own finding, not as delivered config moving", () => {
      const result = analyze(BASE, { ...BASE, ...EDITED, "apps/web/db-cert.yaml": certificate("web-postgres-cert") });
      expect(result.findings.filter((finding) => finding.risk !== "low")).toEqual([]);
      expect(result.findings.map((finding) => finding.summary)).toContain("Certificate web/web-postgres-cert added");
      const added = analyze(BASE, { ...BASE, ...EDITED, "apps/web/api.yaml": route("api") });
      expect(classesOf(added)).toContain("route.added");
      expect(classesOf(added)).not.toContain("route.attachment-changed");
    });

    it("a route the base tree held, now delivered by it, still moves: taken from another delivery, or a copy of one applied elsewhere (high)", () => {
      const moved = attachments({ "apps/admin/route.yaml": "", "apps/web/admin.yaml": route("admin") });
      expect(moved).toContainEqual(["high", expect.stringContaining("now delivers HTTPRoute web/admin")]);
      const copied = attachments({ "apps/web/admin.yaml": route("admin") });
      expect(copied).toContainEqual(["high", expect.stringContaining("now delivers HTTPRoute web/admin")]);
      // The new objects beside it are not named as moving.
      const both = attachments({ "apps/web/admin.yaml": route("admin"), "apps/web/db-cert.yaml": certificate("web-postgres-cert") });
      expect(both).toEqual([["high", expect.not.stringContaining("Certificate")]]);
    });

    it("sent to another cluster or namespace with a new object: what it delivered moves (high), the new object is not named", () => {
      const CERT = { "apps/web/db-cert.yaml": certificate("web-postgres-cert") };
      const remote = flux("web", "./apps/web", "  kubeConfig: {secretRef: {name: sgp-prod-kubeconfig}}\n");
      const moved = attachments({ "clusters/jkt-prod/web.yaml": remote, ...CERT });
      expect(moved).toEqual([["high", expect.stringContaining("gains flux-system/sgp-prod-kubeconfig")]]);
      expect(moved[0]![1]).not.toContain("Certificate");
      const renamespaced = analyze(BASE, {
        ...BASE,
        ...CERT,
        "clusters/jkt-prod/web.yaml": flux("web", "./apps/web", "  targetNamespace: web-v2\n"),
      });
      expect(renamespaced.findings.filter((finding) => finding.risk === "high").map((finding) => finding.summary)).toContainEqual(
        expect.stringContaining("targetNamespace (unset) → web-v2: moves HTTPRoute web: web → web-v2"),
      );
    });
  });

  describe("a Flux Kustomization's path moved to a folder holding objects of the same names", () => {
    const route = (port: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: shop, port: ${port}}]}]\n`;
    const flux = (path: string, interval = "10m") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  interval: ${interval}\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ${path}\n  prune: true\n`;
    const overlays = (prod: number) => ({ "overlays/staging/route.yaml": route(8080), "overlays/prod/route.yaml": route(prod) });

    it("delivers the other folder's versions of them: high, though no name changes (overlays/staging → overlays/prod)", () => {
      const result = analyze(
        { ...overlays(9090), "clusters/jkt-prod/shop.yaml": flux("./overlays/staging") },
        { ...overlays(9090), "clusters/jkt-prod/shop.yaml": flux("./overlays/prod") },
      );
      expect(result.findings.map((finding) => [finding.class, finding.risk])).toContainEqual(["route.attachment-changed", "high"]);
      expect(result.findings.map((finding) => finding.summary)).toContainEqual(
        expect.stringContaining("(paths [overlays/staging] → [overlays/prod]): delivers other versions of HTTPRoute shop/shop"),
      );
    });

    it("to a folder with the same content, or with a route edited in place beside another edit, moves nothing", () => {
      const same = analyze(
        { ...overlays(8080), "clusters/jkt-prod/shop.yaml": flux("./overlays/staging") },
        { ...overlays(8080), "clusters/jkt-prod/shop.yaml": flux("./overlays/prod") },
      );
      expect(same.findings.filter((finding) => finding.class === "route.attachment-changed")).toEqual([]);
      const edited = analyze(
        { ...overlays(9090), "clusters/jkt-prod/shop.yaml": flux("./overlays/staging") },
        { ...overlays(9090), "overlays/staging/route.yaml": route(8081), "clusters/jkt-prod/shop.yaml": flux("./overlays/staging", "5m") },
      );
      expect(edited.findings.filter((finding) => finding.class === "route.attachment-changed")).toEqual([]);
    });
  });

  describe("a Flux Kustomization's targetNamespace, judged by where its objects land", () => {
    const flux = (target = "") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  interval: 10m\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./apps/shop/app\n  prune: true\n${target}`;
    const app = (namespace: string | undefined) => {
      const meta = (name: string) => `{name: ${name}${namespace ? `, namespace: ${namespace}` : ""}}`;
      return {
        "apps/shop/app/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [route.yaml, release.yaml, tls.yaml]\n",
        "apps/shop/app/route.yaml": `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: ${meta("checkout")}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: checkout, port: 8080}]}]\n`,
        "apps/shop/app/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: ${meta("checkout")}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: checkout}\n`,
        "apps/shop/app/tls.yaml": `apiVersion: v1\nkind: Secret\nmetadata: ${meta("checkout-tls")}\n`,
      };
    };
    const targetFindings = (base: Record<string, string>, head: Record<string, string>) =>
      analyze(base, head).findings.filter((finding) => finding.summary.includes("targetNamespace") && finding.risk !== "low");

    it("set to the namespace its objects name, as their namespace lines go (a cluster-template migration): nothing moves", () => {
      const base = { ...app("shop"), "clusters/jkt-prod/shop.yaml": flux() };
      expect(targetFindings(base, { ...app(undefined), "clusters/jkt-prod/shop.yaml": flux("  targetNamespace: shop\n") })).toEqual([]);
      expect(targetFindings(base, { ...app("shop"), "clusters/jkt-prod/shop.yaml": flux("  targetNamespace: shop\n") })).toEqual([]);
    });

    it("what does move is named, a release and a Secret as much as a route, each with where it lands (larivierec/home-cluster 069ee1b)", () => {
      const [finding, ...rest] = targetFindings(
        { ...app("shop"), "clusters/jkt-prod/shop.yaml": flux() },
        { ...app("shop"), "clusters/jkt-prod/shop.yaml": flux("  targetNamespace: shop-v2\n") },
      );
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ class: "resource.changed", risk: "high" });
      expect(finding!.summary).toContain(
        "targetNamespace (unset) → shop-v2: moves HTTPRoute checkout: shop → shop-v2, HelmRelease checkout: shop → shop-v2, Secret checkout-tls: shop → shop-v2 on a cluster the tree does not name",
      );
      expect(finding!.summary).not.toContain("ClusterRole");
    });

    it("with a path that holds nothing on one side, nothing moves: its objects are new (flux2-hub-spoke-example 17a9dca)", () => {
      const base = { "clusters/jkt-prod/shop.yaml": flux() };
      expect(targetFindings(base, { ...app(undefined), "clusters/jkt-prod/shop.yaml": flux("  targetNamespace: shop\n") })).toEqual([]);
    });

    it("objects that name no namespace, which Flux refused to apply, now land: said so (budimanjojo/home-cluster c2ec656)", () => {
      const [finding] = targetFindings(
        { ...app(undefined), "clusters/jkt-prod/shop.yaml": flux() },
        { ...app(undefined), "clusters/jkt-prod/shop.yaml": flux("  targetNamespace: shop\n") },
      );
      expect(finding?.risk).toBe("high");
      expect(finding?.summary).toContain("HelmRelease checkout: (none: Flux refuses it, namespace not specified) → shop");
    });
  });

  it("reformatting and reordering keys is silent", () => {
    const reformatted = app.replace("{repoURL: x, path: apps/shop/jkt}", "\n    path: apps/shop/jkt\n    repoURL: x");
    expect(analyze({ ...ROUTES, "argocd/shop.yaml": app }, { ...ROUTES, "argocd/shop.yaml": reformatted }).findings).toEqual([]);
  });
});

describe("an Argo CD Application renamed or split: what lands on each cluster is what counts", () => {
  const app = (
    name: string,
    path: string,
    { destination = "server: https://kubernetes.default.svc", extra = "", finalizer = false } = {},
  ) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: ${name}, namespace: argocd${finalizer ? ", finalizers: [resources-finalizer.argocd.argoproj.io]" : ""}}\nspec:\n  project: default\n  source: {repoURL: https://github.com/example/platform.git, path: ${path}, directory: {recurse: true}}\n  destination: {${destination}, namespace: shop}\n${extra}`;
  const PRUNE = "  syncPolicy: {automated: {prune: true}}\n";
  const attachments = (base: Tree, head: Tree) =>
    analyze({ ...ROUTES, ...base }, { ...ROUTES, ...head })
      .findings.filter((finding) => finding.risk !== "low" && finding.risk !== "none")
      .map((finding) => [finding.class, finding.risk, finding.summary]);

  it("renamed, same path and destination, without the resources finalizer: the new one adopts what the old one leaves, nothing above low (probe H76)", () => {
    expect(
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop", { extra: PRUNE }) },
        { "argocd/shop.yaml": app("shop-apps", "apps/shop", { extra: PRUNE }) },
      ),
    ).toEqual([]);
  });

  it("split in two over its folders, on a named cluster: each half adopts its routes, nothing above low (probe H57, H77)", () => {
    const destination = "name: jkt-prod";
    expect(
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop", { destination }) },
        {
          "argocd/shop.yaml": app("shop-jkt", "apps/shop/jkt", { destination }),
          "argocd/sgp.yaml": app("shop-sgp", "apps/shop/sgp", { destination }),
        },
      ),
    ).toEqual([]);
  });

  it("renamed with the resources finalizer: Argo CD deletes what the old one applied before the new one recreates it (high)", () => {
    expect(
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop", { finalizer: true }) },
        { "argocd/shop.yaml": app("shop-apps", "apps/shop") },
      ).map(([, risk, summary]) => [risk, summary?.split(": ")[1]]),
    ).toEqual([
      ["high", "removed"],
      ["high", "added"],
    ]);
  });

  it("renamed onto another cluster, or beside the old one still applying the same routes (two Applications fight over them): high", () => {
    const moved = attachments(
      { "argocd/shop.yaml": app("shop", "apps/shop", { destination: "name: jkt-prod" }) },
      { "argocd/shop.yaml": app("shop-apps", "apps/shop", { destination: "name: sgp-prod" }) },
    );
    expect(moved.map(([kind, risk]) => [kind, risk])).toEqual([
      ["route.attachment-changed", "high"],
      ["route.attachment-changed", "high"],
    ]);
    const shared = attachments(
      { "argocd/shop.yaml": app("shop", "apps/shop") },
      { "argocd/shop.yaml": app("shop", "apps/shop"), "argocd/copy.yaml": app("shop-apps", "apps/shop") },
    );
    expect(shared).toEqual([
      [
        "route.attachment-changed",
        "high",
        "Application argocd/shop-apps: added: delivers 2 traffic resources (HTTPRoute shop/checkout, VirtualService shop/checkout) from [apps/shop] to a cluster the tree does not name",
      ],
    ]);
  });

  it("split keeping its name: the narrowed one prunes what it no longer delivers only under automated prune (high); without, the other adopts it", () => {
    const split = (extra: string) =>
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop", { extra }) },
        { "argocd/shop.yaml": app("shop", "apps/shop/jkt", { extra }), "argocd/sgp.yaml": app("shop-sgp", "apps/shop/sgp", { extra }) },
      ).map(([, risk, summary]) => [risk, summary]);
    expect(split(PRUNE)).toEqual([
      ["high", expect.stringContaining("Application argocd/shop-sgp: added: delivers 1 traffic resources (VirtualService shop/checkout)")],
      ["high", expect.stringContaining("no longer delivers VirtualService shop/checkout")],
    ]);
    expect(split("")).toEqual([]);
  });

  it("renamed and deploying otherwise (another revision, repository, inline patch or sync policy): what the files hold is not what lands (high)", () => {
    const renamed = (before: string, after: string, edit = (text: string) => text) =>
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop", { extra: before }) },
        { "argocd/shop.yaml": edit(app("shop-apps", "apps/shop", { extra: after })) },
      ).map(([, risk, summary]) => [risk, summary?.split(": ")[1]]);
    const HIGH = [
      ["high", "removed"],
      ["high", "added"],
    ];
    expect(renamed(PRUNE, "")).toEqual(HIGH);
    expect(renamed("", PRUNE)).toEqual(HIGH);
    expect(renamed("", "", (text) => text.replace("path: apps/shop", "path: apps/shop, targetRevision: v0.9.0"))).toEqual(HIGH);
    expect(renamed("", "", (text) => text.replace("example/platform", "someone-else/platform"))).toEqual(HIGH);
    const patch =
      "kustomize: {patches: [{target: {kind: HTTPRoute}, patch: '[{op: replace, path: /spec/rules/0/backendRefs/0/weight, value: 0}]'}]}";
    expect(renamed("", "", (text) => text.replace("path: apps/shop", `path: apps/shop, ${patch}`))).toEqual(HIGH);
  });

  it("moved between the folders of two Argo CDs (clusters/staging → clusters/prod), renamed: it lands on another cluster (high); within one Argo CD's folders, nothing above low", () => {
    const infra = app("infra", "infra");
    const moved = attachments(
      {
        "clusters/staging/argocd/infra.yaml": infra,
        "clusters/prod/argocd/infra.yaml": infra,
        "clusters/staging/argocd/shop.yaml": app("shop", "apps/shop"),
      },
      {
        "clusters/staging/argocd/infra.yaml": infra,
        "clusters/prod/argocd/infra.yaml": infra,
        "clusters/prod/argocd/shop.yaml": app("shop-prod", "apps/shop"),
      },
    );
    expect(moved.map(([kind, risk]) => [kind, risk])).toEqual([
      ["route.attachment-changed", "high"],
      ["route.attachment-changed", "high"],
    ]);
    expect(
      attachments(
        { "argocd/apps/shop.yaml": app("shop", "apps/shop") },
        { "argocd/apps/team-shop/shop.yaml": app("team-shop", "apps/shop") },
      ),
    ).toEqual([]);
    // Which files a source reads (directory.recurse, include, exclude) is for the footprint to compare, not a way of deploying.
    expect(
      attachments(
        { "argocd/shop.yaml": app("shop", "apps/shop/jkt") },
        { "argocd/shop.yaml": app("shop-jkt", "apps/shop/jkt").replace(", directory: {recurse: true}", "") },
      ),
    ).toEqual([]);
  });

  it("an ApplicationSet under create-update stops generating an Application a standalone one now delivers: the old one stays, and two apply its routes (high)", () => {
    const appSet = (elements: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n  syncPolicy: {applicationsSync: create-update}\n  generators: [{list: {elements: [${elements}]}}]\n  template:\n    metadata: {name: '{{app}}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: 'apps/{{app}}', directory: {recurse: true}}\n      destination: {server: https://kubernetes.default.svc, namespace: shop}\n`;
    const result = attachments(
      { "argocd/apps.yaml": appSet("{app: shop}, {app: infra}") },
      { "argocd/apps.yaml": appSet("{app: infra}"), "argocd/shop.yaml": app("shop", "apps/shop") },
    );
    expect(result.map(([kind, risk]) => [kind, risk])).toEqual([
      ["route.attachment-changed", "high"],
      ["route.attachment-changed", "high"],
    ]);
  });

  it("a Flux Kustomization renamed: deleted under prune or deletionPolicy Delete (high); kept under deletionPolicy Orphan, nothing above low", () => {
    const kustomization = (name: string, extra: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  interval: 10m\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./apps/shop\n${extra}`;
    // The root Kustomization applying it, as `flux bootstrap` writes it: both land where that one is applied.
    const sync = {
      "clusters/jkt-prod/flux-system/gotk-sync.yaml": kustomization("flux-system", "  prune: true\n").replace(
        "./apps/shop",
        "./clusters/jkt-prod",
      ),
    };
    const renamed = (extra: string) =>
      attachments(
        { ...sync, "clusters/jkt-prod/shop.yaml": kustomization("shop", extra) },
        { ...sync, "clusters/jkt-prod/shop.yaml": kustomization("shop-apps", extra) },
      ).map(([, risk, summary]) => [risk, summary?.split(": ")[1]]);
    const HIGH = [
      ["high", "removed"],
      ["high", "added"],
    ];
    expect(renamed("  prune: true\n")).toEqual(HIGH);
    expect(renamed("  prune: false\n  deletionPolicy: Delete\n")).toEqual(HIGH);
    expect(renamed("  prune: false\n")).toEqual([]);
    expect(renamed("  prune: true\n  deletionPolicy: Orphan\n")).toEqual([]);
  });

  it("a route naming no namespace lands in the destination namespace: renamed into another, it moves (high)", () => {
    const route =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n";
    const result = attachments(
      { "apps/web/route.yaml": route, "argocd/shop.yaml": app("shop", "apps/web") },
      { "apps/web/route.yaml": route, "argocd/shop.yaml": app("web", "apps/web").replace("namespace: shop}", "namespace: web}") },
    );
    expect(result.map(([kind, risk]) => [kind, risk])).toContainEqual(["route.attachment-changed", "high"]);
  });
});

describe("an ApplicationSet's generated Applications renamed by its generators: judged as the Applications it stops generating", () => {
  const route = (name: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: ${name}, port: 8080}]}]\n`;
  const listSet = (elements: string, { syncPolicy = "", name = "'{{app}}'", extra = "" } = {}) =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n${syncPolicy ? `  syncPolicy: {${syncPolicy}}\n` : ""}  generators: [{list: {elements: [${elements}]}}]\n  template:\n    metadata: {name: ${name}${extra}}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: '{{path}}', targetRevision: '{{revision}}'}\n      destination: {server: https://kubernetes.default.svc, namespace: shop}\n      syncPolicy: {automated: {prune: true}}\n`;
  const gitSet = (syncPolicy = "", directories = "{path: 'apps/*'}") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n${syncPolicy ? `  syncPolicy: {${syncPolicy}}\n` : ""}  generators: [{git: {repoURL: https://github.com/example/platform.git, revision: HEAD, directories: [${directories}]}}]\n  template:\n    metadata: {name: '{{path.basename}}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: '{{path}}'}\n      destination: {server: https://kubernetes.default.svc, namespace: shop}\n      syncPolicy: {automated: {prune: true}}\n`;
  const ROUTES_AT = { "apps/shop/route.yaml": route("checkout"), "apps/web/route.yaml": route("web") };
  const SHOP = "{app: shop, path: apps/shop, revision: main}";
  const WEB = "{app: web, path: apps/web, revision: main}";
  const PRESERVE = "preserveResourcesOnDeletion: true";
  /** Findings above low, as [class, risk, summary]. */
  const above = (base: Tree, head: Tree) =>
    analyze(base, head)
      .findings.filter((finding) => finding.risk !== "low" && finding.risk !== "none")
      .map((finding) => [finding.class, finding.risk, finding.summary]);

  it("a list element renamed (app: shop → shop-apps): the controller deletes shop, with the resources finalizer it gives it, and what it applied before shop-apps applies it again (high, naming both)", () => {
    expect(
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP}, ${WEB}`) },
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP.replace("app: shop", "app: shop-apps")}, ${WEB}`) },
      ),
    ).toEqual([
      [
        "resource.changed",
        "high",
        "ApplicationSet argocd/apps: no longer generates Application shop (generates shop-apps): deleted with the resources finalizer, it deletes its 1 traffic resources (HTTPRoute shop/checkout) from a cluster the tree does not name before shop-apps applies them again",
      ],
    ]);
  });

  it("renamed where the set preserves resources on deletion, or its template writes a finalizer that deletes nothing: shop-apps adopts them, nothing above low", () => {
    const renamed = (options: { syncPolicy?: string; extra?: string }) =>
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP}, ${WEB}`, options) },
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP.replace("app: shop", "app: shop-apps")}, ${WEB}`, options) },
      );
    expect(renamed({ syncPolicy: PRESERVE })).toEqual([]);
    expect(renamed({ extra: ", finalizers: [post-delete-finalizer.argocd.argoproj.io]" })).toEqual([]);
  });

  it("renamed and preserving resources, but the successor deploys another revision: not handed over alike (high)", () => {
    const options = { syncPolicy: PRESERVE };
    const renamed = (element: string) =>
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP}, ${WEB}`, options) },
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${element}, ${WEB}`, options) },
      ).map(([kind, risk, summary]) => [kind, risk, summary?.split(": ").slice(1, 2)[0]]);
    expect(renamed("{app: shop-apps, path: apps/shop, revision: v2}")).toEqual([
      ["resource.changed", "high", "no longer generates Application shop (generates shop-apps)"],
    ]);
  });

  it("renamed under create-update: shop stays beside shop-apps, and two Applications apply its routes (high)", () => {
    const options = { syncPolicy: "applicationsSync: create-update" };
    expect(
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP}, ${WEB}`, options) },
        { ...ROUTES_AT, "argocd/apps.yaml": listSet(`${SHOP.replace("app: shop", "app: shop-apps")}, ${WEB}`, options) },
      ).map(([, risk, summary]) => [risk, summary?.split("): ")[1]]),
    ).toEqual([
      [
        "high",
        "it stays (applicationsSync create-update), and two Applications apply each of its 1 traffic resources (HTTPRoute shop/checkout) on a cluster the tree does not name",
      ],
    ]);
  });

  it("harmless twins stay quiet: an element added, the elements reordered, a label on the template, its name written otherwise for the same names", () => {
    const base = {
      ...ROUTES_AT,
      "apps/api/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api, namespace: shop}\n",
      "argocd/apps.yaml": listSet(`${SHOP}, ${WEB}`),
    };
    const head = (set: string) => ({ ...base, "argocd/apps.yaml": set });
    expect(above(base, head(listSet(`${SHOP}, ${WEB}, {app: api, path: apps/api, revision: main}`)))).toEqual([]);
    expect(above(base, head(listSet(`${WEB}, ${SHOP}`)))).toEqual([]);
    expect(above(base, head(listSet(`${SHOP}, ${WEB}`, { extra: ", labels: {team: shop}" })))).toEqual([]);
    expect(above(base, head(listSet(`${SHOP}, ${WEB}`, { name: "'{{ app }}'" })))).toEqual([]);
  });

  it("a folder a git directory generator reads renamed, the set untouched (apps/shop → apps/shop-apps): Application shop is deleted with its routes before shop-apps applies them (high); preserving resources, nothing above low", () => {
    const renamed = (syncPolicy: string, edit = (text: string) => text) =>
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": gitSet(syncPolicy) },
        {
          "apps/shop-apps/route.yaml": route("checkout"),
          "apps/web/route.yaml": route("web"),
          "argocd/apps.yaml": edit(gitSet(syncPolicy)),
        },
      );
    // The set rewritten without a change of meaning (a comment) is still judged: no resource change shows it either.
    expect(renamed("", (text) => `# apps\n${text}`)).toEqual(renamed(""));
    expect(renamed("")).toEqual([
      [
        "resource.changed",
        "high",
        "ApplicationSet argocd/apps: no longer generates Application shop (generates shop-apps): deleted with the resources finalizer, it deletes its 1 traffic resources (HTTPRoute shop/checkout) from a cluster the tree does not name before shop-apps applies them again",
      ],
    ]);
    expect(renamed(PRESERVE)).toEqual([]);
  });

  it("a folder moved out of what the generator reads to a standalone Application's: shop is deleted with its routes before that one applies them (high); preserving resources, handed over alike, nothing above low; to one syncing otherwise, high", () => {
    const standalone = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: legacy-shop, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://github.com/example/platform.git, path: legacy/shop}\n  destination: {server: https://kubernetes.default.svc, namespace: shop}\n  syncPolicy: {automated: {prune: true}}\n`;
    const moved = (syncPolicy: string, edit = (text: string) => text) =>
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": gitSet(syncPolicy) },
        {
          "legacy/shop/route.yaml": route("checkout"),
          "apps/web/route.yaml": route("web"),
          "argocd/apps.yaml": gitSet(syncPolicy),
          "argocd/legacy-shop.yaml": edit(standalone),
        },
      ).map(([kind, risk, summary]) => [kind, risk, summary?.split(": ")[1]]);
    const LET_GO = ["resource.changed", "high", "no longer generates Application shop"];
    expect(moved("")).toContainEqual(LET_GO);
    expect(moved(PRESERVE)).toEqual([]);
    // The one taking over syncs by hand: what the set's Application kept in sync is left as it was.
    expect(moved(PRESERVE, (text) => text.replace("  syncPolicy: {automated: {prune: true}}\n", ""))).toContainEqual(LET_GO);
  });

  it("a folder added, or deleted with its routes, under an untouched set: no Application of its deleted with what the tree still holds (the route diff judges the routes)", () => {
    const generatedFindings = (head: Tree) =>
      analyze({ ...ROUTES_AT, "argocd/apps.yaml": gitSet() }, { ...head, "argocd/apps.yaml": gitSet() }).findings.filter((finding) =>
        finding.summary.includes("no longer generates"),
      );
    expect(generatedFindings({ ...ROUTES_AT, "apps/api/route.yaml": route("api") })).toEqual([]);
    expect(generatedFindings({ "apps/web/route.yaml": route("web") })).toEqual([]);
  });

  it("a git file generator's value renamed, and a folder renamed under a matrix with a list of clusters: each Application of the old name deleted (high)", () => {
    const filesSet = `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n  generators: [{git: {repoURL: https://github.com/example/platform.git, revision: HEAD, files: [{path: 'apps/*/app.json'}]}}]\n  template:\n    metadata: {name: '{{name}}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: '{{path}}'}\n      destination: {server: https://kubernetes.default.svc, namespace: shop}\n`;
    const files = (name: string) => ({ ...ROUTES_AT, "apps/shop/app.json": `{"name": "${name}"}`, "argocd/apps.yaml": filesSet });
    expect(above(files("shop"), files("shop-apps")).map(([, risk, summary]) => [risk, summary?.split(": ")[1]])).toEqual([
      ["high", "no longer generates Application shop (generates shop-apps)"],
    ]);
    // Its template renamed: the set's own reach (which reads no file generator) says nothing, the Applications do.
    const renamed = { ...files("shop"), "argocd/apps.yaml": filesSet.replace("'{{name}}'", "'{{name}}-app'") };
    expect(above(files("shop"), renamed).map(([, risk, summary]) => [risk, summary?.split(": ")[2]])).toEqual([
      ["high", "no longer generates Application shop (generates shop-app)"],
    ]);
    const matrixSet = `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n  generators:\n  - matrix:\n      generators:\n      - git: {repoURL: https://github.com/example/platform.git, revision: HEAD, directories: [{path: 'apps/*'}]}\n      - list: {elements: [{cluster: jkt-prod}, {cluster: sgp-prod}]}\n  template:\n    metadata: {name: '{{path.basename}}-{{cluster}}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: '{{path}}'}\n      destination: {name: '{{cluster}}', namespace: shop}\n`;
    expect(
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": matrixSet },
        { "apps/checkout/route.yaml": route("checkout"), "apps/web/route.yaml": route("web"), "argocd/apps.yaml": matrixSet },
      ).map(([, risk, summary]) => [risk, summary?.split(": ")[1]]),
    ).toEqual([["high", "no longer generates Applications shop-jkt-prod, shop-sgp-prod (generates checkout-jkt-prod, checkout-sgp-prod)"]]);
  });

  it("generators the tree cannot evaluate keep today's reading: a cluster generator's template renamed is judged by its name as written (high), an element of a list crossed with clusters renamed is a low field change", () => {
    const clusterSet = (name: string, elements = "{app: shop, path: apps/shop}") =>
      `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps, namespace: argocd}\nspec:\n  generators:\n  - matrix:\n      generators:\n      - clusters: {selector: {matchLabels: {env: prod}}}\n      - list: {elements: [${elements}]}\n  template:\n    metadata: {name: '${name}'}\n    spec:\n      project: default\n      source: {repoURL: https://github.com/example/platform.git, path: '{{path}}'}\n      destination: {server: '{{server}}', namespace: shop}\n`;
    expect(
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": clusterSet("{{app}}-{{name}}") },
        { ...ROUTES_AT, "argocd/apps.yaml": clusterSet("shop-{{app}}-{{name}}") },
      ).map(([, risk, summary]) => [risk, summary?.split(": ")[2]]),
    ).toEqual([
      [
        "high",
        "the Applications of the old names are deleted with the resources finalizer, and its 1 traffic resources with them from cluster all Argo CD clusters matching env=prod before the renamed ones apply them again",
      ],
    ]);
    expect(
      above(
        { ...ROUTES_AT, "argocd/apps.yaml": clusterSet("{{app}}-{{name}}") },
        { ...ROUTES_AT, "argocd/apps.yaml": clusterSet("{{app}}-{{name}}", "{app: shop-apps, path: apps/shop}") },
      ),
    ).toEqual([]);
  });
});

describe("an Argo CD chart source the render stage judged", () => {
  const chart = (version: string) =>
    application(
      `  source: {repoURL: https://charts.jetstack.io, chart: cert-manager, targetRevision: ${version}}\n  destination: {name: jkt-prod, namespace: cert-manager}`,
    );
  const gitPath = (revision: string) =>
    application(
      `  source: {repoURL: https://github.com/example/platform.git, path: charts/shop, targetRevision: ${revision}, helm: {values: "replicas: 2"}}\n  destination: {name: jkt-prod, namespace: shop}`,
    );
  /** The detector's findings with the render stage's result for these trees: each helm root it plans reported as failed (or as rendering alike). */
  const judged = (base: string, head: string, render: boolean | "alike"): string[] => {
    const clusterOfFile = compileFilePlacement(POLICY.topology.placements);
    const files = (text: string) => [{ path: "apps/shop.yaml", text }];
    const [before, after] = [loadManifests(files(base)), loadManifests(files(head))];
    const roots = planRenders(files(head), POLICY.topology);
    const rendered: RenderResult = {
      roots: [],
      base: { files: [], consumed: [] },
      head: { files: [], consumed: [] },
      failures:
        render === "alike"
          ? []
          : roots.map((root) => ({ id: root.id, origin: root.origin, inputs: root.inputs, reason: "offline", gates: true })),
      ...(render === "alike" ? { alike: roots.map((root) => root.id) } : {}),
    };
    const context = detectorContext(POLICY, before, after, clusterOfFile, render ? rendered : undefined);
    return placementDetector(changeOf(APP, before.resources.get(APP), after.resources.get(APP)), context).map((d) => d.summary);
  };

  it("leaves a chart version to the render stage (linkerd-examples d0f758b: high twice, and still once render.trusted vouched)", () => {
    expect(judged(chart("v0.15.0"), chart("v1.0.4"), true)).toEqual([]);
    // Nothing rendered (--no-render): the detector is the only one to say it.
    expect(judged(chart("v0.15.0"), chart("v1.0.4"), false)).toEqual([
      expect.stringContaining("deploys revision v1.0.4 instead of v0.15.0"),
    ]);
  });

  it("leaves inline Helm values to the render stage where it found the chart renders alike (an app-template resources bump)", () => {
    const values = (cpu: string) =>
      application(
        `  source: {repoURL: https://charts.jetstack.io, chart: cert-manager, targetRevision: v1.0.4, helm: {valuesObject: {resources: {requests: {cpu: ${cpu}}}}}}\n  destination: {name: jkt-prod, namespace: cert-manager}`,
      );
    expect(judged(values("10m"), values("20m"), "alike")).toEqual([]);
    expect(judged(values("10m"), values("20m"), false)).toEqual([expect.stringContaining("helm.valuesObject changes what is rendered")]);
  });

  it("still judges a path source's git revision, which no render here reads", () => {
    expect(judged(gitPath("main"), gitPath("feature"), true)).toEqual([
      expect.stringContaining("deploys revision feature instead of main"),
    ]);
  });
});

describe("an Argo CD Application's destination namespace, for what it renders", () => {
  const app = (namespace: string) =>
    application(
      `  source: {repoURL: https://github.com/example/platform.git, path: apps/checkout/overlays/jkt}\n  destination: {name: jkt-prod, namespace: ${namespace}}`,
    );
  const tree = (namespace: string, overlayNamespace: string) => ({
    "argocd/shop.yaml": app(namespace),
    "apps/checkout/overlays/jkt/kustomization.yaml": `${overlayNamespace}resources: [../../base]\n`,
    "apps/checkout/base/kustomization.yaml": "resources: [route.yaml]\n",
    "apps/checkout/base/route.yaml":
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: checkout, port: 8080}]}]\n",
  });
  const moves = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head).findings.filter((f) => f.summary.includes("destination.namespace") && f.risk !== "low");

  it("moves nothing where the overlay names every object's namespace (read through its base)", () => {
    expect(moves(tree("storefront", "namespace: storefront\n"), tree("shop", "namespace: storefront\n"))).toEqual([]);
  });

  it("moves what names no namespace of its own, by name", () => {
    expect(moves(tree("storefront", ""), tree("shop", "")).map((f) => [f.risk, f.summary.split(": moves ")[1]?.split(" on ")[0]])).toEqual([
      ["high", "HTTPRoute checkout: storefront → shop"],
    ]);
  });
});

describe("Flux Kustomization suspend and prune, by what its path delivers", () => {
  const KEY = "kustomize.toolkit.fluxcd.io/Kustomization/flux-system/jobs@jkt-prod";
  const FILE = "clusters/jkt-prod/jobs.yaml";
  const kustomization = (extra: string, path = "./apps/jobs", source = "GitRepository") => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: jobs, namespace: flux-system}
spec:
  interval: 10m
  sourceRef: {kind: ${source}, name: flux-system}
  path: ${path}
${extra}`;
  // rwlove/home-ops d7d521d9c8: a Job, a CronJob, an ExternalSecret and RBAC, none of them traffic config.
  const QUIET: Tree = {
    "apps/jobs/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [job.yaml, rbac.yaml]\n",
    "apps/jobs/job.yaml": `
apiVersion: batch/v1
kind: Job
metadata: {name: spike, namespace: ai}
spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ai}
spec: {schedule: "0 0 * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: busybox}]}}}}}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: token, namespace: ai}
spec: {target: {name: token}}
`,
    "apps/jobs/rbac.yaml": `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: runner, namespace: ai}
rules: []
`,
  };
  const RESUME = { base: "  prune: true\n  suspend: true", head: "  prune: true\n  suspend: false" };
  const PRUNE_OFF = { base: "  prune: true", head: "  prune: false" };
  const judged = (files: Tree, edit: { base: string; head: string }, path?: string, source?: string) =>
    detectIn(
      KEY,
      { ...files, [FILE]: kustomization(edit.base, path, source) },
      { ...files, [FILE]: kustomization(edit.head, path, source) },
      true,
    );
  const HTTP_ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ai}
spec: {parentRefs: [{name: public, namespace: infra}], rules: [{backendRefs: [{name: web, port: 80}]}]}
`;
  const listing = (resources: string, extra = "") =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${resources}]\n${extra}`;

  it("resuming a path of Jobs, secrets and RBAC is low: no route lands", () => {
    expectDetections(judged(QUIET, RESUME), [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "suspend"],
        riskFloor: "low",
        says: "suspend true → false: it delivers no traffic config to cluster jkt-prod (apps/jobs holds no traffic resource",
      },
    ]);
  });

  it("turning prune off for such a path is low too", () => {
    expectDetections(judged(QUIET, PRUNE_OFF), [
      { class: "resource.changed", side: "head", path: ["spec", "prune"], riskFloor: "low", says: "it delivers no traffic config" },
    ]);
  });

  it("one HTTPRoute among them keeps the floor", () => {
    const files = {
      ...QUIET,
      "apps/jobs/kustomization.yaml": listing("job.yaml, rbac.yaml, route.yaml"),
      "apps/jobs/route.yaml": HTTP_ROUTE,
    };
    expect(judged(files, RESUME).find((found) => found.path?.[1] === "suspend")?.riskFloor).toBe("high");
    expect(judged(files, PRUNE_OFF).find((found) => found.path?.[1] === "prune")?.riskFloor).toBe("medium");
  });

  it("a Gateway, a VirtualService or a List holding a route among them keeps the floor", () => {
    const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: ai}
spec: {gatewayClassName: cilium, listeners: [{name: http, port: 80, protocol: HTTP}]}
`;
    const virtualService = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: ai}
spec: {hosts: [web], http: [{route: [{destination: {host: web}}]}]}
`;
    const list = `apiVersion: v1\nkind: List\nitems:\n  - ${HTTP_ROUTE.trim().replace(/\n/g, "\n    ")}\n`;
    for (const extra of [gateway, virtualService, list]) {
      const files = { ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, rbac.yaml, extra.yaml"), "apps/jobs/extra.yaml": extra };
      expect(judged(files, RESUME).find((found) => found.path?.[1] === "suspend")?.riskFloor).toBe("high");
    }
  });

  it("a HelmRelease, whose chart the review does not read here, keeps the floor (rwlove/home-ops 6092b348f0)", () => {
    const release = `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: kubelet-csr-approver, namespace: kube-system}
spec: {chart: {spec: {chart: kubelet-csr-approver, sourceRef: {kind: HelmRepository, name: postfinance}}}}
`;
    const files = { ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, release.yaml"), "apps/jobs/release.yaml": release };
    expectDetections(judged(files, PRUNE_OFF), [
      { class: "resource.changed", side: "head", path: ["spec", "prune"], riskFloor: "medium", says: "still serving traffic" },
    ]);
  });

  it("a nested Kustomization, which delivers further, keeps the floor", () => {
    const nested = kustomization("  prune: true", "./apps/web").replace("name: jobs", "name: web");
    const files = { ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, ks.yaml"), "apps/jobs/ks.yaml": nested };
    expect(judged(files, RESUME).find((found) => found.path?.[1] === "suspend")?.riskFloor).toBe("high");
  });

  describe("an Argo CD Application's automated sync", () => {
    const APP_KEY = "argoproj.io/Application/argocd/jobs";
    const app = (source: string, sync: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: jobs, namespace: argocd}
spec:
  project: default
  destination: {name: jkt-prod, namespace: ai}
${source}
${sync}`;
    const PATH = "  source: {repoURL: https://github.com/example/platform.git, path: apps/jobs}";
    const ON = { base: "", head: "  syncPolicy: {automated: {prune: true}}" };
    const automated = (files: Tree, source = PATH) =>
      detectIn(
        APP_KEY,
        { ...files, "argocd/jobs.yaml": app(source, ON.base) },
        { ...files, "argocd/jobs.yaml": app(source, ON.head) },
        true,
      );

    it("turned on for a path of Jobs, secrets and RBAC is low", () => {
      expectDetections(automated(QUIET), [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "syncPolicy", "automated"],
          riskFloor: "low",
          says: "it delivers no traffic config to cluster jkt-prod",
        },
      ]);
    });

    it("keeps its floor for a path with a route, a chart in the path, or a source rendered by Helm, a chart or a plugin", () => {
      const routed = { ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, route.yaml"), "apps/jobs/route.yaml": HTTP_ROUTE };
      const charted = { ...QUIET, "apps/jobs/Chart.yaml": "apiVersion: v2\nname: jobs\nversion: 1.0.0\n" };
      const cases: [Tree, string?][] = [
        [routed],
        [charted],
        [QUIET, `${PATH.slice(0, -1)}, helm: {valueFiles: [values.yaml]}}`],
        [QUIET, `${PATH.slice(0, -1)}, plugin: {name: envsubst}}`],
        [QUIET, `${PATH}\n  sources: [{repoURL: https://charts.example.com, chart: web, targetRevision: 1.0.0}]`],
      ];
      for (const [files, source] of cases)
        expect(automated(files, source).find((found) => found.path?.[1] === "syncPolicy")?.riskFloor).toBe("medium");
    });
  });

  it("contents the review cannot read keep the floor: a remote resource, a Helm chart, a folder the tree lacks or does not read, an OCI artifact", () => {
    const unread: [Tree, string?, string?][] = [
      [{ ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, https://github.com/example/web//deploy?ref=v1") }],
      // Written without apiVersion and kind, as many kustomizations are.
      [{ ...QUIET, "apps/jobs/kustomization.yaml": "resources: [job.yaml, github.com/example/web/deploy]\n" }],
      [{ ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml", "helmCharts: [{name: web, repo: https://charts.example.com}]\n") }],
      [{ ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, ../shared") }],
      // A folder outside its path, held by the tree, whose route it delivers through that kustomization.
      [{ ...QUIET, "apps/jobs/kustomization.yaml": listing("job.yaml, ../web"), "apps/web/route.yaml": HTTP_ROUTE }],
      [QUIET, "./apps/missing"],
      [QUIET, "./apps/jobs", "OCIRepository"],
    ];
    for (const [files, path, source] of unread) {
      const found = judged(files, RESUME, path, source).find((detection) => detection.path?.[1] === "suspend");
      expect(found?.riskFloor).toBe("high");
      expect(found?.summary).toContain("reconciliation resumes");
    }
  });
});

describe("what an ApplicationSet's generators feed into its Applications' sources is judged as a written Application's sources are", () => {
  const KUSTOMIZE = {
    "apps/prod/kustomization.yaml": "resources: [route.yaml]\n",
    "apps/prod/route.yaml":
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: web}\nspec:\n  rules: [{backendRefs: [{name: web-v1, port: 8080, weight: 90}, {name: web-v2, port: 8080, weight: 10}]}]\n",
  };
  const set = (generators: string, source: string, name = "web-{{cluster}}") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web, namespace: argocd}\nspec:\n  generators:\n${generators}  template:\n    metadata: {name: '${name}'}\n    spec:\n      project: default\n      source:\n        repoURL: https://github.com/example/gitops.git\n${source}      destination: {server: https://prod-us.example.com, namespace: web}\n`;
  const list = (element: string) => `    - list: {elements: [{cluster: prod-us, ${element}}]}\n`;
  const PATCHED =
    "        path: apps/prod\n        kustomize:\n          patches:\n            - target: {kind: HTTPRoute, name: web}\n              patch: '[{op: replace, path: /spec/rules/0/backendRefs/1/weight, value: {{canary}}}]'\n";
  const PARAMETER = (value: string) =>
    `        path: charts/web\n        helm: {parameters: [{name: weights.canary, value: '${value}'}]}\n`;
  const CHART = { "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n" };
  /** Findings above low, as [risk, summary]. */
  const above = (base: Tree, head: Tree) =>
    analyze(base, head)
      .findings.filter((finding) => finding.risk !== "low" && finding.risk !== "none")
      .map((finding) => [finding.risk, finding.summary]);

  it("a list element feeding a kustomize patch 10 → 90: high for the Application it generates (probe G a07c); a key the template does not read: nothing above low", () => {
    const at = (element: string) => ({ ...KUSTOMIZE, "argocd/web.yaml": set(list(element), PATCHED) });
    expect(above(at('canary: "10"'), at('canary: "90"'))).toEqual([
      [
        "high",
        "ApplicationSet argocd/web: Application web-prod-us it generates, source render inputs: inline kustomize patches rewrite traffic config for cluster https://prod-us.example.com: their effect is not rendered by Route Governor; review the patch",
      ],
    ]);
    expect(above(at('canary: "10"'), at('canary: "10", team: web'))).toEqual([]);
  });

  it("a list element feeding helm.parameters, not rendered: high, as for a written Application's parameters", () => {
    const at = (canary: string) => ({ ...CHART, "argocd/web.yaml": set(list(`canary: "${canary}"`), PARAMETER("{{canary}}")) });
    expect(above(at("10"), at("90"))).toEqual([
      [
        "high",
        "ApplicationSet argocd/web: Application web-prod-us it generates, source render inputs: helm.parameters changes what is rendered for cluster https://prod-us.example.com: the rendered config is not reviewed here",
      ],
    ]);
  });

  it("a git files generator's config.json edited under a set the PR leaves alone: high for the Application it feeds (probe G a08)", () => {
    const git = "    - git: {repoURL: https://github.com/example/gitops.git, revision: HEAD, files: [{path: 'clusters/*/config.json'}]}\n";
    const at = (canary: string) => ({
      ...CHART,
      "argocd/web.yaml": set(git, PARAMETER("{{cluster.canary}}"), "web-{{cluster.name}}"),
      "clusters/prod-us/config.json": `{"cluster": {"name": "prod-us", "canary": "${canary}"}}`,
      "clusters/prod-eu/config.json": '{"cluster": {"name": "prod-eu", "canary": "10"}}',
    });
    expect(above(at("10"), at("90"))).toEqual([
      [
        "high",
        "ApplicationSet argocd/web: Application web-prod-us it generates, source render inputs: helm.parameters changes what is rendered for cluster https://prod-us.example.com: the rendered config is not reviewed here",
      ],
    ]);
  });

  it("a template's own render inputs changed are said once, of the set, not again of each Application", () => {
    const at = (value: string) => ({ ...CHART, "argocd/web.yaml": set(list('canary: "10"'), PARAMETER(value)) });
    expect(above(at("{{canary}}"), at("90"))).toEqual([
      [
        "high",
        "ApplicationSet argocd/web: source render inputs: helm.parameters changes what is rendered for cluster https://prod-us.example.com: the rendered config is not reviewed here",
      ],
    ]);
  });

  it("a cluster generator's values feeding helm.parameters changed: high, as the Applications cannot be listed; feeding no source setting: nothing above low", () => {
    const clusters = (canary: string) => `    - clusters: {values: {canary: "${canary}"}}\n`;
    const at = (canary: string, value: string) => ({
      ...CHART,
      "argocd/web.yaml": set(clusters(canary), PARAMETER(value), "web-{{name}}"),
    });
    expect(above(at("10", "{{values.canary}}"), at("90", "{{values.canary}}"))).toEqual([
      [
        "high",
        "ApplicationSet argocd/web: spec.generators changed, and the parameters they give its template's sources (Helm or kustomize settings, chart or revision) render in Applications the review cannot list from the tree (generators: clusters): what they render is not reviewed here",
      ],
    ]);
    expect(above(at("10", "10"), at("90", "10"))).toEqual([]);
  });
});

describe("Flux hub and spoke: a spoke losing a route another spoke still serves", () => {
  // fluxcd/flux2-hub-spoke-example: one hub namespace per spoke, each with its own Secret `cluster-kubeconfig`.
  const spoke = (cluster: string, kubeConfig: string) => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: routes, namespace: ${cluster}}
spec:
  interval: 1h
  prune: true
  path: ./clusters/${cluster}/routes
  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  kubeConfig: {${kubeConfig}}
`;
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: gateway}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
  const tree = (kubeConfig: string, production: boolean): Tree => ({
    "hub/production.yaml": spoke("production", kubeConfig),
    "hub/staging.yaml": spoke("staging", kubeConfig),
    "clusters/staging/routes/route.yaml": route,
    ...(production ? { "clusters/production/routes/route.yaml": route } : {}),
  });
  const removed = (result: ReturnType<typeof analyze>) =>
    result.findings.filter((finding) => finding.class === "route.removed").map((finding) => [finding.risk, finding.clusters]);

  it.each([
    ["one Secret name", "secretRef: {name: cluster-kubeconfig}", "production/cluster-kubeconfig"],
    ["one ConfigMap name", "configMapRef: {name: spoke}", "production/spoke"],
  ])("%s in both namespaces: the route is removed from production", (_, kubeConfig, cluster) => {
    expect(removed(analyze(tree(kubeConfig, true), tree(kubeConfig, false)))).toEqual([["high", [cluster]]]);
  });

  it("named by the policy's clusters: by the namespace holding the Secret", () => {
    const overlay = "topology:\n  clusters: {production: eu-west-1, staging: eu-central-1}\n";
    const kubeConfig = "secretRef: {name: cluster-kubeconfig}";
    expect(removed(analyze(tree(kubeConfig, true), tree(kubeConfig, false), overlay))).toEqual([["high", ["production"]]]);
  });

  it("a Secret name the policy gives both namespaces is one cluster: a route moved between them removes nothing", () => {
    const overlay = "topology:\n  clusters: {edge: eu-west-1}\n";
    const kubeConfig = "secretRef: {name: edge-kubeconfig}";
    const moved = { ...tree(kubeConfig, true) };
    delete moved["clusters/staging/routes/route.yaml"];
    expect(removed(analyze(tree(kubeConfig, true), moved, overlay))).toEqual([]);
  });
});
