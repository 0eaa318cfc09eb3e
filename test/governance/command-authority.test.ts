import { describe, expect, it } from "vitest";
import type { SubmittedReview } from "../../src/governance/approvals.js";
import {
  authorityOf,
  judgeCommands,
  needsGroups,
  standingHolds,
  whoseGroupsMatter,
  type CommandUse,
} from "../../src/governance/command-authority.js";
import { recordHoldLifters } from "../../src/governance/override-groups.js";
import { parseSlashCommands } from "../../src/governance/slash-commands.js";
import { defaultPolicy } from "../../src/policy/load-policy.js";

const policy = {
  ...defaultPolicy(),
  groups: { sre: { users: ["sam"], teams: [] }, "service-owners": { users: ["olga"], teams: [] } },
  breakGlass: { ...defaultPolicy().breakGlass, groups: ["sre", "no-such-group"] },
};
const members: Record<string, string[]> = { sam: ["sre"], olga: ["service-owners"] };
const authority = authorityOf(policy, { prAuthor: "ana", commitAuthors: ["carl"], groupsOf: (login) => members[login] ?? [] });

let id = 0;
const use = (author: string, body: string, minute: number, edited = false): CommandUse => ({
  commentId: ++id,
  author,
  at: `2026-11-22T10:${String(minute).padStart(2, "0")}:00Z`,
  command: parseSlashCommands(body)[0]!,
  edited,
});

