import type { ProbotOctokit } from "probot";
import * as z from "zod";
import type { Group } from "../policy/policy-schema.js";
import type { SourceFile } from "../review.js";
import { isReviewedPath } from "../sources/folder-source.js";
import {
  isBotLogin,
  listedUser,
  permissionAtLeast,
  type CommentFacts,
  type Permission,
  type PullRequestFacts,
  type PullRequestSource,
  type ReviewFacts,
  type ReviewState,
} from "./pull-request-source.js";

/**
 * The GitHub-backed PullRequestSource. API economy (DESIGN §12): both trees are listed with one
 * recursive call each, the YAML blobs of both sides are deduplicated by SHA (an unchanged file is
 * read once) and read through GraphQL in batches of up to 100 aliases; REST `git/blobs` is only
 * the fallback for a text GraphQL truncated. So reading a PR costs 2 + ⌈distinct blobs / 100⌉
 * calls, never one call per file.
 */
export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

export const BLOB_BATCH = 100;

const SHA = /^[0-9a-f]{40,64}$/;

const BlobSchema = z.object({ text: z.string().nullable(), isBinary: z.boolean().nullable(), isTruncated: z.boolean(), byteSize: z.number() }).nullable();
const BlobBatchSchema = z.object({ repository: z.record(z.string(), BlobSchema).nullable() });

/** GitHub could not give a complete, trustworthy picture: the check fails closed with this message. */
export class IncompleteReadError extends Error {
  override readonly name = "IncompleteReadError";
}

export function gitHubPullRequest(octokit: ProbotOctokit, ref: PullRequestRef): PullRequestSource {
  const { owner, repo, number } = ref;
  const memo = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= read());
  };

  const pullRequest = memo(async (): Promise<PullRequestFacts> => {
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    return {
      owner,
      repo,
      number,
      author: data.user.login,
      baseRef: data.base.ref,
      baseSha: data.base.sha,
      headSha: data.head.sha,
      body: data.body ?? "",
      bodyUpdatedAt: data.updated_at,
      draft: data.draft ?? false,
      state: data.state === "closed" ? "closed" : "open",
      labels: data.labels.map((label) => label.name),
    };
  });

  const listTree = async (sha: string): Promise<{ path: string; sha: string }[]> => {
    const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: "1" });
    if (data.truncated) {
      throw new IncompleteReadError(`the file tree of ${sha.slice(0, 12)} is too large for GitHub to list in one response (truncated): Route Governor cannot review this repository completely`);
    }
    return data.tree.filter((entry) => entry.type === "blob" && entry.path && entry.sha && isReviewedPath(entry.path)).map((entry) => ({ path: entry.path!, sha: entry.sha! }));
  };

  const readBlobBatch = async (shas: readonly string[]): Promise<Map<string, string>> => {
    const fields = shas.map((sha, index) => {
      if (!SHA.test(sha)) throw new IncompleteReadError(`unexpected blob id ${JSON.stringify(sha)}`);
      return `b${index}: object(oid: "${sha}") { ... on Blob { text isBinary isTruncated byteSize } }`;
    });
    const raw = await octokit.graphql(`query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`, { owner, name: repo });
    const repository = BlobBatchSchema.parse(raw).repository;
    if (!repository) throw new IncompleteReadError(`repository ${owner}/${repo} not readable through GraphQL`);
    const texts = new Map<string, string>();
    for (const [index, sha] of shas.entries()) {
      const blob = repository[`b${index}`];
      if (!blob) throw new IncompleteReadError(`blob ${sha.slice(0, 12)} is missing`);
      texts.set(sha, blob.isBinary ? "" : blob.isTruncated || blob.text === null ? await readBlobRest(sha) : blob.text);
    }
    return texts;
  };

  const readBlobRest = async (sha: string): Promise<string> => {
    const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
    return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
  };

  const trees = memo(async (): Promise<{ base: SourceFile[]; head: SourceFile[] }> => {
    const pr = await pullRequest();
    const [base, head] = await Promise.all([listTree(pr.baseSha), listTree(pr.headSha)]);
    const distinct = [...new Set([...base, ...head].map((entry) => entry.sha))];
    const texts = new Map<string, string>();
    for (let start = 0; start < distinct.length; start += BLOB_BATCH) {
      for (const [sha, text] of await readBlobBatch(distinct.slice(start, start + BLOB_BATCH))) texts.set(sha, text);
    }
    const files = (entries: { path: string; sha: string }[]): SourceFile[] => entries.map((entry) => ({ path: entry.path, text: texts.get(entry.sha)! }));
    return { base: files(base), head: files(head) };
  });

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

  const commitAuthors = memo(async (): Promise<string[]> => {
    const list = await octokit.paginate(octokit.rest.pulls.listCommits, { owner, repo, pull_number: number, per_page: 100 });
    return [...new Set(list.flatMap((commit) => (commit.author?.login ? [commit.author.login] : [])))];
  });

  const memberships = new Map<string, Promise<boolean>>();
  const permissions = new Map<string, Promise<Permission>>();
  const cached = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let value = cache.get(key);
    if (!value) cache.set(key, (value = read()));
    return value;
  };
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
        const role = (data.role_name ?? data.permission) as string;
        return (["read", "triage", "write", "maintain", "admin"].includes(role) ? role : role === "pull" ? "read" : role === "push" ? "write" : "none") as Permission;
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

  return {
    pullRequest,
    tree: async (side) => (await trees())[side],
    comments,
    reviews,
    commitAuthors,
    isMember,
  };
}
