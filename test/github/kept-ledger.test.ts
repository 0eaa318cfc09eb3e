import { describe, expect, it } from "vitest";
import { ledgerBlock } from "../../src/github/approval-ledger.js";
import { readKeptLedger } from "../../src/github/kept-ledger.js";
import type { PullRequestSource, ReportFacts } from "../../src/github/pull-request-source.js";
import { buildLedger, holdsOf } from "../../src/governance/ledger.js";

const SECRET = "ledger-key";
const APP_ID = 77;
const PR = "acme/traffic#7";
const [OLD, MIDDLE, HEAD] = ["1", "2", "3"].map((digit) => digit.repeat(40)) as [string, string, string];
const NOW = new Date("2026-11-21T12:00:00Z");
const hold = { ref: "comment:5:1", login: "sam", at: "2026-11-21T10:01:00Z", reason: "drill" };
const signed = (pr = PR) =>
  `report\n\n${ledgerBlock({ ...buildLedger(pr, { sha: OLD, since: "2026-11-21T10:00:00Z" }, [], [], { holds: [hold] }), written: "2026-11-21T10:02:00Z" }, SECRET)}`;

/** A source with check runs by commit, the App's labelling, and a log of what was asked. */
function source(runs: Record<string, ReportFacts[]>, labelled: boolean, asked: string[]): PullRequestSource {
  const unused = () => Promise.reject(new Error("not read"));
  return {
    pullRequest: unused,
    tree: unused,
    comments: unused,
    reviews: unused,
    isMember: unused,
    commitAuthors: async () => ({ logins: ["ana"], shas: [OLD, MIDDLE, HEAD], unlinkedCommits: 0, truncated: false }),
    reports: async (sha) => (asked.push(`runs ${sha[0]}`), runs[sha] ?? []),
    labelledBy: async () => (asked.push("events"), labelled),
  };
}

const read = (runs: Record<string, ReportFacts[]>, labelled: boolean, asked: string[] = []) =>
  readKeptLedger(source(runs, labelled, asked), { prKey: PR, headSha: HEAD, ownComments: [], keys: [SECRET], appId: APP_ID, now: NOW });

describe("reading the ledger back from the App's check runs", () => {
  it("on a PR the App never reported on: the head's runs and the PR's events only, and an empty record", async () => {
    const asked: string[] = [];
    const kept = await read({}, false, asked);
    expect(asked).toEqual(["runs 3", "events"]);
    expect(kept.notes).toEqual([]);
    expect(holdsOf(kept.ledger)).toEqual([]);
  });

  it("the comment deleted as a push lands: the newest earlier commit whose run carries the ledger restores it", async () => {
    const asked: string[] = [];
    const kept = await read(
      { [OLD]: [{ sha: OLD, text: signed() }], [MIDDLE]: [{ sha: MIDDLE, text: "an error, no ledger" }] },
      true,
      asked,
    );
    expect(asked).toEqual(["runs 3", "events", "runs 2", "runs 1"]);
    expect(holdsOf(kept.ledger)).toEqual([hold]);
    expect(kept.notes[0]).toContain("restored from the check run Route Governor wrote on 1111111");
  });

  it("a run carrying another PR's ledger is no copy of this one's: nothing restores, and the App holds the PR", async () => {
    const kept = await read({ [OLD]: [{ sha: OLD, text: signed("acme/traffic#8") }] }, true);
    expect(holdsOf(kept.ledger)).toEqual([expect.objectContaining({ ref: expect.stringMatching(/^record:/) })]);
    expect(kept.notes[0]).toContain("the approval ledger belongs to another pull request");
  });
});
