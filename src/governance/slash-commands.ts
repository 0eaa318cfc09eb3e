import * as z from "zod";

/**
 * The slash commands of a PR comment (DESIGN §10). A command is a line that starts with `/`
 * (up to three spaces of indentation); several per comment. Lines inside fenced code blocks,
 * quoted lines (`>`), HTML comments and `<details>` / `<pre>` blocks are not commands: quoting
 * someone's `/approve` must not approve, and neither may text the page does not show (or shows
 * only on a click), where reviewers would not see the command.
 * Verbs that are not ours (`/lgtm`, `/assign`) are left to other bots. A verb of ours with bad
 * arguments is returned as `invalid` so that the App can refuse it with a reason, and so is a line
 * that only looks like one of ours (`/approved`, `/unapprove`, `/hold.`): nothing a reviewer
 * meant for this App is dropped without a word, least of all a retraction or a hold.
 */

/** Comment bodies are capped by GitHub at 65,536 characters; anything past that is not ours to read. */
const MAX_BODY_CHARS = 65_536;
const MAX_COMMANDS = 20;
const MAX_ARGUMENT_CHARS = 1_000;

const Argument = z.string().max(MAX_ARGUMENT_CHARS);

export const SlashCommandSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("approve"), line: z.number().int(), note: Argument }),
  z.object({ kind: z.literal("approve-cancel"), line: z.number().int() }),
  z.object({ kind: z.literal("evidence"), line: z.number().int(), key: Argument.min(1), value: Argument.min(1) }),
  z.object({ kind: z.literal("hold"), line: z.number().int(), reason: Argument }),
  z.object({ kind: z.literal("hold-cancel"), line: z.number().int() }),
  z.object({ kind: z.literal("break-glass"), line: z.number().int(), incident: Argument.min(1), reason: Argument.min(1) }),
  z.object({ kind: z.literal("refresh"), line: z.number().int() }),
  z.object({ kind: z.literal("help"), line: z.number().int() }),
  /** `help`: the reply lists the commands (the verb was not one of them). */
  z.object({ kind: z.literal("invalid"), line: z.number().int(), text: Argument, reason: Argument, help: z.boolean() }),
]);
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

export const COMMAND_HELP: readonly (readonly [string, string])[] = [
  ["/approve [note]", "approve the current findings (members of a group this PR needs)"],
  [
    "/approve cancel",
    "withdraw your approval (so does /remove-approve, and any note starting with cancel, withdraw, revoke, retract or undo)",
  ],
  ["/evidence <key> <value>", "supply evidence, e.g. /evidence change-request CHG-1234"],
  ["/hold [reason]", "block the merge until /unhold (deleting the comment does not lift it)"],
  ["/unhold", "lift a hold (its author, or a member of the policy's break-glass groups); /hold cancel and /remove-hold say the same"],
  [
    "/break-glass <incident-id> <reason>",
    "emergency pass (members of the policy's break-glass groups, not on their own PR); needs post-change validation",
  ],
  ["/route-governor refresh", "evaluate the PR again"],
  ["/route-governor help", "show this list"],
];

export const helpText = (): string => COMMAND_HELP.map(([command, what]) => `\`${command}\` — ${what}`).join("\n");

/**
 * Lines break where Markdown breaks them (CommonMark: \n, \r\n and a lone \r), so a command's
 * line is the line the rendered page has. The Unicode line and paragraph separators (U+2028,
 * U+2029) and NEL (U+0085) do not break a Markdown line: inside one they read as spaces, like any
 * Unicode space (`.` alone does not match U+2028 or U+2029, and `/hold<U+2028>reason` was dropped
 * without a word).
 */
const LINE_BREAK = /\r\n|\r|\n/;
/** Any Unicode space, the line and paragraph separators, and NEL. */
const SPACE = String.raw`[\s\u0085]`;
const SPACES = new RegExp(SPACE, "g");
const TRAILING_SPACES = new RegExp(`${SPACE}+$`);
const COMMAND_LINE = /^ {0,3}\/([A-Za-z][\w-]*)(.*)$/s;
/**
 * What may follow a verb: nothing, a colon (`/hold: reason`) or any Unicode space — a no-break
 * space pasted from Slack or Docs (or typed with Option-Space), a narrow or ideographic one.
 */
const AFTER_VERB = new RegExp(`^(?::|${SPACE}|$)`);
/**
 * A verb this App reads, or one a reviewer may have meant for it: one of its words after an optional
 * negating prefix, hyphens and underscores aside (`/approved`, `/unapprove`, `/break_glass`). Other
 * bots' verbs (`/lgtm`, `/assign`, `/retest`) do not match.
 */
const ADDRESSED = /^(?:un|re|dis|remove|cancel|stop|lift|release)?(?:approv|hold|evidence|breakglass|routegovernor)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE = /^ {0,3}>/;
// Control characters would let a command smuggle text into replies and logs; tabs and Unicode spaces become spaces.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069]/g;

const clean = (text: string): string => text.replace(SPACES, " ").replace(CONTROL, "").trim().slice(0, MAX_ARGUMENT_CHARS);

/** First word and the rest of the line. */
const split = (args: string): [string, string] => {
  const match = /^(\S+)\s*(.*)$/.exec(args);
  return match ? [match[1]!, match[2]!] : ["", ""];
};

/**
 * A retraction however it is punctuated or worded (`cancel.`, `cancel - wrong PR`, `(withdrawn)`):
 * reading one as an approval would approve when the person meant the opposite, so any text that
 * starts with such a word is a retraction.
 */
