import * as z from "zod";
import type { Policy } from "../policy/policy-schema.js";
import type { Finding } from "../core/finding.js";
import type { ApprovalRequirement, Requirements } from "./requirements.js";
import { sameLogin } from "./logins-and-times.js";

/**
 * One `/approve` or `/approve cancel` comment, or one GitHub review, as the adapter gathered it.
 * Group membership is resolved by the adapter (teams need the API); everything else is judged here.
 */
export const ApprovalInputSchema = z.object({
  login: z.string().min(1).max(100),
  at: z.iso.datetime({ offset: true }),
  source: z.enum(["comment", "review"]),
  groups: z.array(z.string().max(100)).max(100).default([]),
  /** Fingerprints of the findings current when the approval was given. */
  fingerprints: z.array(z.string().max(200)).max(10_000).default([]),
  commentId: z.number().int().optional(),
  edited: z.boolean().default(false),
  /** `/approve cancel` (or a dismissed review). */
  cancelled: z.boolean().default(false),
  /** The base branch the PR targeted when the approval was given (absent when not recorded). */
  base: z.string().max(300).optional(),
});
export type ApprovalInput = z.infer<typeof ApprovalInputSchema>;

/** A GitHub review of the PR, as the adapter read it: an approval, or (changes requested) a retraction. */
export interface SubmittedReview {
  readonly id: number;
  readonly author: string;
  readonly authorIsBot: boolean;
  readonly state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  readonly submittedAt: string;
  /** The head SHA the reviewer looked at. */
  readonly commitId: string;
}

/**
 * Commits of the PR whose authors the adapter could not name: GitHub lists at most 250 commits of
 * a PR, and a commit whose e-mail is linked to no account has no login.
 */
export const AuthorshipGapsSchema = z.object({
  unlinkedCommits: z.number().int().min(0),
  truncated: z.boolean(),
  /** Why who pushed to the PR is not known (a pusher wrote what is merged, like a commit author), and how to know it. */
  unknownPushers: z.object({ reason: z.string().max(500), fix: z.string().max(500) }).optional(),
});
export type AuthorshipGaps = z.infer<typeof AuthorshipGapsSchema>;

/** Why the commit authors are not all known, or undefined when they are. */
export function unknownAuthorship(gaps: AuthorshipGaps | undefined): string | undefined {
  if (gaps?.unknownPushers) return gaps.unknownPushers.reason;
  if (gaps?.truncated) return "the PR has 250 commits or more and GitHub lists only the first 250, so its commit authors are not all known";
  if (gaps && gaps.unlinkedCommits > 0) {
    const commits =
      gaps.unlinkedCommits === 1 ? "1 commit has an author or committer" : `${gaps.unlinkedCommits} commits have authors or committers`;
    return `${commits} with an e-mail address linked to no GitHub account, so the commit authors are not all known`;
  }
  return undefined;
}

/** What makes the authors known again, for the reason unknownAuthorship gives. */
export const authorshipFix = (gaps: AuthorshipGaps | undefined): string =>
  gaps?.unknownPushers?.fix ??
  "link those e-mail addresses to their GitHub accounts, or rewrite the commits with linked ones (under 250 commits), then approve again";

export interface ApprovalContext {
  readonly prAuthor: string;
  readonly commitAuthors: readonly string[];
  /** Commit authors that could not be named: with any, no approval can be shown to come from a non-author. */
  readonly authorship?: AuthorshipGaps;
  readonly options: Policy["options"];
  /** For naming the findings a stale approval did not see. */
  readonly findings: readonly Finding[];
  /** When the head last moved; only used when approvals do not survive every push. */
  readonly lastPushAt?: string;
  /** The branch the PR targets now: an approval given for another base is stale. */
  readonly baseRef?: string;
}

export interface ApproverNote {
  readonly login: string;
  readonly at: string;
  readonly reason: string;
  readonly commentId?: number;
}

export interface RuleStatus extends ApprovalRequirement {
  readonly satisfied: boolean;
  /** Logins counted for this rule, oldest approval first. */
  readonly approvers: readonly string[];
  /** Group members whose approval no longer covers what the rule needs. */
  readonly stale: readonly ApproverNote[];
}

export interface DistinctGroupsStatus {
  readonly required: number;
  readonly satisfied: boolean;
  /** One person per group, each person at most once. */
  readonly assignment: readonly { group: string; login: string }[];
}

export interface ApprovalEvaluation {
  readonly rules: readonly RuleStatus[];
  readonly distinct: DistinctGroupsStatus;
  /** Approvals that count for nothing, with the reason (shown, and answered with a reaction). */
  readonly refused: readonly ApproverNote[];
}

const MAX_NAMED_FINDINGS = 3;

/**
 * Evaluates approvals against the approval rules of a PR (DESIGN §10). Pure: the adapter has
 * already read comments, reviews and group memberships.
 * - Each person's latest `/approve` stands until their later `/approve cancel`. An edited comment
 *   never approves; an edited cancel still retracts (failing closed).
 * - Bots never approve; the PR author and commit authors only when `authorMayApprove`;
 *   reviews only when `acceptGithubReviews`. When some commit author cannot be named (an
 *   unlinked e-mail, or more commits than GitHub lists), no approval counts unless
 *   `authorMayApprove`: any approver could be that author, so failing closed is the only sound rule.
 * - An approval counts for a rule when its author is in the rule's group and it saw every
 *   finding the rule covers (fingerprints); otherwise it is stale for that rule, naming what changed.
 * - An approval is for the base branch the PR targeted then: retargeting the PR makes it stale.
 * - One person counts once per rule; for `distinctGroups`, a person stands for one group only.
 */
