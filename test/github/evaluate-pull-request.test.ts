import { describe, expect, it } from "vitest";
import { ledgerBlock, readLedger } from "../../src/github/approval-ledger.js";
import { evaluatePullRequest, type Evaluation } from "../../src/github/evaluate-pull-request.js";
import type { CommentFacts, ReviewFacts } from "../../src/github/pull-request-source.js";
import { checkRunReport, MAX_OUTPUT_CHARS } from "../../src/report/check-run.js";
import { renderMarkdown } from "../../src/report/markdown-report.js";
import { COMMENT_MARKER } from "../../src/report/pr-comment.js";
import { analyzeChange, outcomeOf } from "../../src/review.js";
import { baseTree, EVIDENCE_BODY, headTree, POLICY, POLICY_PATH } from "./fixtures.js";
import { inMemoryPullRequest, type InMemoryPullRequest } from "./in-memory-pull-request.js";

const SECRET = "webhook-secret";
const APP_ID = 77;
const analyze = async (input: Parameters<typeof analyzeChange>[0]) => outcomeOf(analyzeChange(input));
const HEAD = "a".repeat(40);
const T0 = "2026-11-21T10:00:00Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000", "");

let nextId = 1;
const comment = (author: string, body: string, minutes: number, extra: Partial<CommentFacts> = {}): CommentFacts => ({
  id: nextId++,
  author,
  authorIsBot: author.endsWith("[bot]"),
  body,
  createdAt: at(minutes),
  updatedAt: at(minutes),
  url: `https://github.com/acme/traffic/pull/7#c${nextId}`,
  ...extra,
});
const review = (author: string, state: ReviewFacts["state"], minutes: number, commitId = HEAD): ReviewFacts => ({
  id: nextId++,
  author,
  authorIsBot: false,
  state,
  submittedAt: at(minutes),
  commitId,
});

function pullRequest(overrides: Partial<InMemoryPullRequest> = {}): InMemoryPullRequest {
  return {
    facts: {
      owner: "acme",
      repo: "traffic",
      number: 7,
      author: "ana",
      baseRef: "main",
      baseSha: "b".repeat(40),
      headSha: HEAD,
      body: EVIDENCE_BODY,
      bodyUpdatedAt: T0,
      draft: false,
      state: "open",
      labels: [],
      reviewed: { mode: "merge-base", baseSha: "b".repeat(40), headSha: HEAD, description: "merge base → head" },
    },
    base: baseTree(),
    head: headTree(),
    comments: [],
    reviews: [],
    commitAuthors: ["ana"],
    teams: { "acme/checkout-team": ["tom"], "acme/sre": ["sam"], "acme/platform": ["pia"] },
    permissions: {},
    ...overrides,
  };
}

const evaluate = (pr: InMemoryPullRequest, minutes = 60): Promise<Evaluation> =>
  evaluatePullRequest(inMemoryPullRequest(pr), { now: new Date(at(minutes)), secret: SECRET, appId: APP_ID, analyze });

/** The App's comment as it would be after an evaluation: what the next evaluation reads back. */
const appComment = (evaluation: Evaluation): CommentFacts =>
  comment("route-governor[bot]", `${COMMENT_MARKER}\nreport\n\n${ledgerBlock(evaluation.ledger, SECRET)}`, 0, {
    authorIsBot: true,
    appId: APP_ID,
  });

/** The ledger learns the head at minute 0: approvals after that are bound to what they saw. */
async function reported(pr: InMemoryPullRequest): Promise<CommentFacts> {
  return appComment(await evaluate({ ...pr, comments: [] }, 0));
}

const outcome = (evaluation: Evaluation, commentId: number) =>
  evaluation.outcomes.filter((o) => o.commentId === commentId).map((o) => [o.command.kind, o.accepted, o.reply]);

