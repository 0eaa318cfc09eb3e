import type { RiskLevel } from "../risk/risk-level.js";
import type { ReviewResult } from "../review.js";
import { blastRadiusSection } from "./blast-radius-section.js";
import { cellCode, code, plain } from "./markdown-text.js";
import { routeDiffViews, type RouteDiffView } from "./report-view.js";

/**
 * The review as GitHub markdown: what the PR comment and the check run show (DESIGN §11).
 * Risk and decision first, then the blast radius (with its diagram), the route diff, findings, evidence checklist, approvals and the
 * exact commands to type next. Everything from the PR or the YAML goes through plain()/code().
 */
export const RISK_BADGE: Readonly<Record<RiskLevel, string>> = {
  none: "⚪ none",
  low: "🟢 low",
  medium: "🟡 medium",
  "medium-high": "🟠 medium-high",
  high: "🔴 high",
  critical: "⛔ critical",
};

const MAX_ROUTE_ROWS = 25;
const MAX_FINDING_ROWS = 50;

const headline = (result: ReviewResult): string => {
  const { governance } = result;
  const verdict: Record<typeof governance.state, string> = {
    "no-traffic-change": "✅ no traffic change",
    satisfied: "✅ all requirements met",
    unmet: "❌ requirements unmet",
    held: "✋ on hold",
    frozen: "🧊 blocked by a change freeze",
    "break-glass": "⚠️ passed by BREAK-GLASS",
    "invalid-manifests": "❌ traffic config cannot be read",
  };
  return `## Route Governor: ${RISK_BADGE[result.risk]} risk · ${verdict[governance.state]}`;
};

const shares = (before: number | null, after: number | null): string =>
  `${before === null ? "—" : `${before}%`} → ${after === null ? "—" : `${after}%`}`;

function routeDiffSection(views: readonly RouteDiffView[]): string[] {
  if (views.length === 0) return [];
  const rows = views.map((view) => {
    const plan = !view.plan ? [] : view.plan.before === view.plan.after ? [`plan: ${plain(view.plan.after ?? "")}`] : [`plan: ${plain(view.plan.before ?? "—")} → ${plain(view.plan.after ?? "—")}`];
    const backends = [...view.backends.map((b) => `${plain(b.backend)} ${shares(b.before, b.after)}`), ...plan].join("<br>");
    const regions = view.regions.map((r) => `${plain(r.region)} ${r.before}% → ${r.after}%`).join("<br>");
    return `| ${cellCode(view.flow)}<br><sub>${plain(view.entry)}</sub> | ${view.status} | ${backends} | ${regions} | ${cellCode(`${view.file}:${view.line}`)} |`;
  });
  const table = ["| Flow | Change | Backends | Regions | Where |", "|---|---|---|---|---|"];
  const shown = rows.slice(0, MAX_ROUTE_ROWS);
  const rest = rows.slice(MAX_ROUTE_ROWS);
  return [
    "### Route diff",
    ...table,
    ...shown,
    ...(rest.length ? ["", `<details><summary>${rest.length} more flows</summary>`, "", ...table, ...rest, "", "</details>"] : []),
  ];
}

function findingsSection(result: ReviewResult): string[] {
  const { findings } = result.analysis;
  if (findings.length === 0) return [];
  const rows = findings.map((f) => `| ${RISK_BADGE[f.risk]} | ${cellCode(f.class)} | ${cellCode(`${f.file}:${f.line}`)} | ${plain(f.summary)} |`);
  const table = ["| Risk | Class | Where | What |", "|---|---|---|---|"];
  const open = findings.length <= 10;
  const shown = rows.slice(0, MAX_FINDING_ROWS);
  const omitted = rows.length - shown.length;
  return [
    `### Findings (${findings.length})`,
    ...(open ? [...table, ...shown] : [`<details><summary>Show ${findings.length} findings</summary>`, "", ...table, ...shown, "", "</details>"]),
    ...(omitted > 0 ? [`_…and ${omitted} more: see the check run or the JSON report._`] : []),
  ];
}

function evidenceSection(result: ReviewResult): string[] {
  const items = result.governance.evidence.filter((item) => item.required || item.status === "ok");
  if (items.length === 0) return [];
  return [
    "### Evidence",
    ...items.map((item) => {
      const tick = item.status === "ok" ? "[x]" : "[ ]";
      const value = item.value ? `: ${code(item.value)}` : "";
      const source = item.source ? ` <sub>(${item.source === "body" ? "PR description" : `/evidence by @${plain(item.author ?? "?")}`})</sub>` : "";
      const reason = item.status === "ok" ? "" : ` — ✗ ${item.status}${item.reason ? `: ${plain(item.reason)}` : ""}`;
      return `- ${tick} **${plain(item.key)}**${value}${source}${reason}${item.required ? "" : " <sub>(not required)</sub>"}`;
    }),
  ];
}