export function evaluateApprovals(
  requirements: Pick<Requirements, "approvals" | "distinctGroups">,
  approvals: readonly ApprovalInput[],
  context: ApprovalContext,
): ApprovalEvaluation {
  const refused: ApproverNote[] = [];
  const current = new Map<string, ApprovalInput>();
  const note = (approval: ApprovalInput, reason: string): ApproverNote => ({
    login: approval.login,
    at: approval.at,
    reason,
    ...(approval.commentId !== undefined ? { commentId: approval.commentId } : {}),
  });

  for (const approval of chronological(approvals)) {
    const person = approval.login.toLowerCase();
    const refusal = approval.cancelled ? undefined : refusalOf(approval, context);
    if (approval.cancelled) current.delete(person);
    else if (refusal) refused.push(note(approval, refusal));
    else current.set(person, approval);
  }

  const ruleGroups = new Set(requirements.approvals.map((rule) => rule.group));
  if (ruleGroups.size > 0) {
    for (const approval of current.values()) {
      if (!approval.groups.some((group) => ruleGroups.has(group))) {
        refused.push(note(approval, `not a member of a group this PR needs (${[...ruleGroups].join(", ")})`));
      }
    }
  }

  const summaries = new Map(context.findings.map((finding) => [finding.fingerprint, finding.summary]));
  const pushedAt = context.options.invalidateOnSemanticChangeOnly || !context.lastPushAt ? undefined : Date.parse(context.lastPushAt);
  const rules = requirements.approvals.map((rule): RuleStatus => {
    const approvers: string[] = [];
    const stale: ApproverNote[] = [];
    for (const approval of current.values()) {
      if (!approval.groups.includes(rule.group)) continue;
      const unseen = rule.fingerprints.filter((fingerprint) => !approval.fingerprints.includes(fingerprint));
      if (context.baseRef !== undefined && approval.base !== undefined && approval.base !== context.baseRef) {
        stale.push(note(approval, `given when the PR targeted ${approval.base}; it now targets ${context.baseRef}`));
      } else if (pushedAt !== undefined && Date.parse(approval.at) < pushedAt) {
        stale.push(note(approval, "given before the latest push (this policy invalidates approvals on every push)"));
      } else if (unseen.length > 0) {
        stale.push(note(approval, `given before these findings changed: ${named(unseen, summaries)}`));
      } else {
        approvers.push(approval.login);
      }
    }
    return { ...rule, satisfied: approvers.length >= rule.count, approvers, stale };
  });

  return { rules, distinct: distinctGroups(rules, requirements.distinctGroups), refused };
}

function refusalOf(approval: ApprovalInput, context: ApprovalContext): string | undefined {
  if (approval.login.toLowerCase().endsWith("[bot]")) return "bots cannot approve";
  if (approval.edited) return "the comment was edited after posting; post a new /approve";
  if (approval.source === "review" && !context.options.acceptGithubReviews) {
    return "GitHub reviews do not count under this policy; comment /approve";
  }
  if (!context.options.authorMayApprove) {
    if (sameLogin(approval.login, context.prAuthor)) return "the PR author cannot approve their own change";
    if (context.commitAuthors.some((author) => sameLogin(author, approval.login)))
      return "a commit author or pusher cannot approve the change";
    const unknown = unknownAuthorship(context.authorship);
    if (unknown) return `${unknown}: no approval can be shown to come from someone who did not write the change`;
  }
  return undefined;
}

const chronological = (approvals: readonly ApprovalInput[]): ApprovalInput[] =>
  approvals
    .map((approval, order) => ({ approval, order, time: Date.parse(approval.at) }))
    .sort((a, b) => a.time - b.time || a.order - b.order)
    .map(({ approval }) => approval);

const named = (fingerprints: readonly string[], summaries: ReadonlyMap<string, string>): string => {
  const names = fingerprints.slice(0, MAX_NAMED_FINDINGS).map((fingerprint) => summaries.get(fingerprint) ?? fingerprint);
  const more = fingerprints.length - names.length;
  return names.join("; ") + (more > 0 ? ` (and ${more} more)` : "");
};

/**
 * The largest set of groups each backed by a different counted approver (bipartite matching by
 * augmenting paths; a handful of groups and people, so the simple algorithm is plenty).
 */
function distinctGroups(rules: readonly RuleStatus[], required: number): DistinctGroupsStatus {
  const candidates = new Map<string, string[]>();
  for (const rule of rules) {
    const list = candidates.get(rule.group) ?? [];
    for (const login of rule.approvers) if (!list.includes(login)) list.push(login);
    candidates.set(rule.group, list);
  }
  const groupOf = new Map<string, string>();
  const augment = (group: string, visited: Set<string>): boolean => {
    for (const login of candidates.get(group) ?? []) {
      if (visited.has(login)) continue;
      visited.add(login);
      const holder = groupOf.get(login);
      if (holder === undefined || augment(holder, visited)) {
        groupOf.set(login, group);
        return true;
      }
    }
    return false;
  };
  for (const group of candidates.keys()) augment(group, new Set());
  const assignment = [...groupOf].map(([login, group]) => ({ group, login }));
  return { required, satisfied: assignment.length >= required, assignment };
}
