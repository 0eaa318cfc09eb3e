import { Probot } from "probot";
import { afterAll, describe, expect, it } from "vitest";
import { routeGovernorApp } from "../../src/app.js";
import { routeGovernorOctokit } from "../../src/github/octokit.js";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";
import { FakeGitHub } from "./fake-github.js";
import { privateKey } from "./private-key.js";
import { SOURCE_ANALYSIS_THREAD } from "../helpers/source-analysis-thread.js";

/**
 * GitHub abandons a delivery after 10 s. An evaluation has a budget; a GitHub that stops
 * answering makes it conclude the check `failure` with the reason inside that budget, with the
 * production Octokit tuning (8 s per attempt, retries) — never a cut-off evaluation.
 */
const SECRET = "deadline-secret";
const fakes: FakeGitHub[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

describe("the evaluation budget", () => {
  it("a hung read concludes the check failure within the budget, not after the 8 s attempt timeout", async () => {
    const github = new FakeGitHub(77, 6100);
    fakes.push(github);
    await github.start();
    const head = github.commit(headTree());
    github.openPull({ number: 7, author: "ana", base: "main", baseSha: github.commit(baseTree()), headSha: head, body: EVIDENCE_BODY });
    github.inject("GET", /\/issues\/7\/comments$/, "hang", 10);
    const probot = new Probot({
      appId: github.appId,
      privateKey,
      secret: SECRET,
      baseUrl: github.apiUrl,
      logLevel: "fatal",
      Octokit: routeGovernorOctokit(),
    });
    await probot.load(
      routeGovernorApp({
        ledgerSecret: SECRET,
        appId: github.appId,
        budgetMs: { evaluation: 1_500, failureReport: 2_000 },
        analysisThread: SOURCE_ANALYSIS_THREAD,
      }),
    );

    const started = Date.now();
    await expect(probot.receive({ id: "1", ...github.pullRequestEvent("opened", 7) } as never)).rejects.toThrow();
    const elapsed = Date.now() - started;

    // Ample headroom for a loaded 2-core machine, yet well short of the 8 s the hung call alone would take.
    expect(elapsed).toBeLessThan(6_000);
    const run = github.latestCheckRun(head)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary ?? run.output.text ?? "").toMatch(/ran out of time|aborted|timeout/i);
    expect(github.appComments(7)).toEqual([]);
  });
});
