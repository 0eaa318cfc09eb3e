import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectEvidence, EvidenceCommandSchema, parseEvidenceSection, type EvidenceCommand } from "../../src/governance/evidence.js";
import { MAX_EVIDENCE_CHARS, validateEvidence, type EvidenceValidation } from "../../src/governance/evidence-validation.js";
import { resolveEvidenceKey } from "../../src/policy/evidence-names.js";
import { defaultPolicy, resolvePolicy } from "../../src/policy/load-policy.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const policy = defaultPolicy();

describe("the ## Change evidence section of a PR description", () => {
  it("reads `- Key: value` lines up to the next heading", () => {
    const body = [
      "Shift 50% of checkout to Singapore.", // 1
      "", // 2
      "## Change evidence", // 3
      "- Change request: CHG-1234", // 4
      "* **Rollback**: `kubectl apply -f rollback.yaml`", // 5
      "- **Test result:** https://ci.example.com/runs/1", // 6
      "+ [x] Window: 2026-11-23 01:00-03:00 UTC", // 7
      "not a bullet: ignored", // 8
      "## Notes", // 9
      "- Metrics: https://grafana.example.com/d/1", // 10
    ].join("\r\n");
    expect(parseEvidenceSection(body)).toEqual([
      { key: "Change request", value: "CHG-1234", line: 4 },
      { key: "Rollback", value: "`kubectl apply -f rollback.yaml`", line: 5 },
      { key: "Test result", value: "https://ci.example.com/runs/1", line: 6 },
      { key: "Window", value: "2026-11-23 01:00-03:00 UTC", line: 7 },
    ]);
  });

  it.each([
    ["### change EVIDENCE", true],
    ["## Change evidence:", true],
    ["# Change evidence", false],
    ["#### Change evidence", false],
    ["## Change evidence and more", false],
  ])("heading %j counts: %s", (heading, counts) => {
    expect(parseEvidenceSection(`${heading}\n- CR: CHG-1\n`).length).toBe(counts ? 1 : 0);
  });

  it("skips what HTML comments hide (a PR template's commented example), over several lines too", () => {
    const body = [
      "## Change evidence",
      "<!-- - Change request: CHG-1234", // 2
      "- Rollback: kubectl rollout undo deploy/web -->",
      "- Window: <!-- 2026-11-23 01:00 --> 2026-11-24 02:00-03:00 UTC", // 4
      "<!-- one line --> - Test result: shown after it", // 5
      "- CR: CHG-7 <!-- unclosed",
      "- Rollback: still inside the comment",
      "```",
      "- Fenced: <!-- literal, but fenced -->",
      "```",
    ].join("\n");
    expect(parseEvidenceSection(body)).toEqual([
      { key: "Window", value: "2026-11-24 02:00-03:00 UTC", line: 4 },
      { key: "Test result", value: "shown after it", line: 5 },
      { key: "CR", value: "CHG-7", line: 6 },
    ]);
  });

  it("takes a fenced block under an empty key as a multi-line value, and skips other fences", () => {
    const body = [
      "```",
      "## Change evidence",
      "- CR: FAKE-1",
      "```",
      "## Change evidence",
      "- Rollback:",
      "  ```sh",
      "  kubectl rollout undo deploy/checkout",
      "  kubectl apply -f previous.yaml",
      "  ```",
      "- CR: CHG-9",
    ].join("\n");
    expect(parseEvidenceSection(body)).toEqual([
      { key: "Rollback", value: "  kubectl rollout undo deploy/checkout\n  kubectl apply -f previous.yaml", line: 6 },
      { key: "CR", value: "CHG-9", line: 11 },
    ]);
  });
});

describe("examples of the format are not evidence", () => {
  it("reads a key written in backticks, as the README prints keys", () => {
    expect(parseEvidenceSection("## Change evidence\n- `rollback`: kubectl rollout undo deploy/checkout")).toEqual([
      { key: "rollback", value: "kubectl rollout undo deploy/checkout", line: 2 },
    ]);
  });

  it("skips a tab-indented block (an indented code block) and a ```` fence holding a ``` line", () => {
    const body = [
      "## Change evidence",
      "Example of the format:",
      "",
      "\t- Rollback: kubectl rollout undo deploy/example",
      "````md",
      "```",
      "- CR: CHG-1",
      "```",
      "- Test result: https://ci.corp.net/runs/1",
      "````",
      "- CR: CHG-9",
    ].join("\n");
    expect(parseEvidenceSection(body)).toEqual([{ key: "CR", value: "CHG-9", line: 11 }]);
  });
});

