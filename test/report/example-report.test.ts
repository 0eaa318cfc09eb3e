import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../src/policy/load-policy.js";
import { checkRunReport } from "../../src/report/check-run.js";
import { toJsonReport } from "../../src/report/json-report.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { POLICY_PATH, reviewChange } from "../../src/review.js";
import { readFolder } from "../../src/sources/folder-source.js";
import { NOW } from "../helpers/review-trees.js";

/** Golden reports of the bundled example PR: what the demo prints and the PR comment shows. */
const EXAMPLES = resolve(import.meta.dirname, "../../examples");

async function exampleReview(body = readFileSync(`${EXAMPLES}/pr-body.md`, "utf8")) {
  const [{ files: base }, { files: head }] = [readFolder(`${EXAMPLES}/base`), readFolder(`${EXAMPLES}/head`)];
  const { policy, source } = resolvePolicy(base.find((file) => file.path === POLICY_PATH)?.text, `${POLICY_PATH} (base)`);
  return reviewChange({ base, head, policy, policySource: source, body, now: NOW });
}

describe("the example PR's report", () => {
  it("markdown matches the golden file", async () => {
    await expect(renderMarkdown(await exampleReview())).toMatchFileSnapshot("__snapshots__/example-review.md");
  });

  it("JSON findings match the golden file", async () => {
    const report = toJsonReport(await exampleReview());
    const digest = report.findings.map((f) => `${f.risk.padEnd(11)} ${f.class.padEnd(24)} ${f.file}:${f.line}  ${f.summary}`).join("\n");
    await expect(`${digest}\n`).toMatchFileSnapshot("__snapshots__/example-findings.txt");
    expect(report).toMatchObject({ risk: "critical", decision: "fail", state: "unmet", errors: [] });
  });

  it("an evidence name the policy does not know is shown, and the required key it hides says so", async () => {
    const body = readFileSync(`${EXAMPLES}/pr-body.md`, "utf8").replace("- Rollback:", "- Rollback steps:");
    const lines = renderMarkdown(await exampleReview(body)).split("\n");
    const hint = "\\`Rollback steps\\` is not an evidence key of this policy: did you mean \\`rollback\\`?";
    expect(lines).toContain(`- [ ] **rollback** — ✗ missing: ${hint}`);
    expect(lines).toContain(`- [ ] **Rollback steps** <sub>(PR description)</sub> — ✗ invalid: ${hint} <sub>(not required)</sub>`);
  });
});

describe("the check run's summary", () => {
  it("reads like the comment's first screen: decision, why, then what is missing", async () => {
    const result = await exampleReview();
    const { summary } = checkRunReport(result, renderMarkdown(result), {});
    const order = ["critical risk", "**Why**", "writes.active-active", "**To pass**", "- ✗ evidence synthetic-check: missing"].map((text) =>
      summary.indexOf(text),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
