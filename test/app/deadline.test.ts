import { afterAll, describe, expect, it } from "vitest";
import { baseTree, EVIDENCE_BODY, headTree, POLICY, POLICY_PATH } from "../github/fixtures.js";
import { appOnFake } from "./app-on-fake.js";
import { FakeGitHub } from "./fake-github.js";

/**
 * GitHub abandons a delivery after 10 s. An evaluation has a budget; a GitHub that stops
 * answering makes it conclude the check `failure` with the reason inside that budget, with the
 * production Octokit tuning (8 s per attempt, retries) — never a cut-off evaluation.
 */
const SECRET = "deadline-secret";
const fakes: FakeGitHub[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

async function started(port: number, budgetMs?: { evaluation: number; failureReport: number }) {
  const github = new FakeGitHub(77, port);
  fakes.push(github);
  await github.start();
  const probot = await appOnFake(github, SECRET, { ledgerSecret: SECRET, ...(budgetMs ? { budgetMs } : {}) });
  return { github, probot };
}

describe("the evaluation budget", () => {
  it("a hung read concludes the check failure within the budget, not after the 8 s attempt timeout", async () => {
    const { github, probot } = await started(6100, { evaluation: 1_500, failureReport: 2_000 });
    const head = github.commit(headTree());
    github.openPull({ number: 7, author: "ana", base: "main", baseSha: github.commit(baseTree()), headSha: head, body: EVIDENCE_BODY });
    github.inject("GET", /\/issues\/7\/comments$/, "hang", 10);

    const start = Date.now();
    await expect(probot.receive({ id: "1", ...github.pullRequestEvent("opened", 7) } as never)).rejects.toThrow();
    const elapsed = Date.now() - start;

    // Ample headroom for a loaded 2-core machine, yet well short of the 8 s the hung call alone would take.
    expect(elapsed).toBeLessThan(6_000);
    const run = github.latestCheckRun(head)!;
    expect(run.conclusion).toBe("failure");
    expect(run.output.summary ?? run.output.text ?? "").toMatch(/ran out of time|aborted|timeout/i);
    expect(github.appComments(7)).toEqual([]);
  });

  /**
   * DESIGN §12: API calls independent of the number of findings. Uncapped, 1,000 annotations took 20
   * sequential check-run updates: at 300 ms each, 6 s of the 6.5 s budget, and a harmless PR failed.
   */
  it("a harmless PR relabelling 1,000 routes passes with two check-run updates: the annotations are capped", async () => {
    const { github, probot } = await started(6101);
    const route = (i: number, team: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: checkout-${i}\n  namespace: storefront\n  labels: { team: ${team} }\nspec:\n  hostnames: ["shop-${i}.example.com"]\n  rules:\n    - backendRefs:\n        - name: checkout-jkt\n          port: 8080\n`;
    const fleet = (team: string) => ({
      [POLICY_PATH]: POLICY,
      "routes/all.yaml": Array.from({ length: 1_000 }, (_, i) => route(i, team)).join("---\n"),
    });
    const head = github.commit(fleet("checkout"));
    github.openPull({
      number: 7,
      author: "ana",
      base: "main",
      baseSha: github.commit(fleet("payments")),
      headSha: head,
      body: EVIDENCE_BODY,
    });
    await probot.receive({ id: "1", ...github.pullRequestEvent("opened", 7) } as never);
    const run = github.latestCheckRun(head)!;
    expect([run.conclusion, run.output.title]).toEqual(["success", "low risk · all requirements met"]);
    expect(github.calls.filter((call) => call.method === "PATCH" && /\/check-runs\//.test(call.path))).toHaveLength(2);
    expect(run.annotations).toHaveLength(100);
    expect(run.output.summary).toContain("Annotated 100 of 1000 findings on their lines");
  }, 60_000);
});
