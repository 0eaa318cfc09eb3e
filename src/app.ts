import { AsyncLocalStorage } from "node:async_hooks";
import { availableParallelism } from "node:os";
import type { ApplicationFunction, Context, Probot, ProbotOctokit } from "probot";
import * as z from "zod";
import { ledgerBlock } from "./github/approval-ledger.js";
import { withHeadSince } from "./governance/ledger.js";
import { evaluatePullRequest, type Evaluation, type EvaluationOptions } from "./github/evaluate-pull-request.js";
import { gitHubPullRequest } from "./github/github-pull-request.js";
import { branchOf, evaluateMergeGroup, MergeGroupSchema } from "./github/merge-group.js";
import { withDeadline } from "./github/octokit.js";
import { isBotLogin } from "./github/pull-request-source.js";
import {
  AnalysisLimitError,
  isolatedAnalysis,
  type AnalysisLimits,
  type AnalysisThread,
  type IsolatedAnalysis,
} from "./isolation/isolated-analysis.js";
import {
  answerComment,
  completeCheckRun,
  failingPullsOnHead,
  startCheckRun,
  syncLabels,
  upsertLivingComment,
  verdictId,
  type RepoRef,
} from "./github/publish.js";
import { checkRunName, checkRunReport, errorCheckRunReport, mergeGroupCheckRunReport, type CheckRunReport } from "./report/check-run.js";
import { toJsonReport } from "./report/json-report.js";
import { renderMarkdown } from "./report/markdown-report.js";
import { renderPrComment } from "./report/pr-comment.js";

/**
 * The Route Governor GitHub App (DESIGN §2, §10, §11). Every event re-evaluates the whole PR
 * from GitHub — there is no database — so redeliveries, concurrent deliveries and re-runs all
 * converge on the same comment, check run and labels.
 *
 * One evaluation: open the check run `Route Governor (<base>)` as in progress on the head SHA,
 * read the PR, evaluate, then write the living comment, labels and command answers, and conclude
 * the check last. Any error on the way concludes it `failure` with the error text (and the
 * ledger, once the evaluation has made it); if even that fails, the check stays in progress, which
 * branch protection treats as not passed.
 *
 * Failing closed needs a check run before anything can fail: when the event names the head SHA
 * and base (pull_request, pull_request_review, check_run, check_suite), the check is opened on it
 * before the PR is read, so an error reading the PR replaces an earlier `success` on that head.
 * An issue comment names neither, so for it the PR is read first; an error there leaves the
 * head's previous conclusion and is logged. A merged PR is evaluated (on `pull_request.closed` and
 * comments) only to follow up a break-glass: its check is opened once the evaluation shows one. A
 * check opened for an event whose PR was closed or merged before it was evaluated concludes
 * `failure` at once, saying so: every run opened is concluded, with a pass only from a verdict.
 */
export interface AppOptions {
  /** Signs the approval ledger: LEDGER_KEY, or the webhook secret when that is unset. */
  readonly ledgerSecret: string;
  /** Earlier ledger keys, accepted when reading (a key rotation keeps approvals). */
  readonly oldLedgerSecrets?: readonly string[];
  /** This App's id, to recognise its own comments (GitHub's `performed_via_github_app`). */
  readonly appId: number;
  readonly now?: () => Date;
  /**
   * Time for one evaluation, from the delivery to the last write, and the reserve kept after it
   * to conclude the check `failure` (ms). GitHub abandons a delivery after 10 s; the defaults
   * answer within about 8 s however slow GitHub is.
   */
  readonly budgetMs?: { readonly evaluation: number; readonly failureReport: number };
  /**
   * Time for rendering kustomize and Helm on each side, inside the evaluation's budget (ms); a
   * render cut short is a high finding, not a pass. 0 turns rendering off.
   */
  readonly renderBudgetMs?: number;
  /**
   * Heap (MB) and time (ms) for the analysis of each evaluation, run in a thread of its own: a PR
   * over either fails its own check, and the process goes on. The time stays below the
   * evaluation's budget (by default 70 % of it: reading the PR comes first, and the failure
   * report has its own reserve), so the check can still be concluded.
   */
  readonly analysisLimits?: Partial<AnalysisLimits>;
  /** The analysis thread's script: the bundle's sibling unless given (tests run the sources). */
  readonly analysisThread?: AnalysisThread;
}

