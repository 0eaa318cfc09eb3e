import type { Policy } from "../policy/policy-schema.js";
import { BLOCKING_CLASSES, type ChangeClassId } from "../core/change-classes.js";
import type { Finding } from "../core/finding.js";
import { maxRisk, type RiskLevel } from "../core/risk-level.js";

/** Approvals a group must give, and the findings (by fingerprint) those approvals must have seen. */
export interface ApprovalRequirement {
  readonly group: string;
  readonly count: number;
  readonly fingerprints: readonly string[];
  /** Why the rule applies: "risk high", "class failover.changed". */
  readonly why: readonly string[];
}

export interface EvidenceRequirement {
  readonly key: string;
  readonly why: readonly string[];
}

export interface Requirements {
  /** The highest risk of all findings; `none` without findings. */
  readonly risk: RiskLevel;
  readonly evidence: readonly EvidenceRequirement[];
  /** One rule per group. */
  readonly approvals: readonly ApprovalRequirement[];
  readonly distinctGroups: number;
  /** Findings no approval can clear (`manifest.invalid`): the review itself is incomplete. */
  readonly blocking: readonly Finding[];
}

/**
 * What a PR must show before it may merge (DESIGN §8): the requirement of its overall risk
 * level plus the extra approvals and evidence of each change class present.
 * The risk-level rule of a group covers the findings whose own risk level asks for approvals;
 * a class rule covers the findings of its class. Rules of one group merge: the larger count,
 * every finding covered, every reason.
 */
export function requirementsFor(findings: readonly Finding[], policy: Policy): Requirements {
  const risk = maxRisk(findings.map((finding) => finding.risk));
  const blocking = findings.filter((finding) => BLOCKING_CLASSES.has(finding.class));
  const approvable = findings.filter((finding) => !BLOCKING_CLASSES.has(finding.class));
  const level = policy.requirements[risk];

  const evidence = new Map<string, Set<string>>();
  const addEvidence = (key: string, why: string): void => {
    evidence.set(key, (evidence.get(key) ?? new Set<string>()).add(why));
  };
  const approvals = new Map<string, { count: number; fingerprints: Set<string>; why: Set<string> }>();
  const addRule = (group: string, count: number, covered: readonly Finding[], why: string): void => {
    if (covered.length === 0) return;
    const rule = approvals.get(group) ?? { count: 0, fingerprints: new Set<string>(), why: new Set<string>() };
    rule.count = Math.max(rule.count, count);
    for (const finding of covered) rule.fingerprints.add(finding.fingerprint);
    rule.why.add(why);
    approvals.set(group, rule);
  };

  if (level) {
    for (const key of level.evidence) addEvidence(key, `risk ${risk}`);
    const needingApproval = approvable.filter((finding) => (policy.requirements[finding.risk]?.approvals.length ?? 0) > 0);
    for (const rule of level.approvals) addRule(rule.group, rule.count, needingApproval, `risk ${risk}`);
  }
  for (const changeClass of new Set<ChangeClassId>(findings.map((finding) => finding.class))) {
    const extra = policy.classes[changeClass];
    if (!extra) continue;
    for (const key of extra.evidence ?? []) addEvidence(key, `class ${changeClass}`);
    const ofClass = approvable.filter((finding) => finding.class === changeClass);
    for (const rule of extra.approvals ?? []) addRule(rule.group, rule.count, ofClass, `class ${changeClass}`);
  }

  return {
    risk,
    evidence: [...evidence].map(([key, why]) => ({ key, why: [...why] })),
    approvals: [...approvals].map(([group, rule]) => ({
      group,
      count: rule.count,
      fingerprints: [...rule.fingerprints],
      why: [...rule.why],
    })),
    distinctGroups: approvals.size > 0 ? (level?.distinctGroups ?? 0) : 0,
    blocking,
  };
}
