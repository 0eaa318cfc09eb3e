import { afterAll, describe, expect, it } from "vitest";
import { ledgerKeys, type AppOptions } from "../../src/app.js";
import { baseTree, checkoutRoute, EVIDENCE_BODY, headTree, POLICY, POLICY_PATH, ROUTE_PATH } from "../github/fixtures.js";
import { appOnFake } from "./app-on-fake.js";
import { FakeGitHub, type FakeComment } from "./fake-github.js";

/**
 * The hostile-input review (issue 12): each case replays an attack against the App, end to end
 * over the fake GitHub, and shows that it no longer gets a PR through.
 */
const SECRET = "hostile-secret";
const fakes: FakeGitHub[] = [];
afterAll(() => Promise.all(fakes.map((fake) => fake.stop())));

interface Harness {
  readonly github: FakeGitHub;
  readonly head: string;
  readonly deliver: (event: { name: string; payload: Record<string, unknown> }) => Promise<unknown>;
  /** `login` comments `body` on PR 7 and GitHub delivers it. */
  readonly say: (login: string, body: string) => Promise<FakeComment>;
  /** Someone with write access (`by`, else the comment's author) deletes the comment and GitHub delivers it. */
  readonly remove: (comment: FakeComment, by?: string) => Promise<void>;
  readonly conclusion: () => string | null | undefined;
  readonly livingComment: () => string;
  /** The author pushes these files and GitHub delivers `synchronize`. */
  readonly push: (files: Record<string, string>) => Promise<void>;
  /** The App restarts with these ledger keys (a deploy after a key rotation). */
  readonly restart: (keys: Pick<AppOptions, "ledgerSecret" | "oldLedgerSecrets">) => Promise<void>;
  /** Moves both clocks (GitHub's and the App's) by `ms`. */
  readonly advance: (ms: number) => void;
  /** The App's clock runs `ms` behind GitHub's (0 to rejoin): an evaluation that takes that long. */
  readonly appLag: (ms: number) => void;
}

/** PR 7 by ana (a medium-high change with its evidence), opened and reported on. */
async function harness(
  init: {
    commitAuthors?: (string | null)[];
    files?: Record<string, string>;
    base?: Record<string, string>;
    /** Submodules (path → commit) of the base and head commits. */
    submodules?: { base: Record<string, string>; head: Record<string, string> };
  } = {},
): Promise<Harness> {
  const github = new FakeGitHub(77, 6000 + fakes.length);
  fakes.push(github);
  await github.start();
  let clock = Date.parse("2026-11-21T10:00:00Z");
  let lag = 0;
  github.clock = () => new Date(clock);
  const base = github.commit(init.base ?? baseTree(), init.submodules?.base);
  const head = github.commit(init.files ?? headTree(), init.submodules?.head);
  github.teams.set("acme/sre", ["sam", "sue"]);
  github.teams.set("acme/platform", ["pia"]);
  github.openPull({
    number: 7,
    author: "ana",
    base: "main",
    baseSha: base,
    headSha: head,
    body: EVIDENCE_BODY,
    ...(init.commitAuthors ? { commitAuthors: init.commitAuthors } : {}),
  });
  const start = async (keys: Pick<AppOptions, "ledgerSecret" | "oldLedgerSecrets">) => {
    return appOnFake(github, SECRET, { ...keys, now: () => new Date(clock - lag) }, { retry: { enabled: false } });
  };
  let probot = await start({ ledgerSecret: SECRET });
  const restart = async (keys: Pick<AppOptions, "ledgerSecret" | "oldLedgerSecrets">) => {
    probot = await start(keys);
  };
  let delivery = 0;
  const deliver = (event: { name: string; payload: Record<string, unknown> }) =>
    probot.receive({ id: String(++delivery), ...event } as never);
  await deliver(github.pullRequestEvent("opened", 7));
  const say = async (login: string, body: string) => {
    clock += 60_000;
    const comment = github.comment(7, login, body);
    await deliver(github.issueCommentEvent("created", 7, comment));
    return comment;
  };
  const remove = async (comment: FakeComment, by?: string) => {
    clock += 60_000;
    const comments = github.pull(7).comments;
    comments.splice(comments.indexOf(comment), 1);
    const event = github.issueCommentEvent("deleted", 7, comment);
    if (by) event.payload.sender = { login: by, type: "User" };
    await deliver(event);
  };
  const conclusion = () => github.latestCheckRun(github.pull(7).head.sha)?.conclusion;
  const livingComment = () => github.appComments(7)[0]?.body ?? "";
  const push = async (files: Record<string, string>) => {
    clock += 60_000;
    github.pull(7).head.sha = github.commit(files);
    await deliver(github.pullRequestEvent("synchronize", 7));
  };
  return {
    github,
    head,
    deliver,
    say,
    remove,
    conclusion,
    livingComment,
    push,
    restart,
    advance: (ms) => void (clock += ms),
    appLag: (ms) => void (lag = ms),
  };
}