export const DEFAULT_BUDGET_MS = { evaluation: 6_500, failureReport: 1_500 } as const;
export const DEFAULT_APP_RENDER_BUDGET_MS = 3_000;
/** Half the worker Lambda's 1,024 MB (serverless.yml): the App, the trees and the render tools share the rest. */
export const DEFAULT_ANALYSIS_MEMORY_MB = 512;

/**
 * The analysis an evaluation runs: the change rendered, then analysed, both in the analysis thread
 * (src/rendered-analysis.ts). A merge group's trees render as a pull request's do.
 */
const renderedAnalysis = (options: Configured): EvaluationOptions["analyze"] => {
  const budgetMs = options.renderBudgetMs ?? DEFAULT_APP_RENDER_BUDGET_MS;
  const render = { budgetMs, ...(budgetMs > 0 ? {} : { off: "turned off for this App (renderBudgetMs: 0)" }) };
  return (input) => options.analyze({ ...input, render });
};

/** The App's options with the analysis they configure. */
interface Configured extends AppOptions {
  readonly analyze: IsolatedAnalysis;
}

const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.edited",
  "pull_request.ready_for_review",
] as const;
const COMMENT_EVENTS = ["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"] as const;
const REVIEW_EVENTS = ["pull_request_review.submitted", "pull_request_review.dismissed"] as const;

export const errorText = (error: unknown): string => {
  const failure = error as { status?: number; request?: { method?: string; url?: string }; message?: string };
  const where =
    failure.request?.method && failure.request.url ? ` (${failure.request.method} ${failure.request.url.replace(/\?.*$/, "")})` : "";
  const status = failure.status ? `GitHub API error ${failure.status}${where}: ` : "";
  return `${status}${failure.message ?? String(error)}`;
};

/** Which delivery attempt this is, when a queue retries deliveries (the Lambda worker). */
const attempts = new AsyncLocalStorage<{ readonly attempt: number; readonly of: number }>();

export const withDeliveryAttempt = <T>(attempt: { readonly attempt: number; readonly of: number }, work: () => Promise<T>): Promise<T> =>
  attempts.run(attempt, work);

/** What a failed check adds about retries: the queue retries it, or it was the last try. */
const attemptNote = (): string => {
  const current = attempts.getStore();
  if (!current) return "";
  return current.attempt >= current.of
    ? `\n\nAttempt ${current.attempt} of ${current.of} failed: Route Governor gave up and the delivery went to the dead-letter queue. Re-run the check (or comment /route-governor refresh) once the cause is fixed.`
    : `\n\nAttempt ${current.attempt} of ${current.of} failed; the delivery will be retried.`;
};

/**
 * One evaluation at a time per PR in this process: two deliveries for one PR (a push and a
 * comment) must not interleave their writes. On Lambda the FIFO queue's message groups do this
 * across workers; the plain server (`npm start`) relies on this chain.
 */
const inFlight = new Map<string, Promise<void>>();
function serialised(key: string, work: () => Promise<void>): Promise<void> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  const settled = next.catch(() => undefined);
  inFlight.set(key, settled);
  void settled.then(() => {
    if (inFlight.get(key) === settled) inFlight.delete(key);
  });
  return next;
}

/** The PR to evaluate, with its head SHA and base branch when the event carries them. */
interface Target {
  readonly number: number;
  readonly head?: { readonly sha: string; readonly baseRef: string };
  readonly triggerCommentId?: number;
  /** Who pushed, for a \`synchronize\` event. */
  readonly pusher?: string;
}

async function evaluateAndPublish(context: Context, options: Configured, target: Target): Promise<void> {
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const failureReportDeadline = () => Date.now() + budget.failureReport;
  const { owner, repo } = context.repo();
  // The budget starts when this PR's turn comes, not when the delivery arrived.
  await serialised(`${owner}/${repo}#${target.number}`, () =>
    withDeadline(Date.now() + budget.evaluation, () => evaluateWithin(context, options, target, failureReportDeadline)),
  );
}

