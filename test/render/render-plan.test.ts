import { writeFileSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { renderChange, toolMessage } from "../../src/render/render-change.js";
import { fromWrapper, originKey, withoutOrigins } from "../../src/render/render-origins.js";
import {
  appliedAsWritten,
  decisiveFirst,
  firstChangedLine,
  planChangeRenders,
  planRenderedHelm,
  planRenders,
  renderKey,
  rendersAlike,
  textsOf,
} from "../../src/render/render-plan.js";
import { changedSource } from "../../src/render/render-result.js";
import { isEmptyKustomization, kustomizeReading, namedRenderInputs } from "../../src/render/kustomize-tree.js";
import { analyzeChange, type SourceFile } from "../../src/review.js";
import { policyWith } from "../helpers/review-trees.js";
import { httpRoute } from "../helpers/http-route-yaml.js";
import { scratchDir } from "../helpers/scratch-trees.js";
import { bootstrapSet, UNFILLED_PATH } from "../helpers/bootstrap-application-set.js";

const topology = policyWith().topology;
const tree = (files: Record<string, string>) => Object.entries(files).map(([path, text]) => ({ path, text }));

const overlay = {
  "apps/base/kustomization.yaml": "resources:\n  - route.yaml\n",
  "apps/base/route.yaml": "kind: HTTPRoute\n",
  "apps/production/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: weight.yaml\n",
  "apps/production/weight.yaml": "kind: HTTPRoute\n",
  "apps/staging/kustomization.yaml": "resources:\n  - ../base\n",
};

/** What a review says after the reason a root cannot be rendered offline: how to trust its sources, or leave it out. */
const LEAVE_OUT = "exclude it with the policy's `paths` or list it with `render: { unrenderable: list }`";
const trustHint = (subject: string, them = "it") =>
  ` (if ${subject} no traffic config you govern, trust ${them} in the policy's \`render.trusted\` so that version bumps need no render; else ${LEAVE_OUT})`;
const REMOTE_BASE_HINT = trustHint("its remote sources hold", "them");
const READS_HINT = ` (if what it reads holds no traffic config, ${LEAVE_OUT})`;

describe("planRenders", () => {
  it("renders kustomizations nothing includes, with the bases they read as inputs and consumed files", () => {
    const roots = planRenders(tree(overlay), topology);
    expect(roots.map((root) => root.id)).toEqual(["kustomize apps/production", "kustomize apps/staging"]);
    const production = roots[0]!;
    expect(production.output).toBe("apps/production/(rendered)/kustomization.yaml");
    expect(production.inputs).toEqual([
      "apps/base/kustomization.yaml",
      "apps/base/route.yaml",
      "apps/production/kustomization.yaml",
      "apps/production/weight.yaml",
    ]);
    expect(production.consumes).toEqual(production.inputs);
    expect(production.offline).toBeUndefined();
  });

  it("a field left without a value (every component commented out) is absent, not a kustomization it cannot read", () => {
    // kubeflow/manifests example/kustomization.yaml: `components:` with each entry commented out; the
    // whole file was unread, so its root's inputs held none of the bases and kustomize found none.
    const roots = planRenders(
      tree({
        ...overlay,
        "apps/production/kustomization.yaml": `${overlay["apps/production/kustomization.yaml"]}components:\n# - ../pss\n`,
      }),
      topology,
    );
    expect(roots[0]!.inputs).toContain("apps/base/route.yaml");
  });

  it("consumes only the files a kustomization reads: a YAML file beside it or under it that it does not name is reviewed as it is", () => {
    const files = {
      "gateway/kustomization.yaml":
        "resources:\n  - deploy.yaml\n  - shared\npatches:\n  - path: patches/weight.yaml\npatchesStrategicMerge:\n  - sm.yaml\n  - |-\n    kind: HTTPRoute\nconfigMapGenerator:\n  - name: cfg\n    files: [settings=config/app.yaml]\n",
      "gateway/deploy.yaml": "kind: Gateway\n",
      "gateway/shared/kustomization.yaml": "resources: [route.yaml]\n",
      "gateway/shared/route.yaml": "kind: HTTPRoute\n",
      "gateway/patches/weight.yaml": "kind: HTTPRoute\n",
      "gateway/sm.yaml": "kind: HTTPRoute\n",
      "gateway/config/app.yaml": "a: 1\n",
      "gateway/recipe-a/route.yaml": "kind: HTTPRoute\n",
      "gateway/beside.yaml": "kind: HTTPRoute\n",
    };
    const [root] = planRenders(tree(files), topology);
    expect(root!.consumes).toEqual([
      "gateway/config/app.yaml",
      "gateway/deploy.yaml",
      "gateway/kustomization.yaml",
      "gateway/patches/weight.yaml",
      "gateway/shared/kustomization.yaml",
      "gateway/shared/route.yaml",
      "gateway/sm.yaml",
    ]);
    // Any change in its folders re-renders it all the same.
    expect(root!.inputs).toEqual(Object.keys(files).sort());
  });

  it("consumes the JSON manifests a kustomization lists, so they are not also reviewed as written (each object twice)", () => {
    const files = {
      "bookinfo/kustomization.yaml": "resources: [policy.json, route.yaml]\n",
      "bookinfo/policy.json": '{"kind": "AuthorizationPolicy"}\n',
      "bookinfo/route.yaml": "kind: HTTPRoute\n",
    };
    const [root] = planRenders(tree(files), topology);
    expect(root!.consumes).toEqual(["bookinfo/kustomization.yaml", "bookinfo/policy.json", "bookinfo/route.yaml"]);
  });

  it("renders only the folders GitOps objects point at when there are any", () => {
    const flux =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: apps, namespace: flux-system }\nspec:\n  path: ./apps/staging\n  sourceRef: { kind: GitRepository, name: flux-system }\n";
    expect(planRenders(tree({ ...overlay, "clusters/staging/apps.yaml": flux }), topology).map((root) => root.id)).toEqual([
      "kustomize apps/staging",
    ]);
  });

  const fluxAt = (name: string, path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: ${name}, namespace: flux-system }\nspec:\n  path: ${path}\n  sourceRef: { kind: GitRepository, name: flux-system }\n`;

  it("a Flux path without a kustomization delivers the nearest kustomization on each branch below it, which Flux's generated one takes whole", () => {
    const files = {
      "clusters/prod/flux-system/gotk-sync.yaml": fluxAt("flux-system", "./clusters/prod"),
      "clusters/prod/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
      "clusters/prod/apps.yaml": fluxAt("apps", "./apps"),
      "apps/web/kustomization.yaml": "resources: [route.yaml, nested]\n",
      "apps/web/route.yaml": "kind: HTTPRoute\n",
      "apps/web/nested/kustomization.yaml": "resources: [route.yaml]\n",
      "apps/web/nested/route.yaml": "kind: HTTPRoute\n",
      "apps/api/v1/kustomization.yaml": "resources: [route.yaml]\n",
      "apps/api/v1/route.yaml": "kind: HTTPRoute\n",
      "examples/canary/kustomization.yaml": "resources: [route.yaml]\n",
      "examples/canary/route.yaml": "kind: HTTPRoute\n",
      // An Argo CD directory source applies the files as written: it generates no kustomization.
      "argocd/plain.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: plain, namespace: argocd}\nspec:\n  destination: {name: in-cluster}\n  source: {repoURL: https://example.com/fleet, path: plain, directory: {recurse: true}}\n",
      "plain/sub/kustomization.yaml": "resources: [route.yaml]\n",
      "plain/sub/route.yaml": "kind: HTTPRoute\n",
    };
    expect(planRenders(tree(files), topology).map((root) => root.id)).toEqual([
      "kustomize apps/api/v1",
      "kustomize apps/web",
      "kustomize clusters/prod/flux-system",
    ]);
  });

  describe("both trees' kustomizations are chosen alike (planChangeRenders)", () => {
    const fleet = {
      "clusters/prod/flux-system/gotk-sync.yaml": fluxAt("flux-system", "./clusters/prod"),
      "clusters/prod/routes.yaml": fluxAt("routes", "./routes"),
      "routes/checkout.yaml": "kind: HTTPRoute\n",
      "monitoring/kustomization.yaml": "resources: [dashboards.yaml]\n",
      "monitoring/dashboards.yaml": "kind: ConfigMap\n",
      "examples/canary/kustomization.yaml": "resources: [route.yaml]\n",
      "examples/canary/route.yaml": "kind: HTTPRoute\n",
    };
    const ids = (base: Record<string, string>, head: Record<string, string>) =>
      planChangeRenders(tree(base), tree(head), topology, undefined).map((roots) => roots.map((root) => root.id));

    it("where both say what they deliver, a folder nothing delivers is rendered on neither side, even where nothing else is", () => {
      // The cluster's only Kustomization of a kustomization folder deleted: examples/canary, rendered at
      // head alone, read as its route added (and, the other way, removed).
      const monitored = { ...fleet, "clusters/prod/apps.yaml": fluxAt("apps", "./monitoring") };
      expect(ids(monitored, fleet)).toEqual([["kustomize monitoring"], []]);
      expect(ids(fleet, monitored)).toEqual([[], ["kustomize monitoring"]]);
    });

    it("a folder renders where its Flux Kustomization is applied: listed by the PR, at head alone; unlisted, at base alone (mirceanton/home-ops e8df4fb933)", () => {
      const admin = (listed: boolean) => ({
        "clusters/prod/apps.yaml": fluxAt("apps", "./apps/monitoring"),
        "apps/monitoring/kustomization.yaml": `resources: [./other${listed ? ", ./admin" : ""}]\n`,
        "apps/monitoring/other/kustomization.yaml": "resources: [ks.yaml]\n",
        "apps/monitoring/other/ks.yaml": fluxAt("other", "./apps/monitoring/other/app"),
        "apps/monitoring/other/app/kustomization.yaml": "resources: [cm.yaml]\n",
        "apps/monitoring/other/app/cm.yaml": "kind: ConfigMap\n",
        "apps/monitoring/admin/kustomization.yaml": "resources: [ks.yaml]\n",
        "apps/monitoring/admin/ks.yaml": fluxAt("admin", "./apps/monitoring/admin/app"),
        "apps/monitoring/admin/app/kustomization.yaml": "resources: [route.yaml]\n",
        "apps/monitoring/admin/app/route.yaml": "kind: HTTPRoute\n",
      });
      const always = ["kustomize apps/monitoring", "kustomize apps/monitoring/other/app"];
      const withAdmin = ["kustomize apps/monitoring", "kustomize apps/monitoring/admin/app", "kustomize apps/monitoring/other/app"];
      expect(ids(admin(false), admin(true))).toEqual([always, withAdmin]);
      expect(ids(admin(true), admin(false))).toEqual([withAdmin, always]);
      // Delivered at both sides, planned alike: nothing to render anew.
      expect(ids(admin(true), admin(true))).toEqual([withAdmin, withAdmin]);
    });

    it("a Component folder is no root, even where a delivery's path holds it (kochhaus-home b1c49c585c)", () => {
      const files = {
        ...fleet,
        "clusters/prod/crds.yaml": fluxAt("crds", "./"),
        "components/anubis/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [release.yaml]\n",
        "components/anubis/release.yaml": "kind: ConfigMap\n",
      };
      expect(planRenders(tree(files), topology).map((root) => root.id)).toEqual(["kustomize examples/canary", "kustomize monitoring"]);
    });

    it("where either holds no GitOps object, both render every kustomization no other includes, and what the other delivers", () => {
      const withoutGitops = Object.fromEntries(Object.entries(fleet).filter(([path]) => !path.startsWith("clusters/")));
      const monitored = { ...fleet, "clusters/prod/apps.yaml": fluxAt("apps", "./monitoring") };
      expect(ids(withoutGitops, monitored)).toEqual([
        ["kustomize examples/canary", "kustomize monitoring"],
        ["kustomize examples/canary", "kustomize monitoring"],
      ]);
      // One tree alone: what it delivers, or every kustomization where it holds no GitOps object.
      expect(planRenders(tree(monitored), topology).map((root) => root.id)).toEqual(["kustomize monitoring"]);
      expect(planRenders(tree(withoutGitops), topology).map((root) => root.id)).toEqual([
        "kustomize examples/canary",
        "kustomize monitoring",
      ]);
    });
  });

  describe("a chart in another chart's charts/ folder is its subchart, rendered only through it", () => {
    const storefront = {
      "helm/storefront/Chart.yaml":
        "apiVersion: v2\nname: storefront\nversion: 0.3.0\ndependencies:\n  - name: route\n    version: 0.1.0\n    repository: file://./charts/route\n    alias: checkout\n",
      "helm/storefront/values.yaml": "checkout: {canaryWeight: 10}\n",
      "helm/storefront/charts/route/Chart.yaml": "apiVersion: v2\nname: route\nversion: 0.1.0\n",
      "helm/storefront/charts/route/values.yaml": "canaryWeight: 0\n",
      "helm/storefront/charts/route/templates/route.yaml": "kind: HTTPRoute\n",
      "helm/storefront/charts/route/charts/inner/Chart.yaml": "apiVersion: v2\nname: inner\nversion: 0.1.0\n",
    };
    const roots = (files: Record<string, string>) => planRenders(tree(files), topology);

    it("is no root of its own: the parent's root reads its files", () => {
      const planned = roots(storefront);
      expect(planned.map((root) => root.id)).toEqual(["helm helm/storefront/Chart.yaml storefront"]);
      expect(planned[0]!.inputs).toEqual(expect.arrayContaining(["helm/storefront/charts/route/values.yaml"]));
    });

    it("a charts/ folder with no chart above it holds charts of their own, and one a GitOps object installs as a folder is rendered as such", () => {
      const repository = Object.fromEntries(
        Object.entries(storefront).flatMap(([path, text]) =>
          path.startsWith("helm/storefront/charts/") ? [[path.slice("helm/storefront/".length), text]] : [],
        ),
      );
      expect(roots(repository).map((root) => root.id)).toEqual(["helm charts/route/Chart.yaml route"]);
      const application =
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: routes, namespace: argocd}\nspec:\n  generators: [{git: {repoURL: https://example.com/fleet, revision: main, directories: [{path: helm/storefront/charts/*}]}}]\n  template:\n    metadata: {name: '{{path.basename}}'}\n    spec:\n      source: {repoURL: https://example.com/fleet, path: '{{path}}', targetRevision: main}\n      destination: {name: in-cluster}\n";
      const delivered = roots({ ...storefront, "argocd/routes.yaml": application });
      // Rendered as the Application the set generates for it installs it (its name the release's).
      const installed = delivered.find((root) => root.run.tool === "helm" && root.run.chart === "helm/storefront/charts/route");
      expect([installed?.id, installed?.deployed]).toEqual(["helm argocd/routes.yaml route", true]);
    });
  });

  it("renders a chart with file:// dependencies (as in envoyproxy/gateway and linkerd2): the local charts are inputs, placed under charts/", () => {
    const files = {
      "charts/gateway/Chart.yaml":
        "apiVersion: v2\nname: gateway\nversion: 1.0.0\ndependencies:\n  - name: crds\n    repository: file://../crds\n    version: 1.0.0\n",
      "charts/gateway/templates/gateway.yaml": "kind: Gateway\n",
      "charts/crds/Chart.yaml": "apiVersion: v2\nname: crds\nversion: 1.0.0\n",
      "charts/crds/templates/crd.yaml": "kind: CustomResourceDefinition\n",
    };
    const root = planRenders(tree(files), topology).find((candidate) => candidate.id.includes("gateway"))!;
    expect(root.offline).toBeUndefined();
    expect(root.inputs).toEqual(expect.arrayContaining(["charts/crds/Chart.yaml", "charts/crds/templates/crd.yaml"]));
    expect(root.run).toMatchObject({ tool: "helm", chart: "charts/gateway", dependencies: [{ name: "crds", path: "charts/crds" }] });
    // Nothing in this tree installs the chart: were it unrenderable, it would be listed, not block.
    expect(root.deployed).toBe(false);
  });

  it("reads what a chart's links lead to (nginx-gateway-fabric's crds -> ../../config/crd/bases): helm follows them, and a dangling one fails the render", () => {
    const files = {
      "charts/ngf/Chart.yaml": "apiVersion: v2\nname: ngf\nversion: 1.0.0\n",
      "charts/ngf/templates/gateway-class.yaml": "kind: GatewayClass\n",
      "config/crd/bases/gateway.nginx.org_nginxproxies.yaml": "kind: CustomResourceDefinition\n",
      "config/other.yaml": "kind: ConfigMap\n",
    };
    const links = [{ path: "charts/ngf/crds", target: "../../config/crd/bases" }];
    const root = planRenders(tree(files), topology, links).find((candidate) => candidate.id.includes("ngf"))!;
    expect(root.inputs).toEqual([
      "charts/ngf/Chart.yaml",
      "charts/ngf/templates/gateway-class.yaml",
      "config/crd/bases/gateway.nginx.org_nginxproxies.yaml",
    ]);
    // The linked files stay the repository's own documents, not the chart's output.
    expect(root.consumes).toEqual(["charts/ngf/templates/gateway-class.yaml"]);
  });

  it("installs the chart a release's chart path leads to through a link, with the release's values (not a chart folder missing its Chart.yaml)", () => {
    const files = tree({
      "apps/shop/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: web, namespace: shop }\nspec:\n  chart: { spec: { chart: ./charts/web, sourceRef: { kind: GitRepository } } }\n  values: { stable: 10 }\n",
      "shared/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "shared/charts/web/templates/route.yaml": "kind: HTTPRoute\n",
    });
    const links = [{ path: "charts/web", target: "../shared/charts/web" }];
    const [release, ...others] = planRenders(files, topology, links);
    expect(release!.origin).toBe("apps/shop/release.yaml");
    expect(release!.offline).toBeUndefined();
    expect(release!.run).toMatchObject({ tool: "helm", chart: "shared/charts/web" });
    expect(release!.inputs).toContain("shared/charts/web/templates/route.yaml");
    // The chart is the release's, not one nothing installs rendered with its own defaults.
    expect(others).toEqual([]);
    expect(planRenders(files, topology).find((root) => root.origin === "apps/shop/release.yaml")!.offline).toBe(
      "chart folder charts/web has no Chart.yaml in the repository",
    );
  });

  it("reads a chart's links for a release inside an overlay too: a values.yaml linked to an env file makes that file an input", () => {
    const files = tree({
      "apps/prod/kustomization.yaml": "resources: [release.yaml]\n",
      "apps/prod/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: web }\nspec:\n  chart: { spec: { chart: ./charts/web, sourceRef: { kind: GitRepository } } }\n",
      "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
      "charts/web/templates/route.yaml": "kind: HTTPRoute\n",
      "env/web-values.yaml": "weights: { stable: 90, canary: 10 }\n",
      "env/other-values.yaml": "weights: { stable: 50 }\n",
    });
    const rendered = [{ path: "apps/prod/(rendered)/kustomization.yaml", text: files[1]!.text }];
    const links = [
      { path: "charts/web/values.yaml", target: "../../env/web-values.yaml" },
      // A link outside the chart is no input of it.
      { path: "apps/prod/other.yaml", target: "../../env/other-values.yaml" },
    ];
    const [root] = planRenderedHelm(files, rendered, topology, links);
    // The target's edit changes the render's inputs, so the render runs again and its weights are compared.
    expect(root!.inputs).toContain("env/web-values.yaml");
    expect(root!.inputs).not.toContain("env/other-values.yaml");
    expect(planRenderedHelm(files, rendered, topology)[0]!.inputs).not.toContain("env/web-values.yaml");
  });

  describe("a chart installed as a folder is deployed (khuedoan/homelab: an app-template chart's new host passed as a chart nothing installs)", () => {
    const appTemplate = {
      "apps/ollama/Chart.yaml":
        "apiVersion: v2\nname: ollama\nversion: 0.0.0\ndependencies:\n  - name: app-template\n    version: 2.2.0\n    repository: https://bjw-s.github.io/helm-charts\n",
      "apps/ollama/values.yaml": "app-template:\n  ingress: {main: {hosts: [{host: ai.example.com}]}}\n",
    };
    const deployed = (files: Record<string, string>) =>
      planRenders(tree(files), topology).find((root) => root.run.tool === "helm" && root.run.chart === "apps/ollama")?.deployed;

    it("by an ApplicationSet's directory generator", () => {
      const appSet = [
        "apiVersion: argoproj.io/v1alpha1",
        "kind: ApplicationSet",
        "metadata: {name: apps, namespace: argocd}",
        "spec:",
        "  generators: [{git: {repoURL: https://example.com/homelab, revision: main, directories: [{path: apps/*}]}}]",
        "  template:",
        "    metadata: {name: '{{path.basename}}'}",
        "    spec:",
        "      project: default",
        "      source: {repoURL: https://example.com/homelab, path: '{{path}}', targetRevision: main}",
        "      destination: {name: in-cluster, namespace: '{{path.basename}}'}",
      ].join("\n");
      expect(deployed({ ...appTemplate, "bootstrap/apps.yaml": appSet })).toBe(true);
      expect(deployed(appTemplate)).toBe(false);
    });

    it("so a values change it cannot render blocks", async () => {
      const root = {
        "bootstrap/apps.yaml":
          "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n  generators: [{git: {repoURL: https://example.com/homelab, directories: [{path: apps/*}]}}]\n  template: {spec: {source: {repoURL: https://example.com/homelab, path: '{{path}}'}, destination: {name: in-cluster}}}\n",
      };
      const exposed = {
        ...appTemplate,
        "apps/ollama/values.yaml": appTemplate["apps/ollama/values.yaml"].replace(
          "ai.example.com",
          "ai.example.com}, {host: admin.example.com",
        ),
      };
      const result = await renderChange(tree({ ...appTemplate, ...root }), tree({ ...exposed, ...root }), { topology, budgetMs: 1_000 });
      expect(result.failures.map((failure) => [failure.id, failure.gates])).toEqual([["helm apps/ollama/Chart.yaml ollama", true]]);
    });

    it("its own template of a kind that is no traffic config, edited, renders the same traffic: no render (pf56/home-ops)", async () => {
      const root = {
        "bootstrap/apps.yaml":
          "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n  generators: [{git: {repoURL: https://example.com/homelab, directories: [{path: apps/*}]}}]\n  template: {spec: {source: {repoURL: https://example.com/homelab, path: '{{path}}'}, destination: {name: in-cluster}}}\n",
      };
      const updater = (apps: string) =>
        `{{- if .Values.enabled }}\napiVersion: argocd-image-updater.argoproj.io/v1alpha1\nkind: ImageUpdater\nmetadata:\n  name: updater\n  labels: {{- include "ollama.labels" . | nindent 4 }}\nspec:\n  applicationRefs: [${apps}]\n{{- end }}\n`;
      const withTemplate = (template: string) => tree({ ...appTemplate, ...root, "apps/ollama/templates/extra.yaml": template });
      const failures = async (before: string, after: string) =>
        (await renderChange(withTemplate(before), withTemplate(after), { topology, budgetMs: 1_000 })).failures.map(
          (failure) => failure.id,
        );
      expect(await failures(updater("{namePattern: sonarr}"), updater("{namePattern: sonarr}, {namePattern: lidarr}"))).toEqual([]);
      // A template that may render traffic config is the render's to judge: a route with an action, a
      // kind from values, a document from a named template, or a named template others include.
      const route = (host: string) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ollama}\nspec: {hostnames: [${host}]}\n`;
      const CHART = ["helm apps/ollama/Chart.yaml ollama"];
      expect(await failures(route("ai.example.com"), route("'{{ .Values.host }}'"))).toEqual(CHART);
      expect(await failures(route("'{{ .Values.host }}'"), route("'{{ .Values.hosts.main }}'"))).toEqual(CHART);
      expect(await failures(updater("{}").replace("kind: ImageUpdater", "kind: {{ .Values.kind }}"), updater("{a: b}"))).toEqual(CHART);
      expect(await failures('{{ include "ollama.route" . }}\n', '{{ include "ollama.route" . }}\n# reviewed\n')).toEqual(CHART);
      expect(
        await failures(`{{- define "x" }}\n${updater("{}")}{{- end }}\n`, `{{- define "x" }}\n${updater("{a: b}")}{{- end }}\n`),
      ).toEqual(CHART);
    });

    it("its own template without an action, edited, is what helm emits whatever the dependency does: read as written, no render (mmalyska/home-ops a91cbfa834)", async () => {
      const policy = (cidr: string) =>
        `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: ClientTrafficPolicy\nmetadata: {name: envoy, namespace: envoy-gateway}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: internal}]\n  clientIPDetection: {xForwardedFor: {trustedCIDRs: ["${cidr}"]}}\n`;
      const side = (cidr: string, values = appTemplate["apps/ollama/values.yaml"]) =>
        tree({ ...appTemplate, "apps/ollama/values.yaml": values, "apps/ollama/templates/envoy.yaml": policy(cidr) });
      const failures = async (before: SourceFile[], after: SourceFile[]) =>
        (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.id);
      expect(await failures(side("10.244.0.0/16"), side("10.42.0.0/16"))).toEqual([]);
      const review = analyzeChange({ base: side("10.244.0.0/16"), head: side("10.42.0.0/16"), policy: policyWith() });
      expect(review.findings.map((finding) => [finding.class, finding.file])).toEqual([
        ["resource.changed", "apps/ollama/templates/envoy.yaml"],
      ]);
      expect(review.findings[0]!.summary).toContain("10.244.0.0/16 → 10.42.0.0/16");
      // Beside a change of what the dependency renders (its values), it is the render's to judge.
      const exposed = appTemplate["apps/ollama/values.yaml"].replace("ai.example.com", "admin.example.com");
      expect(await failures(side("10.244.0.0/16"), side("10.42.0.0/16", exposed))).toEqual(["helm apps/ollama/Chart.yaml ollama"]);
    });

    it("maybe, while an installer is templated in a chart: an app-of-apps chart installs what only its render shows, so one that cannot be rendered offline blocks", () => {
      const root = {
        "bootstrap/root/Chart.yaml": "apiVersion: v2\nname: root\nversion: 0.0.0\n",
        "bootstrap/root/values.yaml": "stacks: [{name: apps}]\n",
        "bootstrap/root/templates/stack.yaml":
          "{{- range $stack := .Values.stacks }}\n---\napiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {{ $stack.name }}\n{{- end }}\n",
      };
      const planned = planRenders(tree({ ...appTemplate, ...root }), topology).find(
        (candidate) => candidate.origin === "apps/ollama/Chart.yaml",
      );
      // Rendered with its own values, it is judged as a chart nothing installs (gke-fleet-management:
      // charts whose schema requires values their installer passes); unrenderable offline, it blocks.
      expect(planned).toMatchObject({ deployed: false, offlineGates: true });
      expect(deployed(appTemplate)).toBe(false);
    });
  });

  it("an Argo CD helm source whose path this repository does not hold is another repository's chart (vfarcic/argo-combined-demo)", () => {
    const application = [
      "apiVersion: argoproj.io/v1alpha1",
      "kind: Application",
      "metadata: {name: istio, namespace: argocd}",
      "spec:",
      "  source:",
      "    repoURL: https://github.com/istio/istio",
      "    path: manifests/charts/istio-control/istio-discovery",
      "    helm: {values: 'global: {hub: docker.io/istio}'}",
      "  destination: {server: https://kubernetes.default.svc, namespace: istio-system}",
    ].join("\n");
    const [root] = planRenders(tree({ "production/istio.yaml": application }), topology);
    expect(root?.offline).toBe(
      "chart folder manifests/charts/istio-control/istio-discovery of https://github.com/istio/istio, which this repository does not hold",
    );
  });

  it("a dependency from a chart repository cannot be rendered offline", () => {
    const [root] = planRenders(
      tree({
        "chart/Chart.yaml":
          "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: redis\n    repository: https://charts.example.com\n    version: 1.0.0\n",
      }),
      topology,
    );
    expect(root?.offline).toBe("chart chart depends on redis from https://charts.example.com (helm dependency build would fetch)");
  });

  it("a kustomize Component nothing includes is not a root: it is only built inside the kustomization that includes it (anthos-service-mesh-samples)", () => {
    const component =
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatchesJson6902:\n- target: { kind: Sidecar, name: cartservice }\n  patch: |-\n    - op: replace\n      path: /spec/egress/0/hosts\n      value: ["istio-system/*"]\n';
    expect(
      planRenders(tree({ ...overlay, "sidecars/for-memorystore/kustomization.yaml": component }), topology).map((root) => root.id),
    ).toEqual(["kustomize apps/production", "kustomize apps/staging"]);
  });

  it("marks a remote kustomize base as not renderable offline", () => {
    const [root] = planRenders(
      tree({ "app/kustomization.yaml": "resources:\n  - https://github.com/org/repo//deploy?ref=v1\n" }),
      topology,
    );
    expect(root?.offline).toBe("remote kustomize resource https://github.com/org/repo//deploy?ref=v1");
    // A generator's file fetched from a URL too (JJGadgets/Biohazard's Flux dashboards).
    const dashboards =
      "configMapGenerator:\n  - name: dashboards\n    files: [cluster.json=https://raw.githubusercontent.com/org/repo/v1/cluster.json]\n";
    const [generated] = planRenders(tree({ "app/kustomization.yaml": dashboards }), topology);
    expect(generated?.offline).toBe("remote kustomize resource https://raw.githubusercontent.com/org/repo/v1/cluster.json");
  });

  it("plans a HelmRelease with a chart in the repository, its values inline, and a remote chart as offline", () => {
    const release = (name: string, chart: string, kind: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: ${name}, namespace: web }\nspec:\n  chart:\n    spec:\n      chart: ${chart}\n      sourceRef: { kind: ${kind}, name: src }\n      valuesFiles: [charts/web/prod.yaml]\n  values:\n    weight: 10\n`;
    const roots = planRenders(
      tree({
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "charts/web/templates/route.yaml": "kind: HTTPRoute\n",
        "charts/web/templates/_helpers.tpl": "{{/* */}}",
        "charts/web/prod.yaml": "weight: 5\n",
        "apps/web.yaml": `${release("web", "./charts/web", "GitRepository")}---\n${release("remote", "podinfo", "HelmRepository")}`,
      }),
      topology,
    );
    expect(roots.map((root) => [root.id, root.offline])).toEqual([
      ["helm apps/web.yaml web/remote", "chart podinfo from HelmRepository src"],
      ["helm apps/web.yaml web/web", undefined],
    ]);
    expect(roots[1]!.run).toEqual({
      tool: "helm",
      chart: "charts/web",
      release: "web",
      namespace: "web",
      valuesFiles: ["charts/web/prod.yaml"],
      inlineValues: "weight: 10\n",
      set: [],
    });
    expect(roots[1]!.inputs).toEqual([
      "apps/web.yaml",
      "charts/web/Chart.yaml",
      "charts/web/prod.yaml",
      "charts/web/templates/_helpers.tpl",
      "charts/web/templates/route.yaml",
    ]);
    expect(roots[1]!.consumes).toEqual(["charts/web/Chart.yaml", "charts/web/prod.yaml", "charts/web/templates/route.yaml"]);
  });

  it("plans no HelmRelease the tree keeps in an archive folder of Flux Kustomizations nothing delivers; one a live Kustomization delivers there, it plans (auricom/home-ops 882542eaad)", () => {
    const flux = (name: string, path: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: ${name}, namespace: flux-system }\nspec:\n  sourceRef: { kind: GitRepository, name: flux-system }\n  path: ${path}\n`;
    const release = (name: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: ${name}, namespace: default }\nspec:\n  chartRef: { kind: OCIRepository, name: app-template }\n`;
    const roots = planRenders(
      tree({
        "kubernetes/flux/apps.yaml": flux("apps", "./kubernetes/apps"),
        "kubernetes/apps/web/ks.yaml": flux("web", "./.archive/kubernetes/web/app"),
        ".archive/kubernetes/web/app/helmrelease.yaml": release("web"),
        ".archive/kubernetes/babybuddy/ks.yaml": flux("babybuddy", "./kubernetes/apps/default/babybuddy/app"),
        ".archive/kubernetes/babybuddy/app/helmrelease.yaml": release("babybuddy"),
      }),
      topology,
    );
    expect(roots.map((root) => root.id)).toEqual(["helm .archive/kubernetes/web/app/helmrelease.yaml default/web"]);
  });

  describe("a HelmRelease naming no chart is a patch of one, not a release (flux2-kustomize-gitops-demo cd3695add8)", () => {
    const kiali = (
      patched: boolean,
      chart = "      chart: kiali-operator\n      sourceRef: {kind: HelmRepository, name: kiali, namespace: flux-system}\n",
    ) =>
      tree({
        "clusters/staging/infrastructure.yaml":
          "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: infrastructure, namespace: flux-system}\nspec: {path: ./infrastructure/staging, sourceRef: {kind: GitRepository, name: flux-system}}\n",
        "infrastructure/base/kiali/kustomization.yaml": "resources: [release.yaml]\n",
        "infrastructure/base/kiali/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata: {name: kiali-operator, namespace: kiali-operator}\nspec:\n  chart:\n    spec:\n${chart}  values: {}\n`,
        "infrastructure/staging/kustomization.yaml": `resources: [../base/kiali]\n${patched ? "patchesStrategicMerge: [kiali-values.yaml]\n" : "#patchesStrategicMerge: [kiali-values.yaml]\n"}`,
        "infrastructure/staging/kiali-values.yaml":
          "apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata: {name: kiali-operator, namespace: kiali-operator}\nspec:\n  values: {cr: {create: true}}\n",
      });

    it("is no root of its own where nothing lists it: only the overlay that dropped it is reviewed", async () => {
      expect(planRenders(kiali(false), topology).map((root) => root.id)).toEqual(["kustomize infrastructure/staging"]);
      const reasons = (await renderChange(kiali(true), kiali(false), { topology, budgetMs: 1_000 })).failures.map(
        (failure) => failure.reason,
      );
      expect(reasons.join("\n")).not.toContain("chartRef");
      expect(reasons.join("\n")).not.toContain("kiali-values.yaml");
    });

    it("a release whose chart the PR takes away is still a release removed that cannot be rendered offline", async () => {
      const [reason, ...others] = (await renderChange(kiali(true), kiali(true, ""), { topology, budgetMs: 1_000 })).failures.map(
        (failure) => failure.reason,
      );
      expect(others).toEqual([]);
      expect(reason).toContain("kiali-operator/kiali-operator cannot be rendered offline: chart kiali-operator from HelmRepository kiali");
    });
  });

  it("plans an Argo CD helm source with valueFiles relative to its path, and a chart nothing installs on its own", () => {
    const application =
      "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web }\nspec:\n  destination: { namespace: shop }\n  source:\n    repoURL: https://example.com/repo.git\n    path: charts/web\n    helm:\n      valueFiles: [values-prod.yaml]\n      parameters: [{ name: weight, value: '3' }]\n";
    const files = {
      "charts/web/Chart.yaml": "name: web\n",
      "charts/web/values-prod.yaml": "weight: 1\n",
      "charts/lone/Chart.yaml": "name: lone\n",
    };
    const roots = planRenders(tree({ ...files, "argo/web.yaml": application }), topology);
    expect(roots.map((root) => root.id)).toEqual(["helm argo/web.yaml web", "helm charts/lone/Chart.yaml lone"]);
    expect(roots[0]!.run).toMatchObject({
      chart: "charts/web",
      namespace: "shop",
      valuesFiles: ["charts/web/values-prod.yaml"],
      set: [{ name: "weight", value: "3" }],
    });
  });

  it("plans an Argo CD helm source's template options as Argo CD templates with them, and leaves a missing values file out only where told", () => {
    const application = (helm: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web }\nspec:\n  destination: { namespace: shop }\n  source:\n    repoURL: https://example.com/repo.git\n    path: charts/web\n    helm:\n${helm}`;
    const run = (helm: string) =>
      planRenders(tree({ "charts/web/Chart.yaml": "name: web\n", "argo/web.yaml": application(helm) }), topology)[0]!.run;
    expect(
      run(
        "      namespace: edge\n      kubeVersion: '1.29.0'\n      apiVersions: [gateway.networking.k8s.io/v1]\n      skipSchemaValidation: true\n      skipTests: true\n      skipCrds: true\n      passCredentials: true\n",
      ),
    ).toMatchObject({
      namespace: "shop",
      template: {
        releaseNamespace: "edge",
        kubeVersion: "1.29.0",
        apiVersions: ["gateway.networking.k8s.io/v1"],
        skipSchemaValidation: true,
        skipTests: true,
      },
    });
    // The destination's namespace written again, empty fields and options that render the same are no options.
    expect(
      run("      namespace: shop\n      kubeVersion: ''\n      apiVersions: []\n      skipCrds: true\n      passCredentials: true\n"),
    ).not.toHaveProperty("template");
    // A field of another type, which Argo CD's schema refuses, does not lose the source its render.
    expect(run("      skipTests: 'yes'\n      valueFiles: [values.yaml]\n")).toMatchObject({ valuesFiles: ["charts/web/values.yaml"] });
    // A values file the repository does not hold fails the render, as Argo CD's, unless ignoreMissingValueFiles.
    expect(run("      valueFiles: [values.yaml, values-prod.yaml]\n")).toMatchObject({
      valuesFiles: ["charts/web/values.yaml", "charts/web/values-prod.yaml"],
    });
    expect(run("      valueFiles: [values.yaml, values-prod.yaml]\n      ignoreMissingValueFiles: true\n")).toMatchObject({
      valuesFiles: [],
    });
  });

  it("reads a multi-source Application's `$ref` value files from the repository where it holds them", () => {
    const application = (chart: string, valueFile = "$values/envs/prod/web.yaml") =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: web }\nspec:\n  destination: { namespace: shop }\n  sources:\n  - ${chart}\n    helm: { valueFiles: ["${valueFile}"] }\n  - { repoURL: https://example.com/repo.git, ref: values }\n`;
    const local = "repoURL: https://example.com/repo.git\n    path: charts/web";
    const remote = "repoURL: https://charts.example.com\n    chart: web\n    targetRevision: 1.0.0";
    const values = (weight: number, tag = "1.0") => `image: { tag: "${tag}" }\nweight: ${weight}\n`;
    const files = (app: string, weight = 90, tag = "1.0") =>
      tree({ "charts/web/Chart.yaml": "name: web\n", "envs/prod/web.yaml": values(weight, tag), "argo/web.yaml": app });
    const [root] = planRenders(files(application(local)), topology);
    expect(root).toMatchObject({ id: "helm argo/web.yaml web#0", run: { chart: "charts/web", valuesFiles: ["envs/prod/web.yaml"] } });
    expect(root!.offline).toBeUndefined();
    // A remote chart cannot be rendered, but its values file is an input, and what it says of traffic is its render key.
    const remoteRoot = (weight: number, tag?: string) => planRenders(files(application(remote), weight, tag), topology)[0]!;
    expect(remoteRoot(90).inputs).toContain("envs/prod/web.yaml");
    const key = (weight: number, tag?: string) => renderKey(remoteRoot(weight, tag), textsOf(files(application(remote), weight, tag)));
    expect(key(50)).not.toBe(key(90));
    expect(key(90, "1.1")).toBe(key(90));
    // A file the repository does not hold is another repository's.
    expect(planRenders(files(application(local, "$values/envs/other.yaml")), topology)[0]!.offline).toBe(
      "valueFiles from another source or URL",
    );
    // So is one of a ref source naming another repository than the chart's, however this one holds that path (review s7).
    const elsewhere = application(local).replace(
      "{ repoURL: https://example.com/repo.git, ref: values }",
      "{ repoURL: https://example.com/config.git, ref: values }",
    );
    expect(planRenders(files(elsewhere), topology)[0]!.offline).toBe("valueFiles from another source or URL");
    const spelledOtherwise = application(local).replace(
      "{ repoURL: https://example.com/repo.git, ref: values }",
      "{ repoURL: 'git@example.com:repo', ref: values }",
    );
    expect(planRenders(files(spelledOtherwise), topology)[0]!.offline).toBeUndefined();
  });

  it("leaves a HelmRelease inside an overlay to the rendered output, which names the patched release", () => {
    const files = tree({
      "apps/base/kustomization.yaml": "resources: [release.yaml]\n",
      "apps/base/release.yaml":
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: { name: web }\nspec:\n  chart: { spec: { chart: ./charts/web, sourceRef: { kind: GitRepository } } }\n",
      "charts/web/Chart.yaml": "name: web\n",
    });
    expect(planRenders(files, topology).map((root) => root.id)).toEqual(["kustomize apps/base"]);
    const rendered = [{ path: "apps/base/(rendered)/kustomization.yaml", text: files[1]!.text }];
    expect(planRenderedHelm(files, rendered, topology).map((root) => root.id)).toEqual([
      "helm apps/base/(rendered)/kustomization.yaml default/web",
    ]);
    // A document beside it that is no YAML does not hide the release (mirceanton/home-ops 70140da).
    const broken = [{ path: rendered[0]!.path, text: `${files[1]!.text}---\nkind: KeycloakClient\nspec:\n  clientId: "\${APP"}\n` }];
    expect(planRenderedHelm(files, broken, topology).map((root) => root.id)).toEqual([
      "helm apps/base/(rendered)/kustomization.yaml default/web",
    ]);
  });

  it("keys a render by the content of its inputs only", () => {
    const files = tree(overlay);
    const [production] = planRenders(files, topology);
    const unrelated = [...files, { path: "other.yaml", text: "x: 1\n" }];
    const patched = files.map((file) => (file.path === "apps/production/weight.yaml" ? { ...file, text: "kind: HTTPRoute # 2\n" } : file));
    expect(renderKey(production!, textsOf(unrelated))).toBe(renderKey(production!, textsOf(files)));
    expect(renderKey(production!, textsOf(patched))).not.toBe(renderKey(production!, textsOf(files)));
  });

  it("finds the first changed line of a file", () => {
    expect(firstChangedLine("a\nb\nc\n", "a\nB\nc\n")).toBe(2);
    expect(firstChangedLine(undefined, "a\n")).toBe(1);
  });
});

