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

const read = (runs: Record<string, ReportFacts[]>, labelled: boolean, asked: string[] = [], firstRun?: number) =>
  readKeptLedger(source(runs, labelled, asked), {
    prKey: PR,
    headSha: HEAD,
    ownComments: [],
    keys: [SECRET],
    appId: APP_ID,
    now: NOW,
    ...(firstRun === undefined ? {} : { firstRun }),
  });
const isRecordHold = expect.objectContaining({ ref: expect.stringMatching(/^record:/) });

describe("reading the ledger back from the App's check runs", () => {
  it("on a PR the App never reported on: the head's runs and the PR's events only, and an empty record", async () => {
    const asked: string[] = [];
    const kept = await read({}, false, asked);
    expect(asked).toEqual(["runs 3", "events"]);
    expect(kept.notes).toEqual([]);
    expect(holdsOf(kept.ledger)).toEqual([]);
  });

  it("the comment deleted as a push lands: the newest earlier commit with a run restores from its newest run", async () => {
    const asked: string[] = [];
    const kept = await read({ [OLD]: [{ id: 1, sha: OLD, text: signed() }] }, true, asked);
    expect(asked).toEqual(["runs 3", "events", "runs 2", "runs 1"]);
    expect(holdsOf(kept.ledger)).toEqual([hold]);
    expect(kept.notes[0]).toContain("restored from the check run Route Governor wrote on 1111111");
  });

  it("a run carrying another PR's ledger is no copy of this one's: nothing restores, and the App holds the PR", async () => {
    const kept = await read({ [OLD]: [{ id: 1, sha: OLD, text: signed("acme/traffic#8") }] }, true);
    expect(holdsOf(kept.ledger)).toEqual([isRecordHold]);
    expect(kept.notes[0]).toContain("the approval ledger belongs to another pull request");
  });

  it("the newest run carries no copy (failed or unfinished after a comment write): an older run's copy does not stand in, and the App holds the PR", async () => {
    const runs = [
      { id: 9, sha: HEAD, text: "" },
      { id: 4, sha: HEAD, text: signed() },
    ];
    const kept = await read({ [HEAD]: runs }, false);
    expect(holdsOf(kept.ledger)).toEqual([isRecordHold]);
    expect(kept.notes[0]).toContain("the App's latest check run of the PR, on 3333333, carries no copy");
    // On an earlier commit too: the newest run there decides.
    const earlier = await read(
      { [MIDDLE]: [{ id: 8, sha: MIDDLE, text: "an error, no ledger" }], [OLD]: [{ id: 2, sha: OLD, text: signed() }] },
      true,
    );
    expect(holdsOf(earlier.ledger)).toEqual([isRecordHold]);
  });

  it("the runs this evaluation opened are not earlier reports: the one before them restores the record", async () => {
    const runs = [
      { id: 9, sha: HEAD, text: "" },
      { id: 4, sha: HEAD, text: signed() },
    ];
    const kept = await read({ [HEAD]: runs }, false, [], 9);
    expect(holdsOf(kept.ledger)).toEqual([hold]);
    expect(kept.notes[0]).toContain("restored from the check run Route Governor wrote on 3333333");
  });

  it("a first evaluation that failed before it made a ledger leaves no record to lose", async () => {
    const kept = await read({ [HEAD]: [{ id: 4, sha: HEAD, text: "an error, no ledger" }] }, false);
    expect(kept.notes).toEqual([]);
    expect(holdsOf(kept.ledger)).toEqual([]);
  });
});
