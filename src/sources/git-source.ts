import { spawn } from "node:child_process";
import { defaultYamlLimits } from "../manifests/yaml-documents.js";
import { isReviewedPath, type SourceTree } from "./folder-source.js";
import { namedRenderInputs } from "../render/kustomize-tree.js";
import { manifestText } from "../core/source-file.js";
import { renderInputFile } from "../core/source-file.js";

/**
 * A tree at a git ref, read straight from the object store (no checkout): `ls-tree` names the
 * blobs, one `cat-file --batch` process streams them all.
 */
function git(repo: string, args: readonly string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]}: ${Buffer.concat(err).toString("utf8").trim() || `exit ${code}`}`));
    });
    // git may exit before reading its input (an unknown ref): the exit code tells, not EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}

/** The commit a ref names, with a message that tells a missing repository from a missing ref. */
async function commitOf(repo: string, ref: string): Promise<string> {
  await git(repo, ["rev-parse", "--git-dir"]).catch(() => {
    throw new Error(`not a git repository: ${repo}`);
  });
  const commit = await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => {
    throw new Error(`unknown git ref: ${ref}`);
  });
  return commit.toString("utf8").trim();
}

/**
 * What a PR from `head` into `base` changes, as GitHub's diff shows it: the tree at their merge
 * base, not at the base branch's tip (changes that landed on the base branch since the branch
 * point are not the PR's).
 */
export async function mergeBaseOf(repo: string, base: string, head: string): Promise<string> {
  const [baseCommit, headCommit] = await Promise.all([commitOf(repo, base), commitOf(repo, head)]);
  const found = await git(repo, ["merge-base", baseCommit, headCommit]).catch(() => {
    throw new Error(`${base} and ${head} have no common ancestor: compare their trees as they are with --two-dot`);
  });
  return found.toString("utf8").trim();
}

/**
 * Blob texts by object id, handed from one tree's read to the next: the trees of a PR share most
 * blobs, and a blob read once is one string for both (each read only takes what it lacks).
 */
export type BlobTexts = Map<string, string>;

export async function readGitTree(repo: string, ref: string, known: BlobTexts = new Map()): Promise<SourceTree> {
  const commit = await commitOf(repo, ref);
  const listing = (await git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit])).toString("utf8");
  const blobs: { sha: string; path: string; link: boolean }[] = [];
  // Other regular files, in case a kustomization names one (read after the reviewed files).
  const others = new Map<string, string>();
  const tree: SourceTree = { files: [], links: [], submodules: [] };
  for (const line of listing.split("\0")) {
    // A submodule (mode 160000) records a commit of another repository, whose files are not here.
    const gitlink = /^160000 commit ([0-9a-f]+)\t(.+)$/s.exec(line);
    if (gitlink) tree.submodules.push({ path: gitlink[2]!, commit: gitlink[1]! });
    // A symlink (mode 120000) stores its target path as its blob: read in the same batch, kept apart from files.
    const match = /^(100644|100755|120000) blob ([0-9a-f]+)\t(.+)$/s.exec(line);
    if (!match) continue;
    const link = match[1] === "120000";
    if (link || isReviewedPath(match[3]!)) blobs.push({ sha: match[2]!, path: match[3]!, link });
    else others.set(match[3]!, match[2]!);
  }
  // Looked up only when git lacks a blob: a shallow or partial clone's failure, named by its file.
  const absent = (sha: string) =>
    `${blobs.find((blob) => blob.sha === sha)?.path ?? [...others].find(([, other]) => other === sha)?.[0] ?? sha} at ${ref} (blob ${sha.slice(0, 12)}) is not in the repository's object store: a shallow or partial clone that cannot fetch it? Fetch it, or review a full clone`;
  const read = async (shas: readonly string[]): Promise<string[]> => {
    const missing = [...new Set(shas.filter((sha) => !known.has(sha)))];
    const contents = missing.length === 0 ? [] : await catBlobs(repo, missing, defaultYamlLimits.maxReadBytes + 1, absent);
    missing.forEach((sha, i) => known.set(sha, contents[i] ? manifestText(contents[i]) : ""));
    return shas.map((sha) => known.get(sha)!);
  };
  const contents = await read(blobs.map((blob) => blob.sha));
  blobs.forEach((blob, i) => {
    const text = contents[i]!;
    if (blob.link) tree.links.push({ path: blob.path, target: text });
    else tree.files.push({ path: blob.path, text });
  });
  // Read as bytes: a generator's input may be binary (see renderInputFile).
  const named = namedRenderInputs(tree.files).filter((path) => others.has(path));
  const namedBlobs = named.map((path) => others.get(path)!);
  const namedContents = namedBlobs.length === 0 ? [] : await catBlobs(repo, namedBlobs, defaultYamlLimits.maxFileBytes + 1, absent);
  named.forEach((path, i) => tree.files.push(renderInputFile(path, namedContents[i]!)));
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
  tree.files.sort(byPath);
  tree.links.sort(byPath);
  return tree;
}

/**
 * The blobs' bytes from one `cat-file --batch` stream, each cut at `keep` bytes: a huge blob is
 * skipped as it streams past, so it is never held whole (the loader refuses the cut text by name).
 */
function catBlobs(repo: string, shas: readonly string[], keep: number, absent: (sha: string) => string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repo, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    const texts: Buffer[] = [];
    const err: Buffer[] = [];
    let header: Buffer[] = [];
    // Bytes of the current blob still to come (its content, then the LF git writes after it).
    let remaining = -1;
    let kept: Buffer[] = [];
    let keptBytes = 0;
    child.stdout.on("data", (data: Buffer) => {
      let at = 0;
      while (at < data.length) {
        if (remaining < 0) {
          const newline = data.indexOf(0x0a, at);
          header.push(data.subarray(at, newline === -1 ? data.length : newline));
          if (newline === -1) return;
          at = newline + 1;
          const fields = Buffer.concat(header).toString("utf8").split(" ");
          header = [];
          if (fields[1] !== "blob") {
            child.kill();
            reject(new Error(fields[1] === "missing" ? absent(fields[0]!) : `git cat-file: ${fields.join(" ")}`));
            return;
          }
          remaining = Number(fields[2]) + 1;
          continue;
        }
        const take = Math.min(remaining, data.length - at);
        const wanted = Math.min(take, keep - keptBytes, remaining - 1);
        if (wanted > 0) {
          kept.push(data.subarray(at, at + wanted));
          keptBytes += wanted;
        }
        at += take;
        remaining -= take;
        if (remaining === 0) {
          texts.push(Buffer.concat(kept));
          kept = [];
          keptBytes = 0;
          remaining = -1;
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && texts.length === shas.length) resolve(texts);
      else reject(new Error(`git cat-file: ${Buffer.concat(err).toString("utf8").trim() || `exit ${code}`}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(shas.join("\n") + "\n");
  });
}
