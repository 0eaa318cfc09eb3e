import { describe, expect, it } from "vitest";
import { ApprovalInputSchema, evaluateApprovals, type ApprovalInput } from "../../src/governance/approvals.js";
import { requirementsFor } from "../../src/governance/requirements.js";
import { defaultPolicy } from "../../src/policy/load-policy.js";
import type { Finding } from "../../src/core/finding.js";
import { approve, finding } from "./fixtures.js";

const policy = defaultPolicy();
const weight = finding("backend.weight-changed");
const region = finding("backend.region-added");
const failover = finding("failover.changed");

const evaluate = (findings: Finding[], approvals: ApprovalInput[], options: Partial<typeof policy.options> = {}, lastPushAt?: string) =>
  evaluateApprovals(requirementsFor(findings, policy), approvals, {
    prAuthor: "author",
    commitAuthors: ["author", "pairer"],
    options: { ...policy.options, ...options },
    findings,
    ...(lastPushAt ? { lastPushAt } : {}),
  });

const rule = (result: ReturnType<typeof evaluate>, group: string) => result.rules.find((r) => r.group === group)!;

describe("who may approve (DESIGN §10)", () => {
  it("a service owner who saw the findings satisfies the service-owners rule", () => {
    const result = evaluate([weight], [approve("olive", ["service-owners"], [weight])]);
    expect(rule(result, "service-owners")).toMatchObject({ satisfied: true, approvers: ["olive"], stale: [] });
    expect(result.refused).toEqual([]);
  });

  it.each([
    ["the PR author", approve("Author", ["service-owners"], [weight]), "the PR author cannot approve their own change"],
    ["a commit author", approve("pairer", ["service-owners"], [weight]), "a commit author or pusher cannot approve the change"],
    [
      "an edited comment",
      approve("olive", ["service-owners"], [weight], { edited: true, commentId: 7 }),
      "the comment was edited after posting; post a new /approve",
    ],
    ["a bot", approve("deploy[bot]", ["service-owners"], [weight]), "bots cannot approve"],
    ["someone in no required group", approve("visitor", ["readers"], [weight]), "not a member of a group this PR needs (service-owners)"],
  ])("refuses %s", (_case, approval, reason) => {
    const result = evaluate([weight], [approval]);
    expect(rule(result, "service-owners").satisfied).toBe(false);
    expect(result.refused).toEqual([expect.objectContaining({ login: approval.login, reason })]);
  });

  it("keeps the comment id of a refused approval, to react to it", () => {
    expect(evaluate([weight], [approve("olive", ["service-owners"], [weight], { edited: true, commentId: 7 })]).refused[0]?.commentId).toBe(
      7,
    );
  });

  it.each([
    [{ unlinkedCommits: 1, truncated: false }, "1 commit has an author or committer with an e-mail address linked to no GitHub account"],
    [{ unlinkedCommits: 0, truncated: true }, "GitHub lists only the first 250"],
  ])("counts no approval while some commit author cannot be named (%o), unless authors may approve", (authorship, reason) => {
    const withGaps = (options: Partial<typeof policy.options>) =>
      evaluateApprovals(requirementsFor([weight], policy), [approve("olive", ["service-owners"], [weight])], {
        prAuthor: "author",
        commitAuthors: ["author"],
        authorship,
        options: { ...policy.options, ...options },
        findings: [weight],
      });
    const closed = withGaps({});
    expect(rule(closed, "service-owners").satisfied).toBe(false);
    expect(closed.refused).toEqual([expect.objectContaining({ login: "olive", reason: expect.stringContaining(reason) })]);
    expect(rule(withGaps({ authorMayApprove: true }), "service-owners").satisfied).toBe(true);
  });

  it("an approval given for another base branch is stale", () => {
    const result = evaluateApprovals(
      requirementsFor([weight], policy),
      [approve("olive", ["service-owners"], [weight], { base: "main" })],
      {
        prAuthor: "author",
        commitAuthors: [],
        options: policy.options,
        findings: [weight],
        baseRef: "release",
      },
    );
    expect(rule(result, "service-owners")).toMatchObject({
      satisfied: false,
      stale: [expect.objectContaining({ reason: "given when the PR targeted main; it now targets release" })],
    });
  });

  it("lets authors approve when the policy says so", () => {
    expect(
      rule(evaluate([weight], [approve("author", ["service-owners"], [weight])], { authorMayApprove: true }), "service-owners").satisfied,
    ).toBe(true);
  });

  it.each([
    [true, true],
    [false, false],
  ])("a GitHub review counts when acceptGithubReviews is %s: %s", (accept, counts) => {
    const result = evaluate([weight], [approve("olive", ["service-owners"], [weight], { source: "review" })], {
      acceptGithubReviews: accept,
    });
    expect(rule(result, "service-owners").satisfied).toBe(counts);
    expect(result.refused.map((r) => r.reason)).toEqual(counts ? [] : ["GitHub reviews do not count under this policy; comment /approve"]);
  });
});