describe("commit authors GitHub cannot name (issue 12, 1)", () => {
  it("baseline: a service owner's /approve passes the PR", async () => {
    const { say, conclusion } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });

  it("a commit whose e-mail is linked to no account: approvals do not count, and the comment says why", async () => {
    const { say, conclusion, livingComment } = await harness({ commitAuthors: ["ana", null] });
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("1 commit has an author or committer with an e-mail address linked to no GitHub account");
  });

  it("an approver whose commit is past GitHub's 250-commit listing: approvals do not count", async () => {
    const { say, conclusion, livingComment } = await harness({ commitAuthors: [...Array.from({ length: 250 }, () => "ana"), "dina"] });
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("GitHub lists only the first 250");
  });
});

describe("deleting a /hold or an /approve cancel (issue 12, 2)", () => {
  it("a deleted SRE /hold still holds; only /unhold by the holder or an override group lifts it", async () => {
    const { say, remove, conclusion, livingComment } = await harness();
    const hold = await say("sam", "/hold waiting for the JKT failover drill");
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    await remove(hold);
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by @sam: waiting for the JKT failover drill");
    await say("ana", "/unhold");
    expect(conclusion()).toBe("action_required");
    await say("sue", "/unhold");
    expect(conclusion()).toBe("success");
  });

  it("a lifted hold stays lifted when the /unhold is deleted", async () => {
    const { say, remove, conclusion } = await harness();
    await say("sam", "/hold");
    const unhold = await say("sam", "/unhold");
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    await remove(unhold);
    expect(conclusion()).toBe("success");
  });

  it("a deleted /approve cancel still retracts the approval", async () => {
    const { say, remove, conclusion } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    const cancel = await say("dina", "/approve cancel");
    expect(conclusion()).toBe("action_required");
    await remove(cancel);
    expect(conclusion()).toBe("action_required");
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });
});

