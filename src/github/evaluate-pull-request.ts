import type { ApprovalInput } from "../governance/approvals.js";
import type { BreakGlass, Hold } from "../governance/decision.js";
import { authorityOf, judgeCommands, needsGroups, wroteThePr, type CommandUse } from "../governance/command-authority.js";
import { validateEvidence } from "../governance/evidence-validation.js";
import { helpText, parseSlashCommands, type SlashCommand } from "../governance/slash-commands.js";
import { resolveEvidenceKey } from "../policy/evidence-names.js";
import { resolvePolicy } from "../policy/load-policy.js";
import type { Policy } from "../policy/policy-schema.js";
import { isLivingComment, type ApprovalRecord } from "../report/pr-comment.js";
import type { RenderResult } from "../render/render-result.js";
import { POLICY_PATH, reviewAnalysis, type AnalysisOutcome, type ChangeInput, type ReviewResult, type SourceFile } from "../review.js";
import {
  breakGlassOf,
  buildLedger,
  cancelsOf,
  emptyLedger,
  entriesOf,
  holdsOf,
  readLedger,
  type CancelRecord,
  type HoldRecord,
  type Ledger,
  type LedgerEntry,
} from "./approval-ledger.js";
import type { CommentFacts, PullRequestFacts, PullRequestSource } from "./pull-request-source.js";

/**
 * One evaluation of a PR, re-derived from GitHub every time (no database): read the facts,
 * turn comments and reviews into governance inputs (authorising each command), bind new
 * approvals to the findings they saw, run the pure pipeline, and say what to answer.
 *
 * Who may do what (DESIGN §10; policy groups resolve through the API):
 * - `/approve`: counted when the commenter is in a group a requirement names (judged by the
 *   governance core, which also refuses the PR author, commit authors and edited comments).
 * - `/evidence`, `/hold`: the PR author, a commit author or a member of any policy group.
 * - `/unhold` (or `/hold cancel`): lifts the canceller's own holds; a member of an override group
 *   lifts all (the policy's `breakGlass.groups`). Holds, their lifting and `/approve cancel`s are recorded in the ledger when first
 *   seen, so deleting their comments changes nothing.
 * - `/break-glass`: members of the policy's `breakGlass.groups` only (governance also refuses
 *   the PR author and commit authors, and incident ids not matching the policy's pattern). Like an
 *   approval it is bound to the findings current when the App first saw it (only if posted after
 *   the App reported on that head), and on a later head it passes the PR only while every current
 *   finding is one it saw: otherwise it is stale and the normal requirements apply again.
 */
export interface EvaluationOptions {
  readonly now: Date;
  /** Signs the approval ledger (LEDGER_KEY, or the webhook secret when unset). */
  readonly secret: string;
  /** Earlier ledger keys, still accepted when reading during a rotation. */
  readonly oldSecrets?: readonly string[];
  /** This App's id: only comments GitHub says it wrote carry a ledger it trusts. */
  readonly appId: number;
  /** Renders the trees' kustomize overlays and charts before the review (DESIGN §3); without it they are read as written. */
  readonly render?: (base: readonly SourceFile[], head: readonly SourceFile[], policy: Policy) => Promise<RenderResult>;
  /**
   * Analyses the change, once per evaluation: the App in a thread with limits (isolation/isolated-analysis.ts),
   * the Action, whose job is a process of its own, in process (review.ts `analyzeChange`).
   */
  readonly analyze: (input: Omit<ChangeInput, "cache">) => Promise<AnalysisOutcome>;
}

export interface CommandOutcome {
  readonly commentId: number;
  readonly command: SlashCommand;
  readonly accepted: boolean;
  /** Why it was refused, or what to answer (help). */
  readonly reply?: string;
}