describe("render failures in the review", () => {
  const failure = (gates: boolean) => ({
    id: "helm charts/app/Chart.yaml app",
    origin: "charts/app/Chart.yaml",
    inputs: ["charts/app/values.yaml"],
    reason: "helm charts/app/Chart.yaml app cannot be rendered offline: chart charts/app depends on redis",
    gates,
  });
  const input = (gates: boolean) => ({
    base: [{ path: "charts/app/values.yaml", text: "replicas: 1\n" }],
    head: [{ path: "charts/app/values.yaml", text: "replicas: 2\n" }],
    policy: policyWith(),
    rendered: { roots: [], base: { files: [], consumed: [] }, head: { files: [], consumed: [] }, failures: [failure(gates)] },
  });

  it("a root something deploys blocks with a high finding at the changed input", () => {
    const analysis = analyzeChange(input(true));
    expect(analysis.findings.map((f) => [f.class, f.risk, f.file])).toEqual([["resource.changed", "high", "charts/app/values.yaml"]]);
    expect(analysis.render.failed).toEqual(["helm charts/app/Chart.yaml app"]);
  });

  it("a release every cluster's build of a folder fails on alike is one finding naming how many builds (joryirving/home-ops 616ef451)", () => {
    const build = (cluster: string) => {
      const id = `helm apps/base/web/(rendered for flux-system:apps in clusters:${cluster}:apps.yaml)/kustomization.yaml web/web`;
      return {
        id,
        origin: "apps/base/web/release.yaml",
        inputs: ["apps/base/web/release.yaml"],
        reason: `${id} cannot be rendered offline: chart web`,
        gates: true,
      };
    };
    const failures = [build("jkt"), build("sgp"), build("tyo")];
    const analysis = analyzeChange({ ...input(true), rendered: { ...input(true).rendered, failures } });
    expect(analysis.findings.map((f) => f.summary)).toEqual([
      `${build("jkt").reason} (and alike in 2 more Flux Kustomizations' builds of the folder)`,
    ]);
    expect(analysis.render.failed).toHaveLength(3);
  });

  it("a root whose broken file stops only its own traffic-free build is a low finding (rafaribe/home-ops 59bb3b0d43)", () => {
    const analysis = analyzeChange({
      ...input(true),
      rendered: { ...input(true).rendered, failures: [{ ...failure(true), trafficFree: true as const }] },
    });
    expect(analysis.findings.map((f) => [f.class, f.risk, f.file])).toEqual([["resource.changed", "low", "charts/app/values.yaml"]]);
  });

  it("a chart nothing installs is listed as read as written, and does not block", () => {
    const analysis = analyzeChange(input(false));
    expect(analysis.findings).toEqual([]);
    expect(analysis.render.unrendered).toEqual([failure(false).reason]);
  });

  it("a chart nothing installs that stops rendering where its templates gain a placeholder is listed, not read as removed; installed, it blocks (linde/gke-multi-cluster-examples a81d4882ed)", () => {
    const GATEWAY =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: public}\nspec:\n  gatewayClassName: gke-l7-global-external-managed\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n";
    const chart = (backend: string) => [
      { path: "charts-src/app/Chart.yaml", text: "apiVersion: v2\nname: app\nversion: 0.1.0\n" },
      {
        path: "charts-src/app/templates/gateway.yaml",
        text: `${GATEWAY}---\n${httpRoute(`  - backendRefs: [{ name: ${backend}, port: 8000 }]\n`, { parent: "{ name: public }", namespace: "default", name: "serve" })}`,
      },
    ];
    const templated = chart('{{ .Values.app | default "model-server" }}');
    const stopped = (gates: boolean) => ({
      id: "helm charts-src/app/Chart.yaml app",
      origin: "charts-src/app/Chart.yaml",
      inputs: ["charts-src/app/templates/gateway.yaml"],
      reason: "helm charts-src/app/Chart.yaml app could not be rendered at head: Error: YAML parse error on app/templates/deploy.yaml",
      gates,
    });
    const review = (base: SourceFile[], head: SourceFile[], gates: boolean) =>
      analyzeChange({
        base,
        head,
        policy: policyWith(),
        rendered: { roots: [], base: { files: [], consumed: [] }, head: { files: [], consumed: [] }, failures: [stopped(gates)] },
      });
    const listed = review(chart("model-server"), templated, false);
    expect(listed.findings).toEqual([]);
    expect(listed.render.unrendered).toEqual([stopped(false).reason]);
    // Rendering again at head, it is not everything added either.
    expect(review(templated, chart("model-server"), false).findings).toEqual([]);
    expect(review(chart("model-server"), templated, true).findings.map((f) => [f.class, f.risk])).toEqual([["resource.changed", "high"]]);
  });

  describe("a chart nothing installs that cannot be rendered blocks where the PR changes traffic config its actions write", () => {
    // Offline for its remote dependency; rendered, a `required` value its installer passes stops it alike.
    const CHART =
      "apiVersion: v2\nname: mcgw\nversion: 0.1.0\ndependencies: [{name: redis, version: 1.0.0, repository: https://charts.example.com}]\n";
    const gateway = (port: string, host = "'*.local'") =>
      `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: cross-network, namespace: istio-ingress}\nspec:\n  selector: {istio: eastwestgateway}\n  servers:\n    - port: {number: ${port}, name: tls, protocol: TLS}\n      tls: {mode: AUTO_PASSTHROUGH}\n      hosts: [${host}]\n`;
    const chart = (files: Record<string, string>) =>
      tree({ "charts/mcgw/Chart.yaml": CHART, "charts/mcgw/values.yaml": "image: {tag: v1}\n", ...files });
    const failed = async (base: Record<string, string>, head: Record<string, string>) =>
      (await renderChange(chart(base), chart(head), { topology, budgetMs: 1_000 })).failures.map((failure) => [
        failure.gates,
        failure.reason,
      ]);
    const SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: remote}\nstringData: {kubeconfig: {{ .Values.kubeconfig | quote }}}\n";

    it("a templated Gateway added, its literal parts edited, or the values beside it: high, saying which file", async () => {
      const templated = { "charts/mcgw/templates/gateway.yaml": gateway("{{ .Values.port }}") };
      const [[gates, reason]] = (await failed(
        { "charts/mcgw/templates/secret.yaml": SECRET },
        { ...templated, "charts/mcgw/templates/secret.yaml": SECRET },
      )) as [[boolean, string]];
      expect(gates).toBe(true);
      expect(reason).toContain(
        "(nothing in the repository installs it, but the PR changes charts/mcgw/templates/gateway.yaml, which writes traffic config through actions only a render resolves)",
      );
      const wider = { "charts/mcgw/templates/gateway.yaml": gateway("{{ .Values.port }}", "'*'") };
      expect((await failed(templated, wider)).map(([gates]) => gates)).toEqual([true]);
      const values = { ...templated, "charts/mcgw/values.yaml": "port: 443\nimage: {tag: v1}\n" };
      expect((await failed(templated, values))[0]![1]).toContain("the PR changes charts/mcgw/values.yaml");
      // What only sets how containers run needs no render at all.
      expect(await failed(templated, { ...templated, "charts/mcgw/values.yaml": "image: {tag: v2}\n" })).toEqual([]);
    });

    it("a literal written as an action line for line, templates of no traffic kind, or a Gateway without an action: listed (linde/gke-multi-cluster-examples a81d4882ed)", async () => {
      const gates = async (base: Record<string, string>, head: Record<string, string>) =>
        (await failed(base, head)).map(([gates]) => gates);
      expect(
        await gates(
          { "charts/mcgw/templates/gateway.yaml": gateway("15443") },
          { "charts/mcgw/templates/gateway.yaml": gateway("{{ .Values.port | default 15443 }}") },
        ),
      ).toEqual([false]);
      expect(
        await gates({ "charts/mcgw/templates/secret.yaml": "kind: Secret\n" }, { "charts/mcgw/templates/secret.yaml": SECRET }),
      ).toEqual([false]);
      // Read as written instead: a new exposure point the review judges (the chart-unrenderable-literal-template probe).
      expect(
        await gates({}, { "charts/mcgw/templates/gateway.yaml": gateway("15443"), "charts/mcgw/templates/secret.yaml": SECRET }),
      ).toEqual([false]);
      // Gone at head, it is no traffic config the PR makes.
      expect(await gates({ "charts/mcgw/templates/gateway.yaml": gateway("{{ .Values.port }}") }, {})).toEqual([false]);
    });
  });

  describe("a chart nothing installs whose defaults gate off a template the PR edits: not reviewed, said (aws-samples/eks-blueprints-add-ons 030d08c3f9)", () => {
    const gated = (kind: string, body: string) => `{{- if .Values.web.enabled }}\n${kind}\n${body}{{- end }}\n`;
    const SERVICE = gated(
      "apiVersion: networking.istio.io/v1\nkind: VirtualService",
      "metadata: {name: web, namespace: web}\nspec:\n  hosts: [web.example.com]\n  http: [{route: [{destination: {host: HOST}}]}]\n",
    );
    const APPLICATION = gated(
      "apiVersion: argoproj.io/v1alpha1\nkind: Application",
      "metadata: {name: ingress-nginx, namespace: argocd}\nspec:\n  source: {repoURL: https://kubernetes.github.io/ingress-nginx, chart: ingress-nginx, targetRevision: 4.7.1}\n  destination: {server: https://kubernetes.default.svc, namespace: NAMESPACE}\n",
    );
    const CONFIG = gated("apiVersion: v1\nkind: ConfigMap", "metadata: {name: web}\ndata: {level: LEVEL}\n");
    const chart = (edit: Record<string, string>, enabled = false, installed: Record<string, string> = {}) =>
      tree({
        "chart/Chart.yaml": "apiVersion: v2\nname: platform\nversion: 0.1.0\n",
        "chart/values.yaml": `web: {enabled: ${enabled}}\n`,
        "chart/templates/web-vs.yaml": SERVICE.replace("HOST", edit.host ?? "web-v1"),
        "chart/templates/ingress-app.yaml": APPLICATION.replace("NAMESPACE", edit.namespace ?? "nginx"),
        "chart/templates/config.yaml": CONFIG.replace("LEVEL", edit.level ?? "info"),
        ...installed,
      });
    // The Application it renders where switched on is a release of a remote chart, which cannot be rendered offline: not this check.
    const failed = async (base: SourceFile[], head: SourceFile[]) =>
      (await renderChange(base, head, { topology, budgetMs: 5_000 })).failures
        .filter((failure) => !failure.reason.includes("cannot be rendered offline"))
        .map((failure) => [failure.gates, failure.reason]);
    const ID = "helm chart/Chart.yaml chart";

    it("a VirtualService's destination or an Application's namespace edited where nothing renders them: high, naming the templates", async () => {
      expect(await failed(chart({}), chart({ host: "evil.attacker.example" }))).toEqual([
        [
          true,
          `${ID}: chart/templates/web-vs.yaml writes traffic or delivery config gated off by the chart's default values; not reviewed (nothing in the repository installs the chart, so it is rendered with its own values, and they render no document of it at either side; the values of its installer may switch it on)`,
        ],
      ]);
      const both = await failed(chart({}), chart({ host: "evil.attacker.example", namespace: "ingress-nginx" }));
      expect(both.map(([, reason]) => (reason as string).split(" write ")[0])).toEqual([
        `${ID}: chart/templates/ingress-app.yaml, chart/templates/web-vs.yaml`,
      ]);
    });

    it("rendered at either side, it is judged as rendered; a template of no traffic kind, or one installed with values the repository holds, stays quiet", async () => {
      const rendered = await renderChange(chart({}, true), chart({ host: "evil.attacker.example" }, true), { topology, budgetMs: 5_000 });
      expect(rendered.failures).toEqual([]);
      expect(rendered.head.files.find((file) => file.path.startsWith("chart/(rendered"))?.text).toContain("evil.attacker.example");
      // Switched off by the PR itself: rendered at base, what the PR takes away is in the render.
      expect(await failed(chart({}, true), chart({ host: "evil.attacker.example" }))).toEqual([]);
      expect(await failed(chart({}), chart({ level: "debug" }))).toEqual([]);
      // Whitespace at the ends of its lines and of the file, which YAML reads as nothing (0e8acd41f3).
      const spaced = chart({}).map((file) =>
        file.path.endsWith("web-vs.yaml") ? { ...file, text: file.text.replace(/\n/g, "  \n").trimEnd() } : file,
      );
      expect(await failed(chart({}), spaced)).toEqual([]);
      const application =
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: platform, namespace: argocd}\nspec:\n  source: {repoURL: https://github.com/example/platform.git, path: chart}\n  destination: {server: https://kubernetes.default.svc, namespace: argocd}\n";
      const installed = { "apps/platform.yaml": application };
      expect(await failed(chart({}, false, installed), chart({ host: "evil.attacker.example" }, false, installed))).toEqual([]);
    });
  });

  it("a chart nothing installs, rendered with its defaults into an invalid document, is listed where it is, not blocked", () => {
    // linde/gke-multi-cluster-examples 80d8b2c: Terraform installs the chart with the names its defaults leave empty.
    const output = "charts/hub/(rendered hub)/chart.yaml";
    const route = (name: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: store, namespace: store}\nspec:\n  rules: [{backendRefs: [{name: ${name}, port: 8080}]}]\n`;
    const rendered = (undeployed: boolean) => ({
      roots: [
        {
          id: "helm charts/hub/Chart.yaml hub",
          origin: "charts/hub/Chart.yaml",
          output,
          inputs: ["charts/hub/Chart.yaml"],
          ...(undeployed ? { undeployed: true as const } : {}),
        },
      ],
      base: { files: [{ path: output, text: route("store") }], consumed: [] },
      head: { files: [{ path: output, text: route("null") }], consumed: [] },
      failures: [],
    });
    const review = (undeployed: boolean) =>
      analyzeChange({
        base: [{ path: "charts/hub/Chart.yaml", text: "name: hub\n" }],
        head: [{ path: "charts/hub/Chart.yaml", text: "name: hub\nversion: 2\n" }],
        policy: policyWith(),
        rendered: rendered(undeployed),
      });
    const listed = review(true);
    expect(listed.findings.filter((finding) => finding.class === "manifest.invalid")).toEqual([]);
    expect(listed.skipped).toEqual([
      {
        file: "charts/hub/Chart.yaml",
        line: 1,
        reason: expect.stringContaining("rendered with the chart's default values (nothing in the repository installs it)"),
      },
    ]);
    // A chart something installs is judged: its invalid output blocks.
    expect(review(false).findings.map((finding) => [finding.class, finding.risk])).toContainEqual(["manifest.invalid", "high"]);
  });
});

describe("a release of a chart outside the repository", () => {
  const release = (extra: string, apiVersion = "v2") =>
    `apiVersion: helm.toolkit.fluxcd.io/${apiVersion}\nkind: HelmRelease\nmetadata: { name: podinfo, namespace: web }\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: "6.x"\n      sourceRef: { kind: HelmRepository, name: podinfo }\n${extra}`;
  const keyOf = (text: string) => {
    const files = tree({ "apps/podinfo/release.yaml": text });
    const [root] = planRenders(files, topology);
    return renderKey(root!, textsOf(files));
  };

  it("changes only when what it renders changes: values or version, not the interval, retries or apiVersion (fluxcd/flux2-kustomize-helm-example)", () => {
    const base = keyOf(release("  values:\n    replicaCount: 2\n"));
    expect(
      keyOf(
        release("  values:\n    replicaCount: 2\n  install:\n    remediation: { retries: 3 }\n", "v2beta2").replace(
          "interval: 10m",
          "interval: 1h",
        ),
      ),
    ).toBe(base);
    expect(keyOf(release("  values:\n    replicaCount: 3\n"))).not.toBe(base);
    expect(keyOf(release("  values:\n    replicaCount: 2\n").replace('"6.x"', '"7.x"'))).not.toBe(base);
  });
});

describe("a release's own file is not a chart input", () => {
  const application = (name: string, path: string, extra = "") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name}, namespace: argocd }\nspec:\n  project: default\n  source: { repoURL: https://example.com/repo.git, path: ${path}${extra} }\n  destination: { server: https://kubernetes.default.svc, namespace: ${name} }\n`;
  const chart = {
    "guestbook/Chart.yaml": "apiVersion: v2\nname: guestbook\nversion: 0.1.0\n",
    "guestbook/templates/svc.yaml": "kind: Service\n",
  };
  const keyOf = (apps: string) => {
    const files = tree({ ...chart, "apps/apps.yaml": apps });
    const root = planRenders(files, topology).find((candidate) => candidate.id.endsWith(" guestbook"));
    return renderKey(root!, textsOf(files));
  };

  it("another Application in the same file, or a comment there, renders the chart alike (argocd-example-apps)", () => {
    const base = keyOf(application("guestbook", "guestbook"));
    expect(keyOf(`${application("guestbook", "guestbook")}---\n${application("other", "other")}`)).toBe(base);
    expect(keyOf(`# the guestbook\n${application("guestbook", "guestbook")}`)).toBe(base);
  });

  it("what the Application says of the render still counts: its values and its namespace", () => {
    const base = keyOf(application("guestbook", "guestbook"));
    expect(keyOf(application("guestbook", "guestbook", ", helm: { values: 'replicas: 2' }"))).not.toBe(base);
    expect(keyOf(application("guestbook", "guestbook").replace("namespace: guestbook", "namespace: shop"))).not.toBe(base);
  });

  it("a chart's own Chart.yaml is still read", () => {
    const files = tree(chart);
    const [root] = planRenders(files, topology);
    const edited = tree({ ...chart, "guestbook/Chart.yaml": "apiVersion: v2\nname: guestbook\nversion: 0.2.0\n" });
    expect(renderKey(root!, textsOf(edited))).not.toBe(renderKey(root!, textsOf(files)));
  });
});

