import { shortSha, type ApprovalBinding } from "./approval-binding.js";
import type { ApprovalEvaluation, ApproverNote } from "./approvals.js";
import type { LedgerEntry } from "./ledger.js";
import { later } from "./logins-and-times.js";

/**
 * What became of each approval once the PR was decided: counted, stale (it saw other findings, or
 * another base) or not counted (unbound, or refused), with the reason the approval record shows
 * and the `/approve` reply gives; and which bindings the ledger keeps for next time.
 */

export type ApprovalStatus = "counted" | "stale" | "not counted";

export interface ApprovalVerdict {
  readonly status: ApprovalStatus;
  readonly reason?: string;
}

/** One approval as the PR comment's approval record shows it. */
export interface ApprovalRecord extends ApprovalVerdict {
  readonly login: string;
  readonly at: string;
  readonly source: "comment" | "review";
  readonly url?: string;
  /** Head SHA when the approval was bound; undefined when it could not be bound. */
  readonly head?: string;
  readonly fingerprints: readonly string[];
}

/** Which approval: its author, time and ref. */
export interface ApprovalKey {
  readonly login: string;
  readonly at: string;
  readonly ref: string;
}

/**
 * The verdict on each approval, from the binding and the decision's approval evaluation. The
 * evaluation names approvals by person and time (its notes carry no ref), so that is how its
 * refusals and stale notes are matched.
 */
export function approvalVerdicts(
  evaluation: ApprovalEvaluation,
  binding: Pick<ApprovalBinding, "unbound">,
  headSha: string,
): (approval: ApprovalKey) => ApprovalVerdict {
  const key = (note: Pick<ApproverNote, "login" | "at">): string => `${note.login.toLowerCase()}|${note.at}`;
  const refused = new Map(evaluation.refused.map((note) => [key(note), note.reason]));
  const stale = new Map(evaluation.rules.flatMap((rule) => rule.stale.map((note) => [key(note), note.reason] as const)));
  return (approval) => {
    if (binding.unbound.has(approval.ref))
      return { status: "not counted", reason: `given before Route Governor reported on head ${shortSha(headSha)}; approve again` };
    const refusal = refused.get(key(approval));
    if (refusal) return { status: "not counted", reason: refusal };
    const staleness = stale.get(key(approval));
    return staleness ? { status: "stale", reason: staleness } : { status: "counted" };
  };
}

/** The approval record: every approval not cancelled, what it saw and its verdict. */
export function approvalRecords(binding: ApprovalBinding, verdictOf: (approval: ApprovalKey) => ApprovalVerdict): ApprovalRecord[] {
  return binding.approvals
    .filter((approval) => !approval.cancelled)
    .map((approval): ApprovalRecord => {
      const entry = binding.entries.find((e) => e.ref === approval.ref);
      return {
        login: approval.login,
        at: approval.at,
        source: approval.source,
        ...(approval.url ? { url: approval.url } : {}),
        ...(entry ? { head: entry.head } : {}),
        fingerprints: approval.fingerprints,
        ...verdictOf(approval),
      };
    });
}

/** Refused approvals kept bound in the ledger (one per person), in case the person later qualifies. */
const MAX_REFUSED_ENTRIES = 50;

/**
 * The approval entries worth keeping, least valuable first (the ledger drops from the front when
 * full): each person's latest refused approval, at most MAX_REFUSED_ENTRIES of them, then each
 * person's latest approval that counts or is stale. Only a person's latest approval can count, and
 * anyone may post refused `/approve`s by the hundred: they must not push real approvals out.
 */
export function entriesToKeep(binding: ApprovalBinding, verdictOf: (approval: ApprovalKey) => ApprovalVerdict): LedgerEntry[] {
  const verdicts = new Map(
    binding.approvals.filter((approval) => !approval.cancelled).map((approval) => [approval.ref, verdictOf(approval).status]),
  );
  const latestPerPerson = (list: readonly LedgerEntry[]): LedgerEntry[] => {
    const latest = new Map<string, LedgerEntry>();
    for (const entry of list) {
      const known = latest.get(entry.login.toLowerCase());
      if (!known || !later(known.at, entry.at)) latest.set(entry.login.toLowerCase(), entry);
    }
    return [...latest.values()];
  };
  const valid = latestPerPerson(binding.entries.filter((entry) => verdicts.get(entry.ref) !== "not counted"));
  const people = new Set(valid.map((entry) => entry.login.toLowerCase()));
  const refused = latestPerPerson(
    binding.entries.filter((entry) => verdicts.get(entry.ref) === "not counted" && !people.has(entry.login.toLowerCase())),
  );
  return [...refused.slice(-MAX_REFUSED_ENTRIES), ...valid];
}