describe("approvals: who counts (DESIGN §10)", () => {
  it("a service owner's /approve after the report satisfies the PR", async () => {
    const pr = pullRequest();
    const approval = comment("dina", "/approve", 5);
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(evaluation.result.decision).toBe("pass");
    expect(outcome(evaluation, approval.id)).toEqual([["approve", true, undefined]]);
    expect(evaluation.approvals).toEqual([
      expect.objectContaining({
        login: "dina",
        status: "counted",
        head: HEAD,
        fingerprints: evaluation.result.analysis.findings.map((f) => f.fingerprint),
      }),
    ]);
  });

  it("an org team member counts (team membership via the API)", async () => {
    const pr = pullRequest();
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), comment("tom", "/approve", 5)] });
    expect(evaluation.result.decision).toBe("pass");
  });

  it.each([
    ["self-approval by the PR author", "ana", "the PR author cannot approve their own change"],
    ["a non-member", "eve", "not a member of a group this PR needs (service-owners)"],
  ])("%s is refused with a reason", async (_, login, reason) => {
    const pr = pullRequest({ teams: { "acme/checkout-team": ["tom", "ana"] } });
    const approval = comment(login, "/approve", 5);
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(evaluation.result.decision).toBe("fail");
    expect(outcome(evaluation, approval.id)).toEqual([["approve", false, reason]]);
  });

  it("a commit author cannot approve", async () => {
    const pr = pullRequest({ commitAuthors: ["ana", "dina"] });
    const approval = comment("dina", "/approve", 5);
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(outcome(evaluation, approval.id)).toEqual([["approve", false, "a commit author or pusher cannot approve the change"]]);
  });

  it("an edited comment carrying /approve does not count and is flagged", async () => {
    const pr = pullRequest();
    const approval = comment("dina", "/approve", 5, { updatedAt: at(6) });
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(evaluation.result.decision).toBe("fail");
    expect(outcome(evaluation, approval.id)).toEqual([["approve", false, "the comment was edited after posting; post a new /approve"]]);
    expect(evaluation.notes).toEqual([expect.stringContaining("was edited after it was posted")]);
  });

  it("bots are ignored entirely", async () => {
    const pr = pullRequest({ teams: { "acme/checkout-team": ["renovate[bot]"] } });
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), comment("renovate[bot]", "/approve", 5)] });
    expect(evaluation.result.decision).toBe("fail");
    expect(evaluation.outcomes).toEqual([]);
  });

  it("a deleted comment retracts (it is simply gone), /approve cancel withdraws", async () => {
    const pr = pullRequest();
    const report = await reported(pr);
    expect((await evaluate({ ...pr, comments: [report] })).result.decision).toBe("fail");
    const cancelled = await evaluate({ ...pr, comments: [report, comment("dina", "/approve", 5), comment("dina", "/approve cancel", 6)] });
    expect(cancelled.result.decision).toBe("fail");
  });

  it("an approval posted before Route Governor reported on the head is not bound to findings it may not have seen", async () => {
    const pr = pullRequest();
    const early = comment("dina", "/approve", 5);
    const evaluation = await evaluate({ ...pr, comments: [early] });
    expect(evaluation.result.decision).toBe("fail");
    expect(outcome(evaluation, early.id)).toEqual([
      ["approve", false, expect.stringContaining("before Route Governor reported on head aaaaaaa")],
    ]);
  });

  it("GitHub reviews: APPROVED on the head counts, CHANGES_REQUESTED withdraws, DISMISSED is gone", async () => {
    const approved = await evaluate(pullRequest({ reviews: [review("dina", "APPROVED", 5)] }));
    expect(approved.result.decision).toBe("pass");
    const withdrawn = await evaluate(pullRequest({ reviews: [review("dina", "APPROVED", 5), review("dina", "CHANGES_REQUESTED", 6)] }));
    expect(withdrawn.result.decision).toBe("fail");
    expect((await evaluate(pullRequest({ reviews: [review("dina", "DISMISSED", 5)] }))).result.decision).toBe("fail");
    const olderHead = await evaluate(pullRequest({ reviews: [review("dina", "APPROVED", 5, "c".repeat(40))] }));
    expect(olderHead.result.decision).toBe("fail");
  });
});

describe("group membership is looked up only where a command needs it (issue 12, 14)", () => {
  it("51 drive-by commenters cost no lookups; an approver is looked up once per group, however often they comment", async () => {
    const pr = pullRequest();
    const source = inMemoryPullRequest({
      ...pr,
      comments: [
        await reported(pr),
        ...Array.from({ length: 51 }, (_, i) => comment(`visitor${i}`, i % 2 ? "nice change" : "/route-governor help", 5)),
        comment("ana", "/evidence rollback git revert HEAD", 5),
        comment("ana", "/hold waiting", 5),
        comment("ana", "/unhold", 6),
        comment("tom", "/approve", 6),
        comment("tom", "/approve again", 7),
      ],
    });
    const lookups: string[] = [];
    const counting = {
      ...source,
      isMember: (login: string, group: Parameters<typeof source.isMember>[1]) => (lookups.push(login), source.isMember(login, group)),
    };
    const evaluation = await evaluatePullRequest(counting, { now: new Date(at(60)), secret: SECRET, appId: APP_ID, analyze });
    expect(evaluation.result.decision).toBe("pass");
    expect(lookups.filter((login) => login !== "tom" && login !== "ana")).toEqual([]);
    expect(lookups.filter((login) => login === "tom")).toHaveLength(4);
  });
});

