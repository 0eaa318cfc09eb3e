import { describe, expect, it } from "vitest";
import { loadManifests } from "../../../src/manifests/load-manifests.js";
import { compileFilePlacement } from "../../../src/model/file-placement.js";
import { buildGitopsPlacement, deliveriesOf } from "../../../src/model/gitops-placement.js";
import { TopologySchema } from "../../../src/policy/policy-schema.js";
import { kustomizeReading } from "../../../src/render/kustomize-tree.js";
import { renderForReview } from "../../../src/render/render-change.js";
import { reviewChange, type SourceFile } from "../../../src/review.js";
import { NOW, policyWith } from "../../helpers/review-trees.js";

/**
 * A Flux Operator FluxInstance's sync (d2-fleet): each cluster's folder holds its FluxInstance
 * syncing that folder, its flux-runtime-info ConfigMap, and a tenants Kustomization substituting
 * from it what `tenants/` holds.
 */
type Tree = Record<string, string>;
const files = (tree: Tree): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));

const INSTANCE = (sync: string) =>
  `apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata: {name: flux, namespace: flux-system}\nspec:\n  distribution: {version: "2.x", registry: ghcr.io/fluxcd}\n  sync: {${sync}}\n`;
const gitSync = (path: string, url = "https://github.com/example/fleet", ref = "refs/heads/main") =>
  `kind: GitRepository, url: "${url}", ref: ${ref}, path: ${path}`;
