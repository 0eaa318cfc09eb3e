import type { RouteDiff } from "../diff/route-diff.js";
import type { BlastRadius, GatewayImpact, IssueView } from "../graph/blast-radius.js";
import { cellCode, plain } from "./markdown-text.js";
import { blastRadiusDiagram, MAX_FLOWS } from "./mermaid-diagram.js";

/**
 * The blast radius in the PR comment (DESIGN §7, §11): a short table of what the PR reaches, the
 * graph's reference issues apart from the findings, and the diagram — collapsed when it is large.
 * The share per region per flow is the route diff's to show: each change is said once. Everything from the YAML goes through plain()/code().
 */

const MAX_LISTED = 8;
const OPEN_DIAGRAM_FLOWS = 6;

const listed = (values: readonly string[], show: (value: string) => string = cellCode, max = MAX_LISTED): string => {
  const shown = values.slice(0, max).map(show).join(", ");
  return values.length > max ? `${shown} <sub>+${values.length - max} more</sub>` : shown;
};

function gatewayLine(gateway: GatewayImpact): string {
  const what = `${cellCode(gateway.gateway)} ${gateway.change}${gateway.via ? ` (${plain(gateway.via)})` : ""}`;
  const routes =
    gateway.routesAttached === 0
      ? "no routes attached"
      : `**${gateway.routesAttached} route${gateway.routesAttached === 1 ? "" : "s"} attached**: ${listed(gateway.routes, cellCode, 5)}`;
  const detached = gateway.detached.length ? `; ⚠ ${gateway.detached.length} detached: ${listed(gateway.detached, cellCode, 5)}` : "";
  return `${what} — ${routes}${detached}`;
}

function issueTable(issues: readonly IssueView[]): string[] {
  return [
    "| Class | Where | What |",
    "|---|---|---|",
    ...issues.map((issue) => `| ${cellCode(issue.class)} | ${cellCode(`${issue.file}:${issue.line}`)} | ${plain(issue.summary)} |`),
  ];
}

function summaryRows(radius: BlastRadius): string[] {
  const rows: [string, string][] = [];
  if (radius.hostnames.length) rows.push(["Hostnames", listed(radius.hostnames)]);
  if (radius.gateways.length) rows.push(["Gateways", radius.gateways.map(gatewayLine).join("<br>")]);
  if (radius.clusters.length) rows.push(["Clusters", listed(radius.clusters)]);
  if (radius.regions.length) rows.push(["Regions", listed(radius.regions, plain)]);
  if (radius.services.length) {
    const services = radius.services.map(
      (s) => `${cellCode(s.service)} ${[...s.gained.map((r) => `+${plain(r)}`), ...s.lost.map((r) => `−${plain(r)}`)].join(" ")}`,
    );
    rows.push(["Services gaining/losing regions", listed(services, (s) => s)]);
  }
  for (const scope of radius.meshScope) {
    const namespaces =
      scope.scope === "mesh-wide" || scope.namespaces.length > 1
        ? ` <sub>(${scope.namespaces.length} namespaces in this repository: ${listed(scope.namespaces, plain, 6)})</sub>`
        : "";
    rows.push([
      "Mesh / trust scope",
      `${cellCode(scope.resource)}: ${scope.scope === "mesh-wide" ? "**mesh-wide** — " : ""}${plain(scope.detail)}${namespaces}`,
    ]);
  }
  if (rows.length === 0) return [];
  return ["| Reaches | |", "|---|---|", ...rows.map(([what, value]) => `| ${what} | ${value} |`)];
}

function issueLines(radius: BlastRadius): string[] {
  const { introduced, existing, fixed } = radius.issues;
  if (introduced.length + existing.length + fixed.length + radius.unchecked.length === 0) return [];
  const counts = [
    `${introduced.length} introduced by this PR${introduced.length ? " (in the findings)" : ""}`,
    `${existing.length} already on the base branch (not gating)`,
    `${fixed.length} fixed`,
  ].join(" · ");
  return [
    `**Reference checks** (whole repository): ${counts}`,
    ...(existing.length
      ? ["", `<details><summary>Existing issues (${existing.length})</summary>`, "", ...issueTable(existing), "", "</details>"]
      : []),
    ...(fixed.length
      ? ["", `<details><summary>Fixed by this PR (${fixed.length})</summary>`, "", ...issueTable(fixed), "", "</details>"]
      : []),
    ...(radius.unchecked.length ? ["", `<sub>${radius.unchecked.map(plain).join(" · ")}</sub>`] : []),
  ];
}

export function blastRadiusSection(radius: BlastRadius, routeDiffs: readonly RouteDiff[]): string[] {
  const summary = summaryRows(radius);
  const issues = issueLines(radius);
  const diagram = blastRadiusDiagram(routeDiffs, radius);
  if (summary.length + issues.length === 0 && !diagram) return [];
  const open = routeDiffs.length <= OPEN_DIAGRAM_FLOWS ? " open" : "";
  const flows = Math.min(routeDiffs.length, MAX_FLOWS);
  const parts: string[][] = [
    ["### Blast radius", ...summary],
    issues,
    diagram
      ? [
          `<details${open}><summary>Diagram: ${flows}${flows < routeDiffs.length ? ` of ${routeDiffs.length}` : ""} changed flow${routeDiffs.length === 1 ? "" : "s"}${radius.gateways.length ? `, ${radius.gateways.length} Gateway${radius.gateways.length === 1 ? "" : "s"}` : ""}</summary>`,
          "",
          "```mermaid",
          diagram,
          "```",
          "",
          "</details>",
        ]
      : [],
  ];
  return parts.filter((part) => part.length > 0).flatMap((part, index) => (index === 0 ? part : ["", ...part]));
}
