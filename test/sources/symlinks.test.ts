import { describe, expect, it } from "vitest";
import { analyzeChange, type SourceFile, type SymbolicLink } from "../../src/review.js";
import { readFolder } from "../../src/sources/folder-source.js";
import { readGitTree } from "../../src/sources/git-source.js";
import { renderForReview } from "../../src/render/render-change.js";
import { policyWith } from "../helpers/review-trees.js";
import { commitFolder, scratchFolder } from "../helpers/scratch-trees.js";

const EXPORT = (name: string) => `apiVersion: net.gke.io/v1\nkind: ServiceExport\nmetadata: {name: ${name}, namespace: shop}\n`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: checkout, port: 80}]}]\n`;

const FILES: Record<string, string> = {
  "clusters/jkt-prod-1/exports.yaml": EXPORT("payments"),
  "clusters/sgp-prod-1/exports.yaml": EXPORT("checkout"),
  "clusters/config/routes/checkout.yaml": ROUTE,
  "README.md": "# traffic\n",
};
const LINKS: Record<string, string> = {
  "clusters/sgp-prod-1/jkt-exports.yaml": "../jkt-prod-1/exports.yaml",
  "clusters/tyo-prod-1/routes": "../config/routes",
  "docs/README.md": "../README.md",
};

const expectedLinks: SymbolicLink[] = Object.entries(LINKS)
  .map(([path, target]) => ({ path, target }))
  .sort((a, b) => (a.path < b.path ? -1 : 1));

describe("the readers report symlinks beside files, without following them", () => {
  it("a folder: readlink, the linked directory not walked, the linked file not read as a file", async () => {
    const tree = readFolder(scratchFolder(FILES, LINKS));
    expect(tree.links).toEqual(expectedLinks);
    expect(tree.files.map((file) => file.path)).toEqual([
      "clusters/config/routes/checkout.yaml",
      "clusters/jkt-prod-1/exports.yaml",
      "clusters/sgp-prod-1/exports.yaml",
    ]);
  });

  it("a git ref: mode 120000 blobs, read in the same cat-file batch", async () => {
    const root = scratchFolder(FILES, LINKS);
    commitFolder(root);
    const tree = await readGitTree(root, "HEAD");
    expect(tree.links).toEqual(expectedLinks);
    expect(tree.files.map((file) => file.path)).toEqual([
      "clusters/config/routes/checkout.yaml",
      "clusters/jkt-prod-1/exports.yaml",
      "clusters/sgp-prod-1/exports.yaml",
    ]);
  });
});

describe("a symlink added or retargeted exposes files to other clusters: high, at the link's path", () => {
  const policy = policyWith("topology:\n  placements: ['clusters/{cluster}/**']\n");
  // What the readers return: YAML only (the README is not read).
  const files: SourceFile[] = Object.entries(FILES)
    .filter(([path]) => path.endsWith(".yaml"))
    .map(([path, text]) => ({ path, text }));
  // The links' own findings; what the files they expose do where they now land is the model's (below).
  const review = (base: readonly SymbolicLink[], head: readonly SymbolicLink[]) =>
    linkFindings(base, head).map((finding) => [finding.risk, finding.class, finding.file, finding.line, finding.clusters, finding.summary]);
  const linkFindings = (base: readonly SymbolicLink[], head: readonly SymbolicLink[], all = false) =>
    analyzeChange({ base: files, head: files, links: { base, head }, policy }).findings.filter(
      (finding) => all || finding.resource.kind === "Symlink",
    );
  const link = (path: string, target: string): SymbolicLink => ({ path, target });

  it("the files a link exposes land where it shows them, by the policy's patterns: the route now reaches the cluster too", () => {
    const exposing = [link("clusters/tyo-prod-1/routes", "../config/routes")];
    const route = linkFindings([], exposing, true).find((finding) => finding.file === "clusters/config/routes/checkout.yaml");
    expect([route?.risk, route?.class, route?.clusters]).toEqual(["high", "backend.region-added", ["config", "tyo-prod-1"]]);
    // An unchanged link lands them there on both sides: nothing moved.
    expect(linkFindings(exposing, exposing, true)).toEqual([]);
  });

  it("a file link and a directory link, added", () => {
    expect(
      review(
        [],
        [
          link("clusters/sgp-prod-1/jkt-exports.yaml", "../jkt-prod-1/exports.yaml"),
          link("clusters/tyo-prod-1/routes", "../config/routes"),
        ],
      ),
    ).toEqual([
      [
        "high",
        "resource.changed",
        "clusters/sgp-prod-1/jkt-exports.yaml",
        1,
        ["sgp-prod-1"],
        "symlink clusters/sgp-prod-1/jkt-exports.yaml → ../jkt-prod-1/exports.yaml: the files it exposes (clusters/jkt-prod-1/exports.yaml) to cluster sgp-prod-1 are not reviewed",
      ],
      [
        "high",
        "resource.changed",
        "clusters/tyo-prod-1/routes",
        1,
        ["tyo-prod-1"],
        "symlink clusters/tyo-prod-1/routes → ../config/routes: the files it exposes (clusters/config/routes/checkout.yaml) to cluster tyo-prod-1 are not reviewed",
      ],
    ]);
  });

  it("retargeted, and removed", () => {
    const before = [
      link("clusters/tyo-prod-1/routes", "../config/routes"),
      link("clusters/sgp-prod-1/jkt-exports.yaml", "../jkt-prod-1/exports.yaml"),
    ];
    const after = [link("clusters/tyo-prod-1/routes", "../jkt-prod-1")];
    expect(review(before, after).map((finding) => finding[5])).toEqual([
      "symlink clusters/sgp-prod-1/jkt-exports.yaml → ../jkt-prod-1/exports.yaml removed: the files it exposed (clusters/jkt-prod-1/exports.yaml) to cluster sgp-prod-1 are no longer applied there, and this is not reviewed",
      "symlink clusters/tyo-prod-1/routes → ../jkt-prod-1 (was → ../config/routes): the files it exposes (clusters/jkt-prod-1/exports.yaml) to cluster tyo-prod-1 are not reviewed",
    ]);
  });

  it("a folder link written with a trailing slash exposes that folder's files as one without (anthos-config-management-samples' `cert-manager -> ../../third_party/cert-manager/`)", () => {
    expect(review([], [link("clusters/tyo-prod-1/routes", "../config/routes/")]).map((finding) => finding[5])).toEqual([
      "symlink clusters/tyo-prod-1/routes → ../config/routes/: the files it exposes (clusters/config/routes/checkout.yaml) to cluster tyo-prod-1 are not reviewed",
    ]);
  });

  it("an unchanged symlink, or one that exposes nothing the review reads, is not a finding", () => {
    const links = [link("clusters/tyo-prod-1/routes", "../config/routes")];
    expect(review(links, links)).toEqual([]);
    expect(review([], [link("docs/README.md", "../README.md")])).toEqual([]);
  });

  it("a link out of the repository counts only where it takes the place of traffic config (k8gb 30d173d3ad)", () => {
    const outside = link("registry/k3s.yaml", "/output/kubeconfig.yaml");
    expect(review([], [outside])).toEqual([]);
    expect(review([outside], [])).toEqual([]);
    expect(review([], [link("clusters/sgp-prod-1/extra.yaml", "../../../shared/exports.yaml")])).toEqual([]);
    // In place of a link that exposed routes, or of a file that held some: that config is gone.
    const routes = link("clusters/tyo-prod-1/routes", "../config/routes");
    expect(review([routes], [link(routes.path, "/srv/routes")]).map((finding) => finding[5])).toEqual([
      "symlink clusters/tyo-prod-1/routes → /srv/routes (was → ../config/routes): points out of the repository in place of traffic config (clusters/config/routes/checkout.yaml), which is no longer applied to cluster tyo-prod-1; what it points at is not reviewed",
    ]);
    const replaced = files.filter((file) => file.path !== "clusters/sgp-prod-1/exports.yaml");
    expect(
      analyzeChange({
        base: files,
        head: replaced,
        links: { base: [], head: [link("clusters/sgp-prod-1/exports.yaml", "/etc/exports.yaml")] },
        policy,
      }).findings.map((finding) => [finding.risk, finding.file]),
    ).toContainEqual(["high", "clusters/sgp-prod-1/exports.yaml"]);
  });

  it("a link to files that hold no traffic config is not a finding; one to a manifest the tree lacks is (gateway-api 50c33a0)", () => {
    const report = "apiVersion: gateway.networking.k8s.io/v1\nkind: ConformanceReport\nmetadata: {name: r}\nimplementation: {project: x}\n";
    const withReports = [...files, { path: "conformance/reports/v1.5/impl/report.yaml", text: report }];
    const findings = (head: readonly SymbolicLink[]) =>
      analyzeChange({ base: withReports, head: withReports, links: { base: [], head }, policy }).findings.map((finding) => finding.file);
    expect(findings([link("conformance/reports/v1.5.0", "v1.5")])).toEqual([]);
    expect(findings([link("clusters/sgp-prod-1/gone.yaml", "../jkt-prod-1/missing.yaml")])).toEqual(["clusters/sgp-prod-1/gone.yaml"]);
  });

  it("nor is a link to a tenant's Namespace (read only for its labels) and Roles, rendered or not; a mesh-labelled Namespace is traffic config (anthos-config-management-samples 64d3e90)", () => {
    const namespace = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a${labels}}\n`;
    const tenant = (labels: string): SourceFile[] => [
      ...files,
      { path: "tenants/src/team-a/kustomization.yaml", text: "resources: [namespace.yaml, role.yaml]\n" },
      { path: "tenants/src/team-a/namespace.yaml", text: namespace(labels) },
      {
        path: "tenants/src/team-a/role.yaml",
        text: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: team-a}\n",
      },
    ];
    const output = "tenants/src/team-a/(rendered)/kustomization.yaml";
    const rendered = (labels: string) => ({
      roots: [
        {
          id: "kustomize tenants/src/team-a",
          origin: "tenants/src/team-a/kustomization.yaml",
          output,
          inputs: tenant(labels)
            .slice(-3)
            .map((file) => file.path),
        },
      ],
      base: {
        files: [{ path: output, text: namespace(labels) }],
        consumed: ["tenants/src/team-a/namespace.yaml", "tenants/src/team-a/role.yaml"],
      },
      head: {
        files: [{ path: output, text: namespace(labels) }],
        consumed: ["tenants/src/team-a/namespace.yaml", "tenants/src/team-a/role.yaml"],
      },
      failures: [],
    });
    const exposing = [link("tenants/apply/team-a", "../src/team-a")];
    const findings = (labels: string, render: boolean) =>
      analyzeChange({
        base: tenant(labels),
        head: tenant(labels),
        links: { base: [], head: exposing },
        policy,
        ...(render ? { rendered: rendered(labels) } : {}),
      }).findings.map((finding) => finding.file);
    expect(findings("", false)).toEqual([]);
    expect(findings("", true)).toEqual([]);
    expect(findings(", labels: {istio-injection: enabled}", false)).toEqual(["tenants/apply/team-a"]);
    expect(findings(", labels: {istio-injection: enabled}", true)).toEqual(["tenants/apply/team-a"]);
  });
});

