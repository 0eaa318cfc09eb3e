import { describe, expect, it } from "vitest";
import { bindApprovals, headClock, type BindingTarget } from "../../src/governance/approval-binding.js";
import type { SubmittedReview } from "../../src/governance/approvals.js";
import { commandUses, type PostedComment } from "../../src/governance/command-uses.js";
import { buildLedger, type CancelRecord, type LedgerEntry } from "../../src/governance/ledger.js";

const PR = "acme/traffic#7";
const OLD_HEAD = "a".repeat(40);
const HEAD = "b".repeat(40);
const T0 = "2026-11-21T10:00:00Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000", "");
const target: BindingTarget = { headSha: HEAD, baseRef: "main", current: ["f1", "f2"] };
/** The App reported on HEAD at T0. */
const known = { sha: HEAD, since: T0 };
const members: Record<string, string[]> = { tom: ["service-owners"], sam: ["sre"] };
const groupsOf = (login: string) => members[login.toLowerCase()] ?? [];

const comment = (id: number, author: string, body: string, minutes: number, editedMinutes = minutes): PostedComment => ({
  id,
  author,
  authorIsBot: false,
  body,
  createdAt: at(minutes),
  updatedAt: at(editedMinutes),
  url: `https://github.com/acme/traffic/pull/7#issuecomment-${id}`,
});
const review = (id: number, author: string, state: SubmittedReview["state"], minutes: number, commitId = HEAD): SubmittedReview => ({
  id,
  author,
  authorIsBot: false,
  state,
  submittedAt: at(minutes),
  commitId,
});

const bind = (
  comments: PostedComment[],
  reviews: SubmittedReview[] = [],
  recorded: { entries?: LedgerEntry[]; cancels?: CancelRecord[]; head?: typeof known } = {},
  now = at(60),
) => {
  const ledger = buildLedger(PR, recorded.head ?? known, recorded.entries ?? [], [], { cancels: recorded.cancels ?? [] });
  const clock = headClock(ledger.head, HEAD, new Date(now));
  return bindApprovals({ uses: commandUses(comments), reviews, ledger, target, clock, groupsOf });
};

describe("the head clock", () => {
  it("knows the head since the App first reported on it; a new head is seen now, in whole seconds", () => {
    const clock = headClock(known, HEAD, new Date("2026-11-21T11:00:00.500Z"));
    expect(clock.seenAt).toBe(T0);
    expect(clock.postedAfterReport(T0)).toBe(true);
    expect(clock.postedAfterReport(at(-1))).toBe(false);
    const pushed = headClock({ sha: OLD_HEAD, since: T0 }, HEAD, new Date("2026-11-21T11:00:00.500Z"));
    expect(pushed.seenAt).toBe("2026-11-21T11:00:00Z");
    expect(pushed.postedAfterReport(at(5))).toBe(false);
    expect(headClock(buildLedger(PR, undefined, []).head, HEAD, new Date(T0)).postedAfterReport(at(5))).toBe(false);
    // Reported on, but GitHub's time of that report not yet read back: nothing binds to it yet.
    const unstamped = headClock({ sha: HEAD }, HEAD, new Date(T0));
    expect([unstamped.since, unstamped.postedAfterReport(at(5))]).toEqual([undefined, false]);
  });
});