describe("render.unrenderable: list", () => {
  const gatingFailure = {
    id: "helm apps/podinfo.yaml web/podinfo",
    origin: "apps/podinfo.yaml",
    inputs: ["apps/podinfo.yaml"],
    reason: "helm apps/podinfo.yaml web/podinfo cannot be rendered offline: chart podinfo from HelmRepository podinfo",
    gates: true,
  };
  const input = (overlay: string) => ({
    base: [{ path: "apps/podinfo.yaml", text: "a: 1\n" }],
    head: [{ path: "apps/podinfo.yaml", text: "a: 2\n" }],
    policy: policyWith(overlay),
    rendered: { roots: [], base: { files: [], consumed: [] }, head: { files: [], consumed: [] }, failures: [gatingFailure] },
  });

  it("lists a deployed root that cannot be rendered instead of blocking on it", () => {
    const analysis = analyzeChange(input("render:\n  unrenderable: list\n"));
    expect(analysis.findings).toEqual([]);
    expect(analysis.render.unrendered).toEqual([gatingFailure.reason]);
  });

  it("blocks by default", () => {
    expect(analyzeChange(input("")).findings.map((f) => [f.class, f.risk])).toEqual([["resource.changed", "high"]]);
  });
});

describe("where a finding on a chart's render points (nginx-gateway-fabric 1f47bc05)", () => {
  const chart = (controller: string, deprecated = "") =>
    tree({
      "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
      "chart/crds/a-example-crd.yaml": `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: examples.example.com}\n${deprecated}`,
      "chart/templates/gatewayclass.yaml":
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: nginx}\nspec: {controllerName: {{ .Values.gatewayControllerName }}}\n",
      "chart/values.yaml": `# the controller\ngatewayControllerName: ${controller}\n`,
    });

  it("the values file and the templates come before the files helm renders no values into", () => {
    const [root] = planRenders(chart("a"), topology);
    expect(decisiveFirst(root!, root!.inputs)).toEqual([
      "chart/values.yaml",
      "chart/templates/gatewayclass.yaml",
      "chart/Chart.yaml",
      "chart/crds/a-example-crd.yaml",
    ]);
    // A CRD edited in the same commit does not take the finding away from the values key.
    const [before, after] = [chart("k8s-gateway.nginx.org/c"), chart("gateway.nginx.org/c", "spec: {deprecated: false}\n")];
    expect(changedSource({ origin: root!.origin, inputs: decisiveFirst(root!, root!.inputs) }, before, after)).toEqual({
      file: "chart/values.yaml",
      line: 2,
    });
  });
});

describe("files the sources read for rendering besides the YAML", () => {
  it("what kustomizations name, resolved from their folders: generator files (key=path too), env files, other configs; not what is read already, not a path out of the repository or an absolute one", () => {
    const files = [
      {
        path: "deploy/cache/kustomization.yaml",
        text: [
          "resources: [deploy.yaml, ../shared]",
          "configMapGenerator:",
          "- name: redis",
          "  files: [redis.conf, nginx=conf/nginx.conf, ../../../outside.txt]",
          "  envs: [settings.env]",
          "secretGenerator:",
          "- name: tls",
          "  files: [tls.crt]",
          "patches:",
          "- path: patch.yaml",
          "- patch: |-\n    - op: remove\n      path: /spec",
        ].join("\n"),
      },
      { path: "deploy/cache/deploy.yaml", text: "kind: Service\n" },
      { path: "deploy/cache/settings.env", text: "A=1\n" },
      { path: "Kustomization", text: "configMapGenerator:\n- name: top\n  files: [/top.txt]\n" },
      { path: "broken/kustomization.yaml", text: "configMapGenerator: [\n" },
    ];
    expect(namedRenderInputs(files)).toEqual([
      "deploy/cache/conf/nginx.conf",
      "deploy/cache/patch.yaml",
      "deploy/cache/redis.conf",
      "deploy/cache/tls.crt",
    ]);
  });

  it("an empty kustomization is one with nothing but apiVersion, kind, comments and fields without a value", () => {
    expect(isEmptyKustomization("# nothing\n")).toBe(true);
    expect(isEmptyKustomization("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")).toBe(true);
    expect(isEmptyKustomization("kind: Kustomization\nnamespace: demo\n")).toBe(false);
    expect(isEmptyKustomization("resources: []\n")).toBe(false);
    expect(isEmptyKustomization("---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")).toBe(true);
    expect(isEmptyKustomization("resources: [\n")).toBe(false);
    expect(isEmptyKustomization(undefined)).toBe(false);
  });
});

describe("a root renders alike when its inputs say the same", () => {
  const overlay = (route: string) =>
    tree({
      "app/kustomization.yaml": "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n",
      "app/route.yaml": route,
    });
  const ROUTE = "kind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, weight: 100}]}]\n";
  const alike = (before: SourceFile[], after: SourceFile[]) =>
    rendersAlike(planRenders(before, topology)[0]!, textsOf(before), planRenders(after, topology)[0]!, textsOf(after));

  it("kustomize: a comment, layout or key-order edit renders the same; a value edit does not", () => {
    expect(alike(overlay(ROUTE), overlay(`# region: us-east1\n${ROUTE.replace("{name: web}", "\n  name: web")}`))).toBe(true);
    expect(alike(overlay(ROUTE), overlay(ROUTE.replace("weight: 100", "weight: 90")))).toBe(false);
    expect(alike(overlay(ROUTE), overlay(`${ROUTE}  broken: [\n`))).toBe(false);
  });

  it("helm: a comment in a template is text with actions, so any edit counts", () => {
    const chart = (template: string) =>
      tree({ "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n", "charts/web/templates/route.yaml": template });
    expect(alike(chart(ROUTE), chart(`# {{ required "x" .Values.x }}\n${ROUTE}`))).toBe(false);
  });

  it("a root with a remote base whose inputs only gain comments is no render failure (anthos-config-management-samples 149b7b5)", async () => {
    const result = await renderChange(overlay(ROUTE), overlay(`# DRIFT region tag\n${ROUTE}`), { topology, budgetMs: 1_000 });
    expect(result.failures).toEqual([]);
    // An edit is rendered, without the remote base the PR leaves alone.
    const edited = await renderChange(overlay(ROUTE), overlay(ROUTE.replace("weight: 100", "weight: 90")), { topology, budgetMs: 1_000 });
    expect(edited.failures).toEqual([]);
    expect(edited.roots).toEqual([expect.objectContaining({ id: "kustomize app", withoutRemote: true })]);
    // A kustomization edit may act on what the base brings: the root cannot be rendered offline.
    const prefixed = overlay(ROUTE).map((file) =>
      file.path === "app/kustomization.yaml" ? { ...file, text: `namePrefix: edge-\n${file.text}` } : file,
    );
    expect((await renderChange(overlay(ROUTE), prefixed, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.reason)).toEqual(
      ["kustomize app cannot be rendered offline: remote kustomize resource github.com/acme/base?ref=v1" + REMOTE_BASE_HINT],
    );
  });

  it("a root with a remote base that still lists a file the PR deletes fails on that file: it is named, not the remote base (gke-poc-toolkit-demos 8439124d62)", async () => {
    const listing = (files: Record<string, string>) =>
      tree({
        "app/kustomization.yaml": "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\npatches:\n- path: sa.yaml\n",
        "app/route.yaml": ROUTE,
        ...files,
      });
    const SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: argocd-server}\n";
    const result = await renderChange(listing({ "app/sa.yaml": SA }), listing({}), { topology, budgetMs: 1_000 });
    expect(result.failures.map((failure) => [failure.reason, failure.gates])).toEqual([
      [
        "kustomize app cannot be built at head: app/kustomization.yaml lists sa.yaml, which this PR deletes, so kustomize, Flux and Argo CD fail the build",
        true,
      ],
    ]);
  });

  it("a local base's kustomization edited under a root with a remote base renders without it; one that may act on remote objects still cannot (kuadrant-operator 1cabbba793)", async () => {
    const CRD = (name: string) =>
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ${name}.example.io}\nspec:\n  group: example.io\n  names: {kind: ${name}, plural: ${name}}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n`;
    const deploy = (crds: string, extra: Record<string, string> = {}) =>
      tree({
        "config/deploy/kustomization.yaml": "resources:\n  - ../crd\n  - github.com/acme/operator/config/deploy?ref=main\n",
        "config/crd/kustomization.yaml": crds,
        "config/crd/widgets.yaml": CRD("widgets"),
        "config/crd/gadgets.yaml": CRD("gadgets"),
        "config/crd/route.yaml": "kind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, weight: 100}]}]\n",
        ...extra,
      });
    const reasons = async (before: SourceFile[], after: SourceFile[]) =>
      (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.reason);
    const widgets = deploy("resources:\n  - widgets.yaml\n");
    const listed = await renderChange(widgets, deploy("resources:\n  - widgets.yaml\n  - gadgets.yaml\n"), { topology, budgetMs: 1_000 });
    expect(listed.failures).toEqual([]);
    expect(listed.roots).toEqual([expect.objectContaining({ id: "kustomize config/deploy", withoutRemote: true })]);
    // A route it comes to list is in the render, reviewed there.
    const routed = await renderChange(widgets, deploy("resources:\n  - widgets.yaml\n  - route.yaml\n"), { topology, budgetMs: 1_000 });
    expect(routed.failures).toEqual([]);
    expect(routed.head.files.find((file) => file.path.startsWith("config/deploy/(rendered)"))?.text).toContain("kind: HTTPRoute");
    const offline =
      "kustomize config/deploy cannot be rendered offline: remote kustomize resource github.com/acme/operator/config/deploy?ref=main";
    // Made to read something remote itself, or the root's own kustomization edited: it may act on the remote objects.
    const remote = deploy("resources:\n  - widgets.yaml\n  - https://example.com/crds.yaml\n");
    expect(await reasons(widgets, remote)).toEqual([
      expect.stringMatching(
        /^kustomize config\/deploy cannot be rendered offline: remote kustomize resources https:\/\/example.com\/crds.yaml, /,
      ),
    ]);
    const prefixed = widgets.map((file) =>
      file.path === "config/deploy/kustomization.yaml" ? { ...file, text: `namePrefix: edge-\n${file.text}` } : file,
    );
    expect(await reasons(widgets, prefixed)).toEqual([offline + REMOTE_BASE_HINT]);
    // A Component acts on what the root accumulates, the remote objects too.
    const component = (label: string) =>
      deploy("resources:\n  - widgets.yaml\n", {
        "config/deploy/kustomization.yaml":
          "resources:\n  - ../crd\n  - github.com/acme/operator/config/deploy?ref=main\ncomponents:\n  - ../labels\n",
        "config/labels/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels: [{pairs: {team: ${label}}}]\n`,
      });
    expect(await reasons(component("edge"), component("platform"))).toEqual([offline + REMOTE_BASE_HINT]);
  });

  it("a kustomization reading a remote resource that only gains or loses local entries renders without it; a remote entry or another field changed still cannot (flux2-kustomize-gitops-demo e290c137fd)", async () => {
    const POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: dnsutils}\nspec: {containers: [{name: d, image: dnsutils}]}\n";
    const CERT =
      "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web}\nspec: {secretName: web-tls, dnsNames: [web.example.com], issuerRef: {name: le}}\n";
    const REMOTE_URL = "https://example.com/bookinfo.yaml";
    const apps = (
      top: string,
      bookinfo = `namespace: demo\nresources:\n  - route.yaml\n  - ${REMOTE_URL}\n`,
      extra: Record<string, string> = {},
    ) =>
      tree({
        "apps/kustomization.yaml": top,
        "apps/bookinfo/kustomization.yaml": bookinfo,
        "apps/bookinfo/route.yaml": ROUTE,
        "apps/dnsutils.yaml": POD,
        "apps/cert.yaml": CERT,
        "apps/bookinfo/dnsutils.yaml": POD,
        ...extra,
      });
    const base = apps("resources:\n  - bookinfo\n");
    const change = (after: SourceFile[]) => renderChange(base, after, { topology, budgetMs: 1_000 });
    const offline = (url = REMOTE_URL) => [
      `kustomize apps cannot be rendered offline: remote kustomize resource ${url}${REMOTE_BASE_HINT}`,
    ];
    // Beside the kustomization reading the remote entry, or in it under its namespace.
    for (const after of [
      apps("resources:\n  - bookinfo\n  - dnsutils.yaml\n"),
      apps("resources:\n  - bookinfo\n", `namespace: demo\nresources:\n  - route.yaml\n  - dnsutils.yaml\n  - ${REMOTE_URL}\n`),
    ]) {
      const added = await change(after);
      expect(added.failures).toEqual([]);
      expect(added.roots).toEqual([expect.objectContaining({ id: "kustomize apps", withoutRemote: true })]);
    }
    // What it comes to list is in the render, judged as its kinds: a Certificate, a route taken out.
    const certified = await change(apps("resources:\n  - bookinfo\n  - cert.yaml\n"));
    expect(certified.head.files.find((file) => file.path.startsWith("apps/(rendered)"))?.text).toContain("kind: Certificate");
    const unrouted = await change(apps("resources:\n  - bookinfo\n", `namespace: demo\nresources:\n  - ${REMOTE_URL}\n`));
    expect(unrouted.failures).toEqual([]);
    expect(unrouted.head.files.find((file) => file.path.startsWith("apps/(rendered)"))?.text).not.toContain("HTTPRoute");
    const reasons = async (after: SourceFile[]) => (await change(after)).failures.map((failure) => failure.reason);
    // A field acting on the remote objects changed beside the entry: its namespace, a prefix, a patch.
    expect(await reasons(apps("resources:\n  - bookinfo\n", `resources:\n  - route.yaml\n  - dnsutils.yaml\n  - ${REMOTE_URL}\n`))).toEqual(
      offline(),
    );
    expect(await reasons(apps("namePrefix: edge-\nresources:\n  - bookinfo\n  - dnsutils.yaml\n"))).toEqual(offline());
    // A remote entry moved to another version, or one more listed, is more than a local entry.
    const bumped = `${REMOTE_URL}?v=2`;
    expect(
      await reasons(apps("resources:\n  - bookinfo\n", `namespace: demo\nresources:\n  - route.yaml\n  - dnsutils.yaml\n  - ${bumped}\n`)),
    ).toEqual([
      expect.stringMatching(
        /^kustomize apps cannot be rendered offline: remote kustomize resource https:\/\/example.com\/bookinfo.yaml\?v=2/,
      ),
    ]);
    // A local folder added that itself reads a remote entry (here the same one, under another namespace).
    const twice = apps("resources:\n  - bookinfo\n  - other\n", undefined, {
      "apps/other/kustomization.yaml": `namespace: other\nresources:\n  - ${REMOTE_URL}\n`,
    });
    expect(await reasons(twice)).toEqual([
      `kustomize apps cannot be rendered offline: remote kustomize resources ${REMOTE_URL}, ${REMOTE_URL}${REMOTE_BASE_HINT}`,
    ]);
  });

  it("a patchesStrategicMerge entry rewritten as `patches` with just its patch (kustomize edit fix) renders alike (argo-rollouts b14679b7)", async () => {
    const patch = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: web\nspec:\n  replicas: 3";
    const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);
    const written = (patches: string) =>
      tree({ "app/kustomization.yaml": `resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n${patches}`, "app/route.yaml": ROUTE });
    const old = written(`patchesStrategicMerge:\n- |-\n  ${indent(patch, "  ")}\n`);
    const fixed = written(`patches:\n- patch: |-\n    ${indent(patch, "    ")}\n`);
    expect((await renderChange(old, fixed, { topology, budgetMs: 1_000 })).failures).toEqual([]);
    const other = written(
      `patches:\n- patch: |-\n    ${indent(patch.replace("replicas: 3", "replicas: 4"), "    ")}\n  target: {kind: Rollout}\n`,
    );
    expect((await renderChange(old, other, { topology, budgetMs: 1_000 })).failures).toHaveLength(1);
  });
});

describe("an ApplicationSet whose source path its generators do not fill re-places no chart (eks-blueprints-add-ons 2c7800c47a)", () => {
  // A chart with a remote dependency: it cannot be rendered offline, so any root of it judged blocks.
  const chart = {
    "add-ons/foo/Chart.yaml":
      "apiVersion: v2\nname: foo\nversion: 0.1.0\ndependencies:\n- {name: metrics-server, version: 3.8.2, repository: https://kubernetes-sigs.github.io/metrics-server/}\n",
    "add-ons/foo/values.yaml": "metrics-server: {}\n",
  };
  const installer = (destination = "server: https://kubernetes.default.svc") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: foo, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://github.com/example/addons.git, path: add-ons/foo}\n  destination: {${destination}, namespace: foo}\n`;
  const bootstrap = (path: string, generator?: string) => bootstrapSet({ path, ...(generator ? { generator } : {}) });
  const UNFILLED = UNFILLED_PATH;
  const failed = async (base: Record<string, string>, head: Record<string, string>) =>
    (await renderChange(tree(base), tree(head), { topology, budgetMs: 1_000 })).failures.map((failure) => failure.id);

  it("added, removed or edited beside an unchanged chart: the chart's roots are not judged (the set is, by the placement family)", async () => {
    const installed = { ...chart, "apps/foo.yaml": installer() };
    const withSet = { ...installed, "bootstrap/bootstrap.yaml": bootstrap(UNFILLED) };
    expect(await failed(installed, withSet)).toEqual([]);
    expect(await failed(withSet, installed)).toEqual([]);
    expect(await failed(withSet, { ...installed, "bootstrap/bootstrap.yaml": bootstrap(`apps/{{metadata.labels.env}}`) })).toEqual([]);
    // A chart nothing written installs, which only the set may deliver.
    expect(await failed(chart, { ...chart, "bootstrap/bootstrap.yaml": bootstrap(UNFILLED) })).toEqual([]);
  });

  it("a root whose placement does change is still judged: a path that names the chart, or one its generators fill to name it", async () => {
    const added = (path: string, generator?: string) => failed(chart, { ...chart, "bootstrap/bootstrap.yaml": bootstrap(path, generator) });
    expect(await added("add-ons/foo")).toEqual(["helm add-ons/foo/Chart.yaml foo"]);
    expect(await added("add-ons/{{values.addon}}", "clusters: {values: {addon: foo}}")).toEqual(["helm add-ons/foo/Chart.yaml foo"]);
    expect(await added("add-ons/{{addon}}", "list: {elements: [{addon: foo, name: prod}]}")).toEqual([
      "helm bootstrap/bootstrap.yaml bootstrap-prod",
    ]);
  });

  it("a set whose Applications cannot be listed, naming a chart a written Application installs, deploys it again: judged, added or removed", async () => {
    const installed = { ...chart, "apps/foo.yaml": installer() };
    for (const set of [bootstrap("add-ons/foo"), bootstrap("add-ons/{{values.addon}}", "clusters: {values: {addon: foo}}")]) {
      const withSet = { ...installed, "bootstrap/bootstrap.yaml": set };
      expect(await failed(installed, withSet)).toEqual(["helm add-ons/foo/Chart.yaml foo"]);
      expect(await failed(withSet, installed)).toEqual(["helm add-ons/foo/Chart.yaml foo"]);
      // Unchanged beside the PR, it deploys what it did.
      expect(await failed(withSet, { ...withSet, "apps/notes.yaml": "owner: team-addons\n" })).toEqual([]);
    }
    // One naming another folder, or a set whose Applications are listed (their own roots), re-deploys nothing here.
    expect(await failed(installed, { ...installed, "bootstrap/bootstrap.yaml": bootstrap("add-ons/bar") })).toEqual([]);
    // A Flux Kustomization's path naming the folder is no Argo CD install of the chart: its render is the Application's alone.
    const flux =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: addons, namespace: flux-system}\nspec:\n  path: ./add-ons/foo\n  sourceRef: {kind: GitRepository, name: flux-system}\n";
    expect(await failed(installed, { ...installed, "clusters/prod/addons.yaml": flux })).toEqual([]);
  });

  it("beside an unfilled set on both sides, its installer's destination moved to another cluster is still judged", async () => {
    const withSet = { ...chart, "bootstrap/bootstrap.yaml": bootstrap(UNFILLED) };
    expect(await failed({ ...withSet, "apps/foo.yaml": installer() }, { ...withSet, "apps/foo.yaml": installer("name: staging") })).toEqual(
      ["helm apps/foo.yaml foo"],
    );
  });
});

