import type { CommandUse } from "./command-authority.js";
import { parseSlashCommands } from "./slash-commands.js";
import { later } from "./logins-and-times.js";

/**
 * The slash commands of a PR's comments as posted (DESIGN §10): bots' comments are ignored, and a
 * comment edited after it was posted keeps its commands only to refuse them, flagged in the report.
 */

/** An issue comment of the PR, as the adapter read it. */
export interface PostedComment {
  readonly id: number;
  readonly author: string;
  readonly authorIsBot: boolean;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly url: string;
}

/** One command and the comment it was posted in. */
export interface PostedCommand extends CommandUse {
  readonly comment: PostedComment;
}

/** Every command of people's comments, in comment order, then line order. */
export function commandUses(comments: readonly PostedComment[]): PostedCommand[] {
  return comments
    .filter((comment) => !comment.authorIsBot)
    .flatMap((comment) =>
      parseSlashCommands(comment.body).map((command) => ({
        comment,
        commentId: comment.id,
        author: comment.author,
        at: comment.createdAt,
        command,
        edited: later(comment.updatedAt, comment.createdAt),
      })),
    );
}

/** One note per edited comment that carries commands: they do not count. */
export function editedCommentNotes(uses: readonly PostedCommand[]): string[] {
  return [...new Set(uses.filter((use) => use.edited).map((use) => use.comment))].map(
    (comment) =>
      `The comment by @${comment.author} (${comment.url}) was edited after it was posted: its commands do not count; post a new comment.`,
  );
}
