import * as z from "zod";
import { evidenceNameIndex, normaliseEvidenceName } from "../policy/evidence-names.js";
import type { Policy } from "../policy/policy-schema.js";
import type { RiskLevel } from "../core/risk-level.js";
import { cleanEvidenceValue, MAX_EVIDENCE_CHARS, validateEvidence } from "./evidence-validation.js";

/** Longest raw text accepted from the App edge before cleaning; longer input is cut, then refused as too long. */
const MAX_RAW_CHARS = 4 * MAX_EVIDENCE_CHARS;
const rawText = z.string().transform((text) => text.slice(0, MAX_RAW_CHARS));

/** The PR description, as the adapter read it (the body is parsed here, not trusted). */
export const PrBodySchema = z.object({
  text: z.string().max(262_144),
  /** When the description was last edited. */
  at: z.iso.datetime({ offset: true }),
  author: z.string().min(1).max(100),
});
export type PrBody = z.infer<typeof PrBodySchema>;

/** One `/evidence <key> <value>` comment command. */
export const EvidenceCommandSchema = z.object({
  key: z.string().min(1).max(100),
  value: rawText,
  at: z.iso.datetime({ offset: true }),
  author: z.string().min(1).max(100),
  commentId: z.number().int().optional(),
  /** An edited comment does not count (DESIGN §10): its text is not what was first posted. */
  edited: z.boolean().default(false),
});
export type EvidenceCommand = z.infer<typeof EvidenceCommandSchema>;

export interface EvidenceSources {
  readonly body?: PrBody;
  readonly commands: readonly EvidenceCommand[];
}

export interface EvidenceItem {
  readonly key: string;
  /** Required by the policy for this PR; other items are shown but do not decide. */
  readonly required: boolean;
  readonly status: "ok" | "missing" | "invalid";
  /** Cleaned, length-capped: still untrusted, escape it when rendering. */
  readonly value?: string;
  readonly source?: "body" | "comment";
  readonly author?: string;
  readonly at?: string;
  /** Line in the PR description, for body values. */
  readonly line?: number;
  readonly reason?: string;
}

export interface BodyEvidenceLine {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const SECTION = /^\s{0,3}#{2,3}\s+change\s+evidence\s*:?\s*#*\s*$/i;
const HEADING = /^\s{0,3}#{1,6}(?:\s|$)/;
const FENCE = /^\s*(`{3,}|~{3,})/;
// Up to three spaces: a tab (four columns) or more starts an indented code block, an example.
const BULLET = /^ {0,3}[-*+]\s+(?:\[[ xX]\]\s+)?(.*)$/;
const BOLD_KEY = /^(\*\*|__)(.+?)\1(.*)$/;
const PLAIN_KEY = /^([^:`]{1,80}):(.*)$/;
const CODE_KEY = /^`([^:`]{1,80})`\s*:(.*)$/;

/**
 * The `- Key: value` lines of every `## Change evidence` section (heading level 2 or 3, any
 * case) of a PR description, up to the next heading. `* **Key**: value` and `- **Key:** value`
 * work too. A key with no value followed by a fenced block takes the block as its value
 * (a multi-line rollback command). Fenced blocks elsewhere are skipped. Lines are 1-based.
 */
export function parseEvidenceSection(body: string): BodyEvidenceLine[] {
  const lines = withoutComments(body.split(/\r?\n/));
  const found: BodyEvidenceLine[] = [];
  let inSection = false;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!;
    if (FENCE.test(text)) {
      index = closingFence(lines, index);
      continue;
    }
    if (HEADING.test(text)) {
      inSection = SECTION.test(text);
      continue;
    }
    if (!inSection) continue;
    const entry = keyValue(text);
    if (!entry) continue;
    const line = index + 1;
    let value = entry.value;
    const next = value === "" ? nextNonBlank(lines, index + 1) : undefined;
    if (next !== undefined && FENCE.test(lines[next]!)) {
      index = closingFence(lines, next);
      value = lines.slice(next + 1, index).join("\n");
    }
    found.push({ key: entry.key, value, line });
  }
  return found;
}

/**
 * The lines as GitHub shows them: HTML comments (`<!-- … -->`, over several lines too) blanked
 * out, outside fenced blocks, line for line. A PR template's commented example (`<!-- - Rollback:
 * … -->`) is not evidence: nobody reading the PR sees it.
 */