async function evaluateWithin(context: Context, options: Configured, target: Target, failureReportDeadline: () => number): Promise<void> {
  const octokit = context.octokit as ProbotOctokit;
  const repo: RepoRef = context.repo();
  const source = gitHubPullRequest(octokit, { ...repo, number: target.number });
  const { triggerCommentId } = target;
  let checkRunId: number | undefined;
  let firstRun: number | undefined;
  const open = async (name: string, sha: string): Promise<number> => {
    const id = await startCheckRun(octokit, repo, name, sha, target.number);
    firstRun ??= id;
    return id;
  };
  // The signed ledger the check run keeps, once the evaluation has made one: a failure after that
  // concludes the run with it too, as the comment may already hold it and only the newest run's copy
  // counts (kept-ledger.ts; review: a run concluded without it let an older copy drop a /hold).
  let kept = "";
  try {
    const expected = target.head && { name: checkRunName(target.head.baseRef), sha: target.head.sha };
    if (expected) checkRunId = await open(expected.name, expected.sha);
    const pr = await source.pullRequest();
    const name = checkRunName(pr.baseRef);
    if (pr.state !== "open" && checkRunId !== undefined) {
      // Closed or merged since the event: the run opened for it judges nothing, and left in
      // progress it would stay so for good. It fails (never a pass by default); a break-glass
      // follow-up the merge still owes opens a run of its own.
      await completeCheckRun(
        octokit,
        repo,
        checkRunId,
        errorCheckRunReport(`the pull request was ${pr.state} before Route Governor could evaluate this event`),
      );
      checkRunId = undefined;
    }
    if (pr.state === "closed") return;
    const merged = pr.state === "merged";
    if (!merged && (checkRunId === undefined || expected?.name !== name || expected.sha !== pr.headSha)) {
      // The PR moved on since the event: the check opened on the event's head or base is
      // superseded by one on the PR as it is now.
      if (checkRunId !== undefined) {
        await completeCheckRun(
          octokit,
          repo,
          checkRunId,
          errorCheckRunReport(
            `superseded: the pull request is now at ${pr.headSha.slice(0, 7)} on ${pr.baseRef}; ${name} on that head decides`,
          ),
        );
      }
      checkRunId = await open(name, pr.headSha);
    }
    const evaluation = await evaluatePullRequest(source, {
      now: (options.now ?? (() => new Date()))(),
      secret: options.ledgerSecret,
      ...(options.oldLedgerSecrets ? { oldSecrets: options.oldLedgerSecrets } : {}),
      appId: options.appId,
      analyze: renderedAnalysis(options),
      ...(firstRun === undefined ? {} : { firstRun }),
      ...(target.pusher === undefined ? {} : { pusher: target.pusher }),
    });
    kept = ledgerBlock(evaluation.ledger, options.ledgerSecret);
    const { result } = evaluation;
    // After the merge only a break-glass's post-change validation is still owed; any other merged
    // PR keeps what it showed when it merged.
    if (merged && !result.governance.breakGlass?.accepted) return;
    checkRunId ??= await open(name, pr.headSha);
    const reviewedLine = `Reviewed ${evaluation.pr.reviewed.description}.`;
    const report = `${renderMarkdown(result).trimEnd()}\n\n_${reviewedLine}_\n`;
    const body = (written: string) =>
      renderPrComment({
        report,
        findings: result.analysis.findings,
        notes: evaluation.notes,
        approvals: evaluation.approvals,
        ledger: ledgerBlock({ ...evaluation.ledger, written }, options.ledgerSecret),
        checkName: name,
      });
    const { lastWritten } = evaluation;
    const comment = await upsertLivingComment(octokit, repo, pr.number, evaluation.ownComments, {
      fresh: body(evaluation.ledger.written),
      ...(lastWritten === undefined ? {} : { unchanged: body(lastWritten) }),
    });
    await syncLabels(octokit, repo, pr.number, pr.labels, result.risk, result.governance.breakGlass?.accepted === true);
    if (triggerCommentId !== undefined) {
      await answerComment(
        octokit,
        repo,
        pr.number,
        evaluation.outcomes.filter((outcome) => outcome.commentId === triggerCommentId),
        evaluation.answered,
      );
    }
    // The check run keeps the copy of the ledger no participant can write, its head stamped with
    // GitHub's time of the comment write that reported on it.
    kept = ledgerBlock(withHeadSince(evaluation.ledger, comment.writtenAt), options.ledgerSecret);
    const own = checkRunReport(result, report, auditRecord(evaluation), evaluation.notes, reviewedLine, kept);
    const blocking = result.decision === "pass" ? await failingPullsOnHead(octokit, repo, pr, name, options.appId) : [];
    await completeCheckRun(
      octokit,
      repo,
      checkRunId,
      blocking.length > 0 ? sharedHeadReport(own, blocking, pr.baseRef) : own,
      comment.url,
      verdictId(pr.number, result.decision),
    );
  } catch (error) {
    const failedRun = checkRunId;
    if (failedRun === undefined) {
      context.log.error(
        { err: error },
        "the evaluation failed with no check run of its own open: the head's previous conclusion stands until the next event",
      );
      throw error;
    }
    try {
      // The evaluation's own deadline may be spent: the failure report gets its own reserve.
      await withDeadline(failureReportDeadline(), () =>
        completeCheckRun(octokit, repo, failedRun, errorCheckRunReport(errorText(error) + retryNote(error), kept)),
      );
      if (isFinal(error)) return;
    } catch (reportError) {
      context.log.error({ err: reportError }, "could not conclude the check run as failed; it stays in progress");
    }
    throw error;
  }
}

