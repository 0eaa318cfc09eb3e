import { describe, expect, it } from "vitest";
import { checkRunReport, MAX_ANNOTATIONS } from "../../src/report/check-run.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { checkoutRoute } from "../github/fixtures.js";
import { review } from "../helpers/review-trees.js";

/** `count` routes labelled for `team`: relabelling them is one low `resource.changed` each. */
const labelled = (count: number, team: string) =>
  Array.from({ length: count }, (_, i) =>
    checkoutRoute(90, 10).replace(
      "name: checkout\n  namespace: storefront\n",
      `name: r-${i}\n  namespace: storefront\n  labels: { team: ${team} }\n`,
    ),
  ).join("---\n");

describe("the check run's annotations (DESIGN §11, §12)", () => {
  it("are capped, riskiest first then by file and line, and the summary says how many more and where to read them", () => {
    // The one risky change sorts last by file: the cap must still keep it.
    const base = { "a/routes.yaml": labelled(120, "payments"), "z/checkout.yaml": checkoutRoute(90, 10) };
    const head = { "a/routes.yaml": labelled(120, "checkout"), "z/checkout.yaml": checkoutRoute(50, 50) };
    const result = review(base, head);
    const findings = result.analysis.findings.length;
    expect(findings).toBeGreaterThan(MAX_ANNOTATIONS);
    const { annotations, summary } = checkRunReport(result, renderMarkdown(result), {});
    expect(annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(annotations[0]).toMatchObject({
      path: "z/checkout.yaml",
      title: "backend.weight-changed (medium-high)",
      annotation_level: "warning",
    });
    const rest = annotations.slice(1);
    expect(rest.every((annotation) => annotation.path === "a/routes.yaml" && annotation.annotation_level === "notice")).toBe(true);
    expect(rest.map((annotation) => annotation.start_line)).toEqual(rest.map((annotation) => annotation.start_line).sort((a, b) => a - b));
    expect(summary).toContain(
      `Annotated ${MAX_ANNOTATIONS} of ${findings} findings on their lines (the riskiest first, then by file and line); the other ${findings - MAX_ANNOTATIONS} are not annotated: \`route-governor review --format json\` on the two trees lists every finding.`,
    );
  });

  it("are all there, with no note, under the cap", () => {
    const result = review({ "r.yaml": checkoutRoute(90, 10) }, { "r.yaml": checkoutRoute(50, 50) });
    const { annotations, summary } = checkRunReport(result, renderMarkdown(result), {});
    expect(annotations.map((annotation) => annotation.title)).toEqual(result.analysis.findings.map((f) => `${f.class} (${f.risk})`));
    expect(summary).not.toContain("Annotated");
  });
});