describe("GitOps objects read files through links: a change made in a link's target is rated as the same change written in place", () => {
  const policy = policyWith("topology:\n  clusters: {prod: asia-southeast1}\n  placements: ['clusters/{cluster}/**']\n");
  const sync =
    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: flux-system, namespace: flux-system}\nspec:\n  path: ./clusters/prod\n  sourceRef: {kind: GitRepository, name: flux-system}\n";
  const apps = (path: string, backend = "checkout-v1") =>
    `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ${path}\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substitute: {backend: ${backend}}\n`;
  const route = (backend = "${backend}") =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: web, namespace: infra}]\n  hostnames: [shop.example.com]\n  rules:\n  - backendRefs: [{name: ${backend}, port: 8080}]\n`;
  const gateway =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: web, namespace: infra}\nspec:\n  gatewayClassName: x\n  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]\n";
  const files = (extra: Record<string, string>): SourceFile[] =>
    Object.entries({ "clusters/prod/flux-system/gotk-sync.yaml": sync, "infra/gw.yaml": gateway, ...extra }).map(([path, text]) => ({
      path,
      text,
    }));
  const linked = [link("clusters/prod/apps", "../../apps/shop")];
  // As the CLI reviews unrendered: Flux's variables are read even so.
  const review = async (base: SourceFile[], head: SourceFile[], links = { base: linked, head: linked }) => {
    const rendered = await renderForReview(base, head, policy, { budgetMs: 1_000, off: "test", links });
    return analyzeChange({ base, head, links, policy, rendered })
      .findings.filter((finding) => finding.resource.kind !== "Symlink" && finding.risk !== "low")
      .map((finding) => [finding.risk, finding.class, finding.file, finding.clusters]);
  };
  function link(path: string, target: string): SymbolicLink {
    return { path, target };
  }

  it("a Flux Kustomization whose path is a link substitutes and places what the link leads to (weight cut over: low → medium-high, as in place)", async () => {
    const viaLink = await review(
      files({ "clusters/prod/apps.yaml": apps("./clusters/prod/apps"), "apps/shop/route.yaml": route() }),
      files({ "clusters/prod/apps.yaml": apps("./clusters/prod/apps", "checkout-v2"), "apps/shop/route.yaml": route() }),
    );
    const inPlace = await review(
      files({ "clusters/prod/apps.yaml": apps("./apps/shop"), "apps/shop/route.yaml": route() }),
      files({ "clusters/prod/apps.yaml": apps("./apps/shop", "checkout-v2"), "apps/shop/route.yaml": route() }),
    );
    expect(viaLink).toContainEqual(["medium-high", "backend.weight-changed", "apps/shop/route.yaml", ["prod"]]);
    expect(viaLink).toEqual(inPlace);
  });

  it("a route moved out of the folder a linked path delivers is removed from the cluster (none → high, as in place)", async () => {
    const base = { "clusters/prod/apps.yaml": apps("./clusters/prod/apps"), "apps/shop/route.yaml": route("checkout-v1") };
    const head = { "clusters/prod/apps.yaml": apps("./clusters/prod/apps"), "attic/route.yaml": route("checkout-v1") };
    expect(await review(files(base), files(head))).toEqual([["high", "route.removed", "apps/shop/route.yaml", ["prod"]]]);
  });

  it("an Argo CD Application whose source path is a link applies what it leads to: a route moved out is removed (none → high)", async () => {
    const application = `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec:\n  project: default\n  source: {repoURL: https://github.com/x/y, path: clusters/prod/shop}\n  destination: {name: prod, namespace: shop}\n`;
    const links = [link("clusters/prod/shop", "../../apps/shop")];
    const base = { "argocd/shop.yaml": application, "apps/shop/route.yaml": route("checkout-v1") };
    const head = { "argocd/shop.yaml": application, "attic/route.yaml": route("checkout-v1") };
    expect(await review(files(base), files(head), { base: links, head: links })).toEqual([
      ["high", "route.removed", "apps/shop/route.yaml", ["prod"]],
    ]);
  });

  it("an unchanged link stays quiet, and a folder no link leads to is not delivered through one", async () => {
    const tree = (other: string) =>
      files({
        "clusters/prod/apps.yaml": apps("./clusters/prod/apps"),
        "apps/shop/route.yaml": route(),
        "apps/shopping/route.yaml": route(other).replace("name: shop,", "name: shopping,").replace("shop.example", "shopping.example"),
      });
    expect(await review(tree("a"), tree("a"))).toEqual([]);
    // apps/shopping shares the link's prefix, not its folder: it lands nowhere, as before.
    expect((await review(tree("a"), tree("b"))).map(([, , file, clusters]) => [file, clusters])).toEqual([
      ["apps/shopping/route.yaml", []],
    ]);
  });

  it("a link retargeted to a folder that drains the flow is the high link finding and the weight change it makes", async () => {
    const tree = files({
      "clusters/prod/apps.yaml": apps("./clusters/prod/apps"),
      "apps/v1/route.yaml": route("checkout-v1"),
      "apps/v2/route.yaml": route("checkout-v2"),
    });
    const findings = await review(tree, tree, {
      base: [link("clusters/prod/apps", "../../apps/v1")],
      head: [link("clusters/prod/apps", "../../apps/v2")],
    });
    expect(findings).toContainEqual(["medium-high", "backend.weight-changed", "apps/v2/route.yaml", ["prod"]]);
    const all = analyzeChange({
      base: tree,
      head: tree,
      links: { base: [link("clusters/prod/apps", "../../apps/v1")], head: [link("clusters/prod/apps", "../../apps/v2")] },
      policy,
    }).findings;
    expect(all.filter((finding) => finding.file === "clusters/prod/apps").map((finding) => finding.risk)).toEqual(["high"]);
  });
});

