import type { EvidenceKey, Policy } from "../policy/policy-schema.js";
import type { RiskLevel } from "../core/risk-level.js";
import { parseTimeWindow } from "./time-window.js";

/** Evidence values are untrusted text shown in PR comments and audit records. */
export const MAX_EVIDENCE_CHARS = 500;

export type EvidenceValidation = EvidenceKey["validate"];

export interface ValidationContext {
  readonly now: Date;
  /** The PR's overall risk: a freeze only matters for the risks it lists. */
  readonly risk: RiskLevel;
  readonly freezes: Policy["freezes"];
}

export type Validated =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly value: string; readonly reason: string };

// C0/C1 controls except newline: blanks. Zero-width characters and bidirectional overrides (Trojan
// Source) show as nothing, so they are removed: `T\u200bBD` is the `TBD` a reader sees.
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/**
 * The displayable form of a written value: invisible and control characters removed, HTML
 * comments (PR template hints) dropped, blanks collapsed, one pair of wrapping backticks or
 * angle brackets (an autolink) removed. Newlines survive only inside multi-line values (a fenced command).
 */
export function cleanEvidenceValue(raw: string): string {
  let value = raw
    .replace(/<!--[\s\S]*?(-->|$)/g, "")
    .replace(INVISIBLE, "")
    .replace(CONTROL, " ")
    .split("\n")
    .map((line) => line.replace(/[ \t]+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
  // `<https://…>` is a Markdown autolink; `<command>` is a template placeholder and stays.
  const wrapped = /^`([^`]+)`$/.exec(value) ?? /^<([a-z][a-z0-9+.-]*:[^<>\s]+)>$/i.exec(value);
  if (wrapped) value = wrapped[1]!.trim();
  return value;
}

const PLACEHOLDER = /^(?:tbd|tba|todo|tk|wip|n\/?a|na|none|null|nil|unknown|same|see above|later|\?+|-+|\.+|…|x+|_+|<[^>]*>|\[[^\]]*\])$/i;

/**
 * A value that starts by saying it is not there yet (`TBD (will add before merge)`, `TODO: add
 * rollback command`, `same as above`): a promise, not evidence. The word must end there, so a
 * command naming `todo-api` is not one.
 */
const PROMISE =
  /^(?:tbd|tba|todo|to ?do|wip|pending|n\/a|not applicable|placeholder|coming soon|fill(?:ed)? (?:in|me)|to be (?:added|done|provided|confirmed|determined|defined|decided|filled|updated|written|linked|run)|will (?:add|provide|follow|update|fill|link|run|be)|same as (?:above|before|last|previous|the)|see (?:above|below|ticket|jira|description|the description|comments?|pr|linked)|later)(?![\w-])/i;

/**
 * A template's blank left in the value: `<namespace>`, `<run-id>`, `{{ rollback_command }}`.
 * Shell redirections (`< file`, `<<EOF`) are no such blank: one starts with a letter right after `<`.
 */
const TEMPLATE_BLANK = /<[a-z][\w .:/-]*>|\{\{[^{}]*\}\}/i;

/**
 * The documentation domains themselves and the reserved top-level names (RFC 2606: a template's
 * `https://example.com`), and a host or path written as a blank (`https://TBD`, `…/TODO`).
 */
const EXAMPLE_HOST = /^(?:www\.)?example\.(?:com|org|net)$|(?:^|\.)(?:example|invalid|test|localhost)$/i;
const BLANK_SEGMENT = /^(?:tbd|tba|todo|xxx+|\.{2,}|…|placeholder|changeme)$/i;

/** Why a value is a placeholder rather than evidence, if it is one (a link's blanks are its own to judge: validateUrl). */
function placeholderIn(value: string, rule: EvidenceValidation): string | undefined {
  if (PLACEHOLDER.test(value)) return `"${value}" is a placeholder`;
  if (PROMISE.test(value)) return `"${value}" is a placeholder, not the evidence itself`;
  const blank = rule.type === "url" ? null : TEMPLATE_BLANK.exec(value);
  if (blank) return `${blank[0]} is a template's blank left unfilled`;
  return undefined;
}

const truncated = (value: string): string => `${value.slice(0, MAX_EVIDENCE_CHARS)}…`;

/** Validates one evidence value against its key's rule (DESIGN §9). */
export function validateEvidence(raw: string, rule: EvidenceValidation, context: ValidationContext): Validated {
  const value = cleanEvidenceValue(raw);
  if (value.length > MAX_EVIDENCE_CHARS) {
    return { ok: false, value: truncated(value), reason: `longer than ${MAX_EVIDENCE_CHARS} characters` };
  }
  if (value === "") return { ok: false, value, reason: "empty" };
  const placeholder = placeholderIn(value, rule);
  if (placeholder) return { ok: false, value, reason: placeholder };
  switch (rule.type) {
    case "regex": {
      // A ticket id is often written as a link to its ticket: the id is the link's text.
      const id = MARKDOWN_LINK.exec(value)?.[1]?.trim() ?? value;
      return new RegExp(rule.pattern).test(id)
        ? { ok: true, value: id }
        : { ok: false, value, reason: rule.hint ? `expected ${rule.hint}` : `does not match ${rule.pattern}` };
    }
    case "url":
      return validateUrl(value);
    case "window":
      return validateWindow(value, rule.maxHours, context);
    case "command":
    case "text":
      return { ok: true, value };
  }
}

const MARKDOWN_LINK = /^\[([^\]]*)\]\(([^()\s]+)\)$/;

function validateUrl(written: string): Validated {
  // A Markdown link is how a URL usually appears in a PR description: judge its target.
  const target = MARKDOWN_LINK.exec(written)?.[2] ?? written;
  if (/\s/.test(target)) return { ok: false, value: written, reason: "not a URL (contains spaces)" };
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, value: written, reason: "not a URL; expected https://…" };
  }
  if (url.protocol !== "https:") return { ok: false, value: written, reason: `only https:// links are accepted, not ${url.protocol}` };
  if (url.username !== "" || url.password !== "") return { ok: false, value: written, reason: "URL carries credentials" };
  if (url.hostname === "") return { ok: false, value: written, reason: "URL has no host" };
  const segments = [url.hostname, ...url.pathname.split("/").map(decodeSegment)];
  if (EXAMPLE_HOST.test(url.hostname) || segments.some((segment) => BLANK_SEGMENT.test(segment) || TEMPLATE_BLANK.test(segment)))
    return { ok: false, value: written, reason: "a placeholder link, not the evidence itself" };
  return { ok: true, value: target };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function validateWindow(value: string, maxHours: number, context: ValidationContext): Validated {
  const parsed = parseTimeWindow(value);
  if (!parsed.ok) return { ok: false, value, reason: parsed.reason };
  const { start, end } = parsed.window;
  const hours = (end.getTime() - start.getTime()) / 3_600_000;
  if (hours > maxHours)
    return { ok: false, value, reason: `${Math.round(hours).toLocaleString("en-US")} hours long; the policy allows at most ${maxHours}` };
  if (end <= context.now) return { ok: false, value, reason: `already over (ended ${end.toISOString()})` };
  const freeze = context.freezes.find((f) => f.risks.includes(context.risk) && start < new Date(f.end) && end > new Date(f.start));
  if (freeze) {
    return { ok: false, value, reason: `overlaps freeze "${freeze.name}" (${freeze.start} – ${freeze.end}) for ${context.risk} changes` };
  }
  return { ok: true, value: `${start.toISOString()}/${end.toISOString()}` };
}