describe("approvals bind to the fingerprints they saw", () => {
  async function approvedThenPushed(head: Record<string, string>, newHead: string) {
    const pr = pullRequest();
    const approval = comment("dina", "/approve", 5);
    const first = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(first.result.decision).toBe("pass");
    return evaluate({ ...pr, head, facts: { ...pr.facts, headSha: newHead }, comments: [appComment(first), approval] }, 90);
  }

  it("a cosmetic push keeps the approval", async () => {
    const after = await approvedThenPushed(headTree(50, 50, "reviewed by the checkout team"), "d".repeat(40));
    expect(after.result.decision).toBe("pass");
    expect(after.approvals).toEqual([expect.objectContaining({ login: "dina", status: "counted", head: HEAD })]);
  });

  it("a semantic push makes it stale, saying which finding changed", async () => {
    const after = await approvedThenPushed(headTree(60, 40), "e".repeat(40));
    expect(after.result.decision).toBe("fail");
    expect(after.approvals).toEqual([
      expect.objectContaining({ login: "dina", status: "stale", reason: expect.stringContaining("given before these findings changed") }),
    ]);
  });

  it("a ledger whose signature does not verify is ignored and flagged: its approvals must be given again", async () => {
    const pr = pullRequest();
    const approval = comment("dina", "/approve", 5);
    const first = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    const forged = { ...appComment(first), body: appComment(first).body.replace(/ [0-9a-f]{64} -->/, ` ${"0".repeat(64)} -->`) };
    const after = await evaluate({ ...pr, comments: [forged, approval] });
    expect(after.result.decision).toBe("fail");
    expect(after.notes).toContainEqual(expect.stringContaining("signature does not verify"));
  });

  it("refused /approve spam does not push a real approval out of the ledger (issue 12, 9)", async () => {
    const pr = pullRequest();
    const approval = comment("dina", "/approve", 5);
    const spam = [
      ...Array.from({ length: 600 }, () => comment("eve", "/approve", 6)),
      ...Array.from({ length: 120 }, (_, i) => comment(`bot${i}`, "/approve", 7)),
    ];
    const first = await evaluate({ ...pr, comments: [await reported(pr), approval, ...spam] });
    expect(first.result.decision).toBe("pass");
    expect(first.ledger.approvals.map((entry) => entry.login)).toEqual([...Array.from({ length: 50 }, (_, i) => `bot${70 + i}`), "dina"]);
    const pushed = { ...pr, head: headTree(50, 50, "reviewed"), facts: { ...pr.facts, headSha: "d".repeat(40) } };
    const after = await evaluate({ ...pushed, comments: [appComment(first), approval, ...spam] }, 90);
    expect(after.result.decision).toBe("pass");
  });

  it("only the App's own comment carries a ledger: another bot's copy is not read", async () => {
    const pr = pullRequest();
    const copy = { ...(await reported(pr)), appId: 99 };
    const after = await evaluate({ ...pr, comments: [copy, comment("dina", "/approve", 5)] });
    expect(after.ownComments).toEqual([]);
    expect(after.result.decision).toBe("fail");
  });
});