export interface Evaluation {
  readonly pr: PullRequestFacts;
  readonly result: ReviewResult;
  /** The ledger to write back into the living comment, written now. */
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

interface Use extends CommandUse {
  readonly comment: CommentFacts;
}

const REPLY_MARKER = /<!-- route-governor:reply (\d+:[0-9a-f]{8}) -->/;

const later = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const short = (sha: string): string => sha.slice(0, 7);
// GitHub stamps comments in whole seconds: so does the ledger, or an approval posted in the
// same second as the report would look older than it.
const stamp = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, "Z");

export async function evaluatePullRequest(source: PullRequestSource, options: EvaluationOptions): Promise<Evaluation> {
  const { now, secret } = options;
  const pr = await source.pullRequest();
  const prKey = `${pr.owner}/${pr.repo}#${pr.number}`;
  const [base, head, comments, reviews, authorship, baseLinks, headLinks] = await Promise.all([
    source.tree("base"),
    source.tree("head"),
    source.comments(),
    source.reviews(),
    source.commitAuthors(),
    source.links?.("base") ?? [],
    source.links?.("head") ?? [],
  ]);
  const links = { base: baseLinks, head: headLinks };
  const commitAuthors = authorship.logins;

  // The policy always comes from the base SHA: a PR never governs itself (DESIGN §8).
  const policyText = base.find((file) => file.path === POLICY_PATH)?.text;
  const { policy, source: policySource } = resolvePolicy(policyText, `${POLICY_PATH} at ${pr.baseRef} (${short(pr.baseSha)})`);
  const rendered = await options.render?.(base, head, policy);
  const analysis = await options.analyze({ base, head, links, policy, ...(rendered ? { rendered } : {}) });
  const current = analysis.findings.map((finding) => finding.fingerprint);

  const notes: string[] = [];
  // Ours only when GitHub says this App wrote it: a marker any bot or person could copy.
  const ours = (comment: CommentFacts): boolean => comment.authorIsBot && comment.appId === options.appId;
  const ownComments = comments.filter((comment) => ours(comment) && isLivingComment(comment.body)).sort((a, b) => a.id - b.id);
  const { ledger, lastWritten } = mergedLedger(ownComments, [secret, ...(options.oldSecrets ?? [])], prKey, notes);
  const answered = new Set(comments.filter(ours).flatMap((comment) => REPLY_MARKER.exec(comment.body)?.[1] ?? []));

  const humans = comments.filter((comment) => !comment.authorIsBot);
  const uses: Use[] = humans.flatMap((comment) =>
    parseSlashCommands(comment.body).map((command) => ({
      comment,
      commentId: comment.id,
      author: comment.author,
      at: comment.createdAt,
      command,
      edited: later(comment.updatedAt, comment.createdAt),
    })),
  );
  for (const comment of new Set(uses.filter((use) => use.edited).map((use) => use.comment))) {
    notes.push(
      `The comment by @${comment.author} (${comment.url}) was edited after it was posted: its commands do not count; post a new comment.`,
    );
  }

  // Group membership costs API calls per person and group: only people whose commands depend on it are looked up, once each.
  const groupNames = Object.keys(policy.groups);
  const authors = { prAuthor: pr.author, commitAuthors };
  const people = new Set(
    [
      ...uses.filter((use) => needsGroups(use.command, wroteThePr(authors, use.author))).map((use) => use.author),
      ...reviews.filter((review) => !review.authorIsBot && review.state === "APPROVED").map((review) => review.author),
    ].map((login) => login.toLowerCase()),
  );
  const membership = new Map(
    await Promise.all(
      [...people].map(async (login) => {
        const groups: string[] = [];
        for (const name of groupNames) if (await source.isMember(login, policy.groups[name]!)) groups.push(name);
        return [login, groups] as const;
      }),
    ),
  );
  const groupsOf = (login: string): string[] => membership.get(login.toLowerCase()) ?? [];

  // Approvals, each bound to the fingerprints it saw (the ledger) or, when first seen, to the
  // current findings if the approver could have seen them.
  const knownSince = ledger.head?.sha === pr.headSha ? ledger.head.since : undefined;
  // When the head last moved, as far as anyone can prove: when the App first saw it. A commit's
  // date is whatever the pusher wrote, so a backdated commit would keep every approval alive.
  const headSeenAt = knownSince ?? stamp(now);
  const postedAfterReport = (at: string): boolean => knownSince !== undefined && !later(knownSince, at);
  /** The entry binding `ref`: recorded, or created now when `fresh`; undefined when it cannot be bound. */
  const binder = (recordedEntries: readonly LedgerEntry[], bound: LedgerEntry[]) => {
    const recorded = new Map(recordedEntries.map((entry) => [entry.ref, entry]));
    return (ref: string, login: string, at: string, fresh: boolean): LedgerEntry | undefined => {
      const known = recorded.get(ref);
      const entry =
        known && same(known.login, login)
          ? known
          : fresh
            ? { ref, login, at, head: pr.headSha, base: pr.baseRef, fingerprints: current }
            : undefined;
      if (entry) bound.push(entry);
      return entry;
    };
  };
  const entries: LedgerEntry[] = [];
  const breakGlassEntries: LedgerEntry[] = [];
  const bindApproval = binder(entriesOf(ledger), entries);
  const bindBreakGlass = binder(breakGlassOf(ledger), breakGlassEntries);
  const unbound = new Set<string>();
  const bind = (ref: string, login: string, at: string, fresh: boolean): { fingerprints: string[]; base?: string } => {
    const entry = bindApproval(ref, login, at, fresh);
    if (!entry) unbound.add(ref);
    return { fingerprints: entry ? [...entry.fingerprints] : [], ...(entry?.base === undefined ? {} : { base: entry.base }) };
  };

  const approvalInputs: (ApprovalInput & { ref: string; url?: string })[] = [];
  for (const use of uses) {
    const { comment, command, edited } = use;
    if (command.kind !== "approve" && command.kind !== "approve-cancel") continue;
    const ref = `comment:${comment.id}`;
    const cancelled = command.kind === "approve-cancel";
    const bound =
      cancelled || edited ? { fingerprints: [] } : bind(ref, comment.author, comment.createdAt, postedAfterReport(comment.createdAt));
    approvalInputs.push({
      ref,
      url: comment.url,
      login: comment.author,
      at: comment.createdAt,
      source: "comment",
      groups: groupsOf(comment.author),
      ...bound,
      commentId: comment.id,
      edited,
      cancelled,
    });
  }
  // A recorded cancel whose comment was deleted still retracts what it retracted.
  const commentRefs = new Set(uses.map((use) => `comment:${use.comment.id}`));
  for (const cancel of cancelsOf(ledger).filter((record) => !commentRefs.has(record.ref))) {
    approvalInputs.push({
      ref: cancel.ref,
      login: cancel.login,
      at: cancel.at,
      source: "comment",
      groups: [],
      fingerprints: [],
      edited: false,
      cancelled: true,
    });
  }
  for (const review of reviews.filter((r) => !r.authorIsBot && (r.state === "APPROVED" || r.state === "CHANGES_REQUESTED"))) {
    const ref = `review:${review.id}`;
    const cancelled = review.state === "CHANGES_REQUESTED";
    const bound = cancelled ? { fingerprints: [] } : bind(ref, review.author, review.submittedAt, review.commitId === pr.headSha);
    approvalInputs.push({
      ref,
      login: review.author,
      at: review.submittedAt,
      source: "review",
      groups: groupsOf(review.author),
      ...bound,
      edited: false,
      cancelled,
    });
  }
  const cancels = latestCancels(approvalInputs);
  for (const approval of approvalInputs.filter((a) => unbound.has(a.ref))) {
    notes.push(
      `@${approval.login}'s approval (${approval.url ?? "review"}) was given before Route Governor reported on head ${short(pr.headSha)}, so it cannot be tied to what it approved: approve again.`,
    );
  }

  const judged = judgeCommands(uses, authorityOf(policy, { ...authors, groupsOf }), holdsOf(ledger));
  const refusals = new Map(judged.refusals);
  // Every authorised break-glass is bound (the ledger keeps them all); the latest is the one that may apply.
  const bound = judged.breakGlass.map(({ use, command }) => ({
    use,
    command,
    entry: bindBreakGlass(`comment:${use.commentId}`, use.author, use.at, postedAfterReport(use.at)),
  }));
  const breakGlassUse = bound.at(-1);
  const holdRecords = judged.holds;
  const breakGlass = breakGlassUse && coveringBreakGlass(breakGlassUse, current, pr.headSha, pr.baseRef, refusals, notes);

  const result = reviewAnalysis(analysis, {
    policy,
    policySource,
    body: pr.body,
    bodyAt: pr.bodyUpdatedAt,
    now,
    prAuthor: pr.author,
    commitAuthors,
    authorship: { unlinkedCommits: authorship.unlinkedCommits, truncated: authorship.truncated },
    merged: pr.state === "merged",
    lastPushAt: headSeenAt,
    baseRef: pr.baseRef,
    evidenceCommands: judged.evidence,
    approvals: approvalInputs.map(({ ref: _ref, url: _url, ...approval }) => approval),
    holds: [...holdRecords.values()].filter((hold) => !hold.lifted).map(({ login, reason, at }): Hold => ({ login, reason, at })),
    ...(breakGlass ? { breakGlass } : {}),
  });

  const refusedApprovals = new Map(
    result.governance.approvals.refused.map((note) => [`${note.login.toLowerCase()}|${note.at}`, note.reason]),
  );
  const staleApprovals = new Map<string, string>(
    result.governance.approvals.rules.flatMap((rule) =>
      rule.stale.map((note) => [`${note.login.toLowerCase()}|${note.at}`, note.reason] as const),
    ),
  );
  const approvalReason = (login: string, at: string, ref: string): { status: ApprovalRecord["status"]; reason?: string } => {
    const key = `${login.toLowerCase()}|${at}`;
    if (unbound.has(ref))
      return { status: "not counted", reason: `given before Route Governor reported on head ${short(pr.headSha)}; approve again` };
    const refused = refusedApprovals.get(key);
    if (refused) return { status: "not counted", reason: refused };
    const stale = staleApprovals.get(key);
    return stale ? { status: "stale", reason: stale } : { status: "counted" };
  };

  const evidenceRefusal = evidenceJudge(policy, now, result);
  const outcomes = uses.map((use): CommandOutcome => {
    const { comment, command } = use;
    const refused = (reason: string): CommandOutcome => ({ commentId: comment.id, command, accepted: false, reply: reason });
    const accepted: CommandOutcome = { commentId: comment.id, command, accepted: true };
    const own = refusals.get(use);
    if (own) return refused(command.kind === "invalid" && command.text.startsWith("/route-governor") ? `${own}\n\n${helpText()}` : own);
    switch (command.kind) {
      case "approve": {
        const verdict = approvalReason(comment.author, comment.createdAt, `comment:${comment.id}`);
        return verdict.status === "not counted" ? refused(verdict.reason ?? "not counted") : accepted;
      }
      case "evidence": {
        const reason = use.edited
          ? "the comment was edited after posting; post a new /evidence comment"
          : evidenceRefusal(command.key, command.value);
        return reason ? refused(reason) : accepted;
      }
      case "break-glass": {
        const record = result.governance.breakGlass;
        return record && record.at === comment.createdAt && !record.accepted
          ? refused(`break-glass refused: ${record.refusal ?? ""}`)
          : accepted;
      }
      case "help":
        return { ...accepted, reply: helpText() };
      default:
        return accepted;
    }
  });

  const approvals = approvalInputs
    .filter((approval) => !approval.cancelled)
    .map((approval): ApprovalRecord => {
      const entry = entries.find((e) => e.ref === approval.ref);
      return {
        login: approval.login,
        at: approval.at,
        source: approval.source,
        ...(approval.url ? { url: approval.url } : {}),
        ...(entry ? { head: entry.head } : {}),
        fingerprints: approval.fingerprints,
        ...approvalReason(approval.login, approval.at, approval.ref),
      };
    });

  const verdicts = new Map(
    approvalInputs
      .filter((approval) => !approval.cancelled)
      .map((approval) => [approval.ref, approvalReason(approval.login, approval.at, approval.ref).status]),
  );
  const headRecord = { sha: pr.headSha, since: headSeenAt };
  return {
    pr,
    result,
    ledger: {
      ...buildLedger(prKey, headRecord, ledgerEntries(entries, verdicts), breakGlassEntries, { holds: [...holdRecords.values()], cancels }),
      written: stamp(now),
    },
    ...(lastWritten === undefined ? {} : { lastWritten }),
    notes,
    approvals,
    outcomes,
    ownComments,
    answered,
  };
}

