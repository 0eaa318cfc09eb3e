import * as z from "zod";

/**
 * What governance remembers between evaluations (DESIGN §10). The App keeps no database, so the
 * approval ledger records what each approval saw: the fingerprints of the findings current when it
 * was first seen, and the base branch. The GitHub adapter stores it, signed, in the App's own PR
 * comment (src/github/approval-ledger.ts); what it holds, and what it keeps when full, is decided here.
 *
 * The ledger also remembers since when it has known the current head: an approval posted before
 * the App reported on that head may have been given for different code, so it is not bound.
 * An accepted `/break-glass` is bound the same way, in its own list: it covers a later head only
 * while every finding of that head is one it saw.
 *
 * Holds and `/approve cancel`s are recorded when first seen, and a hold's lifting with it: anyone
 * with write access can delete a comment, so deleting the `/hold` (or the cancel) must not lift it
 * (or restore the approval). Only an authorised `/unhold` lifts a recorded hold.
 *
 * Anyone who may delete a `/hold` may delete or edit the App's comment too, and with it the ledger
 * (probe: the author deleted an SRE's `/hold`, then the App's comment, and the next `/approve`
 * passed). So the App keeps a second copy where only it can write, its check run of the PR, and
 * the copies merge here: a missing or altered comment copy is restored from the check run's, the
 * report saying so from then on; when no copy is left although the App has reported on the PR,
 * what was recorded is lost and the PR is held by the App itself until a member of a break-glass
 * group (a repository admin when the policy names none), having checked the PR's holds and
 * approvals, comments `/unhold`.
 */

const MAX_ENTRIES = 500;
const MAX_BREAK_GLASS = 20;
const MAX_HOLDS = 100;
const MAX_LOSSES = 10;
const MAX_PUSHERS = 200;

const LedgerEntrySchema = z.object({
  /** `comment:<id>` or `review:<id>`. */
  ref: z.string().regex(/^(comment|review):\d+$/),
  login: z.string().min(1).max(100),
  at: z.iso.datetime({ offset: true }),
  head: z.string().max(64),
  /** The base branch the PR targeted (absent in entries written before it was recorded). */
  base: z.string().max(300).optional(),
  /** Index into `sets`: approvals given at the same head share their fingerprints. */
  set: z.number().int().min(0),
});

/** The ref of the App's own hold on a PR whose record was lost: `record:<when, in seconds>`. */
const RECORD_HOLD = /^record:\d+$/;

const HoldRecordSchema = z.object({
  /** `comment:<id>:<line>`: one comment may hold several times; `record:<seconds>`: the App's own (a lost record). */
  ref: z.string().regex(/^comment:\d+:\d+$|^record:\d+$/),
  login: z.string().min(1).max(100),
  at: z.iso.datetime({ offset: true }),
  reason: z.string().max(500),
  /** Who lifted it, and when; absent while it holds. */
  lifted: z
    .object({ login: z.string().min(1).max(100), at: z.iso.datetime({ offset: true }), ref: z.string().regex(/^comment:\d+$/) })
    .optional(),
});
export type HoldRecord = z.infer<typeof HoldRecordSchema>;

const CancelRecordSchema = z.object({
  ref: z.string().regex(/^comment:\d+$/),
  login: z.string().min(1).max(100),
  at: z.iso.datetime({ offset: true }),
});
export type CancelRecord = z.infer<typeof CancelRecordSchema>;

/** A time the comment's copy of the ledger was found removed or altered, and what became of it. */
const LossRecordSchema = z.object({ at: z.iso.datetime({ offset: true }), what: z.string().max(1_000) });
export type LossRecord = z.infer<typeof LossRecordSchema>;

/** What the ledger keeps besides bound approvals and break-glass. */
export interface LedgerRecords {
  readonly holds?: readonly HoldRecord[];
  /** The latest `/approve cancel` of each person who had approved. */
  readonly cancels?: readonly CancelRecord[];
  /** The latest times the comment's copy was found removed or altered. */
  readonly losses?: readonly LossRecord[];
  /** Who pushed to the PR's branch, as far as the App saw. */
  readonly pushers?: readonly string[];
}