describe("evidence keys match by name or alias, case-, space- and dash-insensitively", () => {
  it.each([
    ["change-request", "change-request"],
    ["Change Request", "change-request"],
    ["CHANGE_REQUEST", "change-request"],
    ["cr", "change-request"],
    ["Ticket", "change-request"],
    ["Window", "rollout-window"],
    ["Rollback command", "rollback"],
    ["rollback-command", "rollback"],
    ["Post-change validation", "post-change-validation"],
  ])("%j → %s", (written, key) => {
    const items = collectEvidence(
      { body: { text: `## Change evidence\n- ${written}: x\n`, at: "2026-11-20T10:00:00Z", author: "dev" }, commands: [] },
      policy,
      {
        now: NOW,
        risk: "high",
        required: [],
      },
    );
    expect(items.map((item) => item.key)).toEqual([key]);
    expect(resolveEvidenceKey(written, policy.evidence)).toBe(key);
  });

  it("an unknown name resolves to nothing (the /evidence command is refused)", () => {
    expect(resolveEvidenceKey("jira", policy.evidence)).toBeUndefined();
  });
});

const check = (value: string, rule: EvidenceValidation, context: { risk?: "high" | "low"; freezes?: typeof policy.freezes } = {}) =>
  validateEvidence(value, rule, { now: NOW, risk: context.risk ?? "high", freezes: context.freezes ?? [] });