describe("a file the PR breaks stops the build that reads it", () => {
  const NOTE = "---\nnote: see: runbook\n";
  const fluxKustomization = (name: string, path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  path: ${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`;
  const remoteRelease =
    "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: edge, namespace: shop}\nspec:\n  chart:\n    spec: {chart: edge, sourceRef: {kind: HelmRepository, name: acme}}\n";
  const cluster = {
    "clusters/prod/flux-system/gotk-sync.yaml": fluxKustomization("flux-system", "./clusters/prod"),
    "clusters/prod/apps.yaml": fluxKustomization("apps", "./apps/prod"),
    "clusters/prod/edge/release.yaml": remoteRelease,
    "clusters/prod/notes.yaml": "owner: team-edge\n",
    "apps/prod/kustomization.yaml": "resources:\n  - route.yaml\n",
    "apps/prod/route.yaml": "kind: HTTPRoute\n",
    "apps/prod/example.yaml": "owner: team-edge\n",
    "docs/example.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec: {}\n",
    "docs/notes.yaml": "owner: team-edge\n",
  };
  const appended = (path: keyof typeof cluster, base: Record<string, string> = cluster) => tree({ ...base, [path]: base[path] + NOTE });
  // The cluster's folder lands on it by the policy's placements, as Flux's own Kustomization delivers it.
  const placed = policyWith('topology:\n  clusters: {prod: eu}\n  placements: ["clusters/{cluster}/**"]\n').topology;
  const reasons = async (head: SourceFile[], base = tree(cluster)) =>
    (await renderChange(base, head, { topology: placed, budgetMs: 1_000 })).failures.map((failure) => [
      failure.id,
      failure.reason.replace(/ \(line.*$/, ""),
    ]);

  it("a note appended after a HelmRelease: the release cannot be read at head, not unchanged", async () => {
    expect(await reasons(appended("clusters/prod/edge/release.yaml"))).toEqual([
      [
        "helm clusters/prod/edge/release.yaml shop/edge",
        "helm clusters/prod/edge/release.yaml shop/edge cannot be read at head: clusters/prod/edge/release.yaml no longer parses: YAML: bad indentation of a mapping entry",
      ],
    ]);
  });

  it("a cluster's Flux Kustomization, and any file of a folder Flux builds without a kustomization, cannot be read at head", async () => {
    for (const path of ["clusters/prod/apps.yaml", "clusters/prod/notes.yaml"] as const)
      expect(await reasons(appended(path))).toEqual([
        [`file ${path}`, `cannot be read at head: ${path} no longer parses: YAML: bad indentation of a mapping entry`],
      ]);
  });

  it("a file no longer UTF-8 (a Latin-1 comment, as a source keeps its bytes) cannot be read at head either: kustomize refuses it whole", async () => {
    const latin1 = tree({ ...cluster, "clusters/prod/notes.yaml": "# propri\uDCE9taire\nowner: team-edge\n" });
    expect(await reasons(latin1)).toEqual([
      [
        "file clusters/prod/notes.yaml",
        "cannot be read at head: clusters/prod/notes.yaml no longer parses: file is not UTF-8 (byte 0xE9 on line 1); kustomize, Flux and Argo CD refuse the whole file, so the build that reads it stops",
      ],
    ]);
  });

  it("a kustomization's file: its root cannot be read at head", async () => {
    expect((await reasons(appended("apps/prod/route.yaml"))).map(([id]) => id)).toEqual(["kustomize apps/prod"]);
  });

  it("a traffic file is read wherever it is; a file nothing reads, or one broken at base already, blocks nothing", async () => {
    expect((await reasons(appended("docs/example.yaml"))).map(([id]) => id)).toEqual(["file docs/example.yaml"]);
    // A traffic document that no longer parses is the review's manifest.invalid already.
    const route = tree({ ...cluster, "docs/example.yaml": cluster["docs/example.yaml"].replace("spec: {}", "spec: {}\n  rules: [") });
    expect(await reasons(route)).toEqual([]);
    // kustomize reads only what its kustomization names.
    expect(await reasons(appended("docs/notes.yaml"))).toEqual([]);
    expect(await reasons(appended("apps/prod/example.yaml"))).toEqual([]);
    const broken = appended("clusters/prod/apps.yaml");
    const edited = broken.map((file) =>
      file.path === "clusters/prod/apps.yaml" ? { ...file, text: file.text.replace("name: apps", "name: apps2") } : file,
    );
    expect(await reasons(edited, broken)).toEqual([]);
  });

  it("a file that stops only a traffic-free build is said, not blocked: its root and its Flux build apply no traffic config (rafaribe/home-ops 59bb3b0d43)", async () => {
    const repository =
      "apiVersion: kopiur.home-operations.com/v1alpha1\nkind: ClusterRepository\nmetadata:\n  name: garage-s3\n  annotations: {a: b}\n";
    const backup = (path: string, files: Record<string, string>) => ({
      ...cluster,
      "clusters/prod/backup.yaml": fluxKustomization("backup", path),
      ...files,
    });
    const outcome = async (base: Record<string, string>, file = "apps/backup/repository.yaml") => {
      const head = tree({ ...base, [file]: `${repository}  annotations: {a: b}\n` });
      const { failures } = await renderChange(tree(base), head, { topology: placed, budgetMs: 1_000 });
      return failures.map((failure) => [failure.id, failure.trafficFree ?? false, /no traffic config/.test(failure.reason)]);
    };
    const root = { "apps/backup/kustomization.yaml": "resources:\n  - repository.yaml\n", "apps/backup/repository.yaml": repository };
    expect(await outcome(backup("./apps/backup", root))).toEqual([["kustomize apps/backup", true, true]]);
    // A folder Flux builds without a kustomization: every file there is its build.
    expect(await outcome(backup("./backup", { "backup/repository.yaml": repository }), "backup/repository.yaml")).toEqual([
      ["file backup/repository.yaml", true, true],
    ]);
    // A route in the same root, or in the folder a Flux Kustomization builds with it (apps/prod's), stops too.
    const withRoute = {
      "apps/backup/kustomization.yaml": "resources:\n  - repository.yaml\n  - route.yaml\n",
      "apps/backup/repository.yaml": repository,
      "apps/backup/route.yaml": cluster["docs/example.yaml"],
    };
    expect(await outcome(backup("./apps/backup", withRoute))).toEqual([["kustomize apps/backup", false, false]]);
    // Flux's build of ./apps, generated, takes apps/backup's kustomization whole: that root stops, and apps/prod's route with it.
    expect(await outcome(backup("./apps", root))).toEqual([["kustomize apps/backup", false, false]]);
    const beside = { "backup/repository.yaml": repository, "backup/route.yaml": cluster["docs/example.yaml"] };
    expect(await outcome(backup("./backup", beside), "backup/repository.yaml")).toEqual([["file backup/repository.yaml", false, false]]);
  });

  it("a chart's values file is helm's to read: its render says whether it does, not kustomize (istio/istio 7d61672e)", async () => {
    const chart = {
      ...cluster,
      "charts/istio/Chart.yaml": "apiVersion: v2\nname: istio\nversion: 1.0.0\n",
      "charts/istio/values.yaml": "global:\n  meshID: mesh1\n  network: net1\n",
    };
    const duplicated = tree({ ...chart, "charts/istio/values.yaml": `${chart["charts/istio/values.yaml"]}global:\n  meshID: mesh2\n` });
    expect((await reasons(duplicated, tree(chart))).map(([id]) => id)).not.toContain("file charts/istio/values.yaml");
  });
});

describe("a root offline on one side only", () => {
  it("names the side the review cannot know (sail-operator b84b70b vendored its remote bases)", async () => {
    const ROUTE = "kind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, weight: 100}]}]\n";
    const remote = tree({ "app/kustomization.yaml": "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n", "app/route.yaml": ROUTE });
    const vendored = tree({
      "app/kustomization.yaml": "resources:\n- base.yaml\n- route.yaml\n",
      "app/base.yaml": ROUTE,
      "app/route.yaml": ROUTE,
    });
    const reasons = async (base: SourceFile[], head: SourceFile[]) =>
      (await renderChange(base, head, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.reason.split(":")[0]);
    expect(await reasons(remote, vendored)).toEqual(["kustomize app cannot be rendered offline at base"]);
    expect(await reasons(vendored, remote)).toEqual(["kustomize app cannot be rendered offline at head"]);
  });
});

describe("a side's render budget", () => {
  it("a tool stopped when the budget runs out, and the roots after it, fail saying the budget ran out (mirceanton/home-ops: 'timed out after 120 ms')", async () => {
    // A kubectl that never finishes: each side's budget is spent on its first root.
    const slow = join(scratchDir("rg-slow-tool-"), "kubectl");
    writeFileSync(slow, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const app = (weight: number) => (name: string) => ({
      [`${name}/kustomization.yaml`]: "resources: [route.yaml]\n",
      [`${name}/route.yaml`]: `kind: HTTPRoute\nmetadata: {name: ${name}}\nspec: {rules: [{backendRefs: [{name: web, port: 80, weight: ${weight}}]}]}\n`,
    });
    const side = (weight: number) => tree(Object.assign({}, ...["a", "b"].map(app(weight))) as Record<string, string>);
    const result = await renderChange(side(1), side(2), { topology, budgetMs: 300, tools: async () => ({ kubectl: slow, helm: slow }) });
    expect(result.failures.map((failure) => failure.reason)).toEqual([
      "kustomize a could not be rendered at base: the 300 ms render budget ran out while it rendered",
      "kustomize b could not be rendered at base: the 300 ms render budget ran out first",
    ]);
  });
});

describe("a root whose changes cannot reach its traffic output needs no render (kubeflow/manifests)", () => {
  const ROUTE =
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n  hosts: [web]\n  http: [{route: [{destination: {host: web}}]}]\n";
  const deployment = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: ${image}}]\n`;
  const app = (
    files: Record<string, string>,
    kustomization = "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n- deployment.yaml\n",
  ) => tree({ "app/kustomization.yaml": kustomization, "app/route.yaml": ROUTE, "app/deployment.yaml": deployment("web:1"), ...files });
  /**
   * The roots that need the render: rendered, or failing. The remote base is a whole resource, so a
   * root the PR changes only in its local files renders without it (or fails saying it cannot be
   * rendered offline, where its local part does not render alone).
   */
  const failures = async (before: SourceFile[], after: SourceFile[]) => {
    const result = await renderChange(before, after, { topology, budgetMs: 1_000 });
    return [...result.failures.map((failure) => failure.id), ...result.roots.map((root) => root.id)];
  };
  const REMOTE = ["kustomize app"];
  /** The app's kustomization, listing these files of its folder too: kustomize reads only what it lists. */
  const listing = (...files: string[]) =>
    `resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n- deployment.yaml\n${files.map((file) => `- ${file}\n`).join("")}`;

  it("an Argo Events Sensor below a remote base is none either, unless what it triggers is traffic config (vfarcic/argo-combined-demo)", async () => {
    const withSensor = "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n- deployment.yaml\n- sensor.yaml\n";
    const sensor = (trigger: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: webhook}\nspec:\n  triggers:\n  - template:\n      name: trigger\n      k8s:\n        operation: create\n        source:\n          resource: {apiVersion: ${trigger}, metadata: {generateName: build-}}\n`;
    const workflow = sensor("argoproj.io/v1alpha1, kind: Workflow");
    expect(
      await failures(
        app({ "app/sensor.yaml": workflow }, withSensor),
        app({ "app/sensor.yaml": workflow.replace("build-", "ci-") }, withSensor),
      ),
    ).toEqual([]);
    const route = sensor("networking.istio.io/v1, kind: VirtualService");
    expect(
      await failures(app({ "app/sensor.yaml": route }, withSensor), app({ "app/sensor.yaml": route.replace("build-", "ci-") }, withSensor)),
    ).toEqual(REMOTE);
  });

  it("a generator's file whose ConfigMap no traffic config reads is none; one a release, a substitution, istiod or an Ingress may read is (h3mmy/bloopySphere 3ce734cc59)", async () => {
    const generating = (generator: string, extra = "") => `${listing()}${extra}${generator}`;
    const configMap = (name: string, file = "snmp.yml") => `configMapGenerator:\n- name: ${name}\n  files: [${file}]\n`;
    const edit = (kustomization: string, files: Record<string, string> = {}) =>
      failures(
        app({ "app/snmp.yml": "username: ${SYNO_SNMP_USER}\n", ...files }, kustomization),
        app({ "app/snmp.yml": "username: ${SNMP_SYNO_USER}\n", ...files }, kustomization),
      );
    expect(await edit(generating(configMap("snmp-exporter-synology")))).toEqual([]);
    // Read by a HelmRelease anywhere in the tree, under a prefix kustomize may add.
    const release =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: snmp}\nspec:\n  valuesFrom: [{kind: ConfigMap, name: prod-snmp-exporter-synology}]\n";
    expect(await edit(generating(configMap("snmp-exporter-synology")), { "other/release.yaml": release })).toEqual(REMOTE);
    // Substituted from by a Flux Kustomization (another delivers the app: a tree of GitOps objects renders what they deliver).
    const substituting =
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec:\n  path: ./other\n  postBuild: {substituteFrom: [{kind: ConfigMap, name: cluster-settings}]}\n";
    const delivering = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app}\nspec:\n  path: ./app\n";
    expect(await edit(generating(configMap("cluster-settings")), { "flux/app.yaml": delivering })).toEqual([]);
    expect(await edit(generating(configMap("cluster-settings")), { "flux/app.yaml": delivering, "flux/apps.yaml": substituting })).toEqual(
      REMOTE,
    );
    // istiod's mesh ConfigMap, which the mesh family reads.
    expect(await edit(generating(configMap("istio", "mesh=snmp.yml")))).toEqual(REMOTE);
    // A Secret's hashed name kustomize writes into Ingresses; unhashed, it reaches none.
    const secret = "secretGenerator:\n- name: snmp\n  files: [snmp.yml]\n";
    expect(await edit(generating(secret))).toEqual(REMOTE);
    expect(await edit(generating(secret, "generatorOptions: {disableNameSuffixHash: true}\n"))).toEqual([]);
    // Name references of its own, or the file listed as a resource too.
    expect(
      await edit(generating(configMap("snmp"), "configurations: [names.yaml]\n"), { "app/names.yaml": "nameReference: []\n" }),
    ).toEqual(REMOTE);
    expect(await edit(generating(configMap("snmp")).replace("- deployment.yaml\n", "- deployment.yaml\n- snmp.yml\n"))).toEqual(REMOTE);
  });

  it("a generator's file fetched from a URL whose ConfigMap nothing reads keeps nothing of traffic offline: a route edited beside it renders without it", async () => {
    const dashboard = (kustomization: string) =>
      `${kustomization}configMapGenerator:\n- name: emqx-dashboard\n  files: [emqx.json=https://raw.githubusercontent.com/emqx/emqx-prometheus/master/grafana_template/EMQ_Dashboard.json]\n`;
    const local = "resources:\n- route.yaml\n- deployment.yaml\n";
    const routed = (hosts: string) => app({ "app/route.yaml": ROUTE.replace("[web]", hosts) }, dashboard(local));
    const edited = await renderChange(routed("[web]"), routed("[web, api]"), { topology, budgetMs: 5_000 });
    expect(edited.failures).toEqual([]);
    expect(edited.roots).toEqual([expect.objectContaining({ id: "kustomize app", withoutRemote: true })]);
    // One a release reads values from may feed it: the root cannot be rendered offline.
    const read = (hosts: string) =>
      app(
        {
          "app/route.yaml": ROUTE.replace("[web]", hosts),
          "other/release.yaml":
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: emqx}\nspec:\n  valuesFrom: [{kind: ConfigMap, name: emqx-dashboard}]\n",
        },
        dashboard(local),
      );
    const fed = await renderChange(read("[web]"), read("[web, api]"), { topology, budgetMs: 5_000 });
    expect(fed.failures.map((failure) => failure.reason.split(":")[0])).toEqual(["kustomize app cannot be rendered offline"]);
    // As may one a Component copies from into the root's objects.
    const copied = (hosts: string) =>
      app(
        {
          "app/route.yaml": ROUTE.replace("[web]", hosts),
          "app/comp/kustomization.yaml":
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplacements:\n- source: {kind: ConfigMap, name: emqx-dashboard, fieldPath: data.host}\n  targets: [{select: {kind: VirtualService}, fieldPaths: [spec.hosts.0]}]\n",
        },
        dashboard(`${local}components: [comp]\n`),
      );
    const replaced = await renderChange(copied("[web]"), copied("[web, api]"), { topology, budgetMs: 5_000 });
    expect(replaced.failures.map((failure) => failure.reason.split(":")[0])).toEqual(["kustomize app cannot be rendered offline"]);
  });

  it("an image bump or an RBAC file below a remote base is no render failure", async () => {
    expect(await failures(app({}), app({ "app/deployment.yaml": deployment("web:2") }))).toEqual([]);
    const rbac = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n";
    expect(await failures(app({}), app({ "app/rbac.yaml": rbac }))).toEqual([]);
    const images = (tag: string) =>
      `resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n- deployment.yaml\nimages:\n- {name: web, newTag: "${tag}"}\n`;
    expect(await failures(app({}, images("1.0")), app({}, images("1.1")))).toEqual([]);
    // Unless the file is one the kustomization lists, and is gone: the root no longer builds (argocd-example-apps b0decab).
    const without = app({});
    expect(
      await failures(
        app({}),
        without.filter((file) => file.path !== "app/deployment.yaml"),
      ),
    ).toEqual(REMOTE);
  });

  it("a file below a folder the root reads that no kustomization names is never read: no render (JJGadgets/Biohazard, 50 of 50 commits)", async () => {
    // The root lists an app's Flux Kustomization; the app's HelmRelease below it is that Kustomization's to build.
    const release = (tag: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: piped, namespace: piped}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n  values: {image: {tag: "${tag}"}, route: {main: {hostnames: [piped.example.com]}}}\n`;
    const withApp = (tag: string, route = ROUTE) => app({ "app/piped/app/hr.yaml": release(tag), "app/route.yaml": route });
    expect(await failures(withApp("1"), withApp("2"))).toEqual([]);
    // Gone, it is a release removed, the helm root's to say; the kustomize root reads none of it.
    const gone = await failures(withApp("1"), app({ "app/route.yaml": ROUTE }));
    expect(gone.filter((reason) => reason.startsWith("kustomize app"))).toEqual([]);
    // A chart's files below the chart home of a kustomization that inflates charts are helm's to read.
    const inflating = (template: string) =>
      tree({
        "app/kustomization.yaml": "helmCharts:\n- {name: web, releaseName: web}\nresources: [route.yaml]\n",
        "app/route.yaml": ROUTE,
        "app/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "app/charts/web/templates/route.yaml": template,
      });
    const inflated = await failures(inflating(ROUTE), inflating(ROUTE.replace("host: web}", "host: web-next}")));
    expect(inflated.filter((reason) => reason.startsWith("kustomize app"))).toHaveLength(1);
    // A file it lists still counts.
    expect(await failures(withApp("1"), withApp("1", ROUTE.replace("host: web}", "host: web-next}")))).toEqual(REMOTE);
  });

  it("an image bump in a file that also holds traffic documents, unchanged, is none either (ingress-nginx 0f61d9d0)", async () => {
    const bundle = (image: string, route = ROUTE) => `${route}---\n${deployment(image)}`;
    const kustomization = "resources:\n- github.com/acme/base?ref=v1\n- bundle.yaml\n";
    expect(
      await failures(
        app({ "app/bundle.yaml": bundle("web:1") }, kustomization),
        app({ "app/bundle.yaml": bundle("web:2") }, kustomization),
      ),
    ).toEqual([]);
    // Reformatted, the same documents still: none. A traffic document edited beside it: the render is needed.
    const flow = bundle("web:2", ROUTE.replace("hosts: [web]", "hosts:\n  - web"));
    expect(
      await failures(app({ "app/bundle.yaml": bundle("web:1") }, kustomization), app({ "app/bundle.yaml": flow }, kustomization)),
    ).toEqual([]);
    const moved = bundle("web:2", ROUTE.replace("host: web}", "host: web-next}"));
    expect(
      await failures(app({ "app/bundle.yaml": bundle("web:1") }, kustomization), app({ "app/bundle.yaml": moved }, kustomization)),
    ).toEqual(REMOTE);
  });

  it("a CRD wrapped as go-yaml allows (not js-yaml) is read as kubectl reads it: no render failure (fluxcd/flagger)", async () => {
    // A single-quoted description continued at its key's column, as controller-gen writes CRDs.
    const crd = (extra: string) =>
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: canaries.flagger.app}\nspec:\n  versions:\n  - name: v1beta1\n    schema:\n      openAPIV3Schema:\n        properties:\n          apiVersion:\n            description: 'APIVersion defines the versioned schema\n            of an object.'\n            type: string${extra}\n`;
    expect(await failures(app({ "app/crd.yaml": crd("") }), app({ "app/crd.yaml": crd("\n          timeout: {type: string}") }))).toEqual(
      [],
    );
  });

  it("a traffic document changed, added or turned into one still needs the render", async () => {
    expect(await failures(app({}), app({ "app/route.yaml": ROUTE.replace("hosts: [web]", "hosts: [web, api]") }))).toEqual(REMOTE);
    expect(await failures(app({}), app({ "app/more.yaml": ROUTE.replace("name: web", "name: api") }, listing("more.yaml")))).toEqual(
      REMOTE,
    );
    expect(await failures(app({}), app({ "app/deployment.yaml": ROUTE.replace("name: web", "name: api") }))).toEqual(REMOTE);
    // A release the render stage would render from the kustomize output, or a GitOps source, changes what is deployed.
    const release = (version: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: lb}\nspec:\n  chart: {spec: {chart: aws-load-balancer-controller, version: "${version}"}}\n`;
    const releases = listing("release.yaml");
    expect(
      await failures(app({ "app/release.yaml": release("1.0") }, releases), app({ "app/release.yaml": release("1.1") }, releases)),
    ).toEqual(REMOTE);
    const sync = (branch: string) =>
      `apiVersion: configsync.gke.io/v1beta1\nkind: RepoSync\nmetadata: {name: repo-sync}\nspec: {git: {branch: ${branch}}}\n`;
    const syncs = listing("sync.yaml");
    expect(await failures(app({ "app/sync.yaml": sync("v1") }, syncs), app({ "app/sync.yaml": sync("main") }, syncs))).toEqual(REMOTE);
    // A Namespace is traffic config when its labels say so (Istio injection).
    const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: web, labels: {${labels}}}\n`;
    expect(
      await failures(
        app({ "app/ns.yaml": namespace("team: a") }, listing("ns.yaml")),
        app({ "app/ns.yaml": namespace("istio-injection: enabled") }, listing("ns.yaml")),
      ),
    ).toEqual(REMOTE);
  });

  it("a release it lists whose image or install settings change renders the same: no render (toboshii/home-ops, 44 of 60 commits)", async () => {
    const release = (tag: string, host = "lidarr.example.com", interval = "15m") =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: lidarr, namespace: downloads}\nspec:\n  interval: ${interval}\n  install: {remediation: {retries: 3}}\n  chart:\n    spec: {chart: app-template, version: 3.7.0, interval: 30m, sourceRef: {kind: HelmRepository, name: bjw-s, namespace: flux-system}}\n  values:\n    image: {repository: ghcr.io/onedr0p/lidarr, tag: "${tag}"}\n    ingress: {main: {hosts: [{host: ${host}}]}}\n`;
    const releases = listing("release.yaml");
    const listed = (text: string) => app({ "app/release.yaml": text }, releases);
    expect(await failures(listed(release("1.0")), listed(release("1.1", undefined, "1h")))).toEqual([]);
    // Rendered without the remote base, the release it lists is a chart from a HelmRepository.
    const RELEASE = ["helm app/(rendered)/kustomization.yaml downloads/lidarr", ...REMOTE];
    expect(await failures(listed(release("1.0")), listed(release("1.0", "music.example.com")))).toEqual(RELEASE);
    // Any map of a repository and a tag is an image, as Renovate finds them (podinfo's `redis: {repository, tag}`).
    const sidecar = (tag: string) =>
      release("1.0").replace("  values:\n", `  values:\n    redis: {repository: redis, tag: "${tag}", port: 6379}\n`);
    expect(await failures(listed(sidecar("8.6.2")), listed(sidecar("8.6.3")))).toEqual([]);
    expect(await failures(listed(sidecar("8.6.2")), listed(sidecar("8.6.2").replace("port: 6379", "port: 6380")))).toEqual(RELEASE);
    // Values it reads from a ConfigMap the root lists count as its own; another ConfigMap does not.
    const fromMap = release("1.0").replace("  values:\n", "  valuesFrom: [{kind: ConfigMap, name: lidarr-values}]\n  values:\n");
    const map = (name: string, host: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: downloads}\ndata:\n  values.yaml: "ingress: {main: {hosts: [{host: ${host}}]}}"\n`;
    const withMap = (name: string, host: string) =>
      app({ "app/release.yaml": fromMap, "app/values.yaml": map(name, host) }, listing("release.yaml", "values.yaml"));
    // (The release's own `values` set the same key on top: the root renders, the release's values stay.)
    expect(await failures(withMap("lidarr-values", "a.example.com"), withMap("lidarr-values", "b.example.com"))).toEqual(REMOTE);
    expect(await failures(withMap("dashboards", "a.example.com"), withMap("dashboards", "b.example.com"))).toEqual([]);
    // A name holding a Flux variable, substituted after the build, may be any ConfigMap's.
    const templated = (name: string, host: string) =>
      app(
        {
          "app/release.yaml": fromMap.replace(
            "valuesFrom: [{kind: ConfigMap, name: lidarr-values}]",
            "valuesFrom:\n  - kind: ConfigMap\n    name: ${APP}-values",
          ),
          "app/values.yaml": map(name, host),
        },
        listing("release.yaml", "values.yaml"),
      );
    expect(await failures(templated("lidarr-values", "a.example.com"), templated("lidarr-values", "b.example.com"))).toEqual(REMOTE);
  });

  it("an edited kustomization, a patch it names, a document of no kind, or values carried across resources still need the render", async () => {
    const kustomization = "resources:\n- github.com/acme/base?ref=v1\n- route.yaml\n- deployment.yaml\n";
    expect(await failures(app({}), app({}, `${kustomization}namePrefix: v2-\n`))).toEqual(REMOTE);
    const patched = `${kustomization}patches:\n- path: patch.yaml\n  target: {kind: VirtualService}\n`;
    expect(
      await failures(app({ "app/patch.yaml": deployment("web:1") }, patched), app({ "app/patch.yaml": deployment("web:2") }, patched)),
    ).toEqual(REMOTE);
    const ops = listing("ops.yaml");
    expect(await failures(app({ "app/ops.yaml": "- op: add\n" }, ops), app({ "app/ops.yaml": "- op: remove\n" }, ops))).toEqual(REMOTE);
    const replacing = `${kustomization}replacements:\n- source: {kind: Deployment, name: web, fieldPath: metadata.name}\n  targets: [{select: {kind: VirtualService}, fieldPaths: [spec.hosts.0]}]\n`;
    expect(await failures(app({}, replacing), app({ "app/deployment.yaml": deployment("web:2") }, replacing))).toEqual(REMOTE);
  });

  it("a chart kustomize inflates whose values change only in what sets how containers run renders the same (swibrow/home-ops, 21 of 40 commits)", async () => {
    const chart = (values: string, inline = "") =>
      tree({
        "app/kustomization.yaml": `helmCharts:\n- name: app-template\n  repo: oci://ghcr.io/bjw-s-labs/helm\n  version: 5.1.0\n  releaseName: rrda\n  valuesFile: values.yaml\n${inline}`,
        "app/values.yaml": values,
      });
    const values = (tag: string, host = "rrda.example.com") =>
      `controllers:\n  rrda:\n    containers:\n      app:\n        image: {repository: docker.io/adguard/dnsproxy, tag: ${tag}}\n        resources: {limits: {memory: 128Mi}}\nroute:\n  app:\n    hostnames: [${host}]\n`;
    const CHART = [
      "kustomize app cannot be rendered offline: remote kustomize resource helmCharts in app/kustomization.yaml (kustomize --enable-helm pulls charts)",
    ];
    const reasons = async (before: SourceFile[], after: SourceFile[]) =>
      (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) =>
        failure.reason.slice(0, CHART[0]!.length),
      );
    expect(await failures(chart(values("v0.84.0")), chart(values("v0.84.1").replace("128Mi", "256Mi")))).toEqual([]);
    // A route's hostnames are what the chart renders traffic from: the render is needed.
    expect(await reasons(chart(values("v0.84.0")), chart(values("v0.84.0", "dns.example.com")))).toEqual(CHART);
    // Inline values alike.
    const inline = (tag: string, host = "rrda.example.com") =>
      `  valuesInline:\n    image: {tag: ${tag}}\n    route: {app: {hostnames: [${host}]}}\n`;
    expect(await failures(chart("", inline("1")), chart("", inline("2")))).toEqual([]);
    expect(await reasons(chart("", inline("1")), chart("", inline("1", "dns.example.com")))).toEqual(CHART);
    // A resource listed beside the chart is judged by its own documents: the chart does not read it.
    const job = (image: string) =>
      `apiVersion: renovate-operator.mogenius.com/v1alpha1\nkind: RenovateJob\nmetadata: {name: github}\nspec: {image: "${image}"}\n`;
    const beside = (image: string, route = ROUTE) => [
      ...chart(values("1"), "resources: [job.yaml, route.yaml]\n"),
      { path: "app/job.yaml", text: job(image) },
      { path: "app/route.yaml", text: route },
    ];
    expect(await failures(beside("renovate:44.33"), beside("renovate:44.35"))).toEqual([]);
    // A route edited there needs the render, done without the chart, which adds its objects whole (see below).
    const routed = await renderChange(beside("renovate:44.33"), beside("renovate:44.33", ROUTE.replace("hosts: [web]", "hosts: [api]")), {
      topology,
      budgetMs: 1_000,
    });
    expect([routed.failures, routed.roots]).toEqual([[], [expect.objectContaining({ id: "kustomize app", withoutRemote: true })]]);
    // A values file that appears is no image bump.
    expect(
      await reasons(
        chart(values("1")).filter((file) => file.path !== "app/values.yaml"),
        chart(values("1")),
      ),
    ).toEqual(CHART);
  });

  it("a file listed beside a `helmCharts` entry is rendered without the chart, which adds its objects whole; the chart's entry, values, chart home or a patch changed still need it (sholdee/home-ops 1ebe408c27)", async () => {
    const POLICY = (keepalive: string) =>
      `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy\nmetadata: {name: grafana}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: grafana}]\n${keepalive}`;
    const grafana = (
      options: { keepalive?: string; version?: string; values?: string; patch?: string; home?: Record<string, string> } = {},
    ) =>
      tree({
        "apps/grafana/kustomization.yaml": `namespace: monitoring\nresources: [policy.yaml]\nhelmCharts:\n- {name: grafana, repo: https://grafana.github.io/helm-charts, version: ${options.version ?? "10.1.0"}, releaseName: grafana, valuesFile: values.yaml}\n${options.patch === undefined ? "" : "patches: [{path: patch.yaml}]\n"}`,
        "apps/grafana/policy.yaml": POLICY(options.keepalive ?? ""),
        "apps/grafana/values.yaml": options.values ?? "ingress: {enabled: false}\n",
        ...(options.patch === undefined ? {} : { "apps/grafana/patch.yaml": options.patch }),
        ...options.home,
      });
    const keepalive = "  tcpKeepalive: {idleTime: 60s, interval: 10s, probes: 3}\n";
    const edited = await renderChange(grafana(), grafana({ keepalive }), { topology, budgetMs: 5_000 });
    expect(edited.failures).toEqual([]);
    expect(edited.roots).toEqual([expect.objectContaining({ id: "kustomize apps/grafana", withoutRemote: true })]);
    // The kustomization's namespace applies, as it does to the whole root.
    expect(edited.head.files.find((file) => file.path.startsWith("apps/grafana/(rendered)"))?.text).toContain("namespace: monitoring");
    const OFFLINE =
      "kustomize apps/grafana cannot be rendered offline: remote kustomize resource helmCharts in apps/grafana/kustomization.yaml (kustomize --enable-helm pulls charts)";
    const reasons = async (before: SourceFile[], after: SourceFile[]) =>
      (await renderChange(before, after, { topology, budgetMs: 5_000 })).failures.map((failure) => failure.reason.slice(0, OFFLINE.length));
    // What the chart renders from changed beside the edit: only the chart's render could show it.
    expect(await reasons(grafana(), grafana({ keepalive, version: "10.2.0" }))).toEqual([OFFLINE]);
    expect(await reasons(grafana(), grafana({ keepalive, values: "ingress: {enabled: true}\n" }))).toEqual([OFFLINE]);
    const template = (host: string) => ({
      "apps/grafana/charts/grafana/templates/route.yaml": `kind: HTTPRoute\nmetadata: {name: grafana}\nspec: {hostnames: [${host}]}\n`,
    });
    expect(await reasons(grafana({ home: template("a.example.com") }), grafana({ home: template("b.example.com") }))).toEqual([OFFLINE]);
    // A patch may act on the chart's objects.
    const patch = (replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: grafana}\nspec: {replicas: ${replicas}}\n`;
    expect(await reasons(grafana({ patch: patch(1) }), grafana({ patch: patch(2) }))).toEqual([OFFLINE]);
  });

  it("a Component's replacements act on what the kustomization including it accumulates: a base's ConfigMap, listed or generated, copied into a route needs the render", async () => {
    const component =
      "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplacements:\n- source: {kind: ConfigMap, name: route-settings, fieldPath: data.HOST}\n  targets: [{select: {kind: VirtualService, name: web}, fieldPaths: [spec.hosts.0]}]\n";
    const overlay = (base: string, files: Record<string, string>) =>
      tree({
        "app/kustomization.yaml": "resources:\n- github.com/acme/base?ref=v1\n- base\ncomponents:\n- comp\n",
        "app/comp/kustomization.yaml": component,
        "app/base/kustomization.yaml": base,
        "app/base/route.yaml": ROUTE,
        ...files,
      });
    const settings = (host: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: route-settings}\ndata: {HOST: ${host}}\n`;
    const listed = (host: string) => overlay("resources: [route.yaml, settings.yaml]\n", { "app/base/settings.yaml": settings(host) });
    expect(await failures(listed("web"), listed("api"))).toEqual(REMOTE);
    const generated = (host: string) =>
      overlay(
        "resources: [route.yaml]\nconfigMapGenerator:\n- name: route-settings\n  envs: [route.env]\ngeneratorOptions: {disableNameSuffixHash: true}\n",
        {
          "app/base/route.env": `HOST=${host}\n`,
        },
      );
    expect(await failures(generated("web"), generated("api"))).toEqual(REMOTE);
  });

  it("values carried across resources in a sibling kustomization do not reach a file it does not accumulate", async () => {
    const split = (image: string) =>
      tree({
        "app/kustomization.yaml": "resources:\n- github.com/acme/base?ref=v1\n- web\n- other\n",
        "app/web/kustomization.yaml": "resources:\n- deployment.yaml\n",
        "app/web/deployment.yaml": deployment(image),
        "app/other/kustomization.yaml":
          "resources:\n- route.yaml\nreplacements:\n- source: {kind: VirtualService, name: web, fieldPath: metadata.name}\n  targets: [{select: {kind: VirtualService}, fieldPaths: [spec.hosts.0]}]\n",
        "app/other/route.yaml": ROUTE,
      });
    expect(await failures(split("web:1"), split("web:2"))).toEqual([]);
  });
});