export const LedgerSchema = z.object({
  v: z.literal(1),
  /** `owner/repo#number`: a ledger copied from another PR does not verify. */
  pr: z.string().max(300),
  /**
   * The head the App reported on, and since when: GitHub's time of the write that first showed that
   * head's findings. Absent `since`: the copy was written by that very write, so its reader takes
   * the time GitHub stamped on it.
   */
  head: z.object({ sha: z.string().max(64), since: z.iso.datetime({ offset: true }).optional() }).optional(),
  sets: z.array(z.array(z.string().max(200)).max(10_000)).max(MAX_ENTRIES),
  approvals: z.array(LedgerEntrySchema).max(MAX_ENTRIES),
  /** Break-glass comments, bound like approvals (absent in ledgers written before they were). */
  breakGlass: z.array(LedgerEntrySchema).max(MAX_BREAK_GLASS).optional(),
  holds: z.array(HoldRecordSchema).max(MAX_HOLDS).optional(),
  cancels: z.array(CancelRecordSchema).max(MAX_ENTRIES).optional(),
  losses: z.array(LossRecordSchema).max(MAX_LOSSES).optional(),
  /**
   * Who pushed to the PR's branch (the senders of its \`synchronize\` events), oldest first: like a
   * commit author, a pusher wrote what is merged, whatever names the commits carry. GitHub keeps
   * no record of who pushed an ordinary push, so the ledger does.
   */
  pushers: z.array(z.string().min(1).max(100)).max(MAX_PUSHERS).optional(),
  /** When the App wrote the ledger into its comment (absent only in ledgers from before it was recorded). */
  written: z.iso.datetime({ offset: true }).optional(),
});
export type Ledger = z.infer<typeof LedgerSchema>;

/** The head the ledger knows, and since when the App's report on it was on the PR. */
export type HeadRecord = NonNullable<Ledger["head"]>;

/** The ledger with its head's report time filled in, when it was still to be read off GitHub's stamp. */
export const withHeadSince = (ledger: Ledger, at: string): Ledger =>
  ledger.head && ledger.head.since === undefined ? { ...ledger, head: { sha: ledger.head.sha, since: at } } : ledger;

/** An approval or break-glass bound to what it saw. */
export interface LedgerEntry {
  readonly ref: string;
  readonly login: string;
  readonly at: string;
  readonly head: string;
  readonly base?: string;
  readonly fingerprints: readonly string[];
}

/**
 * A time as the ledger writes it. GitHub stamps comments in whole seconds: so does the ledger, or
 * an approval posted in the same second as the report would look older than it.
 */
export const ledgerTime = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, "Z");

const expand = (ledger: Ledger, list: Ledger["approvals"]): LedgerEntry[] =>
  list.map((entry) => ({
    ref: entry.ref,
    login: entry.login,
    at: entry.at,
    head: entry.head,
    ...(entry.base === undefined ? {} : { base: entry.base }),
    fingerprints: ledger.sets[entry.set] ?? [],
  }));

/** The approvals recorded in the ledger. */
export const entriesOf = (ledger: Ledger): LedgerEntry[] => expand(ledger, ledger.approvals);

/** The break-glass comments recorded in the ledger. */
export const breakGlassOf = (ledger: Ledger): LedgerEntry[] => expand(ledger, ledger.breakGlass ?? []);

/** The holds recorded in the ledger, lifted or not. */
export const holdsOf = (ledger: Ledger): HoldRecord[] => ledger.holds ?? [];

/** The `/approve cancel`s recorded in the ledger. */
export const cancelsOf = (ledger: Ledger): CancelRecord[] => ledger.cancels ?? [];

/** The times the comment's copy was found removed or altered. */
export const lossesOf = (ledger: Ledger): LossRecord[] => ledger.losses ?? [];

/** Who pushed to the PR's branch, as the ledger recorded them. */
export const pushersOf = (ledger: Ledger): string[] => ledger.pushers ?? [];

/** `pushers` with `more` added, each login once (the first spelling kept), oldest first. */
export const withPushers = (pushers: readonly string[], more: readonly string[]): string[] => {
  const all = [...pushers];
  for (const login of more) if (!all.some((known) => known.toLowerCase() === login.toLowerCase())) all.push(login);
  return all;
};

