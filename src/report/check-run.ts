import type { ReviewResult } from "../review.js";
import type { Finding } from "../core/finding.js";
import { riskRank } from "../core/risk-level.js";
import { RISK_BADGE, whySection } from "./markdown-report.js";
import { plain } from "./markdown-text.js";
import { fitMarkdown } from "./pr-comment.js";

/**
 * The required check run (DESIGN §11). Its name carries the base branch, so a PR cannot pass by
 * being retargeted. `success` only when the decision is pass; an unmet requirement asks for
 * action; an internal error fails — the check never passes by accident.
 *
 * The title, summary and text are markdown GitHub renders on the PR's checks page: every line that
 * carries text from the PR (hold reasons, evidence values, logins, paths, error messages) goes
 * through plain(), so it cannot add links, images or @mentions. Annotations are not escaped:
 * GitHub shows their title and message as plain text, where escapes would show as backslashes.
 */
export const checkRunName = (baseRef: string): string => `Route Governor (${baseRef})`;

/** GitHub's limits for check run output fields and annotations per request. */
export const MAX_OUTPUT_CHARS = 65_535;
export const ANNOTATIONS_PER_REQUEST = 50;
/**
 * Annotations per check run: two requests at most, whatever the number of findings (DESIGN §12).
 * Uncapped, a harmless PR relabelling 1,000 routes took 20 sequential check-run updates and ran
 * out of its evaluation budget, concluding `failure`.
 */
export const MAX_ANNOTATIONS = 2 * ANNOTATIONS_PER_REQUEST;

export type Conclusion = "success" | "action_required" | "failure";

export interface Annotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: "notice" | "warning" | "failure";
  readonly title: string;
  readonly message: string;
}

export interface CheckRunReport {
  readonly conclusion: Conclusion;
  readonly title: string;
  readonly summary: string;
  readonly text: string;
  readonly annotations: readonly Annotation[];
}

const levelOf = (finding: Finding): Annotation["annotation_level"] =>
  finding.class === "manifest.invalid" || finding.risk === "critical" || finding.risk === "high"
    ? "failure"
    : finding.risk === "none" || finding.risk === "low"
      ? "notice"
      : "warning";

const LEVEL_RANK: Record<Annotation["annotation_level"], number> = { failure: 2, warning: 1, notice: 0 };

