import type { Octokit } from "@octokit/rest";
import type { ProbotOctokit } from "probot";
import { ledgerBlock } from "../github/approval-ledger.js";
import { buildLedger } from "../governance/ledger.js";
import { gitHubPullRequest, type PullRequestRef } from "../github/github-pull-request.js";
import type { CommentFacts, PullRequestSource } from "../github/pull-request-source.js";
import { COMMENT_MARKER, isLivingComment } from "../report/pr-comment.js";
import { POLICY_PATHS } from "../policy/load-policy.js";
import { governedTrees } from "../policy/governed-trees.js";
import { readGitTree, type BlobTexts } from "../sources/git-source.js";
import type { SourceTree } from "../sources/folder-source.js";
import { fetchMergeBase, fileAt } from "./git-history.js";

/**
 * The Action's view of a PR: the App's GitHub reader for the PR, its comments, reviews, commits
 * and group memberships (the same calls with the job's token), and the workspace clone for the
 * trees, which is what the Action has that the App does not.
 *
 * The trees are merge-base(base, head) → head, as GitHub's diff shows the PR. The policy is still
 * the base branch tip's, as in the App: a PR branched before the policy was tightened is governed
 * by the tightened policy, and a PR that leaves the policy file alone does not appear to change it.
 *
 * Approvals: the App ties an `/approve` to the findings it saw through the ledger it keeps in its
 * own comment, signed with its webhook secret. The Action has no secret that lasts between runs,
 * so it keeps no ledger: each run counts an approval for the current findings when it was posted
 * after GitHub first saw the head commit (the oldest check suite on it), and no other. It hands
 * the evaluation that fact the way the App records it, as a ledger known since that time, signed
 * with a key of this run and never written anywhere.
 */
export interface ActionSource extends PullRequestSource {
  /** What the evaluation's notes cannot say: why comment approvals do not count in this run. */
  readonly notes: () => Promise<string[]>;
}

const stamp = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The author the run's in-memory ledger claims: no GitHub App has id 0, so no comment on GitHub
 * can pass for it, and the evaluation reads this one alone as its own.
 */
export const RUN_LEDGER_APP_ID = 0;

/** `secret`: the key the evaluation verifies ledgers with; one per run. */
export function actionPullRequest(octokit: Octokit, ref: PullRequestRef, workspace: string, now: Date, secret: string): ActionSource {
  // The App's reader types its client as Probot's Octokit; the calls it makes are @octokit/rest's.
  // The clone has both commits: the merge base comes from git, as GitHub's PR diff shows it.
  const api = gitHubPullRequest(octokit as unknown as ProbotOctokit, ref, async (baseSha, headSha) => {
    const mergeBase = await fetchMergeBase(workspace, baseSha, headSha);
    return {
      mode: "merge-base",
      baseSha: mergeBase,
      headSha,
      description: `merge base ${mergeBase.slice(0, 7)} → head ${headSha.slice(0, 7)}, what the PR's diff shows`,
    };
  });
  const memo = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= read());
  };

  const trees = memo(async (): Promise<{ base: SourceTree; head: SourceTree }> => {
    const pr = await api.pullRequest();
    // The head after the base: it reads only the blobs the base did not have.
    const blobs: BlobTexts = new Map();
    const [base, tipPolicy] = await Promise.all([
      readGitTree(workspace, pr.reviewed.baseSha, blobs),
      Promise.all(POLICY_PATHS.map(async (path) => ({ path, text: await fileAt(workspace, pr.baseSha, path) }))),
    ]);
    const head = await readGitTree(workspace, pr.headSha, blobs);
    const tipFiles = tipPolicy.flatMap(({ path, text }) => (text === undefined ? [] : [{ path, text }]));
    const files = governedTrees(base.files, head.files, tipFiles);
    return {
      base: { files: files.base, links: base.links, submodules: base.submodules },
      head: { files: files.head, links: head.links, submodules: head.submodules },
    };
  });

  /** When GitHub first saw the head commit, or undefined when it will not say (no `checks: read`). */
  const headSeenAt = memo(async (): Promise<string | undefined> => {
    const pr = await api.pullRequest();
    try {
      const suites = await octokit.paginate(octokit.rest.checks.listSuitesForRef, {
        owner: ref.owner,
        repo: ref.repo,
        ref: pr.headSha,
        per_page: 100,
      });
      return suites
        .map((suite) => suite.created_at)
        .filter((at): at is string => !!at)
        .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404) return undefined;
      throw error;
    }
  });

  const runLedger = async (): Promise<CommentFacts[]> => {
    const [pr, since] = await Promise.all([api.pullRequest(), headSeenAt()]);
    if (since === undefined) return [];
    const written = stamp(now);
    const ledger = { ...buildLedger(`${ref.owner}/${ref.repo}#${ref.number}`, { sha: pr.headSha, since }, []), written };
    const body = `${COMMENT_MARKER}\n${ledgerBlock(ledger, secret)}`;
    return [
      {
        id: 0,
        author: "route-governor-action",
        authorIsBot: true,
        appId: RUN_LEDGER_APP_ID,
        body,
        createdAt: written,
        updatedAt: written,
        url: "",
      },
    ];
  };

  return {
    pullRequest: api.pullRequest,
    tree: async (side) => (await trees())[side].files,
    links: async (side) => (await trees())[side].links,
    submodules: async (side) => (await trees())[side].submodules,
    // The App's own comments carry a ledger signed with a secret the Action does not have: left out, not reported as forged.
    comments: async () => [
      ...(await runLedger()),
      ...(await api.comments()).filter((comment) => !(comment.authorIsBot && isLivingComment(comment.body))),
    ],
    reviews: api.reviews,
    commitAuthors: api.commitAuthors,
    isMember: api.isMember,
    notes: async () => {
      if ((await headSeenAt()) !== undefined) return [];
      const pr = await api.pullRequest();
      return [
        `GitHub did not say when head ${pr.headSha.slice(0, 7)} was pushed (the job needs the checks: read permission), so /approve comments cannot be tied to it and do not count; approve with a GitHub review of this head instead.`,
      ];
    },
  };
}
