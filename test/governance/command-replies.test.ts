import { describe, expect, it } from "vitest";
import type { ApprovalVerdict } from "../../src/governance/approval-verdicts.js";
import { authorityOf, judgeCommands } from "../../src/governance/command-authority.js";
import { evidenceRefusal, replyToCommands, type ReplyFacts } from "../../src/governance/command-replies.js";
import { commandUses, type PostedCommand } from "../../src/governance/command-uses.js";
import type { BreakGlassRecord } from "../../src/governance/decision.js";
import { helpText } from "../../src/governance/slash-commands.js";
import { defaultPolicy } from "../../src/policy/load-policy.js";

const policy = {
  ...defaultPolicy(),
  groups: { sre: { users: ["sam"], teams: [] }, "service-owners": { users: ["tom"], teams: [] } },
  breakGlass: { ...defaultPolicy().breakGlass, groups: ["sre"] },
};
const members: Record<string, string[]> = { sam: ["sre"], tom: ["service-owners"] };
const authority = authorityOf(policy, { prAuthor: "ana", commitAuthors: [], groupsOf: (login) => members[login] ?? [] });
const NOW = new Date("2026-11-21T12:00:00Z");

let id = 0;
const posted = (author: string, body: string, minute = 0, edited = false): PostedCommand[] => {
  const createdAt = `2026-11-21T10:${String(minute).padStart(2, "0")}:00Z`;
  return commandUses([
    { id: ++id, author, authorIsBot: false, body, createdAt, updatedAt: edited ? "2026-11-21T11:00:00Z" : createdAt, url: `u${id}` },
  ]);
};

/** The reply to each command, judged as the evaluation judges them. */
function replies(uses: PostedCommand[], facts: Partial<ReplyFacts<PostedCommand>> = {}) {
  const judged = judgeCommands(uses, authority, []);
  return replyToCommands(uses, {
    refusals: judged.refusals,
    approvalVerdict: () => ({ status: "counted" }),
    evidenceRefusal: evidenceRefusal(policy, { now: NOW, risk: "high" }),
    ...facts,
  }).map(({ accepted, reply }) => (reply === undefined ? { accepted } : { accepted, reply }));
}

describe("the reply to each command", () => {
  it("refuses commands from people without the authority, with the reason", () => {
    expect(
      replies([
        ...posted("mallory", "/hold no"),
        ...posted("mallory", "/evidence cr CHG-1"),
        ...posted("tom", "/break-glass INC-1 outage"),
      ]),
    ).toEqual([
      { accepted: false, reply: "only the PR author, commit authors and members of the policy's groups may hold a PR" },
      { accepted: false, reply: "only the PR author, commit authors and members of the policy's groups may supply evidence" },
      { accepted: false, reply: "only members of sre may break glass" },
    ]);
  });

  it("accepts what governance took, and answers help", () => {
    expect(
      replies([...posted("ana", "/hold wait"), ...posted("ana", "/route-governor refresh"), ...posted("ana", "/route-governor help")]),
    ).toEqual([{ accepted: true }, { accepted: true }, { accepted: true, reply: helpText() }]);
  });

  it("refuses a malformed command with its usage, and adds the help to a /route-governor line that is not a command", () => {
    expect(replies([...posted("ana", "/evidence"), ...posted("ana", "/route-governor frob")])).toEqual([
      { accepted: false, reply: "usage: /evidence <key> <value>" },
      { accepted: false, reply: `unknown command; try /route-governor help\n\n${helpText()}` },
    ]);
  });

  it("lists the commands once per comment, however many of its lines look addressed to this App without being commands", () => {
    expect(replies(posted("ana", "/approved\n/unhold-please\n/route-governor help"))).toEqual([
      { accepted: false, reply: `not a Route Governor command, so it did nothing\n\n${helpText()}` },
      { accepted: false, reply: "not a Route Governor command, so it did nothing" },
      { accepted: true },
    ]);
  });

  it("refuses an /approve that does not count with why, and accepts one that counts or is stale", () => {
    const verdicts: ApprovalVerdict[] = [
      { status: "not counted", reason: "the PR author cannot approve their own change" },
      { status: "stale", reason: "given before these findings changed" },
      { status: "not counted" },
    ];
    const uses = [...posted("ana", "/approve", 1), ...posted("tom", "/approve", 2), ...posted("olga", "/approve", 3)];
    const asked: unknown[] = [];
    const answer = replies(uses, {
      approvalVerdict: (approval) => {
        asked.push(approval);
        return verdicts[asked.length - 1]!;
      },
    });
    expect(answer).toEqual([
      { accepted: false, reply: "the PR author cannot approve their own change" },
      { accepted: true },
      { accepted: false, reply: "not counted" },
    ]);
    expect(asked[0]).toEqual({ login: "ana", at: "2026-11-21T10:01:00Z", ref: `comment:${uses[0]!.commentId}` });
  });

  it("refuses /evidence from an edited comment, under an unknown key or with a value its key does not accept", () => {
    expect(
      replies([
        ...posted("ana", "/evidence cr CHG-1", 0, true),
        ...posted("ana", "/evidence colour blue"),
        ...posted("ana", "/evidence cr not-a-ticket"),
        ...posted("ana", "/evidence Change-Request CHG-1"),
      ]),
    ).toEqual([
      { accepted: false, reply: "the comment was edited after posting; post a new /evidence comment" },
      { accepted: false, reply: `"colour" is not an evidence key; known keys: ${Object.keys(policy.evidence).join(", ")}` },
      { accepted: false, reply: expect.stringMatching(/^change-request: /) },
      { accepted: true },
    ]);
  });

  it("refuses the break-glass the decision refused, or that no longer applies; accepts the others", () => {
    const [refusedByDecision] = posted("sam", "/break-glass INC-1 outage", 1);
    const [stale] = posted("sam", "/break-glass INC-2 outage", 2);
    const [earlier] = posted("sam", "/break-glass INC-0 outage", 0);
    const record: BreakGlassRecord = {
      login: "sam",
      incident: "INC-1",
      reason: "outage",
      at: refusedByDecision!.at,
      accepted: false,
      refusal: "the incident id does not match the policy's pattern",
      bypassed: [],
    };
    const uses = [earlier!, refusedByDecision!, stale!];
    const judged = judgeCommands(uses, authority, []);
    const outcomes = replyToCommands(uses, {
      refusals: new Map([...judged.refusals, [stale!, "break-glass refused: it is stale"]]),
      approvalVerdict: () => ({ status: "counted" }),
      evidenceRefusal: () => undefined,
      breakGlass: record,
    });
    expect(outcomes.map(({ accepted, reply }) => [accepted, reply])).toEqual([
      [true, undefined],
      [false, "break-glass refused: the incident id does not match the policy's pattern"],
      [false, "break-glass refused: it is stale"],
    ]);
  });
});
