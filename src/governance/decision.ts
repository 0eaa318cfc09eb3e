import * as z from "zod";
import type { Policy } from "../policy/policy-schema.js";
import type { Finding } from "../core/finding.js";
import type { RiskLevel } from "../core/risk-level.js";
import {
  evaluateApprovals,
  unknownAuthorship,
  authorshipFix,
  type ApprovalEvaluation,
  type AuthorshipGaps,
  type ApprovalInput,
  type RuleStatus,
} from "./approvals.js";
import { recordHoldLifters } from "./override-groups.js";
import { collectEvidence, type EvidenceItem, type EvidenceSources } from "./evidence.js";
import { validateEvidence, type EvidenceValidation, type ValidationContext } from "./evidence-validation.js";
import { requirementsFor, type Requirements } from "./requirements.js";

/** An active `/hold [reason]` (the adapter drops holds their author cancelled). */
export const HoldSchema = z.object({
  login: z.string().min(1).max(100),
  reason: z.string().max(500).default(""),
  at: z.iso.datetime({ offset: true }),
  /** Route Governor's own hold (its record was lost): no person holds it, a break-glass group member lifts it. */
  byApp: z.boolean().optional(),
});
export type Hold = z.infer<typeof HoldSchema>;

/** Who holds: `@login` (`text` escapes the login), or Route Governor itself, without an @ that would ping whoever has its login. */
export const holderOf = (hold: Hold, text: (login: string) => string = (login) => login): string =>
  hold.byApp ? "Route Governor" : `@${text(hold.login)}`;

/** `/break-glass <incident-id> <reason>`. */
export const BreakGlassSchema = z.object({
  login: z.string().min(1).max(100),
  incident: z.string().max(2000),
  reason: z.string().max(2000),
  at: z.iso.datetime({ offset: true }),
});
export type BreakGlass = z.infer<typeof BreakGlassSchema>;

export interface GovernanceInput {
  readonly findings: readonly Finding[];
  readonly policy: Policy;
  readonly evidenceSources: EvidenceSources;
  readonly approvals: readonly ApprovalInput[];
  readonly holds: readonly Hold[];
  readonly breakGlass?: BreakGlass;
  readonly prAuthor: string;
  readonly commitAuthors: readonly string[];
  /** Commits whose authors could not be named (see approvals.ts). */
  readonly authorship?: AuthorshipGaps;
  readonly now: Date;
  /** When the head last moved (see options.invalidateOnSemanticChangeOnly). */
  readonly lastPushAt?: string;
  /** The PR was merged: only a break-glass's post-change validation is still owed. */
  readonly merged?: boolean;
  /** The branch the PR targets now (approvals are for one base). */
  readonly baseRef?: string;
}

export type GovernanceState =
  "no-traffic-change" | "satisfied" | "unmet" | "held" | "frozen" | "break-glass" | "post-change-pending" | "invalid-manifests";

export interface BreakGlassRecord extends BreakGlass {
  readonly accepted: boolean;
  /** Why it was not accepted (the incident evidence is invalid). */
  readonly refusal?: string;
  /** What it let through: the requirement lines that were unmet when it was used. */
  readonly bypassed: readonly string[];
}

export interface GovernanceResult {
  readonly risk: RiskLevel;
  readonly decision: "pass" | "fail";
  readonly state: GovernanceState;
  readonly requirements: Requirements;
  readonly evidence: readonly EvidenceItem[];
  readonly approvals: ApprovalEvaluation;
  readonly holds: readonly Hold[];
  /** The freeze in force for this PR's risk, if any. */
  readonly freeze?: Policy["freezes"][number];
  readonly breakGlass?: BreakGlassRecord;
  /** One human line per unmet requirement; empty exactly when the decision is pass. */
  readonly unmet: readonly string[];
  /** What to type next, most blocking first. */
  readonly nextSteps: readonly string[];
}

