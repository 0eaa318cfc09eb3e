import type { RouteDiff } from "../diff/route-diff.js";
import type { BlastRadius } from "../graph/blast-radius.js";
import { displayName } from "../core/resource.js";
import { describeFlow, percent, regionLabel, shortLabel } from "../model/describe-flow.js";
import { statusText } from "./report-view.js";

/**
 * The blast radius as a Mermaid flowchart (GitHub renders ```mermaid blocks in comments and check
 * runs): entry → route → backends → regions, edges labelled with the share before → after, changed
 * edges drawn thick and red. Only changed flows are drawn; past the caps a "+N more" node stands
 * for the rest, so the diagram stays readable.
 *
 * Every label is text from the YAML or the PR: it is written as a quoted label in which every
 * character that Mermaid, its directives or HTML could read as syntax (quotes, brackets, `#`, `%`,
 * `<`, `&`, backticks, `{`) becomes a Mermaid entity code, and line breaks are dropped, so a label
 * cannot end itself, start a statement (`click`, `style`, `%%{init}%%`) or carry markup.
 */

export const MAX_FLOWS = 12;
const MAX_BACKENDS_PER_FLOW = 6;
const MAX_LABEL = 80;
const SAFE = /[A-Za-z0-9 .,:;/_\-+=*'!?@~^$]/;

export function mermaidText(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  const short = [...clean].length > MAX_LABEL ? `${[...clean].slice(0, MAX_LABEL - 1).join("")}…` : clean;
  return [...short].map((char) => (SAFE.test(char) ? char : `#${char.codePointAt(0)};`)).join("");
}

const label = (...lines: string[]) => `"${lines.filter(Boolean).map(mermaidText).join("<br/>")}"`;

type Mark = "added" | "removed" | "changed";

const shares = (before: number | undefined, after: number | undefined) => `${percent(before)} → ${percent(after)}`;

class Chart {
  private readonly lines: string[] = [];
  private readonly ids = new Map<string, string>();
  private readonly edges = new Set<string>();
  private readonly marked: Record<Mark, number[]> = { added: [], removed: [], changed: [] };
  private readonly classes: Record<Mark, string[]> = { added: [], removed: [], changed: [] };
  private edgeCount = 0;

  node(key: string, prefix: string, shape: (text: string) => string, text: string, mark?: Mark): string {
    let id = this.ids.get(key);
    if (!id) {
      id = `${prefix}${this.ids.size}`;
      this.ids.set(key, id);
      this.lines.push(`  ${id}${shape(text)}`);
    }
    if (mark && !this.classes[mark].includes(id)) this.classes[mark].push(id);
    return id;
  }

  edge(from: string, to: string, text?: string, mark?: Mark): void {
    const key = `${from}>${to}>${text ?? ""}`;
    if (this.edges.has(key)) return;
    this.edges.add(key);
    this.lines.push(`  ${from} -->${text ? `|${label(text)}|` : ""} ${to}`);
    if (mark) this.marked[mark].push(this.edgeCount);
    this.edgeCount++;
  }

  render(): string {
    const styles: Record<Mark, { link: string; node: string }> = {
      changed: { link: "stroke:#bf8700,stroke-width:3px", node: "fill:#fff8c5,stroke:#9a6700,color:#1f2328" },
      added: { link: "stroke:#1a7f37,stroke-width:3px", node: "fill:#dafbe1,stroke:#1a7f37,color:#1f2328" },
      removed: {
        link: "stroke:#cf222e,stroke-width:3px,stroke-dasharray:5 4",
        node: "fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:5 4",
      },
    };
    const tail: string[] = [];
    for (const mark of ["changed", "added", "removed"] as const) {
      tail.push(`  classDef ${mark} ${styles[mark].node}`);
      if (this.classes[mark].length) tail.push(`  class ${this.classes[mark].join(",")} ${mark}`);
      if (this.marked[mark].length) tail.push(`  linkStyle ${this.marked[mark].join(",")} ${styles[mark].link}`);
    }
    return ["flowchart LR", ...this.lines, ...tail].join("\n");
  }
}

const box = (text: string) => `[${text}]`;
const rounded = (text: string) => `(${text})`;
const stadium = (text: string) => `([${text}])`;
const hexagon = (text: string) => `{{${text}}}`;

const flowMark = (status: RouteDiff["status"]): Mark => (status === "added" ? "added" : status === "removed" ? "removed" : "changed");

/** The diagram source (no fences), or "" when the PR reaches no flow and no Gateway. */
export function blastRadiusDiagram(routeDiffs: readonly RouteDiff[], radius: Pick<BlastRadius, "gateways">): string {
  if (routeDiffs.length === 0 && radius.gateways.length === 0) return "";
  const chart = new Chart();
  const shownRoutes = new Set<string>();
  const shownEntries = new Map<string, string>();

  routeDiffs.slice(0, MAX_FLOWS).forEach((diff) => {
    const flow = (diff.head ?? diff.base)!;
    const entry = chart.node(`entry:${flow.entry}`, "e", hexagon, label(flow.entry));
    shownEntries.set(flow.entry, entry);
    // Requests that fall through to another rule still flow: the node is changed, not removed.
    const mark = diff.fallback ? "changed" : flowMark(diff.status);
    const node = chart.node(
      `flow:${diff.key}`,
      "f",
      box,
      label(describeFlow(flow), `${displayName(flow.resource)} · ${statusText(diff)}`),
      mark,
    );
    shownRoutes.add(displayName(flow.resource));
    chart.edge(entry, node, undefined, mark === "added" || mark === "removed" ? mark : undefined);
    diff.backends.slice(0, MAX_BACKENDS_PER_FLOW).forEach((shift) => {
      const backendMark: Mark | undefined =
        shift.before === undefined
          ? "added"
          : shift.after === undefined
            ? "removed"
            : Math.abs(shift.before - shift.after) > 1e-9
              ? "changed"
              : undefined;
      const backend = chart.node(
        `backend:${shift.key}`,
        "b",
        rounded,
        label(shortLabel(shift.label, flow.host)),
        backendMark === "changed" ? undefined : backendMark,
      );
      chart.edge(node, backend, shares(shift.before, shift.after), backendMark);
      const placed = shift.head ?? shift.base;
      const region = placed ? regionLabel(placed) : "unknown";
      chart.edge(backend, chart.node(`region:${region}`, "r", stadium, label(region)));
    });
    const hidden = diff.backends.length - MAX_BACKENDS_PER_FLOW;
    if (hidden > 0) chart.edge(node, chart.node(`more-backends:${diff.key}`, "m", box, label(`+${hidden} more backends`)));
  });
  const hiddenFlows = routeDiffs.length - MAX_FLOWS;
  if (hiddenFlows > 0) chart.node("more-flows", "m", box, label(`+${hiddenFlows} more changed flows (see the route diff)`));

  radius.gateways.forEach((gateway, index) => {
    const node = chart.node(
      `gateway:${gateway.gateway}`,
      "g",
      hexagon,
      label(gateway.gateway, gateway.via ?? gateway.change),
      gateway.change === "changed" ? "changed" : gateway.change,
    );
    for (const [entry, id] of shownEntries) {
      if (entry === gateway.gateway || entry.startsWith(`${gateway.gateway}:`) || entry.startsWith(`${gateway.gateway} `))
        chart.edge(node, id, undefined, "changed");
    }
    // Routes whose changed flows are drawn are not listed again; the rest are the PR's own where it
    // attaches them (a route added beside the one it replaces moves no flow), else routes it reaches.
    const others = gateway.routes.filter((route) => !shownRoutes.has(route) && !gateway.detached.includes(route));
    const groups = [
      { routes: others.filter((route) => gateway.attached.includes(route)), what: "attached by this PR", mark: "added" as const },
      { routes: others.filter((route) => !gateway.attached.includes(route)), what: "attached", mark: undefined },
    ];
    groups.forEach(({ routes, what, mark }, group) => {
      if (routes.length === 0) return;
      const more = routes.length > 3 ? ` +${routes.length - 3} more` : "";
      const routesNode = chart.node(
        `attached:${index}:${group}`,
        "a",
        box,
        label(`${routes.length} route${routes.length === 1 ? "" : "s"} ${what}`, `${routes.slice(0, 3).join(", ")}${more}`),
        mark,
      );
      chart.edge(node, routesNode, undefined, mark ?? "changed");
    });
    if (gateway.detached.length > 0) {
      const names = gateway.detached.slice(0, 3).join(", ");
      const more = gateway.detached.length > 3 ? ` +${gateway.detached.length - 3} more` : "";
      chart.edge(
        node,
        chart.node(
          `detached:${index}`,
          "d",
          box,
          label(`${gateway.detached.length} route${gateway.detached.length === 1 ? "" : "s"} detached`, `${names}${more}`),
          "removed",
        ),
        undefined,
        "removed",
      );
    }
  });
  return chart.render();
}
