import type { Probot } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { analysisLimits, analysisLimitsFromEnv, DEFAULT_ANALYSIS_MEMORY_MB, routeGovernorApp, type AppOptions } from "../../src/app.js";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";
import { generatedRoutes } from "../helpers/generated-routes.js";
import { appOnFake } from "./app-on-fake.js";
import { FakeGitHub } from "./fake-github.js";

/**
 * Issue 12: a PR whose analysis runs past the App's heap or time limit fails its own check with
 * the limit it hit, and the process goes on evaluating other PRs as usual. Budgets as the
 * Lambda worker's, so that only the limit under test can be hit on a loaded machine.
 */
const SECRET = "limits-secret";
const BUDGET = { evaluation: 60_000, failureReport: 15_000 };
/**
 * The small PR's kustomize roots render on a fresh thread after the stopped one: on a machine loaded
 * ~10× (a load of 20 on 2 cores) that outran the default budget's allowance, failing it for that instead.
 */
const RENDER_BUDGET_MS = 20_000;
const fakes: FakeGitHub[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

/** Files of 2,000 generated routes each (a file stays under the reader's size limit): what #7 adds. */
const generatedFiles = (count: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `routes/generated-${i}.yaml`,
      generatedRoutes(2_000).replaceAll("generated-", `generated-${i}-`),
    ]),
  );

/** One App and two PRs on a fake GitHub: #7 adds 2,000 generated routes a file, #8 is the usual small change. */
async function twoPulls(limits: AppOptions["analysisLimits"], heavyFiles = 1, renderBudgetMs = RENDER_BUDGET_MS) {
  const github = new FakeGitHub(77, 6300 + fakes.length);
  fakes.push(github);
  await github.start();
  const base = github.commit(baseTree());
  const heavy = github.commit({ ...headTree(), ...generatedFiles(heavyFiles) });
  const small = github.commit(headTree());
  github.openPull({ number: 7, author: "ana", base: "main", baseSha: base, headSha: heavy, body: EVIDENCE_BODY });
  github.openPull({ number: 8, author: "ana", base: "main", baseSha: base, headSha: small, body: EVIDENCE_BODY });
  const app = (analysisLimits: AppOptions["analysisLimits"], renderMs = RENDER_BUDGET_MS) =>
    appOnFake(github, SECRET, { ledgerSecret: SECRET, budgetMs: BUDGET, analysisLimits, renderBudgetMs: renderMs });
  const probot = await app(limits, renderBudgetMs);
  let delivery = 0;
  const openOn = (on: Probot, number: number) =>
    on.receive({ id: String(++delivery), ...github.pullRequestEvent("opened", number) } as never);
  const open = (number: number) => openOn(probot, number);
  const check = (sha: string) => {
    const run = github.latestCheckRun(sha)!;
    return { conclusion: run.conclusion, output: `${run.output.summary ?? ""}\n${run.output.text ?? ""}` };
  };
  return { github, app, open, openOn, heavy: () => check(heavy), small: () => check(small) };
}

describe("analysis limits", () => {
  it("a PR over the heap limit fails its own check naming the limit; the next PR is evaluated as usual", async () => {
    const { github, open, heavy, small } = await twoPulls({ memoryMb: 32 });
    // Reported, the delivery is done: a retry would exceed the same limit again.
    await expect(open(7)).resolves.toBeUndefined();
    expect(heavy().conclusion).toBe("failure");
    expect(heavy().output).not.toMatch(/retried|Attempt/);
    expect(heavy().output).toMatch(/memory limit of 32 MB \(ANALYSIS_MEMORY_MB\) and was stopped: split the pull request/);
    expect(github.appComments(7)).toEqual([]);

    await open(8);
    expect(small().conclusion).toBe("action_required");
    expect(small().output).toMatch(/medium-high|approval|service-owners/i);
    expect(heavy().conclusion).toBe("failure");
  });

  it("a PR over the time limit fails its own check naming the limit; the next PR is evaluated as usual", async () => {
    // Far too little for 30,000 routes (their analysis took ~15 s on this 2-core machine at a load of 4).
    // Rendering off: the analysis clock starts at once, where a render stage of 15 large files on a
    // machine loaded ~10× could outrun its own allowance first and fail the PR for that instead.
    const { app, open, openOn, heavy, small } = await twoPulls({ timeoutMs: 2_500 }, 15, 0);
    await expect(open(7)).resolves.toBeUndefined();
    expect(heavy().conclusion).toBe("failure");
    expect(heavy().output).toMatch(/time limit of 2.5 s \(ANALYSIS_TIMEOUT_MS\) and was stopped: split the pull request/);

    // The next PR runs on the thread started after the stopped one (the process's threads serve every App
    // with the same heap limit). Its App allows it ample time: under the heavy PR's 2.5 s, a fresh thread's
    // first, cold analysis of even a small PR ran out of time on a machine loaded ~10× (a load of 20 on 2 cores).
    await openOn(await app({ timeoutMs: 30_000 }), 8);
    expect(small().conclusion).toBe("action_required");
  });

  it("limits: defaults fit the deployment, the environment sets them, and a time limit that leaves no time to report is refused", () => {
    const cores = availableParallelism();
    expect(analysisLimits({ ledgerSecret: SECRET, appId: 1 })).toEqual({
      memoryMb: DEFAULT_ANALYSIS_MEMORY_MB,
      timeoutMs: 4_550,
      concurrent: cores,
    });
    expect(analysisLimits({ ledgerSecret: SECRET, appId: 1, budgetMs: BUDGET })).toEqual({
      memoryMb: 512,
      timeoutMs: 42_000,
      concurrent: cores,
    });
    expect(analysisLimitsFromEnv({ ANALYSIS_MEMORY_MB: "1024", ANALYSIS_TIMEOUT_MS: "45000", ANALYSIS_CONCURRENCY: "1" })).toEqual({
      memoryMb: 1024,
      timeoutMs: 45_000,
      concurrent: 1,
    });
    expect(analysisLimitsFromEnv({ ANALYSIS_MEMORY_MB: "" })).toEqual({});
    expect(() => analysisLimitsFromEnv({ ANALYSIS_MEMORY_MB: "1GB" })).toThrow(/ANALYSIS_MEMORY_MB/);
    expect(() => analysisLimitsFromEnv({ ANALYSIS_TIMEOUT_MS: "-5" })).toThrow(/positive whole numbers/);
    expect(() => routeGovernorApp({ ledgerSecret: SECRET, appId: 1, analysisLimits: { timeoutMs: 6_500 } })).toThrow(
      /must be below the evaluation's budget of 6500 ms/,
    );
  });
});
