import { approvalRecords, approvalVerdicts, entriesToKeep, type ApprovalRecord } from "../governance/approval-verdicts.js";
import { bindApprovals, headClock } from "../governance/approval-binding.js";
import { breakGlassCoverage } from "../governance/break-glass-coverage.js";
import { authorityOf, judgeCommands, standingHolds, whoseGroupsMatter, type CommandUse } from "../governance/command-authority.js";
import { overrideGroupsOf, RECORD_HOLD_FALLBACK } from "../governance/override-groups.js";
import { evidenceRefusal, replyToCommands, type CommandOutcome } from "../governance/command-replies.js";
import { commandUses, editedCommentNotes } from "../governance/command-uses.js";
import {
  breakGlassOf,
  buildLedger,
  holdsOf,
  isRecordHold,
  ledgerTime,
  lossesOf,
  pushersOf,
  withPushers,
  type HoldRecord,
  type Ledger,
} from "../governance/ledger.js";
import { repositoryPolicy } from "../policy/load-policy.js";
import type { Policy } from "../policy/policy-schema.js";
import { isLivingComment } from "../report/pr-comment.js";
import { reviewAnalysis, type ReviewResult } from "../governance/review-decision.js";
// Types only: the worker that evaluates PRs leaves the analysis engine to its analysis thread.
import type { AnalysisOutcome } from "../review.js";
import type { AnalysisRequest } from "../rendered-analysis.js";
import { readKeptLedger } from "./kept-ledger.js";
import type { CommentFacts, PullRequestFacts, PullRequestSource } from "./pull-request-source.js";

/**
 * One evaluation of a PR, re-derived from GitHub every time (no database). The adapter reads and
 * writes; governance decides. It gathers the facts (the PR, both trees and the base's policy,
 * comments, reviews, commit authors, the ledger kept in the App's own comments, and the policy
 * groups of the people governance asks about), runs the analysis, hands the facts to the pure
 * functions of src/governance (which comments and reviews approve what and what they saw, who may
 * use which command, whether a break-glass applies, the decision, what became of each approval,
 * the reply to each command, the ledger to keep) and returns what to write back.
 */
export interface EvaluationOptions {
  readonly now: Date;
  /** Signs the approval ledger (LEDGER_KEY, or the webhook secret when unset). */
  readonly secret: string;
  /** Earlier ledger keys, still accepted when reading during a rotation. */
  readonly oldSecrets?: readonly string[];
  /** This App's id: only comments GitHub says it wrote carry a ledger it trusts. */
  readonly appId: number;
  /**
   * Renders the trees' kustomize overlays and charts (DESIGN §3) and analyses the change, once per
   * evaluation: the App in a thread with limits (isolation/isolated-analysis.ts), the Action, whose
   * job is a process of its own, in process (rendered-analysis.ts `analyzeRendered`).
   */
  readonly analyze: (input: Omit<AnalysisRequest, "render">) => Promise<AnalysisOutcome>;
  /** The first check run the App opened for this evaluation: not one of the earlier reports the ledger is read from. */
  readonly firstRun?: number;
  /** Who pushed the head this evaluation was started for (a \`synchronize\` event's sender): recorded in the ledger. */
  readonly pusher?: string;
}

export interface Evaluation {
  readonly pr: PullRequestFacts;
  readonly result: ReviewResult;
  /**
   * The ledger to write back, written now. A head not reported on before has no `since` yet: the
   * write that reports on it gives it (GitHub's time of that comment write; publish.ts).
   */
  readonly ledger: Ledger & { readonly written: string };
  /**
   * When the App wrote the trusted ledger of the comment it keeps (its oldest): that comment
   * rendered again with this write time shows whether anything else changed.
   */
  readonly lastWritten?: string;
  /** Flags the report must show (tampered ledger, edited commands, unbound approvals). */
  readonly notes: readonly string[];
  readonly approvals: readonly ApprovalRecord[];
  readonly outcomes: readonly CommandOutcome[];
  /** The App's own living comments, oldest first (more than one only after concurrent deliveries). */
  readonly ownComments: readonly CommentFacts[];
  /** Reply markers the App already posted, so a redelivered event does not answer twice. */
  readonly answered: ReadonlySet<string>;
}

const REPLY_MARKER = /<!-- route-governor:reply (\d+:[0-9a-f]{8}) -->/;