/**
 * The latest authorised break-glass, if it covers the current findings. One the App could not
 * bind (posted before it reported on this head) or that saw other findings than the current ones
 * is refused and flagged: the PR falls back to its normal requirements.
 */
function coveringBreakGlass(
  latest: { use: Use; command: BreakGlass; entry: LedgerEntry | undefined },
  current: readonly string[],
  headSha: string,
  baseRef: string,
  refusals: Map<Use, string>,
  notes: string[],
): BreakGlass | undefined {
  const { use, command, entry } = latest;
  const who = `@${command.login}'s break-glass for ${command.incident} (${use.comment.url})`;
  if (!entry) {
    const reason = `posted before Route Governor reported on head ${short(headSha)}, so it cannot be tied to what it covers: break glass again`;
    refusals.set(use, `break-glass refused: ${reason}`);
    notes.push(`${who} was ${reason}.`);
    return undefined;
  }
  if (entry.base !== undefined && entry.base !== baseRef) {
    const reason = `it was given when the PR targeted ${entry.base}; it now targets ${baseRef}: break glass again`;
    refusals.set(use, `break-glass refused: ${reason}`);
    notes.push(`⚠️ ${who} no longer applies: ${reason}.`);
    return undefined;
  }
  const saw = new Set(entry.fingerprints);
  const uncovered = current.filter((fingerprint) => !saw.has(fingerprint)).length;
  if (uncovered === 0) return command;
  const reason = `it was given on head ${short(entry.head)} and ${uncovered} of the ${current.length} current findings changed since: it is stale and the normal requirements apply; break glass again to cover them`;
  refusals.set(use, `break-glass refused: ${reason}`);
  notes.push(`⚠️ ${who} no longer applies: ${reason}.`);
  return undefined;
}

