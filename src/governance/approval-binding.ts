import type { ApprovalInput, SubmittedReview } from "./approvals.js";
import type { PostedCommand } from "./command-uses.js";
import { cancelsOf, entriesOf, ledgerTime, type CancelRecord, type HeadRecord, type Ledger, type LedgerEntry } from "./ledger.js";
import { later, sameLogin } from "./logins-and-times.js";

/**
 * What each approval approved (DESIGN §10): an `/approve` comment or an approving review is bound to
 * the fingerprints of the findings it saw, recorded in the ledger when first seen. A new approval is
 * bound to the current findings only when its author could have seen them: a comment posted after
 * the App's report on the current head reached the PR (GitHub's time of that write), a review submitted on the current head. Otherwise it is
 * unbound, counts for nothing, and the report asks for it again. A recorded binding holds while
 * the same person's comment or review still stands; `/approve cancel`s are recorded too, so
 * deleting one does not restore the approval it retracted.
 */

/** The PR as a new binding records it. */
export interface BindingTarget {
  readonly headSha: string;
  /** The branch the PR targets: an approval is for one base. */
  readonly baseRef: string;
  /** Fingerprints of the current findings. */
  readonly current: readonly string[];
}

/** When the current head appeared, as far as the App can prove. */
export interface HeadClock {
  /**
   * GitHub's time of the App's first report on the head, once known (the ledger that report
   * carried, read back). Not when the evaluation started: an approval posted while the report was
   * still being made (probe: a push evaluated for 30 s) saw the previous head's findings.
   */
  readonly since?: string;
  /**
   * When the head appeared as far as the App knows: `since`, or now for a head not yet reported
   * on (a commit's date is whatever the pusher wrote, so a backdated commit would keep every
   * approval alive).
   */
  readonly seenAt: string;
  /** Whether something posted at `at` came after the App reported on the current head. */
  readonly postedAfterReport: (at: string) => boolean;
}

export const shortSha = (sha: string): string => sha.slice(0, 7);

/** The head clock from the head the ledger knows (`known`) and the PR's head now. */
export function headClock(known: HeadRecord | undefined, headSha: string, now: Date): HeadClock {
  const knownSince = known?.sha === headSha ? known.since : undefined;
  return {
    ...(knownSince === undefined ? {} : { since: knownSince }),
    seenAt: knownSince ?? ledgerTime(now),
    postedAfterReport: (at) => knownSince !== undefined && !later(knownSince, at),
  };
}

/** What was given: an approval, or a break-glass, by its comment or review. */
export interface Act {
  /** `comment:<id>` or `review:<id>`. */
  readonly ref: string;
  readonly login: string;
  readonly at: string;
}

/**
 * The entry binding `act`: the recorded one, if the ledger has one for it by the same person;
 * else a new one to the current findings when `fresh` (its author could have seen them); else none.
 */
export function bindAct(
  recorded: ReadonlyMap<string, LedgerEntry>,
  act: Act,
  fresh: boolean,
  target: BindingTarget,
): LedgerEntry | undefined {
  const known = recorded.get(act.ref);
  if (known && sameLogin(known.login, act.login)) return known;
  return fresh
    ? { ref: act.ref, login: act.login, at: act.at, head: target.headSha, base: target.baseRef, fingerprints: target.current }
    : undefined;
}

/** The ledger's entries by ref. */
export const byRef = (entries: readonly LedgerEntry[]): ReadonlyMap<string, LedgerEntry> =>
  new Map(entries.map((entry) => [entry.ref, entry]));

/** An approval as the decision takes it, with its ref and link. */
export interface BoundApproval extends ApprovalInput {
  readonly ref: string;
  readonly url?: string;
}

export interface ApprovalBinding {
  /** Comment approvals and cancels, recorded cancels whose comment is gone, then reviews. */
  readonly approvals: readonly BoundApproval[];
  /** The entries bound, recorded or new, in binding order. */
  readonly entries: readonly LedgerEntry[];
  /** Refs of approvals that could not be bound. */
  readonly unbound: ReadonlySet<string>;
  /** The `/approve cancel`s to record: each approver's latest. */
  readonly cancels: readonly CancelRecord[];
  /** One per unbound approval, for the report. */
  readonly notes: readonly string[];
}

