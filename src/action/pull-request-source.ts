import type { Octokit } from "@octokit/rest";
import type { ProbotOctokit } from "probot";
import * as z from "zod";
import { ledgerBlock } from "../github/approval-ledger.js";
import { buildLedger, withPushers } from "../governance/ledger.js";
import { gitHubPullRequest, type PullRequestRef } from "../github/github-pull-request.js";
import { isBotLogin, type CommentFacts, type PullRequestSource } from "../github/pull-request-source.js";
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
 * after the head became this PR's head (the newest \`pull_request\` run of the workflow on it), and
 * no other. It hands the evaluation that fact the way the App records it, as a ledger known since
 * that time, signed with a key of this run and never written anywhere. Who pushed to the PR comes
 * from the same runs (their actors), counted as commit authors.
 */
export interface ActionSource extends PullRequestSource {
  /** What the evaluation's notes cannot say: why comment approvals do not count in this run. */
  readonly notes: () => Promise<string[]>;
}

const stamp = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, "Z");
const short = (sha: string): string => sha.slice(0, 7);

/** What the workflow's runs tell of the pushes to the PR. */
interface Pushes {
  /** When the head became the PR's head (the newest pull_request run on it); unknown without \`unknown\`. */
  readonly since?: string;
  /** Who pushed to the PR's branch (the runs' actors). */
  readonly pushers: readonly string[];
  /** Why neither is known. */
  readonly unknown?: string;
}

const PUSHES_FIX =
  "run the workflow on pull_request with the actions: read permission (its runs record when and by whom each head was pushed), then approve again";

/** The runs read for one PR's branch, at most: a branch with more is not judged from some of them. */
const MAX_RUNS = 1_000;

const WorkflowRunSchema = z.object({
  event: z.string(),
  head_sha: z.string(),
  head_branch: z.string().nullable(),
  head_repository: z.object({ full_name: z.string() }).nullish(),
  created_at: z.iso.datetime({ offset: true }),
  actor: z.object({ login: z.string().min(1), type: z.string().optional() }).nullish(),
});
type WorkflowRun = z.infer<typeof WorkflowRunSchema>;

/**
 * The \`pull_request\` runs on branch \`ref\`, newest first: of this workflow when the runner names it
 * (the same file on the PR's side), else of every workflow (later runs only make a head newer).
 */
async function pullRequestRuns(
  octokit: Octokit,
  ref: PullRequestRef,
  workflow: string | undefined,
  branch: string,
): Promise<WorkflowRun[]> {
  const query = { owner: ref.owner, repo: ref.repo, event: "pull_request", branch, per_page: 100 };
  let read = 0;
  const stopAtMax = <T>(response: { data: T[] }, done: () => void): T[] => {
    if ((read += response.data.length) >= MAX_RUNS) done();
    return response.data;
  };
  const runs = workflow
    ? await octokit.paginate(octokit.rest.actions.listWorkflowRuns, { ...query, workflow_id: workflow }, stopAtMax)
    : await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, query, stopAtMax);
  return z.array(WorkflowRunSchema).parse(runs);
}

/**
 * The author the run's in-memory ledger claims: no GitHub App has id 0, so no comment on GitHub
 * can pass for it, and the evaluation reads this one alone as its own.
 */
export const RUN_LEDGER_APP_ID = 0;

/**
 * \`secret\`: the key the evaluation verifies ledgers with; one per run. \`workflow\`: the workflow's
 * file name (from GITHUB_WORKFLOW_REF), whose runs record the pushes.
 */
export function actionPullRequest(
  octokit: Octokit,
  ref: PullRequestRef,
  workspace: string,
  now: Date,
  secret: string,
  workflow?: string,
): ActionSource {
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

  /**
   * When the head became this PR's head, and who pushed to the PR, from the workflow's
   * \`pull_request\` runs for the PR's branch: GitHub starts one for every push to a PR (and when it
   * is opened or reopened), at that time, with the pusher as its actor. The newest run on the head
   * is never earlier than the push that made it the head, however long GitHub has known the commit
   * (an earlier head of the PR, or a commit first pushed to another branch: the oldest check suite
   * on it, used before, dated such a head from then). A head with no such run (the workflow not
   * run on \`pull_request\`, a \`[skip ci]\` commit), or runs GitHub will not list, leaves both unknown.
   */
  const pushes = memo(async (): Promise<Pushes> => {
    const pr = await api.pullRequest();
    const branch = pr.headBranch;
    if (!branch?.repo) return { pushers: [], unknown: `the repository of head ${short(pr.headSha)}'s branch no longer exists` };
    let runs: WorkflowRun[];
    try {
      runs = await pullRequestRuns(octokit, ref, workflow, branch.ref);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 403 || status === 404)
        return { pushers: [], unknown: "GitHub did not list the workflow's runs (the job needs the actions: read permission)" };
      throw error;
    }
    if (runs.length >= MAX_RUNS)
      return { pushers: [], unknown: `the PR's branch has ${MAX_RUNS} workflow runs or more, more than are read` };
    const ours = runs.filter(
      (run) => run.event === "pull_request" && run.head_branch === branch.ref && run.head_repository?.full_name === branch.repo,
    );
    const since = ours
      .filter((run) => run.head_sha === pr.headSha)
      .map((run) => run.created_at)
      .sort((a, b) => Date.parse(a) - Date.parse(b))
      .at(-1);
    if (since === undefined)
      return {
        pushers: [],
        unknown: `head ${short(pr.headSha)} has no pull_request run of this workflow, which would say when and by whom it was pushed`,
      };
    if (ours.some((run) => !run.actor)) return { pushers: [], unknown: "a pull_request run of the workflow names no actor" };
    const pushers = ours.flatMap((run) => (run.actor && !isBotLogin(run.actor.login, run.actor.type) ? [run.actor.login] : []));
    return { since, pushers: withPushers([], pushers) };
  });

  const runLedger = async (): Promise<CommentFacts[]> => {
    const [pr, { since }] = await Promise.all([api.pullRequest(), pushes()]);
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
    // Pushers count as commit authors: they wrote what is merged, whatever names the commits carry.
    commitAuthors: async () => {
      const [authors, { pushers, unknown }] = await Promise.all([api.commitAuthors(), pushes()]);
      return {
        ...authors,
        logins: withPushers(authors.logins, pushers),
        ...(unknown === undefined ? {} : { unknownPushers: { reason: `who pushed to the PR is not known: ${unknown}`, fix: PUSHES_FIX } }),
      };
    },
    isMember: api.isMember,
    notes: async () => {
      const { unknown } = await pushes();
      if (unknown === undefined) return [];
      const pr = await api.pullRequest();
      return [
        `Route Governor cannot tell when head ${short(pr.headSha)} became this PR's head, nor who pushed to the PR (${unknown}), so no /approve comment or review counts: ${PUSHES_FIX}.`,
      ];
    },
  };
}
