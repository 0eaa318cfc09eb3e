import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { ANNOTATIONS_PER_REQUEST, type CheckRunReport } from "../report/check-run.js";
import { commandName } from "../governance/slash-commands.js";
import { plain } from "../report/markdown-text.js";
import type { RiskLevel } from "../core/risk-level.js";
import type { CommandOutcome } from "../governance/command-replies.js";
import type { CommentFacts } from "./pull-request-source.js";

/**
 * Everything the App writes to GitHub: the check run, the living comment, labels, and the answers
 * to the comment that triggered the evaluation. Each write is idempotent under redelivery: the
 * comment is edited in place, labels are set to a state, GitHub keeps one reaction per user and
 * content, and a reply carries a marker the next evaluation recognises.
 */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export const BREAK_GLASS_LABEL = "route-governor/break-glass";
const RISK_LABEL_PREFIX = "risk/";

/**
 * Creates the check run as in progress: until it completes, branch protection sees it pending.
 * `pull` (the PR number) goes into its external id, which its conclusion extends with the PR's own
 * verdict (`7:pass`): PRs sharing a head commit share the check's name on it, and each reads the
 * others' verdicts from there.
 */
export async function startCheckRun(octokit: ProbotOctokit, ref: RepoRef, name: string, headSha: string, pull?: number): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    ...ref,
    name,
    head_sha: headSha,
    status: "in_progress",
    ...(pull === undefined ? {} : { external_id: String(pull) }),
  });
  return data.id;
}

/** `<PR number>:<pass|fail>`: which PR a completed check run judged, and how it judged that PR alone. */
export const verdictId = (pull: number, decision: "pass" | "fail"): string => `${pull}:${decision}`;

/**
 * The other open PRs whose head is this commit and whose base is this branch, and whose own latest
 * verdict on this check is not a pass (a run without one — an error, an older App — counts as not
 * passing). GitHub keeps one check per commit and name, so the commit passes only if they all do.
 * Only runs App `appId` wrote are verdicts: any App (the PR's own workflow, with a `checks: write`
 * token) can write a run of the same name and external id on the commit.
 */
export async function failingPullsOnHead(
  octokit: ProbotOctokit,
  ref: RepoRef,
  pull: { number: number; headSha: string; baseRef: string },
  name: string,
  appId: number,
): Promise<number[]> {
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...ref, commit_sha: pull.headSha });
  const others = pulls.filter(
    (other) => other.state === "open" && other.number !== pull.number && other.head.sha === pull.headSha && other.base.ref === pull.baseRef,
  );
  if (others.length === 0) return [];
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...ref,
    ref: pull.headSha,
    check_name: name,
    app_id: appId,
    filter: "all",
    per_page: 100,
  });
  return others
    .filter((other) => {
      const own = runs
        .filter((run) => run.app?.id === appId && (run.external_id ?? "").split(":")[0] === String(other.number))
        .sort((a, b) => b.id - a.id)[0];
      return own?.external_id !== verdictId(other.number, "pass");
    })
    .map((other) => other.number);
}

/** Completes the check run; annotations beyond the first 50 (at most MAX_ANNOTATIONS in all) follow in batches of 50. */
export async function completeCheckRun(
  octokit: ProbotOctokit,
  ref: RepoRef,
  checkRunId: number,
  report: CheckRunReport,
  detailsUrl?: string,
  externalId?: string,
): Promise<void> {
  const output = { title: report.title, summary: report.summary, text: report.text };
  const batches: CheckRunReport["annotations"][] = [];
  for (let start = 0; start < report.annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    batches.push(report.annotations.slice(start, start + ANNOTATIONS_PER_REQUEST));
  }
  // Annotations first, conclusion last: a check that concludes has all its annotations.
  for (const annotations of batches.slice(1)) {
    await octokit.rest.checks.update({
      ...ref,
      check_run_id: checkRunId,
      output: { title: output.title, summary: output.summary, annotations: [...annotations] },
    });
  }
  await octokit.rest.checks.update({
    ...ref,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    ...(detailsUrl ? { details_url: detailsUrl } : {}),
    ...(externalId ? { external_id: externalId } : {}),
    output: { ...output, ...(batches[0] ? { annotations: [...batches[0]] } : {}) },
  });
}

