import { describe, expect, it } from "vitest";
import { buildLedger, entriesOf, ledgerBlock, readLedger } from "../../src/github/approval-ledger.js";

const PR = "acme/traffic#7";
const entry = (id: number, fingerprints: string[]) => ({ ref: `comment:${id}`, login: `user${id}`, at: "2026-11-21T10:00:00Z", head: "a".repeat(40), fingerprints });
const ledger = buildLedger(PR, { sha: "a".repeat(40), since: "2026-11-21T09:00:00Z" }, [entry(1, ["f1", "f2"]), entry(2, ["f1", "f2"]), entry(3, ["f3"])]);

describe("approval ledger", () => {
  it("round-trips through its signed hidden block, sharing fingerprint sets", () => {
    const reading = readLedger(`report\n\n${ledgerBlock(ledger, "secret")}`, "secret", PR);
    expect(reading.status).toBe("valid");
    if (reading.status !== "valid") return;
    expect(reading.ledger.sets).toHaveLength(2);
    expect(entriesOf(reading.ledger)).toEqual(entriesOf(ledger));
  });

  it("is void when the bot comment was edited: signature, payload, another PR or another secret", () => {
    const block = ledgerBlock(ledger, "secret");
    const forged = ledgerBlock(buildLedger(PR, ledger.head, [entry(9, ["f9"])]), "guess");
    expect(readLedger(forged, "secret", PR)).toEqual({ status: "invalid", reason: "the approval ledger's signature does not verify" });
    const [, payload, signature] = /ledger (\S+) (\S+)/.exec(block)!;
    const tampered = block.replace(payload!, `${payload!.slice(0, -2)}AA`).replace(signature!, signature!);
    expect(readLedger(tampered, "secret", PR).status).toBe("invalid");
    expect(readLedger(block, "secret", "acme/traffic#8")).toEqual({ status: "invalid", reason: "the approval ledger belongs to another pull request" });
    expect(readLedger(block.replace(/[0-9a-f]{64}/, "zz"), "secret", PR)).toEqual({ status: "invalid", reason: "the approval ledger is malformed" });
    expect(readLedger("no ledger here", "secret", PR)).toEqual({ status: "absent" });
  });

  it("stays within its block size by dropping the oldest approvals (they must be given again)", () => {
    const many = Array.from({ length: 400 }, (_, index) => entry(index, Array.from({ length: 60 }, (_, f) => `${index}-${f}-${"x".repeat(20)}`)));
    const block = ledgerBlock(buildLedger(PR, undefined, many), "secret");
    const reading = readLedger(block, "secret", PR);
    expect(block.length).toBeLessThan(41_000);
    expect(reading.status).toBe("valid");
    if (reading.status === "valid") expect(reading.ledger.approvals.at(-1)?.ref).toBe("comment:399");
  });
});
