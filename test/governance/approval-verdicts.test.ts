import { describe, expect, it } from "vitest";
import { bindApprovals, headClock } from "../../src/governance/approval-binding.js";
import { approvalRecords, approvalVerdicts, entriesToKeep } from "../../src/governance/approval-verdicts.js";
import { evaluateApprovals } from "../../src/governance/approvals.js";
import { commandUses, type PostedComment } from "../../src/governance/command-uses.js";
import { buildLedger, type LedgerEntry } from "../../src/governance/ledger.js";
import { requirementsFor } from "../../src/governance/requirements.js";
import { defaultPolicy } from "../../src/policy/load-policy.js";
import { finding } from "./fixtures.js";

const policy = defaultPolicy();
const PR = "acme/traffic#7";
const OLD_HEAD = "a".repeat(40);
const HEAD = "b".repeat(40);
const T0 = "2026-11-21T10:00:00Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000", "");
const weight = finding("backend.weight-changed");
const target = { headSha: HEAD, baseRef: "main", current: [weight.fingerprint] };
const owners = new Set(["tom", "olga", "pia", "ana"]);
const groupsOf = (login: string) => (owners.has(login.toLowerCase()) ? ["service-owners"] : []);

const comment = (id: number, author: string, body: string, minutes: number): PostedComment => ({
  id,
  author,
  authorIsBot: false,
  body,
  createdAt: at(minutes),
  updatedAt: at(minutes),
  url: `https://github.com/acme/traffic/pull/7#issuecomment-${id}`,
});

/** Binds, decides the approvals as the decision would, and judges each. */
function settle(comments: PostedComment[], recorded: LedgerEntry[] = []) {
  const ledger = buildLedger(PR, { sha: HEAD, since: T0 }, recorded);
  const binding = bindApprovals({
    uses: commandUses(comments),
    reviews: [],
    ledger,
    target,
    clock: headClock(ledger.head, HEAD, new Date(at(60))),
    groupsOf,
  });
  const evaluation = evaluateApprovals(requirementsFor([weight], policy), binding.approvals, {
    prAuthor: "ana",
    commitAuthors: [],
    options: policy.options,
    findings: [weight],
  });
  const verdictOf = approvalVerdicts(evaluation, binding, HEAD);
  return { binding, verdictOf };
}

describe("what became of each approval", () => {
  it("counts one bound to the current findings; refuses the PR author's; calls one that saw other findings stale; refuses an unbound one", () => {
    const stale: LedgerEntry = { ref: "comment:3", login: "olga", at: at(-30), head: OLD_HEAD, base: "main", fingerprints: ["fp:old"] };
    const { binding, verdictOf } = settle(
      [
        comment(1, "tom", "/approve", 5),
        comment(2, "ana", "/approve", 6),
        comment(3, "olga", "/approve", -30),
        comment(4, "pia", "/approve", -5),
      ],
      [stale],
    );
    expect(binding.approvals.map((approval) => verdictOf(approval))).toEqual([
      { status: "counted" },
      { status: "not counted", reason: "the PR author cannot approve their own change" },
      { status: "stale", reason: "given before these findings changed: backend.weight-changed on checkout" },
      { status: "not counted", reason: "given before Route Governor reported on head bbbbbbb; approve again" },
    ]);
  });

  it("shows every approval not cancelled in the record, with the head it was bound on", () => {
    const { binding, verdictOf } = settle([
      comment(1, "tom", "/approve", 5),
      comment(2, "olga", "/approve cancel", 6),
      comment(4, "pia", "/approve", -5),
    ]);
    expect(approvalRecords(binding, verdictOf)).toEqual([
      {
        login: "tom",
        at: at(5),
        source: "comment",
        url: "https://github.com/acme/traffic/pull/7#issuecomment-1",
        head: HEAD,
        fingerprints: [weight.fingerprint],
        status: "counted",
      },
      {
        login: "pia",
        at: at(-5),
        source: "comment",
        url: "https://github.com/acme/traffic/pull/7#issuecomment-4",
        fingerprints: [],
        status: "not counted",
        reason: "given before Route Governor reported on head bbbbbbb; approve again",
      },
    ]);
  });
});

describe("which bindings the ledger keeps", () => {
  it("keeps each person's latest approval, refused ones first (where the ledger drops from when full)", () => {
    const { binding, verdictOf } = settle([
      comment(1, "tom", "/approve", 5),
      comment(2, "tom", "/approve", 7),
      comment(3, "ana", "/approve", 6),
      comment(4, "mallory", "/approve", 8),
    ]);
    expect(entriesToKeep(binding, verdictOf).map((entry) => entry.ref)).toEqual(["comment:3", "comment:4", "comment:2"]);
  });

  it("keeps the refused approvals of at most 50 people, the latest, and one approval per person whatever the case of the login", () => {
    const many = Array.from({ length: 60 }, (_, i) => comment(100 + i, `drive-by-${i}`, "/approve", 10));
    const { binding, verdictOf } = settle([comment(1, "Tom", "/approve", 5), ...many, comment(2, "tom", "/approve", 9)]);
    const kept = entriesToKeep(binding, verdictOf);
    expect(kept).toHaveLength(51);
    expect(kept[0]!.login).toBe("drive-by-10");
    expect(kept.at(-1)!.ref).toBe("comment:2");
  });
});
