import type { RiskLevel } from "../core/risk-level.js";
import { resolveEvidenceKey } from "../policy/evidence-names.js";
import type { Policy } from "../policy/policy-schema.js";
import type { ApprovalKey, ApprovalVerdict } from "./approval-verdicts.js";
import type { CommandUse } from "./command-authority.js";
import type { BreakGlassRecord } from "./decision.js";
import { validateEvidence } from "./evidence-validation.js";
import { helpText, type SlashCommand } from "./slash-commands.js";

/**
 * What the App answers each command (DESIGN §10): every command is accepted or refused (a
 * reaction), and a refused one gets a one-line reason; `/route-governor help` gets the list of
 * commands, and so does a line addressed to this App that is not one of them (`/route-governor
 * deploy`, `/approved`).
 */

export interface CommandOutcome {
  readonly commentId: number;
  readonly command: SlashCommand;
  readonly accepted: boolean;
  /** Why it was refused, or what to answer (help). */
  readonly reply?: string;
}

export interface ReplyFacts<U extends CommandUse> {
  /** Commands refused for who posted them or how (judgeCommands), and a break-glass that does not apply. */
  readonly refusals: ReadonlyMap<U, string>;
  /** What became of an approval (an `/approve` not counted is refused with the reason). */
  readonly approvalVerdict: (approval: ApprovalKey) => ApprovalVerdict;
  /** Why an `/evidence` value is refused (evidenceRefusal). */
  readonly evidenceRefusal: (key: string, value: string) => string | undefined;
  /** The decision's break-glass, if the PR had one. */
  readonly breakGlass?: BreakGlassRecord;
}

/** The outcome of each command, in the order given. */
export function replyToCommands<U extends CommandUse>(uses: readonly U[], facts: ReplyFacts<U>): CommandOutcome[] {
  // The list of commands goes once into a comment's reply, however many of its lines ask for it.
  const helped = new Set<number>();
  const help = (commentId: number): string | undefined => (helped.has(commentId) ? undefined : (helped.add(commentId), helpText()));
  return uses.map((use): CommandOutcome => {
    const { commentId, command } = use;
    const refused = (reason: string): CommandOutcome => ({ commentId, command, accepted: false, reply: reason });
    const accepted: CommandOutcome = { commentId, command, accepted: true };
    const own = facts.refusals.get(use);
    if (own) {
      const list = command.kind === "invalid" && command.help ? help(commentId) : undefined;
      return refused(list ? `${own}\n\n${list}` : own);
    }
    switch (command.kind) {
      case "approve": {
        const verdict = facts.approvalVerdict({ login: use.author, at: use.at, ref: `comment:${commentId}` });
        return verdict.status === "not counted" ? refused(verdict.reason ?? "not counted") : accepted;
      }
      case "evidence": {
        const reason = use.edited
          ? "the comment was edited after posting; post a new /evidence comment"
          : facts.evidenceRefusal(command.key, command.value);
        return reason ? refused(reason) : accepted;
      }
      case "break-glass": {
        const record = facts.breakGlass;
        return record && record.at === use.at && !record.accepted ? refused(`break-glass refused: ${record.refusal ?? ""}`) : accepted;
      }
      case "help": {
        const list = help(commentId);
        return list ? { ...accepted, reply: list } : accepted;
      }
      default:
        return accepted;
    }
  });
}

/**
 * Why an `/evidence` value is refused on its own: an unknown key, or a value that fails its key's
 * validation for this PR's risk now. (The checklist weighs every value of a key; this answers one.)
 */
export function evidenceRefusal(
  policy: Policy,
  context: { readonly now: Date; readonly risk: RiskLevel },
): (key: string, value: string) => string | undefined {
  return (key, value) => {
    const canonical = resolveEvidenceKey(key, policy.evidence);
    if (canonical === undefined) return `"${key}" is not an evidence key; known keys: ${Object.keys(policy.evidence).join(", ")}`;
    const verdict = validateEvidence(value, policy.evidence[canonical]?.validate ?? { type: "text" }, {
      now: context.now,
      risk: context.risk,
      freezes: policy.freezes,
    });
    return verdict.ok ? undefined : `${canonical}: ${verdict.reason}`;
  };
}