const INCIDENT = "incident";
const POST_CHANGE_VALIDATION = "post-change-validation";

/**
 * The governance decision for a PR (DESIGN §8–§10). In order:
 * 1. `manifest.invalid` findings fail whatever else holds: they cannot be reviewed.
 * 2. An active hold fails.
 * 3. An accepted break-glass passes, loudly: state `break-glass`, the record lists every
 *    requirement it bypassed, and the next steps ask for post-change validation. It is accepted
 *    only when its incident id is valid `incident` evidence; otherwise it is recorded as refused
 *    and has no effect.
 *    Once a PR merged by break-glass is merged, it stays `post-change-pending` (fail) until valid
 *    `post-change-validation` evidence is given, then `break-glass` (pass).
 * 4. A freeze in force for the PR's risk fails, unless the PR changes no traffic.
 * 5. No findings: pass. Otherwise pass only when every evidence key is valid, every approval
 *    rule is met and distinct groups are satisfied.
 */
export function decide(input: GovernanceInput): GovernanceResult {
  const { findings, policy, now, breakGlass } = input;
  const requirements = requirementsFor(findings, policy);
  const { risk } = requirements;

  const commands = breakGlass
    ? [
        ...input.evidenceSources.commands,
        { key: INCIDENT, value: breakGlass.incident, at: breakGlass.at, author: breakGlass.login, edited: false },
      ]
    : input.evidenceSources.commands;
  const requiredEvidence = requirements.evidence.map((requirement) => requirement.key);
  const evidence = collectEvidence({ ...input.evidenceSources, commands }, policy, {
    now,
    risk,
    required: breakGlass ? [...requiredEvidence, INCIDENT, ...(input.merged ? [POST_CHANGE_VALIDATION] : [])] : requiredEvidence,
  });
  const approvals = evaluateApprovals(requirements, input.approvals, {
    prAuthor: input.prAuthor,
    commitAuthors: input.commitAuthors,
    ...(input.authorship ? { authorship: input.authorship } : {}),
    options: policy.options,
    findings,
    ...(input.lastPushAt ? { lastPushAt: input.lastPushAt } : {}),
    ...(input.baseRef ? { baseRef: input.baseRef } : {}),
  });
  // A PR that changes no traffic is no change a freeze holds back, whatever risks it lists (`none` too).
  const freeze =
    findings.length === 0
      ? undefined
      : policy.freezes.find((f) => f.risks.includes(risk) && new Date(f.start) <= now && now < new Date(f.end));

  const unmetEvidence = evidence.filter((item) => item.status !== "ok" && requiredEvidence.includes(item.key));
  const requirementLines = [
    ...unmetEvidence.map((item) => `evidence ${item.key}: ${item.status === "missing" ? "missing" : `invalid — ${item.reason ?? ""}`}`),
    ...approvals.rules.filter((rule) => !rule.satisfied).map(approvalLine),
    ...(approvals.distinct.satisfied
      ? []
      : [
          `approvals from ${approvals.distinct.required} different groups by different people (have ${approvals.distinct.assignment.length})`,
        ]),
  ];
  const freezeLine = freeze ? [`freeze "${freeze.name}" blocks ${risk} changes until ${freeze.end}`] : [];
  const blockingLines = requirements.blocking.map((finding) => `manifest.invalid ${finding.file}:${finding.line}: ${finding.summary}`);
  const holdLines = input.holds.map((hold) => `held by ${holderOf(hold)}${hold.reason ? `: ${hold.reason}` : ""}`);

  const breakGlassRecord =
    breakGlass &&
    recordBreakGlass(
      breakGlass,
      { policy, prAuthor: input.prAuthor, commitAuthors: input.commitAuthors, authorship: input.authorship },
      { now, risk, freezes: [] },
      [...freezeLine, ...requirementLines],
    );

  const outcome = ((): { state: GovernanceState; unmet: string[] } => {
    if (input.merged && breakGlassRecord?.accepted) {
      const validation = evidence.find((item) => item.key === POST_CHANGE_VALIDATION);
      if (validation?.status === "ok") return { state: "break-glass", unmet: [] };
      const status = validation?.status === "invalid" ? `invalid — ${validation.reason ?? ""}` : "missing";
      return { state: "post-change-pending", unmet: [`evidence ${POST_CHANGE_VALIDATION}: ${status} (owed since the break-glass merge)`] };
    }
    if (blockingLines.length > 0)
      return { state: "invalid-manifests", unmet: [...blockingLines, ...holdLines, ...freezeLine, ...requirementLines] };
    if (holdLines.length > 0) return { state: "held", unmet: [...holdLines, ...freezeLine, ...requirementLines] };
    if (breakGlassRecord?.accepted) return { state: "break-glass", unmet: [] };
    if (freeze) return { state: "frozen", unmet: [...freezeLine, ...requirementLines] };
    if (findings.length === 0) return { state: "no-traffic-change", unmet: [] };
    return requirementLines.length > 0 ? { state: "unmet", unmet: requirementLines } : { state: "satisfied", unmet: [] };
  })();

  return {
    risk,
    decision: outcome.unmet.length === 0 ? "pass" : "fail",
    state: outcome.state,
    requirements,
    evidence,
    approvals,
    holds: input.holds,
    ...(freeze ? { freeze } : {}),
    ...(breakGlassRecord ? { breakGlass: breakGlassRecord } : {}),
    unmet: outcome.unmet,
    nextSteps: nextSteps(outcome.state, {
      requirements,
      evidence: unmetEvidence,
      approvals,
      holds: input.holds,
      freeze,
      breakGlass: breakGlassRecord,
      policy,
      authorship: policy.options.authorMayApprove ? undefined : unknownAuthorship(input.authorship),
      authorshipFix: authorshipFix(input.authorship),
      merged: input.merged === true,
    }),
  };
}