/**
 * Reads the ledgers of the App's comments (oldest first): the oldest valid one first, then entries
 * only later ones hold; and the write time of the oldest comment's ledger when it is valid.
 */
function mergedLedger(
  own: readonly CommentFacts[],
  keys: readonly string[],
  prKey: string,
  notes: string[],
): { ledger: Ledger; lastWritten?: string } {
  let merged: Ledger | undefined;
  const entries: LedgerEntry[] = [];
  const breakGlass: LedgerEntry[] = [];
  const holds = new Map<string, HoldRecord>();
  const cancels: CancelRecord[] = [];
  const add = <T extends { readonly ref: string }>(into: T[], from: readonly T[]) => {
    for (const entry of from) if (!into.some((e) => e.ref === entry.ref)) into.push(entry);
  };
  let lastWritten: string | undefined;
  for (const comment of own) {
    const reading = readLedger(comment.body, keys, prKey, comment.updatedAt);
    // The App writes a ledger into every comment it keeps: one without is one someone stripped.
    if (reading.status !== "valid") {
      const why = reading.status === "invalid" ? reading.reason : "the App's comment no longer holds its approval ledger";
      notes.push(`⚠️ The approval record was removed or altered (${why}): approvals must be given again, and break-glass used again.`);
      continue;
    }
    if (comment === own[0]) lastWritten = reading.ledger.written;
    merged ??= reading.ledger;
    add(entries, entriesOf(reading.ledger));
    add(breakGlass, breakGlassOf(reading.ledger));
    add(cancels, cancelsOf(reading.ledger));
    // Copies disagreeing on whether a hold was lifted: it holds (failing closed).
    for (const hold of holdsOf(reading.ledger)) if (!holds.get(hold.ref) || !hold.lifted) holds.set(hold.ref, hold);
  }
  const ledger = merged
    ? buildLedger(prKey, merged.head, entries, breakGlass, { holds: [...holds.values()], cancels })
    : emptyLedger(prKey);
  return lastWritten === undefined ? { ledger } : { ledger, lastWritten };
}

