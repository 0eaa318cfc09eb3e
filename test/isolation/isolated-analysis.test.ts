import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AnalysisLimitError, isolatedAnalysis } from "../../src/isolation/isolated-analysis.js";
import { resolvePolicy } from "../../src/policy/load-policy.js";
import { analyzeRendered } from "../../src/rendered-analysis.js";
import { renderTools } from "../../src/render/render-tools.js";
import { readFolder } from "../../src/sources/folder-source.js";
import { analyzeChange, outcomeOf, POLICY_PATH, type SourceFile } from "../../src/review.js";
import { baseTree, headTree } from "../github/fixtures.js";
import { generatedRoutes } from "../helpers/generated-routes.js";
import { SOURCE_ANALYSIS_THREAD } from "../helpers/source-analysis-thread.js";

/**
 * Each analysis in a thread of its own (issue 12): the same Analysis as in process, and a change
 * that runs past the heap or the time limit fails alone, with the limit it hit named.
 */
const files = (tree: Record<string, string>): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));
const change = (base: SourceFile[], head: SourceFile[]) => ({
  base,
  head,
  policy: resolvePolicy(base.find((file) => file.path === POLICY_PATH)?.text, POLICY_PATH).policy,
});
const small = change(files(baseTree()), files(headTree()));
const heavy = change(files(baseTree()), [...files(headTree()), { path: "routes/generated.yaml", text: generatedRoutes(2_000) }]);
const roomy = { memoryMb: 512, timeoutMs: 60_000 };
// Rendering runs the pinned kubectl kustomize (test/fixtures/render).
const noTools = await renderTools().then(
  () => undefined,
  (error: Error) => error.message,
);

describe("the isolated analysis", () => {
  it("is the analysis in process, as plain data", async () => {
    const analyze = isolatedAnalysis(roomy, SOURCE_ANALYSIS_THREAD);
    const example = change(readFolder("examples/base").files, readFolder("examples/head").files);
    // One at a time, so the thread that answered takes the next change: what it kept changes nothing.
    for (const input of [small, example, small, example]) expect(await analyze(input)).toStrictEqual(outcomeOf(analyzeChange(input)));
  });

  it("a change that needs more than the heap limit fails with that limit; the next analysis runs as usual", async () => {
    const failed = await isolatedAnalysis(
      { memoryMb: 32, timeoutMs: 60_000 },
      SOURCE_ANALYSIS_THREAD,
    )(heavy).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AnalysisLimitError);
    expect((failed as Error).message).toMatch(/memory limit of 32 MB \(ANALYSIS_MEMORY_MB\).*split the pull request/);
    expect((await isolatedAnalysis(roomy, SOURCE_ANALYSIS_THREAD)(small)).findings).toEqual(analyzeChange(small).findings);
  });

  it("a change that runs past the time limit is stopped and fails with that limit", async () => {
    const started = Date.now();
    const failed = await isolatedAnalysis(
      { memoryMb: 512, timeoutMs: 300 },
      SOURCE_ANALYSIS_THREAD,
    )(heavy).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(AnalysisLimitError);
    expect((failed as Error).message).toMatch(/time limit of 0.3 s \(ANALYSIS_TIMEOUT_MS\).*split the pull request/);
    // Stopped at the limit, not when the analysis would have ended (seconds on this input).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await isolatedAnalysis(roomy, SOURCE_ANALYSIS_THREAD)(small)).findings).toEqual(analyzeChange(small).findings);
  });

  it("the time limit counts from the thread's load, not from its start", async () => {
    process.env.SLOW_LOADING_THREAD_TARGET = SOURCE_ANALYSIS_THREAD.url.href;
    const slow = { url: new URL("../helpers/slow-loading-thread.mjs", import.meta.url) };
    // 0.5 s is ample for the small change on a loaded thread, and less than the thread's load.
    const analyze = isolatedAnalysis({ memoryMb: 512, timeoutMs: 500 }, slow);
    expect(await analyze(small)).toStrictEqual(outcomeOf(analyzeChange(small)));
  });

  it("the thread starts loading when the App does, not when the first change comes", async () => {
    process.env.SLOW_LOADING_THREAD_TARGET = SOURCE_ANALYSIS_THREAD.url.href;
    const slow = { url: new URL("../helpers/slow-loading-thread.mjs", import.meta.url) };
    // A heap of its own, so no thread left by another test is taken.
    const analyze = isolatedAnalysis({ memoryMb: 500, timeoutMs: 60_000 }, slow);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const started = Date.now();
    expect(await analyze(small)).toStrictEqual(outcomeOf(analyzeChange(small)));
    // A thread started now would spend a second before it even loads.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("a thread that never loads is stopped after its load allowance (5 s, or the time limit if longer), and says so", async () => {
    const stuck = { url: new URL("../helpers/never-loading-thread.mjs", import.meta.url) };
    const failed = await isolatedAnalysis({ memoryMb: 64, timeoutMs: 500 }, stuck)(small).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe("the analysis thread did not load within 5 s: re-run the check");
  });

  it("analyses run side by side, each in its own thread", async () => {
    const analyze = isolatedAnalysis(roomy, SOURCE_ANALYSIS_THREAD);
    const results = await Promise.all([analyze(small), analyze(small), analyze(small)]);
    for (const result of results) expect(result).toStrictEqual(outcomeOf(analyzeChange(small)));
  });

  it.skipIf(noTools !== undefined)(
    "renders the change in the thread first: the App's main thread loads no render plan and no families",
    async () => {
      const { files: base } = readFolder(fileURLToPath(new URL("../fixtures/render/flux-overlay", import.meta.url)));
      const head = base.map((file) =>
        file.path === "apps/production/podinfo-route.yaml"
          ? { ...file, text: file.text.replace("    - podinfo.production\n", "    - podinfo.production\n    - podinfo.example.com\n") }
          : file,
      );
      const request = { ...change(base, head), render: { budgetMs: 60_000 } };
      const outcome = await isolatedAnalysis(roomy, SOURCE_ANALYSIS_THREAD)(request);
      expect(outcome.render.rendered).toEqual(["kustomize apps/production"]);
      expect(outcome.findings.some((finding) => finding.summary.includes("(rendered: kustomize apps/production)"))).toBe(true);
      expect(outcome).toStrictEqual(await analyzeRendered(request));
    },
    120_000,
  );
});
