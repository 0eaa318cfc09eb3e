import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A throwaway git repository with one commit, read back the way GitHub serves it: the tarball
 * (`git archive`, tar.gz, under `acme-traffic-<sha7>/` unless another `prefix` is given) and the recursive tree listing (path, mode, type, blob id).
 */
export interface CommittedRepository {
  readonly commit: string;
  readonly archive: Buffer;
  readonly tree: { path: string; mode: string; type: string; sha: string }[];
}

/** The recursive tree of HEAD as GitHub's tree listing gives it, from `git` run in the repository. */
export const treeEntries = (git: (...args: string[]) => Buffer): CommittedRepository["tree"] =>
  git("ls-tree", "-r", "-z", "--full-tree", "HEAD")
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split("\t") as [string, string];
      const [mode, type, sha] = meta.split(" ") as [string, string, string];
      return { path, mode, type, sha };
    });

export function commitAndArchive(
  files: Readonly<Record<string, string | Uint8Array>>,
  options: { symlinks?: Record<string, string>; prefix?: string } = {},
): CommittedRepository {
  const dir = mkdtempSync(join(tmpdir(), "rg-git-"));
  const git = (...args: string[]): Buffer =>
    execFileSync("git", ["-c", "user.name=Ana", "-c", "user.email=ana@example.com", "-c", "core.symlinks=true", ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    for (const [path, target] of Object.entries(options.symlinks ?? {})) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      symlinkSync(target, join(dir, path));
    }
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "traffic change");
    const commit = git("rev-parse", "HEAD").toString().trim();
    const archive = git("archive", "--format=tar.gz", `--prefix=${options.prefix ?? `acme-traffic-${commit.slice(0, 7)}/`}`, "HEAD");
    return { commit, archive, tree: treeEntries(git) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
