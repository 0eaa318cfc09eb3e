import { createHash } from "node:crypto";
import { listed } from "../core/listed-names.js";
import type { ProbotOctokit } from "probot";
import type { Group } from "../policy/policy-schema.js";
import type { SourceFile, Submodule, SymbolicLink } from "../review.js";
import { isReviewedPath, type SourceTree } from "../sources/folder-source.js";
import { namedRenderInputs } from "../render/kustomize-tree.js";
import { manifestText, renderInputFile } from "../core/source-file.js";
import { defaultYamlLimits } from "../manifests/yaml-documents.js";
import { governedTrees } from "../policy/governed-trees.js";
import { POLICY_PATHS } from "../policy/load-policy.js";
import { defaultTarballLimits, readGzippedTarball, type ArchivedFile } from "./tarball.js";
import {
  isBotLogin,
  listedUser,
  permissionAtLeast,
  repositoryPermission,
  type CommentFacts,
  type CommitAuthors,
  type Permission,
  type PullRequestFacts,
  type PullRequestSource,
  type ReportFacts,
  type ReviewFacts,
  type ReviewedRange,
  type ReviewState,
} from "./pull-request-source.js";

/**
 * The GitHub-backed PullRequestSource. API economy (DESIGN §12): one evaluation reads the PR
 * once, each side (base and head SHA) with two calls made in parallel — the repository tarball
 * (`GET /tarball/{sha}`, answered by a redirect to codeload) for the contents and the recursive
 * tree for git's own list of paths and blob ids — then comments, reviews and commits (paginated,
 * 100 a page). Reading the files costs 5 calls whether the PR changes 1 file or 300, and covers
 * the whole tree at both SHAs, not only the changed files.
 *
 * Why the tree as well: `git archive` honours `.gitattributes` — `export-ignore` drops files (and
 * can drop the `.gitattributes` that says so), `export-subst`, `ident` and `eol` rewrite them,
 * Git LFS may swap in other content — so a PR could add a route the archive hides, or show the
 * review other bytes than git merges. Every YAML blob of the tree must be in the archive with
 * exactly its blob id, or the read fails closed.
 */
export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

/** GitHub could not give a complete, trustworthy picture: the check fails closed with this message. */
export class IncompleteReadError extends Error {
  override readonly name = "IncompleteReadError";
}

const SYMLINK = "120000";
/** Generator inputs and the like are a handful per tree: more is a request budget spent on files that are not traffic config. */
const MAX_NAMED_INPUTS = 200;
/** The most commits GitHub's "list commits on a pull request" returns, however it is paginated. */
export const MAX_LISTED_COMMITS = 250;
/** The committer GitHub records for commits made through its web UI and API. */
const WEB_FLOW = "web-flow";

const short = (sha: string): string => sha.slice(0, 12);
const short7 = (sha: string): string => sha.slice(0, 7);

/** git's object id of a blob: SHA-1 over `blob <size>\0` and the bytes. */
const gitBlobId = (bytes: Uint8Array): string => createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");

/** How the trees to compare are chosen; the Action decides it from its own clone. */
export type RangeOfPullRequest = (
  baseSha: string,
  headSha: string,
  mergeable: boolean | null | undefined,
  mergeSha: string | null | undefined,
) => Promise<ReviewedRange>;

