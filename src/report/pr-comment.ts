import type { Finding } from "../core/finding.js";
import type { ApprovalRecord } from "../governance/approval-verdicts.js";
import { code, plain } from "./markdown-text.js";

/**
 * The App's one living PR comment (DESIGN §11): the markdown report, what the App noticed
 * (tampered ledger, edited commands, unbound approvals), the approval record (who, when, on which
 * head, which findings; stale and refused ones struck through) and the hidden signed ledger.
 * It is found again by its first-line marker and always fits GitHub's comment limit.
 */
export const COMMENT_MARKER = "<!-- route-governor:comment -->";
export const MAX_COMMENT_CHARS = 65_536;

export const isLivingComment = (body: string): boolean => body.startsWith(COMMENT_MARKER);

export interface PrCommentInput {
  /** renderMarkdown(result): the report itself. */
  readonly report: string;
  readonly findings: readonly Finding[];
  readonly notes: readonly string[];
  readonly approvals: readonly ApprovalRecord[];
  /** The hidden signed ledger block; never truncated. */
  readonly ledger: string;
  /** Where the untruncated report lives, for the truncation notice. */
  readonly checkName: string;
}

function notesSection(notes: readonly string[]): string[] {
  if (notes.length === 0) return [];
  return ["> [!IMPORTANT]", ...notes.map((note) => `> - ${plain(note)}`)];
}

function seen(record: ApprovalRecord, findings: readonly Finding[]): string {
  if (record.head === undefined) return "—";
  const current = new Set(findings.map((finding) => finding.fingerprint));
  const saw = new Set(record.fingerprints);
  const covered = [...current].filter((fingerprint) => saw.has(fingerprint)).length;
  const gone = [...saw].filter((fingerprint) => !current.has(fingerprint)).length;
  if (covered === current.size && gone === 0) return `all ${current.size} current findings`;
  return `${covered} of ${current.size} current findings${gone ? `; ${gone} since changed` : ""}`;
}

function approvalRecordSection(records: readonly ApprovalRecord[], findings: readonly Finding[]): string[] {
  if (records.length === 0) return [];
  const rows = records.map((record) => {
    const who = record.status === "counted" ? `@${plain(record.login)}` : `~~@${plain(record.login)}~~`;
    const how = record.url ? `[/approve](${record.url})` : record.source === "review" ? "GitHub review" : "/approve";
    const status =
      record.status === "counted"
        ? "✅ counted"
        : `${record.status === "stale" ? "⏳ stale" : "✗ not counted"}: ${plain(record.reason ?? "")}`;
    return `| ${who} | ${plain(record.at)} | ${how} | ${record.head ? code(record.head.slice(0, 7)) : "—"} | ${seen(record, findings)} | ${status} |`;
  });
  return [
    `<details><summary>Approval record (${records.length})</summary>`,
    "",
    "| Who | When | How | Head | Approved | Status |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
    "</details>",
  ];
}

/**
 * Cuts markdown to `max` characters at a line boundary, closes a fence or `<details>` left open
 * and appends `notice`. Text that already fits is returned unchanged.
 */
export function fitMarkdown(text: string, max: number, notice: string): string {
  if (text.length <= max) return text;
  const room = max - notice.length - 32;
  let kept = text.slice(0, Math.max(0, room));
  const lastLine = kept.lastIndexOf("\n");
  if (lastLine > 0) kept = kept.slice(0, lastLine);
  const fences = kept.split("\n").filter((line) => /^\s*```/.test(line)).length;
  const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
  const closing = [...(fences % 2 === 1 ? ["```"] : []), ...Array.from({ length: Math.max(0, open) }, () => "</details>")];
  return [kept, ...closing, "", notice].join("\n");
}

export function renderPrComment(input: PrCommentInput): string {
  const body = [
    input.report.trimEnd(),
    notesSection(input.notes).join("\n"),
    approvalRecordSection(input.approvals, input.findings).join("\n"),
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  const notice = `> [!NOTE]\n> This comment was cut to fit GitHub's ${MAX_COMMENT_CHARS.toLocaleString("en-US")}-character limit: the full report and the audit JSON are in the check run ${code(input.checkName)}.`;
  const room = MAX_COMMENT_CHARS - COMMENT_MARKER.length - input.ledger.length - 4;
  return `${COMMENT_MARKER}\n${fitMarkdown(body, room, notice)}\n\n${input.ledger}`;
}