const RUNTIME = (domain: string, labels = "") =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flux-runtime-info\n  namespace: flux-system\n  labels: {toolkit.fluxcd.io/runtime: "true"${labels}}\ndata:\n  CLUSTER_DOMAIN: ${domain}\n`;
const TENANTS = (path = "./tenants") =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: tenants, namespace: flux-system}\nspec:\n  path: ${path}\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n  postBuild:\n    substituteFrom: [{kind: ConfigMap, name: flux-runtime-info}]\n`;
const ROUTE = (host = "web") =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: apps}\nspec:\n  parentRefs: [{name: public, namespace: gateway}]\n  hostnames: ["${host}.\${CLUSTER_DOMAIN}"]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n`;

const cluster = (name: string, sync = gitSync(`clusters/${name}`), domain = `${name}.example.com`): Tree => ({
  [`clusters/${name}/flux-system/flux-instance.yaml`]: INSTANCE(sync),
  [`clusters/${name}/flux-system/runtime-info.yaml`]: RUNTIME(domain),
  [`clusters/${name}/tenants.yaml`]: TENANTS(),
});
const fleet: Tree = { ...cluster("a"), ...cluster("b"), "tenants/route.yaml": ROUTE() };

const placementOf = (tree: Tree, topology: Record<string, unknown> = {}) => {
  const policy = TopologySchema.parse(topology);
  const clusterOfFile = compileFilePlacement(policy.placements);
  const set = loadManifests(files(tree), { scopeOf: clusterOfFile, includedBy: kustomizeReading(files(tree)).includedBy });
  return { set, placement: buildGitopsPlacement(set, policy, clusterOfFile) };
};

const policy = policyWith();
const judged = async (base: Tree, head: Tree) => {
  const rendered = await renderForReview(files(base), files(head), policy, { budgetMs: 1_000, off: "turned off (test)" });
  const result = reviewChange({ base: files(base), head: files(head), rendered, policy, policySource: "test", body: "", now: NOW });
  return result.analysis.findings.map((finding) => [finding.class, finding.risk, finding.file, finding.summary] as const);
};
const blocking = async (base: Tree, head: Tree) =>
  (await judged(base, head)).filter(([, risk]) => risk !== "low").map(([kind, risk, file]) => [kind, risk, file]);

describe("a FluxInstance's sync delivers its path to the cluster it runs on", () => {
  const siteOf = (name: string) =>
    `where fluxcd.controlplane.io/FluxInstance/flux-system/flux@clusters/${name}/flux-system/flux-instance.yaml is applied`;

  it("each cluster's folder on a site of its own, and what its Kustomizations deliver on each cluster apart", () => {
    const { placement } = placementOf(fleet);
    expect(placement("clusters/a/tenants.yaml").sites).toEqual([siteOf("a")]);
    expect(placement("clusters/b/flux-system/runtime-info.yaml").sites).toEqual([siteOf("b")]);
    expect(placement("tenants/route.yaml").sites).toEqual([siteOf("a"), siteOf("b")]);
    // Where the policy names the clusters by their folders, those.
    expect(placementOf(fleet, { placements: ["clusters/{cluster}/**"] }).placement("tenants/route.yaml").clusters).toEqual(["a", "b"]);
  });

  it("an OCI artifact pushed from this tree (d2-fleet's oci://ghcr.io/…/d2-fleet) delivers the path it holds; a Bucket, or a sync naming no path, none", () => {
    const oci = { ...fleet, ...cluster("a", `kind: OCIRepository, url: "oci://ghcr.io/example/fleet", ref: latest, path: clusters/a`) };
    expect(placementOf(oci).placement("clusters/a/tenants.yaml").sites).toEqual([siteOf("a")]);
    for (const sync of [`kind: Bucket, url: minio.example.com, ref: fleet, path: clusters/a`, `kind: GitRepository, url: "x", ref: main`]) {
      const { set, placement } = placementOf({ ...fleet, ...cluster("a", sync) });
      const instance = [...set.resources.values()].find(({ source }) => source.file === "clusters/a/flux-system/flux-instance.yaml")!;
      expect(deliveriesOf(set, {})(instance)).toBeUndefined();
      expect(placement("clusters/a/tenants.yaml").sites).toEqual([]);
    }
  });

  it("its GitRepository is its cluster's bootstrap: its URL is this repository, and another URL another repository's", () => {
    const other = `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: reviews, namespace: flux-system}\nspec: {url: "https://github.com/example/reviews-config"}\n---\n${TENANTS().replace("name: tenants", "name: reviews").replace("name: flux-system}", "name: reviews}")}`;
    const { placement } = placementOf({ ...fleet, "clusters/a/reviews.yaml": other, "tenants/route.yaml": ROUTE() });
    // Only flux-system's Kustomization (tenants) delivers tenants/ on a: the reviews source is another repository's.
    expect(placement("tenants/route.yaml").sites).toEqual([siteOf("a"), siteOf("b")]);
    const { set } = placementOf({ ...fleet, "clusters/a/reviews.yaml": other });
    const reviews = [...set.resources.values()].find(({ id }) => id.kind === "Kustomization" && id.name === "reviews")!;
    expect(deliveriesOf(set, {})(reviews)).toBeUndefined();
  });
});

describe("each cluster's Kustomization reads its own cluster's flux-runtime-info (d2-fleet 69ea71fc03, 26833a34c0: blocked as read two ways)", () => {
  it("a label added to every copy changes nothing", async () => {
    const labelled = {
      ...fleet,
      "clusters/a/flux-system/runtime-info.yaml": RUNTIME("a.example.com", ", reconcile.fluxcd.io/watch: Enabled"),
      "clusters/b/flux-system/runtime-info.yaml": RUNTIME("b.example.com", ", reconcile.fluxcd.io/watch: Enabled"),
    };
    expect(await judged(fleet, labelled)).toEqual([]);
  });

  it("a's domain changed moves a's route, on a alone; b's on b", async () => {
    const moved = (name: string) => ({ ...fleet, [`clusters/${name}/flux-system/runtime-info.yaml`]: RUNTIME(`${name}2.example.com`) });
    for (const name of ["a", "b"]) {
      const findings = await judged(fleet, moved(name));
      expect(
        findings.filter(([, risk]) => risk !== "low").map(([kind, risk, , summary]) => [kind, risk, summary.split(" via ")[0]]),
      ).toEqual([
        ["route.removed", "high", `web.${name}.example.com`],
        ["route.added", "medium", `web.${name}2.example.com`],
      ]);
      expect(
        findings.every(
          ([, , file, summary]) =>
            file === `clusters/${name}/flux-system/runtime-info.yaml` && summary.includes(`clusters/${name}/tenants.yaml`),
        ),
      ).toBe(true);
    }
  });

  it("a cluster added whose sync brings no traffic config stays low (d2-fleet: a cluster for image automation)", async () => {
    const update = { "clusters/update/flux-system/flux-instance.yaml": INSTANCE(gitSync("clusters/update")) };
    expect(await blocking(fleet, { ...fleet, ...update })).toEqual([]);
  });
});

describe("a FluxInstance whose sync moves or stops, where traffic config lands through it, is route.attachment-changed", () => {
  const instance = "clusters/a/flux-system/flux-instance.yaml";
  const synced = (sync: string): Tree => ({ ...fleet, [instance]: INSTANCE(sync) });
  const attachment = ["route.attachment-changed", "high", instance];

  it.each([
    [
      "its path moved to another folder",
      gitSync("clusters/b"),
      "spec.sync.path clusters/a → clusters/b: on a cluster the tree does not name, Flux applies clusters/b in place of clusters/a",
    ],
    [
      "its URL pointed at another repository (the head alone reads it as this one)",
      gitSync("clusters/a", "https://github.com/other/fleet"),
      "spec.sync.url https://github.com/example/fleet → https://github.com/other/fleet: on a cluster the tree does not name, Flux applies what that source holds at clusters/a, which this review does not read",
    ],
    ["another revision", gitSync("clusters/a", undefined, "refs/heads/hotfix"), "spec.sync.ref refs/heads/main → refs/heads/hotfix"],
  ])("%s", async (_, sync, summary) => {
    // Pointed at b's folder, it is the copy of b's instance there: found on either file.
    const findings = await judged(fleet, synced(sync));
    const found = findings.find(([kind, risk, , text]) => kind === attachment[0] && risk === "high" && text.includes("spec.sync"));
    expect(found?.[2]).toMatch(/^clusters\/[ab]\/flux-system\/flux-instance.yaml$/);
    expect(found?.[3]).toContain(summary);
    expect(found?.[3]).toContain("1 traffic resources land there through it (HTTPRoute apps/web)");
  });

  it("its OCI artifact pointed at another registry repository (d2-fleet's sync)", async () => {
    const oci = (url: string) => synced(`kind: OCIRepository, url: "${url}", ref: latest-stable, path: clusters/a`);
    const findings = await blocking(oci("oci://ghcr.io/example/fleet"), oci("oci://ghcr.io/other/fleet"));
    expect(findings).toEqual([attachment]);
  });

  it("removed, or its sync dropped: what it brought is no longer reconciled from here", async () => {
    const { [instance]: _, ...removed } = fleet;
    expect(await blocking(fleet, removed)).toContainEqual(attachment);
    const dropped = { ...fleet, [instance]: INSTANCE("").replace("  sync: {}\n", "") };
    expect(await blocking(fleet, dropped)).toContainEqual(attachment);
  });

  it("added on a second cluster syncing a's folder: that cluster newly applies a's route", async () => {
    const second = { ...fleet, "bootstrap/c/flux-instance.yaml": INSTANCE(gitSync("clusters/a")) };
    expect(await blocking(fleet, second)).toEqual([["route.attachment-changed", "high", "bootstrap/c/flux-instance.yaml"]]);
  });

  it("its URL respelled, or its interval and pull secret edited, is no move", async () => {
    expect(await blocking(fleet, synced(gitSync("clusters/a", "https://github.com/example/fleet.git")))).toEqual([]);
    expect(await blocking(fleet, synced(`${gitSync("clusters/a")}, interval: 5m, pullSecret: flux-system`))).toEqual([]);
  });
});
