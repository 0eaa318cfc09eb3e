import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appFromEnv } from "../../src/app.js";
import { MAX_ANNOTATIONS } from "../../src/report/check-run.js";
import { baseTree, checkoutRoute, EVIDENCE_BODY, headTree, POLICY, POLICY_PATH } from "../github/fixtures.js";
import { commentBy, example, mockGitHub, newProbot, newState, nextId, PR, type Comment, type GitHubState } from "./nock-github.js";

/**
 * The App end to end against nock, driven by the real payloads of @octokit/webhooks-examples:
 * every event, every command, and the security cases of DESIGN §10–§11.
 */
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const COSMETIC = "1".repeat(40);
const SEMANTIC = "2".repeat(40);
const DEVELOP = "3".repeat(40);

let state: GitHubState;
let probot: Probot;
let clock: number;
const tick = (): string => new Date((clock += 60_000)).toISOString().replace(".000", "");

beforeAll(() => nock.disableNetConnect());
beforeEach(async () => {
  clock = Date.parse("2026-11-21T10:00:00Z");
  state = newState(
    {
      [BASE]: baseTree(),
      [HEAD]: headTree(),
      [COSMETIC]: headTree(50, 50, "reviewed"),
      [SEMANTIC]: headTree(60, 40),
      [DEVELOP]: headTree(50, 50),
    },
    BASE,
    HEAD,
  );
  state.body = EVIDENCE_BODY;
  state.teams = { "acme/checkout-team": ["tom"], "acme/sre": ["sam"], "acme/platform": ["pia"] };
  state.now = () => new Date(clock).toISOString().replace(".000", "");
  mockGitHub(state);
  probot = await newProbot(() => new Date(clock));
});
afterEach(() => nock.cleanAll());