/**
 * A PR over the analysis limits exceeds them again on every attempt: once its check says so, the
 * delivery is done (a queue retrying it would only delay the verdict and fill the dead-letter queue).
 */
const isFinal = (error: unknown): boolean => error instanceof AnalysisLimitError;
const retryNote = (error: unknown): string => (isFinal(error) ? "" : attemptNote());

/**
 * A merge queue's group commit: the required check must be reported on `merge_group.head_sha`, or
 * the queue waits for it and then drops the PR. Like a PR's, the check is opened before anything
 * is read, so any error concludes it `failure`.
 */
async function evaluateGroupAndPublish(context: Context<"merge_group">, options: Configured): Promise<void> {
  const octokit = context.octokit as ProbotOctokit;
  const repo: RepoRef = context.repo();
  const group = MergeGroupSchema.parse(context.payload.merge_group);
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const checkRunId = await startCheckRun(octokit, repo, checkRunName(branchOf(group.base_ref)), group.head_sha);
  try {
    const now = (options.now ?? (() => new Date()))();
    const evaluation = await withDeadline(Date.now() + budget.evaluation, () =>
      evaluateMergeGroup(octokit, repo, group, {
        now,
        secret: options.ledgerSecret,
        ...(options.oldLedgerSecrets ? { oldSecrets: options.oldLedgerSecrets } : {}),
        appId: options.appId,
        analyze: renderedAnalysis(options),
      }),
    );
    await completeCheckRun(octokit, repo, checkRunId, mergeGroupCheckRunReport(evaluation));
  } catch (error) {
    const reported = await withDeadline(Date.now() + budget.failureReport, () =>
      completeCheckRun(octokit, repo, checkRunId, errorCheckRunReport(errorText(error) + retryNote(error))),
    ).then(
      () => true,
      (reportError: unknown) => {
        context.log.error({ err: reportError }, "could not conclude the merge group's check run as failed; it stays in progress");
        return false;
      },
    );
    if (reported && isFinal(error)) return;
    throw error;
  }
}

/** GitHub's limit for a check run's summary. */
const MAX_SUMMARY_CHARS = 65_535;