const RETRACTION = z.string().regex(/^[^\p{L}\p{N}]*(cancel(?:l?ed)?|withdraw(?:n)?|revoked?|retract(?:ed)?|undo)(?![\p{L}\p{N}_])/iu);
/** `cancel` alone, punctuation aside: the only way `/hold` lifts rather than holds. */
const BARE_CANCEL = z.string().regex(/^[^\p{L}\p{N}]*cancel[^\p{L}\p{N}]*$/iu);
const EVIDENCE_KEY = z.string().regex(/^[A-Za-z][\w.-]{0,99}$/);

/** A line whose verb is addressed to this App (ADDRESSED), read by the grammar or refused with a reason. */
function command(verb: string, args: string, line: number): SlashCommand {
  const [first, rest] = split(args);
  const invalid = (reason: string, help = false): SlashCommand => ({
    kind: "invalid",
    line,
    text: clean(`/${verb} ${args}`),
    reason,
    help,
  });
  switch (verb) {
    case "approve":
      return RETRACTION.safeParse(args).success ? { kind: "approve-cancel", line } : { kind: "approve", line, note: args };
    // Prow's retractions (research/governance-anchors.md), which reviewers used to Prow write here too.
    case "remove-approve":
      return { kind: "approve-cancel", line };
    case "remove-hold":
      return { kind: "hold-cancel", line };
    case "evidence":
      if (!first || !rest) return invalid("usage: /evidence <key> <value>");
      return EVIDENCE_KEY.safeParse(first).success
        ? { kind: "evidence", line, key: first, value: rest }
        : invalid("an evidence key is a word of letters, digits, '-', '_' or '.'; usage: /evidence <key> <value>");
    case "hold":
      if (BARE_CANCEL.safeParse(args).success) return { kind: "hold-cancel", line };
      // `/hold cancel the rollout` could mean either: neither is guessed.
      return RETRACTION.safeParse(args).success
        ? invalid("ambiguous: to lift a hold write /unhold; to hold, give a reason that does not start with a word like cancel")
        : { kind: "hold", line, reason: args };
    case "unhold":
      return { kind: "hold-cancel", line };
    case "break-glass":
      return first && rest
        ? { kind: "break-glass", line, incident: first, reason: rest }
        : invalid("usage: /break-glass <incident-id> <reason>");
    case "route-governor": {
      const sub = first.toLowerCase();
      if (sub === "refresh" && rest === "") return { kind: "refresh", line };
      if ((sub === "help" && rest === "") || sub === "") return { kind: "help", line };
      return invalid("unknown command; try /route-governor help", true);
    }
    default:
      return invalid("not a Route Governor command, so it did nothing", true);
  }
}

/** How a command is named back to its author: `/approve cancel`, `/evidence rollback`. */
export function commandName(command: SlashCommand): string {
  switch (command.kind) {
    case "approve-cancel":
      return "/approve cancel";
    case "hold-cancel":
      return "/unhold";
    case "evidence":
      return `/evidence ${command.key}`;
    case "refresh":
      return "/route-governor refresh";
    case "help":
      return "/route-governor help";
    case "invalid":
      return command.text;
    default:
      return `/${command.kind}`;
  }
}

const blank = (text: string): string => text.replace(/[^\r\n]/g, "");
// Unterminated, a comment or block hides the rest of the body, as the rendered page does.
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;
const HIDING_TAG = /<(\/?)(?:details|pre)\b[^>]*>/gi;

/**
 * The body with HTML comments and `<details>` / `<pre>` blocks (nested too) blanked out, keeping
 * line breaks so that command line numbers stay those of the comment.
 */
function visibleText(body: string): string {
  const text = body.replace(HTML_COMMENT, blank);
  let out = "";
  let depth = 0;
  let from = 0;
  for (const tag of text.matchAll(HIDING_TAG)) {
    const closing = tag[1] === "/";
    if (depth === 0 && !closing) {
      out += text.slice(from, tag.index);
      from = tag.index;
    }
    depth = closing ? Math.max(0, depth - 1) : depth + 1;
    if (depth === 0 && closing) {
      const end = tag.index + tag[0].length;
      out += blank(text.slice(from, end));
      from = end;
    }
  }
  return out + (depth > 0 ? blank(text.slice(from)) : text.slice(from));
}

/** Every command of a comment, in order, with its 1-based line. Pure and bounded. */
export function parseSlashCommands(body: string): SlashCommand[] {
  const lines = visibleText(body.slice(0, MAX_BODY_CHARS)).split(LINE_BREAK);
  const found: SlashCommand[] = [];
  let fence: string | undefined;
  for (let index = 0; index < lines.length && found.length < MAX_COMMANDS; index++) {
    const text = lines[index]!;
    const opening = FENCE.exec(text)?.[1];
    if (fence) {
      if (opening && opening[0] === fence[0] && opening.length >= fence.length && text.trim() === opening) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening;
      continue;
    }
    if (QUOTE.test(text)) continue;
    const match = COMMAND_LINE.exec(text.replace(TRAILING_SPACES, ""));
    if (!match) continue;
    const verb = match[1]!.toLowerCase();
    if (!ADDRESSED.test(verb.replace(/[-_]/g, ""))) continue;
    const after = match[2]!;
    const parsed = AFTER_VERB.test(after)
      ? command(verb, clean(after.replace(/^:/, "")), index + 1)
      : // `/approve.` or `/hold—now`: read as neither the verb nor something else, it is refused.
        ({
          kind: "invalid",
          line: index + 1,
          text: clean(`/${verb}${after}`),
          reason: "not read: put a space between the command and its text",
          help: true,
        } satisfies SlashCommand);
    found.push(SlashCommandSchema.parse(parsed));
  }
  return found;
}