const receive = (name: string, payload: Record<string, any>) => probot.receive({ id: String(nextId()), name, payload } as never);
const pullRequestEvent = (action: string, extra: Record<string, unknown> = {}) => {
  const source = ["edited", "opened"].includes(action) ? example("pull_request", "opened") : example("pull_request", action);
  return receive("pull_request", { ...source, action, ...extra });
};
const commentEvent = (action: "created" | "edited" | "deleted", comment: Comment) => {
  const payload = example("issue_comment", "created");
  payload.action = action;
  payload.issue = { ...payload.issue, number: PR, pull_request: { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/2" } };
  payload.comment = { ...payload.comment, ...comment };
  payload.sender = { ...payload.sender, ...comment.user };
  return receive("issue_comment", payload);
};
/** Someone comments now; GitHub delivers `issue_comment.created`. */
const say = async (login: string, body: string, type = "User"): Promise<Comment> => {
  const comment = commentBy(state, login, body, tick(), type);
  await commentEvent("created", comment);
  return comment;
};
const push = (sha: string) => {
  state.head = { sha };
  tick();
  return pullRequestEvent("synchronize");
};

const appComments = () => state.comments.filter((c) => c.performed_via_github_app);
const latestRun = () => state.checkRuns.at(-1)!;
const conclusion = () => [latestRun().name, latestRun().conclusion];
const reactionsOn = (comment: Comment) => state.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content);
const repliesTo = (comment: Comment) => state.comments.filter((c) => c.body.includes(`route-governor:reply ${comment.id}:`));

async function opened(): Promise<void> {
  await pullRequestEvent("opened");
  tick();
}

describe("pull_request events", () => {
  it("opened: one check run on the head SHA, one living comment, the risk label — in a bounded number of calls", async () => {
    await pullRequestEvent("opened");
    expect(state.checkRuns).toEqual([
      expect.objectContaining({ name: "Route Governor (master)", head_sha: HEAD, status: "completed", conclusion: "action_required" }),
    ]);
    expect(latestRun().output.title).toBe("medium-high risk · requirements unmet");
    expect(latestRun().output.text).toContain("Audit record (JSON)");
    expect(latestRun().annotations).toEqual([
      expect.objectContaining({ path: "routes/checkout.yaml", annotation_level: "warning", title: "backend.weight-changed (medium-high)" }),
    ]);
    expect(appComments()).toHaveLength(1);
    expect(appComments()[0]!.body).toMatch(/^<!-- route-governor:comment -->\n## Route Governor: 🟠 medium-high risk/);
    expect(state.labels).toEqual(["risk/medium-high"]);
    // Token, check run in progress on the event's head (before anything can fail), PR; then the
    // reads (in parallel); then the writes, conclusion last.
    // GitHub has no test-merge commit in this payload, so the merge base comes from the compare API.
    expect(state.calls.slice(0, 4)).toEqual([
      "POST /app/installations/1/access_tokens",
      "POST /repos/Codertocat/Hello-World/check-runs",
      "GET /repos/Codertocat/Hello-World/pulls/2",
      `GET /repos/Codertocat/Hello-World/compare/${BASE}...${HEAD}`,
    ]);
    expect(state.calls.slice(4, 11).sort()).toEqual([
      "GET /repos/Codertocat/Hello-World/git/trees/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "GET /repos/Codertocat/Hello-World/git/trees/f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
      "GET /repos/Codertocat/Hello-World/issues/2/comments",
      "GET /repos/Codertocat/Hello-World/pulls/2/commits",
      "GET /repos/Codertocat/Hello-World/pulls/2/reviews",
      "GET /repos/Codertocat/Hello-World/tarball/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "GET /repos/Codertocat/Hello-World/tarball/f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    ]);
    // No comment yet and no report on the head: the PR's events say the App never reported on it.
    expect(state.calls.slice(11)).toEqual([
      `GET /repos/Codertocat/Hello-World/commits/${HEAD}/check-runs`,
      "GET /repos/Codertocat/Hello-World/issues/2/events",
      "POST /repos/Codertocat/Hello-World/issues/2/comments",
      "POST /repos/Codertocat/Hello-World/issues/2/labels",
      `PATCH /repos/Codertocat/Hello-World/check-runs/${latestRun().id}`,
    ]);
  });

  it("API economy: a PR changing 1 traffic file reads GitHub with exactly the calls of one changing 300", async () => {
    const route = (index: number, jkt: number) =>
      checkoutRoute(jkt, 100 - jkt)
        .replace("name: checkout\n", `name: checkout-${index}\n`)
        .replace("shop.example.com", `shop-${index}.example.com`);
    const fleet = (changed: number) =>
      Object.fromEntries([
        [POLICY_PATH, POLICY],
        ...Array.from({ length: 300 }, (_, i) => [`routes/checkout-${i}.yaml`, route(i, i < changed ? 50 : 90)]),
      ]);
    const callsFor = async (changed: number) => {
      Object.assign(state, { comments: [], checkRuns: [], labels: [], labelled: [], calls: [] });
      state.trees.set(BASE, fleet(0));
      state.trees.set(HEAD, fleet(changed));
      await pullRequestEvent("opened");
      expect(latestRun().annotations).toHaveLength(Math.min(changed, MAX_ANNOTATIONS));
      return [...state.calls];
    };
    const one = await callsFor(1);
    const all = await callsFor(300);
    // The installation token is cached after the first delivery; the check run takes 50
    // annotations per request, up to MAX_ANNOTATIONS (100): its updates grow to 2 and no further.
    const checkRunUpdate = (call: string) => call.startsWith("PATCH /repos/Codertocat/Hello-World/check-runs/");
    const others = (calls: string[]) => calls.filter((call) => !call.includes("/access_tokens") && !checkRunUpdate(call)).sort();
    expect(others(all)).toEqual(others(one));
    expect(others(one).filter((call) => call.startsWith("GET "))).toEqual([
      `GET /repos/Codertocat/Hello-World/commits/${HEAD}/check-runs`,
      `GET /repos/Codertocat/Hello-World/compare/${BASE}...${HEAD}`,
      "GET /repos/Codertocat/Hello-World/git/trees/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "GET /repos/Codertocat/Hello-World/git/trees/f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
      "GET /repos/Codertocat/Hello-World/issues/2/comments",
      "GET /repos/Codertocat/Hello-World/issues/2/events",
      "GET /repos/Codertocat/Hello-World/pulls/2",
      "GET /repos/Codertocat/Hello-World/pulls/2/commits",
      "GET /repos/Codertocat/Hello-World/pulls/2/reviews",
      "GET /repos/Codertocat/Hello-World/tarball/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
      "GET /repos/Codertocat/Hello-World/tarball/f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    ]);
    expect([one.filter(checkRunUpdate).length, all.filter(checkRunUpdate).length]).toEqual([1, 2]);
  });

  it("redelivery of the same event leaves one comment, edited in place only when it changed", async () => {
    const payload = example("pull_request", "opened");
    await probot.receive({ id: "same-delivery", name: "pull_request", payload } as never);
    const first = appComments()[0]!;
    // The first report left its head's time to GitHub's stamp on it: the next evaluation records it.
    await probot.receive({ id: "same-delivery", name: "pull_request", payload } as never);
    state.calls.length = 0;
    await probot.receive({ id: "same-delivery", name: "pull_request", payload } as never);
    expect(appComments()).toEqual([first]);
    expect(state.calls.filter((call) => /issues\/(2\/)?comments/.test(call) && !call.startsWith("GET"))).toEqual([]);
    expect(conclusion()).toEqual(["Route Governor (master)", "action_required"]);
  });

  it.each(["synchronize", "reopened", "ready_for_review", "edited"])("%s re-evaluates", async (action) => {
    await pullRequestEvent(action);
    expect(conclusion()).toEqual(["Route Governor (master)", "action_required"]);
    expect(appComments()).toHaveLength(1);
  });

  it("a closed PR is left alone", async () => {
    state.state = "closed";
    const payload = example("pull_request", "opened");
    await receive("pull_request", { ...payload, action: "edited", pull_request: { ...payload.pull_request, state: "closed" } });
    expect(state.checkRuns).toEqual([]);
    expect(state.calls.filter((call) => !call.includes("access_tokens"))).toEqual([]);
  });

  it("a PR closed after the event opened its check concludes that check instead of leaving it in progress", async () => {
    state.state = "closed";
    await pullRequestEvent("reopened");
    expect(state.checkRuns).toEqual([expect.objectContaining({ head_sha: HEAD, status: "completed", conclusion: "failure" })]);
    expect(appComments()).toEqual([]);
  });

  it("base retargeting: the check is named after the new base, so a PR cannot pass by retargeting", async () => {
    await opened();
    await say("dina", "/approve");
    expect(conclusion()).toEqual(["Route Governor (master)", "success"]);
    state.base = { ref: "develop", sha: DEVELOP };
    await pullRequestEvent("edited", { changes: { base: { ref: { from: "master" }, sha: { from: BASE } } } });
    expect(conclusion()[0]).toBe("Route Governor (develop)");
    expect(state.checkRuns.map((run) => run.name)).toContain("Route Governor (master)");
  });
});

describe("commands: every one answered with a reaction, refusals with one reply", () => {
  it("/evidence and /approve take the PR to success; both get 👍", async () => {
    state.body = "";
    await opened();
    const evidence = await say("Codertocat", "/evidence change-request CHG-4821\n/evidence rollback git revert HEAD");
    expect(conclusion()[1]).toBe("action_required");
    const approval = await say("dina", "/approve checked the weights");
    expect(conclusion()).toEqual(["Route Governor (master)", "success"]);
    expect(reactionsOn(evidence)).toEqual(["+1"]);
    expect(reactionsOn(approval)).toEqual(["+1"]);
    expect(appComments()).toHaveLength(1);
    expect(appComments()[0]!.body).toContain("| @dina |");
  });

  it("/approve cancel withdraws", async () => {
    await opened();
    await say("dina", "/approve");
    expect(conclusion()[1]).toBe("success");
    await say("dina", "/approve cancel");
    expect(conclusion()[1]).toBe("action_required");
  });

  it("/hold blocks, /hold cancel by the holder releases", async () => {
    await opened();
    await say("dina", "/approve");
    const hold = await say("tom", "/hold waiting for the JKT window");
    expect(latestRun().output.title).toBe("medium-high risk · on hold");
    expect(reactionsOn(hold)).toEqual(["+1"]);
    await say("tom", "/hold cancel");
    expect(conclusion()[1]).toBe("success");
  });

  it("/break-glass by an SRE passes loudly and labels the PR", async () => {
    state.body = "";
    await opened();
    await say("sam", "/break-glass INC-77 checkout is down in jkt");
    expect(conclusion()[1]).toBe("success");
    expect(latestRun().output.title).toBe("medium-high risk · passed by BREAK-GLASS");
    expect(state.labels).toEqual(["risk/medium-high", "route-governor/break-glass"]);
    expect(appComments()[0]!.body).toContain("**BREAK-GLASS** by @sam");
  });

  it("/route-governor refresh re-evaluates; help answers with the command list", async () => {
    await opened();
    const refresh = await say("eve", "/route-governor refresh");
    expect(reactionsOn(refresh)).toEqual(["+1"]);
    const help = await say("eve", "/route-governor help");
    expect(repliesTo(help)).toEqual([expect.objectContaining({ body: expect.stringContaining("`/break-glass <incident-id> <reason>`") })]);
  });

  it("an unknown command is refused with 👎 and one reply, not repeated on redelivery", async () => {
    await opened();
    const unknown = await say("eve", "/route-governor deploy");
    await commentEvent("created", unknown);
    expect(reactionsOn(unknown)).toEqual(["-1"]);
    expect(repliesTo(unknown)).toHaveLength(1);
    expect(repliesTo(unknown)[0]!.body).toMatch(/^`\/route-governor deploy` refused: unknown command; try \/route-governor help/);
  });
});

describe("security (DESIGN §10)", () => {
  it.each([
    ["self-approval", "Codertocat", "the PR author cannot approve their own change"],
    ["a non-member", "eve", "not a member of a group this PR needs \\(service-owners\\)"],
  ])("%s is refused", async (_, login, reason) => {
    state.teams["acme/checkout-team"] = ["tom", "Codertocat"];
    await opened();
    const approval = await say(login, "/approve");
    expect(conclusion()[1]).toBe("action_required");
    expect(reactionsOn(approval)).toEqual(["-1"]);
    expect(repliesTo(approval)[0]!.body).toMatch(new RegExp(`^\`/approve\` refused: ${reason}`));
  });

  it("a team member counts: membership read through the API", async () => {
    await opened();
    await say("tom", "/approve");
    expect(conclusion()[1]).toBe("success");
    expect(state.calls).toContain("GET /orgs/acme/teams/checkout-team/memberships/tom");
  });

  it("an edited comment carrying /approve does not count and is flagged", async () => {
    await opened();
    const comment = commentBy(state, "dina", "LGTM", tick());
    await commentEvent("created", comment);
    comment.body = "/approve";
    comment.updated_at = tick();
    await commentEvent("edited", comment);
    expect(conclusion()[1]).toBe("action_required");
    expect(reactionsOn(comment)).toEqual(["-1"]);
    expect(appComments()[0]!.body).toContain("was edited after it was posted");
  });

  it("a deleted /approve retracts", async () => {
    await opened();
    const approval = await say("dina", "/approve");
    expect(conclusion()[1]).toBe("success");
    state.comments = state.comments.filter((c) => c.id !== approval.id);
    await commentEvent("deleted", approval);
    expect(conclusion()[1]).toBe("action_required");
  });

  it("a bot's comment is ignored without a single API call (our own edits never loop)", async () => {
    await opened();
    state.calls.length = 0;
    const bot = commentBy(state, "renovate[bot]", "/approve", tick(), "Bot");
    await commentEvent("created", bot);
    expect(state.calls).toEqual([]);
  });

  it("a PR editing the policy is judged by the base policy and flagged governance.policy-changed", async () => {
    state.trees.set(HEAD, { ...headTree(), [POLICY_PATH]: POLICY.replace("users: [dina]", "users: [dina, eve]") });
    await opened();
    await say("eve", "/approve");
    const audit = JSON.parse(/```json\n([\s\S]*)\n```/.exec(latestRun().output.text)![1]!);
    expect(audit.findings.map((f: { class: string }) => f.class)).toContain("governance.policy-changed");
    expect(audit.policy).toBe(".github/route-governor.yml at master (f95f852)");
    expect(conclusion()[1]).toBe("action_required");
    expect(state.labels).toEqual(["risk/critical"]);
  });

  it("a cosmetic push keeps approvals; a semantic push makes them stale and the comment says so", async () => {
    await opened();
    await say("dina", "/approve");
    expect(conclusion()[1]).toBe("success");
    await push(COSMETIC);
    expect([latestRun().head_sha, latestRun().conclusion]).toEqual([COSMETIC, "success"]);
    await push(SEMANTIC);
    expect([latestRun().head_sha, latestRun().conclusion]).toEqual([SEMANTIC, "action_required"]);
    expect(appComments()[0]!.body).toMatch(/~~@dina~~ stale: given before these findings changed/);
  });

  it("GitHub reviews: APPROVED counts, dismissed retracts", async () => {
    await opened();
    const review = { id: nextId(), user: { login: "dina", type: "User" }, state: "APPROVED", submitted_at: tick(), commit_id: HEAD };
    state.reviews.push(review);
    const submitted = example("pull_request_review", "submitted");
    await receive("pull_request_review", { ...submitted, review: { ...submitted.review, ...review } });
    expect(conclusion()[1]).toBe("success");
    review.state = "DISMISSED";
    await receive("pull_request_review", example("pull_request_review", "dismissed"));
    expect(conclusion()[1]).toBe("action_required");
  });

  it("concurrent first deliveries left two comments: the oldest is kept, the other deleted", async () => {
    await opened();
    const [kept] = appComments();
    const duplicate = commentBy(state, "route-governor[bot]", kept!.body, tick(), "Bot");
    duplicate.performed_via_github_app = { id: 123 };
    await pullRequestEvent("synchronize");
    expect(appComments().map((c) => c.id)).toEqual([kept!.id]);
  });

  it("the App's comment restored to an older version (GitHub keeps its edit history): its ledger is void, the check run's copy restores the approval, and the comment says so", async () => {
    await opened();
    const older = appComments()[0]!.body;
    await say("dina", "/approve");
    expect(conclusion()[1]).toBe("success");
    clock += 3_600_000;
    Object.assign(appComments()[0]!, { body: older, updated_at: tick() });
    await pullRequestEvent("edited");
    expect(conclusion()[1]).toBe("success");
    expect(appComments()[0]!.body).toContain("The approval record was removed or altered (the App's comment was edited at");
    expect(appComments()[0]!.body).toContain("restored from the check run Route Governor wrote on");
  });

  it("the App's own edits keep its ledger trusted, and an unchanged comment is not rewritten however late the redelivery", async () => {
    await opened();
    await say("dina", "/approve");
    const [comment] = appComments();
    const written = { body: comment!.body, updated_at: comment!.updated_at };
    clock += 3_600_000;
    state.calls.length = 0;
    await pullRequestEvent("edited");
    expect(conclusion()[1]).toBe("success");
    expect(state.calls.filter((call) => /issues\/(2\/)?comments/.test(call) && !call.startsWith("GET"))).toEqual([]);
    expect({ body: comment!.body, updated_at: comment!.updated_at }).toEqual(written);
  });
});

describe("re-runs and errors", () => {
  it("check_run.rerequested and check_suite.rerequested re-evaluate the PRs of the head SHA", async () => {
    await receive("check_suite", example("check_suite", "rerequested"));
    expect(state.checkRuns).toHaveLength(1);
    // The check_run example belongs to another repository: ours is the one installed.
    await receive("check_run", { ...example("check_run", "rerequested"), repository: example("pull_request", "opened").repository });
    // The check_run example's SHA is no longer the PR's head: its check is superseded, the head's re-evaluated.
    expect(state.checkRuns.slice(1)).toEqual([
      expect.objectContaining({
        head_sha: "d6fde92930d4715a2b49857d24b940956b26d2d3",
        conclusion: "failure",
        output: expect.objectContaining({ summary: expect.stringContaining("superseded") }),
      }),
      expect.objectContaining({ head_sha: HEAD, conclusion: "action_required" }),
    ]);
    expect(state.calls).toContainEqual(
      expect.stringMatching(/^GET \/repos\/Codertocat\/Hello-World\/commits\/d6fde92930d4715a2b49857d24b940956b26d2d3\/pulls$/),
    );
  });

  it("an invalid base policy concludes failure with the error text, never success", async () => {
    state.trees.set(BASE, { ...baseTree(), [POLICY_PATH]: "groups: [" });
    await expect(pullRequestEvent("opened")).rejects.toThrow();
    expect(latestRun()).toEqual(expect.objectContaining({ status: "completed", conclusion: "failure" }));
    expect(latestRun().output.text).toContain(".github/route-governor.yml at master (f95f852)");
  });
});

describe("configuration", () => {
  it("refuses to start without WEBHOOK_SECRET: the ledger would be signed with Probot's public default", () => {
    expect(() => appFromEnv({ APP_ID: "1" })).toThrow("WEBHOOK_SECRET is not set");
    expect(() => appFromEnv({ APP_ID: "1", WEBHOOK_SECRET: "" })).toThrow("WEBHOOK_SECRET is not set");
    expect(appFromEnv({ APP_ID: "1", WEBHOOK_SECRET: "s3cret" })).toBeTypeOf("function");
  });
});
