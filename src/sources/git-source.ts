import { spawn } from "node:child_process";
import type { SourceFile } from "../review.js";
import { isReviewedPath } from "./folder-source.js";

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

export async function readGitTree(repo: string, ref: string): Promise<SourceFile[]> {
  const commit = (await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => {
    throw new Error(`unknown git ref: ${ref}`);
  }))
    .toString("utf8")
    .trim();
  const listing = (await git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit])).toString("utf8");
  const blobs: { sha: string; path: string }[] = [];
  for (const line of listing.split("\0")) {
    // Regular files only: a symlink (mode 120000) stores its target path, as the App's reader skips it too.
    const match = /^100(?:644|755) blob ([0-9a-f]+)\t(.+)$/s.exec(line);
    if (match && isReviewedPath(match[2]!)) blobs.push({ sha: match[1]!, path: match[2]! });
  }
  if (blobs.length === 0) return [];
  const batch = await git(repo, ["cat-file", "--batch"], blobs.map((blob) => blob.sha).join("\n") + "\n");
  const files: SourceFile[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = batch.indexOf(0x0a, offset);
    const size = Number(batch.toString("utf8", offset, headerEnd).split(" ")[2]);
    files.push({ path: blob.path, text: batch.toString("utf8", headerEnd + 1, headerEnd + 1 + size) });
    offset = headerEnd + 1 + size + 1;
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