describe("a release of a known chart from outside the repository (bjw-s's app-template)", () => {
  const release = (values: string, url = "oci://ghcr.io/bjw-s-labs/helm/app-template") =>
    tree({
      "apps/zwave/ocirepository.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: zwave, namespace: default}\nspec: {url: "${url}", ref: {tag: 4.6.2}}\n`,
      "apps/zwave/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: zwave, namespace: default}
spec:
  chartRef: {kind: OCIRepository, name: zwave}
  values:
    controllers:
      zwave:
        containers:
          app:
            env: {TZ: America/New_York}
${values}
    service: {app: {ports: {http: {port: 80}}}}
    route: {app: {hostnames: [zwave.example.com]}}
`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.length;

  it("renders the same traffic config when only what it renders into workloads changes: no render to do", async () => {
    const envFrom = "            envFrom: [{secretRef: {name: zwave-secret}}]\n            probes: {liveness: {enabled: true}}";
    expect(await failures(release(""), release(envFrom))).toBe(0);
    expect(
      await failures(release(""), release("    persistence: {config: {existingClaim: zwave}}\n    serviceMonitor: {app: {enabled: true}}")),
    ).toBe(0);
    expect(await failures(release("        type: deployment"), release("        type: deployment\n        strategy: Recreate"))).toBe(0);
  });

  it("so do the flat values of its 1.x and 2.x releases: the main container and its pod (bo0tzz/kube 869483f)", async () => {
    expect(
      await failures(
        release(""),
        release("    automountServiceAccountToken: false\n    image: {repository: emby/embyserver, tag: 4.10.0.11}"),
      ),
    ).toBe(0);
    expect(
      await failures(release("    env: {UID: 568}"), release("    env: {UID: 568, GID: 568}\n    resources: {limits: {memory: 2Gi}}")),
    ).toBe(0);
    expect(await failures(release(""), release('    podLabels: {sidecar.istio.io/inject: "true"}'))).toBe(1);
    expect(await failures(release(""), release("    hostNetwork: true"))).toBe(1);
  });

  it("still renders what reaches traffic: routes, services, a controller scaled or its pods enrolled in a mesh; another chart's values", async () => {
    const routed = (host: string) => release("").map((file) => ({ ...file, text: file.text.replace("zwave.example.com", host) }));
    expect(await failures(routed("zwave.example.com"), routed("zw.example.com"))).toBe(1);
    expect(await failures(release("        replicas: 1"), release("        replicas: 0"))).toBe(1);
    expect(await failures(release(""), release('        pod: {labels: {sidecar.istio.io/inject: "false"}}'))).toBe(1);
    const other = (values: string) => release(values, "oci://ghcr.io/example/charts/web");
    expect(await failures(other(""), other("            envFrom: [{secretRef: {name: zwave-secret}}]"))).toBe(1);
  });

  it("of its pods' annotations, only a mesh's reach traffic (auricom/home-ops f5897ab74d: a Multus network edited in unifi's pod)", async () => {
    const annotated = (annotations: string, at = "        pod") => release(`${at}:\n          annotations:\n${annotations}`);
    const multus = (json: string) => `            k8s.v1.cni.cncf.io/networks: '${json}'\n`;
    const iot = '[{"name":"iot","namespace":"network","ips":["192.168.12.231/22"]}]';
    expect(await failures(annotated(multus(iot)), annotated(multus(iot.replace(".231", ".232"))))).toBe(0);
    expect(await failures(annotated(multus(iot)), annotated(multus(iot.replace('"name":', '"name": '))))).toBe(0);
    expect(await failures(release(""), annotated("            backup.velero.io/backup-volumes: config\n"))).toBe(0);
    // Enrolled in a mesh, or some of its traffic let past the proxy: a render to do, on a controller's pods or every pod.
    for (const mesh of [
      '            sidecar.istio.io/inject: "false"\n',
      '            traffic.sidecar.istio.io/excludeInboundPorts: "8443"\n',
      "            proxy.istio.io/config: '{holdApplicationUntilProxyStarts: true}'\n",
      "            linkerd.io/inject: enabled\n",
      "            kuma.io/sidecar-injection: disabled\n",
    ]) {
      expect(await failures(annotated(multus(iot)), annotated(multus(iot) + mesh))).toBe(1);
      expect(await failures(release(""), annotated(mesh, "    defaultPodOptions"))).toBe(1);
    }
  });
});

describe("an app-template release of workloads alone is traffic-free only while no Service of the tree selects its pods (probe G h11)", () => {
  const release = (controller: string, tag = "1.2.3", extra = "") =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: web}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n${extra}  values:\n    controllers:\n      ${controller}:\n        containers: {app: {image: {repository: ghcr.io/example/web, tag: ${tag}}}}\n`;
  const service = (selector: string) =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: web}\nspec:\n  selector: {${selector}}\n  ports: [{port: 8080}]\n`;
  const SELECTS = "app.kubernetes.io/controller: main, app.kubernetes.io/instance: web, app.kubernetes.io/name: web";
  const side = (helmRelease: string | undefined, selector?: string) =>
    tree({
      "apps/web/ocirepository.yaml":
        'apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app-template, namespace: web}\nspec: {url: "oci://ghcr.io/bjw-s-labs/helm/app-template", ref: {tag: 4.4.0}}\n',
      ...(helmRelease === undefined ? {} : { "apps/web/helmrelease.yaml": helmRelease }),
      ...(selector === undefined ? {} : { "apps/web/service.yaml": service(selector) }),
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.id);
  const ID = "helm apps/web/helmrelease.yaml web/web";

  it("a controller renamed, a release renamed or removed, under a Service selecting its pods' labels, is a render to do", async () => {
    expect(await failures(side(release("main"), SELECTS), side(release("web"), SELECTS))).toEqual([ID]);
    expect(await failures(side(release("main"), SELECTS), side(release("main", "1.2.3", "  releaseName: web-v2\n"), SELECTS))).toEqual([
      ID,
    ]);
    expect(await failures(side(release("main"), SELECTS), side(undefined, SELECTS))).toEqual([ID]);
  });

  it("is none with no such Service, one selecting another release's pods, or an image bump alone", async () => {
    expect(await failures(side(release("main")), side(release("web")))).toEqual([]);
    const other = "app.kubernetes.io/instance: api, app.kubernetes.io/name: api";
    expect(await failures(side(release("main"), other), side(release("web"), other))).toEqual([]);
    expect(await failures(side(release("main"), "app: web"), side(release("web"), "app: web"))).toEqual([]);
    expect(await failures(side(release("main"), SELECTS), side(release("main", "1.2.4"), SELECTS))).toEqual([]);
  });
});

describe("a wrapper chart of a known chart: its rules apply under the dependency's key (khuedoan/homelab ca5821df)", () => {
  const wrapper = (
    values: string,
    dependency = "  - name: app-template\n    version: 3.1.0\n    repository: https://bjw-s.github.io/helm-charts\n",
  ) =>
    tree({
      "apps/homepage/Chart.yaml": `apiVersion: v2\nname: homepage\nversion: 0.0.0\ndependencies:\n${dependency}`,
      "apps/homepage/values.yaml": values,
      "apps/set.yaml":
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n  generators: [{git: {repoURL: https://example.com/homelab, directories: [{path: apps/*}]}}]\n  template: {spec: {source: {repoURL: https://example.com/homelab, path: '{{path}}'}, destination: {name: in-cluster}}}\n",
    });
  const values = (key: string, group: string, host = "home.example.com") =>
    `${key}:\n  ingress: {main: {hosts: [{host: ${host}}]}}\n  configMaps: {config: {data: {services.yaml: "- ${group}: []"}}}\n`;
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.id);

  it("a configMaps edit under app-template's key needs no render, as in a release of the chart", async () => {
    expect(await failures(wrapper(values("app-template", "Communication")), wrapper(values("app-template", "Popular")))).toEqual([]);
    // Under an alias, the dependency's values are the alias's.
    const aliased = "  - name: app-template\n    alias: app\n    version: 3.1.0\n    repository: https://bjw-s.github.io/helm-charts\n";
    expect(await failures(wrapper(values("app", "Communication"), aliased), wrapper(values("app", "Popular"), aliased))).toEqual([]);
  });

  it("its routes still need the render; so does the same edit under another key, or of another chart", async () => {
    const id = "helm apps/homepage/Chart.yaml homepage";
    expect(await failures(wrapper(values("app-template", "A")), wrapper(values("app-template", "A", "admin.example.com")))).toEqual([id]);
    // The wrapper's own templates read its top-level values.
    expect(await failures(wrapper(values("homepage", "Communication")), wrapper(values("homepage", "Popular")))).toEqual([id]);
    const other = "  - name: web\n    version: 1.0.0\n    repository: https://charts.example.com\n";
    expect(await failures(wrapper(values("web", "Communication"), other), wrapper(values("web", "Popular"), other))).toEqual([id]);
  });

  it("istiod's meshConfig under its key, which no family reads there, still needs the render (ALLOW_ANY passed as no change)", async () => {
    const istiod = "  - name: istiod\n    version: 1.27.0\n    repository: https://istio-release.storage.googleapis.com/charts\n";
    const mesh = (mode: string) => `istiod:\n  meshConfig: {outboundTrafficPolicy: {mode: ${mode}}}\n`;
    expect(await failures(wrapper(mesh("REGISTRY_ONLY"), istiod), wrapper(mesh("ALLOW_ANY"), istiod))).toEqual([
      "helm apps/homepage/Chart.yaml homepage",
    ]);
  });
});

describe("a chart kustomize inflates of a known chart: its rules apply to the entry's values, inline and in its files", () => {
  const inflated = (values: string, inline = "", chart = "  - name: app-template\n    repo: https://bjw-s-labs.github.io/helm-charts\n") =>
    tree({
      "apps/echo/kustomization.yaml": `helmCharts:\n${chart}    version: 4.4.0\n    releaseName: echo\n    valuesFile: values.yaml\n${inline}`,
      "apps/echo/values.yaml": values,
    });
  const values = (env: string, host = "echo.example.com", replicas = 2) =>
    `controllers:\n  main:\n    replicas: ${replicas}\n    containers:\n      app:\n        env: {LOG_LEVEL: ${env}}\n        probes: {liveness: {enabled: true}}\nconfigMaps: {config: {data: {LOG: ${env}}}}\nroute: {app: {hostnames: [${host}]}}\n`;
  const inline = (env: string, host = "echo.example.com") =>
    `    valuesInline:\n      controllers: {main: {containers: {app: {env: {LOG_LEVEL: ${env}}}}}}\n      persistence: {config: {existingClaim: echo-${env}}}\n      route: {app: {hostnames: [${host}]}}\n`;
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.id);
  const ID = ["kustomize apps/echo"];

  it("an env, configMaps or persistence edit needs no render, from its Helm repository or its OCI registry", async () => {
    expect(await failures(inflated(values("info")), inflated(values("debug")))).toEqual([]);
    expect(await failures(inflated("", inline("info")), inflated("", inline("debug")))).toEqual([]);
    const oci = "  - name: app-template\n    repo: oci://ghcr.io/bjw-s-labs/helm\n";
    expect(await failures(inflated(values("info"), "", oci), inflated(values("debug"), "", oci))).toEqual([]);
  });

  it("its routes, a controller scaled, its version, another kustomization field or another chart still need the render", async () => {
    expect(await failures(inflated(values("info")), inflated(values("info", "admin.example.com")))).toEqual(ID);
    expect(await failures(inflated(values("info")), inflated(values("info", "echo.example.com", 0)))).toEqual(ID);
    expect(await failures(inflated("", inline("info")), inflated("", inline("info", "admin.example.com")))).toEqual(ID);
    const bumped = (files: SourceFile[]) => files.map((file) => ({ ...file, text: file.text.replace("4.4.0", "4.5.0") }));
    expect(await failures(inflated(values("info")), bumped(inflated(values("debug"))))).toEqual(ID);
    expect(await failures(inflated(values("info")), inflated(values("debug"), "namePrefix: v2-\n"))).toEqual(ID);
    const other = "  - name: web\n    repo: https://charts.example.com\n";
    expect(await failures(inflated(values("info"), "", other), inflated(values("debug"), "", other))).toEqual(ID);
    // A values file a chart of the chart home reads too is that chart's values as well.
    const shared = (env: string) =>
      inflated(values(env)).map((file) =>
        file.path.endsWith("kustomization.yaml")
          ? { ...file, text: `${file.text}  - name: local\n    releaseName: extra\n    valuesFile: values.yaml\n` }
          : file,
      );
    expect(await failures(shared("info"), shared("debug"))).toEqual(ID);
  });

  it("istiod's meshConfig there still needs the render: no family reads a kustomization's inline chart values", async () => {
    const istiod = "  - name: istiod\n    repo: https://istio-release.storage.googleapis.com/charts\n";
    const mesh = (mode: string) => `    valuesInline:\n      meshConfig: {outboundTrafficPolicy: {mode: ${mode}}}\n`;
    expect(await failures(inflated("", mesh("REGISTRY_ONLY"), istiod), inflated("", mesh("ALLOW_ANY"), istiod))).toEqual(ID);
  });
});

describe("a release of Istio's istiod chart: the mesh family judges its meshConfig where it is written", () => {
  const istiod = (meshConfig: string, env = "1", version = "1.22.3") =>
    tree({
      "istio/releases.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: istio, namespace: flux-system}
spec: {url: https://istio-release.storage.googleapis.com/charts}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: istiod, namespace: istio-system}
spec:
  chart:
    spec: {chart: istiod, version: ${version}, sourceRef: {kind: HelmRepository, name: istio, namespace: flux-system}}
  values:
    global: {meshID: acme, network: net-east}
    pilot: {env: {PILOT_ENABLE_ALPHA_GATEWAY_API: "${env}"}}
    meshConfig: {${meshConfig}}
`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.length;

  it("a meshConfig or global identity edit needs no render (it is judged field by field); pilot's environment or the chart version does", async () => {
    expect(await failures(istiod("accessLogFile: /dev/stdout"), istiod("accessLogFile: /dev/null"))).toBe(0);
    expect(await failures(istiod("trustDomain: a.io"), istiod("trustDomain: b.io"))).toBe(0);
    expect(await failures(istiod(""), istiod("", "0"))).toBe(1);
    expect(await failures(istiod(""), istiod("", "1", "1.23.0"))).toBe(1);
  });

  it("meshConfig a valuesFrom ConfigMap sets, which no family reads, still needs the render (ALLOW_ANY there passed as no change)", async () => {
    const fromMap = (mode: string) =>
      istiod("").map((file) => ({
        ...file,
        text:
          file.text.replace("  values:\n", "  valuesFrom: [{kind: ConfigMap, name: istiod-values}]\n  values:\n") +
          `---
apiVersion: v1
kind: ConfigMap
metadata: {name: istiod-values, namespace: istio-system}
data:
  values.yaml: |
    meshConfig: {outboundTrafficPolicy: {mode: ${mode}}}
`,
      }));
    expect(await failures(fromMap("REGISTRY_ONLY"), fromMap("ALLOW_ANY"))).toBe(1);
    expect(await failures(fromMap("REGISTRY_ONLY"), fromMap("REGISTRY_ONLY"))).toBe(0);
  });
});

describe("a release of k8gb's chart: the dns family judges its geoTags and zones where the release writes them", () => {
  const k8gb = (values: string, configMap = "", version = "0.14.0") =>
    tree({
      "infra/k8gb/release.yaml": `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: k8gb, namespace: k8gb}
spec: {url: https://www.k8gb.io}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: k8gb, namespace: k8gb}
spec:
  chart:
    spec: {chart: k8gb, version: ${version}, sourceRef: {kind: HelmRepository, name: k8gb}}
${configMap ? "  valuesFrom: [{kind: ConfigMap, name: k8gb-values}]\n" : ""}  values:
    k8gb: {${values}}
${configMap ? `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: k8gb-values, namespace: k8gb}\ndata:\n  values.yaml: "k8gb: {${configMap}}"\n` : ""}`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.length;

  it("a clusterGeoTag, peer list or zone edit needs no render (it is judged field by field); the operator's log level or the chart version does", async () => {
    expect(await failures(k8gb("clusterGeoTag: eu"), k8gb("clusterGeoTag: us"))).toBe(0);
    expect(await failures(k8gb("extGslbClustersGeoTags: us"), k8gb("extGslbClustersGeoTags: 'us,ap'"))).toBe(0);
    expect(
      await failures(k8gb("dnsZone: a.example.com"), k8gb("dnsZones: [{parentZone: example.com, loadBalancedZone: b.example.com}]")),
    ).toBe(0);
    expect(await failures(k8gb("log: {level: info}"), k8gb("log: {level: debug}"))).toBe(1);
    expect(await failures(k8gb(""), k8gb("", "", "0.15.0"))).toBe(1);
  });

  it("so of a release of its OCI artifact (chartRef), which the dns family reads as k8gb's; not where the tree does not say its chart", async () => {
    const oci = (tag: string, url = "oci://ghcr.io/k8gb-io/charts/k8gb") =>
      tree({
        "infra/k8gb/oci.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: k8gb, namespace: k8gb}\nspec: {url: "${url}", ref: {tag: v0.15.0}}\n`,
        "infra/k8gb/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: k8gb, namespace: k8gb}\nspec:\n  chartRef: {kind: OCIRepository, name: k8gb}\n  values:\n    k8gb: {clusterGeoTag: ${tag}}\n`,
      });
    expect(await failures(oci("eu"), oci("us"))).toBe(0);
    const withoutSource = (tag: string) => oci(tag).filter((file) => !file.path.endsWith("oci.yaml"));
    expect(await failures(withoutSource("eu"), withoutSource("us"))).toBe(1);
    // Another cluster's source of that name serving another chart: the loader, which reads every copy,
    // names none, and no family reads the release, so its render does not leave the value out either.
    const KS = (cluster: string) =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: infra, namespace: flux-system}\nspec: {path: ./clusters/${cluster}/infra, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
    const clusters = (tag: string) => [
      ...oci(tag).map((file) => ({ ...file, path: `clusters/eu/${file.path}` })),
      ...oci("eu", "oci://ghcr.io/example/charts/other").map((file) => ({ ...file, path: `clusters/us/${file.path}` })),
      ...tree({ "clusters/eu/flux.yaml": KS("eu"), "clusters/us/flux.yaml": KS("us") }),
    ];
    expect(await failures(clusters("eu"), clusters("us"))).toBe(1);
  });

  it("one a valuesFrom ConfigMap sets, or a null (Helm drops the chart's default; a manifest reads no field), no family sees: still rendered", async () => {
    expect(await failures(k8gb("", "clusterGeoTag: eu"), k8gb("", "clusterGeoTag: us"))).toBe(1);
    expect(await failures(k8gb("clusterGeoTag: eu", "clusterGeoTag: eu"), k8gb("clusterGeoTag: us", "clusterGeoTag: eu"))).toBe(0);
    expect(await failures(k8gb("extGslbClustersGeoTags: us"), k8gb("extGslbClustersGeoTags: null"))).toBe(1);
  });
});

describe("a release of a chart from outside the repository moved to another file", () => {
  const release = (path: string, host: string) =>
    tree({
      [path]: `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n  values: {route: {app: {hostnames: [${host}]}}}\n`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.reason.replace(/ \(.*$/, ""));

  it("applies what it applied before: no render to do (a cluster folder renamed moved every release)", async () => {
    expect(
      await failures(release("apps/web/helmrelease.yaml", "web.example.com"), release("cluster/apps/web/hr.yaml", "web.example.com")),
    ).toEqual([]);
  });

  it("moved and changed, or moved to other clusters, it is a release of another render", async () => {
    expect(
      await failures(release("apps/web/helmrelease.yaml", "web.example.com"), release("cluster/apps/web/hr.yaml", "www.example.com")),
    ).toEqual([
      "helm apps/web/helmrelease.yaml default/web cannot be rendered offline: chart from OCIRepository app-template",
      "helm cluster/apps/web/hr.yaml default/web cannot be rendered offline: chart from OCIRepository app-template",
    ]);
    const placed = policyWith("topology:\n  clusters: {jkt-1: jkt, sgp-1: sgp}\n  placements: ['clusters/{cluster}/**']\n").topology;
    const reasons = await renderChange(
      release("clusters/jkt-1/web.yaml", "web.example.com"),
      release("clusters/sgp-1/web.yaml", "web.example.com"),
      { topology: placed, budgetMs: 1_000 },
    );
    expect(reasons.failures).toHaveLength(2);
  });
});

describe("a root delivered to another cluster the policy does not name (a cluster's Flux Kustomization pointed at another's folder)", () => {
  // Two bootstrapped clusters, each its own flux-system/flux-system root: two clusters, named or not.
  const fleet = (sgpPath: string) =>
    tree({
      ...Object.fromEntries(
        ["jkt", "sgp"].flatMap((cluster) => [
          [
            `clusters/${cluster}/flux-system/gotk-sync.yaml`,
            `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/${cluster}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
          ],
          [
            `clusters/${cluster}/apps.yaml`,
            `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ${cluster === "sgp" ? sgpPath : "./apps/jkt"}\n  sourceRef: {kind: GitRepository, name: flux-system}\n`,
          ],
          [
            `apps/${cluster}/release.yaml`,
            `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: reviews, namespace: bookinfo}\nspec:\n  chartRef: {kind: OCIRepository, name: mesh-app}\n  values: {weights: {v1: ${cluster === "jkt" ? 50 : 100}}}\n`,
          ],
        ]),
      ),
    });

  it("is a root of the PR's, as is the one that cluster leaves: both are rendered (here they cannot be, offline)", async () => {
    const { failures } = await renderChange(fleet("./apps/sgp"), fleet("./apps/jkt"), { topology, budgetMs: 1_000 });
    expect(failures.map((failure) => failure.reason.replace(/: .*$/s, ""))).toEqual([
      "helm apps/jkt/release.yaml bookinfo/reviews cannot be rendered offline",
      "helm apps/sgp/release.yaml bookinfo/reviews cannot be rendered offline",
    ]);
    expect((await renderChange(fleet("./apps/sgp"), fleet("./apps/sgp"), { topology, budgetMs: 1_000 })).failures).toEqual([]);
  });
});

describe("a kustomization moved to another folder with what it reads (gloo-mesh-use-cases 95c1113)", () => {
  // The root lists a file a script generates: it fails alike wherever it is.
  const root = (folder: string, replicas = 2) =>
    tree({
      [`${folder}/kustomization.yaml`]: "resources:\n- base.yaml\npatches:\n- path: redis.yaml\n",
      [`${folder}/redis.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: redis}\nspec: {replicas: ${replicas}}\n`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[], options = { topology, budgetMs: 1_000 }) =>
    (await renderChange(before, after, options)).failures.map((failure) => failure.reason.replace(/:.*$/s, ""));

  it("renders what it rendered before: no render to do, and no failure it had before is the PR's", async () => {
    expect(await failures(root("install/1.2/addons"), root("install/v1.2/addons"))).toEqual([]);
  });

  it("one that renders is rendered in both places, so its output is compared and not its files (a patch file at a new path read as added)", async () => {
    const overlay = (folder: string) =>
      tree({
        [`${folder}/kustomization.yaml`]: "resources:\n- route.yaml\npatches:\n- path: canary.yaml\n",
        [`${folder}/route.yaml`]:
          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n",
        [`${folder}/canary.yaml`]:
          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, labels: {canary: 'on'}}\n",
      });
    const result = await renderChange(overlay("apps/overlays/prod-eu"), overlay("apps/overlays/eu-west"), { topology, budgetMs: 5_000 });
    expect(result.failures).toEqual([]);
    expect(result.roots.map((root) => root.id).sort()).toEqual(["kustomize apps/overlays/eu-west", "kustomize apps/overlays/prod-eu"]);
  });

  it("moved and changed, or moved to another cluster, it is another render", async () => {
    expect(await failures(root("install/1.2/addons"), root("install/v1.2/addons", 3))).toEqual([
      "kustomize install/1.2/addons could not be rendered at base",
      "kustomize install/v1.2/addons could not be rendered at head",
    ]);
    const placed = policyWith("topology:\n  clusters: {jkt-1: jkt, sgp-1: sgp}\n  placements: ['clusters/{cluster}/**']\n").topology;
    expect(
      await failures(root("clusters/jkt-1/addons"), root("clusters/sgp-1/addons"), { topology: placed, budgetMs: 1_000 }),
    ).toHaveLength(2);
  });
});

describe("a release of a chart from outside the repository whose values change only in image versions (Renovate's bumps)", () => {
  const release = (image: string, host = "home.example.com") =>
    tree({
      "apps/hass/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hass, namespace: default}
spec:
  chartRef: {kind: OCIRepository, name: app-template}
  values:
    controllers:
      hass:
        containers:
          app:
            image: ${image}
    route:
      app:
        hostnames: ["${host}"]
`,
    });
  const failures = async (before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000 })).failures.map((failure) => failure.reason);
  const OFFLINE = "helm apps/hass/helmrelease.yaml default/hass cannot be rendered offline: chart from OCIRepository app-template";

  it("renders the traffic config it rendered before: no render to do", async () => {
    const tagged = (tag: string) => `{repository: ghcr.io/home-operations/home-assistant, tag: "${tag}"}`;
    expect(await failures(release(tagged("2026.8.2")), release(tagged("2026.8.3@sha256:0f1e")))).toEqual([]);
    expect(await failures(release("ghcr.io/x/hass:1"), release("ghcr.io/x/hass:2"))).toEqual([]);
    // Bitnami's charts take the registry of all their images apart (d2-infra f879e9d).
    const registry = (value: string) => release(`ghcr.io/x/hass:1\n    global: {imageRegistry: ${value}}`);
    expect(await failures(registry("docker.io"), registry("public.ecr.aws"))).toEqual([]);
    // kube-prometheus-stack's and Grafana's image maps pin a digest as `sha` (sholdee/home-ops f7dbd431e6).
    const pinned = (tag: string, sha: string) =>
      release(`ghcr.io/x/hass:1
    prometheus: {prometheusSpec: {image: {registry: ghcr.io, repository: deckhouse/prompp, tag: "${tag}", sha: ${sha}}}}`);
    expect(await failures(pinned("0.8.6", "1437"), pinned("0.8.7", "edac"))).toEqual([]);
    // Bitnami's sizes (wrmilling/k3s-gitops 9184dbd6fd), a pull policy, pull secrets, a priority class.
    const sized = (preset: string, extra = "") =>
      release(`ghcr.io/x/hass:1
    primary: {resourcesPreset: ${preset}${extra}}`);
    expect(await failures(sized("micro"), sized("small"))).toEqual([]);
    expect(
      await failures(
        sized("small"),
        sized("small", ", imagePullPolicy: Always, imagePullSecrets: [{name: regcred}], priorityClassName: critical"),
      ),
    ).toEqual([]);
    // Under such a key, anything but a string is some chart's own setting.
    expect(await failures(sized("small"), sized("{enabled: true}"))).toEqual([
      "helm apps/hass/helmrelease.yaml default/hass cannot be rendered offline: chart from OCIRepository app-template; the PR changes its values.primary" +
        READS_HINT,
    ]);
  });

  it("a container's resources or security context are no change to render either; a `resources` of other fields still is", async () => {
    const withValues = (values: string) =>
      tree({
        "apps/miroir/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: miroir, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: miroir}\n  values: ${values}\n`,
      });
    const offline = [
      expect.stringMatching(
        /^helm apps\/miroir\/helmrelease\.yaml default\/miroir cannot be rendered offline: chart from OCIRepository miroir; the PR changes its values\.agent\S* \(if what it reads holds no traffic config/,
      ),
    ];
    const agent = (extra: string) => withValues(`{agent: {autoTieBreaker: false${extra}}}`);
    expect(await failures(agent(""), agent(", resources: {limits: {memory: 192Mi}, requests: {cpu: 10m}}"))).toEqual([]);
    expect(
      await failures(
        agent(", pod: {securityContext: {runAsUser: 2000}}"),
        agent(", pod: {securityContext: {runAsUser: 2000, fsGroup: 2000}}"),
      ),
    ).toEqual([]);
    expect(await failures(agent(""), agent(", podSecurityContext: {fsGroup: 2000}"))).toEqual([]);
    // A mapping that holds nothing else is as if absent.
    const plain = withValues("{autoTieBreaker: false}");
    expect(await failures(plain, withValues("{autoTieBreaker: false, agent: {resources: {limits: {memory: 192Mi}}}}"))).toEqual([]);
    expect(await failures(plain, withValues("{autoTieBreaker: false, agent: {replicas: 2}}"))).toEqual(offline);
    expect(
      await failures(
        agent(", resources: {limits: {memory: 1Gi}}"),
        agent(", resources: {limits: {memory: 1Gi}, route: {host: a.example.com}}"),
      ),
    ).toEqual(offline);
    expect(await failures(agent(""), agent(", resources: [{kind: HTTPRoute}]"))).toEqual(offline);
    expect(await failures(agent(""), agent(", securityContext: enabled"))).toEqual(offline);
  });

  it("a pod's volumes and scheduling are no change to render either; its labels, annotations and environment still are", async () => {
    const withValues = (values: string) =>
      tree({
        "apps/immich/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: immich, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n  values:\n    route: {app: {hostnames: [photos.example.com]}}\n${values}`,
      });
    // Each names the values it changes (`values.podLabels.sidecar.istio.io/inject`).
    const offline = [
      expect.stringMatching(
        /^helm apps\/immich\/helmrelease\.yaml default\/immich cannot be rendered offline: chart from OCIRepository app-template; the PR changes its values\.\S+ \(if what it reads holds no traffic config/,
      ),
    ];
    // auricom/home-ops aa9f5d0 moved the NAS every app mounts: 27 releases.
    const nas = (server: string) =>
      withValues(`    persistence:\n      library: {type: nfs, server: ${server}, path: /mnt/photos, globalMounts: [{path: /data}]}\n`);
    expect(await failures(nas("192.168.1.10"), nas("192.168.1.20"))).toEqual([]);
    const placed = (extra: string) => withValues(`    defaultPodOptions: {nodeSelector: {gpu: "true"}${extra}}\n`);
    expect(await failures(placed(""), placed(", tolerations: [{key: gpu, operator: Exists}], affinity: {}"))).toEqual([]);
    expect(await failures(withValues(""), withValues("    extraVolumes: [{name: cache, emptyDir: {}}]\n"))).toEqual([]);
    // A dashboard's annotations list the app, wherever the chart puts them; others may route (budimanjojo/home-cluster e5bb11f).
    const annotated = (annotations: string) => withValues(`    ingress: {app: {annotations: {${annotations}}}}\n`);
    expect(await failures(annotated(""), annotated("gethomepage.dev/enabled: 'true', gethomepage.dev/href: https://a"))).toEqual([]);
    expect(await failures(annotated("gethomepage.dev/href: https://a"), annotated("gethomepage.dev/href: https://b"))).toEqual([]);
    // Reloader's restart annotations, on a controller (kashalls/home-cluster 4fc3f64).
    expect(
      await failures(annotated(""), annotated("reloader.stakater.com/auto: 'true', secret.reloader.stakater.com/reload: creds")),
    ).toEqual([]);
    expect(await failures(annotated(""), annotated("external-dns.alpha.kubernetes.io/target: other.example.com"))).toEqual(offline);
    // Grafana's dashboards are what it shows: Renovate's revision bumps (brettinternet/homeops, 15 of 50 commits).
    const dashboard = (revision: number) =>
      withValues(
        `    dashboards:\n      default:\n        kubernetes-namespaces: {gnetId: 15758, revision: ${revision}, datasource: Prometheus}\n`,
      );
    expect(await failures(dashboard(39), dashboard(40))).toEqual([]);
    const folder = (name: string) =>
      withValues(
        `    defaultDashboards:\n      grafanaOperator: {enabled: true, spec: {instanceSelector: {matchLabels: {dashboards: grafana}}, folder: ${name}}}\n`,
      );
    expect(await failures(folder("Kubernetes"), folder("VictoriaMetrics"))).toEqual([]);
    expect(await failures(withValues("    defaultDashboards: false\n"), withValues("    defaultDashboards: true\n"))).toEqual(offline);
    expect(await failures(withValues("    dashboards: false\n"), withValues("    dashboards: true\n"))).toEqual(offline);
    // A scalar under such a key is not a volume or a placement: some chart reads it otherwise.
    expect(await failures(withValues("    persistence: false\n"), withValues("    persistence: true\n"))).toEqual(offline);
    for (const [before, after] of [
      ["    podAnnotations: {}\n", '    podAnnotations: {sidecar.istio.io/inject: "false"}\n'],
      ["    podLabels: {}\n", '    podLabels: {sidecar.istio.io/inject: "false"}\n'],
      ["    pilot: {env: {}}\n", '    pilot: {env: {PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true"}}\n'],
      ["    controllers: {app: {replicas: 1}}\n", "    controllers: {app: {replicas: 0}}\n"],
    ])
      expect(await failures(withValues(before!), withValues(after!))).toEqual(offline);
  });

  it("an Argo CD Application's --set of a resource limit or a security context field needs no render; of anything else it does", async () => {
    const setting = (name: string, value: string) =>
      tree({
        "apps/web.yaml": `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web, namespace: argocd}\nspec:\n  destination: {namespace: web}\n  source:\n    repoURL: https://charts.example.com\n    chart: web\n    targetRevision: 1.0.0\n    helm: {parameters: [{name: ${name}, value: "${value}"}]}\n`,
      });
    const memory = "controller.resources.limits.memory";
    expect(await failures(setting(memory, "1Gi"), setting(memory, "2Gi"))).toEqual([]);
    const fsGroup = "controller.podSecurityContext.fsGroup";
    expect(await failures(setting(fsGroup, "1000"), setting(fsGroup, "2000"))).toEqual([]);
    expect(await failures(setting("global.imageRegistry", "docker.io"), setting("global.imageRegistry", "public.ecr.aws"))).toEqual([]);
    expect(await failures(setting("persistence.data.size", "1Gi"), setting("persistence.data.size", "2Gi"))).toEqual([]);
    expect(await failures(setting("tolerations[0].key", "gpu"), setting("tolerations[0].key", "arm"))).toEqual([]);
    const sha = "prometheus.prometheusSpec.image.sha";
    expect(await failures(setting(sha, "1437"), setting(sha, "edac"))).toEqual([]);
    expect(await failures(setting("primary.resourcesPreset", "micro"), setting("primary.resourcesPreset", "small"))).toEqual([]);
    expect(await failures(setting("podAnnotations.a", "1"), setting("podAnnotations.a", "2"))).toHaveLength(1);
    expect(
      await failures(setting("controller.service.type", "ClusterIP"), setting("controller.service.type", "LoadBalancer")),
    ).toHaveLength(1);
  });

  it("an app-template release of controllers alone, added or removed, renders no traffic config; one with a Service or a route does", async () => {
    // billimek/k8s-gitops 8218b9dd23: a new runner, no service, route or ingress.
    const source = tree({
      "repos/app-template.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app-template, namespace: default}\nspec: {url: oci://ghcr.io/bjw-s-labs/helm/app-template, ref: {tag: 4.6.2}}\n`,
    });
    const worker = (extra = "", spec = "") => [
      ...source,
      ...tree({
        "apps/worker/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: worker, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: app-template}\n${spec}  values:\n    controllers:\n      worker:\n        replicas: 1\n        containers: {app: {image: {repository: ghcr.io/example/worker, tag: 1.2.3}, env: {QUEUE: jobs}}}\n${extra}`,
      }),
    ];
    const offline = "helm apps/worker/helmrelease.yaml default/worker cannot be rendered offline: chart from OCIRepository app-template";
    expect(await failures(source, worker())).toEqual([]);
    expect(await failures(worker(), source)).toEqual([]);
    expect(await failures(worker(), worker("    global: {nameOverride: runner}\n"))).toEqual([]);
    // Its pods' network and mesh enrolment count, as they do for any release of the chart; their other annotations do not.
    expect((await failures(worker(), worker("    defaultPodOptions: {hostNetwork: true}\n")))[0]).toContain(offline);
    expect((await failures(worker(), worker('    defaultPodOptions: {annotations: {sidecar.istio.io/inject: "true"}}\n')))[0]).toContain(
      offline,
    );
    expect(await failures(source, worker("    defaultPodOptions: {annotations: {k8s.v1.cni.cncf.io/networks: iot}}\n"))).toEqual([]);
    for (const extra of [
      "    service: {app: {controller: worker, ports: {http: {port: 80}}}}\n",
      "    route: {app: {hostnames: [worker.example.com]}}\n",
      "    rawResources: {route: {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, spec: {}}}\n",
    ]) {
      expect((await failures(source, worker(extra)))[0]).toContain(offline);
      expect((await failures(worker(), worker(extra)))[0]).toContain(offline);
    }
    // Values kept in the cluster, or a post-renderer, may add what the release does not say.
    const fromCluster = worker("", "  valuesFrom: [{kind: Secret, name: worker-values}]\n");
    expect((await failures(source, fromCluster))[0]).toContain(offline);
    const patched = worker("", "  postRenderers: [{kustomize: {patches: [{patch: '[]', target: {kind: Service}}]}}]\n");
    expect((await failures(source, patched))[0]).toContain(offline);
    // Before 3.0 the chart renders a `main` Service by default, which a route elsewhere may send to:
    // such a release removed, or of a version not pinned to 3 or later, is rendered as before.
    for (const tag of ["2.6.0", "latest"]) {
      const older = [...tree({ "repos/app-template.yaml": source[0]!.text.replace("tag: 4.6.2", `tag: ${tag}`) }), ...worker().slice(1)];
      expect((await failures(older, tree({ "repos/app-template.yaml": source[0]!.text })))[0]).toContain(offline);
    }
  });

  it("an Argo CD Application of app-template with controllers alone renders no traffic config, as a HelmRelease of it does", async () => {
    const application = (values: string, helm = "", revision = "4.4.0") =>
      tree({
        "apps/worker.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: worker, namespace: argocd}
spec:
  destination: {namespace: worker}
  source:
    repoURL: ghcr.io/bjw-s-labs/helm
    chart: app-template
    targetRevision: ${revision}
    helm:
${helm}      valuesObject:
        controllers:
          worker: {containers: {app: {image: {repository: ghcr.io/example/worker, tag: 1.2.3}}}}
${values}`,
      });
    const none = tree({ "apps/other.yaml": "kind: ConfigMap\nmetadata: {name: other}\n" });
    const offline = "helm apps/worker.yaml worker cannot be rendered offline: chart app-template from ghcr.io/bjw-s-labs/helm";
    expect(await failures(none, application(""))).toEqual([]);
    expect(await failures(application(""), none)).toEqual([]);
    expect((await failures(none, application("        service: {app: {controller: worker, ports: {http: {port: 80}}}}\n")))[0]).toContain(
      offline,
    );
    // A string of values is merged in too; a --set parameter or a values file the tree does not hold may add anything.
    expect((await failures(none, application("", "      values: |\n        route: {app: {hostnames: [w.example.com]}}\n")))[0]).toContain(
      offline,
    );
    expect((await failures(none, application("", "      parameters: [{name: service.app.controller, value: worker}]\n")))[0]).toContain(
      offline,
    );
    expect((await failures(none, application("", "      valueFiles: [values.yaml]\n")))[0]).toContain(offline);
    expect(
      (await failures(none, application("", "      fileParameters: [{name: 'route.app.hostnames[0]', path: host.txt}]\n")))[0],
    ).toContain(offline);
    // Before 3.0 the chart renders a `main` Service by default.
    expect((await failures(none, application("", "", "2.6.0")))[0]).toContain(offline);
  });

  it("a chart version bump in the OCIRepository the release's chartRef names is a render that cannot be done offline", async () => {
    const source = (tag: string, interval = "15m") => ({
      "apps/hass/ocirepository.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app-template, namespace: default}\nspec:\n  interval: ${interval}\n  url: oci://ghcr.io/bjw-s-labs/helm/app-template\n  ref: {tag: ${tag}}\n`,
    });
    const withSource = (tag: string, interval?: string) => [...release("ghcr.io/x/hass:1"), ...tree(source(tag, interval))];
    expect(await failures(withSource("4.2.0"), withSource("4.2.0"))).toEqual([]);
    // How often the source polls decides nothing it serves.
    expect(await failures(withSource("4.2.0"), withSource("4.2.0", "1h"))).toEqual([]);
    const fromRepository = (interval: string) =>
      tree({
        "apps/web.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: default}\nspec:\n  chart:\n    spec: {chart: web, version: 1.0.0, interval: ${interval}, sourceRef: {kind: HelmRepository, name: charts}}\n`,
      });
    expect(await failures(fromRepository("5m"), fromRepository("1h"))).toEqual([]);
    expect(await failures(withSource("4.2.0"), withSource("4.3.0"))).toEqual([
      OFFLINE + "; the PR changes its chart.source" + trustHint("oci://ghcr.io/bjw-s-labs/helm/app-template holds"),
    ]);
  });

  it("an Argo CD Application of a chart from a Helm repository: an image bump needs no render, a chart version does", async () => {
    const application = (revision: string, tag: string) =>
      tree({
        "apps/ingress.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ingress-nginx, namespace: argocd}
spec:
  destination: {namespace: ingress-nginx}
  source:
    repoURL: https://kubernetes.github.io/ingress-nginx
    chart: ingress-nginx
    targetRevision: ${revision}
    helm:
      valuesObject: {controller: {image: {tag: "${tag}"}, replicaCount: 2}}
      parameters: [{name: controller.image.digest, value: "sha256:${tag}"}]
`,
      });
    expect(await failures(application("4.10.0", "v1"), application("4.10.0", "v2"))).toEqual([]);
    expect(await failures(application("4.10.0", "v1"), application("4.11.0", "v1"))).toEqual([
      "helm apps/ingress.yaml ingress-nginx cannot be rendered offline: chart ingress-nginx from https://kubernetes.github.io/ingress-nginx; the PR changes its source.targetRevision" +
        trustHint("https://kubernetes.github.io/ingress-nginx/ingress-nginx holds"),
    ]);
  });

  it("an Argo CD Application of a chart from a Helm repository: a template option is a render to do, named; passCredentials is none", async () => {
    const application = (helm: string) =>
      tree({
        "apps/web.yaml": `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web, namespace: argocd}\nspec:\n  destination: {namespace: web}\n  source:\n    repoURL: https://charts.example.com\n    chart: web\n    targetRevision: 1.0.0\n    helm: {releaseName: web${helm}}\n`,
      });
    const offline = (changed: string) =>
      `helm apps/web.yaml web cannot be rendered offline: chart web from https://charts.example.com; the PR changes its ${changed}` +
      trustHint("https://charts.example.com/web holds");
    expect(await failures(application(""), application(", passCredentials: true"))).toEqual([]);
    expect(await failures(application(""), application(", kubeVersion: '1.20.0'"))).toEqual([offline("source.helm.kubeVersion")]);
    expect(await failures(application(""), application(", apiVersions: [v1], passCredentials: true"))).toEqual([
      offline("source.helm.apiVersions"),
    ]);
    expect(await failures(application(""), application(", namespace: edge"))).toEqual([offline("source.helm.namespace")]);
  });

  it("any other values change is still a render that cannot be done offline", async () => {
    expect(await failures(release("ghcr.io/x/hass:1"), release("ghcr.io/x/hass:1", "hass.example.com"))).toEqual([
      OFFLINE + "; the PR changes its values.route.app" + READS_HINT,
    ]);
    expect(await failures(release("{repository: x, tag: '1'}"), release("{repository: x, tag: '1', port: 8080}"))).toEqual([
      OFFLINE + "; the PR changes its values.controllers.hass" + READS_HINT,
    ]);
  });
});

describe("render.trusted: versions of remote sources a team reviews elsewhere move without a render", () => {
  const renderTrusting = async (globs: string[], before: SourceFile[], after: SourceFile[]) =>
    (await renderChange(before, after, { topology, budgetMs: 1_000, trusts: picomatch(globs) })).failures.map((failure) => failure.id);
  const ROUTE = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec: {hosts: [web]}\n";
  const kyverno = (version: string, route = ROUTE) =>
    tree({
      "infrastructure/kyverno/kustomization.yaml": `resources:\n- https://raw.githubusercontent.com/kyverno/kyverno/${version}/install.yaml\n- route.yaml\n`,
      "infrastructure/kyverno/route.yaml": route,
    });
  const KYVERNO = ["https://raw.githubusercontent.com/kyverno/**"];

  it("a remote kustomize resource's version bump passes when the policy trusts its URL, and only then", async () => {
    expect(await renderTrusting(KYVERNO, kyverno("v1.3.0-rc5"), kyverno("v1.3.0"))).toEqual([]);
    // A layout edit beside the bump is none (fluxcd/flux2-multi-tenancy c14e10f dropped a blank line).
    const relaid = tree({
      "infrastructure/kyverno/kustomization.yaml":
        "resources:\n  - https://raw.githubusercontent.com/kyverno/kyverno/v1.3.0/install.yaml\n  - route.yaml\n\n",
      "infrastructure/kyverno/route.yaml": ROUTE,
    });
    expect(await renderTrusting(KYVERNO, kyverno("v1.3.0-rc5"), relaid)).toEqual([]);
    expect(await renderTrusting(["https://github.com/**"], kyverno("v1.3.0-rc5"), kyverno("v1.3.0"))).toEqual([
      "kustomize infrastructure/kyverno",
    ]);
    // Anything else the root reads still needs the render, which cannot be done.
    const edited = kyverno("v1.3.0", ROUTE.replace("[web]", "[web, api]"));
    expect(await renderTrusting(KYVERNO, kyverno("v1.3.0-rc5"), edited)).toEqual(["kustomize infrastructure/kyverno"]);
  });

  it("a trusted remote kustomize resource moved to another file, folder or repository is no version bump, whatever the glob covers", async () => {
    const platform = (entry: string) =>
      tree({ "app/kustomization.yaml": `resources:\n- ${entry}\n- route.yaml\n`, "app/route.yaml": ROUTE });
    const ACME = ["https://github.com/acme/**", "github.com/acme/**"];
    const moved = async (before: string, after: string) => renderTrusting(ACME, platform(before), platform(after));
    const RELEASE = "https://github.com/acme/platform/releases/download";
    expect(await moved(`${RELEASE}/v1.2.0/install.yaml`, `${RELEASE}/v1.3.0/install.yaml`)).toEqual([]);
    expect(await moved("github.com/acme/platform//deploy?ref=v0.9.1", "github.com/acme/platform//deploy?ref=v0.10.0")).toEqual([]);
    // The release's other file, the repository's other folder, a fork, or a new query parameter: another source.
    expect(await moved(`${RELEASE}/v1.0.0/install.yaml`, `${RELEASE}/v1.0.0/other.yaml`)).toEqual(["kustomize app"]);
    expect(await moved(`${RELEASE}/v1.0.0/install.yaml`, `${RELEASE}/v1.1.0/allow-all.yaml`)).toEqual(["kustomize app"]);
    const gateway = "github.com/acme/platform//config/gateway?ref=v1.0.0";
    expect(await moved(gateway, "github.com/acme/platform//config/allow-all?ref=v1.0.0")).toEqual(["kustomize app"]);
    expect(await moved(gateway, "github.com/acme/platform-fork//config/gateway?ref=v1.0.0")).toEqual(["kustomize app"]);
    expect(await moved(gateway, `${gateway}&submodules=false`)).toEqual(["kustomize app"]);
  });

  it("a chart's trusted dependency bumped in its Chart.yaml is a version bump too (khuedoan/homelab's app-template wrappers)", async () => {
    const wrapper = (version: string, host = "ai.example.com") =>
      tree({
        "apps/ollama/Chart.yaml": `apiVersion: v2\nname: ollama\nversion: 0.0.0\ndependencies:\n  - name: app-template\n    version: ${version}\n    repository: https://bjw-s.github.io/helm-charts\n`,
        "apps/ollama/values.yaml": `app-template:\n  ingress: {main: {hosts: [{host: ${host}}]}}\n`,
        "apps/set.yaml":
          "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n  generators: [{git: {repoURL: https://example.com/homelab, directories: [{path: apps/*}]}}]\n  template: {spec: {source: {repoURL: https://example.com/homelab, path: '{{path}}'}, destination: {name: in-cluster}}}\n",
      });
    const APP_TEMPLATE = ["https://bjw-s.github.io/helm-charts/app-template"];
    expect(await renderTrusting(APP_TEMPLATE, wrapper("2.2.0"), wrapper("3.0.0"))).toEqual([]);
    expect(await renderTrusting(["https://charts.example.com/**"], wrapper("2.2.0"), wrapper("3.0.0"))).toEqual([
      "helm apps/ollama/Chart.yaml ollama",
    ]);
    // Its values still need the render, but for what only sets how containers run (an image tag),
    // as for a remote chart's release, with or without a bump beside it.
    expect(await renderTrusting(APP_TEMPLATE, wrapper("2.2.0"), wrapper("3.0.0", "admin.example.com"))).toEqual([
      "helm apps/ollama/Chart.yaml ollama",
    ]);
    const imaged = (version: string, tag: string) =>
      wrapper(version).map((file) =>
        file.path.endsWith("values.yaml")
          ? {
              ...file,
              text: `${file.text}  controllers: {main: {containers: {main: {image: {repository: ollama/ollama, tag: "${tag}"}}}}}\n`,
            }
          : file,
      );
    expect(await renderTrusting([], imaged("2.2.0", "0.1.20"), imaged("2.2.0", "0.1.21"))).toEqual([]);
    expect(await renderTrusting(APP_TEMPLATE, imaged("2.2.0", "0.1.20"), imaged("3.0.0", "0.1.21"))).toEqual([]);
    expect(await renderTrusting([], imaged("2.2.0", "0.1.20"), imaged("3.0.0", "0.1.21"))).toEqual(["helm apps/ollama/Chart.yaml ollama"]);
  });

  describe("a wrapper chart's own Chart.yaml metadata renders nothing (aws-samples/eks-blueprints-add-ons)", () => {
    const DEPENDENCY = "  - name: metrics-server\n    version: 3.8.2\n    repository: https://kubernetes-sigs.github.io/metrics-server/\n";
    const CHART = `apiVersion: v2\nname: metrics-server\nversion: 0.1.0\ndependencies:\n${DEPENDENCY}`;
    const ROUTE_TEMPLATE = (label: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\n  labels: {chart: ${label}}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n`;
    const wrapper = (chart: string, files: Record<string, string> = {}) =>
      tree({
        "add-ons/metrics-server/Chart.yaml": chart,
        "add-ons/metrics-server/values.yaml": "metrics-server: {replicas: 2}\n",
        "apps/set.yaml":
          "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: add-ons}\nspec:\n  generators: [{git: {repoURL: https://example.com/add-ons, directories: [{path: add-ons/*}]}}]\n  template: {spec: {source: {repoURL: https://example.com/add-ons, path: '{{path}}'}, destination: {name: in-cluster}}}\n",
        ...files,
      });
    const ID = ["helm add-ons/metrics-server/Chart.yaml metrics-server"];
    const METRICS_SERVER = ["https://kubernetes-sigs.github.io/metrics-server/**"];
    const edited = (...edits: [string, string][]) => edits.reduce((chart, [from, to]) => chart.replace(from, to), CHART);
    const BUMP: [string, string] = ["version: 3.8.2", "version: 3.8.3"];
    const OWN_VERSION: [string, string] = ["version: 0.1.0", "version: 0.1.1"];

    it("its description, version, appVersion, maintainers or name edited needs no render (29b8216bd3, 1c2d6d4edf, f9155e1d21)", async () => {
      const metadata = edited(
        ["name: metrics-server", "name: ingress-nginx"],
        ["version: 0.1.0\n", "version: 0.1.1\ndescription: Metrics Server\nappVersion: 0.6.1\nmaintainers: [{name: ops}]\n"],
      );
      expect(await renderTrusting([], wrapper(metadata), wrapper(CHART))).toEqual([]);
    });

    it("a trusted dependency bumped with the wrapper's own version passes; untrusted, or its repository swapped, it still needs the render", async () => {
      expect(await renderTrusting(METRICS_SERVER, wrapper(CHART), wrapper(edited(BUMP, OWN_VERSION)))).toEqual([]);
      expect(await renderTrusting([], wrapper(CHART), wrapper(edited(BUMP, OWN_VERSION)))).toEqual(ID);
      const swapped: [string, string] = ["kubernetes-sigs.github.io/metrics-server/", "charts.example.com/"];
      expect(await renderTrusting(["**"], wrapper(CHART), wrapper(edited(swapped, OWN_VERSION)))).toEqual(ID);
      expect(await renderTrusting([], wrapper(CHART), wrapper(edited(swapped)))).toEqual(ID);
    });

    it("a dependency's condition, the chart's type, or a version helm refuses still counts", async () => {
      const condition: [string, string] = ["    repository:", "    condition: metrics-server.enabled\n    repository:"];
      expect(await renderTrusting(METRICS_SERVER, wrapper(CHART), wrapper(edited(condition, OWN_VERSION)))).toEqual(ID);
      expect(await renderTrusting([], wrapper(CHART), wrapper(edited(["apiVersion: v2", "apiVersion: v2\ntype: library"])))).toEqual(ID);
      expect(await renderTrusting([], wrapper(CHART), wrapper(edited(["version: 0.1.0", "version: latest"])))).toEqual(ID);
    });

    it("a field its own templates read (`.Chart.Version`, `.Chart` whole, `.Template` for its name) stays an input", async () => {
      const reading = (chart: string, label: string) =>
        wrapper(chart, { "add-ons/metrics-server/templates/route.yaml": ROUTE_TEMPLATE(label) });
      const version = "'{{ .Chart.Version }}'";
      expect(await renderTrusting([], reading(CHART, version), reading(edited(OWN_VERSION), version))).toEqual(ID);
      expect(await renderTrusting(METRICS_SERVER, reading(CHART, version), reading(edited(BUMP, OWN_VERSION), version))).toEqual(ID);
      const whole = "'{{ toJson .Chart | sha256sum | trunc 8 }}'";
      expect(
        await renderTrusting([], reading(CHART, whole), reading(edited(["version: 0.1.0\n", "version: 0.1.0\nicon: x.png\n"]), whole)),
      ).toEqual(ID);
      const path = '\'{{ .Template.BasePath | replace "/" "-" }}\'';
      expect(await renderTrusting([], reading(CHART, path), reading(edited(["name: metrics-server", "name: other"]), path))).toEqual(ID);
      // What it does not read is metadata still.
      expect(
        await renderTrusting([], reading(CHART, version), reading(edited(["version: 0.1.0\n", "version: 0.1.0\nicon: x.png\n"]), version)),
      ).toEqual([]);
    });

    it("a local chart it depends on keeps its name: its parent's dependencies find it by that name", async () => {
      const parent = (name: string) =>
        wrapper(`${CHART}  - name: edge\n    version: 0.1.0\n    repository: file://../edge\n`, {
          "add-ons/edge/Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`,
          "add-ons/edge/templates/route.yaml": ROUTE_TEMPLATE("edge"),
        });
      expect(await renderTrusting([], parent("edge"), parent("edge-gateway"))).toEqual(expect.arrayContaining(ID));
    });
  });

  it("a chart a kustomization's helmCharts inflates, bumped, is a version bump too (anthos-config-management-samples c04120c)", async () => {
    const inflated = (version: string, extra = "", chart = "{ name: cert-manager, repo: https://charts.jetstack.io/ }") =>
      tree({
        "platform/cert-manager/kustomization.yaml": `helmCharts:\n- ${chart.replace(" }", `, version: ${version}, releaseName: my-cert-manager${extra} }`)}\nresources:\n- route.yaml\n`,
        "platform/cert-manager/route.yaml": ROUTE,
      });
    const JETSTACK = ["https://charts.jetstack.io/cert-manager"];
    expect(await renderTrusting(JETSTACK, inflated("v1.8.2"), inflated("v1.9.0"))).toEqual([]);
    expect(await renderTrusting([], inflated("v1.8.2"), inflated("v1.9.0"))).toEqual(["kustomize platform/cert-manager"]);
    // Its inline values still need the render; so does a chart kustomize reads from its chartHome (no repo to trust).
    expect(await renderTrusting(JETSTACK, inflated("v1.8.2"), inflated("v1.9.0", ", valuesInline: { installCRDs: true }"))).toEqual([
      "kustomize platform/cert-manager",
    ]);
    const local = (version: string) => inflated(version, "", "{ name: cert-manager }");
    expect(await renderTrusting(["**"], local("v1.8.2"), local("v1.9.0"))).toEqual(["kustomize platform/cert-manager"]);
  });

  it("a trusted URL bumped in another kustomization of the root's folders is a version bump too (Kong's config/crd/incubator)", async () => {
    const crds = (ref: string) =>
      tree({
        "config/default/kustomization.yaml": "resources:\n- ../crd\n",
        "config/crd/kustomization.yaml": `resources:\n- https://github.com/kong/kubernetes-configuration/config/crd/ingress-controller?ref=${ref}\n`,
        "config/crd/incubator/kustomization.yaml": `resources:\n- https://github.com/kong/kubernetes-configuration/config/crd/incubator?ref=${ref}\n`,
      });
    expect(await renderTrusting(["https://github.com/kong/kubernetes-configuration/**"], crds("v1.3.1"), crds("v1.4.0"))).toEqual([]);
    expect(
      await renderTrusting(
        ["https://github.com/kong/kubernetes-configuration/config/crd/ingress-controller*"],
        crds("v1.3.1"),
        crds("v1.4.0"),
      ),
    ).toEqual(["kustomize config/crd/incubator", "kustomize config/default"]);
  });

  const release = (tag: string, url = "oci://ghcr.io/home-operations/charts/miroir", host = "miroir.example.com") =>
    tree({
      "apps/miroir/ocirepository.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: miroir, namespace: default}\nspec:\n  url: ${url}\n  ref: {tag: ${tag}}\n`,
      "apps/miroir/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: miroir, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: miroir}\n  values: {ingress: {host: ${host}}}\n`,
    });
  const CHARTS = ["oci://ghcr.io/home-operations/charts/*"];

  it("a chart's tag bump in a trusted OCIRepository passes; its values, or another source, still need the render", async () => {
    expect(await renderTrusting(CHARTS, release("1.2.0"), release("1.3.0"))).toEqual([]);
    expect(await renderTrusting(["oci://ghcr.io/other/*"], release("1.2.0"), release("1.3.0"))).toEqual([
      "helm apps/miroir/helmrelease.yaml default/miroir",
    ]);
    expect(await renderTrusting(CHARTS, release("1.2.0"), release("1.3.0", undefined, "other.example.com"))).toEqual([
      "helm apps/miroir/helmrelease.yaml default/miroir",
    ]);
    const moved = release("1.2.0", "oci://ghcr.io/home-operations/charts/miroir-next");
    expect(await renderTrusting(CHARTS, release("1.2.0"), moved)).toEqual(["helm apps/miroir/helmrelease.yaml default/miroir"]);
  });

  it("a release moved to an OCIRepository of its own serving the same chart is no change; at another version, a trusted bump", async () => {
    // budimanjojo/home-cluster b6aa61f: from the shared `app-template` source to one named for the app.
    const shared = (tag: string) =>
      release(tag).map((file) =>
        file.path.endsWith("ocirepository.yaml")
          ? { path: "components/sources/app-template.yaml", text: file.text.replace("name: miroir,", "name: app-template,") }
          : {
              ...file,
              text: file.text.replace(
                "chartRef: {kind: OCIRepository, name: miroir}",
                "chartRef: {kind: OCIRepository, name: app-template}",
              ),
            },
      );
    expect(await renderTrusting([], shared("1.2.0"), release("1.2.0"))).toEqual([]);
    expect(await renderTrusting(CHARTS, shared("1.2.0"), release("1.3.0"))).toEqual([]);
    expect(await renderTrusting([], shared("1.2.0"), release("1.3.0"))).toEqual(["helm apps/miroir/helmrelease.yaml default/miroir"]);
    const elsewhere = release("1.2.0", "oci://ghcr.io/home-operations/charts/miroir-next");
    expect(await renderTrusting(CHARTS, shared("1.2.0"), elsewhere)).toEqual(["helm apps/miroir/helmrelease.yaml default/miroir"]);
  });

  it("a source the release's own kustomization lists, found again in its render, serves one chart: the shared one's (kochhaus 2fa6e8c35)", () => {
    // The app's render holds the release and, namespaced, its new OCIRepository, found again as written.
    const source = (name: string, tag: string, namespace = "") =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: ${name}${namespace}}\nspec: {interval: 15m, url: oci://ghcr.io/bjw-s-labs/helm/app-template, ref: {tag: ${tag}}}\n`;
    const echo = (name: string) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: echo, namespace: default}\nspec:\n  chartRef: {kind: OCIRepository, name: ${name}}\n  values: {route: {app: {hostnames: [echo.example.com]}}}\n`;
    const fingerprint = (files: Record<string, string>, rendered: string) =>
      planRenderedHelm(tree(files), tree({ "apps/echo/(rendered)/kustomization.yaml": rendered }), topology)[0]!.releaseFingerprint;
    const shared = fingerprint({ "repos/app-template.yaml": source("app-template", "4.6.2") }, echo("app-template"));
    const own = (tag: string) =>
      fingerprint(
        { "repos/app-template.yaml": source("app-template", "4.6.2"), "apps/echo/ocirepository.yaml": source("echo", tag) },
        `${echo("echo")}---\n${source("echo", tag, ", namespace: default")}`,
      );
    expect(own("4.6.2")).toBe(shared);
    expect(own("5.0.0")).not.toBe(shared);
  });

  describe("a release reads the copy of its chart's source applied with it (kochhaus-home cd68e8d47d: envoy-gateway bumped one cluster at a time)", () => {
    const KS = (name: string, path: string, namespace = "flux-system") =>
      `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {path: ${path}, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}\n`;
    const OCI = (tag: string, url = "oci://mirror.gcr.io/envoyproxy/gateway-helm") =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: envoy-gateway}\nspec: {interval: 1h, url: ${url}, ref: {tag: ${tag}}}\n`;
    const RELEASE =
      "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: envoy-gateway}\nspec:\n  chartRef: {kind: OCIRepository, name: envoy-gateway}\n  values: {config: {envoyGateway: {provider: {type: Kubernetes}}}}\n";
    /** Each cluster's root Kustomization delivering its own apps folder, which holds the release and its source; `tags` by cluster. */
    const clusters = (tags: Record<string, string>, layout: (cluster: string, tag: string) => Record<string, string>) =>
      tree(
        Object.assign(
          {},
          ...Object.entries(tags).map(([cluster, tag]) => ({
            [`kubernetes/${cluster}/flux/apps.yaml`]: KS("cluster-apps", `./kubernetes/${cluster}/apps`),
            ...layout(cluster, tag),
          })),
        ),
      );
    const loose = (cluster: string, tag: string) => ({
      [`kubernetes/${cluster}/apps/eg/helmrelease.yaml`]: RELEASE,
      [`kubernetes/${cluster}/apps/eg/ocirepository.yaml`]: OCI(tag),
    });
    const releaseIn = (cluster: string) => `helm kubernetes/${cluster}/apps/eg/helmrelease.yaml default/envoy-gateway`;
    /** The releases whose fingerprint (what decides the render), or unpinned fingerprint (what a trusted bump leaves), moved. */
    const moved = (before: SourceFile[], after: SourceFile[], policy = topology) => {
      const [base, head] = [planRenders(before, policy), planRenders(after, policy)];
      const changed = (field: "releaseFingerprint" | "unpinnedFingerprint") =>
        base.filter((root) => root.releaseFingerprint !== undefined && head.find((other) => other.id === root.id)?.[field] !== root[field]);
      return {
        rendered: changed("releaseFingerprint").map((root) => root.id),
        unpinned: changed("unpinnedFingerprint").map((root) => root.id),
      };
    };
    const BEFORE = { main: "1.9.0", network: "1.8.3", registry: "1.8.3" };
    const AFTER = { main: "1.9.0", network: "1.9.0", registry: "1.8.3" };

    it("one cluster's source bumped to the version another cluster already runs is that cluster's release changed, and only its", () => {
      // Read tree-wide, the set {1.8.3, 1.9.0} was the same before and after: risk none.
      expect(moved(clusters(BEFORE, loose), clusters(AFTER, loose))).toEqual({ rendered: [releaseIn("network")], unpinned: [] });
      // The same with the policy naming the clusters by path.
      const named = policyWith('topology:\n  placements: ["kubernetes/{cluster}/**"]\n').topology;
      expect(moved(clusters(BEFORE, loose), clusters(AFTER, loose), named)).toEqual({ rendered: [releaseIn("network")], unpinned: [] });
      // Another URL in one cluster is no version bump: the trusted check does not spare it either.
      const elsewhere = clusters(AFTER, (cluster, tag) =>
        cluster === "network"
          ? { ...loose(cluster, tag), [`kubernetes/${cluster}/apps/eg/ocirepository.yaml`]: OCI(tag, "oci://ghcr.io/fork/gateway-helm") }
          : loose(cluster, tag),
      );
      expect(moved(clusters(BEFORE, loose), elsewhere)).toEqual({ rendered: [releaseIn("network")], unpinned: [releaseIn("network")] });
    });

    it("the render of a cluster's app, holding its source again, reads that cluster's copy", () => {
      const app = (cluster: string, tag: string) => ({
        [`kubernetes/${cluster}/apps/eg/ks.yaml`]: KS("envoy-gateway", `./kubernetes/${cluster}/apps/eg/app`, "network"),
        [`kubernetes/${cluster}/apps/eg/app/kustomization.yaml`]: "resources:\n  - helmrelease.yaml\n  - ocirepository.yaml\n",
        [`kubernetes/${cluster}/apps/eg/app/helmrelease.yaml`]: RELEASE,
        [`kubernetes/${cluster}/apps/eg/app/ocirepository.yaml`]: OCI(tag),
      });
      const fingerprint = (tags: Record<string, string>) =>
        planRenderedHelm(
          clusters(tags, app),
          tree({ "kubernetes/network/apps/eg/app/(rendered)/kustomization.yaml": `${RELEASE}---\n${OCI(tags.network!)}` }),
          topology,
        )[0]!.releaseFingerprint;
      expect(fingerprint(AFTER)).not.toBe(fingerprint(BEFORE));
      // Another cluster's bump is not this release's.
      expect(fingerprint({ ...BEFORE, registry: "1.9.0" })).toBe(fingerprint(BEFORE));
    });

    it("a copy nothing applies is read only where no applied one is", () => {
      const example = (tag: string) => ({ "examples/eg/ocirepository.yaml": OCI(tag) });
      const withExample = (tags: Record<string, string>, exampleTag: string) => [...clusters(tags, loose), ...tree(example(exampleTag))];
      expect(moved(withExample(BEFORE, "1.0.0"), withExample(BEFORE, "2.0.0")).rendered).toEqual([]);
      expect(moved(withExample(BEFORE, "1.0.0"), withExample(AFTER, "1.0.0")).rendered).toEqual([releaseIn("network")]);
    });

    it("where nothing says which copy a release reads, copies that disagree are each judged: one bumped to another's version is a change", () => {
      // No GitOps object, no kustomization: every copy may be the release's.
      const unplaced = (tags: Record<string, string>) =>
        tree(Object.assign({}, ...Object.entries(tags).map(([cluster, tag]) => loose(cluster, tag))));
      expect(moved(unplaced(BEFORE), unplaced(AFTER)).rendered).toEqual([releaseIn("main"), releaseIn("network"), releaseIn("registry")]);
      // Copies that agree serve one chart, wherever they are written.
      const agreeing = { main: "1.9.0", network: "1.9.0", registry: "1.9.0" };
      expect(
        moved(
          unplaced(agreeing),
          unplaced(agreeing).map((file) => ({ ...file, path: file.path.replace("ocirepository", "source") })),
        ).rendered,
      ).toEqual([]);
      // A trusted bump still needs no render: the copies judged one by one differ only in their tags.
      expect(moved(unplaced(BEFORE), unplaced(AFTER)).unpinned).toEqual([]);
    });

    it("a chart's HelmRepository is read the same way: one cluster's URL changed is its release's chart", () => {
      const REPO = (url: string) =>
        `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: envoy, namespace: flux-system}\nspec: {url: ${url}}\n`;
      const helmRelease =
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: envoy-gateway}\nspec:\n  chart:\n    spec: {chart: gateway-helm, version: 1.9.0, sourceRef: {kind: HelmRepository, name: envoy, namespace: flux-system}}\n";
      const repositories = (url: string) => (cluster: string) => ({
        [`kubernetes/${cluster}/apps/eg/helmrelease.yaml`]: helmRelease,
        [`kubernetes/${cluster}/apps/eg/repository.yaml`]: REPO(cluster === "network" ? url : "https://charts.example.com/"),
      });
      const at = (url: string) => clusters(BEFORE, repositories(url));
      expect(moved(at("https://charts.example.com/"), at("https://charts.fork.example.com/"))).toEqual({
        rendered: [releaseIn("network")],
        unpinned: [releaseIn("network")],
      });
    });
  });

  it("the version of an OCI artifact a trusted chart's values name moves as the chart's tag does, where the policy trusts it (flux-operator)", async () => {
    // Renovate's flux-operator group: the flux-instance chart's tag and the Flux distribution it installs (kochhaus 55c0bac7f).
    const instance = (version: string, artifact = `oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests:v${version}`, extra = "") =>
      tree({
        "flux/ocirepository.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: flux-instance, namespace: flux-system}\nspec: {url: oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance, ref: {tag: ${version}}}\n`,
        "flux/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: flux-instance, namespace: flux-system}\nspec:\n  chartRef: {kind: OCIRepository, name: flux-instance}\n  values:\n    instance:\n      distribution: {artifact: "${artifact}"${extra}}\n`,
      });
    const FLUX = ["oci://ghcr.io/controlplaneio-fluxcd/**"];
    const RELEASE = ["helm flux/helmrelease.yaml flux-system/flux-instance"];
    expect(await renderTrusting(FLUX, instance("0.58.0"), instance("0.58.1"))).toEqual([]);
    const digest = (hex: string) => `oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests@sha256:${hex.repeat(64)}`;
    expect(await renderTrusting(FLUX, instance("0.58.0", digest("a")), instance("0.58.1", digest("b")))).toEqual([]);
    // The chart trusted, the artifact not: its new version is a source the policy did not vouch for.
    expect(await renderTrusting(["oci://ghcr.io/controlplaneio-fluxcd/charts/*"], instance("0.58.0"), instance("0.58.1"))).toEqual(RELEASE);
    expect(await renderTrusting([], instance("0.58.0"), instance("0.58.1"))).toEqual(RELEASE);
    // Another artifact, a tag that is no version, or anything else in the values, is a values change.
    const other = "oci://ghcr.io/example/flux-manifests:v0.58.1";
    expect(await renderTrusting(["**"], instance("0.58.0"), instance("0.58.1", other))).toEqual(RELEASE);
    const tagged = (tag: string) => `oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests:${tag}`;
    expect(await renderTrusting(FLUX, instance("0.58.0", tagged("stable")), instance("0.58.1", tagged("edge")))).toEqual(RELEASE);
    expect(await renderTrusting(FLUX, instance("0.58.0"), instance("0.58.1", undefined, ", registry: ghcr.io"))).toEqual(RELEASE);
  });

  it("the Flux distribution version a flux-instance release installs moves as a version of its registry's manifests (billimek 6cc6aaa9c3)", async () => {
    const instance = (distribution: string) =>
      tree({
        "flux/ocirepository.yaml":
          "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: flux-instance, namespace: flux-system}\nspec: {url: oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance, ref: {tag: 0.57.0}}\n",
        "flux/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: flux-instance, namespace: flux-system}\nspec:\n  chartRef: {kind: OCIRepository, name: flux-instance}\n  values:\n    instance:\n      distribution: {${distribution}}\n      components: [source-controller, kustomize-controller]\n`,
      });
    const CHART = "oci://ghcr.io/controlplaneio-fluxcd/**";
    const RELEASE = ["helm flux/helmrelease.yaml flux-system/flux-instance"];
    // No registry written: the chart's default, ghcr.io/fluxcd.
    expect(await renderTrusting([CHART, "oci://ghcr.io/fluxcd/**"], instance("version: 2.9.3"), instance("version: 2.9.4"))).toEqual([]);
    const own = (version: string) => instance(`version: ${version}, registry: registry.example.com/flux`);
    expect(await renderTrusting([CHART, "oci://registry.example.com/flux/**"], own("2.9.3"), own("2.9.4"))).toEqual([]);
    // The registry not trusted, though the chart is: the distribution is a source the policy did not vouch for, and the reviewer is told its name.
    expect(await renderTrusting([CHART], instance("version: 2.9.3"), instance("version: 2.9.4"))).toEqual(RELEASE);
    const reasons = (
      await renderChange(instance("version: 2.9.3"), instance("version: 2.9.4"), { topology, budgetMs: 1_000, trusts: picomatch([CHART]) })
    ).failures.map((failure) => failure.reason);
    expect(reasons[0]).toContain("(if oci://ghcr.io/fluxcd/flux-manifests holds no traffic config you govern, trust it in");
    expect(await renderTrusting([CHART, "oci://ghcr.io/fluxcd/**"], own("2.9.3"), own("2.9.4"))).toEqual(RELEASE);
    // Another registry, a semver range, another variant or anything else beside the version: a values change, whatever the policy trusts.
    const ALL = ["**"];
    expect(await renderTrusting(ALL, instance("version: 2.9.3"), own("2.9.4"))).toEqual(RELEASE);
    expect(await renderTrusting(ALL, instance("version: 2.9.3, registry: ghcr.io/fluxcd"), own("2.9.3"))).toEqual(RELEASE);
    expect(await renderTrusting(ALL, instance('version: "2.8.x"'), instance('version: "2.9.x"'))).toEqual(RELEASE);
    expect(await renderTrusting(ALL, instance("version: 2.9.3"), instance("version: 2.9.4, variant: enterprise-distroless"))).toEqual(
      RELEASE,
    );
  });

  it("a values edit of a trusted chart does not tell the reviewer to trust what the policy already trusts", async () => {
    const reasons = async (globs: string[]) =>
      (
        await renderChange(release("1.2.0"), release("1.2.0", undefined, "other.example.com"), {
          topology,
          budgetMs: 1_000,
          trusts: picomatch(globs),
        })
      ).failures.map((failure) => failure.reason);
    const [trusted] = await reasons(CHARTS);
    expect(trusted).toContain(
      "its sources are trusted in `render.trusted`, which spares a render only when nothing but their versions moves",
    );
    expect(trusted).toContain(LEAVE_OUT);
    expect(trusted).not.toContain("trust it in");
    const [untrusted] = await reasons(["oci://ghcr.io/other/*"]);
    expect(untrusted).toContain("oci://ghcr.io/home-operations/charts/miroir");
    expect(untrusted).toContain("trust it in the policy's `render.trusted`");
  });

  it("a chart from a HelmRepository is named by the repository's URL and the chart", async () => {
    const versioned = (version: string) =>
      tree({
        "infra/repositories.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: prometheus-community, namespace: flux-system}\nspec: {url: "https://prometheus-community.github.io/helm-charts/"}\n`,
        "infra/monitoring.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: kps, namespace: monitoring}\nspec:\n  chart:\n    spec:\n      chart: kube-prometheus-stack\n      version: ${version}\n      sourceRef: {kind: HelmRepository, name: prometheus-community, namespace: flux-system}\n`,
      });
    const trusted = ["https://prometheus-community.github.io/helm-charts/kube-prometheus-stack"];
    expect(await renderTrusting(trusted, versioned("60.0.0"), versioned("61.0.0"))).toEqual([]);
    expect(
      await renderTrusting(["https://prometheus-community.github.io/helm-charts/grafana"], versioned("60.0.0"), versioned("61.0.0")),
    ).toEqual(["helm infra/monitoring.yaml monitoring/kps"]);
  });

  describe("a trusted chart's HelmRelease bumped in a kustomize root a remote base keeps offline (onedr0p/cluster-template 4fe93cee7b)", () => {
    const GATEWAY = "https://ori-edge.github.io/k8s_gateway/k8s-gateway";
    const apps = (version: string, values = "domain: example.com", extra = "") =>
      tree({
        "cluster/flux/apps.yaml":
          "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./cluster/apps, sourceRef: {kind: GitRepository, name: flux-system}}\n",
        "cluster/apps/kustomization.yaml": "resources:\n  - k8s-gateway\n  - suc\n",
        "cluster/apps/suc/kustomization.yaml":
          "resources:\n  - github.com/rancher/system-upgrade-controller?ref=v0.9.1\npatches:\n  - patch: |\n      $patch: delete\n      apiVersion: v1\n      kind: Namespace\n      metadata: {name: system-upgrade}\n",
        "cluster/apps/k8s-gateway/kustomization.yaml": "resources:\n  - helm-release.yaml\n",
        "cluster/apps/k8s-gateway/helm-release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: k8s-gateway, namespace: networking}\nspec:\n  chart:\n    spec: {chart: k8s-gateway, version: ${version}, sourceRef: {kind: HelmRepository, name: k8s-gateway, namespace: flux-system}}\n  values: {${values}}\n${extra}`,
        "cluster/charts/k8s-gateway.yaml":
          "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: k8s-gateway, namespace: flux-system}\nspec: {url: https://ori-edge.github.io/k8s_gateway/}\n",
      });

    it("passes when the chart is trusted, whether or not the remote base is, and only then", async () => {
      expect(await renderTrusting([GATEWAY], apps("1.1.12"), apps("1.1.14"))).toEqual([]);
      expect(await renderTrusting(["**"], apps("1.1.12"), apps("1.1.14"))).toEqual([]);
      expect(await renderTrusting(["github.com/rancher/**"], apps("1.1.12"), apps("1.1.14"))).toEqual(["kustomize cluster/apps"]);
    });

    it("its values, or another document of its file, still need the render", async () => {
      expect(await renderTrusting(["**"], apps("1.1.12"), apps("1.1.14", "domain: example.org"))).toEqual(["kustomize cluster/apps"]);
      // But for the version of an OCI artifact they name that the policy trusts too (artifact-versions.ts).
      const artifact = (tag: string) => `domain: example.com, manifests: "oci://ghcr.io/example/manifests:${tag}"`;
      expect(await renderTrusting(["**"], apps("1.1.12", artifact("v1.0.0")), apps("1.1.14", artifact("v1.1.0")))).toEqual([]);
      expect(await renderTrusting([GATEWAY], apps("1.1.12", artifact("v1.0.0")), apps("1.1.14", artifact("v1.1.0")))).toEqual([
        "kustomize cluster/apps",
      ]);
      const route = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec: {hostnames: [HOST]}\n";
      expect(
        await renderTrusting(
          ["**"],
          apps("1.1.12", undefined, route.replace("HOST", "a.example.com")),
          apps("1.1.14", undefined, route.replace("HOST", "b.example.com")),
        ),
      ).toEqual(["kustomize cluster/apps"]);
    });

    it("so does a trusted OCIRepository's tag bumped in a file the root lists", async () => {
      const oci = (tag: string, url = "oci://ghcr.io/home-operations/charts/miroir") =>
        apps("1.1.12").map((file) =>
          file.path.endsWith("helm-release.yaml")
            ? {
                ...file,
                text: `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: miroir, namespace: networking}\nspec: {url: "${url}", ref: {tag: ${tag}}}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: miroir, namespace: networking}\nspec:\n  chartRef: {kind: OCIRepository, name: miroir}\n`,
              }
            : file,
        );
      expect(await renderTrusting(CHARTS, oci("1.2.0"), oci("1.3.0"))).toEqual([]);
      expect(await renderTrusting([GATEWAY], oci("1.2.0"), oci("1.3.0"))).toEqual(["kustomize cluster/apps"]);
      const moved = oci("1.3.0", "oci://ghcr.io/home-operations/charts/miroir-next");
      expect(await renderTrusting(CHARTS, oci("1.2.0"), moved)).toEqual(["kustomize cluster/apps"]);
    });

    it("an untrusted remote base that moves still needs the render, and the hint names the chart to trust", async () => {
      const bumped = apps("1.1.12").map((file) =>
        file.path.endsWith("suc/kustomization.yaml") ? { ...file, text: file.text.replace("v0.9.1", "v0.10.0") } : file,
      );
      expect(await renderTrusting([GATEWAY], apps("1.1.12"), bumped)).toEqual(["kustomize cluster/apps"]);
      const [reason] = (await renderChange(apps("1.1.12"), apps("1.1.14"), { topology, budgetMs: 1_000 })).failures.map(
        (failure) => failure.reason,
      );
      expect(reason).toContain(`if ${GATEWAY} holds no traffic config you govern, trust it`);
    });

    it("the hint names only what the PR moved: a chart whose release it leaves alone is no cause (flux2-kustomize-gitops-demo 4e3cc8f109)", async () => {
      const bumped = apps("1.1.12").map((file) =>
        file.path.endsWith("suc/kustomization.yaml") ? { ...file, text: file.text.replace("v0.9.1", "v0.10.0") } : file,
      );
      const [reason] = (await renderChange(apps("1.1.12"), bumped, { topology, budgetMs: 1_000 })).failures.map(
        (failure) => failure.reason,
      );
      expect(reason).toContain("github.com/rancher/system-upgrade-controller?ref=v0.10.0");
      expect(reason).toContain("if its remote sources hold no traffic config you govern, trust them");
      expect(reason).not.toContain(GATEWAY);
    });
  });

  it("a trusted bump in a root that fails alike at base and head passes; any other change to it still blocks (coolguy1771/home-ops 0430074643)", async () => {
    // The app's kustomization names a component the tree does not hold, before and after the bump.
    const app = (tag: string, port = 6789) =>
      tree({
        "apps/nzbget/kustomization.yaml": "resources: [helmrelease.yaml, ocirepository.yaml]\ncomponents: [../../components/defaults]\n",
        "apps/nzbget/ocirepository.yaml": `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: nzbget}\nspec: {url: oci://ghcr.io/bjw-s-labs/helm/app-template, ref: {tag: ${tag}}}\n`,
        "apps/nzbget/helmrelease.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: nzbget}\nspec:\n  chartRef: {kind: OCIRepository, name: nzbget}\n  values: {service: {app: {ports: {http: {port: ${port}}}}}}\n`,
      });
    const APP_TEMPLATE = ["oci://ghcr.io/bjw-s-labs/helm/*"];
    const result = await renderChange(app("4.6.2"), app("5.0.1"), { topology, budgetMs: 5_000, trusts: picomatch(APP_TEMPLATE) });
    expect(result.failures).toEqual([]);
    // The report names it as the policy's to vouch for.
    expect(result.trusted).toEqual(["kustomize apps/nzbget"]);
    expect(await renderTrusting(["oci://ghcr.io/other/*"], app("4.6.2"), app("5.0.1"))).toEqual(["kustomize apps/nzbget"]);
    expect(await renderTrusting(APP_TEMPLATE, app("4.6.2"), app("5.0.1", 6790))).toEqual(["kustomize apps/nzbget"]);
  });

  it("an Argo CD Application's targetRevision bump of a trusted chart passes", async () => {
    const application = (revision: string) =>
      tree({
        "apps/cert-manager.yaml": `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: cert-manager, namespace: argocd}\nspec:\n  destination: {namespace: cert-manager}\n  source: {repoURL: "https://charts.jetstack.io", chart: cert-manager, targetRevision: ${revision}}\n`,
      });
    expect(await renderTrusting(["https://charts.jetstack.io/*"], application("v1.15.0"), application("v1.16.0"))).toEqual([]);
    expect(await renderTrusting([], application("v1.15.0"), application("v1.16.0"))).toEqual(["helm apps/cert-manager.yaml cert-manager"]);
  });

  it("so does one a kustomize root lists beside a `helmCharts` entry, vouched for with the root; a git revision or values still block (sholdee/home-ops 4779b48625)", async () => {
    const argocd = (source: string) =>
      tree({
        "apps/argocd/kustomization.yaml":
          "namespace: argocd\nresources: [apps.yaml]\nhelmCharts:\n- {name: argo-cd, repo: https://argoproj.github.io/argo-helm, version: 10.3.0, releaseName: argocd}\n",
        "apps/argocd/apps.yaml": `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: reloader, namespace: argocd}\nspec:\n  destination: {name: in-cluster, namespace: default}\n  ${source}\n`,
      });
    const chart = (revision: string, values = "") =>
      argocd(`source: {repoURL: https://stakater.github.io/stakater-charts, chart: reloader, targetRevision: ${revision}${values}}`);
    const RELOADER = ["https://stakater.github.io/stakater-charts/*"];
    const result = await renderChange(chart("2.2.14"), chart("2.2.15"), { topology, budgetMs: 1_000, trusts: picomatch(RELOADER) });
    expect(result.failures).toEqual([]);
    // The Application's chart is the policy's to vouch for, so the placement check leaves its revision alone.
    expect(result.trusted).toEqual(["kustomize apps/argocd", "helm apps/argocd/apps.yaml reloader"]);
    // A source listed among several is named by its place.
    const sources = (revision: string) =>
      argocd(
        `sources:\n  - {repoURL: https://example.com/config.git, path: apps/reloader, targetRevision: main}\n  - {repoURL: https://stakater.github.io/stakater-charts, chart: reloader, targetRevision: ${revision}}`,
      );
    expect(await renderTrusting(RELOADER, sources("2.2.14"), sources("2.2.15"))).toEqual([]);
    // Else the root renders without Argo CD's chart, which the PR leaves alone, and the Application's chart is the render's to judge.
    const rendered = "helm apps/argocd/(rendered)/kustomization.yaml reloader";
    expect(await renderTrusting([], chart("2.2.14"), chart("2.2.15"))).toEqual([rendered]);
    const ingress = ", helm: {valuesObject: {ingress: {enabled: true}}}";
    expect(await renderTrusting(RELOADER, chart("2.2.14"), chart("2.2.15", ingress))).toEqual([rendered]);
    // A git revision is not the chart's version: nothing vouched for, the placement check judges it.
    const git = (revision: string) =>
      argocd(`source: {repoURL: https://stakater.github.io/stakater-charts, path: deploy, targetRevision: ${revision}}`);
    const moved = await renderChange(git("v1"), git("v2"), { topology, budgetMs: 1_000, trusts: picomatch(["**"]) });
    expect(moved.trusted).toBeUndefined();
  });
});

