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
 */

const MAX_ENTRIES = 500;
const MAX_BREAK_GLASS = 20;
const MAX_HOLDS = 100;

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

const HoldRecordSchema = z.object({
  /** `comment:<id>:<line>`: one comment may hold several times. */
  ref: z.string().regex(/^comment:\d+:\d+$/),
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

/** What the ledger keeps besides bound approvals and break-glass. */
export interface LedgerRecords {
  readonly holds?: readonly HoldRecord[];
  /** The latest `/approve cancel` of each person who had approved. */
  readonly cancels?: readonly CancelRecord[];
}

export const LedgerSchema = z.object({
  v: z.literal(1),
  /** `owner/repo#number`: a ledger copied from another PR does not verify. */
  pr: z.string().max(300),
  head: z.object({ sha: z.string().max(64), since: z.iso.datetime({ offset: true }) }).optional(),
  sets: z.array(z.array(z.string().max(200)).max(10_000)).max(MAX_ENTRIES),
  approvals: z.array(LedgerEntrySchema).max(MAX_ENTRIES),
  /** Break-glass comments, bound like approvals (absent in ledgers written before they were). */
  breakGlass: z.array(LedgerEntrySchema).max(MAX_BREAK_GLASS).optional(),
  holds: z.array(HoldRecordSchema).max(MAX_HOLDS).optional(),
  cancels: z.array(CancelRecordSchema).max(MAX_ENTRIES).optional(),
  /** When the App wrote the ledger into its comment (absent only in ledgers from before it was recorded). */
  written: z.iso.datetime({ offset: true }).optional(),
});
export type Ledger = z.infer<typeof LedgerSchema>;

/** The head the ledger knows, and since when (the App's first sight of it). */
export type HeadRecord = NonNullable<Ledger["head"]>;

/** An approval or break-glass bound to what it saw. */
export interface LedgerEntry {
  readonly ref: string;
  readonly login: string;
  readonly at: string;
  readonly head: string;
  readonly base?: string;
  readonly fingerprints: readonly string[];
}

export const emptyLedger = (pr: string): Ledger => ({ v: 1, pr, sets: [], approvals: [] });

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
  return {
    v: 1,
    pr,
    ...(head ? { head } : {}),
    sets,
    approvals,
    ...(glass.length > 0 ? { breakGlass: glass } : {}),
    ...(holds.length > 0 ? { holds } : {}),
    ...(cancels.length > 0 ? { cancels } : {}),
  };
}

/** One copy of the ledger as the adapter read it from one of the App's comments. */
export type LedgerReading =
  | { readonly status: "absent" }
  | { readonly status: "valid"; readonly ledger: Ledger }
  | { readonly status: "invalid"; readonly reason: string };

export interface MergedLedger {
  readonly ledger: Ledger;
  /** The write time of the oldest comment's ledger, when that one is valid. */
  readonly lastWritten?: string;
  /** What the report must flag: copies removed or altered. */
  readonly notes: readonly string[];
}

/**
 * The ledger of PR `pr` from the copies in the App's comments (oldest first, more than one only
 * after concurrent deliveries): the oldest valid one first, then entries only later ones hold.
 * Copies disagreeing on whether a hold was lifted: it holds (failing closed). The App writes a
 * ledger into every comment it keeps, so a copy that is absent was stripped: like an invalid one
 * it counts for nothing, and the report says approvals and break-glass must be given again.
 */
export function mergeLedgers(pr: string, readings: readonly LedgerReading[]): MergedLedger {
  let merged: Ledger | undefined;
  const entries: LedgerEntry[] = [];
  const breakGlass: LedgerEntry[] = [];
  const holds = new Map<string, HoldRecord>();
  const cancels: CancelRecord[] = [];
  const notes: string[] = [];
  const add = <T extends { readonly ref: string }>(into: T[], from: readonly T[]) => {
    for (const entry of from) if (!into.some((e) => e.ref === entry.ref)) into.push(entry);
  };
  let lastWritten: string | undefined;
  for (const [index, reading] of readings.entries()) {
    if (reading.status !== "valid") {
      const why = reading.status === "invalid" ? reading.reason : "the App's comment no longer holds its approval ledger";
      notes.push(`⚠️ The approval record was removed or altered (${why}): approvals must be given again, and break-glass used again.`);
      continue;
    }
    if (index === 0) lastWritten = reading.ledger.written;
    merged ??= reading.ledger;
    add(entries, entriesOf(reading.ledger));
    add(breakGlass, breakGlassOf(reading.ledger));
    add(cancels, cancelsOf(reading.ledger));
    for (const hold of holdsOf(reading.ledger)) if (!holds.get(hold.ref) || !hold.lifted) holds.set(hold.ref, hold);
  }
  const ledger = merged ? buildLedger(pr, merged.head, entries, breakGlass, { holds: [...holds.values()], cancels }) : emptyLedger(pr);
  return lastWritten === undefined ? { ledger, notes } : { ledger, lastWritten, notes };
}
