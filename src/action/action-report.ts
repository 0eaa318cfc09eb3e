import type { Evaluation } from "../github/evaluate-pull-request.js";
import { renderMarkdown } from "../report/markdown-report.js";
import { COMMENT_MARKER, renderPrComment } from "../report/pr-comment.js";

/**
 * The Action's report: the App's comment layout (report, notes, approval record) without its
 * ledger, for the job summary and the optional PR comment. The comment carries a marker of its
 * own: with the App's, an App installed on the same repository would take it for its ledger comment.
 */
export const ACTION_MARKER = "<!-- route-governor:action -->";

export function actionReport(evaluation: Evaluation, notes: readonly string[], jobName: string): string {
  const { result } = evaluation;
  const comment = renderPrComment({
    report: renderMarkdown(result),
    findings: result.analysis.findings,
    notes: [...notes, ...evaluation.notes],
    approvals: evaluation.approvals,
    ledger: "",
    checkName: jobName,
  });
  return `${comment.slice(COMMENT_MARKER.length).trim()}\n`;
}

export const actionComment = (report: string): string => `${ACTION_MARKER}\n${report}`;

export const isActionComment = (body: string): boolean => body.startsWith(ACTION_MARKER);