describe("kustomizeReading: where kustomize puts the documents of the files it lists, and which files are patches", () => {
  const gateway =
    "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: kubeflow-gateway}\nspec: {selector: {istio: ingressgateway}}\n";

  it("a file a kustomization names as a patch is one, unless a kustomization lists it as a resource too", () => {
    const { patches } = kustomizeReading(
      tree({
        "serving/kustomization.yaml": [
          "resources: [upstream.yaml, shared.yaml]",
          "patches:",
          "- path: patches/remove-gateway.yaml",
          "- path: https://example.com/patch.yaml",
          "- path: /etc/patch.yaml",
          "patchesStrategicMerge: [patches/selector.yaml, shared.yaml]",
          "patchesJson6902:",
          "- {target: {kind: Gateway, name: g}, path: patches/json.yaml}",
        ].join("\n"),
        "serving/upstream.yaml": gateway,
        "serving/shared.yaml": gateway,
        "serving/patches/remove-gateway.yaml":
          "$patch: delete\napiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: {name: g}\n",
        "serving/patches/selector.yaml":
          "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {selector: {istio: other}}\n",
        "serving/patches/json.yaml": "- {op: replace, path: /spec/selector/istio, value: other}\n",
      }),
    );
    expect([...patches].sort()).toEqual([
      ["serving/patches/json.yaml", "serving/kustomization.yaml"],
      ["serving/patches/remove-gateway.yaml", "serving/kustomization.yaml"],
      ["serving/patches/selector.yaml", "serving/kustomization.yaml"],
    ]);
  });

  it("read as written (a render failed or is off), a patch file is no object of its own, and the patch is still judged (kubeflow/manifests b0324c7)", () => {
    const upstream =
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: knative-ingress-gateway, namespace: knative-serving}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]\n";
    const remove =
      "$patch: delete\napiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata:\n  name: knative-ingress-gateway\n  namespace: knative-serving\n";
    const kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [upstream.yaml]\n";
    const base = { "serving/kustomization.yaml": kustomization, "serving/upstream.yaml": upstream };
    const head = {
      ...base,
      "serving/kustomization.yaml": `${kustomization}patches:\n- path: patches/remove-gateway.yaml\n`,
      "serving/patches/remove-gateway.yaml": remove,
    };
    const analysis = analyzeChange({ base: tree(base), head: tree(head), policy: policyWith() });
    expect(analysis.invalid).toEqual([]);
    expect(analysis.findings.filter((finding) => finding.file === "serving/patches/remove-gateway.yaml")).toEqual([]);
    expect(analysis.skipped).toEqual([
      {
        file: "serving/patches/remove-gateway.yaml",
        line: 1,
        reason: "kustomize patch of serving/kustomization.yaml: applied only through it",
      },
    ]);
    const patchFindings = analysis.findings.filter((finding) => finding.summary.includes("its effect is not rendered"));
    // The entry the kustomization gains, and the file it reads.
    expect(patchFindings.map((finding) => [finding.risk, finding.summary])).toEqual([
      [
        "high",
        "kustomize patch rewrites Gateway knative-serving/knative-ingress-gateway: its effect is not rendered by Route Governor; review the patch",
      ],
      [
        "high",
        "kustomize patch file serving/patches/remove-gateway.yaml is added: it rewrites Gateway knative-serving/knative-ingress-gateway; its effect is not rendered by Route Governor; review the patch",
      ],
    ]);
  });

  it("a kustomization that starts applying a patch file the PR leaves alone is judged by what the file names", () => {
    const patch =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: shop}\nspec:\n  http: [{route: [{destination: {host: reviews}, weight: 0}]}]\n";
    const kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n";
    const base = { "shop/kustomization.yaml": kustomization, "shop/zero.yaml": patch };
    const head = { ...base, "shop/kustomization.yaml": `${kustomization}patches:\n- path: zero.yaml\n` };
    const findings = analyzeChange({ base: tree(base), head: tree(head), policy: policyWith() }).findings;
    // Read as written at base, the file was a VirtualService of its own (a delegate, having no hosts): its route goes.
    expect(findings.filter((finding) => finding.risk === "high").map((finding) => finding.summary)).toEqual([
      "kustomize patch rewrites VirtualService shop/reviews: its effect is not rendered by Route Governor; review the patch",
      "* via VirtualService (delegated): no longer served (was → reviews 100%)",
    ]);
  });

  it("the outermost namespace on the way wins; a file roots place apart, or no root names, has none", () => {
    const { namespaces } = kustomizeReading(
      tree({
        "istio/kustomization.yaml": "namespace: kubeflow\nresources:\n- base\n",
        "istio/base/kustomization.yaml": "namespace: inner\nresources:\n- gateway.yaml\n",
        "istio/base/gateway.yaml": gateway,
        "apps/base/kustomization.yaml": "resources:\n- route.yaml\n",
        "apps/base/route.yaml": "kind: VirtualService\n",
        "apps/staging/kustomization.yaml": "namespace: staging\nresources:\n- ../base\n",
        "apps/production/kustomization.yaml": "namespace: production\nresources:\n- ../base\n",
        "loose/gateway.yaml": gateway,
        "apps/production/(rendered)/kustomization.yaml": "namespace: ignored\nresources:\n- x.yaml\n",
      }),
    );
    expect([...namespaces]).toEqual([["istio/base/gateway.yaml", "kubeflow"]]);
  });

  it("a route's Gateway written without a namespace under `namespace:` is found there (kubeflow/manifests)", () => {
    const route = (gatewayRef: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: dex, namespace: auth}\nspec:\n  hosts: ["*"]\n  gateways: [${gatewayRef}]\n  http: [{route: [{destination: {host: dex.auth.svc.cluster.local}}]}]\n`;
    const istio = {
      "common/istio/kustomization.yaml": "namespace: kubeflow\nresources:\n- gateway.yaml\n",
      "common/istio/gateway.yaml": gateway,
    };
    // The PR adds the route: a reference it breaks is its finding.
    const broken = (gatewayRef: string) =>
      analyzeChange({
        base: tree(istio),
        head: tree({ ...istio, "common/dex/route.yaml": route(gatewayRef) }),
        policy: policyWith(),
      }).findings.filter((finding) => finding.class === "reference.broken");
    expect(broken("kubeflow/kubeflow-gateway")).toEqual([]);
    expect(broken("kubeflow/other-gateway").map((finding) => finding.summary)).toEqual([
      "VirtualService auth/dex → Gateway kubeflow/other-gateway: Istio Gateway kubeflow/other-gateway does not exist in the repository",
    ]);
  });
});

describe("origin annotations of a kustomize render", () => {
  it("are taken out of the output, with an annotations map left empty, and kept as each resource's repository file", () => {
    const output = [
      "apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../tree/base/svc.yaml\n  name: p-web\n  namespace: shop\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      configuredIn: ../tree/app/kustomization.yaml\n      configuredBy:\n        apiVersion: builtin\n        kind: ConfigMapGenerator\n    team: shop\n  name: gen-4h2m\n",
    ].join("---\n");
    const { text, origins } = withoutOrigins(output, "app/(rendered)/kustomization.yaml");
    expect(text).toBe(
      [
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: p-web\n  namespace: shop\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    team: shop\n  name: gen-4h2m\n",
      ].join("---\n"),
    );
    expect(origins).toEqual({ [originKey("app/(rendered)/kustomization.yaml", "Service", "shop", "p-web")]: "base/svc.yaml" });
  });

  it("CustomResourceDefinitions are left out of the output: no family reads them, and a bundle of them put kubeflow's example over the YAML bound", () => {
    const crd =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gateways.networking.istio.io\nspec:\n  group: networking.istio.io\n";
    const gateway = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: kubeflow-gateway\n  namespace: kubeflow\n";
    expect(withoutOrigins([crd, gateway, crd].join("---\n"), "example/(rendered)/kustomization.yaml").text).toBe(gateway);
  });

  it("a tool's message names the repository's paths, without the wrapper's own step", () => {
    expect(
      fromWrapper(
        "accumulating resources: accumulation err='accumulating resources from '../tree/app/dev': read ../tree/app/dev: is a directory': recursed accumulation of path '../tree/app/dev': loading KV pairs: env source files: [params.env]: open ../tree/app/dev/params.env: no such file or directory",
      ),
    ).toBe("loading KV pairs: env source files: [params.env]: open app/dev/params.env: no such file or directory");
    expect(
      fromWrapper(
        "error: accumulating resources: accumulation err='accumulating resources from '../tree/plugins/app': read ../tree/plugins/app: is a directory': couldn't make target for path '../tree/plugins/app': invalid Kustomization: json: cannot unmarshal string into Go struct field Kustomization.patches of type types.Patch",
      ),
    ).toBe("error: invalid Kustomization: json: cannot unmarshal string into Go struct field Kustomization.patches of type types.Patch");
  });

  it("a tool's message quoting a whole object keeps both ends, where kustomize puts the object and its reason (szinn/k8s-homelab dashy)", () => {
    const quoted = `error: map[string]interface {}{"data":"${"x".repeat(300_000)}"}: yaml: control characters are not allowed`;
    const message = toolMessage(quoted);
    expect(message.length).toBeLessThan(1_000);
    expect(message.startsWith('error: map[string]interface {}{"data":"xxx')).toBe(true);
    expect(message.endsWith('xxx"}: yaml: control characters are not allowed')).toBe(true);
  });

  it("a tool's message leads with its error, not kustomize's deprecation warnings (admiral)", () => {
    const warnings = Array.from({ length: 6 }, (_, i) => `# Warning: 'field${i}' is deprecated. Please use 'other' instead.`);
    expect(toolMessage([...warnings, "error: accumulating resources: open app/base: no such file or directory", ""].join("\n"))).toBe(
      "error: accumulating resources: open app/base: no such file or directory",
    );
  });
});