describe("who may do what with a slash command", () => {
  it("takes evidence and holds from the PR's authors and group members only", () => {
    const uses = [
      use("ana", "/evidence cr CHG-1", 1),
      use("mallory", "/evidence cr CHG-2", 2),
      use("olga", "/hold wait", 3),
      use("mallory", "/hold no", 4),
    ];
    const judged = judgeCommands(uses, authority, []);
    expect(judged.evidence.map((e) => e.value)).toEqual(["CHG-1"]);
    expect([...judged.holds.values()].map((hold) => hold.login)).toEqual(["olga"]);
    expect([...judged.refusals.values()]).toEqual([
      "only the PR author, commit authors and members of the policy's groups may supply evidence",
      "only the PR author, commit authors and members of the policy's groups may hold a PR",
    ]);
  });

  it("lets the holder or a break-glass group member lift a hold, nobody else, and not with an edited comment", () => {
    const hold = use("olga", "/hold wait", 1);
    const uses = [hold, use("ana", "/unhold", 2), use("sam", "/unhold", 4, true), use("sam", "/unhold", 3)];
    const judged = judgeCommands(uses, authority, []);
    expect([...judged.holds.values()][0]!.lifted?.login).toBe("sam");
    expect([...judged.refusals.values()]).toEqual([
      "no hold that @ana may lift (the holder or a member of sre can)",
      "the comment was edited after posting; post a new /unhold",
    ]);
  });

  it("lets only a break-glass group member lift the App's own hold on a lost record, not a person named like its holder", () => {
    const record = {
      ref: "record:1795341600",
      login: "route-governor",
      at: "2026-11-22T09:00:00Z",
      reason: "the approval record was lost",
    };
    const uses = [use("route-governor", "/unhold", 1), use("olga", "/unhold", 2), use("sam", "/unhold", 3)];
    const judged = judgeCommands(uses, authority, [record]);
    expect(judged.holds.get(record.ref)?.lifted).toMatchObject({ login: "sam" });
    expect([...judged.refusals.values()]).toHaveLength(2);
    expect(standingHolds([record])).toEqual([
      { login: "route-governor", reason: "the approval record was lost", at: record.at, byApp: true },
    ]);
  });

  it("with no break-glass group that exists, a repository admin lifts the App's own hold, and only that one; the report and refusals say so", () => {
    const record = {
      ref: "record:1795341600",
      login: "route-governor",
      at: "2026-11-22T09:00:00Z",
      reason: "the approval record was lost",
    };
    const noGroups = { ...policy, breakGlass: { ...policy.breakGlass, groups: [] } };
    const people = { prAuthor: "ana", commitAuthors: [], groupsOf: (login: string) => members[login] ?? [] };
    const withAdmin = authorityOf(noGroups, { ...people, inRecordHoldFallback: (login) => login === "ada" });
    const olgaHold = use("olga", "/hold wait", 1);
    const judged = judgeCommands([olgaHold, use("sam", "/unhold", 2), use("ada", "/unhold", 3)], withAdmin, [record]);
    expect(judged.holds.get(record.ref)?.lifted).toMatchObject({ login: "ada" });
    expect(judged.holds.get(`comment:${olgaHold.commentId}:1`)?.lifted).toBeUndefined();
    expect([...judged.refusals.values()]).toEqual([
      "no hold that @sam may lift (the holder can, and a repository admin can lift Route Governor's own hold, as the policy names no break-glass group that exists)",
    ]);
    expect(recordHoldLifters(noGroups)).toBe("a repository admin (the policy names no break-glass group that exists)");
    expect(recordHoldLifters(policy)).toBe("a member of sre");
    // Not looked up: no one lifts it.
    expect(
      judgeCommands([use("ada", "/unhold", 3)], authorityOf(noGroups, people), [record]).holds.get(record.ref)?.lifted,
    ).toBeUndefined();
  });

  it("keeps a recorded hold whose comment was deleted, and never records a hold twice", () => {
    const recorded = { ref: "comment:900:1", login: "olga", at: "2026-11-22T09:00:00Z", reason: "freeze" };
    const judged = judgeCommands([{ ...use("olga", "/hold freeze", 1), commentId: 900 }], authority, [recorded]);
    expect([...judged.holds.values()]).toEqual([recorded]);
  });

  it("lets only existing break-glass groups break glass, in posting order, never from an edited comment", () => {
    const uses = [
      use("sam", "/break-glass INC-2 later", 5),
      use("olga", "/break-glass INC-3 no", 2),
      use("sam", "/break-glass INC-1 first", 1),
      use("sam", "/break-glass INC-4 x", 6, true),
    ];
    const judged = judgeCommands(uses, authority, []);
    expect(judged.breakGlass.map((b) => b.command.incident)).toEqual(["INC-1", "INC-2"]);
    expect([...judged.refusals.values()]).toEqual([
      "only members of sre may break glass",
      "the comment was edited after posting; post a new /break-glass",
    ]);
    const none = authorityOf(
      { ...policy, breakGlass: { ...policy.breakGlass, groups: ["ghosts"] } },
      { prAuthor: "ana", commitAuthors: [], groupsOf: () => ["sre"] },
    );
    expect(none.overrides("sam")).toBe(false);
    expect(none.overrideNames).toBe("a break-glass group (the policy names none that exists)");
  });

  it("looks up groups only where the answer matters", () => {
    const command = (body: string) => parseSlashCommands(body)[0]!;
    expect(needsGroups(command("/approve"), true)).toBe(true);
    expect(needsGroups(command("/evidence cr CHG-1"), true)).toBe(false);
    expect(needsGroups(command("/evidence cr CHG-1"), false)).toBe(true);
    expect(needsGroups(command("/route-governor help"), false)).toBe(false);
  });

  it("looks up the groups of command authors who need them and of approving reviewers, once each", () => {
    const review = (author: string, state: SubmittedReview["state"], authorIsBot = false): SubmittedReview => ({
      id: ++id,
      author,
      authorIsBot,
      state,
      submittedAt: "2026-11-22T10:00:00Z",
      commitId: "a".repeat(40),
    });
    const uses = [
      use("ana", "/evidence cr CHG-1", 1),
      use("Mallory", "/hold x", 2),
      use("sam", "/approve", 3),
      use("dora", "/route-governor help", 4),
    ];
    const reviews = [
      review("SAM", "APPROVED"),
      review("rita", "CHANGES_REQUESTED"),
      review("renovate[bot]", "APPROVED", true),
      review("pia", "APPROVED"),
    ];
    expect([...whoseGroupsMatter(uses, reviews, { prAuthor: "ana", commitAuthors: ["carl"] })]).toEqual(["mallory", "sam", "pia"]);
  });

  it("hands the decision only the holds that still hold", () => {
    const lifted = {
      ref: "comment:1:1",
      login: "olga",
      at: "2026-11-22T09:00:00Z",
      reason: "a",
      lifted: { login: "sam", at: "2026-11-22T09:10:00Z", ref: "comment:2" },
    };
    const holding = { ref: "comment:3:1", login: "ana", at: "2026-11-22T09:20:00Z", reason: "b" };
    expect(standingHolds([lifted, holding])).toEqual([{ login: "ana", reason: "b", at: "2026-11-22T09:20:00Z" }]);
  });
});
