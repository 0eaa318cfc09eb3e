import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderForReview } from "../../src/render/render-change.js";
import { renderTools } from "../../src/render/render-tools.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { reviewChange, type SourceFile } from "../../src/review.js";
import { readFolder } from "../../src/sources/folder-source.js";
import { readGitTree } from "../../src/sources/git-source.js";
import { NOW, policyWith } from "../helpers/review-trees.js";
import { commitFolder, scratchFolder } from "../helpers/scratch-trees.js";

// Runs the pinned kubectl kustomize and helm template on small public examples (fixtures README).
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/render/${name}`, import.meta.url));
const unavailable = await renderTools().then(
  () => undefined,
  (error: Error) => error.message,
);
const HEADROOM = 120_000;
const policy = policyWith();

const edit = (files: readonly SourceFile[], path: string, from: string, to: string): SourceFile[] =>
  files.map((file) => {
    if (file.path !== path) return file;
    if (!file.text.includes(from)) throw new Error(`${path} has no ${from}`);
    return { ...file, text: file.text.replace(from, to) };
  });

async function reviewRendered(base: readonly SourceFile[], head: readonly SourceFile[]) {
  const rendered = await renderForReview(base, head, policy, { budgetMs: 60_000 });
  return reviewChange({ base, head, rendered, policy, policySource: "test", body: "", now: NOW });
}

describe.skipIf(unavailable !== undefined)(`rendering with the real tools${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it(
    "a kustomize patch that shifts a route's weight is one weight finding on the patch file, not a 'not rendered' one",
    async () => {
      const { files: base } = readFolder(fixture("flux-overlay"));
      const head = edit(
        base,
        "apps/production/podinfo-route.yaml",
        "    - podinfo.production\n",
        "    - podinfo.production\n  rules:\n    - matches:\n        - path:\n            type: PathPrefix\n            value: /\n      backendRefs:\n        - name: podinfo\n          port: 9898\n          weight: 50\n        - name: podinfo-canary\n          port: 9898\n          weight: 50\n",
      );
      const result = await reviewRendered(base, head);
      expect(result.analysis.render.rendered).toEqual(["kustomize apps/production"]);
      const weights = result.analysis.findings.filter((finding) => finding.class === "backend.weight-changed");
      expect(weights).toHaveLength(1);
      expect(weights[0]).toMatchObject({
        file: "apps/production/podinfo-route.yaml",
        line: 9,
        resource: { kind: "HTTPRoute", namespace: "podinfo", name: "podinfo" },
      });
      expect(weights[0]!.summary).toContain("(rendered: kustomize apps/production)");
      expect(result.analysis.findings.filter((finding) => finding.summary.includes("not rendered"))).toEqual([]);
    },
    HEADROOM,
  );

  it(
    "a values change in a HelmRelease of a chart in the repository: weight and mTLS findings at the values key",
    async () => {
      const { files: base } = readFolder(fixture("local-chart"));
      expect(base.map((file) => file.path)).toContain("charts/guestbook/templates/_helpers.tpl");
      const head = edit(
        edit(base, "apps/guestbook/release.yaml", "previewWeight: 0", "previewWeight: 100"),
        "apps/guestbook/release.yaml",
        "mode: STRICT",
        "mode: PERMISSIVE",
      );
      const result = await reviewRendered(base, head);
      expect(result.analysis.render.rendered).toEqual(["helm apps/guestbook/release.yaml guestbook/guestbook"]);
      const byClass = (name: string) => result.analysis.findings.filter((finding) => finding.class === name);
      expect(byClass("backend.weight-changed")).toHaveLength(1);
      expect(byClass("backend.weight-changed")[0]).toMatchObject({
        file: "apps/guestbook/release.yaml",
        line: 17,
        resource: { kind: "HTTPRoute", namespace: "guestbook", name: "guestbook-helm-guestbook" },
      });
      expect(byClass("mtls.weakened")).toHaveLength(1);
      expect(byClass("mtls.weakened")[0]).toMatchObject({
        risk: "critical",
        resource: { kind: "PeerAuthentication", name: "guestbook-helm-guestbook" },
      });
      // The chart's templates are reviewed rendered, not as unreadable raw YAML.
      expect(result.analysis.invalid).toEqual([]);
    },
    HEADROOM,
  );

  it(
    "a HelmRelease's values from a ConfigMap a kustomization generates beside it: a weight edited there is rendered, not 'from the cluster'",
    async () => {
      const { files: base } = readFolder(fixture("local-chart"));
      const release = "apps/guestbook/release.yaml";
      const fromConfigMap = (weight: number): SourceFile[] => [
        ...base.map((file) =>
          file.path === release
            ? { ...file, text: file.text.replace(/ {2}values:[\s\S]*$/, "  valuesFrom:\n  - {kind: ConfigMap, name: guestbook-values}\n") }
            : file,
        ),
        {
          path: "apps/guestbook/kustomization.yaml",
          text: "resources: [release.yaml]\nconfigMapGenerator:\n- name: guestbook-values\n  namespace: guestbook\n  files: [values.yaml]\ngeneratorOptions: {disableNameSuffixHash: true}\n",
        },
        { path: "apps/guestbook/values.yaml", text: `route:\n  previewWeight: ${weight}\nmtls:\n  mode: STRICT\n` },
      ];
      const result = await reviewRendered(fromConfigMap(0), fromConfigMap(100));
      expect(result.analysis.render.failed).toEqual([]);
      expect(result.analysis.findings.map((finding) => finding.class)).toContain("backend.weight-changed");
    },
    HEADROOM,
  );

  it(
    "a kustomization renamed to `Kustomization` (no extension; kustomize and Flux read it by that name) builds the same: no change; a patch edited in it is read",
    async () => {
      const { files: base } = readFolder(fixture("flux-overlay"));
      const renamed = (files: readonly SourceFile[]): SourceFile[] =>
        files.map((file) =>
          file.path === "apps/production/kustomization.yaml" ? { ...file, path: "apps/production/Kustomization" } : file,
        );
      const folder = scratchFolder(Object.fromEntries(renamed(base).map((file) => [file.path, file.text])));
      const head = readFolder(folder).files;
      expect(head.map((file) => file.path)).toContain("apps/production/Kustomization");
      expect((await reviewRendered(base, head)).analysis.findings).toEqual([]);
      const hosts = await reviewRendered(head, edit(head, "apps/production/podinfo-route.yaml", "podinfo.production", "podinfo.staging"));
      expect(hosts.analysis.findings.map((finding) => finding.class)).toEqual(expect.arrayContaining(["route.removed", "route.added"]));
    },
    HEADROOM,
  );

  it(
    "a HelmRelease's kustomize post-renderer patches the chart's output: a weight patched there moves traffic",
    async () => {
      const { files: base } = readFolder(fixture("local-chart"));
      const release = "apps/guestbook/release.yaml";
      const patched = (weight: number): SourceFile[] =>
        base.map((file) =>
          file.path === release
            ? {
                ...file,
                text: `${file.text}  postRenderers:\n  - kustomize:\n      patches:\n      - target: {kind: HTTPRoute}\n        patch: |\n          - {op: replace, path: /spec/rules/0/backendRefs/1/weight, value: ${weight}}\n`,
              }
            : file,
        );
      const result = await reviewRendered(patched(0), patched(50));
      expect(result.analysis.render.failed).toEqual([]);
      expect(result.analysis.findings.map((finding) => finding.class)).toContain("backend.weight-changed");
    },
    HEADROOM,
  );

  it(
    "a HelmRelease removed while its chart stays: its routes leave (not the chart's defaults standing in); one added: they arrive",
    async () => {
      const { files: withRelease } = readFolder(fixture("local-chart"));
      const release = "apps/guestbook/release.yaml";
      const withoutRelease = withRelease.filter((file) => file.path !== release);
      const removed = await reviewRendered(withRelease, withoutRelease);
      expect(removed.analysis.findings.map((finding) => finding.class)).toContain("route.removed");
      expect(removed.analysis.findings.map((finding) => finding.class)).not.toContain("backend.weight-changed");
      const added = await reviewRendered(withoutRelease, withRelease);
      expect(added.analysis.findings.map((finding) => finding.class)).toContain("route.added");
    },
    HEADROOM,
  );

  it(
    "a HelmRelease whose YAML the PR breaks is not rendered at head, not read as its routes removed: Flux refuses the file",
    async () => {
      const { files: base } = readFolder(fixture("local-chart"));
      const head = edit(base, "apps/guestbook/release.yaml", "      previewWeight: 0\n", "      previewWeight: 0\n        canary: true\n");
      const result = await reviewRendered(base, head);
      const classes = result.analysis.findings.map((finding) => finding.class);
      expect(classes).not.toContain("route.removed");
      const unread = result.analysis.findings.filter((finding) => finding.summary.includes("cannot be read at head"));
      expect(unread).toHaveLength(1);
      expect(unread[0]).toMatchObject({ risk: "high", file: "apps/guestbook/release.yaml" });
      expect(unread[0]!.summary).toContain("apps/guestbook/release.yaml no longer parses: YAML: bad indentation");
      expect(result.decision).toBe("fail");
    },
    HEADROOM,
  );

  it(
    "a tool's message names the repository's paths, never the render's scratch folder: the same failure is the same finding on every run and at both sides (gloo-mesh-use-cases 8456e25)",
    async () => {
      // kustomize's deprecation warnings and the wrapper's step make the message run over its length.
      const folder = "helm-install/1.2/enterprise-agent-addons/redis";
      const overlay = (extra = ""): SourceFile[] => [
        { path: `${folder}/kustomization.yaml`, text: `resources:\n- base.yaml\npatchesStrategicMerge:\n- redis-patch.yaml\n${extra}` },
        { path: `${folder}/redis-patch.yaml`, text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n" },
      ];
      const failure = async () =>
        (await reviewRendered(overlay(), overlay("namePrefix: x-\n"))).analysis.findings.find(
          (finding) => finding.resource.kind === "Render",
        )!;
      const [first, again] = [await failure(), await failure()];
      expect(first.summary).not.toMatch(/route-governor-render|\/tree\//);
      expect(first.summary).toContain(`lstat ${folder}/base.yaml: no such file or directory`);
      // Base and head fail alike, and are told so.
      expect(first.summary).toMatch(/could not be rendered at base and head: .*\(the same failure at both: /);
      expect([again.summary, again.fingerprint]).toEqual([first.summary, first.fingerprint]);
    },
    HEADROOM,
  );

  it(
    "a PERMISSIVE PeerAuthentication the kustomization's namespace moves into shop, under a mesh-wide STRICT in another folder, is weakened as the rendered output applies it (probe I S2)",
    async () => {
      const tree = (namespace: string): SourceFile[] => [
        {
          path: "mesh.yaml",
          text: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n",
        },
        { path: "app/kustomization.yaml", text: `namespace: ${namespace}\nresources: [pa.yaml]\n` },
        {
          path: "app/pa.yaml",
          text: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: reviews}\nspec:\n  selector: {matchLabels: {app: reviews}}\n  mtls: {mode: PERMISSIVE}\n",
        },
      ];
      const result = await reviewRendered(tree("legacy"), tree("shop"));
      expect(result.analysis.render.rendered).toEqual(["kustomize app"]);
      const weakened = result.analysis.findings.filter((finding) => finding.class === "mtls.weakened");
      expect(weakened.map((finding) => [finding.resource.namespace, finding.risk])).toEqual([["shop", "critical"]]);
      expect(weakened[0]!.summary).toContain("its workloads had STRICT from mesh policy default");
      expect(result.decision).toBe("fail");
    },
    HEADROOM,
  );

  it(
    "kustomize is given a file's bytes as they are: a generator's env file that is not UTF-8 fails its render, as it fails Flux's",
    async () => {
      const { files: base } = readFolder(fixture("flux-overlay"));
      const kustomization = "apps/production/kustomization.yaml";
      const generated = edit(base, kustomization, "patches:\n", "configMapGenerator:\n  - name: owner\n    envs: [owner.env]\npatches:\n");
      // A Latin-1 `é`, as a source keeps a byte that is not UTF-8 (core/source-file.ts manifestText); written as U+FFFD, kustomize took it.
      const head = [...generated, { path: "apps/production/owner.env", text: "OWNER=\uDCE9quipe\n" }];
      const result = await reviewRendered(base, head);
      expect(result.analysis.render.failed).toEqual(["kustomize apps/production"]);
      expect(result.analysis.findings.find((finding) => finding.resource.kind === "Render")?.summary).toContain("has invalid utf8 bytes");
    },
    HEADROOM,
  );

  it(
    "a chart that does not render is a high finding naming the tool's error; the same chart untouched is not",
    async () => {
      const { files: base } = readFolder(fixture("local-chart"));
      const broken = edit(
        base,
        "charts/guestbook/templates/httproute.yaml",
        "{{ .Values.route.stableWeight }}",
        "{{ .Values.route.stableWeight",
      );
      const result = await reviewRendered(base, broken);
      const failure = result.analysis.findings.find((finding) => finding.resource.kind === "Render");
      expect(failure).toMatchObject({ class: "resource.changed", risk: "high", file: "charts/guestbook/templates/httproute.yaml" });
      expect(failure!.summary).toMatch(/could not be rendered at head: .*httproute\.yaml/);
      expect(result.analysis.render.failed).toEqual(["helm apps/guestbook/release.yaml guestbook/guestbook"]);
      const unrelated = await reviewRendered(base, [...base, { path: "notes/readme.yaml", text: "a: 1\n" }]);
      expect(unrelated.analysis.findings).toEqual([]);
      // Output helm prints but Kubernetes refuses (a key written twice) is a failed render too, not a crash.
      const twice = edit(base, "charts/guestbook/templates/httproute.yaml", "kind: HTTPRoute\n", "kind: HTTPRoute\nkind: HTTPRoute\n");
      const refused = await reviewRendered(base, twice);
      expect(refused.analysis.findings.find((finding) => finding.resource.kind === "Render")?.summary).toMatch(
        /could not be rendered at head: its output is not valid YAML: duplicated mapping key/,
      );
      // Broken on both sides, and fed by the PR: still high, and it says how to leave such a root out.
      const both = await reviewRendered(broken, edit(broken, "charts/guestbook/templates/httproute.yaml", "stableWeight", "stableWeight "));
      expect(both.analysis.findings.find((finding) => finding.resource.kind === "Render")?.summary).toMatch(
        /could not be rendered at base and head: .*\(the same failure at both: /,
      );
    },
    HEADROOM,
  );

  it(
    "a kustomization that reads a file outside its folder renders, as Flux builds it (argo-rollouts bd7a37c)",
    async () => {
      const route = (v1: number) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: store, namespace: demo}\nspec:\n  parentRefs: [{name: web}]\n  rules:\n  - backendRefs:\n    - {name: store-v1, port: 8080, weight: ${v1}}\n    - {name: store-v2, port: 8080, weight: ${100 - v1}}\n`;
      const tree = (v1: number): SourceFile[] => [
        { path: "apps/prod/kustomization.yaml", text: "resources:\n- ../../shared/route.yaml\n" },
        { path: "shared/route.yaml", text: route(v1) },
      ];
      const result = await reviewRendered(tree(100), tree(50));
      expect(result.analysis.render.failed).toEqual([]);
      expect(result.analysis.render.rendered).toEqual(["kustomize apps/prod"]);
      expect(result.analysis.findings.map((finding) => finding.class)).toContain("backend.weight-changed");
    },
    HEADROOM,
  );

  it(
    "a route under a kustomization's folder that the kustomization does not name is reviewed as it is (gke-networking-recipes)",
    async () => {
      const route = (v1: number, v2: number) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: store, namespace: demo}\nspec:\n  parentRefs: [{name: web}]\n  rules:\n  - backendRefs:\n    - {name: store-v1, port: 8080, weight: ${v1}}\n    - {name: store-v2, port: 8080, weight: ${v2}}\n`;
      const tree = (v1: number, v2: number, external = "gw.example.com"): SourceFile[] => [
        { path: "gateway/kustomization.yaml", text: "resources:\n- svc.yaml\n" },
        {
          path: "gateway/svc.yaml",
          // Traffic config of its own (an ExternalName Service), edited so that the root is rendered.
          text: `apiVersion: v1\nkind: Service\nmetadata: {name: gw, namespace: gw}\nspec: {type: ExternalName, externalName: ${external}}\n`,
        },
        { path: "gateway/recipe/route.yaml", text: route(v1, v2) },
      ];
      // The route alone changed: the root reads nothing that did, and is not rendered.
      expect((await reviewRendered(tree(100, 0), tree(0, 100))).analysis.render.rendered).toEqual([]);
      const result = await reviewRendered(tree(100, 0), tree(0, 100, "gw2.example.com"));
      expect(result.analysis.render.rendered).toEqual(["kustomize gateway"]);
      expect(result.analysis.findings.find((finding) => finding.class === "backend.weight-changed")).toMatchObject({
        file: "gateway/recipe/route.yaml",
      });
    },
    HEADROOM,
  );

  it(
    "a finding on a rendered route points at the file that declares it, not at another changed input that sorts first (acm 69d4baf)",
    async () => {
      const route = (v1: number) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop}\nspec:\n  parentRefs: [{name: web}]\n  rules:\n  - backendRefs:\n    - {name: v1, port: 80, weight: ${v1}}\n    - {name: v2, port: 80, weight: ${100 - v1}}\n`;
      const tree = (image: string, v1: number): SourceFile[] => [
        { path: "app/kustomization.yaml", text: "resources: [deployment.yaml, route.yaml]\nnamespace: shop\nnamePrefix: prod-\n" },
        { path: "app/deployment.yaml", text: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {image: "${image}"}\n` },
        { path: "app/route.yaml", text: route(v1) },
      ];
      const result = await reviewRendered(tree("web:1", 90), tree("web:2", 50));
      expect(result.analysis.findings.map((finding) => [finding.class, finding.file, finding.line])).toEqual([
        ["backend.weight-changed", "app/route.yaml", 8],
      ]);
      expect(result.analysis.findings[0]!.resource).toMatchObject({ namespace: "shop", name: "prod-shop" });
    },
    HEADROOM,
  );

  it(
    "a kustomization reading a folder through a symlink (Config Sync's shared sources) renders: the link is materialised beside the files it leads to (acm 64d3e90)",
    async () => {
      const root = scratchFolder(
        {
          "policy/src/team-a/kustomization.yaml": "resources: [route.yaml]\n",
          "policy/src/team-a/route.yaml":
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: a, namespace: team-a}\nspec:\n  parentRefs: [{name: web}]\n  rules: [{backendRefs: [{name: a, port: 80}]}]\n",
          "policy/rendering/kustomization.yaml": "resources: [src/team-a]\n",
        },
        { "policy/rendering/src": "../src" },
      );
      const tree = readFolder(root);
      const rendered = await renderForReview([], tree.files, policy, { budgetMs: 60_000, links: { base: [], head: tree.links } });
      expect(rendered.failures).toEqual([]);
      expect(rendered.roots.map((rootRendered) => rootRendered.id)).toContain("kustomize policy/rendering");
      expect(rendered.head.files.find((file) => file.path === "policy/rendering/(rendered)/kustomization.yaml")?.text).toContain("name: a");
    },
    HEADROOM,
  );

  it(
    "a HelmRelease inside an overlay reads its chart's linked values.yaml: the link target's weight edit is found, and an edit beside it is not",
    async () => {
      const tree = (weights: string, note: string) =>
        readFolder(
          scratchFolder(
            {
              "clusters/prod/apps.yaml":
                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/prod\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
              "apps/prod/kustomization.yaml": "resources: [release.yaml]\n",
              "apps/prod/release.yaml":
                "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: web}\nspec:\n  chart: {spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}\n",
              "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
              "charts/web/templates/route.yaml":
                "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  parentRefs: [{name: web}]\n  rules:\n  - backendRefs:\n    - {name: web-v1, port: 80, weight: {{ .Values.stable }}}\n    - {name: web-v2, port: 80, weight: {{ .Values.canary }}}\n",
              "env/web-values.yaml": weights,
              "env/notes.yaml": note,
            },
            { "charts/web/values.yaml": "../../env/web-values.yaml" },
          ),
        );
      const review = async (base: ReturnType<typeof readFolder>, head: ReturnType<typeof readFolder>) => {
        const rendered = await renderForReview(base.files, head.files, policy, {
          budgetMs: 60_000,
          links: { base: base.links, head: head.links },
        });
        return reviewChange({ base: base.files, head: head.files, rendered, policy, policySource: "test", body: "", now: NOW });
      };
      const base = tree("stable: 90\ncanary: 10\n", "a: 1\n");
      const shifted = await review(base, tree("stable: 10\ncanary: 90\n", "a: 1\n"));
      expect(shifted.analysis.findings.map((finding) => finding.class)).toEqual(["backend.weight-changed"]);
      // A file no chart links to changes no render.
      const beside = await review(base, tree("stable: 90\ncanary: 10\n", "a: 2\n"));
      expect(beside.analysis.findings.filter((finding) => finding.risk !== "none" && finding.risk !== "low")).toEqual([]);
    },
    HEADROOM,
  );

  it(
    "a generator's input that is not YAML (podinfo's redis.conf) is read from a folder and from a git ref, so the overlay renders and its route's weight shift is found",
    async () => {
      const route = (v1: number, v2: number) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: cache, namespace: demo}\nspec:\n  parentRefs: [{name: web}]\n  rules:\n  - backendRefs:\n    - {name: cache-a, port: 6379, weight: ${v1}}\n    - {name: cache-b, port: 6379, weight: ${v2}}\n`;
      const tree = (v1: number, v2: number) =>
        scratchFolder({
          "deploy/bases/cache/kustomization.yaml": "resources: [route.yaml]\nconfigMapGenerator:\n- name: redis\n  files: [redis.conf]\n",
          "deploy/bases/cache/route.yaml": route(v1, v2),
          "deploy/bases/cache/redis.conf": "maxmemory 64mb\n",
          "deploy/overlays/dev/kustomization.yaml": "resources: [../../bases/cache]\nnamespace: demo\n",
        });
      const [baseRoot, headRoot] = [tree(100, 0), tree(0, 100)];
      for (const root of [baseRoot, headRoot]) commitFolder(root);
      for (const read of [readFolder, (root: string) => readGitTree(root, "HEAD")]) {
        const [base, head] = await Promise.all([read(baseRoot), read(headRoot)]);
        expect(base.files.map((file) => file.path)).toContain("deploy/bases/cache/redis.conf");
        const result = await reviewRendered(base.files, head.files);
        expect(result.analysis.render).toMatchObject({ rendered: ["kustomize deploy/overlays/dev"], failed: [] });
        expect(result.analysis.findings.map((finding) => finding.class)).toContain("backend.weight-changed");
      }
    },
    HEADROOM,
  );

  it(
    "a generator's binary input (an icon) reaches kustomize byte for byte from a folder and from a git ref: its ConfigMap holds it as binaryData (szinn/k8s-homelab dashy)",
    async () => {
      // A PNG's signature and header: bytes that are not UTF-8, and control characters YAML refuses in text.
      const icon = Buffer.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe,
      ]);
      const root = scratchFolder({
        "app/kustomization.yaml": "resources: [route.yaml]\nconfigMapGenerator:\n- name: icons\n  files: [icon.png=./icons/icon.png]\n",
        "app/route.yaml":
          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: dash, namespace: demo}\nspec:\n  rules:\n  - backendRefs: [{name: dash, port: 80}]\n",
      });
      mkdirSync(join(root, "app/icons"));
      writeFileSync(join(root, "app/icons/icon.png"), icon);
      commitFolder(root);
      for (const read of [readFolder, (at: string) => readGitTree(at, "HEAD")]) {
        const { files } = await read(root);
        expect(files.find((file) => file.path === "app/icons/icon.png")).toEqual({
          path: "app/icons/icon.png",
          text: icon.toString("latin1"),
          binary: true,
        });
        const rendered = await renderForReview([], files, policy, { budgetMs: 60_000 });
        expect(rendered.failures).toEqual([]);
        expect(rendered.head.files.map((file) => file.text).join("")).toContain(`icon.png: ${icon.toString("base64")}`);
      }
    },
    HEADROOM,
  );

  it(
    "a Flux Kustomization's path is built as Flux builds it: with its components and target namespace, patched as written, then substituted (mirceanton/home-ops: an app's patch of a shared cnpg component)",
    async () => {
      const files: SourceFile[] = [
        {
          path: "clusters/home/shop.yaml",
          text: 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  path: ./apps/shop/app\n  targetNamespace: shop\n  components: [../../../components/db]\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute: {APP: shop, WEIGHT: "30"}\n',
        },
        { path: "apps/shop/app/kustomization.yaml", text: "resources: [route.yaml]\npatches:\n- path: patches/db.yaml\n" },
        {
          path: "apps/shop/app/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: ${APP}\nspec:\n  rules:\n  - backendRefs:\n    - name: ${APP}-blue\n      port: 80\n      weight: 70\n    - name: ${APP}-green\n      port: 80\n      weight: ${WEIGHT}\n",
        },
        {
          path: "apps/shop/app/patches/db.yaml",
          text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}-db\ndata: {extensions: vector}\n",
        },
        {
          path: "components/db/kustomization.yaml",
          text: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [db.yaml]\n",
        },
        { path: "components/db/db.yaml", text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${APP}-db\ndata: {instances: "1"}\n' },
      ];
      const rendered = await renderForReview([], files, policy, { budgetMs: 60_000 });
      expect(rendered.failures).toEqual([]);
      const output = rendered.head.files.find((file) => file.path.startsWith("apps/shop/app/"))!.text;
      expect(output).not.toContain("${");
      expect(output).toMatch(/name: shop-db/);
      expect(output).toMatch(/extensions: vector/);
      expect(output).toMatch(/instances: "1"/);
      expect(output).toMatch(/name: shop-green[\s\S]*weight: 30/);
      // Its targetNamespace is the kustomization's namespace, as Flux sets it before building.
      expect(output.match(/namespace: \S+/g)).toEqual(["namespace: shop", "namespace: shop"]);
    },
    HEADROOM,
  );

  it(
    "an Argo CD source's kustomize.components are built into its path, as Argo CD builds them: a Component's patch moving a route's weights is the weight change (review C2)",
    async () => {
      const files = (weights: string): SourceFile[] => [
        {
          path: "argocd/shop.yaml",
          text: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec:\n  destination: {server: https://kubernetes.default.svc, namespace: shop}\n  source:\n    repoURL: https://github.com/acme/fleet\n    path: apps/prod\n    kustomize: {components: [./components/canary]}\n",
        },
        { path: "apps/prod/kustomization.yaml", text: "resources: [route.yaml]\n" },
        {
          path: "apps/prod/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs:\n    - {name: checkout-v1, port: 8080, weight: 90}\n    - {name: checkout-v2, port: 8080, weight: 10}\n",
        },
        {
          path: "apps/prod/components/canary/kustomization.yaml",
          text: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: weights.yaml\n",
        },
        {
          path: "apps/prod/components/canary/weights.yaml",
          text: `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  rules:\n  - backendRefs:\n${weights}`,
        },
      ];
      const weights = (v1: number, v2: number) =>
        `    - {name: checkout-v1, port: 8080, weight: ${v1}}\n    - {name: checkout-v2, port: 8080, weight: ${v2}}\n`;
      // Read unbuilt: a patch file of a Component nothing here lists, low.
      const result = await reviewRendered(files(weights(50, 50)), files(weights(0, 100)));
      expect(result.analysis.render.rendered).toEqual(["kustomize apps/prod"]);
      expect(result.analysis.findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
        ["backend.weight-changed", "medium-high", "apps/prod/components/canary/weights.yaml"],
      ]);
      expect(result.analysis.findings[0]!.summary).toContain("checkout-v1:8080 50% → 0%");
    },
    HEADROOM,
  );

  it(
    "a Component a Flux Kustomization adds copies a base's generated ConfigMap into its route: the generator's env file edited is a cutover, not no traffic change",
    async () => {
      const files = (backend: string): SourceFile[] => [
        {
          path: "clusters/a/app.yaml",
          text: "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  path: ./app/base\n  components: [../comp]\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
        },
        {
          path: "app/base/kustomization.yaml",
          text: "namespace: shop\nresources: [route.yaml, services.yaml]\nconfigMapGenerator:\n- name: route-settings\n  envs: [route.env]\ngeneratorOptions: {disableNameSuffixHash: true}\n",
        },
        { path: "app/base/route.env", text: `BACKEND=${backend}\n` },
        {
          path: "app/base/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout}\nspec:\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs:\n    - {name: BACKEND_PLACEHOLDER, port: 8080}\n",
        },
        {
          path: "app/base/services.yaml",
          text: ["v1", "v2"]
            .map((version) => `apiVersion: v1\nkind: Service\nmetadata: {name: checkout-${version}}\nspec: {ports: [{port: 8080}]}\n`)
            .join("---\n"),
        },
        {
          path: "app/comp/kustomization.yaml",
          text: "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nreplacements:\n- source: {kind: ConfigMap, name: route-settings, fieldPath: data.BACKEND}\n  targets: [{select: {kind: HTTPRoute, name: checkout}, fieldPaths: [spec.rules.0.backendRefs.0.name]}]\n",
        },
      ];
      const result = await reviewRendered(files("checkout-v1"), files("checkout-v2"));
      expect(result.analysis.findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
        ["backend.weight-changed", "medium-high", "app/base/route.env"],
      ]);
    },
    HEADROOM,
  );

  it(
    "a Flux Kustomization's own spec.patches are applied to its path's build: a weight patched there moves traffic; without a kustomization file there the patch is flagged",
    async () => {
      const kustomization = (weight: number) =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: shop, namespace: flux-system}\nspec:\n  path: ./apps/shop\n  sourceRef: {kind: GitRepository, name: flux-system}\n  patches:\n  - target: {kind: HTTPRoute, name: shop}\n    patch: |\n      - {op: replace, path: /spec/rules/0/backendRefs/1/weight, value: ${weight}}\n`;
      const route =
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs:\n    - {name: shop-v1, port: 80, weight: 90}\n    - {name: shop-v2, port: 80, weight: 10}\n";
      const tree = (weight: number, kustomized: boolean): SourceFile[] => [
        { path: "clusters/prod/shop.yaml", text: kustomization(weight) },
        { path: "apps/shop/route.yaml", text: route },
        ...(kustomized ? [{ path: "apps/shop/kustomization.yaml", text: "resources: [route.yaml]\n" }] : []),
      ];
      const built = await reviewRendered(tree(10, true), tree(90, true));
      expect(built.analysis.findings.map((finding) => [finding.class, finding.summary.replace(/ \(rendered.*$/, "")])).toContainEqual([
        "backend.weight-changed",
        "shop.example.com via (entry unknown: no parentRefs): shop-v1:80 90% → 50%, shop-v2:80 10% → 50%",
      ]);
      const generated = await reviewRendered(tree(10, false), tree(90, false));
      expect(generated.analysis.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "high"]]);
      expect(generated.analysis.findings[0]!.summary).toContain("spec.patches may rewrite traffic config");
      // Production applies the folder as written, staging patches it (fluxcd/flux2-kustomize-helm-example):
      // one render cannot be both, so it is read unpatched and staging's patch change is judged on its own.
      const production = {
        path: "clusters/production/shop.yaml",
        text: kustomization(10)
          .replace(/ {2}patches:[\s\S]*$/, "")
          .replace("name: shop,", "name: shop-production,"),
      };
      const perCluster = await reviewRendered([...tree(10, true), production], [...tree(90, true), production]);
      expect(perCluster.analysis.findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([
        ["resource.changed", "high", "clusters/prod/shop.yaml"],
      ]);
    },
    HEADROOM,
  );

  it(
    "an overlay kustomize v5 refuses blocks only when it holds traffic config (rancher/fleet-examples 3614aa1: legacy `patches:` paths)",
    async () => {
      const deployment = (replicas: number) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: ${replicas}}\n`;
      const overlay = (replicas: number): SourceFile[] => [
        { path: "app/kustomization.yaml", text: "resources: [deployment.yaml]\npatches:\n- patch.yaml\n" },
        { path: "app/deployment.yaml", text: deployment(1) },
        { path: "app/patch.yaml", text: deployment(replicas) },
      ];
      const workloads = await reviewRendered(overlay(2), overlay(3));
      expect(workloads.analysis.render).toMatchObject({ rendered: [], failed: [] });
      expect(workloads.decision).toBe("pass");

      const route = {
        path: "app/route.yaml",
        text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n",
      };
      const withRoute = (replicas: number) =>
        edit([...overlay(replicas), route], "app/kustomization.yaml", "[deployment.yaml]", "[deployment.yaml, route.yaml]");
      const traffic = await reviewRendered(withRoute(2), withRoute(3));
      expect(traffic.analysis.render).toMatchObject({ failed: ["kustomize app"] });
      expect(traffic.decision).not.toBe("pass");
    },
    HEADROOM,
  );

  it(
    "a kustomization with only its apiVersion and kind (which kustomize calls empty) applies nothing: no render, no failure (anthos-config-management-samples 2bf170e)",
    async () => {
      const empty = "# a starting point\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
      const result = await reviewRendered([], [{ path: "init/kustomization.yaml", text: empty }]);
      expect(result.analysis.render).toMatchObject({ rendered: [], failed: [] });
      // Read as written, as a kustomization whose traffic config is unchanged is.
      expect(result.analysis.findings.map((finding) => `${finding.risk} ${finding.summary}`)).toEqual([
        "low Kustomization kustomization added",
      ]);
      expect(result.decision).toBe("pass");
    },
    HEADROOM,
  );

  it(
    "a chart of the repository that a HelmRelease listed in a kustomization installs re-renders that kustomization when its values or templates change",
    async () => {
      const tree = (weight: number): SourceFile[] => [
        {
          path: "clusters/prod/apps.yaml",
          text: "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps/prod, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n",
        },
        { path: "apps/prod/kustomization.yaml", text: "resources: [release.yaml]\n" },
        {
          path: "apps/prod/release.yaml",
          text: "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: promo, namespace: shop}\nspec:\n  chart: {spec: {chart: ./deploy/promo, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}\n",
        },
        { path: "deploy/promo/Chart.yaml", text: "apiVersion: v2\nname: promo\nversion: 0.1.0\n" },
        { path: "deploy/promo/values.yaml", text: `canary: {weight: ${weight}}\n` },
        {
          path: "deploy/promo/templates/httproute.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostnames: [promo.example.com]\n  rules:\n    - backendRefs:\n        - {name: promo-stable, port: 80, weight: {{ sub 100 .Values.canary.weight }}}\n        - {name: promo-canary, port: 80, weight: {{ .Values.canary.weight }}}\n",
        },
      ];
      const result = await reviewRendered(tree(0), tree(100));
      expect(result.analysis.render.rendered).toEqual(["kustomize apps/prod", "helm apps/prod/(rendered)/kustomization.yaml shop/promo"]);
      expect(result.analysis.findings.map((finding) => `${finding.class} ${finding.summary}`)).toContainEqual(
        expect.stringMatching(/^backend.weight-changed promo.example.com.*promo-stable:80 100% → 0%, promo-canary:80 0% → 100%/),
      );
      // Located at the chart's values line, before any file of the overlay the same PR edits beside it.
      const noted = (weight: number, note: string) => [...tree(weight), { path: "apps/prod/notes.txt", text: note }];
      const beside = await reviewRendered(noted(0, "a"), noted(100, "b"));
      expect(
        beside.analysis.findings
          .filter((finding) => finding.class === "backend.weight-changed")
          .map((finding) => `${finding.file}:${finding.line}`),
      ).toEqual(["deploy/promo/values.yaml:1"]);
    },
    HEADROOM,
  );

  it(
    "an object two nested delivered folders both render is found once, naming both roots (sulibot/home-ops b45305d)",
    async () => {
      const flux = (name: string, path: string) =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {path: ${path}, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
      const tree = (targetNamespace: string): SourceFile[] => [
        { path: "clusters/prod/apps.yaml", text: flux("apps", "./apps") },
        { path: "clusters/prod/tier1.yaml", text: flux("tier1", "./apps/tier1") },
        { path: "apps/kustomization.yaml", text: "resources: [./tier1]\n" },
        { path: "apps/tier1/kustomization.yaml", text: "resources: [./web/ks.yaml]\n" },
        {
          path: "apps/tier1/web/ks.yaml",
          text: flux("web", "./apps/tier1/web/app").replace("prune: true", `prune: true, targetNamespace: ${targetNamespace}`),
        },
        { path: "apps/tier1/web/app/kustomization.yaml", text: "resources: [route.yaml]\n" },
        {
          path: "apps/tier1/web/app/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n",
        },
      ];
      const result = await reviewRendered(tree("web"), tree("shop"));
      const moves = result.analysis.findings.filter((finding) => finding.summary.includes("targetNamespace web → shop"));
      expect(moves).toHaveLength(1);
      expect(moves[0]!.summary).toMatch(
        /\(rendered: kustomize apps, kustomize apps\/tier1\)$|\(rendered: kustomize apps\/tier1, kustomize apps\)$/,
      );
      // Every overlay of a base renders the base's route: one finding, the first root and how many more.
      const overlays = (host: string): SourceFile[] => [
        { path: "base/kustomization.yaml", text: "resources: [route.yaml]\n" },
        {
          path: "base/route.yaml",
          text: `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: web}\nspec:\n  hostnames: [${host}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n`,
        },
        ...["dev", "staging", "prod"].map((env) => ({ path: `overlays/${env}/kustomization.yaml`, text: "resources: [../../base]\n" })),
      ];
      const hosts = await reviewRendered(overlays("a.example.com"), overlays("b.example.com"));
      const hostnames = hosts.analysis.findings.filter((finding) =>
        finding.summary.includes("spec.hostnames[0]: a.example.com → b.example.com"),
      );
      expect(hostnames.map((finding) => finding.summary.replace(/^.*\(rendered: /, ""))).toEqual([
        "kustomize overlays/dev and 2 more roots)",
      ]);
    },
    HEADROOM,
  );

  it(
    "an app disabled by commenting out its line in a kustomization, its files left in place, is removed: Flux prunes it (and enabled so, its route is added, as a new app's: ishioni/homelab-ops fb4ca12b99)",
    async () => {
      const tree = (listed: boolean): SourceFile[] => [
        {
          path: "flux/apps.yaml",
          text: "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n",
        },
        { path: "apps/kustomization.yaml", text: `resources:\n  ${listed ? "" : "# "}- ./web/ks.yaml\n  - ./api/route.yaml\n` },
        {
          path: "apps/web/ks.yaml",
          text: "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: web, namespace: flux-system}\nspec: {path: ./apps/web/app, prune: true, targetNamespace: web, sourceRef: {kind: GitRepository, name: flux-system}}\n",
        },
        { path: "apps/web/app/kustomization.yaml", text: "resources: [route.yaml]\n" },
        {
          path: "apps/web/app/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  hostnames: [web.example.com]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n",
        },
        {
          path: "apps/api/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: api}\nspec:\n  rules: [{backendRefs: [{name: api, port: 80}]}]\n",
        },
      ];
      const disabled = await reviewRendered(tree(true), tree(false));
      expect(disabled.analysis.render.rendered).toContain("kustomize apps");
      expect(disabled.analysis.findings.map((finding) => `${finding.risk} ${finding.summary}`)).toContainEqual(
        expect.stringMatching(/^high Kustomization flux-system\/web: removed: its 1 traffic resources \(HTTPRoute web\/web\) are deleted/),
      );
      // The route, in the tree all along, was applied by nothing: it is new, not re-delivered, and its
      // folder, delivered at head alone, is rendered there.
      const enabled = await reviewRendered(tree(false), tree(true));
      expect(enabled.analysis.findings.map((finding) => [finding.risk, finding.class, finding.summary])).toEqual([
        [
          "medium",
          "route.added",
          "web.example.com via (entry unknown: no parentRefs): new rule → web:80 100% (rendered: kustomize apps/web/app)",
        ],
        ["low", "resource.changed", "Kustomization flux-system/web added (rendered: kustomize apps)"],
      ]);
      // The route the root still lists is no change either way (web.example.com's requests, the web route pruned, fall through to it).
      expect(disabled.analysis.findings.filter((finding) => finding.file === "apps/api/route.yaml")).toEqual([]);
      expect(disabled.analysis.findings.map((finding) => [finding.class, finding.file])).toContainEqual([
        "route.match-changed",
        // Its folder, delivered at base alone, rendered there.
        "apps/web/app/kustomization.yaml",
      ]);
    },
    HEADROOM,
  );

  it(
    "a folder's kustomization.yaml deleted, its files kept, is compared with what then applies them as written: nothing changes unless the render altered them",
    async () => {
      // asm-workshop 6f76c5d8ce: app-canary/baseline lost its kustomization.yaml, and its VirtualService read as removed.
      const rule = (namespace: string) =>
        `apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: frontend${namespace}}\nspec:\n  host: frontend.frontend.svc.cluster.local\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n  subsets: [{name: v1, labels: {version: v1}}]\n`;
      const service = (namespace: string) =>
        `apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: frontend${namespace}}\nspec:\n  hosts: [frontend]\n  http: [{route: [{destination: {host: frontend, subset: v1}}]}]\n`;
      const app = (kustomization: string | undefined, namespace = ", namespace: frontend", routes = "app/vs.yaml"): SourceFile[] => [
        { path: routes, text: service(namespace) },
        { path: "app/dr.yaml", text: rule(namespace) },
        ...(kustomization === undefined ? [] : [{ path: "app/kustomization.yaml", text: kustomization }]),
      ];
      const summaries = async (base: SourceFile[], head: SourceFile[]) =>
        (await reviewRendered(base, head)).analysis.findings.map((finding) => `${finding.risk} ${finding.class} ${finding.summary}`);
      const listing = "resources: [vs.yaml, dr.yaml]\n";
      expect(await summaries(app(listing), app(undefined))).toEqual([]);
      // The mirror image: a kustomization added over the files, applying them as they are.
      expect(await summaries(app(undefined), app(listing))).toEqual([]);
      // What the render gave them and they do not say themselves leaves with it: here their namespace.
      const unnamed = await summaries(app(`${listing}namespace: frontend\n`, ""), app(undefined, ""));
      expect(unnamed).toContainEqual(expect.stringMatching(/^critical mtls\.weakened DestinationRule frontend\/frontend: /));
      // An Argo CD directory source does not recurse: a route its kustomization listed from a subfolder is no longer applied.
      const argo = {
        path: "argocd/app.yaml",
        text: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app, namespace: argocd}\nspec:\n  source: {repoURL: https://github.com/example/fleet.git, path: app}\n  destination: {server: https://kubernetes.default.svc, namespace: frontend}\n",
      };
      const nested = await summaries(
        [...app("resources: [routes/vs.yaml, dr.yaml]\n", undefined, "app/routes/vs.yaml"), argo],
        [...app(undefined, undefined, "app/routes/vs.yaml"), argo],
      );
      expect(nested).toContainEqual(expect.stringMatching(/^high route\.removed frontend\.frontend via mesh: no longer served/));
      expect(nested.filter((summary) => summary.includes("DestinationRule"))).toEqual([]);
    },
    HEADROOM,
  );

  it(
    "an overlay delivered to another cluster is rendered though none of its files changed, and one no longer delivered leaves its cluster without a mixed rendered/raw diff",
    async () => {
      const regional = policyWith(
        "topology:\n  backendRegions: ['-(?<region>jkt|sgp|tyo)$']\n  clusters: {jkt-1: jkt, sgp-1: sgp, tyo-1: tyo}\n  placements: ['clusters/{cluster}/**']\n",
      );
      const overlay = (primary: number) =>
        `resources: [../../base]\npatches:\n- target: {kind: HTTPRoute, name: checkout}\n  patch: |-\n    - {op: replace, path: /spec/rules/0/backendRefs/0/weight, value: ${primary}}\n    - {op: replace, path: /spec/rules/0/backendRefs/1/weight, value: ${100 - primary}}\n`;
      const delivery = (overlayName: string) =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: checkout, namespace: flux-system}\nspec: {path: ./apps/checkout/overlays/${overlayName}, prune: true, sourceRef: {kind: GitRepository, name: platform}}\n`;
      const tree = (clusters: Record<string, string>): SourceFile[] => [
        { path: "apps/checkout/base/kustomization.yaml", text: "resources: [route.yaml]\n" },
        {
          path: "apps/checkout/base/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  hostnames: [checkout.example.com]\n  rules:\n  - backendRefs: [{name: checkout-jkt, port: 80, weight: 50}, {name: checkout-sgp, port: 80, weight: 50}]\n",
        },
        { path: "apps/checkout/overlays/jkt/kustomization.yaml", text: overlay(100) },
        { path: "apps/checkout/overlays/sgp/kustomization.yaml", text: overlay(0) },
        ...Object.entries(clusters).map(([cluster, overlayName]) => ({
          path: `clusters/${cluster}/checkout.yaml`,
          text: delivery(overlayName),
        })),
      ];
      const reviewed = async (base: SourceFile[], head: SourceFile[]) => {
        const rendered = await renderForReview(base, head, regional, { budgetMs: 60_000 });
        const review = reviewChange({ base, head, rendered, policy: regional, policySource: "test", body: "", now: NOW });
        return review.analysis.findings.map((finding) => `${finding.risk} ${finding.class} ${finding.summary}`);
      };

      // A cluster's Flux Kustomization added for the jkt overlay: read as written, the overlay delivered nothing new.
      const added = await reviewed(tree({ "jkt-1": "jkt", "sgp-1": "sgp" }), tree({ "jkt-1": "jkt", "sgp-1": "sgp", "tyo-1": "jkt" }));
      expect(added).toContainEqual(
        expect.stringMatching(
          /^high route\.attachment-changed Kustomization flux-system\/checkout: added: delivers 1 traffic resources .* to cluster tyo-1/,
        ),
      );

      // The sgp cluster's Flux Kustomization deleted: its routes leave sgp, and nothing else moved.
      const removed = await reviewed(tree({ "jkt-1": "jkt", "sgp-1": "sgp" }), tree({ "jkt-1": "jkt" }));
      expect(removed).toContainEqual(expect.stringMatching(/^high route\.removed checkout\.example\.com .*checkout-sgp:80 100%/));
      expect(removed.filter((finding) => /backend\.region|weight-changed/.test(finding))).toEqual([]);
    },
    HEADROOM,
  );

  it(
    "a new region's overlay of a shared base is rendered beside the overlays it shares the base with: their ServiceExports keep placing the ServiceImport",
    async () => {
      const regional = policyWith(
        "topology:\n  clusters: {jkt-1: jkt, sgp-1: sgp, tyo-1: tyo, config: sgp}\n  placements: ['clusters/{cluster}/**']\n",
      );
      const delivery = (cluster: string) => ({
        path: `clusters/${cluster}/apps.yaml`,
        text: `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {path: ./apps/overlays/${cluster}, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`,
      });
      const tree = (clusters: readonly string[]): SourceFile[] => [
        { path: "apps/base/kustomization.yaml", text: "resources: [export.yaml]\n" },
        {
          path: "apps/base/export.yaml",
          text: "apiVersion: net.gke.io/v1\nkind: ServiceExport\nmetadata: {name: catalog, namespace: catalog}\n",
        },
        ...clusters.flatMap((cluster) => [
          { path: `apps/overlays/${cluster}/kustomization.yaml`, text: "resources: [../../base]\n" },
          delivery(cluster),
        ]),
        {
          path: "clusters/config/route.yaml",
          text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: catalog, namespace: catalog}\nspec:\n  parentRefs: [{name: external, namespace: infra}]\n  hostnames: [catalog.example.com]\n  rules: [{backendRefs: [{group: net.gke.io, kind: ServiceImport, name: catalog, port: 8080}]}]\n",
        },
      ];
      const [base, head] = [tree(["jkt-1", "sgp-1"]), tree(["jkt-1", "sgp-1", "tyo-1"])];
      const rendered = await renderForReview(base, head, regional, { budgetMs: 60_000 });
      const review = reviewChange({ base, head, rendered, policy: regional, policySource: "test", body: "", now: NOW });
      expect([...review.analysis.render.rendered].sort()).toEqual([
        "kustomize apps/overlays/jkt-1",
        "kustomize apps/overlays/sgp-1",
        "kustomize apps/overlays/tyo-1",
      ]);
      const regions = review.analysis.findings.filter((finding) => finding.class.startsWith("backend.region"));
      expect(regions.map((finding) => finding.summary)).toEqual([
        expect.stringMatching(
          /ServiceImport catalog:8080 now also reaches tyo \(was jkt\+sgp\): its 100% of the traffic spreads over jkt\+sgp\+tyo$/,
        ),
      ]);
    },
    HEADROOM,
  );

  const fluxKustomization = (name: string, path: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec: {path: ${path}, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n`;
  const route = (name: string, host: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  hostnames: [${host}]\n  rules: [{backendRefs: [{name: ${name}, port: 80}]}]\n`;
  const riskOf = (result: Awaited<ReturnType<typeof reviewRendered>>) =>
    result.analysis.findings.map((finding) => `${finding.risk} ${finding.class} ${finding.summary}`);

  it(
    "a cluster's Kustomization of a ConfigMap-only folder deleted or added: routes delivered from a folder Flux builds, and an example nothing delivers, change nothing",
    async () => {
      const fleet: SourceFile[] = [
        { path: "clusters/prod/flux-system/gotk-sync.yaml", text: fluxKustomization("flux-system", "./clusters/prod") },
        { path: "clusters/prod/flux-system/kustomization.yaml", text: "resources: [gotk-sync.yaml]\n" },
        { path: "clusters/prod/routes.yaml", text: fluxKustomization("routes", "./routes") },
        { path: "routes/checkout.yaml", text: route("checkout", "shop.example.com") },
        { path: "monitoring/kustomization.yaml", text: "resources: [dashboards.yaml]\n" },
        {
          path: "monitoring/dashboards.yaml",
          text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dashboards, namespace: monitoring}\n",
        },
        { path: "examples/canary/kustomization.yaml", text: "resources: [route.yaml]\n" },
        { path: "examples/canary/route.yaml", text: route("canary", "canary.example.com") },
      ];
      const monitored = [...fleet, { path: "clusters/prod/apps.yaml", text: fluxKustomization("apps", "./monitoring") }];
      for (const [base, head] of [
        [monitored, fleet],
        [fleet, monitored],
      ]) {
        const result = await reviewRendered(base!, head!);
        expect(riskOf(result).filter((said) => !said.startsWith("low resource.changed Kustomization flux-system/apps"))).toEqual([]);
        expect(result.decision).toBe("pass");
      }
      // The dangerous neighbour: the Kustomization of a folder of routes deleted, which Flux prunes.
      const routed = [
        ...fleet,
        { path: "clusters/prod/shop.yaml", text: fluxKustomization("shop", "./shop") },
        { path: "shop/kustomization.yaml", text: "resources: [route.yaml]\n" },
        { path: "shop/route.yaml", text: route("payments", "pay.example.com") },
      ];
      const pruned = await reviewRendered(
        routed,
        routed.filter((file) => file.path !== "clusters/prod/shop.yaml"),
      );
      expect(riskOf(pruned)).toContainEqual(expect.stringMatching(/^high route.removed pay.example.com/));
      expect(riskOf(pruned).filter((said) => said.includes("canary.example.com"))).toEqual([]);
      // A kustomization below a path Flux generates one for is built as Flux builds it: its patch of a weight is seen.
      const patched = (weight: number): SourceFile[] => [
        ...fleet,
        {
          path: "routes/weighted/kustomization.yaml",
          text: "resources: [route.yaml]\npatches: [{path: weight.yaml, target: {kind: HTTPRoute}}]\n",
        },
        {
          path: "routes/weighted/route.yaml",
          text: `${route("cart", "cart.example.com").replace("[{name: cart, port: 80}]", "[{name: cart, port: 80, weight: 100}, {name: cart-v2, port: 80, weight: 0}]")}`,
        },
        {
          path: "routes/weighted/weight.yaml",
          text: `- op: replace\n  path: /spec/rules/0/backendRefs/1/weight\n  value: ${weight}\n`,
        },
      ];
      const reweighted = await reviewRendered(patched(0), patched(50));
      expect(riskOf(reweighted)).toContainEqual(expect.stringMatching(/^medium-high backend.weight-changed cart.example.com/));
    },
    HEADROOM,
  );

  describe("an Argo CD Helm source's template options are what helm templates with, as Argo CD passes them", () => {
    // Each route of the chart gated as charts gate them: on the cluster's version, on its APIs, and in the release's namespace.
    const gated = (gate: string, name: string) =>
      `{{- if ${gate} }}\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: '{{ .Release.Namespace }}'}\nspec:\n  parentRefs: [{name: public, namespace: infra}]\n  hostnames: [${name}.example.com]\n  rules: [{backendRefs: [{name: ${name}, port: 80, weight: {{ .Values.weight }}}, {name: ${name}-canary, port: 80, weight: 1}]}]\n{{- end }}\n`;
    const web = (helm: string, files: Record<string, string> = {}, valueFiles = "[values.yaml]"): SourceFile[] => [
      {
        path: "argocd/web.yaml",
        text: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web, namespace: argocd}\nspec:\n  destination: {server: https://kubernetes.default.svc, namespace: web}\n  source:\n    repoURL: https://example.com/fleet\n    path: charts/web\n    helm:\n      valueFiles: ${valueFiles}\n${helm}`,
      },
      { path: "charts/web/Chart.yaml", text: "apiVersion: v2\nname: web\nversion: 0.1.0\n" },
      { path: "charts/web/values.yaml", text: "weight: 1\n" },
      {
        path: "charts/web/values.schema.json",
        text: '{"type": "object", "properties": {"weight": {"type": "integer", "maximum": 5}}}\n',
      },
      { path: "charts/web/templates/modern.yaml", text: gated('semverCompare ">=1.30-0" .Capabilities.KubeVersion.Version', "modern") },
      {
        path: "charts/web/templates/api.yaml",
        text: gated('.Capabilities.APIVersions.Has "gateway.networking.k8s.io/v1/HTTPRoute"', "api"),
      },
      ...Object.entries(files).map(([path, text]) => ({ path, text })),
    ];
    const routes = (result: Awaited<ReturnType<typeof reviewRendered>>) =>
      riskOf(result).filter((said) => / route\.(added|removed) /.test(said));

    it(
      "a kubeVersion or apiVersions that gates a route off removes it; one that keeps it renders nothing new",
      async () => {
        expect(routes(await reviewRendered(web(""), web("      kubeVersion: '1.20.0'\n")))).toEqual([
          expect.stringMatching(/^high route\.removed modern\.example\.com /),
        ]);
        const kept = await reviewRendered(web(""), web("      kubeVersion: '1.31.0'\n"));
        expect(riskOf(kept).filter((said) => !said.startsWith("low "))).toEqual([]);
        expect(routes(await reviewRendered(web(""), web("      apiVersions: [apps/v1]\n")))).toEqual([
          expect.stringMatching(/^high route\.removed api\.example\.com /),
        ]);
        const served = await reviewRendered(
          web(""),
          web("      apiVersions: [gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1/HTTPRoute]\n"),
        );
        expect(riskOf(served).filter((said) => !said.startsWith("low "))).toEqual([]);
      },
      HEADROOM,
    );

    it(
      "helm.namespace is the release's namespace: routes naming it move; the destination's written again moves none",
      async () => {
        const moved = riskOf(await reviewRendered(web(""), web("      namespace: edge\n")));
        // The routes in `edge` are new objects, judged by the route diff (their flows taken from `web`'s): not named as delivered.
        expect(moved).toContainEqual(
          expect.stringMatching(/^high route\.attachment-changed .*no longer delivers HTTPRoute web\/api, HTTPRoute web\/modern/),
        );
        expect(moved.some((said) => said.startsWith("medium-high backend.weight-changed api.example.com"))).toBe(true);
        const same = await reviewRendered(web(""), web("      namespace: web\n"));
        expect(riskOf(same).filter((said) => !said.startsWith("low "))).toEqual([]);
      },
      HEADROOM,
    );

    it(
      "a values file Argo CD leaves out when missing renders as without it; once the repository holds it, its values are rendered",
      async () => {
        const listed = "[values.yaml, values-prod.yaml]";
        const ignoring = "      ignoreMissingValueFiles: true\n";
        const missing = await reviewRendered(web(""), web(ignoring, {}, listed));
        expect(riskOf(missing).filter((said) => !said.startsWith("low "))).toEqual([]);
        const held = await reviewRendered(web(""), web(ignoring, { "charts/web/values-prod.yaml": "weight: 4\n" }, listed));
        expect(riskOf(held)).toContainEqual(expect.stringMatching(/^\S+ backend\.weight-changed modern\.example\.com/));
      },
      HEADROOM,
    );

    it(
      "skipSchemaValidation renders values the chart's schema refuses, as Argo CD does",
      async () => {
        const heavy = { "charts/web/values-heavy.yaml": "weight: 9\n" };
        const both = "[values.yaml, values-heavy.yaml]";
        const refused = await reviewRendered(web("", heavy), web("", heavy, both));
        expect(refused.analysis.findings.find((finding) => finding.resource.kind === "Render")?.summary).toMatch(
          /could not be rendered at head: .*maximum/,
        );
        const skipped = await reviewRendered(web("", heavy), web("      skipSchemaValidation: true\n", heavy, both));
        expect(riskOf(skipped)).toContainEqual(expect.stringMatching(/^\S+ backend\.weight-changed modern\.example\.com/));
      },
      HEADROOM,
    );
  });

  describe("a subchart in its parent's charts/ folder is rendered only through the parent", () => {
    const storefront = (defaultWeight: number, paymentsWeight?: number): SourceFile[] => [
      {
        path: "argocd/storefront.yaml",
        text: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: storefront, namespace: argocd}\nspec:\n  destination: {server: https://kubernetes.default.svc, namespace: storefront}\n  source: {repoURL: https://example.com/fleet, path: helm/storefront, helm: {valueFiles: [values-prod.yaml]}}\n",
      },
      {
        path: "helm/storefront/Chart.yaml",
        text: "apiVersion: v2\nname: storefront\nversion: 0.3.0\ndependencies:\n  - {name: route, version: 0.1.0, repository: file://./charts/route, alias: checkout}\n  - {name: route, version: 0.1.0, repository: file://./charts/route, alias: payments}\n",
      },
      {
        path: "helm/storefront/values-prod.yaml",
        text: `checkout: {service: checkout, host: shop.example.com, canaryWeight: 10}\npayments: {service: payments, host: pay.example.com${paymentsWeight === undefined ? "" : `, canaryWeight: ${paymentsWeight}`}}\n`,
      },
      { path: "helm/storefront/charts/route/Chart.yaml", text: "apiVersion: v2\nname: route\nversion: 0.1.0\n" },
      { path: "helm/storefront/charts/route/values.yaml", text: `service: app\nhost: app.example.com\ncanaryWeight: ${defaultWeight}\n` },
      {
        path: "helm/storefront/charts/route/templates/httproute.yaml",
        text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: '{{ .Values.service }}', namespace: storefront}\nspec:\n  hostnames: [{{ .Values.host | quote }}]\n  rules:\n    - backendRefs:\n        - {name: '{{ .Values.service }}-v1', port: 8080, weight: {{ sub 100 (int .Values.canaryWeight) }}}\n        - {name: '{{ .Values.service }}-v2', port: 8080, weight: {{ .Values.canaryWeight }}}\n",
      },
    ];

    it(
      "a default every alias of the parent overrides, changed, renders nothing new: no phantom app.example.com",
      async () => {
        const result = await reviewRendered(storefront(0, 0), storefront(50, 0));
        expect(result.analysis.render.rendered).toEqual(["helm argocd/storefront.yaml storefront"]);
        expect(riskOf(result)).toEqual([]);
        expect(result.decision).toBe("pass");
      },
      HEADROOM,
    );

    it(
      "a default an alias relies on, changed, is the parent's weight change, at the subchart's values line",
      async () => {
        const result = await reviewRendered(storefront(0), storefront(50));
        const weights = result.analysis.findings.filter((finding) => finding.class === "backend.weight-changed");
        expect(weights.map((finding) => [finding.file, finding.line, finding.summary])).toEqual([
          [
            "helm/storefront/charts/route/values.yaml",
            3,
            expect.stringMatching(
              /^pay.example.com .*: payments-v1:8080 100% → 50%, payments-v2:8080 0% → 50% \(rendered: helm argocd\/storefront.yaml storefront\)$/,
            ),
          ],
        ]);
      },
      HEADROOM,
    );
  });

  describe("a HelmRelease a kustomization lists: findings on its render point at a file of the PR, not the kustomization's virtual output", () => {
    const release = (weight: number) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: promo, namespace: shop}\nspec:\n  chart: {spec: {chart: ./deploy/promo, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}\n  values:\n    canary: {weight: ${weight}}\n`;
    const patch = (weight: number) =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: promo, namespace: shop}\nspec:\n  values:\n    canary: {weight: ${weight}}\n`;
    const tree = (released: number, patched?: number): SourceFile[] => [
      { path: "clusters/prod/apps.yaml", text: fluxKustomization("apps", "./apps/prod") },
      { path: "apps/base/kustomization.yaml", text: "resources: [release.yaml]\n" },
      { path: "apps/base/release.yaml", text: release(released) },
      {
        path: "apps/prod/kustomization.yaml",
        text: `resources: [../base]\n${patched === undefined ? "" : "patches: [{path: values.yaml}]\n"}`,
      },
      ...(patched === undefined ? [] : [{ path: "apps/prod/values.yaml", text: patch(patched) }]),
      { path: "deploy/promo/Chart.yaml", text: "apiVersion: v2\nname: promo\nversion: 0.1.0\n" },
      {
        path: "deploy/promo/templates/httproute.yaml",
        text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  hostnames: [promo.example.com]\n  rules:\n    - backendRefs:\n        - {name: promo-stable, port: 80, weight: {{ sub 100 .Values.canary.weight }}}\n        - {name: promo-canary, port: 80, weight: {{ .Values.canary.weight }}}\n",
      },
    ];
    const weightAt = async (base: SourceFile[], head: SourceFile[]) =>
      (await reviewRendered(base, head)).analysis.findings
        .filter((finding) => finding.class === "backend.weight-changed")
        .map((finding) => `${finding.file}:${finding.line}`);

    it(
      "its values edited in the file declaring it: that file, at the values line",
      async () => {
        expect(await weightAt(tree(0), tree(100))).toEqual(["apps/base/release.yaml:7"]);
      },
      HEADROOM,
    );

    it(
      "its values patched by the overlay: the patch file, at the values line",
      async () => {
        expect(await weightAt(tree(0, 10), tree(0, 100))).toEqual(["apps/prod/values.yaml:6"]);
      },
      HEADROOM,
    );
  });
});