describe("deleting or editing the App's own comment (probe app: deleted-living-comment)", () => {
  it("restores the record from the App's check run: a deleted SRE hold still holds after the App's comment is deleted too", async () => {
    const { github, say, remove, conclusion, livingComment } = await harness();
    const hold = await say("sam", "/hold waiting for the JKT failover drill");
    await remove(hold, "ana");
    await remove(github.appComments(7)[0]!, "ana");
    // The deletion is evaluated at once: a new comment, the hold restored, the deletion told.
    expect(livingComment()).toContain("Held by @sam: waiting for the JKT failover drill");
    expect(livingComment()).toContain(
      `The approval record was removed or altered (Route Governor's comment was deleted): restored from the check run Route Governor wrote on ${github.pull(7).head.sha.slice(0, 7)}, which only the App can write.`,
    );
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    // Every later report still says so.
    expect(livingComment()).toContain("Route Governor's comment was deleted");
  });

  it("restores it when the App's comment is edited (its ledger is then void)", async () => {
    const { github, say, remove, deliver, advance, conclusion, livingComment } = await harness();
    const hold = await say("sam", "/hold waiting for the JKT failover drill");
    await remove(hold, "ana");
    advance(10 * 60_000);
    const own = github.appComments(7)[0]!;
    own.body = own.body.replace("## ", "##  ");
    own.updated_at = new Date(Date.parse(own.updated_at) + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const edited = github.issueCommentEvent("edited", 7, own);
    edited.payload.sender = { login: "ana", type: "User" };
    await deliver(edited);
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by @sam");
    expect(livingComment()).toContain("(the App's comment was edited at");
  });

  it("with nothing to restore from (the comment deleted as a force-push lands), Route Governor holds the PR until a break-glass group member lifts it", async () => {
    const { github, say, remove, deliver, conclusion, livingComment } = await harness();
    await remove(await say("sam", "/hold waiting for the JKT failover drill"), "ana");
    // The new head has no report yet, the PR's commits are all new, and the comment is gone.
    github.pull(7).head.sha = github.commit(headTree(30, 70));
    const comments = github.pull(7).comments;
    comments.splice(comments.indexOf(github.appComments(7)[0]!), 1);
    await deliver(github.pullRequestEvent("synchronize", 7));
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by Route Governor: the approval record was lost");
    expect(livingComment()).toContain("no copy could be restored");
    await say("dina", "/approve");
    await say("ana", "/unhold");
    expect(conclusion()).toBe("action_required");
    await say("sue", "/unhold");
    expect(conclusion()).toBe("success");
  });
});

describe("the App's own hold when the policy names no break-glass group (review)", () => {
  it("a repository admin lifts it, and the comment says so instead of naming no one", async () => {
    const policy = `${POLICY}breakGlass:\n  groups: []\n`;
    const { github, say, remove, deliver, conclusion, livingComment } = await harness({
      base: { ...baseTree(), [POLICY_PATH]: policy },
      files: { ...headTree(), [POLICY_PATH]: policy },
    });
    github.permissions.set("ada", "admin");
    await remove(await say("sam", "/hold waiting for the JKT failover drill"), "ana");
    github.pull(7).head.sha = github.commit({ ...headTree(30, 70), [POLICY_PATH]: policy });
    const comments = github.pull(7).comments;
    comments.splice(comments.indexOf(github.appComments(7)[0]!), 1);
    await deliver(github.pullRequestEvent("synchronize", 7));
    expect(livingComment()).toContain("Held by Route Governor: the approval record was lost");
    expect(livingComment()).toContain("/unhold — by a repository admin (the policy names no break-glass group that exists)");
    await say("dina", "/approve");
    await say("sue", "/unhold");
    expect(conclusion()).toBe("action_required");
    await say("ada", "/unhold");
    expect(conclusion()).toBe("success");
  });
});

describe("a report that failed after the comment write (review: stale check-run copy)", () => {
  /** sam's /hold is written to the comment, concluding its check run fails `times` times, then ana deletes the /hold and the App's comment. */
  async function holdThenLoseTheComment(times: number) {
    const h = await harness();
    const { github, say, deliver, conclusion } = h;
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    github.inject("PATCH", /\/check-runs\/\d+$/, "500", times);
    await expect(say("sam", "/hold waiting for the JKT failover drill")).rejects.toThrow();
    expect(h.livingComment()).toContain("Held by @sam");
    const comments = github.pull(7).comments;
    const hold = comments.find((comment) => comment.body.startsWith("/hold"))!;
    const own = github.appComments(7)[0]!;
    comments.splice(comments.indexOf(hold), 1);
    comments.splice(comments.indexOf(own), 1);
    const deleted = github.issueCommentEvent("deleted", 7, own);
    deleted.payload.sender = { login: "ana", type: "User" };
    await deliver(deleted);
    return h;
  }

  it("the run concluded with the error report keeps the ledger the comment got: the hold is restored from it", async () => {
    const { github, conclusion, livingComment } = await holdThenLoseTheComment(1);
    const runs = github.checkRuns.filter((run) => run.head_sha === github.pull(7).head.sha);
    const failed = runs.find((run) => run.conclusion === "failure")!;
    expect(failed.output.text).toMatch(/<!-- route-governor:ledger \S+ [0-9a-f]{64} -->$/);
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by @sam: waiting for the JKT failover drill");
    expect(livingComment()).toContain(`restored from the check run Route Governor wrote on ${github.pull(7).head.sha.slice(0, 7)}`);
  });

  it("a run left in progress (even its error report failed) carries no copy: the older run's does not stand in, and Route Governor holds the PR", async () => {
    const { github, say, conclusion, livingComment } = await holdThenLoseTheComment(2);
    expect(github.checkRuns.some((run) => run.head_sha === github.pull(7).head.sha && run.status === "in_progress")).toBe(true);
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by Route Governor: the approval record was lost");
    expect(livingComment()).toContain("carries no copy, as its evaluation failed or never finished");
    expect(livingComment()).not.toContain("restored from");
    await say("ana", "/unhold");
    expect(conclusion()).toBe("action_required");
    await say("sue", "/unhold");
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });
});

describe("an /approve posted while the App is still evaluating a push (probe app: approval-during-evaluation)", () => {
  it("is not bound to the new head's findings: the head's time is GitHub's stamp on the report, not the evaluation's start", async () => {
    const { github, say, push, advance, appLag, conclusion, livingComment } = await harness();
    // The push is evaluated from T0 by the App's clock; its report reaches the PR 30 s later.
    appLag(30_000);
    await push(headTree(30, 70));
    const reportedAt = github.appComments(7)[0]!.updated_at;
    appLag(0);
    // dina approves 15 s before that report, while the page still showed the previous head's findings.
    advance(-15_000);
    const early = github.comment(7, "dina", "/approve");
    advance(15_000);
    expect(Date.parse(early.created_at)).toBeLessThan(Date.parse(reportedAt));
    await say("eve", "/route-governor refresh");
    expect(livingComment()).toContain(`was given before Route Governor reported on head ${github.pull(7).head.sha.slice(0, 7)}`);
    expect(conclusion()).toBe("action_required");
    // Approved again once the report is on the page, it counts.
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });
});

describe("a head that comes back (probe M, 1: A, then B approved, then A again)", () => {
  it("an approval given on B does not count for A when the App's comment is deleted as A returns: the check run's copy of A is older than B", async () => {
    const { github, head, say, push, remove, conclusion, livingComment } = await harness();
    await push(baseTree()); // B: nothing changes, nothing to approve
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    // ana force-pushes A back and deletes the App's comment, whose ledger knew B.
    github.pull(7).head.sha = head;
    await remove(github.appComments(7)[0]!, "ana");
    expect(livingComment()).toContain("restored from the check run Route Governor wrote on");
    expect(livingComment()).toContain(`was given before Route Governor reported on head ${head.slice(0, 7)}`);
    expect(conclusion()).toBe("action_required");
    // Approved again once A's report is back on the page, it counts.
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });

  it("with the comment kept, A's report is new: the approval of B is stale for A's findings", async () => {
    const { github, head, say, push, deliver, conclusion } = await harness();
    await push(baseTree());
    await say("dina", "/approve");
    github.pull(7).head.sha = head;
    await deliver(github.pullRequestEvent("synchronize", 7));
    expect(conclusion()).toBe("action_required");
  });
});

describe("who pushed to the PR (probe M, 3)", () => {
  const pushAs = async (
    { github, deliver, advance }: Awaited<ReturnType<typeof harness>>,
    login: string,
    files: Record<string, string>,
  ) => {
    advance(60_000);
    github.pull(7).head.sha = github.commit(files);
    const event = github.pullRequestEvent("synchronize", 7);
    event.payload.sender = { login, type: "User" };
    await deliver(event);
  };

  it("a service owner who pushed to the PR cannot approve it, even after the author pushes on top; another service owner can", async () => {
    const pr = await harness();
    pr.github.teams.set("acme/checkout-team", ["tom"]);
    // dina's commit carries ana's name (the commit authors GitHub lists are ana's): only the push says who wrote it.
    await pushAs(pr, "dina", headTree(40, 60));
    await pushAs(pr, "ana", headTree(40, 60, "ana's touch"));
    await pr.say("dina", "/approve");
    expect(pr.conclusion()).toBe("action_required");
    expect(pr.github.pull(7).comments.some((c) => c.body.includes("a commit author or pusher cannot approve the change"))).toBe(true);
    await pr.say("tom", "/approve");
    expect(pr.conclusion()).toBe("success");
  });

  it("the pusher is kept through a lost comment: the check run's copy restores it", async () => {
    const pr = await harness();
    await pushAs(pr, "dina", headTree(40, 60));
    await pr.remove(pr.github.appComments(7)[0]!, "ana");
    await pr.say("dina", "/approve");
    expect(pr.conclusion()).toBe("action_required");
  });
});

describe("a punctuated /approve cancel (issue 12, 3)", () => {
  it.each(["/approve cancel.", "/approve cancel - found a bug"])("%s withdraws the approval instead of approving", async (body) => {
    const { say, conclusion } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    await say("dina", body);
    expect(conclusion()).toBe("action_required");
  });
});

describe("commands written slightly off (a no-break space, a colon, Prow's verbs)", () => {
  it.each(["/approve\u00a0cancel", "/approve\u202fcancel", "/remove-approve"])("%j withdraws the approval", async (body) => {
    const { say, conclusion } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    const retraction = await say("dina", body);
    expect(conclusion()).toBe("action_required");
    expect(retraction.reactions.map((reaction) => reaction.content)).toEqual(["+1"]);
  });

  it.each([
    "/hold\u00a0waiting for the failover drill",
    "/hold: waiting for the failover drill",
    "/hold\u3000waiting for the failover drill",
  ])("%j holds the PR", async (body) => {
    const { say, conclusion, livingComment } = await harness();
    await say("dina", "/approve");
    await say("sam", body);
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("Held by @sam: waiting for the failover drill");
  });

  it("a verb that looks meant for the App but is not a command is refused with the list of commands, and changes nothing", async () => {
    const { github, say, conclusion } = await harness();
    await say("dina", "/approve");
    const unknown = await say("dina", "/unapprove");
    expect(conclusion()).toBe("success");
    expect(unknown.reactions.map((reaction) => reaction.content)).toEqual(["-1"]);
    const replies = github.pull(7).comments.filter((comment) => comment.body.includes(`route-governor:reply ${unknown.id}:`));
    expect(replies.map((reply) => reply.body)).toEqual([
      expect.stringMatching(/^`\/unapprove` refused: not a Route Governor command, so it did nothing\n\n`\/approve \[note\]` — /),
    ]);
  });
});

describe("break-glass on one's own PR, with any word as the incident (issue 12, 4)", () => {
  it("an SRE who committed to the PR cannot break glass on it", async () => {
    const { say, conclusion, github } = await harness({ commitAuthors: ["ana", "sam"] });
    const glass = await say("sam", "/break-glass INC-1234 checkout is down");
    expect(conclusion()).toBe("action_required");
    expect(github.pull(7).comments.some((c) => c.body.includes("a commit author or pusher cannot break glass on the change"))).toBe(true);
    expect(glass.reactions.map((r) => r.content)).toEqual(["-1"]);
  });

  it("an incident id must match the policy's pattern; another SRE with one passes", async () => {
    const { say, conclusion } = await harness();
    await say("sam", "/break-glass outage checkout is down");
    expect(conclusion()).toBe("action_required");
    await say("sam", "/break-glass INC-1234 checkout is down");
    expect(conclusion()).toBe("success");
  });
});

describe("post-change validation after a break-glass merge (issue 12, 5)", () => {
  it("the merged PR's check keeps the validation pending until /evidence post-change-validation on the closed PR", async () => {
    const { github, say, deliver, conclusion, livingComment } = await harness();
    await say("sam", "/break-glass INC-1234 checkout is down");
    expect(conclusion()).toBe("success");
    Object.assign(github.pull(7), { state: "closed", merged: true });
    await deliver(github.pullRequestEvent("closed", 7));
    expect(conclusion()).toBe("action_required");
    expect(github.latestCheckRun(github.pull(7).head.sha)?.output.title).toContain("post-change validation pending");
    expect(livingComment()).toContain("/evidence post-change-validation");
    await say("sam", "/evidence post-change-validation not-a-link");
    expect(conclusion()).toBe("action_required");
    await say("sam", "/evidence post-change-validation https://grafana.example.com/d/checkout");
    expect(conclusion()).toBe("success");
  });

  it("a PR merged without break-glass is left as it was", async () => {
    const { github, say, deliver } = await harness();
    await say("dina", "/approve");
    const runs = github.checkRuns.length;
    Object.assign(github.pull(7), { state: "closed", merged: true });
    await deliver(github.pullRequestEvent("closed", 7));
    expect(github.checkRuns).toHaveLength(runs);
  });
});

describe("every check run an evaluation opens is concluded, never passing by default (probe M, 3)", () => {
  type Harnessed = Awaited<ReturnType<typeof harness>>;
  /** The event is made while the PR is as it was; `meanwhile` changes the PR before it is delivered. */
  const late = async (h: Harnessed, event: { name: string; payload: Record<string, unknown> }, meanwhile: () => void) => {
    meanwhile();
    await h.deliver(event).catch(() => undefined);
  };
  const merge = (h: Harnessed) => () => void Object.assign(h.github.pull(7), { state: "closed", merged: true });
  const close = (h: Harnessed) => () => void Object.assign(h.github.pull(7), { state: "closed" });
  const newHead = (h: Harnessed) => h.github.commit({ ...headTree(), "README.md": "x\n" });
  const paths: readonly (readonly [string, (h: Harnessed) => Promise<unknown>])[] = [
    ["a push on an open PR", (h) => h.push({ ...headTree(), "README.md": "x\n" })],
    [
      "a push superseded by another before it is evaluated",
      (h) => {
        h.github.pull(7).head.sha = newHead(h);
        const event = h.github.pullRequestEvent("synchronize", 7);
        return late(h, event, () => void (h.github.pull(7).head.sha = h.github.commit({ ...headTree(), "README.md": "y\n" })));
      },
    ],
    [
      "a push superseded, and concluding the superseded run fails",
      (h) => {
        h.github.pull(7).head.sha = newHead(h);
        const event = h.github.pullRequestEvent("synchronize", 7);
        h.github.inject("PATCH", /^\/repos\/acme\/traffic\/check-runs\/\d+$/, "500");
        return late(h, event, () => void (h.github.pull(7).base.ref = "release"));
      },
    ],
    [
      "a push evaluated after the PR was closed",
      (h) => {
        h.github.pull(7).head.sha = newHead(h);
        return late(h, h.github.pullRequestEvent("synchronize", 7), close(h));
      },
    ],
    [
      "a push evaluated after the PR was merged",
      (h) => {
        h.github.pull(7).head.sha = newHead(h);
        return late(h, h.github.pullRequestEvent("synchronize", 7), merge(h));
      },
    ],
    [
      "a review evaluated after the merge",
      (h) => late(h, h.github.reviewEvent("submitted", 7, h.github.review(7, "dina", "APPROVED")), merge(h)),
    ],
    [
      "a re-run requested just before the merge",
      (h) => late(h, h.github.checkRunRerequestedEvent(h.github.latestCheckRun(h.head)!, 7), merge(h)),
    ],
    [
      "a comment on the merged PR (no break-glass: nothing opened)",
      async (h) => {
        merge(h)();
        await h.say("tom", "/route-governor refresh");
      },
    ],
    [
      "a push evaluated after a break-glass merge: the opened run fails, the follow-up opens its own",
      async (h) => {
        await h.say("sam", "/break-glass INC-1234 checkout is down");
        h.github.pull(7).head.sha = newHead(h);
        return late(h, h.github.pullRequestEvent("synchronize", 7), merge(h));
      },
    ],
    [
      "a failure after the run was opened (the tarball)",
      (h) => {
        h.github.inject("GET", /^\/repos\/acme\/traffic\/tarball\//, "500", Number.POSITIVE_INFINITY);
        return h.deliver(h.github.pullRequestEvent("synchronize", 7)).catch(() => undefined);
      },
    ],
  ];

  it.each(paths)("%s", async (_, path) => {
    const h = await harness();
    const before = h.github.checkRuns.length;
    await path(h);
    h.github.clearFaults();
    const runs = h.github.checkRuns;
    expect(runs.filter((run) => run.status !== "completed")).toEqual([]);
    // A passing conclusion comes only with the PR's own verdict: never by default or by error.
    const passing = runs.filter((run) => ["success", "neutral", "skipped"].includes(run.conclusion ?? ""));
    expect(passing.filter((run) => run.conclusion !== "success" || run.external_id !== "7:pass")).toEqual([]);
    expect(runs.length).toBeGreaterThanOrEqual(before);
  });

  it("the run opened for an event on a PR merged meanwhile says so; a break-glass follow-up opens its own run", async () => {
    const h = await harness();
    await h.say("sam", "/break-glass INC-1234 checkout is down");
    const sha = newHead(h);
    h.github.pull(7).head.sha = sha;
    await late(h, h.github.pullRequestEvent("synchronize", 7), merge(h));
    const [opened, followUp] = h.github.checkRuns.filter((run) => run.head_sha === sha);
    expect(opened).toEqual(expect.objectContaining({ status: "completed", conclusion: "failure" }));
    expect(opened!.output.summary).toContain("the pull request was merged before Route Governor could evaluate this event");
    expect(followUp).toEqual(expect.objectContaining({ status: "completed", conclusion: "action_required" }));
    expect(followUp!.output.title).toContain("post-change validation pending");
  });
});

describe("invalidateOnSemanticChangeOnly: false (issue 12, 6)", () => {
  const strict = `${POLICY}options:\n  invalidateOnSemanticChangeOnly: false\n`;
  const cosmetic = (policy: string) => ({ [POLICY_PATH]: policy, [ROUTE_PATH]: checkoutRoute(50, 50, "reviewed") });

  it("any push after an approval makes it stale", async () => {
    const base = { [POLICY_PATH]: strict, [ROUTE_PATH]: checkoutRoute(90, 10) };
    const { say, push, conclusion, livingComment } = await harness({
      base,
      files: { [POLICY_PATH]: strict, [ROUTE_PATH]: checkoutRoute(50, 50) },
    });
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    await push(cosmetic(strict));
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("given before the latest push");
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
  });

  it("by default a cosmetic push keeps the approval", async () => {
    const { say, push, conclusion } = await harness();
    await say("dina", "/approve");
    await push(cosmetic(POLICY));
    expect(conclusion()).toBe("success");
  });
});

describe("commands hidden from the rendered page (issue 12, 7)", () => {
  it.each(["Will look later.\n<!-- /approve -->", "<details><summary>log</summary>\n\n/approve\n</details>"])(
    "%j does not approve",
    async (body) => {
      const { say, conclusion } = await harness();
      await say("dina", body);
      expect(conclusion()).toBe("action_required");
    },
  );
});

describe("ledger look-alikes (issue 12, 8)", () => {
  const SPELLED = `<!-- route-governor:ledger AAAA ${"0".repeat(64)} -->`;

  it("a route path that spells a ledger block, shown in the App's own comment, does not void approvals", async () => {
    // Beside /checkout, not instead of it: a path narrowed away from /checkout would leave the rest unserved (high).
    const route = checkoutRoute(50, 50).replace(
      "value: /checkout }",
      `value: /checkout }\n        - path: { type: PathPrefix, value: "/checkout/${SPELLED}" }`,
    );
    const { say, conclusion, livingComment } = await harness({ files: { [POLICY_PATH]: POLICY, [ROUTE_PATH]: route } });
    await say("dina", "/approve");
    expect(livingComment()).toContain(SPELLED.slice(0, 30));
    expect(conclusion()).toBe("success");
    await say("dina", "/route-governor refresh");
    expect(conclusion()).toBe("success");
  });

  it("another bot's comment with the App's markers is not the App's", async () => {
    const { github, say, conclusion } = await harness();
    github.comment(7, { login: "evil[bot]", type: "Bot" }, `<!-- route-governor:comment -->\n${SPELLED}`);
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    expect(github.appComments(7)).toHaveLength(1);
  });
});

describe("a stripped ledger (issue 12, 11)", () => {
  it("is restored from the App's check run, loudly: the comment and the check say the approval record was removed", async () => {
    const { github, say, conclusion, livingComment } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    const own = github.appComments(7)[0]!;
    own.body = own.body.replace(/<!-- route-governor:ledger [^>]+ -->/, "");
    await say("eve", "/route-governor refresh");
    expect(conclusion()).toBe("success");
    const notice = `The approval record was removed or altered (the App's comment no longer holds its approval ledger): restored from the check run Route Governor wrote on ${github.pull(7).head.sha.slice(0, 7)}`;
    expect(livingComment()).toContain(notice);
    expect(github.latestCheckRun(github.pull(7).head.sha)?.output.summary).toContain(notice);
  });
});

describe("retargeting the PR (issue 12, 15)", () => {
  it("approvals given for one base are stale once the PR targets another", async () => {
    const { github, say, deliver, livingComment } = await harness();
    await say("dina", "/approve");
    expect(github.latestCheckRun(github.pull(7).head.sha, "Route Governor (main)")?.conclusion).toBe("success");
    github.pull(7).base.ref = "release";
    await deliver(github.pullRequestEvent("edited", 7));
    expect(github.latestCheckRun(github.pull(7).head.sha, "Route Governor (release)")?.conclusion).toBe("action_required");
    expect(livingComment()).toContain("given when the PR targeted main; it now targets release");
    await say("dina", "/approve");
    expect(github.latestCheckRun(github.pull(7).head.sha, "Route Governor (release)")?.conclusion).toBe("success");
  });
});

describe("a ledger key of its own (issue 12, 18)", () => {
  it("LEDGER_KEY signs, the webhook secret only when it is unset; LEDGER_KEYS_OLD are still accepted", () => {
    expect(ledgerKeys({}, "hook")).toEqual({ ledgerSecret: "hook" });
    expect(ledgerKeys({ LEDGER_KEY: "new", LEDGER_KEYS_OLD: "old1, old2," }, "hook")).toEqual({
      ledgerSecret: "new",
      oldLedgerSecrets: ["old1", "old2"],
    });
  });

  it("rotating the key keeps approvals while the old key is listed; dropping it voids them, loudly", async () => {
    const { say, restart, conclusion, livingComment } = await harness();
    await say("dina", "/approve");
    expect(conclusion()).toBe("success");
    await restart({ ledgerSecret: "rotated", oldLedgerSecrets: [SECRET] });
    await say("eve", "/route-governor refresh");
    expect(conclusion()).toBe("success");
    await restart({ ledgerSecret: "rotated-again" });
    await say("eve", "/route-governor refresh");
    expect(conclusion()).toBe("action_required");
    expect(livingComment()).toContain("The approval record was removed or altered");
  });
});

describe("a submodule bumped under a cluster folder", () => {
  it("is not 'no traffic change': the check names the submodule and asks for review", async () => {
    const { github, conclusion, livingComment } = await harness({
      files: baseTree(),
      submodules: { base: { "clusters/jkt/routes": "1".repeat(40) }, head: { "clusters/jkt/routes": "2".repeat(40) } },
    });
    expect(conclusion()).toBe("action_required");
    const run = github.latestCheckRun(github.pull(7).head.sha)!;
    expect(run.output.title).toBe("high risk · requirements unmet");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: "clusters/jkt/routes", annotation_level: "failure" }));
    expect(livingComment()).toContain("submodule clusters/jkt/routes moved 1111111 → 2222222");
  });
});