describe("cancel, edit and re-approve", () => {
  const at = (time: string) => `2026-11-20T${time}:00Z`;

  it.each([
    [
      "a later /approve cancel retracts",
      [approve("olive", ["service-owners"], [weight], { at: at("10:00") }), approve("olive", [], [], { at: at("11:00"), cancelled: true })],
      false,
    ],
    [
      "an /approve after the cancel counts again",
      [approve("olive", [], [], { at: at("09:00"), cancelled: true }), approve("olive", ["service-owners"], [weight], { at: at("10:00") })],
      true,
    ],
    [
      "an edited cancel still retracts",
      [
        approve("olive", ["service-owners"], [weight], { at: at("10:00") }),
        approve("olive", [], [], { at: at("11:00"), cancelled: true, edited: true }),
      ],
      false,
    ],
    [
      "another person's cancel does not retract",
      [
        approve("olive", ["service-owners"], [weight], { at: at("10:00") }),
        approve("mallory", [], [], { at: at("11:00"), cancelled: true }),
      ],
      true,
    ],
    [
      "an edited approval leaves an earlier valid one standing",
      [
        approve("olive", ["service-owners"], [weight], { at: at("10:00") }),
        approve("olive", ["service-owners"], [weight], { at: at("11:00"), edited: true }),
      ],
      true,
    ],
  ])("%s", (_case, approvals, satisfied) => {
    expect(rule(evaluate([weight], approvals), "service-owners").satisfied).toBe(satisfied);
  });

  it("input order does not matter, only time", () => {
    const approvals = [
      approve("olive", [], [], { at: at("11:00"), cancelled: true }),
      approve("olive", ["service-owners"], [weight], { at: at("10:00") }),
    ];
    expect(rule(evaluate([weight], approvals), "service-owners").satisfied).toBe(false);
  });
});

describe("approvals bind to finding fingerprints", () => {
  it("an approval that did not see a changed finding is stale, naming it", () => {
    const changed = { ...region, fingerprint: "fp:new", summary: "checkout: sgp 10% → 50%" };
    const result = evaluate([weight, changed], [approve("olive", ["service-owners"], [weight, region])]);
    expect(rule(result, "service-owners")).toMatchObject({
      satisfied: false,
      approvers: [],
      stale: [{ login: "olive", reason: "given before these findings changed: checkout: sgp 10% → 50%" }],
    });
  });

  it("a stale approval for one rule still counts for a rule whose findings it saw", () => {
    const changedFailover = { ...failover, fingerprint: "fp:failover-2" };
    const result = evaluate([weight, changedFailover], [approve("bea", ["business-owners", "service-owners"], [weight, failover])]);
    expect(rule(result, "business-owners").satisfied).toBe(false);
    expect(rule(result, "service-owners").stale).toHaveLength(1);
  });

  it("unchanged fingerprints keep approvals across pushes; with invalidateOnSemanticChangeOnly off, any push stales them", () => {
    const approval = approve("olive", ["service-owners"], [weight], { at: "2026-11-20T10:00:00Z" });
    expect(rule(evaluate([weight], [approval], {}, "2026-11-20T11:00:00Z"), "service-owners").satisfied).toBe(true);
    const strict = evaluate([weight], [approval], { invalidateOnSemanticChangeOnly: false }, "2026-11-20T11:00:00Z");
    expect(rule(strict, "service-owners").stale[0]?.reason).toMatch(/before the latest push/);
  });
});

