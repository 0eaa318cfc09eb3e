import type { Finding } from "../core/finding.js";
import type { RiskLevel } from "../core/risk-level.js";
import type { ReviewResult } from "../review.js";
import { holderOf } from "../governance/decision.js";
import { blastRadiusSection } from "./blast-radius-section.js";
import { cellCode, code, plain } from "./markdown-text.js";
import { flowsByImpact, routeDiffViews, type RouteDiffView } from "./report-view.js";

/**
 * The review as GitHub markdown: what the PR comment and the check run show (DESIGN §11).
 * The first screen answers a reviewer's three questions: the decision, why (the riskiest
 * findings, one line each, never collapsed), and what to type to pass. Then the blast radius with
 * its diagram, the route diff and every finding (collapsed), the evidence and approval checklists.
 * Everything from the PR or the YAML goes through plain()/code().
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
    "post-change-pending": "⚠️ merged by BREAK-GLASS · post-change validation pending",
    "invalid-manifests": "❌ traffic config cannot be read",
  };
  return `## Route Governor: ${RISK_BADGE[result.risk]} risk · ${verdict[governance.state]}`;
};

const shares = (before: number | null, after: number | null): string =>
  `${before === null ? "—" : `${before}%`} → ${after === null ? "—" : `${after}%`}`;

function routeDiffSection(views: readonly RouteDiffView[]): string[] {
  if (views.length === 0) return [];
  const rows = views.map((view) => {
    const plan = !view.plan
      ? []
      : view.plan.before === view.plan.after
        ? [`plan: ${plain(view.plan.after ?? "")}`]
        : [`plan: ${plain(view.plan.before ?? "—")} → ${plain(view.plan.after ?? "—")}`];
    const backends = [...view.backends.map((b) => `${plain(b.backend)} ${shares(b.before, b.after)}`), ...plan].join("<br>");
    const regions = view.regions.map((r) => `${plain(r.region)} ${r.before}% → ${r.after}%`).join("<br>");
    const status = view.fallsThroughTo ? `removed: requests fall through to ${plain(view.fallsThroughTo)}` : view.status;
    return `| ${cellCode(view.flow)}<br><sub>${plain(view.entry)}</sub> | ${status} | ${backends} | ${regions} | ${cellCode(`${view.file}:${view.line}`)} |`;
  });
  const shown = rows.slice(0, MAX_ROUTE_ROWS);
  const omitted = rows.length - shown.length;
  return collapsed(`Route diff: ${views.length} changed flow${views.length === 1 ? "" : "s"}`, [
    "| Flow | Change | Backends | Regions | Where |",
    "|---|---|---|---|---|",
    ...shown,
    ...(omitted > 0 ? ["", `_…and ${omitted} more flows: \`route-governor review --format json\` on the two trees lists every one._`] : []),
  ]);
}

const collapsed = (summary: string, body: readonly string[]): string[] => [
  `<details><summary><b>${summary}</b></summary>`,
  "",
  ...body,
  "",
  "</details>",
];

/**
 * Riskiest first. Every critical and high finding gets a line while they fit on the first screen;
 * past MAX_WHY_LINES they are one line per risk and class (the first in full, the others by
 * location), so what to type to pass stays in view on a large PR. Lower risks are listed only
 * while nothing is critical or high.
 */
const MAX_WHY_LINES = 8;
const MAX_LOWER_WHY = 5;
const MAX_ALSO_AT = 3;

const whyLine = (f: Finding, alsoAt: readonly Finding[] = []): string => {
  // Places once each: the findings of one file (a kustomization every overlay builds) would list it again and again.
  const here = `${f.file}:${f.line}`;
  const places = [...new Set(alsoAt.map((other) => `${other.file}:${other.line}`))].filter((place) => place !== here);
  const where =
    places.length === 0
      ? " at the same place"
      : ` at ${places.slice(0, MAX_ALSO_AT).map(code).join(", ")}${places.length > MAX_ALSO_AT ? ", …" : ""}`;
  const more = alsoAt.length === 0 ? "" : ` · ${alsoAt.length} more like it${where}`;
  return `- ${RISK_BADGE[f.risk]} ${code(f.class)}${alsoAt.length ? ` ×${alsoAt.length + 1}` : ""} ${plain(f.summary)} <sub>${code(here)}${more}</sub>`;
};

