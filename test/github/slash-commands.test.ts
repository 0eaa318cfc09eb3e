import { describe, expect, it } from "vitest";
import { commandName, parseSlashCommands } from "../../src/governance/slash-commands.js";

const kinds = (body: string) => parseSlashCommands(body).map((command) => command.kind);

describe("slash commands (DESIGN §10 grammar)", () => {
  it.each([
    ["/approve", { kind: "approve", note: "" }],
    ["/approve looks good to me", { kind: "approve", note: "looks good to me" }],
    ["/approve cancel", { kind: "approve-cancel" }],
    ["/evidence change-request CHG-1234", { kind: "evidence", key: "change-request", value: "CHG-1234" }],
    [
      "/evidence rollback git revert HEAD && flux reconcile ks apps",
      { kind: "evidence", key: "rollback", value: "git revert HEAD && flux reconcile ks apps" },
    ],
    ["/hold", { kind: "hold", reason: "" }],
    ["/hold waiting for the JKT window", { kind: "hold", reason: "waiting for the JKT window" }],
    ["/hold cancel", { kind: "hold-cancel" }],
    ["/break-glass INC-77 checkout down in jkt", { kind: "break-glass", incident: "INC-77", reason: "checkout down in jkt" }],
    ["/route-governor refresh", { kind: "refresh" }],
    ["/route-governor help", { kind: "help" }],
    ["/route-governor", { kind: "help" }],
  ])("%s", (body, expected) => {
    expect(parseSlashCommands(body)).toEqual([{ line: 1, ...expected }]);
  });

  it.each([
    "/approve cancel.",
    "/approve cancel - wrong PR",
    "/approve Cancel: found a bug",
    "/approve (cancel)",
    "/approve cancelled",
    "/approve canceled, sorry",
    "/approve withdrawn",
    "/approve revoke",
    "/approve retract",
    "/approve undo",
    "/approve cancel-please",
  ])("%s withdraws, however it is punctuated", (body) => {
    expect(parseSlashCommands(body)).toEqual([{ line: 1, kind: "approve-cancel" }]);
  });

  it.each(["/approve cancellation risk checked", "/approve the undone part is fine", "/approve LGTM, no need to cancel"])(
    "%s approves: the retraction word is not its first",
    (body) => {
      expect(kinds(body)).toEqual(["approve"]);
    },
  );

  it.each([
    ["/hold cancel.", "hold-cancel"],
    ["/unhold", "hold-cancel"],
    ["/unhold drill done", "hold-cancel"],
    ["/hold cancel the rollout until JKT is ready", "invalid"],
    ["/hold cancelled?", "invalid"],
  ])("%s is %s", (body, kind) => {
    expect(kinds(body)).toEqual([kind]);
  });

  it.each([
    ["/evidence change-request", "usage: /evidence <key> <value>"],
    ["/evidence <key> CHG-1", "an evidence key is a word of letters, digits, '-', '_' or '.'; usage: /evidence <key> <value>"],
    ["/break-glass INC-77", "usage: /break-glass <incident-id> <reason>"],
    ["/route-governor deploy", "unknown command; try /route-governor help"],
  ])("%s is refused with a reason", (body, reason) => {
    expect(parseSlashCommands(body)).toEqual([expect.objectContaining({ kind: "invalid", reason })]);
  });

  it.each([
    ["an HTML comment", "Looks risky.\n<!--\n/approve\n-->"],
    ["a one-line HTML comment", "<!-- -->\n<!-- /approve -->"],
    ["an unterminated HTML comment", "fine\n<!-- hidden\n/approve"],
    ["a details block", "<details><summary>notes</summary>\n\n/approve\n\n</details>"],
    ["a nested details block", "<details>\n<details>\n</details>\n/approve\n</details>"],
    ["an unterminated details block", "<DETAILS open>\n/approve"],
    ["a pre block", "<pre>\n/approve\n</pre>"],
    ["a fenced code block", "```\n/approve\n```"],
    ["a quote", "> /approve"],
  ])("a command hidden in %s does not count", (_case, body) => {
    expect(kinds(body)).toEqual([]);
  });

  it("commands outside hidden blocks keep their line numbers", () => {
    const commands = parseSlashCommands("<!--\nnote\n-->\n<details>\n/approve\n</details>\n/hold drill");
    expect(commands.map((command) => [command.kind, command.line])).toEqual([["hold", 7]]);
  });

  it("reads several commands per comment, each on its own line, with its line number", () => {
    const commands = parseSlashCommands("Checked the weights.\n/evidence rollback git revert HEAD\n\n/approve\n");
    expect(commands.map((command) => [command.kind, command.line])).toEqual([
      ["evidence", 2],
      ["approve", 4],
    ]);
  });

  it("ignores commands in fenced code blocks, quotes, mid-line and indented as code", () => {
    const body = [
      "```",
      "/approve",
      "```",
      "~~~~text",
      "/hold",
      "~~~~",
      "> /approve",
      "please /approve",
      "    /approve",
      "  /approve cancel",
    ].join("\n");
    expect(kinds(body)).toEqual(["approve-cancel"]);
  });

  it("leaves other bots' verbs alone and matches ours case-insensitively", () => {
    expect(kinds("/lgtm\n/assign @x\n/retest\n/threshold 5\n/APPROVE\n/Hold Cancel")).toEqual(["approve", "hold-cancel"]);
  });

  it.each([
    ["/approve\u00a0cancel", { kind: "approve-cancel" }],
    ["/approve\u202fcancel", { kind: "approve-cancel" }],
    ["/hold\u00a0waiting for the failover drill", { kind: "hold", reason: "waiting for the failover drill" }],
    ["/hold\u3000waiting\u3000for the drill", { kind: "hold", reason: "waiting for the drill" }],
    ["/hold: waiting for the failover drill", { kind: "hold", reason: "waiting for the failover drill" }],
    ["/hold:", { kind: "hold", reason: "" }],
    ["/unhold\u2003", { kind: "hold-cancel" }],
    ["/evidence:\u00a0rollback\u00a0git revert HEAD", { kind: "evidence", key: "rollback", value: "git revert HEAD" }],
    ["/remove-approve", { kind: "approve-cancel" }],
    ["/remove-hold", { kind: "hold-cancel" }],
  ])("%j: a Unicode space or a colon after the verb reads as a space; Prow's retractions read as ours", (body, expected) => {
    expect(parseSlashCommands(body)).toEqual([{ line: 1, ...expected }]);
  });

  it.each([
    ["/hold\u2028waiting for the drill", { kind: "hold", reason: "waiting for the drill" }],
    ["/hold\u2029waiting\u2028for the drill", { kind: "hold", reason: "waiting for the drill" }],
    ["/hold\u0085waiting for the drill", { kind: "hold", reason: "waiting for the drill" }],
    ["/evidence rollback\u2028git revert HEAD\u2029", { kind: "evidence", key: "rollback", value: "git revert HEAD" }],
    ["/approve\u2028", { kind: "approve", note: "" }],
  ])("%j: a line or paragraph separator or NEL does not break a Markdown line, and reads as a space", (body, expected) => {
    expect(parseSlashCommands(body)).toEqual([{ line: 1, ...expected }]);
  });

  it("breaks lines where Markdown does: \\n, \\r\\n and a lone \\r; text before a separator keeps a command off its line", () => {
    expect(parseSlashCommands("/evidence rollback git revert HEAD\r/hold drill\r\n/approve").map((c) => [c.kind, c.line])).toEqual([
      ["evidence", 1],
      ["hold", 2],
      ["approve", 3],
    ]);
    expect(parseSlashCommands("please see\u2028/approve")).toEqual([]);
  });

  it.each([
    ["/approved", "/approved", "not a Route Governor command, so it did nothing"],
    ["/unapprove", "/unapprove", "not a Route Governor command, so it did nothing"],
    ["/break_glass INC-1 outage", "/break_glass INC-1 outage", "not a Route Governor command, so it did nothing"],
    ["/Hold-Cancel", "/hold-cancel", "not a Route Governor command, so it did nothing"],
    ["/approve.", "/approve.", "not read: put a space between the command and its text"],
    ["/hold\u2014until Monday", "/hold\u2014until Monday", "not read: put a space between the command and its text"],
  ])("%j looks addressed to this App but is not a command: refused with the list of commands, no effect", (body, text, reason) => {
    expect(parseSlashCommands(body)).toEqual([{ line: 1, kind: "invalid", text, reason, help: true }]);
  });

  it("is bounded on hostile input: control characters stripped, arguments capped, at most 20 commands", () => {
    const [evidence] = parseSlashCommands("/evidence rollback git\u0000 revert\u202e HEAD\u0007");
    expect(evidence).toEqual({ kind: "evidence", line: 1, key: "rollback", value: "git revert HEAD" });
    const [unknown] = parseSlashCommands(`/approved\u202e\u0007 ${"x".repeat(100_000)}`);
    expect(unknown?.kind === "invalid" && unknown.text).toBe(`/approved ${"x".repeat(990)}`);
    const [long] = parseSlashCommands(`/hold ${"x".repeat(100_000)}`);
    expect(long?.kind === "hold" && long.reason.length).toBe(1_000);
    expect(parseSlashCommands("/approve\n".repeat(1_000))).toHaveLength(20);
    expect(parseSlashCommands(`${"a".repeat(70_000)}\n/approve`)).toEqual([]);
  });

  it("names commands back to their authors", () => {
    expect(parseSlashCommands("/approve cancel\n/evidence metrics https://x\n/route-governor refresh").map(commandName)).toEqual([
      "/approve cancel",
      "/evidence metrics",
      "/route-governor refresh",
    ]);
  });
});