function withoutComments(lines: readonly string[]): string[] {
  const shown: string[] = [];
  let inComment = false;
  for (let index = 0; index < lines.length; index++) {
    if (!inComment && FENCE.test(lines[index]!)) {
      const close = closingFence(lines, index);
      shown.push(...lines.slice(index, close + 1));
      index = close;
      continue;
    }
    let rest = lines[index]!;
    let visible = "";
    for (;;) {
      if (inComment) {
        const end = rest.indexOf("-->");
        if (end === -1) break;
        rest = rest.slice(end + 3);
        inComment = false;
      }
      const start = rest.indexOf("<!--");
      if (start === -1) {
        visible += rest;
        break;
      }
      visible += rest.slice(0, start);
      rest = rest.slice(start + 4);
      inComment = true;
    }
    shown.push(visible);
  }
  return shown;
}

function keyValue(line: string): { key: string; value: string } | undefined {
  const bullet = BULLET.exec(line);
  if (!bullet) return undefined;
  const item = bullet[1]!.trim();
  const bold = BOLD_KEY.exec(item);
  if (bold) {
    const inner = bold[2]!.trim();
    const rest = bold[3]!.trim();
    if (inner.endsWith(":")) return { key: inner.slice(0, -1).trim(), value: rest };
    if (rest.startsWith(":")) return { key: inner, value: rest.slice(1).trim() };
    return undefined;
  }
  // A key in backticks, as the README prints them (`` `rollback`: … ``).
  const plain = CODE_KEY.exec(item) ?? PLAIN_KEY.exec(item);
  return plain ? { key: plain[1]!.trim(), value: plain[2]!.trim() } : undefined;
}

const nextNonBlank = (lines: readonly string[], from: number): number | undefined => {
  for (let index = from; index < lines.length; index++) if (lines[index]!.trim() !== "") return index;
  return undefined;
};

/**
 * Index of the line closing the fence opened at `open` (or the last line when unclosed): as
 * CommonMark closes one, a run of the same character at least as long, with nothing after it (a
 * ```` fence shows a ``` line inside it as text).
 */
function closingFence(lines: readonly string[], open: number): number {
  const marker = FENCE.exec(lines[open]!)![1]!;
  for (let index = open + 1; index < lines.length; index++) {
    const run = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[index]!)?.[1];
    if (run && run[0] === marker[0] && run.length >= marker.length) return index;
  }
  return lines.length - 1;
}

interface Candidate {
  readonly written: string;
  readonly value: string;
  readonly at: string;
  readonly author: string;
  readonly source: "body" | "comment";
  readonly line?: number;
  readonly edited: boolean;
}

export interface EvidenceContext {
  readonly now: Date;
  readonly risk: RiskLevel;
  /** Keys this PR needs, in display order. */
  readonly required: readonly string[];
}

/**
 * The evidence checklist (DESIGN §9): per key, the latest valid value from the PR description
 * and `/evidence` comments, else the latest invalid one with its reason, else missing.
 * Required keys come first; keys supplied but not required follow; names that match no key
 * of the policy are listed as invalid (never gating by themselves) with the key they most likely
 * meant, so that a typo is visible rather than silently dropped. A required key left missing
 * because its value was written under such a name says so.
 */
