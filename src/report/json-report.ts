import type { ReviewResult } from "../review.js";
import { routeDiffViews } from "./report-view.js";

/**
 * The CLI's JSON contract (issue 2): `{ risk, decision, findings, routeDiffs, requirements, errors }`
 * plus the state, the policy source and the blast radius (issue 6). Users' CI parses it: add fields, never rename one.
 */
/** The report's format version: raised only when a field changes meaning or goes away. */
export const JSON_REPORT_VERSION = 1;

export function toJsonReport(result: ReviewResult) {
  const { governance, analysis } = result;
  return {
    version: JSON_REPORT_VERSION,
    risk: result.risk,
    decision: result.decision,
    state: governance.state,
    policy: result.policySource,
    findings: analysis.findings,
    routeDiffs: routeDiffViews(result),
    blastRadius: analysis.blastRadius,
    requirements: {
      evidence: governance.evidence,
      approvals: governance.approvals.rules.map(({ group, count, approvers, satisfied, why, stale }) => ({
        group,
        count,
        approvers,
        satisfied,
        why,
        stale,
      })),
      distinctGroups: governance.approvals.distinct,
      unmet: governance.unmet,
      nextSteps: governance.nextSteps,
      ...(governance.breakGlass ? { breakGlass: governance.breakGlass } : {}),
      ...(governance.freeze ? { freeze: governance.freeze } : {}),
      holds: governance.holds,
    },
    render: analysis.render,
    errors: [
      ...analysis.invalid.map((invalid) => ({ file: invalid.file, line: invalid.line, message: invalid.message })),
      ...analysis.existingInvalid.map((invalid) => ({ file: invalid.file, line: invalid.line, message: invalid.message, existing: true })),
    ],
    // What the review did not read among the files this PR changes: never gating, never silent.
    skipped: analysis.skipped,
    excluded: analysis.excluded,
  };
}

export const renderJson = (result: ReviewResult): string => `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
