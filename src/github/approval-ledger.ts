import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import {
  breakGlassOf,
  buildLedger,
  cancelsOf,
  entriesOf,
  holdsOf,
  LedgerSchema,
  lossesOf,
  pushersOf,
  type Ledger,
  withHeadSince,
  type LedgerReading,
} from "../governance/ledger.js";

/**
 * Where the approval ledger (src/governance/ledger.ts: what each approval saw, DESIGN §10) is
 * stored: the App keeps no database, so the ledger is a hidden block of the App's own PR comment,
 * signed with the ledger key (LEDGER_KEY; the webhook secret when unset): an edited bot comment
 * cannot forge or re-bind approvals (a bad signature voids the whole ledger, and the report says so).
 *
 * A signature cannot stop a replay: GitHub keeps a comment's edit history, so whoever may edit the
 * App's comment could paste back an older, validly signed ledger. The ledger therefore records when
 * the App wrote it, and a comment GitHub says was edited later than that (beyond the tolerance for
 * clock skew and latency) holds a void ledger. The App rewrites its comment only when something
 * besides that time changed, so its own edits keep the two times together.
 *
 * The same block ends the text of the App's check run (src/report/check-run.ts): only the App
 * that created a check run can write it, so that copy cannot be edited or deleted by a PR
 * participant, and restores the comment's (src/governance/ledger.ts `mergeLedgers`).
 */

const LEDGER_MARKER = "route-governor:ledger";
const MAX_PAYLOAD_CHARS = 40_000;
/** How much later than the ledger's write time GitHub may stamp the App's own edit. */
export const EDIT_TOLERANCE_MS = 5 * 60_000;

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
      ...buildLedger(ledger.pr, ledger.head, entries, breakGlassOf(ledger), {
        holds: holdsOf(ledger),
        cancels: cancelsOf(ledger),
        losses: lossesOf(ledger),
        pushers: pushersOf(ledger),
      }),
      ...(ledger.written === undefined ? {} : { written: ledger.written }),
    });
  }
  return `<!-- ${LEDGER_MARKER} ${payload} ${sign(secret, payload)} -->`;
}

const encode = (ledger: Ledger): string => deflateRawSync(JSON.stringify(ledger)).toString("base64url");

// The App writes its block last: anything earlier in the comment (a route path or finding text in
// the report) may spell a block too, and must neither be read nor void the real one.
const BLOCK = new RegExp(`<!-- ${LEDGER_MARKER} ([A-Za-z0-9_-]{1,${MAX_PAYLOAD_CHARS}}) ([0-9a-f]{64}) -->$`);

/**
 * Reads and verifies the ledger block that ends a text written by the App for PR `pr` (the caller
 * checks the author: only the App's own comments and check runs are read). For a comment,
 * `editedAt` is GitHub's time of its last edit: the time of the write that carried a head not yet
 * stamped (ledger.ts `head.since`), and the edit the write time is checked against. A ledger
 * without a write time is void too: any such ledger in a comment's edit history could otherwise be
 * restored forever.
 */
/** Whether a text carries a ledger block at all, valid or not (readLedger is not "absent"). */
export const carriesLedger = (body: string): boolean => body.includes(LEDGER_MARKER);

export function readLedger(body: string, keys: string | readonly string[], pr: string, editedAt?: string): LedgerReading {
  if (!carriesLedger(body)) return { status: "absent" };
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
  if (editedAt === undefined) return { status: "valid", ledger: ledger.data };
  if (Date.parse(editedAt) > Date.parse(written) + EDIT_TOLERANCE_MS) {
    return {
      status: "invalid",
      reason: `the App's comment was edited at ${editedAt}, after Route Governor wrote its approval ledger at ${written}, so the ledger may be an older copy restored from the comment's edit history`,
    };
  }
  return { status: "valid", ledger: withHeadSince(ledger.data, editedAt) };
}
