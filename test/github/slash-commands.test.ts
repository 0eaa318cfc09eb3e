import * as fc from "fast-check";
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
      "",
      "please /approve",
      "",
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

describe("where GitHub shows the line, read as CommonMark (probe M, 4)", () => {
  const QUOTED = "not read: GitHub shows this line as part of the quote above it; leave a blank line before a command";
  const read = (body: string) => parseSlashCommands(body).map((command) => [command.kind, command.line]);

  it.each([
    ["a fence opened after a list marker", "1. ```\n   /approve\n   ```"],
    ["a fence opened after a bullet", "- ```\n  /approve\n  ```"],
    ["a fence inside a list item's indentation", "Steps:\n- run this:\n  ```\n  /approve\n  ```"],
    ["an indented code block", "text\n\n    /approve\n\t/approve"],
    ["a code span running over lines", "see `x\n/approve` y"],
    ["raw HTML code", "<code>\n/approve\n</code>"],
    ["a raw HTML quote", "<blockquote>\n/approve\n</blockquote>"],
    ["an inline HTML comment", "<!-- /approve -->"],
    ["an image tag's alt text", 'hello\n<img src="x" alt="\n/approve\n">'],
    ["a link tag's title", 'see <a href="#" title="\n/approve\n">here</a>'],
    ["a block tag's attribute, holding a `>`", '<div title="x > y\n/approve\n">y</div>'],
    ["a link definition's address", "[x]:\n/approve"],
    ["an image's text", "![alt\n/approve](x.png)"],
    ["a link's address", "[a](\n/approve)"],
    ["a fence written with CRLF", "```\r\n/approve\r\n```"],
    ["a fence written with lone CRs", "~~~\r/approve\r~~~"],
  ])("in %s: not a command", (_, body) => {
    expect(read(body)).toEqual([]);
  });

  it.each([
    ["a line right after a quote (a lazy continuation)", "> quoted\n/approve"],
    ["after a quote of several lines", "> a\n> b\n/approve"],
    ["after a quote in a list item", "- > x\n  /approve"],
    ["with CRLF", "> q\r\n/approve\r\n"],
  ])("%s shows inside the quote: refused with the reason, never an approval", (_, body) => {
    expect(parseSlashCommands(body)).toEqual([expect.objectContaining({ kind: "invalid", reason: QUOTED, help: false })]);
  });

  it("a quoted /hold is refused too, so its author learns it did not hold", () => {
    expect(parseSlashCommands("> see above\n/hold wait for the drill")).toEqual([
      { kind: "invalid", line: 2, text: "/hold wait for the drill", reason: QUOTED, help: false },
    ]);
  });

  it.each([
    ["after a blank line that ends the quote", "> quoted\n\n/approve", [["approve", 3]]],
    ["after a fence in a quote (only a paragraph continues lazily)", "> ```\n> x\n/hold now", [["hold", 3]]],
    ["after a closed fence", "```\n/approve\n```\n/hold now", [["hold", 4]]],
    ["after a backtick 'fence' whose info string holds a backtick (a paragraph)", "``` a`b\n/hold stop", [["hold", 2]]],
    ["after a tag named inside a code span", "Use `<details>` here\n\n/hold now", [["hold", 3]]],
    ["after a comment opened inside a fence", "```\n<!--\n```\n/hold now", [["hold", 4]]],
    ["after a details block closed in the same HTML block", "<details>\n/approve\n</details>\n/hold drill", [["hold", 4]]],
    ["in raw HTML shown as text", "<div>\n/hold now\n</div>", [["hold", 2]]],
    ["in a list item's lazy paragraph", "- a\n/hold now", [["hold", 2]]],
    ["in a link's text", "[a\n/approve it](https://example.com)", [["approve", 2]]],
    ["in a table", "| a |\n| - |\n/approve", [["approve", 3]]],
    ["with lone CRs, after a blank line", "> q\r\r/approve", [["approve", 3]]],
  ])("a command %s still counts", (_, body, expected) => {
    expect(read(body)).toEqual(expected);
  });

  it.each([
    ["a fullwidth solidus", "\uff0fapprove"],
    ["a division slash", "\u2215approve"],
    ["a zero-width space first", "\u200b/approve"],
    ["a Cyrillic a", "/\u0430pprove"],
  ])("a lookalike (%s) is not ours", (_, body) => {
    expect(read(body)).toEqual([]);
  });

  it("the comment's own copies of the line marks cannot make a hidden line count", () => {
    expect(read("```\n/approve\n```\n\ue0001\ue001 and \ue000\ue0001\ue001\ue001")).toEqual([]);
  });

  it("quotes nested past any reading: every command refused, quickly", () => {
    const started = performance.now();
    const commands = parseSlashCommands(`/hold now\n${">".repeat(65_000)}`);
    expect(commands).toEqual([expect.objectContaining({ kind: "invalid", line: 1, text: "/hold now" })]);
    expect(parseSlashCommands(`/hold now\n${"> - ".repeat(16_000)}`)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ["emphasis runs", "_a_".repeat(21_000)],
    ["strong runs", "a**b".repeat(16_000)],
    ["link openers", "[a](".repeat(16_000)],
    ["backticks", "`a".repeat(32_000)],
    ["angle brackets", "<a ".repeat(21_000)],
    ["comment openers", "<!--".repeat(16_000)],
    ["bare links", "www.a".repeat(13_000)],
  ])("a 64 KB comment of %s is read in well under a second", (_, filler) => {
    const started = performance.now();
    expect(read(`/approve\n${filler}`)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  // Hostile Markdown from the pieces GitHub's rendering turns on.
  const PIECES = [
    "/approve",
    "/hold x",
    "> ",
    ">",
    "```",
    "~~~",
    "- ",
    "1. ",
    "    ",
    "\t",
    "<details>",
    "</details>",
    "<!--",
    "-->",
    "`",
    "<code>",
    "[x]:",
    "![",
    "](",
    "text",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
  ];
  const markdownish = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((pieces) => pieces.join(""));
  const longestRun = (body: string, char: string) =>
    Math.max(0, ...(body.match(new RegExp(`${char}+`, "g")) ?? []).map((run) => run.length));

  it("any comment quoted line by line reads no command", () => {
    fc.assert(
      fc.property(markdownish, (body) => {
        expect(
          parseSlashCommands(
            body
              .split(/\r\n|\r|\n/)
              .map((line) => `> ${line}`)
              .join("\n"),
          ),
        ).toEqual([]);
      }),
    );
  });

  it("any comment in a fence, at the top or in a list item, reads no command", () => {
    fc.assert(
      fc.property(markdownish, fc.constantFrom("", "- ", "1. "), (body, marker) => {
        const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
        const indent = " ".repeat(marker.length);
        const lines = body.split(/\r\n|\r|\n/).map((line) => `${indent}${line}`);
        expect(parseSlashCommands([`${marker}${fence}`, ...lines, `${indent}${fence}`].join("\n"))).toEqual([]);
      }),
    );
  });

  it("any comment reads at most 20 commands, each on a line that starts with one", () => {
    fc.assert(
      fc.property(markdownish, (body) => {
        const lines = body.split(/\r\n|\r|\n/);
        const commands = parseSlashCommands(body);
        expect(commands.length).toBeLessThanOrEqual(20);
        for (const command of commands) expect(lines[command.line - 1]).toMatch(/^ {0,3}\//);
      }),
    );
  });
});