describe("counting people", () => {
  it("one person counts once per rule, however often they approve", () => {
    const own = {
      ...policy,
      requirements: {
        ...policy.requirements,
        "medium-high": { evidence: [], approvals: [{ group: "service-owners", count: 2 }], distinctGroups: 0 },
      },
    };
    const result = evaluateApprovals(
      requirementsFor([weight], own),
      [approve("olive", ["service-owners"], [weight]), approve("OLIVE", ["service-owners"], [weight])],
      {
        prAuthor: "author",
        commitAuthors: [],
        options: own.options,
        findings: [weight],
      },
    );
    expect(result.rules[0]).toMatchObject({ count: 2, satisfied: false, approvers: ["OLIVE"] });
  });

  it("one person in two groups satisfies both rules but only one of the distinct groups", () => {
    const findings = [finding("trust.changed")];
    const both = approve("pat", ["platform-networking", "sre", "service-owners"], findings);
    const alone = evaluate(findings, [both]);
    expect(alone.rules.every((r) => r.satisfied)).toBe(true);
    expect(alone.distinct).toEqual({ required: 2, satisfied: false, assignment: [{ group: "service-owners", login: "pat" }] });

    const withSre = evaluate(findings, [both, approve("sam", ["sre"], findings)]);
    expect(withSre.distinct.satisfied).toBe(true);
    expect(new Set(withSre.distinct.assignment.map((a) => a.login))).toEqual(new Set(["pat", "sam"]));
  });

  it("distinct groups find the assignment that works, not the first one", () => {
    // pat, seen first for sre, could stand for either group; sam only for sre: pat must move to platform.
    const findings = [finding("trust.changed")];
    const rules = ["sre", "platform-networking"].map((group) => ({
      group,
      count: 1,
      fingerprints: [findings[0]!.fingerprint],
      why: ["risk critical"],
    }));
    const result = evaluateApprovals(
      { approvals: rules, distinctGroups: 2 },
      [approve("pat", ["sre", "platform-networking"], findings), approve("sam", ["sre"], findings)],
      { prAuthor: "author", commitAuthors: [], options: policy.options, findings },
    );
    expect(result.distinct).toEqual({
      required: 2,
      satisfied: true,
      assignment: [
        { group: "platform-networking", login: "pat" },
        { group: "sre", login: "sam" },
      ],
    });
  });
});

describe("approval input from the App edge", () => {
  it.each([
    ["an empty login", { login: "", at: "2026-11-20T10:00:00Z", source: "comment" }],
    ["a time without zone", { login: "a", at: "2026-11-20T10:00:00", source: "comment" }],
    ["an unknown source", { login: "a", at: "2026-11-20T10:00:00Z", source: "label" }],
  ])("refuses %s", (_case, input) => expect(ApprovalInputSchema.safeParse(input).success).toBe(false));

  it("defaults flags to false and lists to empty", () => {
    expect(ApprovalInputSchema.parse({ login: "a", at: "2026-11-20T10:00:00Z", source: "review" })).toEqual({
      login: "a",
      at: "2026-11-20T10:00:00Z",
      source: "review",
      groups: [],
      fingerprints: [],
      edited: false,
      cancelled: false,
    });
  });
});
