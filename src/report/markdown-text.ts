/**
 * Untrusted text (resource names, hosts, PR-body evidence) rendered into GitHub markdown must stay
 * text: no HTML, no links, no @mentions that ping people, no table breakage, no way to close the
 * hidden markers the App finds its comment by.
 */
export function plain(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(/\r?\n/g, " ")
    .replace(/[\\`*_{}[\]<>|~]/g, (char) => `\\${char}`)
    .replace(/@(?=\w)/g, "@\u200b");
}

/** Inline code: the text verbatim, in a fence that its own backticks cannot close. */
export function code(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Inline code inside a table cell, where GitHub's table parser needs pipes escaped even in code. */
export const cellCode = (text: string): string => code(text).replace(/\|/g, "\\|");