describe("a kustomization read as written on one side and rendered on the other", () => {
  it("is the same file, not a Kustomization removed (bank-of-anthos 87492b4: a new overlay includes existing bases)", () => {
    const kustomization = {
      path: "app/base/kustomization.yaml",
      text: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [svc.yaml]\n",
    };
    const overlay = { path: "app/prod/kustomization.yaml", text: "resources: [../base]\nnamespace: prod\n" };
    const output = "app/prod/(rendered)/kustomization.yaml";
    const analysis = analyzeChange({
      base: [kustomization],
      head: [kustomization, overlay],
      policy: policyWith(),
      rendered: {
        roots: [{ id: "kustomize app/prod", origin: overlay.path, output, inputs: [kustomization.path, overlay.path] }],
        base: { files: [], consumed: [] },
        head: { files: [{ path: output, text: "" }], consumed: [kustomization.path, overlay.path] },
        failures: [],
      },
    });
    expect(analysis.findings.filter((finding) => finding.summary.includes("removed"))).toEqual([]);
  });
});

describe("a Component's resources one root stops including while other roots the PR leaves alone still do", () => {
  it("are read as written on that side, not added: the root's render says what it no longer delivers (tyriis/home-ops 5904ac2d65)", () => {
    const policyTemplate = (name: string, namespace: string) =>
      `apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: ${name}-pocketid\n  namespace: ${namespace}\nspec:\n  targetRefs:\n    - group: gateway.networking.k8s.io\n      kind: HTTPRoute\n      name: ${name}\n  oidc:\n    provider: {issuer: https://id.example.com}\n    clientID: ${name}\n`;
    const component = { path: "components/pocketid/security-policy.yaml", text: policyTemplate("${APP}", "${NAMESPACE}") };
    const componentKustomization = {
      path: "components/pocketid/kustomization.yaml",
      text: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [security-policy.yaml]\n",
    };
    const route =
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: argo, namespace: argo}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  rules: [{backendRefs: [{name: argo, port: 2746}]}]\n";
    const app = { path: "apps/argo/app/route.yaml", text: route };
    const output = "apps/argo/app/(rendered)/kustomization.yaml";
    const root = { id: "kustomize apps/argo/app", origin: "apps/argo/flux-sync.yaml", output, inputs: [app.path] };
    const tree = [component, componentKustomization, app];
    const analysis = analyzeChange({
      base: tree,
      head: tree,
      policy: policyWith(),
      rendered: {
        roots: [{ ...root, inputs: [app.path, component.path, componentKustomization.path] }],
        base: {
          files: [{ path: output, text: `${route}---\n${policyTemplate("argo", "argo")}` }],
          consumed: [app.path, component.path, componentKustomization.path],
        },
        head: { files: [{ path: output, text: route }], consumed: [app.path] },
        failures: [],
      },
    });
    const summaries = analysis.findings.map((finding) => `${finding.class}: ${finding.summary}`);
    expect(summaries.some((summary) => summary.startsWith("access.widened: SecurityPolicy argo/argo-pocketid: removed"))).toBe(true);
    expect(summaries.filter((summary) => summary.includes("${APP}") || summary.startsWith("manifest.invalid"))).toEqual([]);
  });
});

