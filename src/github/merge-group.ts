import type { ProbotOctokit } from "probot";
import * as z from "zod";
import { decideMergeGroup, type GroupMember, type MergeGroupDecision } from "../governance/merge-group.js";
import { repositoryPolicy } from "../policy/load-policy.js";
import { evaluatePullRequest, type EvaluationOptions } from "./evaluate-pull-request.js";
import { gitHubPullRequest, gitHubTrees, IncompleteReadError } from "./github-pull-request.js";

/** The fields of a `merge_group.checks_requested` payload the App reads. */
export const MergeGroupSchema = z.object({
  head_sha: z.string().regex(/^[0-9a-f]{40}$/),
  head_ref: z.string().min(1).max(500),
  base_sha: z.string().regex(/^[0-9a-f]{40}$/),
  base_ref: z.string().min(1).max(500),
});
export type MergeGroup = z.infer<typeof MergeGroupSchema>;

/** More PRs than this in one group is refused (failing closed) rather than evaluated past the time budget. */
export const MAX_GROUP_PULLS = 10;

/** `refs/heads/main` → `main`. */
export const branchOf = (ref: string): string => ref.replace(/^refs\/heads\//, "");

/** The comparison's pages read at most (of 100 commits each) to find the group's PRs. */
const MAX_COMPARE_PAGES = 10;
const PER_PAGE = 100;

/** The group's PRs, and how many of its commits name none. */
interface GroupPulls {
  readonly pulls: readonly number[];
  readonly unnamed: number;
}

/**
 * The PRs whose changes the group commit holds. GitHub names the queued PR in the group's ref
 * (`gh-readonly-queue/<base>/pr-<number>-<sha>`); PRs queued ahead of it are in the same commit,
 * found by the merge or squash commits the queue wrote between the base and the group head
 * ("Merge pull request #N", "Title (#N)"), over every page of the comparison. A group too long to
 * read is refused (failing closed), and the commits that name no PR are counted for the report.
 */
async function groupPulls(octokit: ProbotOctokit, repo: { owner: string; repo: string }, group: MergeGroup): Promise<GroupPulls> {
  const named = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.head_ref)?.[1];
  const subjects: string[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${group.base_sha}...${group.head_sha}`,
      per_page: PER_PAGE,
      page,
    });
    subjects.push(...data.commits.map((commit) => commit.commit.message.split("\n")[0] ?? ""));
    if (data.commits.length < PER_PAGE || subjects.length >= data.total_commits) break;
    if (page === MAX_COMPARE_PAGES)
      throw new IncompleteReadError(
        `the merge group holds ${data.total_commits} commits; Route Governor reads at most ${MAX_COMPARE_PAGES * PER_PAGE} to find the pull requests in it`,
      );
  }
  const numbers = subjects.map((subject) => /^Merge pull request #(\d+)\b/.exec(subject)?.[1] ?? /\(#(\d+)\)\s*$/.exec(subject)?.[1]);
  const fromCommits = numbers.flatMap((number) => (number ? [Number(number)] : []));
  return {
    pulls: [...new Set([...fromCommits, ...(named ? [Number(named)] : [])])],
    unnamed: numbers.filter((number) => number === undefined).length,
  };
}

export interface MergeGroupEvaluation extends MergeGroupDecision {
  readonly pulls: readonly number[];
}

/** Reads the group and each of its PRs from GitHub; the decision itself is the governance core's. */
export async function evaluateMergeGroup(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
  group: MergeGroup,
  options: EvaluationOptions,
): Promise<MergeGroupEvaluation> {
  const { pulls, unnamed } = await groupPulls(octokit, repo, group);
  if (pulls.length > MAX_GROUP_PULLS)
    throw new IncompleteReadError(
      `the merge group holds ${pulls.length} pull requests; Route Governor judges at most ${MAX_GROUP_PULLS} per group`,
    );
  const read = gitHubTrees(octokit, repo);
  const [base, head] = await Promise.all([read(group.base_sha), read(group.head_sha)]);
  const baseRef = branchOf(group.base_ref);
  const { policy } = repositoryPolicy(base.files, ` at ${baseRef} (${group.base_sha.slice(0, 7)})`);
  const { findings: groupFindings } = await options.analyze({
    base: base.files,
    head: head.files,
    links: { base: base.links, head: head.links },
    submodules: { base: base.submodules, head: head.submodules },
    policy,
  });
  const members: GroupMember[] = [];
  for (const number of pulls) {
    const evaluation = await evaluatePullRequest(gitHubPullRequest(octokit, { ...repo, number }), options);
    const { governance, analysis } = evaluation.result;
    members.push({
      number,
      baseRef: evaluation.pr.baseRef,
      state: governance.state,
      decision: governance.decision,
      unmet: governance.unmet,
      fingerprints: analysis.findings.map((finding) => finding.fingerprint),
    });
  }
  return { ...decideMergeGroup(baseRef, members, groupFindings, unnamed), pulls };
}