describe("a ledger restored from the comment's edit history is void", () => {
  it("the App's comment edited an hour after its ledger was written: void, the approval is not counted, the report says why", async () => {
    const pr = pullRequest();
    const restored = { ...(await reported(pr)), updatedAt: at(60) };
    const approval = comment("dina", "/approve", 5);
    const after = await evaluate({ ...pr, comments: [restored, approval] }, 61);
    expect(after.result.decision).toBe("fail");
    expect(after.approvals).toEqual([expect.objectContaining({ login: "dina", status: "not counted" })]);
    expect(after.notes).toContainEqual(
      expect.stringContaining(`the App's comment was edited at ${at(60)}, after Route Governor wrote its approval ledger at ${at(0)}`),
    );
    // No copy left to restore from (this source keeps no check runs): the head waits for the
    // report's own time, and the App holds the PR.
    expect(after.ledger).toEqual(expect.objectContaining({ head: { sha: HEAD }, approvals: [], written: at(61) }));
    expect(after.ledger.holds).toEqual([expect.objectContaining({ ref: expect.stringMatching(/^record:/), login: "route-governor" })]);
    expect(after.lastWritten).toBeUndefined();
  });

  it("the App's own edit (updated_at within the tolerance of the write time) keeps it trusted", async () => {
    const pr = pullRequest();
    const written = { ...(await reported(pr)), updatedAt: at(1) };
    const after = await evaluate({ ...pr, comments: [written, comment("dina", "/approve", 5)] }, 61);
    expect(after.result.decision).toBe("pass");
    expect(after.notes).toEqual([]);
    expect([after.lastWritten, after.ledger.written]).toEqual([at(0), at(61)]);
  });

  it("pasting back the ledger of an earlier report on the risky head cannot bind an approval given on a harmless head to it", async () => {
    const RISKY = HEAD;
    const HARMLESS = "c".repeat(40);
    const pr = pullRequest();
    const onHead = (sha: string, tree: Record<string, string>, comments: CommentFacts[], minutes: number) =>
      evaluate({ ...pr, head: tree, facts: { ...pr.facts, headSha: sha }, comments }, minutes);
    const stamped = (evaluation: Evaluation) => ({ ...appComment(evaluation), updatedAt: evaluation.ledger.written });
    const riskyReport = stamped(await onHead(RISKY, headTree(), [], 0));
    const harmlessReport = stamped(await onHead(HARMLESS, headTree(90, 10), [riskyReport], 10));
    const approval = comment("dina", "/approve", 20);
    const approved = stamped(await onHead(HARMLESS, headTree(90, 10), [{ ...riskyReport, body: harmlessReport.body }, approval], 21));
    const back = await onHead(RISKY, headTree(), [approved, approval], 30);
    expect(back.approvals).toEqual([expect.objectContaining({ login: "dina", status: "stale" })]);
    const restored = { ...approved, body: riskyReport.body, updatedAt: at(40) };
    const after = await onHead(RISKY, headTree(), [restored, approval], 45);
    expect(after.result.decision).toBe("fail");
    expect(after.approvals).toEqual([expect.objectContaining({ login: "dina", status: "not counted" })]);
    expect(after.notes).toContainEqual(expect.stringContaining("may be an older copy restored from the comment's edit history"));
  });
});

describe("policy from the base SHA", () => {
  it("a PR editing the policy is governed by the base policy and gets governance.policy-changed", async () => {
    const loosened = POLICY.replace("users: [dina]", "users: [dina, eve]");
    const pr = pullRequest({ head: { ...headTree(), [POLICY_PATH]: loosened } });
    const approval = comment("eve", "/approve", 5);
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), approval] });
    expect(evaluation.result.analysis.findings.map((f) => f.class)).toContain("governance.policy-changed");
    expect(outcome(evaluation, approval.id)).toEqual([["approve", false, expect.stringContaining("not a member")]]);
  });

  it("a base policy saved as .github/route-governor.yaml governs, named as the source", async () => {
    const strict = `${POLICY}classes:\n  backend.weight-changed: { risk: critical }\n`;
    const { [POLICY_PATH]: _yml, ...rest } = baseTree();
    const evaluation = await evaluate(pullRequest({ base: { ...rest, ".github/route-governor.yaml": strict } }));
    expect(evaluation.result.risk).toBe("critical");
    expect(evaluation.result.policySource).toBe(".github/route-governor.yaml at main (bbbbbbb)");
  });

  it("a base with both .yml and .yaml policies is an error naming both (the check fails closed)", async () => {
    await expect(evaluate(pullRequest({ base: { ...baseTree(), ".github/route-governor.yaml": POLICY } }))).rejects.toThrow(
      ".github/route-governor.yml and .github/route-governor.yaml at main (bbbbbbb): both exist",
    );
  });

  it("an invalid base policy is an error (the check fails closed)", async () => {
    await expect(evaluate(pullRequest({ base: { ...baseTree(), [POLICY_PATH]: "groups: [" } }))).rejects.toThrow(
      /route-governor.yml at main/,
    );
  });
});

