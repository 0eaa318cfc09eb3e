import { describe, expect, it } from "vitest";
import { headClock, type BindingTarget } from "../../src/governance/approval-binding.js";
import { breakGlassCoverage } from "../../src/governance/break-glass-coverage.js";
import { commandUses, type PostedCommand } from "../../src/governance/command-uses.js";
import type { LedgerEntry } from "../../src/governance/ledger.js";

const OLD_HEAD = "a".repeat(40);
const HEAD = "b".repeat(40);
const T0 = "2026-11-21T10:00:00Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString().replace(".000", "");
const target: BindingTarget = { headSha: HEAD, baseRef: "main", current: ["f1", "f2"] };
const clock = headClock({ sha: HEAD, since: T0 }, HEAD, new Date(at(60)));
const URL = "https://github.com/acme/traffic/pull/7#issuecomment-";

/** Authorised /break-glass uses, as judgeCommands hands them on. */
const authorised = (...posts: [id: number, minutes: number][]) =>
  posts.map(([id, minutes]) => {
    const use = commandUses([
      {
        id,
        author: "sam",
        authorIsBot: false,
        body: `/break-glass INC-${id} outage`,
        createdAt: at(minutes),
        updatedAt: at(minutes),
        url: `${URL}${id}`,
      },
    ])[0]!;
    return { use, command: { login: "sam", incident: `INC-${id}`, reason: "outage", at: use.at } };
  });
const refusal = (coverage: { refusals: ReadonlyMap<PostedCommand, string> }) => [...coverage.refusals.values()];

describe("whether a break-glass applies", () => {
  it("applies when posted after the report: bound to the current findings", () => {
    const coverage = breakGlassCoverage(authorised([1, 5]), [], target, clock);
    expect(coverage.applies).toMatchObject({ login: "sam", incident: "INC-1" });
    expect(coverage.entries).toEqual([{ ref: "comment:1", login: "sam", at: at(5), head: HEAD, base: "main", fingerprints: ["f1", "f2"] }]);
    expect(coverage.refusals.size).toBe(0);
    expect(coverage.notes).toEqual([]);
  });

  it("binds every authorised one, but only the latest may apply", () => {
    const coverage = breakGlassCoverage(authorised([1, 5], [2, -5]), [], target, clock);
    expect(coverage.applies).toBeUndefined();
    expect(coverage.entries.map((entry) => entry.ref)).toEqual(["comment:1"]);
    expect(refusal(coverage)).toEqual([
      "break-glass refused: posted before Route Governor reported on head bbbbbbb, so it cannot be tied to what it covers: break glass again",
    ]);
    expect(coverage.notes).toEqual([
      `@sam's break-glass for INC-2 (${URL}2) was posted before Route Governor reported on head bbbbbbb, so it cannot be tied to what it covers: break glass again.`,
    ]);
  });

  it("still applies after a push that leaves every finding one it saw", () => {
    const recorded: LedgerEntry = {
      ref: "comment:3",
      login: "sam",
      at: at(-30),
      head: OLD_HEAD,
      base: "main",
      fingerprints: ["f2", "f1", "f0"],
    };
    expect(breakGlassCoverage(authorised([3, -30]), [recorded], target, clock).applies?.incident).toBe("INC-3");
  });

  it("is stale after a push that changed findings: refused, flagged, the normal requirements apply", () => {
    const recorded: LedgerEntry = { ref: "comment:3", login: "sam", at: at(-30), head: OLD_HEAD, base: "main", fingerprints: ["f1"] };
    const coverage = breakGlassCoverage(authorised([3, -30]), [recorded], target, clock);
    expect(coverage.applies).toBeUndefined();
    expect(coverage.entries).toEqual([recorded]);
    const reason =
      "it was given on head aaaaaaa and 1 of the 2 current findings changed since: it is stale and the normal requirements apply; break glass again to cover them";
    expect(refusal(coverage)).toEqual([`break-glass refused: ${reason}`]);
    expect(coverage.notes).toEqual([`⚠️ @sam's break-glass for INC-3 (${URL}3) no longer applies: ${reason}.`]);
  });

  it("no longer applies once the PR targets another base", () => {
    const recorded: LedgerEntry = { ref: "comment:4", login: "sam", at: at(5), head: HEAD, base: "release", fingerprints: ["f1", "f2"] };
    const coverage = breakGlassCoverage(authorised([4, 5]), [recorded], target, clock);
    expect(coverage.applies).toBeUndefined();
    expect(refusal(coverage)).toEqual([
      "break-glass refused: it was given when the PR targeted release; it now targets main: break glass again",
    ]);
  });

  it("has nothing to say without an authorised break-glass", () => {
    expect(breakGlassCoverage([], [], target, clock)).toEqual({ entries: [], refusals: new Map(), notes: [] });
  });
});
