import type { Policy } from "../policy/policy-schema.js";
import type { SubmittedReview } from "./approvals.js";
import type { BreakGlass, Hold } from "./decision.js";
import type { EvidenceCommand } from "./evidence.js";
import { isRecordHold, type HoldRecord } from "./ledger.js";
import { overrideGroupsOf } from "./override-groups.js";
import type { SlashCommand } from "./slash-commands.js";
import { later, sameLogin } from "./logins-and-times.js";

/**
 * Who may do what with a slash command (DESIGN §10), and what the PR's commands amount to: the
 * evidence supplied, the holds standing and lifted, the break-glass uses that count. Pure: the
 * adapter looks up group membership (for the people whoseGroupsMatter names) and keeps the
 * ledger; this decides.
 * - `/approve`: counted when the commenter is in a group a requirement names (approvals.ts, which
 *   also refuses the PR author, commit authors and edited comments).
 * - `/evidence`, `/hold`: the PR author, a commit author or a member of any policy group.
 * - `/unhold` (or `/hold cancel`): lifts the canceller's own holds; a member of an override group
 *   (the policy's `breakGlass.groups`) lifts all, and alone lifts the App's own hold on a PR whose
 *   record was lost (ledger.ts); when the policy names no override group that exists, a repository
 *   admin lifts that one (override-groups.ts). Holds, their lifting and `/approve cancel`s are
 *   recorded in the ledger when first seen, so deleting their comments changes nothing.
 * - `/break-glass`: members of the policy's `breakGlass.groups` only (the decision also refuses
 *   the PR author and commit authors, and incident ids not matching the policy's pattern); whether
 *   it still applies on a later head is break-glass-coverage.ts.
 */

/** One slash command as posted. */
export interface CommandUse {
  readonly commentId: number;
  readonly author: string;
  /** When the comment was created (an edit does not move it). */
  readonly at: string;
  readonly command: SlashCommand;
  /** The comment was edited after it was posted. */
  readonly edited: boolean;
}

export interface People {
  readonly prAuthor: string;
  readonly commitAuthors: readonly string[];
  /** The policy's groups a person belongs to (looked up only for those needsGroups names). */
  readonly groupsOf: (login: string) => readonly string[];
  /** Whether a person is in override-groups.ts' RECORD_HOLD_FALLBACK (looked up only while it may lift the App's own hold); no one when absent. */
  readonly inRecordHoldFallback?: (login: string) => boolean;
}

/** Whether the person wrote the PR or one of its commits: they may supply evidence and hold without a group. */
export const wroteThePr = (people: Omit<People, "groupsOf">, login: string): boolean =>
  sameLogin(login, people.prAuthor) || people.commitAuthors.some((author) => sameLogin(author, login));

/**
 * Whether judging a command needs its author's groups: membership costs API calls per person and
 * group, so drive-by commenters and `/route-governor` cost none.
 */
export function needsGroups(command: SlashCommand, wrote: boolean): boolean {
  switch (command.kind) {
    case "approve":
    case "hold-cancel":
    case "break-glass":
      return true;
    case "evidence":
    case "hold":
      return !wrote;
    default:
      return false;
  }
}

/**
 * Whose groups to look up (lower-cased, once each): the authors of commands whose judging needs
 * them, and people who approved with a GitHub review.
 */
export function whoseGroupsMatter(
  uses: readonly CommandUse[],
  reviews: readonly SubmittedReview[],
  people: Omit<People, "groupsOf">,
): ReadonlySet<string> {
  return new Set(
    [
      ...uses.filter((use) => needsGroups(use.command, wroteThePr(people, use.author))).map((use) => use.author),
      ...reviews.filter((review) => !review.authorIsBot && review.state === "APPROVED").map((review) => review.author),
    ].map((login) => login.toLowerCase()),
  );
}

export interface Authority {
  /** The PR author, commit authors and members of the policy's groups: may supply evidence and hold. */
  readonly contributor: (login: string) => boolean;
  /** Members of the policy's break-glass groups (those that exist): may break glass and lift anyone's hold. */
  readonly overrides: (login: string) => boolean;
  /** The override groups, for refusals. */
  readonly overrideNames: string;
  /** May lift the App's own hold on a lost record: the override groups, else RECORD_HOLD_FALLBACK. */
  readonly liftsRecordHold: (login: string) => boolean;
  /** Who lifts which holds, for refusals. */
  readonly holdLifters: string;
}