describe("evidence, holds and break-glass", () => {
  it("/evidence from the author supplies evidence; unknown keys and bad values are refused; outsiders may not", async () => {
    const pr = pullRequest({ facts: { ...pullRequest().facts, body: "" } });
    const good = comment("ana", "/evidence change-request CHG-1\n/evidence rollback git revert HEAD", 5);
    const bad = comment("ana", "/evidence ticket-ish 12\n/evidence change-request 1234", 6);
    const outsider = comment("eve", "/evidence change-request CHG-9", 7);
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), good, bad, outsider, comment("dina", "/approve", 8)] });
    expect(evaluation.result.decision).toBe("pass");
    expect(outcome(evaluation, good.id)).toEqual([
      ["evidence", true, undefined],
      ["evidence", true, undefined],
    ]);
    expect(outcome(evaluation, bad.id)).toEqual([
      ["evidence", false, expect.stringContaining('"ticket-ish" is not an evidence key')],
      ["evidence", false, expect.stringContaining("change-request:")],
    ]);
    expect(outcome(evaluation, outsider.id)).toEqual([["evidence", false, expect.stringContaining("only the PR author")]]);
  });

  it("/hold blocks until its author or an override group member cancels; others cannot", async () => {
    const pr = pullRequest();
    const base = [await reported(pr), comment("dina", "/approve", 5), comment("tom", "/hold waiting for JKT", 6)];
    expect((await evaluate({ ...pr, comments: base })).result.governance.state).toBe("held");
    const refused = comment("dina", "/hold cancel", 7);
    const stillHeld = await evaluate({ ...pr, comments: [...base, refused] });
    expect(stillHeld.result.governance.state).toBe("held");
    expect(outcome(stillHeld, refused.id)).toEqual([["hold-cancel", false, expect.stringContaining("no hold that @dina may lift")]]);
    expect((await evaluate({ ...pr, comments: [...base, comment("tom", "/hold cancel", 7)] })).result.decision).toBe("pass");
    expect((await evaluate({ ...pr, comments: [...base, comment("sam", "/hold cancel", 7)] })).result.decision).toBe("pass");
  });

  it("/break-glass by an SRE passes loudly; by anyone else it is refused", async () => {
    const pr = pullRequest({ facts: { ...pullRequest().facts, body: "" } });
    const sre = comment("sam", "/break-glass INC-77 checkout is down in jkt", 5);
    const passed = await evaluate({ ...pr, comments: [await reported(pr), sre] });
    expect(passed.result.governance.state).toBe("break-glass");
    expect(passed.result.decision).toBe("pass");
    expect(outcome(passed, sre.id)).toEqual([["break-glass", true, undefined]]);
    const author = comment("ana", "/break-glass INC-77 please", 5);
    const refused = await evaluate({ ...pr, comments: [await reported(pr), author] });
    expect(refused.result.decision).toBe("fail");
    expect(outcome(refused, author.id)).toEqual([["break-glass", false, "only members of sre or platform-networking may break glass"]]);
  });

  it("help answers with the command list; an unknown /route-governor command is refused with it", async () => {
    const pr = pullRequest();
    const help = comment("eve", "/route-governor help", 5);
    const unknown = comment("eve", "/route-governor deploy", 6);
    const evaluation = await evaluate({ ...pr, comments: [help, unknown] });
    expect(outcome(evaluation, help.id)).toEqual([["help", true, expect.stringContaining("/break-glass <incident-id> <reason>")]]);
    expect(outcome(evaluation, unknown.id)).toEqual([
      ["invalid", false, expect.stringMatching(/^unknown command; try \/route-governor help\n\n`\/approve/)],
    ]);
  });

  it("a hostile /hold reason reaches the check run summary as text: no link, no image, no @team ping", async () => {
    const pr = pullRequest();
    const hold = comment(
      "ana",
      "/hold [Approved by SRE ✅](https://evil.example/login) ![x](https://evil.example/x.png) <img src=https://evil.example/y.png> @acme/everyone",
      5,
    );
    const evaluation = await evaluate({ ...pr, comments: [await reported(pr), hold] });
    expect(evaluation.result.governance.state).toBe("held");
    const { summary, title } = checkRunReport(evaluation.result, renderMarkdown(evaluation.result), {}, evaluation.notes);
    const held = summary.split("\n").find((line) => line.includes("held by"))!;
    expect(held).toBe(
      "- ✗ held by @\u200bana: \\[Approved by SRE ✅\\](https://evil.example/login) !\\[x\\](https://evil.example/x.png) \\<img src=https://evil.example/y.png\\> @\u200bacme/everyone",
    );
    // Unescaped, any of these would render: a link, an image, an HTML tag, a team ping.
    expect(`${title}\n${summary}`).not.toMatch(/(?<!\\)\]\(|(?<!\\)<img|@acme/);
  });
});

describe("the check run's copy of the ledger", () => {
  it("ends the check run's text, whole, however long the report, and reads back without an edit time", async () => {
    const evaluation = await evaluate(pullRequest());
    const block = ledgerBlock(evaluation.ledger, SECRET);
    const huge = `${renderMarkdown(evaluation.result)}\n${"line\n".repeat(20_000)}`;
    const { text } = checkRunReport(evaluation.result, huge, {}, [], undefined, block);
    expect(text.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(text.endsWith(`\n${block}`)).toBe(true);
    expect(readLedger(text, SECRET, "acme/traffic#7")).toEqual({ status: "valid", ledger: evaluation.ledger });
  });

  it("leaves a head first reported on now without a time, for GitHub's stamp on the report; the comment's edit time gives it", async () => {
    const evaluation = await evaluate(pullRequest());
    expect(evaluation.ledger.head).toEqual({ sha: HEAD });
    const stamped = readLedger(ledgerBlock(evaluation.ledger, SECRET), SECRET, "acme/traffic#7", at(61));
    expect(stamped.status === "valid" && stamped.ledger.head).toEqual({ sha: HEAD, since: at(61) });
  });
});

describe("break-glass binds to the head and findings it covered", () => {
  const H1 = "1".repeat(40);
  const H2 = "2".repeat(40);

  /** sam breaks glass on H1 after the App reported on it; then the author pushes `head` as H2. */
  async function brokenThenPushed(head: Record<string, string>) {
    const pr = pullRequest({ facts: { ...pullRequest().facts, headSha: H1, body: "" } });
    const glass = comment("sam", "/break-glass INC-42 checkout is down in jkt", 5);
    const first = await evaluate({ ...pr, comments: [await reported(pr), glass] });
    expect(first.result.governance.state).toBe("break-glass");
    const pushed = { ...pr, head, facts: { ...pr.facts, headSha: H2 } };
    return { glass, after: await evaluate({ ...pushed, comments: [appComment(first), glass] }, 90) };
  }

  it("a semantic push (a new route) makes it stale: the normal requirements apply and both the comment and the check say so", async () => {
    const evil = {
      ...headTree(),
      "routes/admin.yaml": headTree()
        ["routes/checkout.yaml"]!.replace("name: checkout", "name: admin")
        .replace("shop.example.com", "admin.example.com"),
    };
    const { glass, after } = await brokenThenPushed(evil);
    expect(after.result.decision).toBe("fail");
    expect(after.result.governance.state).not.toBe("break-glass");
    expect(after.result.governance.breakGlass).toBeUndefined();
    expect(outcome(after, glass.id)).toEqual([
      ["break-glass", false, expect.stringMatching(/given on head 1111111 and 1 of the 2 current findings changed since: it is stale/)],
    ]);
    expect(after.notes).toContainEqual(expect.stringContaining("@sam's break-glass for INC-42"));
    expect(checkRunReport(after.result, renderMarkdown(after.result), {}, after.notes).summary).toContain("no longer applies");
  });

  it("a semantic push to existing findings (other weights) makes it stale too", async () => {
    const { after } = await brokenThenPushed(headTree(10, 90));
    expect(after.result.decision).toBe("fail");
  });

  it("a cosmetic push keeps it: still break-glass, still recorded in the ledger", async () => {
    const { after } = await brokenThenPushed(headTree(50, 50, "incident INC-42"));
    expect(after.result.governance.state).toBe("break-glass");
    expect(after.result.decision).toBe("pass");
    expect(after.ledger.breakGlass).toHaveLength(1);
  });

  it("a break-glass posted before the App reported on the head is not bound: refused, break glass again", async () => {
    const pr = pullRequest({ facts: { ...pullRequest().facts, body: "" } });
    const early = comment("sam", "/break-glass INC-42 checkout is down", 5);
    const evaluation = await evaluate({ ...pr, comments: [early] });
    expect(evaluation.result.decision).toBe("fail");
    expect(outcome(evaluation, early.id)).toEqual([
      ["break-glass", false, expect.stringContaining("posted before Route Governor reported on head aaaaaaa")],
    ]);
  });
});