/** The living comment with its ledger written now, and as it reads when nothing else changed. */
export interface LivingCommentBody {
  readonly fresh: string;
  /** Rendered with the kept comment's ledger write time; absent when that ledger is not trusted. */
  readonly unchanged?: string;
}

/** The living comment as GitHub holds it after the upsert. */
export interface LivingComment {
  readonly url: string;
  /**
   * GitHub's time of the write that put the report on the PR (the kept comment's last edit when
   * left alone): a head first reported on now is known since then (ledger.ts `head.since`).
   */
  readonly writtenAt: string;
}

/**
 * Edits the App's comment in place, or creates it. After concurrent first deliveries there may be
 * several: the oldest is kept and the others deleted. A comment whose only change would be its
 * ledger's write time is left alone: each edit moves GitHub's `updated_at`, and the ledger is
 * trusted only while that stays close to its write time.
 */
export async function upsertLivingComment(
  octokit: ProbotOctokit,
  ref: RepoRef,
  issueNumber: number,
  own: readonly CommentFacts[],
  body: LivingCommentBody,
): Promise<LivingComment> {
  const [keep, ...duplicates] = [...own].sort((a, b) => a.id - b.id);
  let written: LivingComment;
  if (!keep) {
    const { data } = await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body: body.fresh });
    written = { url: data.html_url, writtenAt: data.updated_at };
  } else if (keep.body !== body.unchanged) {
    const { data } = await octokit.rest.issues.updateComment({ ...ref, comment_id: keep.id, body: body.fresh });
    written = { url: keep.url, writtenAt: data.updated_at };
  } else {
    written = { url: keep.url, writtenAt: keep.updatedAt };
  }
  for (const duplicate of duplicates) await octokit.rest.issues.deleteComment({ ...ref, comment_id: duplicate.id });
  return written;
}

/** `risk/<level>` for the current risk, no other `risk/*`; the break-glass label once used stays. */
export async function syncLabels(
  octokit: ProbotOctokit,
  ref: RepoRef,
  issueNumber: number,
  labels: readonly string[],
  risk: RiskLevel,
  breakGlass: boolean,
): Promise<void> {
  const wanted = [`${RISK_LABEL_PREFIX}${risk}`, ...(breakGlass ? [BREAK_GLASS_LABEL] : [])];
  const missing = wanted.filter((label) => !labels.includes(label));
  if (missing.length > 0) await octokit.rest.issues.addLabels({ ...ref, issue_number: issueNumber, labels: missing });
  for (const label of labels.filter((l) => l.startsWith(RISK_LABEL_PREFIX) && l !== wanted[0])) {
    try {
      await octokit.rest.issues.removeLabel({ ...ref, issue_number: issueNumber, name: label });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
}

const replyKey = (commentId: number, text: string): string => `${commentId}:${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;

const quote = (text: string): string => text.replace(/`/g, "'").slice(0, 120);

/**
 * Answers the commands of one comment: 👍 when any was accepted, 👎 when any was refused, and one
 * reply with a line per refused command (and the help text when asked), unless already posted.
 */
export async function answerComment(
  octokit: ProbotOctokit,
  ref: RepoRef,
  issueNumber: number,
  outcomes: readonly CommandOutcome[],
  answered: ReadonlySet<string>,
): Promise<void> {
  const [first] = outcomes;
  if (!first) return;
  const commentId = first.commentId;
  if (outcomes.some((outcome) => outcome.accepted))
    await octokit.rest.reactions.createForIssueComment({ ...ref, comment_id: commentId, content: "+1" });
  if (outcomes.some((outcome) => !outcome.accepted))
    await octokit.rest.reactions.createForIssueComment({ ...ref, comment_id: commentId, content: "-1" });
  const lines = outcomes.flatMap((outcome) => {
    if (!outcome.reply) return [];
    const [reason, ...more] = outcome.reply.split("\n");
    return [outcome.accepted ? reason! : `\`${quote(commandName(outcome.command))}\` refused: ${plain(reason!)}`, ...more];
  });
  if (lines.length === 0) return;
  const text = lines.join("\n");
  const key = replyKey(commentId, text);
  if (answered.has(key)) return;
  await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body: `${text}\n\n<!-- route-governor:reply ${key} -->` });
}