describe("binding approvals to what they saw", () => {
  it("binds an /approve posted after the report to the current findings, head and base", () => {
    const binding = bind([comment(1, "tom", "/approve", 5)]);
    expect(binding.entries).toEqual([{ ref: "comment:1", login: "tom", at: at(5), head: HEAD, base: "main", fingerprints: ["f1", "f2"] }]);
    expect(binding.approvals[0]).toMatchObject({
      ref: "comment:1",
      url: "https://github.com/acme/traffic/pull/7#issuecomment-1",
      login: "tom",
      source: "comment",
      groups: ["service-owners"],
      fingerprints: ["f1", "f2"],
      base: "main",
      commentId: 1,
      edited: false,
      cancelled: false,
    });
    expect(binding.unbound.size).toBe(0);
    expect(binding.notes).toEqual([]);
  });

  it("leaves an /approve posted before the App reported on the head unbound, and says to approve again", () => {
    const binding = bind([comment(2, "tom", "/approve", -5)]);
    expect(binding.approvals[0]!.fingerprints).toEqual([]);
    expect([...binding.unbound]).toEqual(["comment:2"]);
    expect(binding.notes).toEqual([
      "@tom's approval (https://github.com/acme/traffic/pull/7#issuecomment-2) was given before Route Governor reported on head bbbbbbb, so it cannot be tied to what it approved: approve again.",
    ]);
  });

  it("binds a review only to the head it was given on", () => {
    const binding = bind([], [review(10, "tom", "APPROVED", 1), review(11, "sam", "APPROVED", 2, OLD_HEAD)]);
    expect(binding.entries.map((entry) => [entry.ref, entry.head])).toEqual([["review:10", HEAD]]);
    expect([...binding.unbound]).toEqual(["review:11"]);
    expect(binding.notes).toEqual([
      "@sam's approval (review) was given before Route Governor reported on head bbbbbbb, so it cannot be tied to what it approved: approve again.",
    ]);
  });

  it("keeps a recorded binding after a new push: the approval still saw the old findings (stale where they changed)", () => {
    const recorded = { ref: "comment:3", login: "tom", at: at(-30), head: OLD_HEAD, base: "main", fingerprints: ["f1", "f0"] };
    const binding = bind([comment(3, "tom", "/approve", -30)], [], { entries: [recorded], head: { sha: OLD_HEAD, since: at(-40) } });
    expect(binding.entries).toEqual([recorded]);
    expect(binding.approvals[0]!.fingerprints).toEqual(["f1", "f0"]);
    expect(binding.unbound.size).toBe(0);
  });

  it("does not lend a recorded binding to someone else's comment under the same ref", () => {
    const recorded = { ref: "comment:4", login: "tom", at: at(-30), head: OLD_HEAD, fingerprints: ["f0"] };
    const binding = bind([comment(4, "mallory", "/approve", -30)], [], { entries: [recorded] });
    expect(binding.entries).toEqual([]);
    expect([...binding.unbound]).toEqual(["comment:4"]);
  });

  it("binds nothing for cancels, edited comments and reviews requesting changes", () => {
    const binding = bind(
      [comment(5, "tom", "/approve cancel", 5), comment(6, "sam", "/approve", 6, 7)],
      [review(12, "tom", "CHANGES_REQUESTED", 8), review(13, "tom", "COMMENTED", 9)],
    );
    expect(binding.entries).toEqual([]);
    expect(binding.unbound.size).toBe(0);
    expect(binding.approvals.map((a) => [a.ref, a.cancelled, a.edited, a.fingerprints.length])).toEqual([
      ["comment:5", true, false, 0],
      ["comment:6", false, true, 0],
      ["review:12", true, false, 0],
    ]);
  });

  it("records each approver's latest cancel, and keeps retracting with a recorded cancel whose comment was deleted", () => {
    const deleted = { ref: "comment:20", login: "sam", at: at(3) };
    const binding = bind(
      [
        comment(7, "tom", "/approve", 1),
        comment(8, "tom", "/approve cancel", 2),
        comment(9, "tom", "/approve cancel", 4),
        comment(10, "ana", "/approve cancel", 5),
      ],
      [review(14, "sam", "APPROVED", 1)],
      { cancels: [deleted] },
    );
    expect(binding.approvals.map((a) => a.ref)).toEqual(["comment:7", "comment:8", "comment:9", "comment:10", "comment:20", "review:14"]);
    expect(binding.approvals[4]).toMatchObject({ login: "sam", cancelled: true, groups: [] });
    expect(binding.cancels).toEqual([{ ref: "comment:9", login: "tom", at: at(4) }, deleted]);
  });
});
