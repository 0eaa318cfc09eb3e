import type { SubmittedReview } from "../governance/approvals.js";
import type { PostedComment } from "../governance/command-uses.js";
import type { Group } from "../policy/policy-schema.js";
import type { SourceFile, Submodule, SymbolicLink } from "../review.js";

/**
 * Every fact a review needs about one pull request, and nothing else (policy-bot's
 * `pull.Context` is the model). The evaluation reads the PR only through this interface: one
 * implementation talks to GitHub, one holds plain data for tests. Implementations cache what
 * they read for the lifetime of one evaluation; a new evaluation builds a new source.
 */
export interface PullRequestSource {
  pullRequest(): Promise<PullRequestFacts>;
  /** The reviewed files (YAML, including `.github/route-governor.yml`) at the base or head SHA. */
  tree(side: "base" | "head"): Promise<SourceFile[]>;
  /** The symlinks of the same tree (GitOps tools follow them); a source without any may leave this out. */
  links?(side: "base" | "head"): Promise<SymbolicLink[]>;
  /** The submodules of the same tree (GitOps tools check them out); a source without any may leave this out. */
  submodules?(side: "base" | "head"): Promise<Submodule[]>;
  /** Issue comments of the PR, oldest first. */
  comments(): Promise<CommentFacts[]>;
  /** Submitted reviews, oldest first. */
  reviews(): Promise<ReviewFacts[]>;
  /** Logins of the authors of the PR's commits, and what could not be named. */
  commitAuthors(): Promise<CommitAuthors>;
  /** Whether `login` belongs to an approver group: listed user, org team member or repository permission. */
  isMember(login: string, group: Group): Promise<boolean>;
  /**
   * The check runs App `appId` opened for this PR on commit `sha`, completed or not, newest first:
   * where the App keeps the copy of its ledger no participant can write. A source without a GitHub
   * App leaves it out.
   */
  reports?(sha: string, appId: number): Promise<ReportFacts[]>;
  /** Whether App `appId` has ever labelled the PR (it labels every PR it reports on; GitHub keeps the event). */
  labelledBy?(appId: number): Promise<boolean>;
}

/** A check run's text (the App's ends with its ledger block; a run still in progress has none). */
export interface ReportFacts {
  /** GitHub's id of the run: a later run has a larger one. */
  readonly id: number;
  readonly sha: string;
  readonly text: string;
}

export interface CommitAuthors {
  readonly logins: readonly string[];
  /** The listed commits' SHAs, oldest first. */
  readonly shas: readonly string[];
  /** Commits with an author or committer whose e-mail is linked to no GitHub account. */
  readonly unlinkedCommits: number;
  /** GitHub lists at most 250 commits of a PR: at that many, later commits are unseen. */
  readonly truncated: boolean;
  /** Why who pushed to the PR is not known, and how to know it, when a source that names pushers among the logins cannot. */
  readonly unknownPushers?: { readonly reason: string; readonly fix: string };
}

export interface PullRequestFacts {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly author: string;
  readonly baseRef: string;
  readonly baseSha: string;
  readonly headSha: string;
  /** The branch the head is on: its repository (\`owner/name\`, absent when that repository is gone) and name. */
  readonly headBranch?: { readonly repo?: string; readonly ref: string };
  readonly body: string;
  /** When the description (or anything else of the PR) was last edited. */
  readonly bodyUpdatedAt: string;
  readonly draft: boolean;
  /** `merged` is closed by a merge: a break-glass's post-change validation may still be owed. */
  readonly state: "open" | "closed" | "merged";
  readonly labels: readonly string[];
  /** The two trees the review compares; the PR's head SHA stays what approvals and the check bind to. */
  readonly reviewed: ReviewedRange;
}

/**
 * What the review compares. GitHub's test-merge commit when it has one that merges the current
 * head: its first parent is the base branch tip, so the review sees exactly what merging would
 * produce, including changes that landed on the base since the branch point. Otherwise (GitHub
 * still computing mergeability, or conflicts) the merge base → head, what the PR's diff shows.
 */
export interface ReviewedRange {
  readonly mode: "test-merge" | "merge-base";
  readonly baseSha: string;
  readonly headSha: string;
  /** One line for the report: which comparison and why. */
  readonly description: string;
}

export interface CommentFacts extends PostedComment {
  /** Id of the GitHub App that wrote the comment, if one did. */
  readonly appId?: number;
}

export type ReviewFacts = SubmittedReview;
export type ReviewState = SubmittedReview["state"];

export const isBotLogin = (login: string, type?: string): boolean => type === "Bot" || login.toLowerCase().endsWith("[bot]");

const PERMISSION_RANK = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 } as const;
export type Permission = keyof typeof PERMISSION_RANK;

export const permissionAtLeast = (held: Permission, needed: Permission): boolean => PERMISSION_RANK[held] >= PERMISSION_RANK[needed];

/** The legacy names GitHub's `permission` field may still carry. */
const LEGACY_PERMISSION: Readonly<Record<string, Permission>> = { pull: "read", push: "write" };
const isPermission = (name: string): name is Permission => Object.hasOwn(PERMISSION_RANK, name);

/**
 * A collaborator's permission from GitHub's "Get repository permissions for a user": `role_name`
 * when it is a built-in role, which is the finer of the two (maintain, triage). A custom repository
 * role's name means nothing here, so its base role, `permission` (admin, write, read or none;
 * maintain reads as write and triage as read), decides: at worst lower than the role, never higher.
 */
export function repositoryPermission(data: { readonly role_name?: string | null; readonly permission?: string | null }): Permission {
  const role = data.role_name ?? "";
  if (isPermission(role)) return role;
  const base = data.permission ?? "";
  return isPermission(base) ? base : (LEGACY_PERMISSION[base] ?? "none");
}

export const listedUser = (login: string, group: Group): boolean => group.users.some((user) => user.toLowerCase() === login.toLowerCase());
