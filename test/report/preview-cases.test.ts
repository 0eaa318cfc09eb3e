import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { reviewPreviewCase } from "../../scripts/preview-cases.js";

/** The PRs of docs/comment-*.png (`npm run preview -- <case>`): each still shows what its picture is of. */
describe("the preview cases", () => {
  it("demo is `npm run demo`'s report: the example PR, unmet", async () => {
    const result = await reviewPreviewCase("demo");
    await expect(renderMarkdown(result)).toMatchFileSnapshot("__snapshots__/example-review.md");
  });

  it("pass meets its policy with the evidence written and a service owner's approval", async () => {
    const result = await reviewPreviewCase("pass");
    expect(result).toMatchObject({ risk: "medium-high", decision: "pass" });
    expect(result.governance.state).toBe("satisfied");
    expect(renderMarkdown(result)).toContain("— approved by @dina");
  });

  describe("40-changes", () => {
    it("changes 40 routes; the first screen keeps the decision, one line per critical/high class and what to type", async () => {
      const result = await reviewPreviewCase("40-changes");
      const routes = new Set(result.analysis.routeDiffs.map((diff) => (diff.head ?? diff.base)!.resource.name));
      expect(routes.size).toBe(40);
      const markdown = renderMarkdown(result);
      const why = markdown.slice(markdown.indexOf("**Why**"), markdown.indexOf("**To pass**")).trim().split("\n");
      expect(why).toEqual([
        "**Why**",
        expect.stringMatching(
          /^- 🔴 high `backend\.region-added` ×6 svc-38\.example\.com: .* · 5 more like it at `clusters\/config\/routes\/svc-39\.yaml:14`, .*, …<\/sub>$/,
        ),
        expect.stringMatching(/^- 🔴 high `route\.removed` ×6 svc-44\.example\.com/),
        expect.stringMatching(/^- 🔴 high `export\.changed` ×6 ServiceExport storefront\/svc-38-tyo/),
        "- …and 40 lower-risk findings under **All findings** below",
      ]);
    });

    it("under the caps, the diagram and the route diff show the flows that gain a region or stop being served first", async () => {
      const markdown = renderMarkdown(await reviewPreviewCase("40-changes"));
      expect(markdown).toContain("<details><summary>Diagram: 12 of 46 changed flows</summary>");
      const flows = [...markdown.matchAll(/^\| `(svc-\d+)\./gm)].map((match) => match[1]);
      expect(flows.slice(0, 12)).toEqual([
        "svc-38",
        "svc-39",
        "svc-40",
        "svc-41",
        "svc-42",
        "svc-43",
        "svc-44",
        "svc-44",
        "svc-45",
        "svc-45",
        "svc-46",
        "svc-46",
      ]);
    });
  });
});
