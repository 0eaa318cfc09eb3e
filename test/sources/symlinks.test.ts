import { describe, expect, it } from "vitest";
import { analyzeChange, type SourceFile, type SymbolicLink } from "../../src/review.js";
import { readFolder } from "../../src/sources/folder-source.js";
import { readGitTree } from "../../src/sources/git-source.js";
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
  const review = (base: readonly SymbolicLink[], head: readonly SymbolicLink[]) =>
    analyzeChange({ base: files, head: files, links: { base, head }, policy }).findings.map((finding) => [
      finding.risk,
      finding.class,
      finding.file,
      finding.line,
      finding.clusters,
      finding.summary,
    ]);
  const link = (path: string, target: string): SymbolicLink => ({ path, target });

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