export function gitHubPullRequest(octokit: ProbotOctokit, ref: PullRequestRef, range?: RangeOfPullRequest): PullRequestSource {
  const { owner, repo, number } = ref;
  const memo = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= read());
  };
  const cached = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let value = cache.get(key);
    if (!value) cache.set(key, (value = read()));
    return value;
  };

  const pullRequest = memo(async (): Promise<PullRequestFacts> => {
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    const reviewed = await (range ?? reviewedRange)(data.base.sha, data.head.sha, data.mergeable, data.merge_commit_sha);
    return {
      owner,
      repo,
      number,
      author: data.user.login,
      baseRef: data.base.ref,
      baseSha: data.base.sha,
      headSha: data.head.sha,
      headBranch: { ref: data.head.ref, ...(data.head.repo ? { repo: data.head.repo.full_name } : {}) },
      body: data.body ?? "",
      bodyUpdatedAt: data.updated_at,
      draft: data.draft ?? false,
      state: data.merged ? "merged" : data.state === "closed" ? "closed" : "open",
      labels: data.labels.map((label) => label.name),
      reviewed,
    };
  });

  /**
   * The test-merge commit counts only when GitHub says the PR is mergeable and the commit's second
   * parent is the head we were given (it lags a push until GitHub recomputes it). One more call
   * either way: the merge commit's parents, or the merge base from the compare API.
   */
  async function reviewedRange(
    baseSha: string,
    headSha: string,
    mergeable: boolean | null | undefined,
    mergeSha: string | null | undefined,
  ): Promise<ReviewedRange> {
    let why: string;
    if (mergeable === true && mergeSha) {
      const { data } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: mergeSha });
      const [tip, merged] = data.parents.map((parent) => parent.sha);
      if (tip && merged === headSha) {
        return {
          mode: "test-merge",
          baseSha: tip,
          headSha: mergeSha,
          description: `the merge result: base tip ${short7(tip)} → GitHub's test-merge commit ${short7(mergeSha)} of head ${short7(headSha)}`,
        };
      }
      why = "GitHub's test-merge commit is for an older head";
    } else {
      why =
        mergeable === false
          ? "the pull request has merge conflicts, so GitHub has no test-merge commit"
          : "GitHub has not computed the test-merge commit yet";
    }
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner, repo, basehead: `${baseSha}...${headSha}`, per_page: 1 });
    const mergeBase = data.merge_base_commit.sha;
    return {
      mode: "merge-base",
      baseSha: mergeBase,
      headSha,
      description: `merge base ${short7(mergeBase)} → head ${short7(headSha)} (${why}; changes on the base branch since are not in this review)`,
    };
  }

  /**
   * The policy files at the base branch's tip (either spelling), as git stores them (none when there
   * is none). Not through a symlink: the contents API follows one, where the trees read from
   * archives do not.
   */
  const tipPolicyFile = async (sha: string, path: string): Promise<SourceFile[]> => {
    try {
      const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref: sha });
      if (Array.isArray(data) || data.type !== "file" || data.path !== path) return [];
      if (data.encoding !== "base64")
        throw new IncompleteReadError(`${path} at ${short(sha)} is too large for GitHub to return: Route Governor cannot read the policy`);
      return [{ path, text: manifestText(Buffer.from(data.content, "base64")) }];
    } catch (error) {
      if ((error as { status?: number }).status === 404) return [];
      throw error;
    }
  };
  const tipPolicy = async (sha: string): Promise<SourceFile[]> =>
    (await Promise.all(POLICY_PATHS.map((path) => tipPolicyFile(sha, path)))).flat();

  const readSide = gitHubTrees(octokit, { owner, repo });
  const sides = new Map<string, Promise<SourceTree>>();
  const read = (sha: string) => cached(sides, sha, () => readSide(sha));
  /**
   * Both sides as the review and the policy take them when the review starts from the merge base:
   * the policy is still the base tip's (policy/governed-trees.ts), at one call more.
   */
  const governed = memo(async (): Promise<{ base: SourceTree; head: SourceTree }> => {
    const pr = await pullRequest();
    const [base, head, policy] = await Promise.all([read(pr.reviewed.baseSha), read(pr.reviewed.headSha), tipPolicy(pr.baseSha)]);
    const files = governedTrees(base.files, head.files, policy);
    return { base: { ...base, files: files.base }, head: { ...head, files: files.head } };
  });
  // A test merge's base is the tip itself, as is a merge base that is still the tip.
  const side = async (which: "base" | "head"): Promise<SourceTree> => {
    const pr = await pullRequest();
    if (pr.reviewed.mode === "merge-base" && pr.reviewed.baseSha !== pr.baseSha) return (await governed())[which];
    return read(which === "base" ? pr.reviewed.baseSha : pr.reviewed.headSha);
  };
  const tree = async (which: "base" | "head"): Promise<SourceFile[]> => (await side(which)).files;
  const links = async (which: "base" | "head"): Promise<SymbolicLink[]> => (await side(which)).links;
  const submodules = async (which: "base" | "head"): Promise<Submodule[]> => (await side(which)).submodules;

  const comments = memo(async (): Promise<CommentFacts[]> => {
    const list = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: number, per_page: 100 });
    return list.map((comment) => ({
      id: comment.id,
      author: comment.user?.login ?? "ghost",
      authorIsBot: isBotLogin(comment.user?.login ?? "", comment.user?.type),
      ...(comment.performed_via_github_app ? { appId: comment.performed_via_github_app.id } : {}),
      body: comment.body ?? "",
      createdAt: comment.created_at,
      updatedAt: comment.updated_at,
      url: comment.html_url,
    }));
  });

  const reviews = memo(async (): Promise<ReviewFacts[]> => {
    const list = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: number, per_page: 100 });
    return list
      .filter((review) => review.submitted_at)
      .map((review) => ({
        id: review.id,
        author: review.user?.login ?? "ghost",
        authorIsBot: isBotLogin(review.user?.login ?? "", review.user?.type),
        state: review.state as ReviewState,
        submittedAt: review.submitted_at!,
        commitId: review.commit_id ?? "",
      }));
  });

  /**
   * Everyone GitHub links to a commit of the PR as its author or committer: whoever committed or
   * rebased a change also wrote what is merged, so cannot approve it. `web-flow` is GitHub itself,
   * committing for web edits and merges; counting it would only stop nobody. Co-authored-by
   * trailers name emails, not logins, so they are not mapped. A commit GitHub links to no login
   * (an e-mail on no account) and a list cut at 250 commits are counted, not guessed at.
   */
  const commitAuthors = memo(async (): Promise<CommitAuthors> => {
    const list = await octokit.paginate(octokit.rest.pulls.listCommits, { owner, repo, pull_number: number, per_page: 100 });
    const logins = list.flatMap((commit) => [commit.author?.login, commit.committer?.login]);
    return {
      logins: [...new Set(logins.filter((login): login is string => !!login && login.toLowerCase() !== WEB_FLOW))],
      shas: list.map((commit) => commit.sha),
      unlinkedCommits: list.filter((commit) => !commit.author?.login || !commit.committer?.login).length,
      truncated: list.length >= MAX_LISTED_COMMITS,
    };
  });

  const memberships = new Map<string, Promise<boolean>>();
  const permissions = new Map<string, Promise<Permission>>();
  const notFound = (error: unknown): boolean => (error as { status?: number }).status === 404;

  const teamMember = (team: string, login: string): Promise<boolean> =>
    cached(memberships, `${team.toLowerCase()}:${login.toLowerCase()}`, async () => {
      const [org, slug] = team.split("/") as [string, string];
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
        return data.state === "active";
      } catch (error) {
        if (notFound(error)) return false;
        throw error;
      }
    });

  const permissionOf = (login: string): Promise<Permission> =>
    cached(permissions, login.toLowerCase(), async () => {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
        return repositoryPermission(data);
      } catch (error) {
        if (notFound(error)) return "none";
        throw error;
      }
    });

  const isMember = async (login: string, group: Group): Promise<boolean> => {
    if (listedUser(login, group)) return true;
    for (const team of group.teams) if (await teamMember(team, login)) return true;
    return group.permission !== undefined && permissionAtLeast(await permissionOf(login), group.permission);
  };

  // The run's external id starts with the PR's number (publish.ts): PRs sharing a commit share its runs.
  const reports = async (sha: string, appId: number): Promise<ReportFacts[]> => {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      owner,
      repo,
      ref: sha,
      app_id: appId,
      filter: "all",
      per_page: 100,
    });
    return runs
      .filter((run) => run.app?.id === appId && (run.external_id ?? "").split(":")[0] === String(number))
      .sort((a, b) => b.id - a.id)
      .map((run) => ({ id: run.id, sha: run.head_sha, text: run.output.text ?? "" }));
  };

  const labelledBy = async (appId: number): Promise<boolean> => {
    const events = await octokit.paginate(octokit.rest.issues.listEvents, { owner, repo, issue_number: number, per_page: 100 });
    return events.some((event) => event.event === "labeled" && event.performed_via_github_app?.id === appId);
  };

  return {
    pullRequest,
    tree,
    links,
    submodules,
    comments,
    reviews,
    commitAuthors,
    isMember,
    reports,
    labelledBy,
  };
}

