import { describe, expect, it } from "vitest";
import { EDIT_TOLERANCE_MS, ledgerBlock, readLedger } from "../../src/github/approval-ledger.js";
import { buildLedger, entriesOf } from "../../src/governance/ledger.js";

const PR = "acme/traffic#7";
const entry = (id: number, fingerprints: string[]) => ({
  ref: `comment:${id}`,
  login: `user${id}`,
  at: "2026-11-21T10:00:00Z",
  head: "a".repeat(40),
  fingerprints,
});
const WRITTEN = "2026-11-21T10:30:00Z";
const ledger = {
  ...buildLedger(PR, { sha: "a".repeat(40), since: "2026-11-21T09:00:00Z" }, [
    entry(1, ["f1", "f2"]),
    entry(2, ["f1", "f2"]),
    entry(3, ["f3"]),
  ]),
  written: WRITTEN,
};
/** GitHub's `updated_at` of the App's comment, `ms` after the ledger was written. */
const editedAfter = (ms: number) => new Date(Date.parse(WRITTEN) + ms).toISOString();

describe("approval ledger", () => {
  it("round-trips through its signed hidden block, sharing fingerprint sets", () => {
    const reading = readLedger(`report\n\n${ledgerBlock(ledger, "secret")}`, "secret", PR, WRITTEN);
    expect(reading.status).toBe("valid");
    if (reading.status !== "valid") return;
    expect(reading.ledger.sets).toHaveLength(2);
    expect(entriesOf(reading.ledger)).toEqual(entriesOf(ledger));
    expect(reading.ledger.written).toBe(WRITTEN);
  });

  it("reads only the block that ends the comment: a look-alike earlier in the report is neither read nor fatal", () => {
    const spelled = `<!-- route-governor:ledger AAAA ${"0".repeat(64)} -->`;
    const reading = readLedger(`report: route /x${spelled}\n\n${ledgerBlock(ledger, "secret")}\n`, "secret", PR, WRITTEN);
    expect(reading.status).toBe("valid");
    expect(readLedger(`${ledgerBlock(ledger, "secret")}\ntrailing text`, "secret", PR, WRITTEN)).toEqual({
      status: "invalid",
      reason: "the approval ledger is malformed",
    });
  });

  it("is void when the bot comment was edited: signature, payload, another PR or another secret", () => {
    const block = ledgerBlock(ledger, "secret");
    const forged = ledgerBlock({ ...buildLedger(PR, ledger.head, [entry(9, ["f9"])]), written: WRITTEN }, "guess");
    expect(readLedger(forged, "secret", PR, WRITTEN)).toEqual({
      status: "invalid",
      reason: "the approval ledger's signature does not verify",
    });
    const [, payload, signature] = /ledger (\S+) (\S+)/.exec(block)!;
    const tampered = block
      .replace(payload!, `${payload!.slice(0, -2)}${payload!.endsWith("AA") ? "BB" : "AA"}`)
      .replace(signature!, signature!);
    expect(readLedger(tampered, "secret", PR, WRITTEN).status).toBe("invalid");
    expect(readLedger(block, "secret", "acme/traffic#8", WRITTEN)).toEqual({
      status: "invalid",
      reason: "the approval ledger belongs to another pull request",
    });
    expect(readLedger(block.replace(/[0-9a-f]{64}/, "zz"), "secret", PR, WRITTEN)).toEqual({
      status: "invalid",
      reason: "the approval ledger is malformed",
    });
    expect(readLedger("no ledger here", "secret", PR, WRITTEN)).toEqual({ status: "absent" });
  });

  it("stays within its block size by dropping the oldest approvals (they must be given again)", () => {
    const many = Array.from({ length: 400 }, (_, index) =>
      entry(
        index,
        Array.from({ length: 60 }, (_, f) => `${index}-${f}-${"x".repeat(20)}`),
      ),
    );
    const block = ledgerBlock({ ...buildLedger(PR, undefined, many), written: WRITTEN }, "secret");
    const reading = readLedger(block, "secret", PR, WRITTEN);
    expect(block.length).toBeLessThan(41_000);
    expect(reading.status).toBe("valid");
    if (reading.status === "valid") expect(reading.ledger.approvals.at(-1)?.ref).toBe("comment:399");
    if (reading.status === "valid") expect(reading.ledger.written).toBe(WRITTEN);
  });

  it.each([
    ["GitHub stamps the App's own edit a little after the write", "valid", 2_000],
    ["clock skew and latency up to the tolerance", "valid", EDIT_TOLERANCE_MS],
    ["an edit an hour after the write (an older ledger restored from the edit history)", "invalid", 3_600_000],
  ])("comment edited vs ledger written: %s → %s", (_, status, ms) => {
    expect(readLedger(ledgerBlock(ledger, "secret"), "secret", PR, editedAfter(ms)).status).toBe(status);
  });

  it("a comment edited after the App wrote its ledger voids it, saying when", () => {
    expect(readLedger(ledgerBlock(ledger, "secret"), "secret", PR, editedAfter(EDIT_TOLERANCE_MS + 1_000))).toEqual({
      status: "invalid",
      reason: `the App's comment was edited at 2026-11-21T10:35:01.000Z, after Route Governor wrote its approval ledger at ${WRITTEN}, so the ledger may be an older copy restored from the comment's edit history`,
    });
  });

  it("a validly signed ledger without a write time is void (it could be restored from the edit history forever)", () => {
    const { written: _, ...unstamped } = ledger;
    expect(readLedger(ledgerBlock(unstamped, "secret"), "secret", PR, WRITTEN)).toEqual({
      status: "invalid",
      reason: "the approval ledger does not say when it was written, so it could be an older copy restored from the comment's edit history",
    });
  });
});
