import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import * as z from "zod";

/**
 * The approval ledger: what each approval saw (DESIGN §10). The App keeps no database, so the
 * fingerprints of the findings current when an approval was first seen are recorded in a hidden
 * block of the App's own PR comment, signed with the ledger key (LEDGER_KEY; the webhook secret when unset): an edited bot comment cannot
 * forge or re-bind approvals (a bad signature voids the whole ledger, and the report says so).
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
 * A signature cannot stop a replay: GitHub keeps a comment's edit history, so whoever may edit the
 * App's comment could paste back an older, validly signed ledger. The ledger therefore records when
 * the App wrote it, and a comment GitHub says was edited later than that (beyond the tolerance for
 * clock skew and latency) holds a void ledger. The App rewrites its comment only when something
 * besides that time changed, so its own edits keep the two times together.
 */

const LEDGER_MARKER = "route-governor:ledger";
const MAX_PAYLOAD_CHARS = 40_000;
const MAX_ENTRIES = 500;
const MAX_BREAK_GLASS = 20;
const MAX_HOLDS = 100;
/** How much later than the ledger's write time GitHub may stamp the App's own edit. */
export const EDIT_TOLERANCE_MS = 5 * 60_000;

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

export interface LedgerEntry {
  readonly ref: string;
  readonly login: string;
  readonly at: string;
  readonly head: string;
  readonly base?: string;
  readonly fingerprints: readonly string[];
}

export const emptyLedger = (pr: string): Ledger => ({ v: 1, pr, sets: [], approvals: [] });

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

const sign = (secret: string, payload: string): string => createHmac("sha256", secret).update(`${LEDGER_MARKER}:${payload}`).digest("hex");

/**
 * The hidden comment block carrying the signed ledger. A ledger too big for its block drops its
 * oldest approvals: they are then unbound and must be given again (failing closed).
 */
export function ledgerBlock(ledger: Ledger, secret: string): string {
  let entries = entriesOf(ledger);
  let payload = encode(ledger);
  while (payload.length > MAX_PAYLOAD_CHARS && entries.length > 0) {
    entries = entries.slice(Math.ceil(entries.length / 4));
    payload = encode({
      ...buildLedger(ledger.pr, ledger.head, entries, breakGlassOf(ledger), { holds: holdsOf(ledger), cancels: cancelsOf(ledger) }),
      ...(ledger.written === undefined ? {} : { written: ledger.written }),
    });
  }
  return `<!-- ${LEDGER_MARKER} ${payload} ${sign(secret, payload)} -->`;
}

const encode = (ledger: Ledger): string => deflateRawSync(JSON.stringify(ledger)).toString("base64url");

export type LedgerReading =
  | { readonly status: "absent" }
  | { readonly status: "valid"; readonly ledger: Ledger }
  | { readonly status: "invalid"; readonly reason: string };

// The App writes its block last: anything earlier in the comment (a route path or finding text in
// the report) may spell a block too, and must neither be read nor void the real one.
const BLOCK = new RegExp(`<!-- ${LEDGER_MARKER} ([A-Za-z0-9_-]{1,${MAX_PAYLOAD_CHARS}}) ([0-9a-f]{64}) -->$`);

/**
 * Reads and verifies the ledger block that ends a comment body written by the App for PR `pr`
 * (the caller checks the author: only the App's own comments are read); `editedAt` is
 * GitHub's time of the comment's last edit. A ledger without a write time is void too: any such
 * ledger in a comment's edit history could otherwise be restored forever.
 */
export function readLedger(body: string, keys: string | readonly string[], pr: string, editedAt: string): LedgerReading {
  if (!body.includes(LEDGER_MARKER)) return { status: "absent" };
  const match = BLOCK.exec(body.trimEnd());
  if (!match) return { status: "invalid", reason: "the approval ledger is malformed" };
  const [, payload, signature] = match as unknown as [string, string, string];
  // Any key still accepted: the current one, and during a rotation the ones before it.
  const given = Buffer.from(signature, "hex");
  if (!(typeof keys === "string" ? [keys] : keys).some((key) => timingSafeEqual(Buffer.from(sign(key, payload), "hex"), given))) {
    return { status: "invalid", reason: "the approval ledger's signature does not verify" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflateRawSync(Buffer.from(payload, "base64url"), { maxOutputLength: 4 * 1024 * 1024 }).toString("utf8"));
  } catch {
    return { status: "invalid", reason: "the approval ledger cannot be decoded" };
  }
  const ledger = LedgerSchema.safeParse(parsed);
  if (!ledger.success) return { status: "invalid", reason: "the approval ledger has an unexpected shape" };
  if (ledger.data.pr !== pr) return { status: "invalid", reason: "the approval ledger belongs to another pull request" };
  const { written } = ledger.data;
  if (written === undefined)
    return {
      status: "invalid",
      reason: "the approval ledger does not say when it was written, so it could be an older copy restored from the comment's edit history",
    };
  if (Date.parse(editedAt) > Date.parse(written) + EDIT_TOLERANCE_MS) {
    return {
      status: "invalid",
      reason: `the App's comment was edited at ${editedAt}, after Route Governor wrote its approval ledger at ${written}, so the ledger may be an older copy restored from the comment's edit history`,
    };
  }
  return { status: "valid", ledger: ledger.data };
}