describe.skipIf(unavailable !== undefined)("one overlay built by two clusters' Flux Kustomizations, each with its own variables", () => {
  const clusters = policyWith("topology:\n  clusters: {prod-us: us, prod-ap: ap}\n  placements: ['clusters/{cluster}/**']\n");
  const delivery = (cluster: string, host: string) => ({
    path: `clusters/${cluster}/apps.yaml`,
    text: `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/overlays/shared\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute: {shop_domain: ${host}}\n`,
  });
  const overlay: SourceFile[] = [
    { path: "apps/overlays/shared/kustomization.yaml", text: "resources: [route.yaml]\n" },
    {
      path: "apps/overlays/shared/route.yaml",
      text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: gw, namespace: infra}]\n  hostnames:\n  - ${shop_domain}\n  rules: [{backendRefs: [{name: shop, port: 8080}]}]\n",
    },
  ];
  const review = async (base: readonly SourceFile[], head: readonly SourceFile[]) => {
    const rendered = await renderForReview(base, head, clusters, { budgetMs: 60_000 });
    return reviewChange({ base, head, rendered, policy: clusters, policySource: "test", body: "", now: NOW }).analysis;
  };
  const routes = (analysis: Awaited<ReturnType<typeof review>>) =>
    // The Kustomization added is the placement family's own finding (route.attachment-changed): these are the rendered routes.
    analysis.findings
      .filter((finding) => finding.class === "route.added" || finding.class === "route.removed")
      .map((finding) => [finding.class, finding.clusters, finding.summary.split(" via ")[0]]);

  it(
    "a host changed in one cluster's variables moves that cluster's route alone, with its own host",
    async () => {
      const base = [...overlay, delivery("prod-us", "shop.us.example.com"), delivery("prod-ap", "shop.ap.example.com")];
      const head = [...overlay, delivery("prod-us", "shop.example.com"), delivery("prod-ap", "shop.ap.example.com")];
      expect(routes(await review(base, head))).toEqual([
        ["route.removed", ["prod-us"], "shop.us.example.com"],
        ["route.added", ["prod-us"], "shop.example.com"],
      ]);
    },
    HEADROOM,
  );

  it(
    "a second cluster's Kustomization added for the overlay leaves the first's build as it was and adds its own",
    async () => {
      const base = [...overlay, delivery("prod-us", "shop.us.example.com")];
      const head = [...base, delivery("prod-ap", "shop.ap.example.com")];
      expect(routes(await review(base, head))).toEqual([["route.added", ["prod-ap"], "shop.ap.example.com"]]);
    },
    HEADROOM,
  );
});