export interface ApprovalFacts {
  /** The PR's commands (only `/approve` and `/approve cancel` are read). */
  readonly uses: readonly PostedCommand[];
  readonly reviews: readonly SubmittedReview[];
  /** The ledger read back: recorded bindings and cancels. */
  readonly ledger: Ledger;
  readonly target: BindingTarget;
  readonly clock: HeadClock;
  /** The policy groups a person belongs to. */
  readonly groupsOf: (login: string) => readonly string[];
}

/**
 * The PR's approvals, each bound to what it saw. Cancels and edited comments bind nothing (an edited
 * comment never approves); a review requesting changes retracts its author's approval.
 */
export function bindApprovals(facts: ApprovalFacts): ApprovalBinding {
  const { uses, reviews, ledger, target, clock, groupsOf } = facts;
  const recorded = byRef(entriesOf(ledger));
  const entries: LedgerEntry[] = [];
  const unbound = new Set<string>();
  const bind = (act: Act, fresh: boolean): { fingerprints: string[]; base?: string } => {
    const entry = bindAct(recorded, act, fresh, target);
    if (entry) entries.push(entry);
    else unbound.add(act.ref);
    return { fingerprints: entry ? [...entry.fingerprints] : [], ...(entry?.base === undefined ? {} : { base: entry.base }) };
  };

  const approvals: BoundApproval[] = [];
  for (const { comment, command, edited } of uses) {
    if (command.kind !== "approve" && command.kind !== "approve-cancel") continue;
    const ref = `comment:${comment.id}`;
    const cancelled = command.kind === "approve-cancel";
    const act = { ref, login: comment.author, at: comment.createdAt };
    const bound = cancelled || edited ? { fingerprints: [] } : bind(act, clock.postedAfterReport(comment.createdAt));
    approvals.push({
      ref,
      url: comment.url,
      login: comment.author,
      at: comment.createdAt,
      source: "comment",
      groups: [...groupsOf(comment.author)],
      ...bound,
      commentId: comment.id,
      edited,
      cancelled,
    });
  }
  // A recorded cancel whose comment was deleted still retracts what it retracted.
  const commentRefs = new Set(uses.map((use) => `comment:${use.commentId}`));
  for (const cancel of cancelsOf(ledger).filter((record) => !commentRefs.has(record.ref))) {
    approvals.push({
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
    // A review names the head it was given on: bound only when that is the current head.
    const bound = cancelled
      ? { fingerprints: [] }
      : bind({ ref, login: review.author, at: review.submittedAt }, review.commitId === target.headSha);
    approvals.push({
      ref,
      login: review.author,
      at: review.submittedAt,
      source: "review",
      groups: [...groupsOf(review.author)],
      ...bound,
      edited: false,
      cancelled,
    });
  }
  const notes = approvals
    .filter((approval) => unbound.has(approval.ref))
    .map(
      (approval) =>
        `@${approval.login}'s approval (${approval.url ?? "review"}) was given before Route Governor reported on head ${shortSha(target.headSha)}, so it cannot be tied to what it approved: approve again.`,
    );
  return { approvals, entries, unbound, cancels: latestCancels(approvals), notes };
}

/**
 * The latest `/approve cancel` of each person who has approved (the only ones that can still
 * retract anything), to record in the ledger.
 */
function latestCancels(approvals: readonly BoundApproval[]): CancelRecord[] {
  const approvers = new Set(approvals.filter((approval) => !approval.cancelled).map((approval) => approval.login.toLowerCase()));
  const latest = new Map<string, CancelRecord>();
  for (const approval of approvals) {
    if (!approval.cancelled || !approval.ref.startsWith("comment:") || !approvers.has(approval.login.toLowerCase())) continue;
    const known = latest.get(approval.login.toLowerCase());
    if (!known || later(approval.at, known.at))
      latest.set(approval.login.toLowerCase(), { ref: approval.ref, login: approval.login, at: approval.at });
  }
  return [...latest.values()];
}