export function collectEvidence(sources: EvidenceSources, policy: Policy, context: EvidenceContext): EvidenceItem[] {
  const { names } = evidenceNameIndex(policy.evidence);
  const byKey = new Map<string, Candidate[]>();
  const unknown = new Map<string, Candidate>();
  for (const candidate of chronological(candidates(sources))) {
    const key = names.get(normaliseEvidenceName(candidate.written));
    if (key === undefined) unknown.set(normaliseEvidenceName(candidate.written), candidate);
    else byKey.set(key, [...(byKey.get(key) ?? []), candidate]);
  }

  const validation = { now: context.now, risk: context.risk, freezes: policy.freezes };
  const itemFor = (key: string, required: boolean): EvidenceItem => {
    const rule = policy.evidence[key]?.validate ?? { type: "text" as const };
    let latestInvalid: EvidenceItem | undefined;
    let latestValid: EvidenceItem | undefined;
    for (const candidate of byKey.get(key) ?? []) {
      const origin = {
        source: candidate.source,
        author: candidate.author,
        at: candidate.at,
        ...(candidate.line ? { line: candidate.line } : {}),
      };
      if (candidate.edited) {
        latestInvalid = { key, required, status: "invalid", ...origin, reason: "the comment was edited; post a new /evidence comment" };
        continue;
      }
      const result = validateEvidence(candidate.value, rule, validation);
      if (result.ok) latestValid = { key, required, status: "ok", value: result.value, ...origin };
      else latestInvalid = { key, required, status: "invalid", value: result.value, ...origin, reason: result.reason };
    }
    return latestValid ?? latestInvalid ?? { key, required, status: "missing" };
  };

  const required = [...new Set(context.required)];
  const supplied = Object.keys(policy.evidence).filter((key) => byKey.has(key) && !required.includes(key));
  const guesses = [...unknown.values()].map((candidate) => ({ candidate, meant: closestKey(candidate.written, policy.evidence) }));
  const unknownText = (written: string, meant: string | undefined): string =>
    `\`${cleanKey(written)}\` is not an evidence key of this policy: ${meant ? `did you mean \`${meant}\`?` : `its keys are ${Object.keys(policy.evidence).join(", ")}`}`;
  const unknownItems = guesses.map(({ candidate, meant }): EvidenceItem => ({
    key: cleanKey(candidate.written),
    required: false,
    status: "invalid",
    source: candidate.source,
    author: candidate.author,
    at: candidate.at,
    ...(candidate.line ? { line: candidate.line } : {}),
    reason: unknownText(candidate.written, meant),
  }));
  const requiredItem = (key: string): EvidenceItem => {
    const item = itemFor(key, true);
    const hidden = item.status === "missing" ? guesses.find(({ meant }) => meant === key) : undefined;
    return hidden ? { ...item, reason: unknownText(hidden.candidate.written, key) } : item;
  };
  return [...required.map(requiredItem), ...supplied.map((key) => itemFor(key, false)), ...unknownItems];
}

/**
 * The evidence key a name that matches none most likely meant: a key or alias it contains or is
 * contained in ("Rollback steps" → rollback), else one a couple of typos away ("Chnage request").
 */
function closestKey(written: string, evidence: Policy["evidence"]): string | undefined {
  const name = normaliseEvidenceName(written);
  if (name.length < 2) return undefined;
  let best: { key: string; score: number } | undefined;
  for (const [spelling, key] of evidenceNameIndex(evidence).names) {
    const contained = spelling.length >= 3 && (name.includes(spelling) || spelling.includes(name));
    // Containment ranks by how much of the name the spelling covers; typos by edit distance, after any containment.
    const score = contained ? -Math.min(spelling.length, name.length) : editDistance(name, spelling);
    if (!contained && score > Math.max(1, Math.floor(Math.max(name.length, spelling.length) / 5))) continue;
    if (!best || score < best.score) best = { key, score };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length]!;
}

function candidates(sources: EvidenceSources): Candidate[] {
  const body = sources.body;
  // A template line left blank (`- Rollback: <!-- command -->`) supplies nothing.
  const fromBody = body
    ? parseEvidenceSection(body.text)
        .filter((entry) => cleanEvidenceValue(entry.value) !== "")
        .map((entry): Candidate => ({
          written: entry.key,
          value: entry.value,
          at: body.at,
          author: body.author,
          source: "body",
          line: entry.line,
          edited: false,
        }))
    : [];
  const fromComments = sources.commands.map((command): Candidate => ({
    written: command.key,
    value: command.value,
    at: command.at,
    author: command.author,
    source: "comment",
    edited: command.edited,
  }));
  return [...fromBody, ...fromComments];
}

/** Oldest first; equal times keep their order (body lines top to bottom, then comments). */
const chronological = (list: readonly Candidate[]): Candidate[] =>
  list
    .map((candidate, order) => ({ candidate, order, time: Date.parse(candidate.at) }))
    .sort((a, b) => a.time - b.time || a.order - b.order)
    .map(({ candidate }) => candidate);

/** A written key echoed back in the checklist: printable and short. */
const cleanKey = (written: string): string =>
  written
    .replace(/[^\p{L}\p{N} ._-]/gu, "")
    .trim()
    .slice(0, 40);