describe("rendering what cannot be rendered offline", () => {
  const release = { path: "apps/podinfo/release.yaml", text: "" };
  it("a values change to a HelmRelease of a remote chart is high; a PR that does not touch it is not blocked by it", async () => {
    const { readFile } = await import("node:fs/promises");
    const base = [{ ...release, text: await readFile(fixture("remote-release.yaml"), "utf8") }];
    const head = edit(base, release.path, "podinfo.local", "podinfo.example.com");
    const changed = await reviewRendered(base, head);
    const failure = changed.analysis.findings.find((finding) => finding.resource.kind === "Render");
    expect(failure).toMatchObject({
      class: "resource.changed",
      risk: "high",
      file: release.path,
      summary: expect.stringMatching(
        /^helm apps\/podinfo\/release.yaml podinfo\/podinfo cannot be rendered offline: chart podinfo from HelmRepository podinfo; the PR changes its values\.httpRoute\.hostnames \(if what it reads holds no traffic config, exclude it with the policy's `paths`/,
      ),
    });
    const unrelated = await reviewRendered(base, [...base, { path: "other.yaml", text: "a: 1\n" }]);
    expect(unrelated.analysis.findings).toEqual([]);
  });

  it("a version bump of a source the policy trusts passes unrendered, and the report says the policy vouched for it (fluxcd/flux2-multi-tenancy)", async () => {
    const kyverno = (version: string) => [
      {
        path: "infrastructure/kyverno/kustomization.yaml",
        text: `resources:\n- https://raw.githubusercontent.com/kyverno/kyverno/${version}/install.yaml\n`,
      },
    ];
    const review = async (trusted: string[]) => {
      const trusting = policyWith(`render: { trusted: ${JSON.stringify(trusted)} }\n`);
      const rendered = await renderForReview(kyverno("v1.3.0-rc5"), kyverno("v1.3.0"), trusting, { budgetMs: 60_000 });
      return reviewChange({
        base: kyverno("v1.3.0-rc5"),
        head: kyverno("v1.3.0"),
        rendered,
        policy: trusting,
        policySource: "test",
        body: "",
        now: NOW,
      });
    };
    const trusted = await review(["https://raw.githubusercontent.com/kyverno/**"]);
    expect(trusted.analysis.render).toMatchObject({ trusted: ["kustomize infrastructure/kyverno"], failed: [] });
    expect(trusted.decision).toBe("pass");
    expect(renderMarkdown(trusted)).toContain(
      "Not rendered, only trusted sources' versions moved (the policy's `render.trusted`): `kustomize infrastructure/kyverno`",
    );
    const untrusted = await review([]);
    expect(untrusted.analysis.render).toMatchObject({ trusted: [], failed: ["kustomize infrastructure/kyverno"] });
    expect(untrusted.decision).not.toBe("pass");
  });

  it("a root the policy's paths leave out is neither rendered nor reported, as its files are not read (flagger: test/skipper's remote resources)", async () => {
    const kustomization = {
      path: "test/skipper/kustomization.yaml",
      text: "resources:\n- https://example.com/skipper.yaml\n- ../../app\n",
    };
    const app = (value: string) => ({
      path: "app/route.yaml",
      text: `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: c}\nspec: {hosts: [c], http: [{route: [{destination: {host: "c${value}"}}]}]}\n`,
    });
    const excluding = policyWith("paths:\n  exclude: ['test/**']\n");
    const rendered = await renderForReview([kustomization, app("1")], [kustomization, app("2")], excluding, { budgetMs: 60_000 });
    expect(rendered.failures).toEqual([]);
    expect(rendered.roots).toEqual([]);
    const inScope = await renderForReview([kustomization, app("1")], [kustomization, app("2")], policyWith(), { budgetMs: 60_000 });
    expect(inScope.failures.map((failure) => failure.id)).toEqual(["kustomize test/skipper"]);
  });

  it("turned off by the policy, nothing is rendered and the report says why", async () => {
    const off = { ...policyWith(), render: { ...policyWith().render, enabled: false } };
    const rendered = await renderForReview([], [], off, { budgetMs: 1 });
    expect(rendered.skipped).toBe("turned off by the policy (render.enabled: false)");
  });

  it("turned off, a root the PR changes so that only its render could show what it applies is reported as not rendered, and blocks", async () => {
    const overlay = (patch: string) => [
      { path: "apps/base/kustomization.yaml", text: "resources: [route.yaml]\n" },
      {
        path: "apps/base/route.yaml",
        text: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: c}\nspec: {hosts: [c], http: [{route: [{destination: {host: c}}]}]}\n",
      },
      { path: "apps/prod/kustomization.yaml", text: `resources: [../base]\n${patch}` },
    ];
    const patch = "patches:\n- {target: {kind: VirtualService}, patch: '[{op: replace, path: /spec/hosts/0, value: d}]'}\n";
    for (const [off, policy] of [
      ["turned off (--no-render)", policyWith()],
      ["turned off by the policy (render.enabled: false)", { ...policyWith(), render: { ...policyWith().render, enabled: false } }],
    ] as const) {
      const rendered = await renderForReview(overlay(""), overlay(patch), policy, {
        budgetMs: 1,
        ...(policy.render.enabled ? { off } : {}),
      });
      expect(rendered.skipped).toBe(off);
      expect(rendered.roots).toEqual([]);
      expect(rendered.failures).toEqual([
        expect.objectContaining({
          id: "kustomize apps/prod",
          reason: `kustomize apps/prod was not rendered: rendering ${off}`,
          gates: true,
        }),
      ]);
      // What a render could not change needs none: a comment.
      const unchanged = await renderForReview(overlay(patch), overlay(`${patch}# reviewed\n`), policy, {
        budgetMs: 1,
        ...(policy.render.enabled ? { off } : {}),
      });
      expect(unchanged.failures).toEqual([]);
      expect(unchanged.skipped).toBe(off);
    }
  });
});