describe("evidence validation (DESIGN §9)", () => {
  const cr = policy.evidence["change-request"]!.validate;
  const url: EvidenceValidation = { type: "url" };
  const window: EvidenceValidation = { type: "window", maxHours: 24 };
  const command: EvidenceValidation = { type: "command" };
  const text: EvidenceValidation = { type: "text" };
  const freezes = [
    { name: "year-end", start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z", risks: ["high" as const, "critical" as const] },
  ];

  it.each([
    ["a CR id", "CHG-1234", cr, "CHG-1234"],
    ["a CR id in backticks", "`OPS-7`", cr, "OPS-7"],
    ["an https URL", "https://ci.example.com/runs/1?x=1#y", url, "https://ci.example.com/runs/1?x=1#y"],
    ["a Markdown link", "[run 1](https://ci.example.com/runs/1)", url, "https://ci.example.com/runs/1"],
    ["an autolink", "<https://ci.example.com/runs/1>", url, "https://ci.example.com/runs/1"],
    ["a future window", "2026-11-23 01:00-03:00 UTC", window, "2026-11-23T01:00:00.000Z/2026-11-23T03:00:00.000Z"],
    ["a window that is still running", "2026-11-20T11:00Z/PT2H", window, "2026-11-20T11:00:00.000Z/2026-11-20T13:00:00.000Z"],
    ["a command", "kubectl apply -f rollback.yaml", command, "kubectl apply -f rollback.yaml"],
    ["text", "INC-42 checkout outage", text, "INC-42 checkout outage"],
    ["a ticket id written as a link to its ticket", "[CHG-4711](https://jira.corp/browse/CHG-4711)", cr, "CHG-4711"],
    [
      "a command naming a todo service",
      "kubectl -n todo rollout undo deploy/todo-api",
      command,
      "kubectl -n todo rollout undo deploy/todo-api",
    ],
    ["a command reading a file", "kubectl apply -f - < rollback.yaml", command, "kubectl apply -f - < rollback.yaml"],
  ])("accepts %s", (_case, value, rule, cleaned) => {
    expect(check(value, rule)).toEqual({ ok: true, value: cleaned });
  });

  it.each([
    ["a CR id that does not match, with the hint", "chg 1234", cr, "expected a ticket id such as CHG-1234"],
    ["a regex without a hint", "abc", { type: "regex", pattern: "^\\d+$" } as EvidenceValidation, "does not match ^\\d+$"],
    ["http", "http://ci.example.com/runs/1", url, "only https:// links are accepted, not http:"],
    ["javascript:", "javascript:alert(1)", url, "only https:// links are accepted, not javascript:"],
    ["a Markdown link to javascript:", "[run](javascript:alert(1))", url, "not a URL"],
    ["data:", "data:text/html,<script>", url, "only https:// links are accepted, not data:"],
    ["credentials in a URL", "https://user:token@ci.example.com/", url, "URL carries credentials"],
    ["not a URL", "see CI", url, "not a URL"],
    ["a window entirely in the past", "2026-11-19 01:00-03:00 UTC", window, "already over (ended 2026-11-19T03:00:00.000Z)"],
    ["a window without a zone", "2026-11-23 01:00-03:00", window, "needs a time zone"],
    ["a window of almost 8,000 years", "2026-11-23T01:00Z/9999-11-23T01:00Z", window, "hours long; the policy allows at most 24"],
    ["a window a minute too long", "2026-11-23T01:00Z/2026-11-24T01:01Z", window, "24 hours long; the policy allows at most 24"],
    ["TBD", "TBD", command, `"TBD" is a placeholder`],
    ["n/a", "n/a", command, `"n/a" is a placeholder`],
    ["-", "-", command, `"-" is a placeholder`],
    ["a template placeholder", "<command>", command, `"<command>" is a placeholder`],
    ["a template comment only", "<!-- the command that undoes it -->", command, "empty"],
    ["a promise with a note", "TBD (will add before merge)", command, "is a placeholder, not the evidence itself"],
    ["a promise with a colon", "TODO: add rollback command", command, "is a placeholder"],
    ["a promise in words", "to be added", command, "is a placeholder"],
    ["a reference to elsewhere", "same as above", text, "is a placeholder"],
    ["a placeholder split by a zero-width space", "T\u200bBD", command, `"TBD" is a placeholder`],
    [
      "a template's blank in a command",
      "kubectl -n <namespace> rollout undo deployment/<name>",
      command,
      "<namespace> is a template's blank",
    ],
    ["a Jinja blank", "{{ rollback_command }}", command, "template's blank"],
    ["a blank host", "https://TBD", url, "a placeholder link"],
    ["dots for a host", "https://...", url, "a placeholder link"],
    ["a blank path", "https://ci.corp.net/TODO", url, "a placeholder link"],
    ["a blank run id", "https://ci.corp.net/shop/runs/<run-id>", url, "a placeholder link"],
    ["the documentation domain", "https://example.com", url, "a placeholder link"],
    ["blank text", "   ", text, "empty"],
    ["a value over 500 characters", "x".repeat(501), text, "longer than 500 characters"],
  ])("refuses %s", (_case, value, rule, reason) => {
    expect(check(value, rule)).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it("refuses a window overlapping a freeze that covers the PR's risk, not one that does not", () => {
    const value = "2026-12-31T22:00Z/PT4H";
    expect(check(value, window, { freezes })).toMatchObject({ ok: false, reason: expect.stringContaining('overlaps freeze "year-end"') });
    expect(check(value, window, { freezes, risk: "low" })).toMatchObject({ ok: true });
  });

  it("strips control, bidi and zero-width characters from values", () => {
    expect(check("kubectl\u0000 apply\u202E -f\u200B x.yaml\u0007", command)).toEqual({ ok: true, value: "kubectl apply -f x.yaml" });
  });

  it("never throws, and never echoes control characters or more than 501 characters, whatever the input", () => {
    const rules: EvidenceValidation[] = [cr, url, window, command, text];
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 2000 }), fc.constantFrom(...rules), (value, rule) => {
        const result = check(value, rule);
        expect(result.value.length).toBeLessThanOrEqual(MAX_EVIDENCE_CHARS + 1);
        expect(result.value).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
      }),
    );
  });

  it("caps what is echoed back from an over-long value", () => {
    const result = check("x".repeat(5000), text);
    expect(result.value.length).toBe(501);
  });
});