/**
 * Break-glass needs someone who did not write the change (an emergency is no reason to review
 * one's own work; unknown commit authors could be anyone), an incident id matching the policy's
 * pattern that is also valid `incident` evidence, and a reason. Freezes do not apply to the incident itself.
 */
function recordBreakGlass(
  breakGlass: BreakGlass,
  people: { policy: Policy; prAuthor: string; commitAuthors: readonly string[]; authorship: AuthorshipGaps | undefined },
  context: ValidationContext,
  bypassed: string[],
): BreakGlassRecord {
  const { policy } = people;
  const same = (login: string) => login.toLowerCase() === breakGlass.login.toLowerCase();
  const pattern = validateEvidence(
    breakGlass.incident,
    { type: "regex", pattern: policy.breakGlass.incidentPattern, hint: `an incident id matching ${policy.breakGlass.incidentPattern}` },
    context,
  );
  const incident = validateEvidence(breakGlass.incident, policy.evidence[INCIDENT]?.validate ?? { type: "text" }, context);
  const unknown = unknownAuthorship(people.authorship);
  const refusal = same(people.prAuthor)
    ? "the PR author cannot break glass on their own change"
    : people.commitAuthors.some(same)
      ? "a commit author or pusher cannot break glass on the change"
      : unknown
        ? `${unknown}, so the break-glass cannot be shown to come from someone who did not write the change`
        : !pattern.ok
          ? `incident ${pattern.reason}`
          : !incident.ok
            ? `incident ${incident.reason}`
            : breakGlass.reason.trim() === ""
              ? "a reason is required"
              : undefined;
  return { ...breakGlass, accepted: refusal === undefined, ...(refusal ? { refusal } : {}), bypassed };
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;

function approvalLine(rule: RuleStatus): string {
  const missing = rule.count - rule.approvers.length;
  return `${plural(missing, "approval")} from ${rule.group} (${rule.why.join(", ")})`;
}

function nextSteps(
  state: GovernanceState,
  facts: {
    requirements: Requirements;
    evidence: readonly EvidenceItem[];
    approvals: ApprovalEvaluation;
    holds: readonly Hold[];
    freeze: Policy["freezes"][number] | undefined;
    breakGlass: BreakGlassRecord | undefined;
    policy: Policy;
    /** Why the commit authors are unknown, when that voids every approval, and what makes them known. */
    authorship: string | undefined;
    authorshipFix: string;
    merged: boolean;
  },
): string[] {
  const { requirements, approvals, breakGlass, policy } = facts;
  const steps: string[] = [];
  for (const finding of requirements.blocking) steps.push(`fix ${finding.file}:${finding.line} so it can be read: ${finding.summary}`);
  for (const hold of facts.holds)
    steps.push(`/unhold — by ${hold.byApp ? recordHoldLifters(policy) : `@${hold.login}`}, once the hold is resolved`);
  if (state === "post-change-pending")
    return [`/evidence ${POST_CHANGE_VALIDATION} ${placeholder(policy.evidence[POST_CHANGE_VALIDATION]?.validate)}`];
  if (state === "break-glass") {
    if (facts.merged) return [];
    steps.push(`after the merge: /evidence ${POST_CHANGE_VALIDATION} ${placeholder(policy.evidence[POST_CHANGE_VALIDATION]?.validate)}`);
    return steps;
  }
  if (breakGlass && !breakGlass.accepted) {
    steps.push(
      `/break-glass <incident id matching ${policy.breakGlass.incidentPattern}> <reason> — the last break-glass was refused: ${breakGlass.refusal ?? ""}`,
    );
  }
  if (facts.freeze) {
    steps.push(
      `wait for freeze "${facts.freeze.name}" to end at ${facts.freeze.end}, or in an emergency: /break-glass <incident-id> <reason>`,
    );
  }
  if (state === "no-traffic-change" || state === "satisfied") return steps;
  for (const item of facts.evidence) steps.push(`/evidence ${item.key} ${placeholder(policy.evidence[item.key]?.validate)}`);
  if (facts.authorship && approvals.rules.some((rule) => !rule.satisfied)) {
    steps.push(`no approval counts while ${facts.authorship}: ${facts.authorshipFix}`);
  }
  for (const rule of approvals.rules.filter((r) => !r.satisfied)) {
    const stale = rule.stale.map((note) => `@${note.login}`);
    const again = stale.length > 0 ? ` (stale: ${stale.join(", ")} may /approve again)` : "";
    steps.push(`/approve — by ${plural(rule.count - rule.approvers.length, "more member")} of ${rule.group}${again}`);
  }
  const groups = [...new Set(approvals.rules.map((rule) => rule.group))].filter(
    (group) => !approvals.distinct.assignment.some((entry) => entry.group === group),
  );
  // The group approvals listed above, given by different people, already reach the distinct count: no extra step.
  const pendingGroups = new Set(
    approvals.rules
      .filter((rule) => !rule.satisfied)
      .map((rule) => rule.group)
      .filter((group) => groups.includes(group)),
  );
  if (!approvals.distinct.satisfied && approvals.distinct.assignment.length + pendingGroups.size < approvals.distinct.required) {
    const used = approvals.distinct.assignment.map((entry) => `@${entry.login}`);
    steps.push(`/approve — by a member of ${groups.join(" or ")}${used.length > 0 ? ` other than ${used.join(", ")}` : ""}`);
  }
  return steps;
}

/** What to type in place of the value, from the key's validation rule. */
function placeholder(rule: EvidenceValidation | undefined): string {
  switch (rule?.type) {
    case "regex":
      return `<${rule.hint ?? `value matching ${rule.pattern}`}>`;
    case "url":
      return "<https://…>";
    case "window":
      return "<start>/<end>, e.g. 2026-11-23T01:00Z/2026-11-23T03:00Z";
    case "command":
      return "<command>";
    default:
      return "<text>";
  }
}