describe.skipIf(unavailable !== undefined)(
  `a root offline only for remote resources${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    // vehagn/homelab: a Gateway listed beside the Gateway API release manifest.
    const CRDS = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml";
    const gateway = (annotations: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: internal\nspec:\n  gatewayClassName: cilium\n${annotations}  listeners:\n    - name: http\n      protocol: HTTP\n      port: 80\n`;
    const route = (weight: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\nspec:\n  parentRefs: [{ name: internal }]\n  hostnames: [web.example.com]\n  rules:\n    - backendRefs:\n        - { name: web, port: 80, weight: ${weight} }\n        - { name: web-canary, port: 80, weight: ${100 - weight} }\n`;
    const gatewayLabel = (team: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: internal\n  labels: { team: ${team} }\n`;
    const tree = (options: { kustomization?: string; gateway?: string; weight?: number; patch?: string } = {}): SourceFile[] => [
      {
        path: "gw/kustomization.yaml",
        text:
          options.kustomization ??
          `namespace: gateway\nresources:\n  - ${CRDS}\n  - gw.yaml\n  - route.yaml\npatches:\n  - path: patch.yaml\n`,
      },
      { path: "gw/gw.yaml", text: gateway(options.gateway ?? "") },
      { path: "gw/route.yaml", text: route(options.weight ?? 100) },
      { path: "gw/patch.yaml", text: options.patch ?? gatewayLabel("edge") },
    ];

    it(
      "a local file edited renders without the remote resources, which the PR leaves alone: an annotation is a low line, a weight moved is found",
      async () => {
        const annotated = await reviewRendered(tree(), tree({ gateway: "  infrastructure:\n    annotations:\n      forwarding: snat\n" }));
        expect(annotated.analysis.render).toMatchObject({ rendered: ["kustomize gw"], withoutRemote: ["kustomize gw"], failed: [] });
        expect(annotated.analysis.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "low"]]);
        // The kustomization's namespace applies, as it does to the whole root.
        expect(annotated.analysis.findings[0]!.summary).toContain("Gateway gateway/internal");
        expect(renderMarkdown(annotated)).toContain(
          "Rendered without their remote resources, which this PR leaves as they are: `kustomize gw`",
        );

        const shifted = await reviewRendered(tree(), tree({ weight: 50 }));
        expect(shifted.analysis.findings.find((finding) => finding.class === "backend.weight-changed")).toMatchObject({
          risk: "medium-high",
          file: "gw/route.yaml",
        });
      },
      HEADROOM,
    );

    it(
      "a kustomization or a patch the PR changes may act on the remote objects: the root still cannot be rendered offline",
      async () => {
        const failed = (result: Awaited<ReturnType<typeof reviewRendered>>) => result.analysis.render.failed;
        const prefixed = tree({
          kustomization: `namespace: gateway\nnamePrefix: edge-\nresources:\n  - ${CRDS}\n  - gw.yaml\n  - route.yaml\n`,
        });
        const unprefixed = tree({ kustomization: `namespace: gateway\nresources:\n  - ${CRDS}\n  - gw.yaml\n  - route.yaml\n` });
        expect(failed(await reviewRendered(unprefixed, prefixed))).toEqual(["kustomize gw"]);
        const patched = await reviewRendered(tree(), tree({ patch: gatewayLabel("platform") }));
        expect(failed(patched)).toEqual(["kustomize gw"]);
        expect(patched.analysis.render.withoutRemote).toEqual([]);
      },
      HEADROOM,
    );

    it(
      "a patch of a remote object leaves the local part unable to render alone: it is the root that cannot be rendered offline, as before",
      async () => {
        // The patch names a CRD of the release manifest: without it, kustomize finds nothing to patch.
        const patch =
          "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: httproutes.gateway.networking.k8s.io\n  labels: { team: edge }\n";
        const result = await reviewRendered(tree({ patch }), tree({ patch, weight: 50 }));
        expect(result.analysis.render).toMatchObject({ failed: ["kustomize gw"], withoutRemote: [] });
        expect(result.analysis.findings.find((finding) => finding.resource.kind === "Render")).toMatchObject({
          risk: "high",
          summary: expect.stringContaining(`kustomize gw cannot be rendered offline: remote kustomize resource ${CRDS}`),
        });
      },
      HEADROOM,
    );
  },
);

