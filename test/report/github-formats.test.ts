import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/command-line.js";
import { JsonReportSchema, reportJsonSchema } from "../../src/report/json-report-schema.js";
import { escapeData, escapeProperty, workflowCommand } from "../../src/report/workflow-commands.js";

const EXAMPLES = resolve(import.meta.dirname, "../../examples");
const demo = ["review", "--base", join(EXAMPLES, "base"), "--head", join(EXAMPLES, "head"), "--now", "2026-11-22T00:00:00Z"];

async function cli(argv: string[], stdin?: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...(stdin === undefined ? {} : { stdin: async () => stdin }),
  });
  return { code, stdout, stderr };
}

describe("workflow commands (--format github)", () => {
  it("escapes what the runner would split on, so PR text cannot end one command and start another", () => {
    expect(escapeData("50% done\r\n::error::x")).toBe("50%25 done%0D%0A::error::x");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
    expect(workflowCommand("warning", "line 1\nline 2", { file: "routes/a,b.yaml", line: 3, title: "x: y" })).toBe(
      "::warning file=routes/a%2Cb.yaml,line=3,title=x%3A y::line 1%0Aline 2",
    );
  });

  it("annotates the demo's findings by file and line, and ends with the decision", async () => {
    const { code, stdout } = await cli([...demo, "--format", "github"]);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split("\n");
    expect(lines.every((line) => /^::(error|warning|notice) /.test(line))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=[^,]+,line=\d+,title=writes\.active-active \(critical\)::/));
    expect(lines.at(-1)).toMatch(/^::error title=Route Governor%3A policy not met::Route Governor: critical risk, unmet%0A- /);
  });
});

describe("SARIF (--format sarif)", () => {
  it("one rule per change class present, one result per finding with a physical location", async () => {
    const { stdout: json } = await cli([...demo, "--format", "json"]);
    const { stdout } = await cli([...demo, "--format", "sarif"]);
    const report = JSON.parse(json);
    const sarif = JSON.parse(stdout);
    expect(sarif.version).toBe("2.1.0");
    const [run] = sarif.runs;
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(
      [...new Set(report.findings.map((f: { class: string }) => f.class))].sort(),
    );
    expect(run.results).toHaveLength(report.findings.length);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
      expect(["error", "warning", "note"]).toContain(result.level);
    }
    expect(run.results.find((r: { ruleId: string }) => r.ruleId === "writes.active-active").level).toBe("error");
  });
});

describe("--body -", () => {
  it("reads the PR description from standard input", async () => {
    const body = readFileSync(join(EXAMPLES, "pr-body.md"), "utf8");
    const fromFile = await cli([...demo, "--body", join(EXAMPLES, "pr-body.md"), "--format", "json"]);
    const fromStdin = await cli([...demo, "--body", "-", "--format", "json"], body);
    expect(JSON.parse(fromStdin.stdout).requirements.evidence).toEqual(JSON.parse(fromFile.stdout).requirements.evidence);
    expect(JSON.parse(fromStdin.stdout).requirements.evidence.some((item: { status: string }) => item.status === "ok")).toBe(true);
  });

  it("is a usage error where there is no standard input", async () => {
    expect(await cli([...demo, "--body", "-"])).toMatchObject({
      code: 2,
      stderr: "route-governor: --body - reads standard input, and there is none here\n",
    });
  });
});

describe("the JSON report's schema", () => {
  it("describes every field of the demo's report, with and without a body", async () => {
    for (const extra of [[], ["--body", join(EXAMPLES, "pr-body.md")]]) {
      const report = JSON.parse((await cli([...demo, ...extra, "--format", "json"])).stdout);
      // zod drops fields it does not know: equality means the schema misses none.
      expect(JsonReportSchema.parse(report)).toEqual(report);
    }
  });

  it("policies/report.schema.json is up to date (npx tsx scripts/write-report-schema.ts)", () => {
    const committed: unknown = JSON.parse(readFileSync(new URL("../../policies/report.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });
});