function approvalsSection(result: ReviewResult): string[] {
  const { approvals } = result.governance;
  if (approvals.rules.length === 0) return [];
  const lines = approvals.rules.map((rule) => {
    const tick = rule.satisfied ? "[x]" : "[ ]";
    const by = rule.approvers.length ? ` — approved by ${rule.approvers.map((login) => `@${plain(login)}`).join(", ")}` : "";
    const stale = rule.stale.map((note) => `<br>&nbsp;&nbsp;~~@${plain(note.login)}~~ stale: ${plain(note.reason)}`).join("");
    return `- ${tick} ${rule.count} × **${plain(rule.group)}** <sub>(${plain(rule.why.join(", "))})</sub>${by}${stale}`;
  });
  const distinct = approvals.distinct.required > 1
    ? [`- ${approvals.distinct.satisfied ? "[x]" : "[ ]"} approvals from ${approvals.distinct.required} different groups by different people`]
    : [];
  const refused = approvals.refused.map((note) => `- ~~@${plain(note.login)}~~ not counted: ${plain(note.reason)}`);
  return ["### Approvals", ...lines, ...distinct, ...refused];
}

function stateBanner(result: ReviewResult): string[] {
  const { governance } = result;
  const breakGlass = governance.breakGlass;
  if (breakGlass?.accepted) {
    return [
      `> [!CAUTION]`,
      `> **BREAK-GLASS** by @${plain(breakGlass.login)} at ${plain(breakGlass.at)} for incident ${code(breakGlass.incident)}: ${plain(breakGlass.reason)}`,
      ...(breakGlass.bypassed.length ? [`> Bypassed: ${breakGlass.bypassed.map(plain).join("; ")}`] : []),
      `> Post-change validation is required after the merge.`,
    ];
  }
  if (governance.state === "invalid-manifests") return ["> [!WARNING]", "> Some traffic config cannot be read, so this review is incomplete: fix it first."];
  if (governance.state === "held") return ["> [!WARNING]", ...governance.holds.map((hold) => `> Held by @${plain(hold.login)}${hold.reason ? `: ${plain(hold.reason)}` : ""}`)];
  return [];
}

const MAX_EXISTING_SHOWN = 5;

/** Unreadable traffic files this PR did not touch: not gating, but never out of sight. */
function existingInvalidSection(result: ReviewResult): string[] {
  const existing = result.analysis.existingInvalid;
  if (existing.length === 0) return [];
  return [
    `<details><summary>⚠️ ${existing.length} unreadable traffic document${existing.length === 1 ? "" : "s"} in files this PR does not change (not reviewed, not gating)</summary>`,
    "",
    ...existing.slice(0, MAX_EXISTING_SHOWN).map((invalid) => `- ${code(`${invalid.file}:${invalid.line}`)}: ${plain(invalid.message)}`),
    ...(existing.length > MAX_EXISTING_SHOWN ? [`- …and ${existing.length - MAX_EXISTING_SHOWN} more (see the JSON report)`] : []),
    "",
    "</details>",
  ];
}

const MAX_SKIPPED_NAMED = 3;

/** One line for the changed files the review did not read: skipped as not traffic config, or excluded by the policy. */
function notReviewedLine(result: ReviewResult): string[] {
  const { skipped, excluded } = result.analysis;
  const files = (count: number) => `${count} changed file${count === 1 ? "" : "s"}`;
  const parts = [
    ...(skipped.length > 0
      ? [`${files(skipped.length)} not traffic config (${skipped.slice(0, MAX_SKIPPED_NAMED).map((item) => `${code(item.file)}: ${plain(item.reason)}`).join("; ")}${skipped.length > MAX_SKIPPED_NAMED ? "; …" : ""})`]
      : []),
    ...(excluded.changed.length > 0 ? [`${files(excluded.changed.length)} excluded by the policy's \`paths\` (${excluded.total} in the tree)`] : []),
  ];
  return parts.length > 0 ? [`<sub>Not reviewed: ${parts.join(" · ")}</sub>`] : [];
}

function nextStepsSection(result: ReviewResult): string[] {
  const { governance } = result;
  if (governance.nextSteps.length === 0) return [];
  return [
    "### Next steps",
    ...governance.unmet.map((line) => `- ✗ ${plain(line)}`),
    "",
    "Comment on this PR, one command per line:",
    "```text",
    ...governance.nextSteps.map((step) => step.replace(/```/g, "'''")),
    "```",
    "<sub>Evidence can also go in the PR description under `## Change evidence` as `- Key: value` lines.</sub>",
  ];
}

export function renderMarkdown(result: ReviewResult): string {
  const sections = [
    [headline(result), `<sub>Policy: ${plain(result.policySource)}</sub>`],
    stateBanner(result),
    blastRadiusSection(result.analysis.blastRadius, result.analysis.routeDiffs),
    routeDiffSection(routeDiffViews(result)),
    findingsSection(result),
    evidenceSection(result),
    approvalsSection(result),
    existingInvalidSection(result),
    notReviewedLine(result),
    nextStepsSection(result),
  ].filter((section) => section.length > 0);
  return `${sections.map((section) => section.join("\n")).join("\n\n")}\n`;
}