/** Whether a hold is the App's own, for a lost record: any member of a break-glass group (command-authority.ts) lifts it. */
export const isRecordHold = (hold: Pick<HoldRecord, "ref">): boolean => RECORD_HOLD.test(hold.ref);

/**
 * A ledger with these approval and break-glass entries (sets deduplicated), holds, cancels and
 * this head record. Holds past the cap drop lifted ones first, then the newest: a hold that
 * still holds is never traded for one that no longer does.
 */
export function buildLedger(
  pr: string,
  head: Ledger["head"],
  entries: readonly LedgerEntry[],
  breakGlass: readonly LedgerEntry[] = [],
  records: LedgerRecords = {},
): Ledger {
  const sets: string[][] = [];
  const index = new Map<string, number>();
  const compact = (entry: LedgerEntry) => {
    const key = JSON.stringify(entry.fingerprints);
    let set = index.get(key);
    if (set === undefined) {
      set = sets.push([...entry.fingerprints]) - 1;
      index.set(key, set);
    }
    return {
      ref: entry.ref,
      login: entry.login,
      at: entry.at,
      head: entry.head,
      ...(entry.base === undefined ? {} : { base: entry.base }),
      set,
    };
  };
  const glass = breakGlass.slice(-MAX_BREAK_GLASS).map(compact);
  const approvals = entries.slice(-MAX_ENTRIES).map(compact);
  const holds = [...(records.holds ?? []).filter((hold) => !hold.lifted), ...(records.holds ?? []).filter((hold) => hold.lifted)].slice(
    0,
    MAX_HOLDS,
  );
  const cancels = (records.cancels ?? []).slice(-MAX_ENTRIES);
  const losses = (records.losses ?? []).slice(-MAX_LOSSES);
  const pushers = (records.pushers ?? []).slice(-MAX_PUSHERS);
  return {
    v: 1,
    pr,
    ...(head ? { head } : {}),
    sets,
    approvals,
    ...(glass.length > 0 ? { breakGlass: glass } : {}),
    ...(holds.length > 0 ? { holds } : {}),
    ...(cancels.length > 0 ? { cancels } : {}),
    ...(losses.length > 0 ? { losses } : {}),
    ...(pushers.length > 0 ? { pushers } : {}),
  };
}

/** One copy of the ledger as the adapter read it from the App's comment or check run. */
export type LedgerReading =
  | { readonly status: "absent" }
  | { readonly status: "valid"; readonly ledger: Ledger }
  | { readonly status: "invalid"; readonly reason: string };

/** Every copy of the ledger the adapter found. */
export interface LedgerCopies {
  /** The copies in the App's comments, oldest first (more than one only after concurrent deliveries). */
  readonly comments: readonly LedgerReading[];
  /** The copy in the App's latest check run of the PR (absent: that run carries none), and the commit it is on. */
  readonly report?: { readonly reading: LedgerReading; readonly sha: string };
  /** Whether the App has reported on the PR before: with no copy left, its record was lost, not never made. */
  readonly reportedBefore: boolean;
  /** The evaluation's time: when a loss is recorded. */
  readonly now: Date;
}

export interface MergedLedger {
  readonly ledger: Ledger;
  /** The write time of the oldest comment's ledger, when that one is valid. */
  readonly lastWritten?: string;
  /** What the report must flag: each time the comment's copy was found removed or altered, and what became of it. */
  readonly notes: readonly string[];
}

/** The App's own hold on a PR whose record was lost (its login names the App; `/unhold` by its "holder" does not lift it). */
const recordHold = (at: string): HoldRecord => ({
  ref: `record:${Date.parse(at) / 1000}`,
  login: "route-governor",
  at,
  reason:
    "the approval record was lost, with any hold, cancel or break-glass it kept: a member of a break-glass group (a repository admin when the policy names none) checks the holds and approvals given on this PR, then comments /unhold",
});

/**
 * The head record of the newest copy. Without a valid comment copy, not since when: the check run
 * holding the copy is the newest on the current head, but a later head may have been reported on
 * since (A, then B approved, then A again), which only the lost comment recorded; an approval
 * posted meanwhile saw that head's findings. The head then counts as reported on from this write.
 */
const restoredHead = (head: Ledger["head"], fromComment: boolean): Ledger["head"] => head && (fromComment ? head : { sha: head.sha });

