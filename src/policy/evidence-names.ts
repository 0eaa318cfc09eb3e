import type { Policy } from "./policy-schema.js";

/**
 * Evidence keys are written by people in PR descriptions ("Change request", "change-request",
 * "CR"), so names compare without case, spaces, dashes, underscores or a trailing colon.
 */
export const normaliseEvidenceName = (name: string): string => name.toLowerCase().replace(/[\s_\-:]+/g, "");

/**
 * Every spelling that names an evidence key (the key itself and its aliases), normalised, to
 * the key. Two keys claiming one spelling are returned in `clashes` (a policy error).
 */
export function evidenceNameIndex(evidence: Policy["evidence"]): {
  readonly names: ReadonlyMap<string, string>;
  readonly clashes: readonly { name: string; keys: [string, string] }[];
} {
  const names = new Map<string, string>();
  const clashes: { name: string; keys: [string, string] }[] = [];
  for (const [key, definition] of Object.entries(evidence)) {
    for (const spelling of [key, ...definition.aliases]) {
      const name = normaliseEvidenceName(spelling);
      const owner = names.get(name);
      if (owner === undefined) names.set(name, key);
      else if (owner !== key) clashes.push({ name: spelling, keys: [owner, key] });
    }
  }
  return { names, clashes };
}

/** The evidence key a written name refers to, if any. */
export const resolveEvidenceKey = (written: string, evidence: Policy["evidence"]): string | undefined =>
  evidenceNameIndex(evidence).names.get(normaliseEvidenceName(written));
