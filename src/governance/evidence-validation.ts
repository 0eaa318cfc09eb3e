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

// C0/C1 controls except newline, bidirectional overrides (Trojan Source) and zero-width characters.
const INVISIBLE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/g;

/**
 * The displayable form of a written value: invisible and control characters removed, HTML
 * comments (PR template hints) dropped, blanks collapsed, one pair of wrapping backticks or
 * angle brackets (an autolink) removed. Newlines survive only inside multi-line values (a fenced command).
 */
export function cleanEvidenceValue(raw: string): string {
  let value = raw
    .replace(/<!--[\s\S]*?(-->|$)/g, "")
    .replace(INVISIBLE, " ")
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

const truncated = (value: string): string => `${value.slice(0, MAX_EVIDENCE_CHARS)}…`;

/** Validates one evidence value against its key's rule (DESIGN §9). */
export function validateEvidence(raw: string, rule: EvidenceValidation, context: ValidationContext): Validated {
  const value = cleanEvidenceValue(raw);
  if (value.length > MAX_EVIDENCE_CHARS) {
    return { ok: false, value: truncated(value), reason: `longer than ${MAX_EVIDENCE_CHARS} characters` };
  }
  if (value === "") return { ok: false, value, reason: "empty" };
  if (PLACEHOLDER.test(value)) return { ok: false, value, reason: `"${value}" is a placeholder` };
  switch (rule.type) {
    case "regex":
      return new RegExp(rule.pattern).test(value)
        ? { ok: true, value }
        : { ok: false, value, reason: rule.hint ? `expected ${rule.hint}` : `does not match ${rule.pattern}` };
    case "url":
      return validateUrl(value);
    case "window":
      return validateWindow(value, rule.maxHours, context);
    case "command":
    case "text":
      return { ok: true, value };
  }
}

function validateUrl(written: string): Validated {
  // A Markdown link is how a URL usually appears in a PR description: judge its target.
  const link = /^\[[^\]]*\]\(([^()\s]+)\)$/.exec(written);
  const target = link ? link[1]! : written;
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
  return { ok: true, value: target };
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
