import { afterAll, describe, expect, it } from "vitest";
import { type OctokitTuning } from "../../src/github/octokit.js";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";
import { appOnFake } from "./app-on-fake.js";
import { FakeGitHub, type Fault } from "./fake-github.js";

/**
 * Fault injection: every GitHub call of one evaluation (the one an `/approve` triggers) fails in
 * turn — 502, 429 and a reset connection, each on every retry — and then GitHub recovers.
 * Whatever fails, the check never concludes `success` by error, no run is left in progress unless
 * concluding it is what fails, the comment is never duplicated, and a re-run recovers everything
 * (the approval is not lost).
 */
const SECRET = "fault-secret";
/**
 * Fakes stay up until the end: after a failed read, its sibling reads may still be retrying in
 * the background, and they must not land on another test's fake that reused the port.
 */
const fakes: FakeGitHub[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

const FAST_RETRIES: OctokitTuning = { retry: { retryAfterBaseValue: 1 }, requestTimeoutMs: 5_000 };

interface Scenario {
  readonly fake: FakeGitHub;
  readonly head: string;
  readonly deliver: (event: { name: string; payload: Record<string, unknown> }) => Promise<unknown>;
  readonly approve: () => Promise<unknown>;
}

/** A PR reported on (opened) and a service owner's `/approve` posted, not yet delivered. */
async function scenario(tuning: OctokitTuning = FAST_RETRIES): Promise<Scenario> {
  // Installation ids differ: @octokit/auth-app shares in-flight token requests per installation id
  // across all Probot instances of a process, so concurrent tests must not look like one.
  const github = new FakeGitHub(77, 5000 + fakes.length);
  fakes.push(github);
  await github.start();
  const base = github.commit(baseTree());
  const head = github.commit(headTree());
  github.openPull({ number: 7, author: "ana", base: "main", baseSha: base, headSha: head, body: EVIDENCE_BODY });
  let delivery = 0;
  // A fresh Probot per delivery, as a cold Lambda: every evaluation asks for its installation token.
  const deliver = async (event: { name: string; payload: Record<string, unknown> }) => {
    const probot = await appOnFake(github, SECRET, { ledgerSecret: SECRET }, tuning);
    return probot.receive({ id: String(++delivery), ...event } as never);
  };
  await deliver(github.pullRequestEvent("opened", 7));
  const approval = github.comment(7, "dina", "/approve");
  return { fake: github, head, deliver, approve: () => deliver(github.issueCommentEvent("created", 7, approval)) };
}

/** The calls of the evaluation an `/approve` triggers, when nothing fails. */
async function baselineCalls(): Promise<{ method: string; path: string }[]> {
  const { fake: github, head, approve } = await scenario();
  const before = github.calls.length;
  await approve();
  expect(github.latestCheckRun(head)?.conclusion).toBe("success");
  return github.calls.slice(before).map(({ method, path }) => ({ method, path }));
}

/** The call's path exactly, whatever the installation id of the fake. */
const exactly = (path: string): RegExp =>
  new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/^\/app\/installations\/\d+/, "/app/installations/\\d+")}$`);

const KINDS: readonly Fault[] = ["500", "429", "reset"];

describe("fault injection: one evaluation, every call failing in turn", async () => {
  const calls = await baselineCalls();

  it("the evaluation makes a bounded set of calls: token, PR and its comparison, check run, reads in parallel, writes, conclusion", () => {
    const shapes = calls.map((call) => `${call.method} ${call.path.replace(/[0-9a-f]{40}/g, ":sha").replace(/\d{4,}/g, ":id")}`);
    expect(shapes.slice(0, 4)).toEqual([
      "POST /app/installations/:id/access_tokens",
      "GET /repos/acme/traffic/pulls/7",
      "GET /repos/acme/traffic/compare/:sha...:sha",
      "POST /repos/acme/traffic/check-runs",
    ]);
    expect(shapes.slice(4, -4).sort()).toEqual([
      "GET /_codeload/acme/traffic/legacy.tar.gz/:sha",
      "GET /_codeload/acme/traffic/legacy.tar.gz/:sha",
      "GET /orgs/acme/teams/platform/memberships/dina",
      "GET /orgs/acme/teams/sre/memberships/dina",
      "GET /repos/acme/traffic/commits/:sha/check-runs",
      "GET /repos/acme/traffic/git/trees/:sha",
      "GET /repos/acme/traffic/git/trees/:sha",
      "GET /repos/acme/traffic/issues/7/comments",
      "GET /repos/acme/traffic/pulls/7/commits",
      "GET /repos/acme/traffic/pulls/7/reviews",
      "GET /repos/acme/traffic/tarball/:sha",
      "GET /repos/acme/traffic/tarball/:sha",
    ]);
    // A passing PR asks which other PRs share its head commit before it concludes the shared check.
    expect(shapes.slice(-4)).toEqual([
      "PATCH /repos/acme/traffic/issues/comments/:id",
      "POST /repos/acme/traffic/issues/comments/:id/reactions",
      "GET /repos/acme/traffic/commits/:sha/pulls",
      "PATCH /repos/acme/traffic/check-runs/:id",
    ]);
  });

  // Each call fails with one kind of fault, on every retry; the kinds rotate over the calls.
  const cases = calls.map((call, index) => [`${call.method} ${call.path}`, KINDS[index % KINDS.length]!, index] as const);
  it.concurrent.each(cases)("%s fails (%s): never success by error, one comment, a re-run recovers", async (_, kind, index) => {
    const { fake: github, head, deliver, approve } = await scenario();
    try {
      const call = calls[index]!;
      github.inject(call.method, exactly(call.path), kind, Number.POSITIVE_INFINITY);
      await approve().catch(() => undefined);
      expect(github.latestCheckRun(head)?.conclusion).not.toBe("success");
      // Every run opened is concluded, but when concluding it is the call that keeps failing.
      const inProgress = github.checkRuns.filter((run) => run.status !== "completed").length;
      expect(inProgress).toBe(call.method === "PATCH" && /\/check-runs\/\d+$/.test(call.path) ? 1 : 0);
      expect(github.appComments(7).length).toBeLessThanOrEqual(1);

      github.clearFaults();
      await deliver(github.checkRunRerequestedEvent(github.latestCheckRun(head)!, 7));
      expect(github.latestCheckRun(head)?.conclusion).toBe("success");
      expect(github.appComments(7)).toHaveLength(1);
    } finally {
      github.clearFaults();
    }
  });

  it.concurrent("every call failing once (502, 429 or reset) is retried within the evaluation, which still succeeds", async () => {
    const { fake: github, head, approve } = await scenario();
    try {
      calls.forEach((call, index) => github.inject(call.method, exactly(call.path), KINDS[index % KINDS.length]!, 1));
      await approve();
      expect(github.latestCheckRun(head)?.conclusion).toBe("success");
      expect(github.calls.filter((call) => call.status === 0 || call.status >= 429).length).toBe(calls.length);
    } finally {
      github.clearFaults();
    }
  });

  it.concurrent(
    "a GitHub that stops answering times out and fails the check instead of hanging",
    async () => {
      const { fake: github, head, approve } = await scenario({ retry: { enabled: false }, requestTimeoutMs: 2_000 });
      try {
        github.inject("GET", /^\/_codeload\//, "hang");
        await expect(approve()).rejects.toThrow();
        // The archive is fetched after the redirect: a codeload that stalls is still the tarball call timing out.
        expect(github.latestCheckRun(head)).toEqual(
          expect.objectContaining({
            conclusion: "failure",
            output: expect.objectContaining({
              text: expect.stringMatching(/GET \S+\/tarball\/[0-9a-f]{40}\): The operation was aborted due to timeout/),
            }),
          }),
        );
      } finally {
        github.clearFaults();
      }
      // The hung call alone takes its 2 s timeout: the rest is headroom for a loaded machine.
    },
    60_000,
  );
});

describe("an error before the check run exists", () => {
  it.concurrent(
    "reading the PR fails on an event that names the head: the check opened first concludes failure, replacing success",
    async () => {
      const { fake: github, head, deliver, approve } = await scenario();
      try {
        await approve();
        expect(github.latestCheckRun(head)?.conclusion).toBe("success");
        github.inject("GET", /^\/repos\/acme\/traffic\/pulls\/7$/, "500", Number.POSITIVE_INFINITY);
        await expect(deliver(github.pullRequestEvent("synchronize", 7))).rejects.toThrow();
        expect(github.latestCheckRun(head)).toEqual(expect.objectContaining({ status: "completed", conclusion: "failure" }));
      } finally {
        github.clearFaults();
      }
    },
  );

  it.concurrent("an issue comment names no head: the previous conclusion stands (and the error is logged)", async () => {
    const { fake: github, head, deliver, approve } = await scenario();
    try {
      await approve();
      github.inject("GET", /^\/repos\/acme\/traffic\/pulls\/7$/, "500", Number.POSITIVE_INFINITY);
      await expect(deliver(github.issueCommentEvent("created", 7, github.comment(7, "tom", "/route-governor refresh")))).rejects.toThrow();
      expect(github.latestCheckRun(head)?.conclusion).toBe("success");
    } finally {
      github.clearFaults();
    }
  });
});