describe("two PRs sharing a head commit (issue 12, 13)", () => {
  it("one PR's approval does not overturn the other's hold on the shared check", async () => {
    const { github, head, say, deliver, conclusion } = await harness();
    github.openPull({ number: 8, author: "bob", base: "main", baseSha: github.pull(7).base.sha, headSha: head, body: EVIDENCE_BODY });
    await deliver(github.pullRequestEvent("opened", 8));
    await deliver(github.issueCommentEvent("created", 8, github.comment(8, "sam", "/hold the other copy is not ready")));
    expect(conclusion()).toBe("action_required");
    await say("dina", "/approve");
    expect(conclusion()).toBe("action_required");
    const run = github.latestCheckRun(head)!;
    expect(run.output.title).toBe("blocked by #8 on the same commit");
    expect(run.external_id).toBe("7:pass");
    await deliver(github.issueCommentEvent("created", 8, github.comment(8, "sam", "/unhold")));
    await deliver(github.issueCommentEvent("created", 8, github.comment(8, "dina", "/approve")));
    expect(conclusion()).toBe("success");
    expect(github.latestCheckRun(head)?.external_id).toBe("8:pass");
  });

  it("a run another App writes with the other PR's passing verdict does not lift the block (probe M, 2)", async () => {
    const { github, head, say, deliver } = await harness();
    github.openPull({ number: 8, author: "bob", base: "main", baseSha: github.pull(7).base.sha, headSha: head, body: EVIDENCE_BODY });
    await deliver(github.pullRequestEvent("opened", 8));
    await deliver(github.issueCommentEvent("created", 8, github.comment(8, "sam", "/hold the other copy is not ready")));
    // The PR's own workflow (github-actions, a checks: write token) writes a run of the App's check name, claiming #8 passed.
    github.checkRuns.push({
      id: 999_999,
      app: { id: 15368 },
      name: "Route Governor (main)",
      head_sha: head,
      status: "completed",
      conclusion: "neutral",
      external_id: "8:pass",
      output: {},
      annotations: [],
    });
    await say("dina", "/approve");
    const own = github.checkRuns.filter((run) => run.head_sha === head && run.app.id === github.appId).at(-1)!;
    expect(own.conclusion).toBe("action_required");
    expect(own.output.title).toBe("blocked by #8 on the same commit");
  });
});
