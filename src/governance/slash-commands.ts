import { Marked } from "marked";
import * as z from "zod";

/**
 * The slash commands of a PR comment (DESIGN §10). A command is a line that starts with `/`
 * (up to three spaces of indentation) and that GitHub renders as text; several per comment. Where
 * the line lands is read as GitHub reads Markdown (CommonMark, by `marked`, which passes the
 * specification's block-structure examples), not by rules of thumb: code (fenced, indented, inside
 * a list item, or an inline code span running over lines), quotes, HTML comments, `<details>` /
 * `<pre>` blocks, link definitions and image text are not commands: quoting someone's `/approve`
 * must not approve, and neither may text the page does not show (or shows only on a click), where
 * reviewers would not see the command. A line written without `>` that GitHub still shows inside
 * the quote above it (a lazy continuation: no blank line between), or inside raw HTML, is refused
 * with a reason rather than dropped: its author most likely meant it as a command.
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

/**
 * Where GitHub shows a line: as text; not as text (code, a comment, a collapsed or preformatted
 * block, a link definition, an image's text); or inside a quote above it that the line itself
 * does not open (a lazy continuation), which its author may not have meant; or unread, in a comment
 * too deeply nested to read.
 */
type Placement = "text" | "hidden" | "quoted" | "unread";
const RANK: Readonly<Record<Placement, number>> = { text: 0, quoted: 1, hidden: 2, unread: 3 };

/**
 * CommonMark without GitHub's extensions: they change nothing here (a table's cells, struck text and
 * bare links are text either way), and the extensions' inline rules cost quadratic time on hostile
 * text where CommonMark's stay near linear.
 */
const markdown = new Marked({ gfm: false, async: false });
/**
 * Quotes nested deeper than this on one line: the lexer recurses once per level (and runs out of
 * stack some thousands deep), and no comment means it. Such a comment's commands are refused.
 */
const MAX_QUOTE_DEPTH = 100;
const LINE_CONTAINERS = /^[ \t>*+\-\d.)]*/gm;
const tooDeep = (text: string): boolean =>
  [...text.matchAll(LINE_CONTAINERS)].some(([prefix]) => prefix.split(">").length > MAX_QUOTE_DEPTH);
/** Marks a candidate line in the text given to the Markdown lexer; the body's own copies of these characters are replaced first. */
const MARK_OPEN = "\uE000";
const MARK_CLOSE = "\uE001";
const MARK = /\uE000(\d+)\uE001/g;
const MARK_CHARS = /[\uE000\uE001]/g;
/**
 * In raw HTML: comments, tags (their attributes, an `alt` or `title` over several lines, are never
 * shown as text), and among them the elements whose text the page does not show as text at first
 * sight (`<details>`, shown on a click), or shows as code or as a quote. Unterminated, a comment or
 * element hides the rest, as the rendered page does.
 */
const RAW_HTML = /<!--[\s\S]*?(?:-->|$)|<(\/?)([a-z][a-z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*>|\uE000(\d+)\uE001/gi;
const HIDING_ELEMENTS = new Set(["details", "pre", "code", "blockquote"]);

const markedLines = (text: string): number[] => [...text.matchAll(MARK)].map((match) => Number(match[1]));

/**
 * Where GitHub shows each of `candidates` (line indexes of `lines`). Each candidate line gets a
 * mark before its `/`: a line that starts with `/` starts no block and the mark starts none either,
 * so the document's structure is the comment's. The tokens are walked in document order, counting
 * the hiding HTML elements open (raw HTML only: a tag written inside code is text); a mark in a
 * leaf of text, or in raw HTML outside those, is shown as text unless a quote or code holds it too.
 */
function placements(lines: readonly string[], candidates: ReadonlySet<number>): Map<number, Placement> {
  const source = lines
    .map((line, index) => {
      const text = line.replace(MARK_CHARS, "\uFFFD");
      return candidates.has(index) ? text.replace("/", `${MARK_OPEN}${index}${MARK_CLOSE}/`) : text;
    })
    .join("\n");
  const found = new Map<number, Placement>();
  const place = (index: number, placement: Placement) => {
    if (RANK[placement] >= RANK[found.get(index) ?? "text"]) found.set(index, placement);
  };
  let open = 0;
  const shown = (index: number) => place(index, open > 0 ? "hidden" : "text");
  const unread = () => new Map([...candidates].map((index) => [index, "unread" as const]));
  if (tooDeep(source)) return unread();
  try {
    markdown.walkTokens(markdown.lexer(source), (token) => {
      switch (token.type) {
        case "code":
        case "codespan":
        case "def":
        case "image":
          return markedLines(token.raw).forEach((index) => place(index, "hidden"));
        case "blockquote":
          return markedLines(token.raw).forEach((index) => place(index, "quoted"));
        case "html":
          for (const [part, closing, element, mark] of token.raw.matchAll(RAW_HTML)) {
            if (mark !== undefined) shown(Number(mark));
            else {
              markedLines(part).forEach((index) => place(index, "hidden"));
              if (element !== undefined && HIDING_ELEMENTS.has(element.toLowerCase())) open = closing ? Math.max(0, open - 1) : open + 1;
            }
          }
          return;
        case "text":
          if (!token.tokens) markedLines(token.text).forEach(shown);
      }
    });
  } catch {
    // The lexer's own limits (its stack, its loop guard): what GitHub shows is not known.
    return unread();
  }
  // A mark in no text (a link's address) is not shown.
  return new Map([...candidates].map((index) => [index, found.get(index) ?? "hidden"]));
}

/** Every command of a comment, in order, with its 1-based line. Pure and bounded. */
export function parseSlashCommands(body: string): SlashCommand[] {
  const lines = body.slice(0, MAX_BODY_CHARS).split(LINE_BREAK);
  const matches = new Map<number, RegExpExecArray>();
  lines.forEach((line, index) => {
    const match = COMMAND_LINE.exec(line.replace(TRAILING_SPACES, ""));
    if (match && ADDRESSED.test(match[1]!.toLowerCase().replace(/[-_]/g, ""))) matches.set(index, match);
  });
  if (matches.size === 0) return [];
  const where = placements(lines, new Set(matches.keys()));
  const found: SlashCommand[] = [];
  for (const [index, match] of matches) {
    if (found.length >= MAX_COMMANDS) break;
    const placement = where.get(index);
    if (placement === "hidden") continue;
    const verb = match[1]!.toLowerCase();
    const after = match[2]!;
    const refused = (reason: string): SlashCommand => ({
      kind: "invalid",
      line: index + 1,
      text: clean(`/${verb}${after}`),
      reason,
      help: false,
    });
    const parsed =
      placement === "quoted"
        ? refused("not read: GitHub shows this line as part of the quote above it; leave a blank line before a command")
        : placement === "unread"
          ? refused("not read: this comment nests too deeply to tell how GitHub shows it; post the command in a comment of its own")
          : AFTER_VERB.test(after)
            ? command(verb, clean(after.replace(/^:/, "")), index + 1)
            : // `/approve.` or `/hold—now`: read as neither the verb nor something else, it is refused.
              { ...refused("not read: put a space between the command and its text"), help: true };
    found.push(SlashCommandSchema.parse(parsed));
  }
  return found;
}