export async function evaluatePullRequest(source: PullRequestSource, options: EvaluationOptions): Promise<Evaluation> {
  const { now, secret } = options;
  const pr = await source.pullRequest();
  const prKey = `${pr.owner}/${pr.repo}#${pr.number}`;
  const [base, head, comments, reviews, authorship, baseLinks, headLinks, baseSubmodules, headSubmodules] = await Promise.all([
    source.tree("base"),
    source.tree("head"),
    source.comments(),
    source.reviews(),
    source.commitAuthors(),
    source.links?.("base") ?? [],
    source.links?.("head") ?? [],
    source.submodules?.("base") ?? [],
    source.submodules?.("head") ?? [],
  ]);
  const links = { base: baseLinks, head: headLinks };
  const submodules = { base: baseSubmodules, head: headSubmodules };

  // The policy comes from the base branch's tip, which the base tree carries even when the review
  // starts from the merge base: a PR never governs itself (DESIGN §8).
  const { policy, source: policySource } = repositoryPolicy(base, ` at ${pr.baseRef} (${pr.baseSha.slice(0, 7)})`);
  const analysis = await options.analyze({ base, head, links, submodules, policy });
  const target = { headSha: pr.headSha, baseRef: pr.baseRef, current: analysis.findings.map((finding) => finding.fingerprint) };

  // Ours only when GitHub says this App wrote it: a marker any bot or person could copy.
  const ours = (comment: CommentFacts): boolean => comment.authorIsBot && comment.appId === options.appId;
  const ownComments = comments.filter((comment) => ours(comment) && isLivingComment(comment.body)).sort((a, b) => a.id - b.id);
  const keys = [secret, ...(options.oldSecrets ?? [])];
  const read = await readKeptLedger(source, {
    prKey,
    headSha: pr.headSha,
    ownComments,
    keys,
    appId: options.appId,
    now,
    ...(options.firstRun === undefined ? {} : { firstRun: options.firstRun }),
  });
  const { ledger } = read;
  // Whoever pushed to the PR wrote what is merged, like a commit author, whatever the commits say.
  const pushers = withPushers(pushersOf(ledger), options.pusher === undefined ? [] : [options.pusher]);
  const commitAuthors = withPushers(authorship.logins, pushers);
  const answered = new Set(comments.filter(ours).flatMap((comment) => REPLY_MARKER.exec(comment.body)?.[1] ?? []));

  const uses = commandUses(comments);
  const authors = { prAuthor: pr.author, commitAuthors };
  const groupsOf = await groupLookup(source, policy, whoseGroupsMatter(uses, reviews, authors));

  const clock = headClock(ledger.head, pr.headSha, now);
  const binding = bindApprovals({ uses, reviews, ledger, target, clock, groupsOf });
  const inRecordHoldFallback = await recordHoldFallbackLookup(source, policy, uses, holdsOf(ledger));
  const judged = judgeCommands(uses, authorityOf(policy, { ...authors, groupsOf, inRecordHoldFallback }), holdsOf(ledger));
  const glass = breakGlassCoverage(judged.breakGlass, breakGlassOf(ledger), target, clock);

  const result = reviewAnalysis(analysis, {
    policy,
    policySource,
    body: pr.body,
    bodyAt: pr.bodyUpdatedAt,
    now,
    prAuthor: pr.author,
    commitAuthors,
    authorship: {
      unlinkedCommits: authorship.unlinkedCommits,
      truncated: authorship.truncated,
      ...(authorship.unknownPushers === undefined ? {} : { unknownPushers: authorship.unknownPushers }),
    },
    merged: pr.state === "merged",
    lastPushAt: clock.seenAt,
    baseRef: pr.baseRef,
    evidenceCommands: judged.evidence,
    approvals: binding.approvals.map(({ ref: _ref, url: _url, ...approval }) => approval),
    holds: standingHolds(judged.holds.values()),
    ...(glass.applies ? { breakGlass: glass.applies } : {}),
  });

  const verdictOf = approvalVerdicts(result.governance.approvals, binding, pr.headSha);
  const outcomes = replyToCommands(uses, {
    refusals: new Map([...judged.refusals, ...glass.refusals]),
    approvalVerdict: verdictOf,
    evidenceRefusal: evidenceRefusal(policy, { now, risk: result.risk }),
    ...(result.governance.breakGlass ? { breakGlass: result.governance.breakGlass } : {}),
  });
  const records = { holds: [...judged.holds.values()], cancels: binding.cancels, losses: lossesOf(ledger), pushers };
  return {
    pr,
    result,
    ledger: {
      ...buildLedger(
        prKey,
        { sha: pr.headSha, ...(clock.since === undefined ? {} : { since: clock.since }) },
        entriesToKeep(binding, verdictOf),
        glass.entries,
        records,
      ),
      written: ledgerTime(now),
    },
    ...(read.lastWritten === undefined ? {} : { lastWritten: read.lastWritten }),
    notes: [...read.notes, ...editedCommentNotes(uses), ...binding.notes, ...glass.notes],
    approvals: approvalRecords(binding, verdictOf),
    outcomes,
    ownComments,
    answered,
  };
}

/**
 * The policy groups of each person named (lower-cased), looked up once each: membership costs API
 * calls per person and group. Everyone else belongs to none.
 */
async function groupLookup(source: PullRequestSource, policy: Policy, people: ReadonlySet<string>): Promise<(login: string) => string[]> {
  const groupNames = Object.keys(policy.groups);
  const membership = new Map(
    await Promise.all(
      [...people].map(async (login) => {
        const groups: string[] = [];
        for (const name of groupNames) if (await source.isMember(login, policy.groups[name]!)) groups.push(name);
        return [login, groups] as const;
      }),
    ),
  );
  return (login) => membership.get(login.toLowerCase()) ?? [];
}

/**
 * Which `/unhold` authors are in RECORD_HOLD_FALLBACK, looked up (one permission call each) only
 * while the App's own hold stands and the policy names no break-glass group that exists.
 */
async function recordHoldFallbackLookup(
  source: PullRequestSource,
  policy: Policy,
  uses: readonly CommandUse[],
  holds: readonly HoldRecord[],
): Promise<(login: string) => boolean> {
  if (overrideGroupsOf(policy).length > 0 || !holds.some((hold) => !hold.lifted && isRecordHold(hold))) return () => false;
  const admins = new Set<string>();
  for (const login of new Set(uses.filter((use) => use.command.kind === "hold-cancel").map((use) => use.author.toLowerCase())))
    if (await source.isMember(login, RECORD_HOLD_FALLBACK)) admins.add(login);
  return (login) => admins.has(login.toLowerCase());
}
