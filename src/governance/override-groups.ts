import type { Group, Policy } from "../policy/policy-schema.js";

/**
 * Who may override the PR's people (DESIGN §10): the policy's break-glass groups, which may break
 * glass and lift anyone's hold, and who lifts the App's own hold on a lost record (ledger.ts).
 * command-authority.ts judges commands by them; the decision names them in its next steps.
 */

/**
 * Who lifts the App's own hold on a lost record when the policy's `breakGlass.groups` names no group
 * that exists: the repository's admins, who could change the branch protection requiring the check
 * anyway. Without them no one could lift it (review: an empty `breakGlass.groups` left the PR held
 * for good, the report asking for "a member of ").
 */
export const RECORD_HOLD_FALLBACK: Group = { users: [], teams: [], permission: "admin" };

/** The policy's break-glass groups that exist. */
export const overrideGroupsOf = (policy: Policy): string[] => policy.breakGlass.groups.filter((group) => group in policy.groups);

/** Who lifts the App's own hold, as the report names them. */
export function recordHoldLifters(policy: Policy): string {
  const groups = overrideGroupsOf(policy);
  return groups.length > 0
    ? `a member of ${groups.join(" or ")}`
    : "a repository admin (the policy names no break-glass group that exists)";
}
