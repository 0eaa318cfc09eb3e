import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { analyzeChange, type SourceFile, type Submodule } from "../../src/review.js";
import { readGitTree } from "../../src/sources/git-source.js";
import { policyWith } from "../helpers/review-trees.js";
import { commitFolder, scratchFolder } from "../helpers/scratch-trees.js";

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: checkout, namespace: shop}\nspec:\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: checkout, port: 80}]}]\n`;
const OLD = "1".repeat(40);
const NEW = "2".repeat(40);

describe("the git reader reports submodules (gitlinks, mode 160000) beside files", () => {
  it("a git ref: the submodule's path and the commit the tree records", async () => {
    const root = scratchFolder({ "clusters/config/routes/checkout.yaml": ROUTE });
    commitFolder(root);
    // A gitlink as `git submodule add` records it, without fetching another repository.
    execFileSync("git", ["-C", root, "update-index", "--add", "--cacheinfo", `160000,${NEW},clusters/jkt-prod-1/routes`]);
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "bump"]);
    const tree = await readGitTree(root, "HEAD");
    expect(tree.submodules).toEqual([{ path: "clusters/jkt-prod-1/routes", commit: NEW }]);
    expect(tree.files.map((file) => file.path)).toEqual(["clusters/config/routes/checkout.yaml"]);
  });
});

describe("a submodule added, moved to another commit or removed: high, at its path, where its files would be reviewed", () => {
  const policy = policyWith("topology:\n  placements: ['clusters/{cluster}/**']\npaths:\n  exclude: ['docs/**']\n");
  const files: SourceFile[] = [{ path: "clusters/config/routes/checkout.yaml", text: ROUTE }];
  const review = (base: readonly Submodule[], head: readonly Submodule[]) =>
    analyzeChange({ base: files, head: files, submodules: { base, head }, policy }).findings.map((finding) => [
      finding.risk,
      finding.class,
      finding.file,
      finding.clusters,
      finding.summary,
    ]);
  const routes = (commit: string): Submodule => ({ path: "clusters/jkt-prod-1/routes", commit });

  it("a bump under a cluster's folder names the submodule, both commits and the cluster", () => {
    expect(review([routes(OLD)], [routes(NEW)])).toEqual([
      [
        "high",
        "resource.changed",
        "clusters/jkt-prod-1/routes",
        ["jkt-prod-1"],
        "submodule clusters/jkt-prod-1/routes moved 1111111 → 2222222: what it applies to cluster jkt-prod-1 is not reviewed (Route Governor cannot read a submodule's files, and Argo CD checks them out, as Flux does where its GitRepository sets recurseSubmodules); review its diff in its own repository before approving",
      ],
    ]);
  });

  it("added, and removed", () => {
    expect(review([], [routes(NEW)]).map((finding) => finding[4])).toEqual([
      "submodule clusters/jkt-prod-1/routes added at 2222222: what it applies to cluster jkt-prod-1 is not reviewed (Route Governor cannot read a submodule's files, and Argo CD checks them out, as Flux does where its GitRepository sets recurseSubmodules); review its diff in its own repository before approving",
    ]);
    expect(review([routes(OLD)], []).map((finding) => finding[4])).toEqual([
      "submodule clusters/jkt-prod-1/routes (1111111) removed: what it applied to cluster jkt-prod-1 is no longer applied there, and this is not reviewed (Route Governor cannot read a submodule's files, and Argo CD checks them out, as Flux does where its GitRepository sets recurseSubmodules)",
    ]);
  });

  it("an unchanged submodule, or one outside the policy's paths (a docs theme), is not a finding", () => {
    expect(review([routes(OLD)], [routes(OLD)])).toEqual([]);
    const theme = (commit: string): Submodule => ({ path: "docs/themes/hugo-book", commit });
    expect(review([theme(OLD)], [theme(NEW)])).toEqual([]);
  });
});
