import type { Finding } from "../core/finding.js";
import type { GovernanceState } from "./decision.js";

/**
 * The decision for a merge queue's group commit (GitHub `merge_group`): the queue tests the base
 * tip with the queued PRs merged in, and the required check must be reported on that commit.
 * Each PR brings its own approvals, evidence, holds and break-glass, judged on its own review;
 * the group passes only when every PR passes and every finding of the group's combined change is
 * a finding some PR's review saw (the same fingerprint): merging PRs together must not produce a
 * change nobody approved.
 */
export interface GroupMember {
  readonly number: number;
  readonly baseRef: string;
  readonly state: GovernanceState;
  readonly decision: "pass" | "fail";
  readonly unmet: readonly string[];
  /** Fingerprints of the PR's own findings. */
  readonly fingerprints: readonly string[];
}

export interface MergeGroupDecision {
  readonly decision: "pass" | "fail";
  /** One line per PR, then one per finding of the group that no PR's review covers. */
  readonly lines: readonly string[];
  readonly uncovered: readonly Finding[];
}

/**
 * `unnamedCommits`: the group's commits whose subjects name no PR. The PRs ahead in the queue are
 * known only by the numbers their merge or squash commits carry, so when a finding is reviewed by
 * none, the report says these commits may hold it (a rebase merge queue names no PR at all).
 */
export function decideMergeGroup(
  baseRef: string,
  members: readonly GroupMember[],
  groupFindings: readonly Finding[],
  unnamedCommits = 0,
): MergeGroupDecision {
  if (members.length === 0)
    return {
      decision: "fail",
      lines: ["no pull request of this merge group could be identified, so nothing here was approved"],
      uncovered: groupFindings,
    };
  const lines: string[] = [];
  let pass = true;
  for (const member of members) {
    if (member.baseRef !== baseRef) {
      pass = false;
      lines.push(`#${member.number}: ✗ targets ${member.baseRef}, not ${baseRef}: its approvals are for another branch`);
    } else if (member.decision === "pass") {
      lines.push(`#${member.number}: ✓ ${member.state}`);
    } else {
      pass = false;
      lines.push(`#${member.number}: ✗ ${member.state}${member.unmet.length > 0 ? ` — ${member.unmet.join("; ")}` : ""}`);
    }
  }
  const seen = new Set(members.flatMap((member) => member.fingerprints));
  const uncovered = groupFindings.filter((finding) => !seen.has(finding.fingerprint));
  for (const finding of uncovered) lines.push(`✗ not reviewed in any PR of the group: ${finding.class} — ${finding.summary}`);
  if (uncovered.length > 0 && unnamedCommits > 0)
    lines.push(
      `${unnamedCommits} commit${unnamedCommits === 1 ? "" : "s"} of the group name no pull request: Route Governor finds the PRs ahead in the queue only by the "Merge pull request #N" or "(#N)" subjects the queue writes (a rebase merge queue writes neither), so a change from a PR it cannot name is reviewed by none here`,
    );
  return { decision: pass && uncovered.length === 0 ? "pass" : "fail", lines, uncovered };
}
