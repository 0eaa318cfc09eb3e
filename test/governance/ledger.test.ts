import { describe, expect, it } from "vitest";
import {
  breakGlassOf,
  buildLedger,
  cancelsOf,
  entriesOf,
  holdsOf,
  ledgerTime,
  isRecordHold,
  mergeLedgers,
  pushersOf,
  type HoldRecord,
  type LedgerCopies,
  type LedgerEntry,
} from "../../src/governance/ledger.js";

const PR = "acme/traffic#7";
const HEAD = { sha: "a".repeat(40), since: "2026-11-21T10:00:00Z" };
const entry = (id: number, login: string, fingerprints: string[]): LedgerEntry => ({
  ref: `comment:${id}`,
  login,
  at: "2026-11-21T10:05:00Z",
  head: HEAD.sha,
  base: "main",
  fingerprints,
});
const hold = (id: number, lifted?: HoldRecord["lifted"]): HoldRecord => ({
  ref: `comment:${id}:1`,
  login: "olga",
  at: "2026-11-21T10:01:00Z",
  reason: "wait",
  ...(lifted ? { lifted } : {}),
});
const valid = (ledger: ReturnType<typeof buildLedger>, written = "2026-11-21T10:10:00Z") =>
  ({ status: "valid", ledger: { ...ledger, written } }) as const;

describe("the ledger's content", () => {
  it("shares the fingerprint sets of entries that saw the same findings, and reads them back", () => {
    const ledger = buildLedger(PR, HEAD, [entry(1, "ana", ["f1"]), entry(2, "bob", ["f1"])], [entry(3, "sam", ["f1", "f2"])]);
    expect(ledger.sets).toEqual([["f1", "f2"], ["f1"]]);
    expect(entriesOf(ledger).map((e) => e.fingerprints)).toEqual([["f1"], ["f1"]]);
    expect(breakGlassOf(ledger)[0]).toEqual(entry(3, "sam", ["f1", "f2"]));
  });

  it("keeps holds that still hold before lifted ones when it has to drop some", () => {
    const lifted = Array.from({ length: 100 }, (_, i) =>
      hold(i + 1, { login: "sam", at: "2026-11-21T10:02:00Z", ref: `comment:${i + 500}` }),
    );
    const ledger = buildLedger(PR, HEAD, [], [], { holds: [...lifted, hold(999)] });
    expect(holdsOf(ledger)).toHaveLength(100);
    expect(holdsOf(ledger)[0]).toEqual(hold(999));
  });

  it("writes times in whole seconds, as GitHub stamps comments", () => {
    expect(ledgerTime(new Date("2026-11-21T10:00:00.789Z"))).toBe("2026-11-21T10:00:00Z");
  });
});

const NOW = new Date("2026-11-21T12:00:00Z");
const merge = (comments: LedgerCopies["comments"], more: Partial<LedgerCopies> = {}) =>
  mergeLedgers(PR, { comments, reportedBefore: comments.length > 0, now: NOW, ...more });

describe("merging the copies in the App's comments", () => {
  it("takes the copy the App signed last first, wherever it sits, then what only older copies hold; the write time is the oldest comment's", () => {
    const NEW_HEAD = { sha: "c".repeat(40), since: "2026-11-21T11:00:00Z" };
    const older = buildLedger(PR, HEAD, [entry(1, "ana", ["f1"]), entry(3, "cho", ["f1"])], [], {
      cancels: [{ ref: "comment:4", login: "bob", at: HEAD.since }],
    });
    const newer = buildLedger(PR, NEW_HEAD, [entry(1, "ana", ["f9"]), entry(2, "bob", ["f1"])]);
    for (const copies of [
      [valid(older, "2026-11-21T10:10:00Z"), valid(newer, "2026-11-21T10:20:00Z")],
      [valid(newer, "2026-11-21T10:20:00Z"), valid(older, "2026-11-21T10:10:00Z")],
    ]) {
      const merged = merge(copies);
      expect(merged.ledger.head).toEqual(NEW_HEAD);
      expect(entriesOf(merged.ledger).map((e) => [e.login, e.fingerprints])).toEqual([
        ["ana", ["f9"]],
        ["bob", ["f1"]],
        ["cho", ["f1"]],
      ]);
      expect(cancelsOf(merged.ledger)).toHaveLength(1);
      expect(merged.lastWritten).toBe(copies[0]!.ledger.written);
      expect(merged.notes).toEqual([]);
    }
  });

  it("keeps a hold that one copy says was lifted and another says still holds (failing closed)", () => {
    const liftedCopy = buildLedger(PR, HEAD, [], [], { holds: [hold(5, { login: "olga", at: HEAD.since, ref: "comment:6" })] });
    const holdingCopy = buildLedger(PR, HEAD, [], [], { holds: [hold(5)] });
    expect(holdsOf(merge([valid(liftedCopy), valid(holdingCopy)]).ledger)).toEqual([hold(5)]);
    expect(holdsOf(merge([valid(holdingCopy), valid(liftedCopy)]).ledger)).toEqual([hold(5)]);
  });

  it("restores a stripped or altered copy from the other comment, says so, and has no write time when the oldest is the bad one", () => {
    const good = buildLedger(PR, HEAD, [entry(1, "ana", ["f1"])]);
    const merged = merge([
      { status: "invalid", reason: "the approval ledger's signature does not verify" },
      valid(good),
      { status: "absent" },
    ]);
    expect(entriesOf(merged.ledger).map((e) => e.login)).toEqual(["ana"]);
    expect(merged.lastWritten).toBeUndefined();
    expect(merged.notes).toEqual([
      "⚠️ The approval record was removed or altered (the approval ledger's signature does not verify): restored from another of the App's comments. (2026-11-21T12:00:00Z)",
      "⚠️ The approval record was removed or altered (the App's comment no longer holds its approval ledger): restored from another of the App's comments. (2026-11-21T12:00:00Z)",
    ]);
  });

  it("starts empty, saying nothing, on a PR the App has not reported on", () => {
    expect(merge([])).toEqual({ ledger: { v: 1, pr: PR, sets: [], approvals: [] }, notes: [] });
  });
});

