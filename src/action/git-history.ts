import { execFile } from "node:child_process";
import { promisify } from "node:util";

/**
 * What the runner's checkout lacks. actions/checkout fetches one commit (the PR's merge commit)
 * by default; the review needs the base and head commits and their merge base. They are fetched
 * by SHA (GitHub serves any reachable commit), then deepened until the merge base is there.
 */
const run = promisify(execFile);

const git = async (repo: string, args: readonly string[]): Promise<string> =>
  (await run("git", ["-C", repo, ...args], { maxBuffer: 16 * 1024 * 1024 })).stdout;

const succeeds = (repo: string, args: readonly string[]): Promise<boolean> =>
  git(repo, args).then(
    () => true,
    () => false,
  );

const FIRST_DEPTH = 50;
const DEEPENINGS = 4;

/**
 * The merge base of `base` and `head` in the workspace clone, fetching from `origin` what is
 * missing: both commits at depth 50, then four deepenings by 4× the last, then the whole history.
 */
export async function fetchMergeBase(repo: string, base: string, head: string): Promise<string> {
  const missing = [];
  for (const sha of [base, head]) if (!(await succeeds(repo, ["cat-file", "-e", `${sha}^{commit}`]))) missing.push(sha);
  if (missing.length > 0) await git(repo, ["fetch", "--no-tags", "--quiet", `--depth=${FIRST_DEPTH}`, "origin", ...missing]);
  let deepen = FIRST_DEPTH;
  for (let attempt = 0; ; attempt++) {
    const found = (await git(repo, ["merge-base", base, head]).catch(() => "")).trim();
    if (found) return found;
    if ((await git(repo, ["rev-parse", "--is-shallow-repository"])).trim() !== "true") {
      throw new Error(
        `${base.slice(0, 7)} and ${head.slice(0, 7)} have no common ancestor: Route Governor cannot tell what the pull request changes`,
      );
    }
    deepen *= 4;
    const how = attempt < DEEPENINGS ? `--deepen=${deepen}` : "--unshallow";
    await git(repo, ["fetch", "--no-tags", "--quiet", how, "origin", base, head]);
  }
}

/** The text of one file at a commit, or undefined when the commit has no such file. */
export const fileAt = (repo: string, sha: string, path: string): Promise<string | undefined> =>
  git(repo, ["cat-file", "blob", `${sha}:${path}`]).then(
    (text) => text,
    () => undefined,
  );