describe("appliedAsWritten: whether a side applies a file with no kustomization building it", () => {
  const flux = (path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app, namespace: flux-system}\nspec: {path: ${path}, sourceRef: {kind: GitRepository, name: flux-system}}\n`;

  it("is so where no kustomization sits in the file's folder or above it, up to the folder a GitOps object delivers", () => {
    const files = tree({
      "clusters/app.yaml": flux("./apps/web"),
      "kustomization.yaml": "resources: [clusters/app.yaml]\n",
      "apps/web/vs.yaml": "kind: VirtualService\n",
      "apps/web/old/vs.yaml": "kind: VirtualService\n",
      "apps/api/kustomization.yaml": "resources: []\n",
      "apps/api/sub/vs.yaml": "kind: VirtualService\n",
    });
    const applied = appliedAsWritten(files, topology);
    // Flux generates a kustomization for ./apps/web, of every file under it; the root's kustomization is not read there.
    expect(applied("apps/web/vs.yaml")).toBe(true);
    expect(applied("apps/web/old/vs.yaml")).toBe(true);
    // A kustomization's folder holds it, and builds it or leaves it out.
    expect(applied("apps/api/sub/vs.yaml")).toBe(false);
  });

  it("is so for every file of a tree with no GitOps object (kubectl apply -f)", () => {
    const files = tree({ "app/kustomization.yaml": "resources: [dr.yaml]\n", "app/vs.yaml": "kind: VirtualService\n" });
    expect(appliedAsWritten(files, topology)("app/vs.yaml")).toBe(true);
  });
});

describe("an Argo CD Application of a known chart edited only where it renders no traffic", () => {
  const application = (cpu: string, port: number) =>
    tree({
      "apps/echo.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: echo, namespace: argocd}
spec:
  project: default
  destination: {server: https://kubernetes.default.svc, namespace: echo}
  source:
    repoURL: https://bjw-s-labs.github.io/helm-charts
    chart: app-template
    targetRevision: 3.5.1
    helm:
      valuesObject:
        controllers: {main: {containers: {main: {resources: {requests: {cpu: ${cpu}}}}}}}
        service: {main: {controller: main, ports: {http: {port: ${port}}}}}
`,
    });

  it("is said to render alike, for the placement check to leave its values alone (a resources bump read as high 'inline Helm values change what is rendered')", async () => {
    const alike = await renderChange(application("10m", 8080), application("20m", 8080), { topology, budgetMs: 1_000 });
    expect(alike.failures).toEqual([]);
    expect(alike.alike).toEqual([expect.stringContaining("echo")]);
    const moved = await renderChange(application("10m", 8080), application("10m", 9090), { topology, budgetMs: 1_000 });
    expect(moved.failures).toHaveLength(1);
    expect(moved.alike).toBeUndefined();
  });
});

describe("the Applications an ApplicationSet generates are planned as written Applications", () => {
  const CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "weights: {stable: 90, canary: 10}\n",
    "charts/web/templates/route.yaml": "kind: HTTPRoute\nweight: {{ .Values.weights.canary }}\n",
  };
  const template = (parameter: string, name = "web-{{cluster}}", server = "{{url}}") =>
    `  template:\n    metadata: {name: '${name}'}\n    spec:\n      project: default\n      source:\n        repoURL: https://github.com/example/gitops.git\n        path: charts/web\n        helm: {parameters: [{name: weights.canary, value: '${parameter}'}]}\n      destination: {server: '${server}', namespace: web}\n`;
  const listSet = (us: string, extra = "") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web, namespace: argocd}\nspec:\n  generators:\n    - list:\n        elements:\n          - {cluster: prod-us, url: https://prod-us.example.com, canary: "${us}"${extra}}\n          - {cluster: prod-eu, url: https://prod-eu.example.com, canary: "10"}\n${template("{{canary}}")}`;
  const gitSet = (parameter = "{{cluster.canary}}") =>
    `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web, namespace: argocd}\nspec:\n  generators:\n    - git: {repoURL: https://github.com/example/gitops.git, revision: HEAD, files: [{path: "clusters/*/config.json"}]}\n${template(parameter, "web-{{cluster.name}}", "{{cluster.address}}")}`;
  const config = (name: string, canary: string, extra = "") =>
    `{"cluster": {"name": "${name}", "address": "https://${name}.example.com", "canary": "${canary}"${extra}}}`;
  const roots = (files: Record<string, string>) => planRenders(tree({ ...CHART, ...files }), topology);
  const keys = (files: Record<string, string>) => {
    const held = tree({ ...CHART, ...files });
    return Object.fromEntries(planRenders(held, topology).map((root) => [root.id, renderKey(root, textsOf(held))]));
  };

  it("a list generator: one helm root per generated Application, with the element's parameters, and no chart rendered alone (probe G a07)", () => {
    const planned = roots({ "argocd/appsets/web.yaml": listSet("90") });
    expect(planned.map((root) => root.id)).toEqual([
      "helm argocd/appsets/web.yaml web-prod-eu",
      "helm argocd/appsets/web.yaml web-prod-us",
    ]);
    expect(planned[1]!.run).toMatchObject({ tool: "helm", chart: "charts/web", release: "web-prod-us", namespace: "web" });
    expect(planned[1]!.run.tool === "helm" && planned[1]!.run.set).toEqual([{ name: "weights.canary", value: "90" }]);
    expect(planned[1]!.installer).toEqual({ kind: "Application", namespace: "argocd", name: "web-prod-us" });
    expect(planned[1]!.offline).toBeUndefined();
  });

  it("an element's value changes the render of its Application alone; a key the template does not read changes none", () => {
    const base = keys({ "argocd/appsets/web.yaml": listSet("10") });
    const turned = keys({ "argocd/appsets/web.yaml": listSet("90") });
    expect(turned["helm argocd/appsets/web.yaml web-prod-us"]).not.toBe(base["helm argocd/appsets/web.yaml web-prod-us"]);
    expect(turned["helm argocd/appsets/web.yaml web-prod-eu"]).toBe(base["helm argocd/appsets/web.yaml web-prod-eu"]);
    expect(keys({ "argocd/appsets/web.yaml": listSet("10", ", team: web") })).toEqual(base);
  });

  it("a git files generator: each Application reads the file its parameters come from, whose edit re-renders it alone (probe G a08)", () => {
    const files = (us: string) => ({
      "argocd/appsets/web.yaml": gitSet(),
      "clusters/prod-us/config.json": config("prod-us", us),
      "clusters/prod-eu/config.json": config("prod-eu", "10"),
    });
    const planned = roots(files("10"));
    expect(planned.find((root) => root.id.endsWith("web-prod-us"))!.inputs).toContain("clusters/prod-us/config.json");
    expect(planned.find((root) => root.id.endsWith("web-prod-us"))!.inputs).not.toContain("clusters/prod-eu/config.json");
    const [base, turned] = [keys(files("10")), keys(files("90"))];
    expect(turned["helm argocd/appsets/web.yaml web-prod-us"]).not.toBe(base["helm argocd/appsets/web.yaml web-prod-us"]);
    expect(turned["helm argocd/appsets/web.yaml web-prod-eu"]).toBe(base["helm argocd/appsets/web.yaml web-prod-eu"]);
  });

  it("under goTemplate, a placeholder left in a source (a Go template function) cannot be rendered here: its root is offline; fasttemplate leaves it to the chart", () => {
    const planned = roots({
      "argocd/appsets/web.yaml": gitSet("{{ .cluster.canary | quote }}").replace(
        "spec:\n  generators:",
        "spec:\n  goTemplate: true\n  generators:",
      ),
      "clusters/prod-us/config.json": config("prod-us", "10"),
    });
    const tpl = roots({
      "argocd/appsets/web.yaml": gitSet("{{ .Release.Name }}"),
      "clusters/prod-us/config.json": config("prod-us", "10"),
    });
    expect(tpl.map((root) => [root.id, root.offline])).toEqual([["helm argocd/appsets/web.yaml web-prod-us", undefined]]);
    expect(planned.map((root) => [root.id, root.offline])).toEqual([
      [
        "helm argocd/appsets/web.yaml web-prod-us",
        "parameters of ApplicationSet argocd/web its template fills in with what the review does not evaluate",
      ],
    ]);
  });

  it("a set the tree cannot expand (a cluster generator) plans no Application: the chart is rendered alone, as before", () => {
    const clusters = `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: web, namespace: argocd}\nspec:\n  generators: [{clusters: {values: {canary: "90"}}}]\n${template("{{values.canary}}", "web-{{name}}", "{{server}}")}`;
    expect(roots({ "argocd/appsets/web.yaml": clusters }).map((root) => root.id)).toEqual(["helm charts/web/Chart.yaml web"]);
  });
});
