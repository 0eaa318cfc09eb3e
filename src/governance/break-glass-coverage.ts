import { bindAct, byRef, shortSha, type BindingTarget, type HeadClock } from "./approval-binding.js";
import type { PostedCommand } from "./command-uses.js";
import type { BreakGlass } from "./decision.js";
import type { LedgerEntry } from "./ledger.js";

/**
 * Whether a break-glass applies (DESIGN §10). Like an approval it is bound to the findings current
 * when the App first saw it (only if posted after the App reported on that head), and on a later
 * head it passes the PR only while every current finding is one it saw and the PR targets the same
 * base: otherwise it is stale, refused and flagged, and the normal requirements apply again.
 */

export interface BreakGlassCoverage<U extends PostedCommand> {
  /** The latest authorised break-glass, when it covers the current findings. */
  readonly applies?: BreakGlass;
  /** Every authorised break-glass that could be bound, oldest first: the ledger keeps them all. */
  readonly entries: readonly LedgerEntry[];
  /** The latest one's refusal, when it does not apply: the reply to its command. */
  readonly refusals: ReadonlyMap<U, string>;
  readonly notes: readonly string[];
}

/** The authorised break-glass uses (oldest first, from judgeCommands), bound; the latest may apply. */
export function breakGlassCoverage<U extends PostedCommand>(
  authorised: readonly { readonly use: U; readonly command: BreakGlass }[],
  recorded: readonly LedgerEntry[],
  target: BindingTarget,
  clock: HeadClock,
): BreakGlassCoverage<U> {
  const known = byRef(recorded);
  const bound = authorised.map(({ use, command }) => ({
    use,
    command,
    entry: bindAct(known, { ref: `comment:${use.commentId}`, login: use.author, at: use.at }, clock.postedAfterReport(use.at), target),
  }));
  const entries = bound.flatMap(({ entry }) => (entry ? [entry] : []));
  const latest = bound.at(-1);
  if (!latest) return { entries, refusals: new Map(), notes: [] };
  const { use, command, entry } = latest;
  const refused = (reason: string, note: string): BreakGlassCoverage<U> => ({
    entries,
    refusals: new Map([[use, `break-glass refused: ${reason}`]]),
    notes: [note],
  });
  const who = `@${command.login}'s break-glass for ${command.incident} (${use.comment.url})`;
  if (!entry) {
    const reason = `posted before Route Governor reported on head ${shortSha(target.headSha)}, so it cannot be tied to what it covers: break glass again`;
    return refused(reason, `${who} was ${reason}.`);
  }
  if (entry.base !== undefined && entry.base !== target.baseRef) {
    const reason = `it was given when the PR targeted ${entry.base}; it now targets ${target.baseRef}: break glass again`;
    return refused(reason, `⚠️ ${who} no longer applies: ${reason}.`);
  }
  const saw = new Set(entry.fingerprints);
  const uncovered = target.current.filter((fingerprint) => !saw.has(fingerprint)).length;
  if (uncovered === 0) return { applies: command, entries, refusals: new Map(), notes: [] };
  const reason = `it was given on head ${shortSha(entry.head)} and ${uncovered} of the ${target.current.length} current findings changed since: it is stale and the normal requirements apply; break glass again to cover them`;
  return refused(reason, `⚠️ ${who} no longer applies: ${reason}.`);
}
