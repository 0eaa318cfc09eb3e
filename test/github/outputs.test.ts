import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { completeCheckRun } from "../../src/github/publish.js";
import { errorCheckRunReport, MAX_OUTPUT_CHARS, type Annotation } from "../../src/report/check-run.js";
import { COMMENT_MARKER, fitMarkdown, MAX_COMMENT_CHARS, renderPrComment } from "../../src/report/pr-comment.js";

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

const annotation = (line: number): Annotation => ({
  path: "routes/checkout.yaml",
  start_line: line,
  end_line: line,
  annotation_level: "warning",
  title: "t",
  message: "m",
});

describe("check run output (DESIGN §11)", () => {
  it("120 annotations: two PATCHes of 50 and 20, then the conclusion with the first 50", async () => {
    const bodies: { status?: string; conclusion?: string; output: { annotations?: Annotation[] } }[] = [];
    nock("https://api.github.com")
      .patch("/repos/acme/traffic/check-runs/9")
      .times(3)
      .reply(200, async (request: Request) => (bodies.push((await request.json()) as (typeof bodies)[number]), {}));
    const octokit = new ProbotOctokit({ auth: { token: "t" }, throttle: { enabled: false }, retry: { enabled: false } });
    const report = {
      conclusion: "action_required" as const,
      title: "t",
      summary: "s",
      text: "x",
      annotations: Array.from({ length: 120 }, (_, i) => annotation(i + 1)),
    };
    await completeCheckRun(octokit, { owner: "acme", repo: "traffic" }, 9, report, "https://github.com/acme/traffic/pull/7#c1");
    expect(bodies.map((body) => [body.output.annotations?.length, body.output.annotations?.[0]?.start_line, body.conclusion])).toEqual([
      [50, 51, undefined],
      [20, 101, undefined],
      [50, 1, "action_required"],
    ]);
  });

  it("an internal error concludes failure with the error text", () => {
    const report = errorCheckRunReport("GitHub API error 502 (POST /graphql): Bad Gateway");
    expect(report.conclusion).toBe("failure");
    expect(report.text).toContain("GitHub API error 502 (POST /graphql): Bad Gateway");
    expect(errorCheckRunReport("x".repeat(100_000)).text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
  });

  it("an error after the evaluation made its ledger ends with that ledger, never cut", () => {
    const ledger = `<!-- route-governor:ledger ${"a".repeat(1_000)} ${"0".repeat(64)} -->`;
    const report = errorCheckRunReport("x".repeat(100_000), ledger);
    expect(report.conclusion).toBe("failure");
    expect(report.text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(report.text).toContain("_…error cut to fit._");
    expect(report.text.endsWith(`\n${ledger}`)).toBe(true);
  });
});

describe("the living comment stays under GitHub's limit", () => {
  it("a huge report is cut at a line, open blocks are closed, the notice and the ledger survive", () => {
    const report = [
      "## Route Governor",
      "<details><summary>Findings</summary>",
      "",
      "```text",
      ...Array.from({ length: 20_000 }, (_, i) => `finding ${i}`),
    ].join("\n");
    const ledger = `<!-- route-governor:ledger ${"a".repeat(1_000)} ${"0".repeat(64)} -->`;
    const body = renderPrComment({ report, findings: [], notes: [], approvals: [], ledger, checkName: "Route Governor (main)" });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body.endsWith(ledger)).toBe(true);
    expect(body).toContain("This comment was cut to fit GitHub's 65,536-character limit");
    expect(body).toMatch(/finding \d+\n```\n<\/details>\n\n> \[!NOTE\]/);
  });

  it("text that fits is left alone", () => {
    expect(fitMarkdown("short", 100, "notice")).toBe("short");
  });
});