/** This PR passes, but another PR on the same head commit and base does not: the shared check must not pass. */
function sharedHeadReport(own: CheckRunReport, blocking: readonly number[], baseRef: string): CheckRunReport {
  const pulls = blocking.map((number) => `#${number}`).join(", ");
  const why = `This commit is also the head of ${pulls} into ${baseRef}, which does not pass. GitHub keeps one \`Route Governor (${baseRef})\` check per commit, so it passes only when every pull request on this commit does.`;
  return {
    ...own,
    conclusion: "action_required",
    title: `blocked by ${pulls} on the same commit`,
    summary: `${why}\n\n${own.summary}`.slice(0, MAX_SUMMARY_CHARS),
  };
}

/** The JSON report plus what reconstructs who approved what, on which head. */
const auditRecord = (evaluation: Evaluation) => ({
  ...toJsonReport(evaluation.result),
  pullRequest: {
    number: evaluation.pr.number,
    base: evaluation.pr.baseRef,
    baseSha: evaluation.pr.baseSha,
    headSha: evaluation.pr.headSha,
    reviewed: evaluation.pr.reviewed,
  },
  approvalRecord: evaluation.approvals,
  notes: evaluation.notes,
});

type ListedPull = { readonly number: number; readonly base: { readonly ref: string } };

/** Open PRs whose head is `sha`: from the payload, or asked of GitHub (PRs from forks are not in it). */
async function pullsForSha(context: Context, listed: readonly ListedPull[], sha: string): Promise<Target[]> {
  const target = (pull: ListedPull): Target => ({ number: pull.number, head: { sha, baseRef: pull.base.ref } });
  if (listed.length > 0) return listed.map(target);
  const { data } = await (context.octokit as ProbotOctokit).rest.repos.listPullRequestsAssociatedWithCommit({
    ...context.repo(),
    commit_sha: sha,
  });
  return data.filter((pull) => pull.state === "open" && pull.head.sha === sha).map(target);
}

/** The PR of a pull_request or pull_request_review event, unless the event says it is closed. */
const pullTarget = (pull: { number: number; state: string; head: { sha: string }; base: { ref: string } }): Target | undefined =>
  pull.state === "closed" ? undefined : { number: pull.number, head: { sha: pull.head.sha, baseRef: pull.base.ref } };

/** The analysis limits with their defaults; a time limit that leaves no time to report is refused at start. */
export function analysisLimits(options: AppOptions): AnalysisLimits {
  const evaluation = (options.budgetMs ?? DEFAULT_BUDGET_MS).evaluation;
  const limits = {
    memoryMb: options.analysisLimits?.memoryMb ?? DEFAULT_ANALYSIS_MEMORY_MB,
    timeoutMs: options.analysisLimits?.timeoutMs ?? Math.floor(evaluation * 0.7),
    // One per core: more would only share the cores, and multiply the heap.
    concurrent: options.analysisLimits?.concurrent ?? availableParallelism(),
  };
  if (limits.timeoutMs >= evaluation)
    throw new Error(
      `the analysis time limit (ANALYSIS_TIMEOUT_MS, ${limits.timeoutMs} ms) must be below the evaluation's budget of ${evaluation} ms`,
    );
  return limits;
}

export function routeGovernorApp(appOptions: AppOptions): ApplicationFunction {
  const options: Configured = { ...appOptions, analyze: isolatedAnalysis(analysisLimits(appOptions), appOptions.analysisThread) };
  return (app: Probot) => {
    app.on([...PULL_REQUEST_EVENTS, ...REVIEW_EVENTS], async (context) => {
      const target = pullTarget(context.payload.pull_request);
      // A push's sender is recorded even when a later head supersedes it: what they pushed may still be in the PR.
      const { action, sender } = context.payload;
      const pusher = action === "synchronize" && !isBotLogin(sender.login, sender.type) ? { pusher: sender.login } : {};
      if (target) await evaluateAndPublish(context, options, { ...target, ...pusher });
    });

    app.on([...COMMENT_EVENTS], async (context) => {
      const { issue, sender, comment } = context.payload;
      if (!issue.pull_request) return;
      // Our own edits (and other bots) must not re-trigger us: bots never command.
      if (isBotLogin(sender.login, sender.type)) return;
      await evaluateAndPublish(context, options, {
        number: issue.number,
        ...(context.payload.action === "deleted" ? {} : { triggerCommentId: comment.id }),
      });
    });

    // A PR merged by break-glass owes its post-change validation: the check and comment keep
    // saying so, and `/evidence post-change-validation` on the merged PR completes it.
    app.on("pull_request.closed", async (context) => {
      const pull = context.payload.pull_request;
      if (pull.merged) await evaluateAndPublish(context, options, { number: pull.number });
    });

    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      for (const target of await pullsForSha(context, run.pull_requests, run.head_sha)) await evaluateAndPublish(context, options, target);
    });

    app.on("merge_group.checks_requested", (context) => evaluateGroupAndPublish(context, options));

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      for (const target of await pullsForSha(context, suite.pull_requests, suite.head_sha))
        await evaluateAndPublish(context, options, target);
    });
  };
}