/**
 * Reads the reviewed files, symlinks and submodules of a repository at one commit: the tarball for
 * the contents, checked blob by blob against the recursive tree (see gitHubPullRequest).
 */
export function gitHubTrees(
  octokit: ProbotOctokit,
  ref: { readonly owner: string; readonly repo: string },
): (sha: string) => Promise<SourceTree> {
  const { owner, repo } = ref;
  /**
   * Reviewed blobs and symlinks of the tree at `sha`, by path, its submodules (entries of type
   * `commit`, mode 160000: the archive holds none of their files), and the other blobs' ids, in case
   * a kustomization names one.
   */
  const listTree = async (
    sha: string,
  ): Promise<{ reviewed: Map<string, { sha: string; link: boolean }>; submodules: Submodule[]; others: Map<string, string> }> => {
    const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: "1" });
    if (data.truncated) {
      throw new IncompleteReadError(
        `the file tree of ${short(sha)} is too large for GitHub to list in one response (truncated): Route Governor cannot review this repository completely`,
      );
    }
    const reviewed = new Map<string, { sha: string; link: boolean }>();
    const submodules: Submodule[] = [];
    const others = new Map<string, string>();
    for (const entry of data.tree) {
      if (entry.type === "commit" && entry.path && entry.sha) submodules.push({ path: entry.path, commit: entry.sha });
      if (entry.type !== "blob" || !entry.path || !entry.sha) continue;
      if (entry.mode === SYMLINK || isReviewedPath(entry.path)) reviewed.set(entry.path, { sha: entry.sha, link: entry.mode === SYMLINK });
      // One too big to review is left out: kustomize then names it in the render's failure.
      else if ((entry.size ?? 0) <= defaultYamlLimits.maxFileBytes) others.set(entry.path, entry.sha);
    }
    return { reviewed, submodules, others };
  };

  /** Files a kustomization names that the archive's read left out (a generator's `redis.conf`): a blob each, by id. */
  const readNamed = async (files: readonly SourceFile[], others: ReadonlyMap<string, string>): Promise<SourceFile[]> => {
    const named = namedRenderInputs(files).filter((path) => others.has(path));
    if (named.length > MAX_NAMED_INPUTS) {
      throw new IncompleteReadError(
        `kustomizations of this tree name ${named.length} files besides its YAML (at most ${MAX_NAMED_INPUTS} are read): Route Governor cannot render it completely`,
      );
    }
    return Promise.all(
      named.map(async (path) => {
        const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: others.get(path)! });
        return renderInputFile(path, Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8"));
      }),
    );
  };

  /**
   * The archive's reviewed files and symlinks, read as the body streams in (parseSuccessResponseBody:
   * false hands over the body unread): a repository's other bytes pass through without being held.
   */
  const readArchive = async (sha: string, signal: AbortSignal): Promise<Map<string, ArchivedFile>> => {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
      owner,
      repo,
      ref: sha,
      request: { parseSuccessResponseBody: false, signal },
    });
    if (!(data instanceof ReadableStream)) throw new IncompleteReadError(`the archive of ${short(sha)} did not come back as a byte stream`);
    const accept = (path: string, symlink: boolean) => symlink || isReviewedPath(path);
    const files = await readGzippedTarball(data as ReadableStream<Uint8Array>, accept, defaultTarballLimits, signal);
    return new Map(files.map((file) => [file.path, file]));
  };

  // A symlink's blob is its target, which the archive carries as a symlink entry: checked like a file's bytes.
  const readSide = async (sha: string): Promise<SourceTree> => {
    // A tree listing that fails leaves nothing to check the archive against: its download stops too.
    const stop = new AbortController();
    const tree = listTree(sha).catch((error: unknown) => {
      stop.abort(error);
      throw error;
    });
    const [{ reviewed: blobs, submodules, others }, archived] = await Promise.all([tree, readArchive(sha, stop.signal)]);
    const missing = [...blobs.keys()].filter((path) => !archived.has(path));
    const altered = [...blobs]
      .filter(
        ([path, blob]) =>
          archived.has(path) && (gitBlobId(archived.get(path)!.bytes) !== blob.sha || (archived.get(path)!.symlink === true) !== blob.link),
      )
      .map(([path]) => path);
    if (missing.length > 0) {
      throw new IncompleteReadError(
        `the archive of ${short(sha)} leaves out ${listed(missing, 5)}, which git has (a .gitattributes export-ignore?): Route Governor cannot review this tree completely`,
      );
    }
    if (altered.length > 0) {
      throw new IncompleteReadError(
        `the archive of ${short(sha)} differs from git for ${listed(altered, 5)} (a .gitattributes export-subst, ident or eol rewrite, or Git LFS content?): Route Governor reviews only what git stores`,
      );
    }
    const text = (path: string) => manifestText(Buffer.from(archived.get(path)!.bytes));
    const files: SourceFile[] = [];
    const links: SymbolicLink[] = [];
    for (const [path, blob] of blobs) {
      if (blob.link) links.push({ path, target: text(path) });
      else files.push({ path, text: text(path) });
    }
    files.push(...(await readNamed(files, others)));
    return { files, links, submodules };
  };

  return readSide;
}
