import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGitTree, type BlobTexts } from "../../src/sources/git-source.js";
import { commitFolder, scratchFolder } from "../helpers/scratch-trees.js";

describe("readGitTree beside another tree's blobs (the head read after the base)", () => {
  it("reads each blob once across both trees, and each tree as it is", async () => {
    const root = scratchFolder({ "same.yaml": "kind: A\n", "copy.yaml": "kind: A\n", "edited.yaml": "kind: B\n" });
    commitFolder(root);
    writeFileSync(join(root, "edited.yaml"), "kind: C\n");
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "edit"]);

    const blobs: BlobTexts = new Map();
    const base = await readGitTree(root, "HEAD~1", blobs);
    expect(blobs.size).toBe(2);
    const head = await readGitTree(root, "HEAD", blobs);
    expect(blobs.size).toBe(3);
    const texts = (tree: typeof base) => tree.files.map((file) => [file.path, file.text]);
    expect(texts(base)).toEqual([
      ["copy.yaml", "kind: A\n"],
      ["edited.yaml", "kind: B\n"],
      ["same.yaml", "kind: A\n"],
    ]);
    expect(texts(head)).toEqual([
      ["copy.yaml", "kind: A\n"],
      ["edited.yaml", "kind: C\n"],
      ["same.yaml", "kind: A\n"],
    ]);
    expect(texts(await readGitTree(root, "HEAD"))).toEqual(texts(head));
  });
});

describe("readGitTree when the object store lacks a blob (a shallow or partial clone)", () => {
  it("fails naming the file, not with git's bare object id", async () => {
    const root = scratchFolder({ "route.yaml": "kind: A\n", "big/upstream.yaml": "kind: B\n" });
    commitFolder(root);
    const sha = execFileSync("git", ["-C", root, "rev-parse", "HEAD:big/upstream.yaml"], { encoding: "utf8" }).trim();
    rmSync(join(root, ".git", "objects", sha.slice(0, 2), sha.slice(2)));
    await expect(readGitTree(root, "HEAD")).rejects.toThrow(
      `big/upstream.yaml at HEAD (blob ${sha.slice(0, 12)}) is not in the repository's object store`,
    );
  });
});

describe("readGitTree reads what kustomize reads", () => {
  it("a kustomization named `Kustomization` (no extension) is read, as kustomize and Flux read it", async () => {
    const root = scratchFolder({
      "apps/Kustomization": "resources: [route.yaml]\n",
      "apps/route.yaml": "kind: A\n",
      "apps/Makefile": "all:\n",
    });
    commitFolder(root);
    expect((await readGitTree(root, "HEAD")).files.map((file) => file.path)).toEqual(["apps/Kustomization", "apps/route.yaml"]);
  });
});