describe("restoring from the copy in the App's check run", () => {
  const kept = buildLedger(PR, HEAD, [entry(1, "ana", ["f1"])], [], { holds: [hold(5)] });
  const report = { reading: valid(kept), sha: HEAD.sha };

  it("restores a deleted comment's ledger (holds included) and records the loss, which every later report repeats", () => {
    const merged = merge([], { report });
    expect(holdsOf(merged.ledger)).toEqual([hold(5)]);
    expect(entriesOf(merged.ledger).map((e) => e.login)).toEqual(["ana"]);
    const note =
      "⚠️ The approval record was removed or altered (Route Governor's comment was deleted): restored from the check run Route Governor wrote on aaaaaaa, which only the App can write. (2026-11-21T12:00:00Z)";
    expect(merged.notes).toEqual([note]);
    // The next evaluation reads the rewritten comment: the loss is still told.
    expect(merge([valid(merged.ledger)], { now: new Date("2026-11-21T13:00:00Z") }).notes).toEqual([note]);
  });

  it("keeps a hold only the check run's copy still has when the comment's is an older, validly signed one", () => {
    const older = buildLedger(PR, HEAD, [entry(1, "ana", ["f1"])]);
    const merged = merge([valid(older)], { report });
    expect(holdsOf(merged.ledger)).toEqual([hold(5)]);
    expect(merged.notes).toEqual([]);
  });

  it("takes the head from the check run's copy when it is newer than the comment's (the comment write failed, the error report kept the ledger)", () => {
    const pushed = { sha: "c".repeat(40) };
    const merged = merge([valid(buildLedger(PR, HEAD, []), "2026-11-21T10:10:00Z")], {
      report: { reading: valid(buildLedger(PR, pushed, [], [], { holds: [hold(5)] }), "2026-11-21T10:20:00Z"), sha: pushed.sha },
    });
    expect(merged.ledger.head).toEqual(pushed);
    expect(holdsOf(merged.ledger)).toEqual([hold(5)]);
  });

  it("restored from the check run alone, the head is not known since that run: a later head may have been reported on since (A, B, then A)", () => {
    expect(merge([], { report }).ledger.head).toEqual({ sha: HEAD.sha });
    expect(merge([valid(kept)], { report }).ledger.head).toEqual(HEAD);
  });

  it("keeps who pushed, from every copy, each login once", () => {
    const comment = buildLedger(PR, HEAD, [], [], { pushers: ["dina", "ana"] });
    const run = buildLedger(PR, HEAD, [], [], { pushers: ["Dina", "olga"] });
    const merged = merge([valid(comment, "2026-11-21T10:20:00Z")], { report: { reading: valid(run), sha: HEAD.sha } });
    expect(pushersOf(merged.ledger)).toEqual(["dina", "ana", "olga"]);
    expect(pushersOf(merge([], { report: { reading: valid(run), sha: HEAD.sha } }).ledger)).toEqual(["Dina", "olga"]);
  });

  it("a deleted comment whose latest check run carries no copy is not restored from an older one: the PR is held, saying why", () => {
    const merged = merge([], { reportedBefore: true, report: { reading: { status: "absent" }, sha: HEAD.sha } });
    expect(holdsOf(merged.ledger).map(isRecordHold)).toEqual([true]);
    expect(merged.notes).toEqual([
      "⚠️ The approval record was removed or altered (Route Governor's comment was deleted; the App's latest check run of the PR, on aaaaaaa, carries no copy, as its evaluation failed or never finished, and an older run's copy may miss what that evaluation recorded) and no copy could be restored: approvals must be given again and break-glass used again, and Route Governor holds the PR until a member of a break-glass group (a repository admin when the policy names none) has checked its holds and comments /unhold. (2026-11-21T12:00:00Z)",
    ]);
  });

  it("with no copy left on a PR it reported on, holds the PR itself, lifted by no one named", () => {
    const merged = merge([{ status: "invalid", reason: "the approval ledger is malformed" }], {
      report: { reading: { status: "invalid", reason: "the approval ledger's signature does not verify" }, sha: HEAD.sha },
    });
    expect(holdsOf(merged.ledger)).toEqual([
      {
        ref: `record:${NOW.getTime() / 1000}`,
        login: "route-governor",
        at: "2026-11-21T12:00:00Z",
        reason: expect.stringContaining("the approval record was lost"),
      },
    ]);
    expect(isRecordHold(holdsOf(merged.ledger)[0]!)).toBe(true);
    expect(merged.notes[0]).toContain(
      "(the approval ledger is malformed; its check run's copy is void too: the approval ledger's signature does not verify) and no copy could be restored",
    );
    // A deleted comment with nothing to restore: the same, once the App is known to have reported.
    expect(holdsOf(merge([], { reportedBefore: true }).ledger)).toHaveLength(1);
  });
});