/** The findings a line can be annotated for, most important first: blocking, then by risk, then by file and line. */
const annotatable = (findings: readonly Finding[]): Finding[] =>
  findings
    .filter((finding) => finding.file !== "")
    .sort(
      (a, b) =>
        LEVEL_RANK[levelOf(b)] - LEVEL_RANK[levelOf(a)] ||
        riskRank(b.risk) - riskRank(a.risk) ||
        (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
        a.line - b.line,
    );

const annotationOf = (finding: Finding): Annotation => ({
  path: finding.file,
  start_line: Math.max(1, finding.line),
  end_line: Math.max(1, finding.line),
  annotation_level: levelOf(finding),
  title: `${finding.class} (${finding.risk})`.slice(0, 255),
  message: finding.summary.slice(0, 4_000),
});

const STATE_TITLE: Record<ReviewResult["governance"]["state"], string> = {
  "no-traffic-change": "no traffic change",
  satisfied: "all requirements met",
  unmet: "requirements unmet",
  held: "on hold",
  frozen: "blocked by a change freeze",
  "break-glass": "passed by BREAK-GLASS",
  "post-change-pending": "merged by BREAK-GLASS · post-change validation pending",
  "invalid-manifests": "traffic config cannot be read",
};

/**
 * The check run for a completed review: the full markdown report as the text, followed by the
 * audit record (JSON) in a collapsed block; both cut to GitHub's limit with a notice. `notes` are
 * what the evaluation flagged (a stale break-glass, a void ledger), shown in the summary; `reviewed`
 * says which two trees were compared (the App's merge result or merge base), under the headline;
 * `ledger`, the App's signed ledger block, ends the text and is never cut (approval-ledger.ts).
 */
export function checkRunReport(
  result: ReviewResult,
  report: string,
  audit: unknown,
  notes: readonly string[] = [],
  reviewed?: string,
  ledger = "",
): CheckRunReport {
  const { governance } = result;
  const title = `${result.risk} risk · ${STATE_TITLE[governance.state]}`;
  const lines = annotatable(result.analysis.findings);
  const unannotated = lines.length - MAX_ANNOTATIONS;
  const summary = fitMarkdown(
    [
      `**${RISK_BADGE[result.risk]} risk** · ${STATE_TITLE[governance.state]} · ${result.analysis.findings.length} finding(s)`,
      ...(reviewed ? [plain(reviewed)] : []),
      ...(unannotated > 0
        ? [
            `Annotated ${MAX_ANNOTATIONS} of ${lines.length} findings on their lines (the riskiest first, then by file and line); the other ${unannotated} are not annotated: \`route-governor review --format json\` on the two trees lists every finding.`,
          ]
        : []),
      // The same first screen as the comment: why, then what is still missing.
      ...(whySection(result).length > 0 ? ["", ...whySection(result), ""] : []),
      ...(governance.unmet.length > 0 ? ["**To pass**"] : []),
      ...governance.unmet.map((line) => `- ✗ ${plain(line)}`),
      ...notes.map((note) => `- ⚠️ ${plain(note.replace(/^⚠️\s*/u, ""))}`),
    ].join("\n"),
    MAX_OUTPUT_CHARS,
    "_…more unmet requirements in the report below._",
  );
  const json = JSON.stringify(audit, null, 1);
  const auditBlock = `\n\n<details><summary>Audit record (JSON)</summary>\n\n\`\`\`json\n${json}\n\`\`\`\n\n</details>\n`;
  const notice = `> [!NOTE]\n> Cut to fit GitHub's ${MAX_OUTPUT_CHARS.toLocaleString("en-US")}-character limit for check run output.`;
  const text = endingWithLedger(ledger, (room) =>
    auditBlock.length < room / 2
      ? fitMarkdown(report.trimEnd(), room - auditBlock.length, notice) + auditBlock
      : fitMarkdown(report.trimEnd() + auditBlock, room, notice),
  );
  return {
    conclusion: result.decision === "pass" ? "success" : "action_required",
    title,
    summary,
    text,
    annotations: lines.slice(0, MAX_ANNOTATIONS).map(annotationOf),
  };
}

/** The text `fit` makes in the room left, ended by the App's signed ledger block, which is never cut (approval-ledger.ts). */
const endingWithLedger = (ledger: string, fit: (room: number) => string): string => {
  const block = ledger === "" ? "" : `\n${ledger}`;
  return fit(MAX_OUTPUT_CHARS - block.length) + block;
};

/**
 * Any internal error: the check fails with the error text, never passes. `ledger`, the block of the
 * ledger the failed evaluation had made, ends the text as on a completed review: the evaluation may
 * have written it to the comment already, and this run is then the newest report (kept-ledger.ts).
 */
export function errorCheckRunReport(message: string, ledger = ""): CheckRunReport {
  const text = endingWithLedger(ledger, (room) =>
    fitMarkdown(
      [
        "Route Governor could not evaluate this pull request, so the check fails closed.",
        "",
        "```text",
        message.replace(/```/g, "'''"),
        "```",
        "",
        "Re-run the check (or comment `/route-governor refresh`) once the cause is fixed.",
      ].join("\n"),
      room,
      "_…error cut to fit._",
    ),
  );
  return {
    conclusion: "failure",
    title: "evaluation failed",
    summary: `❌ ${plain(message.split("\n")[0]!.slice(0, 1_000))}`,
    text,
    annotations: [],
  };
}

/** The check on a merge queue's group commit: each PR's verdict and what no PR's review covered. */
export function mergeGroupCheckRunReport(group: {
  readonly decision: "pass" | "fail";
  readonly lines: readonly string[];
  readonly pulls: readonly number[];
}): CheckRunReport {
  const title =
    group.decision === "pass" ? `merge group · every PR approved (${group.pulls.length})` : "merge group · not every change is approved";
  const summary = fitMarkdown(
    [
      `Merge queue group of ${group.pulls.map((number) => `#${number}`).join(", ") || "no identifiable PR"}: judged on the approvals and evidence of its pull requests.`,
      ...group.lines.map((line) => `- ${plain(line)}`),
    ].join("\n"),
    MAX_OUTPUT_CHARS,
    "_…more in the pull requests' own checks._",
  );
  return { conclusion: group.decision === "pass" ? "success" : "failure", title, summary, text: "", annotations: [] };
}