describe.skipIf(unavailable !== undefined)(
  `what a render reads besides listed documents${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    const flux = (name: string, path: string, postBuild = "") => ({
      path: `clusters/jkt/${name}.yaml`,
      text: `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: ${name}, namespace: flux-system}\nspec:\n  path: ./${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n${postBuild}`,
    });
    const classes = (result: Awaited<ReturnType<typeof reviewRendered>>) =>
      result.analysis.findings.map((finding) => [finding.class, finding.risk, finding.file]);

    it(
      "istiod's mesh ConfigMap made by a configMapGenerator is rendered: a trust domain or egress edit in mesh.yaml is judged, an access log is not blocked (probe C K06d, K06d2, K06h)",
      async () => {
        const mesh = (edit: string) => [
          flux("mesh", "istio/config"),
          {
            path: "istio/config/kustomization.yaml",
            text: "namespace: istio-system\nconfigMapGenerator:\n- {name: istio, files: [mesh=mesh.yaml]}\ngeneratorOptions: {disableNameSuffixHash: true}\n",
          },
          { path: "istio/config/mesh.yaml", text: `trustDomain: fleet.example.com\naccessLogFile: ""\n${edit}` },
        ];
        const base = mesh("outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n");
        const trust = edit(base, "istio/config/mesh.yaml", "fleet.example.com", "jkt.example.com");
        expect(classes(await reviewRendered(base, trust))).toEqual([["trust.changed", "critical", "istio/config/mesh.yaml"]]);
        const egress = edit(base, "istio/config/mesh.yaml", "REGISTRY_ONLY", "ALLOW_ANY");
        expect(classes(await reviewRendered(base, egress))).toEqual([["access.widened", "high", "istio/config/mesh.yaml"]]);
        const logged = edit(base, "istio/config/mesh.yaml", 'accessLogFile: ""', "accessLogFile: /dev/stdout");
        expect(classes(await reviewRendered(base, logged))).toEqual([["resource.changed", "low", "istio/config/mesh.yaml"]]);
      },
      HEADROOM,
    );

    it(
      "a Flux substitution reads a ConfigMap a generator makes from cluster.env: the region moved there moves the route (probe C F11d)",
      async () => {
        const base: SourceFile[] = [
          flux("vars", "vars"),
          flux("apps", "routes", "  postBuild:\n    substituteFrom: [{kind: ConfigMap, name: cluster-vars}]\n"),
          {
            path: "vars/kustomization.yaml",
            text: "namespace: flux-system\nconfigMapGenerator:\n- {name: cluster-vars, envs: [cluster.env]}\ngeneratorOptions: {disableNameSuffixHash: true}\n",
          },
          { path: "vars/cluster.env", text: "# the primary region\nPRIMARY_REGION=jkt\n" },
          { path: "routes/kustomization.yaml", text: "resources: [route.yaml]\n" },
          {
            path: "routes/route.yaml",
            text: "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs:\n    - group: net.gke.io\n      kind: ServiceImport\n      name: shop-${PRIMARY_REGION}\n      port: 8080\n",
          },
        ];
        const head = edit(base, "vars/cluster.env", "PRIMARY_REGION=jkt", "PRIMARY_REGION=tyo");
        const policyRegions = policyWith('topology:\n  backendRegions: ["-(?<region>jkt|tyo)$"]\n');
        const rendered = await renderForReview(base, head, policyRegions, { budgetMs: 60_000 });
        const review = reviewChange({ base, head, rendered, policy: policyRegions, policySource: "test", body: "", now: NOW });
        expect(review.analysis.findings.map((finding) => [finding.class, finding.file])).toEqual([
          ["backend.region-added", "vars/cluster.env"],
          ["backend.region-removed", "vars/cluster.env"],
        ]);
      },
      HEADROOM,
    );

    it(
      "helm renders with the cluster's traffic APIs: a route gated on gateway.networking.k8s.io is judged, one gated on monitoring.coreos.com stays out (probe C H11d, H11d2)",
      async () => {
        const gated = (has: string, body: string) => `{{- if .Capabilities.APIVersions.Has "${has}" }}\n${body}{{- end }}\n`;
        const route =
          "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs:\n    - {name: checkout-v1, port: 8080, weight: {{ sub 100 (int .Values.weight) }}}\n    - {name: checkout-v2, port: 8080, weight: {{ .Values.weight }}}\n";
        // The same route under another name, gated on an API no family reads: left out at base and head, as before.
        const monitored = route.replace("name: checkout,", "name: checkout-monitored,");
        const chart = (has: string): SourceFile[] => [
          { path: "charts/checkout/Chart.yaml", text: "apiVersion: v2\nname: checkout\nversion: 0.1.0\n" },
          { path: "charts/checkout/values.yaml", text: "weight: 10\n" },
          { path: "charts/checkout/templates/route.yaml", text: gated(has, route) },
          { path: "charts/checkout/templates/monitor.yaml", text: gated("monitoring.coreos.com/v1", monitored) },
        ];
        for (const has of ["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1/HTTPRoute"]) {
          const base = chart(has);
          const result = await reviewRendered(base, edit(base, "charts/checkout/values.yaml", "weight: 10", "weight: 100"));
          expect(classes(result)).toEqual([["backend.weight-changed", "medium-high", "charts/checkout/values.yaml"]]);
        }
      },
      HEADROOM,
    );
  },
);

describe.skipIf(unavailable !== undefined)("Flux hub and spoke: a HelmRelease installs on its kubeConfig's cluster", () => {
  // fluxcd/flux2-hub-spoke-example: the hub's Kustomization for each spoke patches every HelmRelease
  // it applies with that spoke's kubeConfig, a Secret of one name in each spoke's namespace.
  const hub = (cluster: string, secret: string) =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: ${cluster}}\nspec:\n  targetNamespace: ${cluster}\n  path: ./clusters/${cluster}/apps\n  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n  patches:\n    - target: {kind: HelmRelease}\n      patch: |\n        - op: add\n          path: /spec/kubeConfig\n          value: {secretRef: {name: ${secret}}}\n`;
  const values = (enabled: boolean, host = "web.example.com") =>
    `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  values:\n    ingress: {enabled: ${enabled}, host: ${host}}\n`;
  const tree = (production: string, secret = "cluster-kubeconfig"): SourceFile[] => [
    {
      path: "hub/sync.yaml",
      text: "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./hub\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
    },
    ...["production", "staging"].flatMap((cluster) => [
      { path: `hub/${cluster}.yaml`, text: hub(cluster, secret) },
      {
        path: `clusters/${cluster}/apps/kustomization.yaml`,
        text: "resources: [../../../deploy/apps]\npatches: [{path: values.yaml, target: {kind: HelmRelease, name: web}}]\n",
      },
      { path: `clusters/${cluster}/apps/values.yaml`, text: cluster === "production" ? production : values(true) },
    ]),
    { path: "deploy/apps/kustomization.yaml", text: "resources: [release.yaml]\n" },
    {
      path: "deploy/apps/release.yaml",
      text: "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web}\nspec:\n  targetNamespace: web\n  chart: {spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}}\n",
    },
    { path: "charts/web/Chart.yaml", text: "apiVersion: v2\nname: web\nversion: 1.0.0\n" },
    { path: "charts/web/values.yaml", text: "ingress: {enabled: false, host: web.example.com}\n" },
    {
      path: "charts/web/templates/ingress.yaml",
      text: "{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: {{ .Values.ingress.host }}\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n{{- end }}\n",
    },
  ];
  const routes = async (base: SourceFile[], head: SourceFile[]) =>
    (await reviewRendered(base, head)).analysis.findings
      .filter((finding) => finding.class.startsWith("route."))
      .map((finding) => [finding.class, finding.risk, finding.clusters, finding.summary.split(" via ")[0]]);

  it(
    "production's release turned off while staging's still serves the host: removed from production",
    async () => {
      expect(await routes(tree(values(true)), tree(values(false)))).toEqual([
        ["route.removed", "high", ["production/cluster-kubeconfig"], "web.example.com"],
      ]);
    },
    HEADROOM,
  );

  it(
    "production's host changed: removed there and added there",
    async () => {
      expect(await routes(tree(values(true)), tree(values(true, "new.example.com")))).toEqual([
        ["route.removed", "high", ["production/cluster-kubeconfig"], "web.example.com"],
        ["route.added", "medium", ["production/cluster-kubeconfig"], "new.example.com"],
      ]);
    },
    HEADROOM,
  );

  it(
    "a values edit that renders the same is no route change on either spoke",
    async () => {
      const same = `${values(true)}  timeout: 5m\n`;
      expect(await routes(tree(values(true)), tree(same))).toEqual([]);
    },
    HEADROOM,
  );
});