describe("the policy's placement patterns place a file at the paths links show it at", () => {
  const policy = policyWith(
    "topology:\n  clusters: {jkt-1: asia-southeast2, sgp-1: asia-southeast1}\n  placements: ['clusters/{cluster}/**']\nservices:\n  checkout: {writes: single-region, ownerRegion: asia-southeast2}\n",
  );
  const gateway =
    "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: web, namespace: shop}\nspec:\n  gatewayClassName: x\n  listeners: [{name: http, port: 80, protocol: HTTP}]\n";
  const route = (service: string) =>
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop, namespace: shop}\nspec:\n  parentRefs: [{name: web}]\n  hostnames: [shop.example.com]\n  rules:\n  - matches: [{path: {type: PathPrefix, value: /}}]\n    backendRefs: [{name: ${service}, port: 80}]\n`;
  const tree = (routes: Record<string, string>): SourceFile[] =>
    Object.entries({ "clusters/jkt-1/gw.yaml": gateway, "clusters/sgp-1/gw.yaml": gateway, ...routes }).map(([path, text]) => ({
      path,
      text,
    }));
  const risks = (base: SourceFile[], head: SourceFile[], links: SymbolicLink[] = []) =>
    analyzeChange({ base, head, links: { base: links, head: links }, policy })
      .findings.filter((finding) => finding.risk === "critical")
      .map((finding) => [finding.class, finding.clusters]);

  it("a single-region service's route shared into two regions' clusters by links spreads its writes (medium-high → critical, as copies written in place)", () => {
    const shared: SymbolicLink[] = [
      { path: "clusters/jkt-1/routes", target: "../../shared/routes" },
      { path: "clusters/sgp-1/routes", target: "../../shared/routes" },
    ];
    expect(
      risks(tree({ "shared/routes/shop.yaml": route("catalog") }), tree({ "shared/routes/shop.yaml": route("checkout") }), shared),
    ).toEqual([["writes.active-active", ["jkt-1", "sgp-1"]]]);
    const inPlace = (service: string) =>
      tree({ "clusters/jkt-1/routes/shop.yaml": route(service), "clusters/sgp-1/routes/shop.yaml": route(service) });
    expect(risks(inPlace("catalog"), inPlace("checkout")).map(([id]) => id)).toEqual(["writes.active-active"]);
    // Shared into one region only, it spreads nothing.
    expect(
      risks(
        tree({ "shared/routes/shop.yaml": route("catalog") }),
        tree({ "shared/routes/shop.yaml": route("checkout") }),
        shared.slice(0, 1),
      ),
    ).toEqual([]);
  });
});