/** Refused approvals kept bound in the ledger (one per person), in case the person later qualifies. */
const MAX_REFUSED_ENTRIES = 50;

/**
 * The approval entries worth keeping, least valuable first (the ledger drops from the front when
 * full): each person's latest refused approval, at most MAX_REFUSED_ENTRIES of them, then each
 * person's latest approval that counts or is stale. Only a person's latest approval can count, and
 * anyone may post refused `/approve`s by the hundred: they must not push real approvals out.
 */
function ledgerEntries(entries: readonly LedgerEntry[], verdicts: ReadonlyMap<string, ApprovalRecord["status"]>): LedgerEntry[] {
  const latestPerPerson = (list: readonly LedgerEntry[]): LedgerEntry[] => {
    const latest = new Map<string, LedgerEntry>();
    for (const entry of list) {
      const known = latest.get(entry.login.toLowerCase());
      if (!known || !later(known.at, entry.at)) latest.set(entry.login.toLowerCase(), entry);
    }
    return [...latest.values()];
  };
  const valid = latestPerPerson(entries.filter((entry) => verdicts.get(entry.ref) !== "not counted"));
  const people = new Set(valid.map((entry) => entry.login.toLowerCase()));
  const refused = latestPerPerson(
    entries.filter((entry) => verdicts.get(entry.ref) === "not counted" && !people.has(entry.login.toLowerCase())),
  );
  return [...refused.slice(-MAX_REFUSED_ENTRIES), ...valid];
}