describe("collecting evidence from the description and /evidence comments", () => {
  const body = (text: string, at = "2026-11-20T09:00:00Z") => ({ text: `## Change evidence\n${text}`, at, author: "dev" });
  const command = (key: string, value: string, at: string, extra: Partial<EvidenceCommand> = {}): EvidenceCommand =>
    EvidenceCommandSchema.parse({ key, value, at, author: "dev", ...extra });
  const collect = (sources: Parameters<typeof collectEvidence>[0], required = ["change-request", "rollback"]) =>
    collectEvidence(sources, policy, { now: NOW, risk: "high", required });

  it("lists required keys as missing, invalid or ok, with where each value came from", () => {
    expect(collect({ body: body("- CR: nope\n- Rollback: git revert abc123\n"), commands: [] })).toEqual([
      {
        key: "change-request",
        required: true,
        status: "invalid",
        value: "nope",
        source: "body",
        author: "dev",
        at: "2026-11-20T09:00:00Z",
        line: 2,
        reason: "expected a ticket id such as CHG-1234",
      },
      {
        key: "rollback",
        required: true,
        status: "ok",
        value: "git revert abc123",
        source: "body",
        author: "dev",
        at: "2026-11-20T09:00:00Z",
        line: 3,
      },
    ]);
    expect(collect({ commands: [] }).map((item) => item.status)).toEqual(["missing", "missing"]);
  });

  it("the latest valid value wins; a later invalid one does not erase it", () => {
    const items = collect({
      body: body("- CR: CHG-1\n"),
      commands: [command("change-request", "CHG-2", "2026-11-20T10:00:00Z"), command("cr", "oops", "2026-11-20T11:00:00Z")],
    });
    expect(items[0]).toMatchObject({ status: "ok", value: "CHG-2", source: "comment" });
  });

  it("a comment older than the description's last edit loses to it", () => {
    const items = collect({
      body: body("- CR: CHG-5\n", "2026-11-20T12:00:00Z"),
      commands: [command("cr", "CHG-4", "2026-11-20T10:00:00Z")],
    });
    expect(items[0]).toMatchObject({ value: "CHG-5", source: "body" });
  });

  it("an edited /evidence comment does not count", () => {
    const items = collect({ commands: [command("rollback", "git revert abc", "2026-11-20T10:00:00Z", { edited: true })] });
    expect(items[1]).toMatchObject({ key: "rollback", status: "invalid", reason: expect.stringContaining("edited") });
  });

  it("a blank template line supplies nothing", () => {
    expect(collect({ body: body("- Rollback: <!-- command -->\n"), commands: [] })[1]).toEqual({
      key: "rollback",
      required: true,
      status: "missing",
    });
  });

  it("shows keys supplied but not required, and names that match no key", () => {
    const items = collect({ body: body("- Metrics: https://grafana.example.com/d/1\n- Chnage request: CHG-1\n"), commands: [] }, []);
    expect(items).toMatchObject([
      { key: "metrics", required: false, status: "ok" },
      {
        key: "Chnage request",
        required: false,
        status: "invalid",
        reason: "`Chnage request` is not an evidence key of this policy: did you mean `change-request`?",
      },
    ]);
  });

  it("a required key written under a name the policy does not know is reported as that name, not silently missing", () => {
    const items = collect({ body: body("- CR: CHG-1\n- Rollback steps: git revert abc123\n"), commands: [] });
    const hint = "`Rollback steps` is not an evidence key of this policy: did you mean `rollback`?";
    expect(items).toEqual([
      expect.objectContaining({ key: "change-request", status: "ok" }),
      { key: "rollback", required: true, status: "missing", reason: hint },
      expect.objectContaining({ key: "Rollback steps", required: false, status: "invalid", line: 3, reason: hint }),
    ]);
  });

  it("a name close to no key lists the policy's keys; a short unknown /evidence key guesses nothing", () => {
    const items = collect(
      { commands: [command("sign-off", "maya", "2026-11-20T10:00:00Z"), command("zz", "x", "2026-11-20T10:00:00Z")] },
      [],
    );
    expect(items.map((item) => item.reason)).toEqual([
      `\`sign-off\` is not an evidence key of this policy: its keys are ${Object.keys(policy.evidence).join(", ")}`,
      `\`zz\` is not an evidence key of this policy: its keys are ${Object.keys(policy.evidence).join(", ")}`,
    ]);
  });

  it("uses the repository's own CR pattern and aliases", () => {
    const own = resolvePolicy(
      "evidence:\n  change-request:\n    aliases: [JIRA]\n    validate: { type: regex, pattern: '^OPS-\\d+$' }\n",
      "route-governor.yml",
    ).policy;
    const items = collectEvidence({ body: body("- JIRA: OPS-12\n"), commands: [] }, own, {
      now: NOW,
      risk: "high",
      required: ["change-request"],
    });
    expect(items[0]).toMatchObject({ status: "ok", value: "OPS-12" });
  });

  it("refuses hostile command input at the edge", () => {
    expect(EvidenceCommandSchema.safeParse({ key: "", value: "x", at: "2026-11-20T10:00:00Z", author: "dev" }).success).toBe(false);
    expect(EvidenceCommandSchema.safeParse({ key: "cr", value: "x", at: "yesterday", author: "dev" }).success).toBe(false);
    expect(
      EvidenceCommandSchema.parse({ key: "cr", value: "y".repeat(100_000), at: "2026-11-20T10:00:00Z", author: "dev" }).value.length,
    ).toBe(2000);
  });
});
