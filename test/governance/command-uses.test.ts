import { describe, expect, it } from "vitest";
import { commandUses, editedCommentNotes, type PostedComment } from "../../src/governance/command-uses.js";

const comment = (id: number, author: string, body: string, updatedAt = "2026-11-21T10:00:00Z"): PostedComment => ({
  id,
  author,
  authorIsBot: author.endsWith("[bot]"),
  body,
  createdAt: "2026-11-21T10:00:00Z",
  updatedAt,
  url: `https://github.com/acme/traffic/pull/7#issuecomment-${id}`,
});

describe("the commands of a PR's comments", () => {
  it("reads people's commands in comment then line order, never a bot's", () => {
    const uses = commandUses([
      comment(1, "ana", "/evidence cr CHG-1\n/hold wait"),
      comment(2, "deploy[bot]", "/approve"),
      comment(3, "tom", "looks good\n/approve"),
    ]);
    expect(uses.map((use) => [use.commentId, use.author, use.command.kind, use.edited])).toEqual([
      [1, "ana", "evidence", false],
      [1, "ana", "hold", false],
      [3, "tom", "approve", false],
    ]);
    expect(uses[0]!.at).toBe("2026-11-21T10:00:00Z");
  });

  it("marks the commands of a comment edited after posting, with one note per comment", () => {
    const uses = commandUses([comment(4, "tom", "/approve\n/hold x", "2026-11-21T10:00:01Z"), comment(5, "ana", "/approve")]);
    expect(uses.map((use) => use.edited)).toEqual([true, true, false]);
    expect(editedCommentNotes(uses)).toEqual([
      "The comment by @tom (https://github.com/acme/traffic/pull/7#issuecomment-4) was edited after it was posted: its commands do not count; post a new comment.",
    ]);
  });
});