/**
 * The ledger of PR `pr` from its copies: the valid ones newest first by the time the App signed
 * into them (a comment before the check run written with it), the newest for the head, then entries
 * only older ones hold. Where a copy sits says nothing of its age: a run concluded after its
 * comment write failed holds a newer copy than the comment. Copies disagreeing on whether a hold
 * was lifted: it holds (failing closed). The App writes a ledger into every comment it keeps, so a
 * comment copy that is absent or invalid was stripped or altered, and a missing comment (when the
 * App has reported) was deleted: restored from the other copies, and recorded, so every later
 * report says so too. Nothing to restore from: the App holds the PR.
 */
export function mergeLedgers(pr: string, copies: LedgerCopies): MergedLedger {
  const at = ledgerTime(copies.now);
  const valid = copies.comments.flatMap((reading) => (reading.status === "valid" ? [reading.ledger] : []));
  const report = copies.report?.reading.status === "valid" ? copies.report.reading.ledger : undefined;
  const signedAt = (ledger: Ledger) => Date.parse(ledger.written ?? "") || 0;
  // A stable sort: at the same time, the comment (stamped by GitHub) before the check run.
  const sources = [...valid, ...(report ? [report] : [])].sort((a, b) => signedAt(b) - signedAt(a));
  const problems = copies.comments.flatMap((reading) =>
    reading.status === "valid"
      ? []
      : [reading.status === "invalid" ? reading.reason : "the App's comment no longer holds its approval ledger"],
  );
  if (copies.comments.length === 0 && (report || copies.reportedBefore)) problems.push("Route Governor's comment was deleted");
  const where = report
    ? `the check run Route Governor wrote on ${copies.report!.sha.slice(0, 7)}, which only the App can write`
    : "another of the App's comments";
  const reportProblem =
    copies.report?.reading.status === "invalid"
      ? `; its check run's copy is void too: ${copies.report.reading.reason}`
      : copies.report?.reading.status === "absent"
        ? `; the App's latest check run of the PR, on ${copies.report.sha.slice(0, 7)}, carries no copy, as its evaluation failed or never finished, and an older run's copy may miss what that evaluation recorded`
        : "";
  const lost = problems.length > 0 && sources.length === 0;
  const newLosses = problems.map((why): LossRecord => ({
    at,
    what: lost
      ? `The approval record was removed or altered (${why}${reportProblem}) and no copy could be restored: approvals must be given again and break-glass used again, and Route Governor holds the PR until a member of a break-glass group (a repository admin when the policy names none) has checked its holds and comments /unhold.`
      : `The approval record was removed or altered (${why}): restored from ${where}.`,
  }));

  const entries: LedgerEntry[] = [];
  const breakGlass: LedgerEntry[] = [];
  const holds = new Map<string, HoldRecord>();
  const cancels: CancelRecord[] = [];
  const losses: LossRecord[] = [];
  let pushers: string[] = [];
  const add = <T extends { readonly ref: string }>(into: T[], from: readonly T[]) => {
    for (const entry of from) if (!into.some((e) => e.ref === entry.ref)) into.push(entry);
  };
  for (const ledger of sources) {
    add(entries, entriesOf(ledger));
    add(breakGlass, breakGlassOf(ledger));
    add(cancels, cancelsOf(ledger));
    for (const hold of holdsOf(ledger)) if (!holds.get(hold.ref) || !hold.lifted) holds.set(hold.ref, hold);
    for (const loss of lossesOf(ledger)) if (!losses.some((l) => l.at === loss.at && l.what === loss.what)) losses.push(loss);
    pushers = withPushers(pushers, pushersOf(ledger));
  }
  if (lost) holds.set(recordHold(at).ref, recordHold(at));
  losses.push(...newLosses);
  const records = { holds: [...holds.values()], cancels, losses, pushers };
  const ledger = buildLedger(pr, restoredHead(sources[0]?.head, valid.length > 0), entries, breakGlass, records);
  const notes = lossesOf(ledger).map((loss) => `⚠️ ${loss.what} (${loss.at})`);
  const [oldest] = copies.comments;
  const lastWritten = oldest?.status === "valid" ? oldest.ledger.written : undefined;
  return lastWritten === undefined ? { ledger, notes } : { ledger, lastWritten, notes };
}