export function whySection(result: ReviewResult): string[] {
  const { findings } = result.analysis;
  if (findings.length === 0) return [];
  const severe = findings.filter((f) => f.class === "manifest.invalid" || f.risk === "critical" || f.risk === "high");
  let lines: string[];
  let shown: number;
  if (severe.length === 0) {
    lines = findings.slice(0, MAX_LOWER_WHY).map((f) => whyLine(f));
    shown = lines.length;
  } else if (severe.length <= MAX_WHY_LINES) {
    lines = severe.map((f) => whyLine(f));
    shown = severe.length;
  } else {
    const groups = new Map<string, Finding[]>();
    for (const f of severe) groups.set(`${f.risk} ${f.class}`, [...(groups.get(`${f.risk} ${f.class}`) ?? []), f]);
    const listed = [...groups.values()].slice(0, MAX_WHY_LINES);
    lines = listed.map(([first, ...others]) => whyLine(first!, others));
    shown = listed.reduce((sum, group) => sum + group.length, 0);
  }
  const rest = findings.length - shown;
  const hidden = severe.length - Math.min(shown, severe.length);
  const restLine =
    hidden > 0
      ? `${rest} more finding${rest === 1 ? "" : "s"}, ${hidden} of them critical or high,`
      : `${rest} lower-risk finding${rest === 1 ? "" : "s"}`;
  return ["**Why**", ...lines, ...(rest > 0 ? [`- …and ${restLine} under **All findings** below`] : [])];
}

function findingsSection(result: ReviewResult): string[] {
  const { findings } = result.analysis;
  if (findings.length === 0) return [];
  const rows = findings.map(
    (f) => `| ${RISK_BADGE[f.risk]} | ${cellCode(f.class)} | ${cellCode(`${f.file}:${f.line}`)} | ${plain(f.summary)} |`,
  );
  const shown = rows.slice(0, MAX_FINDING_ROWS);
  const omitted = rows.length - shown.length;
  return collapsed(`All findings (${findings.length})`, [
    "| Risk | Class | Where | What |",
    "|---|---|---|---|",
    ...shown,
    ...(omitted > 0 ? ["", `_…and ${omitted} more: see the check run or the JSON report._`] : []),
  ]);
}

function evidenceSection(result: ReviewResult): string[] {
  // Not shown: keys neither required nor supplied. Supplied but wrong (an unknown name, a bad optional value) is shown.
  const items = result.governance.evidence.filter((item) => item.required || item.status !== "missing");
  if (items.length === 0) return [];
  return [
    "### Evidence",
    ...items.map((item) => {
      const tick = item.status === "ok" ? "[x]" : "[ ]";
      const value = item.value ? `: ${code(item.value)}` : "";
      const source = item.source
        ? ` <sub>(${item.source === "body" ? "PR description" : `/evidence by @${plain(item.author ?? "?")}`})</sub>`
        : "";
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
  const distinct =
    approvals.distinct.required > 1
      ? [
          `- ${approvals.distinct.satisfied ? "[x]" : "[ ]"} approvals from ${approvals.distinct.required} different groups by different people`,
        ]
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
      governance.state === "post-change-pending"
        ? `> Merged: post-change validation is owed — \`/evidence post-change-validation <https://…>\`.`
        : `> Post-change validation is required after the merge${governance.evidence.some((item) => item.key === "post-change-validation" && item.status === "ok") ? ": given" : ""}.`,
    ];
  }
  if (governance.state === "invalid-manifests")
    return ["> [!WARNING]", "> Some traffic config cannot be read, so this review is incomplete: fix it first."];
  if (governance.state === "held")
    return [
      "> [!WARNING]",
      ...governance.holds.map((hold) => `> Held by ${holderOf(hold, plain)}${hold.reason ? `: ${plain(hold.reason)}` : ""}`),
    ];
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
    ...(existing.length > MAX_EXISTING_SHOWN
      ? [`- …and ${existing.length - MAX_EXISTING_SHOWN} more (\`route-governor review --format json\` lists them all)`]
      : []),
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
      ? [
          `${files(skipped.length)} not traffic config (${skipped
            .slice(0, MAX_SKIPPED_NAMED)
            .map((item) => `${code(item.file)}: ${plain(item.reason)}`)
            .join("; ")}${skipped.length > MAX_SKIPPED_NAMED ? "; …" : ""})`,
        ]
      : []),
    ...(excluded.changed.length > 0
      ? [`${files(excluded.changed.length)} excluded by the policy's \`paths\` (${excluded.total} in the tree)`]
      : []),
  ];
  return parts.length > 0 ? [`<sub>Not reviewed: ${parts.join(" · ")}</sub>`] : [];
}