export function authorityOf(policy: Policy, people: People): Authority {
  const overrideGroups = overrideGroupsOf(policy);
  const overrides = (login: string) => people.groupsOf(login).some((group) => overrideGroups.includes(group));
  return {
    contributor: (login) => wroteThePr(people, login) || people.groupsOf(login).length > 0,
    overrides,
    overrideNames: overrideGroups.join(" or ") || "a break-glass group (the policy names none that exists)",
    liftsRecordHold: overrideGroups.length > 0 ? overrides : (login) => people.inRecordHoldFallback?.(login) ?? false,
    holdLifters:
      overrideGroups.length > 0
        ? `the holder or a member of ${overrideGroups.join(" or ")} can`
        : "the holder can, and a repository admin can lift Route Governor's own hold, as the policy names no break-glass group that exists",
  };
}

export interface CommandJudgement<U extends CommandUse> {
  readonly evidence: readonly EvidenceCommand[];
  /** The recorded holds and the new ones, lifted or standing, by ref. */
  readonly holds: ReadonlyMap<string, HoldRecord>;
  /** Authorised break-glass uses, oldest first: the latest is the one that may apply. */
  readonly breakGlass: readonly { readonly use: U; readonly command: BreakGlass }[];
  /** Commands refused, with the reason their reply gives. */
  readonly refusals: ReadonlyMap<U, string>;
}

/** The PR's evidence, hold and break-glass commands, in the order they were posted, judged by who posted them. */
export function judgeCommands<U extends CommandUse>(
  uses: readonly U[],
  authority: Authority,
  recordedHolds: readonly HoldRecord[],
): CommandJudgement<U> {
  const { contributor, overrides, overrideNames, liftsRecordHold, holdLifters } = authority;
  const evidence: EvidenceCommand[] = [];
  const holds = new Map(recordedHolds.map((hold) => [hold.ref, hold]));
  const breakGlass: { use: U; command: BreakGlass }[] = [];
  const refusals = new Map<U, string>();
  for (const use of [...uses].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    const { command, edited, author: login, at, commentId } = use;
    switch (command.kind) {
      case "evidence":
        if (!contributor(login))
          refusals.set(use, "only the PR author, commit authors and members of the policy's groups may supply evidence");
        else evidence.push({ key: command.key, value: command.value, at, author: login, commentId, edited });
        break;
      case "hold": {
        // An edited hold still holds: failing closed. A recorded one holds whoever wrote it.
        const ref = `comment:${commentId}:${command.line}`;
        if (holds.has(ref)) break;
        if (!contributor(login)) refusals.set(use, "only the PR author, commit authors and members of the policy's groups may hold a PR");
        else holds.set(ref, { ref, login, at, reason: command.reason.slice(0, 500) });
        break;
      }
      case "hold-cancel": {
        const ref = `comment:${commentId}`;
        if ([...holds.values()].some((hold) => hold.lifted?.ref === ref)) break;
        if (edited) {
          refusals.set(use, "the comment was edited after posting; post a new /unhold");
          break;
        }
        // The App's own hold (a lost record) names no person who could lift it.
        const lifts = [...holds.values()].filter(
          (hold) =>
            !hold.lifted &&
            !later(hold.at, at) &&
            (isRecordHold(hold) ? liftsRecordHold(login) : sameLogin(hold.login, login) || overrides(login)),
        );
        if (lifts.length === 0) refusals.set(use, `no hold that @${login} may lift (${holdLifters})`);
        for (const hold of lifts) holds.set(hold.ref, { ...hold, lifted: { login, at, ref } });
        break;
      }
      case "break-glass":
        if (edited) refusals.set(use, "the comment was edited after posting; post a new /break-glass");
        else if (!overrides(login)) refusals.set(use, `only members of ${overrideNames} may break glass`);
        else breakGlass.push({ use, command: { login, incident: command.incident, reason: command.reason, at } });
        break;
      case "invalid":
        refusals.set(use, command.reason);
        break;
      default:
        break;
    }
  }
  return { evidence, holds, breakGlass, refusals };
}

/** The holds that still hold, as the decision takes them. */
export const standingHolds = (holds: Iterable<HoldRecord>): Hold[] =>
  [...holds]
    .filter((hold) => !hold.lifted)
    .map((hold): Hold => ({ login: hold.login, reason: hold.reason, at: hold.at, ...(isRecordHold(hold) ? { byApp: true } : {}) }));