/**
 * The latest `/approve cancel` of each person who has approved (the only ones that can still
 * retract anything), to record in the ledger.
 */
function latestCancels(inputs: readonly (ApprovalInput & { ref: string })[]): CancelRecord[] {
  const approvers = new Set(inputs.filter((input) => !input.cancelled).map((input) => input.login.toLowerCase()));
  const latest = new Map<string, CancelRecord>();
  for (const input of inputs) {
    if (!input.cancelled || !input.ref.startsWith("comment:") || !approvers.has(input.login.toLowerCase())) continue;
    const known = latest.get(input.login.toLowerCase());
    if (!known || later(input.at, known.at)) latest.set(input.login.toLowerCase(), { ref: input.ref, login: input.login, at: input.at });
  }
  return [...latest.values()];
}

/** Why an `/evidence` value is refused: an unknown key or a value that fails its validation. */
function evidenceJudge(policy: Policy, now: Date, result: ReviewResult): (key: string, value: string) => string | undefined {
  return (key, value) => {
    const canonical = resolveEvidenceKey(key, policy.evidence);
    if (canonical === undefined) return `"${key}" is not an evidence key; known keys: ${Object.keys(policy.evidence).join(", ")}`;
    const verdict = validateEvidence(value, policy.evidence[canonical]?.validate ?? { type: "text" }, {
      now,
      risk: result.risk,
      freezes: policy.freezes,
    });
    return verdict.ok ? undefined : `${canonical}: ${verdict.reason}`;
  };
}