function nextStepsSection(result: ReviewResult): string[] {
  const { governance } = result;
  if (governance.nextSteps.length === 0) return [];
  return [
    "**To pass**",
    ...governance.unmet.map((line) => `- ✗ ${plain(line)}`),
    "",
    "Comment on this PR, one command per line:",
    "```text",
    ...governance.nextSteps.map((step) => step.replace(/```/g, "'''")),
    "```",
    "<sub>Evidence can also go in the PR description under `## Change evidence` as `- Key: value` lines.</sub>",
  ];
}

/** Whether what the review read was rendered, and if not why: a reader must know when overlays were read raw. */
function renderLine(result: ReviewResult): string[] {
  const { rendered, unrendered, trusted, withoutRemote, skipped } = result.analysis.render;
  if (skipped !== undefined)
    return [`<sub>Rendering skipped: ${plain(skipped)}; kustomize patches and Helm values were read as written.</sub>`];
  return [
    ...(rendered.length > 0 ? [`<sub>Rendered with kubectl kustomize / helm template: ${rendered.map(code).join(", ")}</sub>`] : []),
    // Its remote objects are neither reviewed nor shown: the reader sees they were left out, and why that is sound.
    ...(withoutRemote.length > 0
      ? [`<sub>Rendered without their remote resources, which this PR leaves as they are: ${withoutRemote.map(code).join(", ")}</sub>`]
      : []),
    // A chart nothing in the repository installs does not block when it cannot be rendered, but the reader sees it was read as written.
    ...(unrendered.length > 0 ? [`<sub>Read as written (charts nothing here installs): ${unrendered.map(plain).join("; ")}</sub>`] : []),
    // A version bump the policy trusts passes unrendered: the reader sees that the policy, not the review, vouched for it.
    ...(trusted.length > 0
      ? [`<sub>Not rendered, only trusted sources' versions moved (the policy's \`render.trusted\`): ${trusted.map(code).join(", ")}</sub>`]
      : []),
  ];
}

export function renderMarkdown(result: ReviewResult): string {
  // Past their caps, the diagram and the route diff show the flows that move traffic between regions.
  const order = flowsByImpact(result.analysis.routeDiffs);
  const views = routeDiffViews(result);
  const sections = [
    [headline(result), `<sub>Policy: ${plain(result.policySource)}</sub>`, ...renderLine(result)],
    stateBanner(result),
    whySection(result),
    nextStepsSection(result),
    blastRadiusSection(
      result.analysis.blastRadius,
      order.map((index) => result.analysis.routeDiffs[index]!),
    ),
    routeDiffSection(order.map((index) => views[index]!)),
    findingsSection(result),
    evidenceSection(result),
    approvalsSection(result),
    existingInvalidSection(result),
    notReviewedLine(result),
  ].filter((section) => section.length > 0);
  return `${sections.map((section) => section.join("\n")).join("\n\n")}\n`;
}