/** LEDGER_KEY signs (a key of its own lets the webhook secret rotate); LEDGER_KEYS_OLD still verify. */
export function ledgerKeys(env: NodeJS.ProcessEnv, webhookSecret: string): Pick<AppOptions, "ledgerSecret" | "oldLedgerSecrets"> {
  const oldLedgerSecrets = (env.LEDGER_KEYS_OLD ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter((key) => key !== "");
  return { ledgerSecret: env.LEDGER_KEY || webhookSecret, ...(oldLedgerSecrets.length > 0 ? { oldLedgerSecrets } : {}) };
}

const limitVariable = z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().int().positive().optional());
const AnalysisEnvSchema = z.object({
  ANALYSIS_MEMORY_MB: limitVariable,
  ANALYSIS_TIMEOUT_MS: limitVariable,
  ANALYSIS_CONCURRENCY: limitVariable,
});

/** ANALYSIS_MEMORY_MB, ANALYSIS_TIMEOUT_MS and ANALYSIS_CONCURRENCY, when set: positive whole numbers, or the App does not start. */
export function analysisLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<AnalysisLimits> {
  const parsed = AnalysisEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `ANALYSIS_MEMORY_MB, ANALYSIS_TIMEOUT_MS and ANALYSIS_CONCURRENCY must be positive whole numbers: ${z.prettifyError(parsed.error)}`,
    );
  const { ANALYSIS_MEMORY_MB: memoryMb, ANALYSIS_TIMEOUT_MS: timeoutMs, ANALYSIS_CONCURRENCY: concurrent } = parsed.data;
  return {
    ...(memoryMb === undefined ? {} : { memoryMb }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(concurrent === undefined ? {} : { concurrent }),
  };
}

/**
 * The App configured from Probot's standard environment. WEBHOOK_SECRET is required (Probot's
 * fallback, "development", is public). The approval ledger is signed with LEDGER_KEY, or with the
 * webhook secret when LEDGER_KEY is unset; LEDGER_KEYS_OLD (comma-separated) are still accepted
 * when reading, so either secret can rotate without voiding approvals. ANALYSIS_MEMORY_MB and
 * ANALYSIS_TIMEOUT_MS bound each evaluation's analysis (AppOptions.analysisLimits; set, they win over
 * the caller's).
 */
export function appFromEnv(
  env: NodeJS.ProcessEnv,
  options: Pick<AppOptions, "budgetMs" | "analysisThread" | "analysisLimits"> = {},
): ApplicationFunction {
  const secret = env.WEBHOOK_SECRET;
  if (!secret) throw new Error("WEBHOOK_SECRET is not set: Route Governor signs its approval ledger with it and will not start without it");
  const appId = Number(env.APP_ID);
  if (!(Number.isInteger(appId) && appId > 0))
    throw new Error("APP_ID is not set: Route Governor trusts only the comments GitHub says this App wrote");
  return routeGovernorApp({
    ...ledgerKeys(env, secret),
    appId,
    ...options,
    analysisLimits: { ...options.analysisLimits, ...analysisLimitsFromEnv(env) },
  });
}

/** As `probot run` loads it; the environment is read when the App loads, after `.env` is applied. */
const app: ApplicationFunction = (probot, appOptions) => appFromEnv(process.env)(probot, appOptions);

export default app;
