import type { DetectionList, Side } from "../../core/detection-list.js";
import type { Resource } from "../../core/resource.js";

/**
 * Annotations that paste raw proxy configuration into what the controller generates for an
 * Ingress's hosts: ingress-nginx snippets, NGINX Inc's `nginx.org/*-snippets`. Like an EnvoyFilter,
 * what one does to requests is not modelled (it can rewrite, allow, deny or proxy anything, and a
 * wrong one breaks the controller's whole configuration), so adding, changing or removing one is
 * high and the finding shows the text. ingress-nginx refuses them unless `allow-snippet-annotations`
 * is on, which is what makes the ones a repository writes effective.
 */
const SNIPPETS = [
  "nginx.ingress.kubernetes.io/configuration-snippet",
  "nginx.ingress.kubernetes.io/server-snippet",
  "nginx.ingress.kubernetes.io/auth-snippet",
  "nginx.ingress.kubernetes.io/stream-snippet",
  "nginx.ingress.kubernetes.io/modsecurity-snippet",
  "nginx.org/server-snippets",
  "nginx.org/location-snippets",
] as const;

const UNMODELLED = "raw proxy configuration for its hosts; what it does to requests is not modelled";

/** A quoted nginx string, backslash escapes included. */
const QUOTED = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/;

/**
 * A snippet as nginx reads it: whitespace between tokens carries no meaning, so a YAML chomping
 * indicator or a re-indent changes nothing. Outside quotes, each run of whitespace becomes one
 * line break (blank lines and indentation dropped) or one space; inside a quoted string it is
 * the string's own and is kept.
 */
const directives = (snippet: string): string =>
  snippet
    .split(QUOTED)
    // split keeps the captured quoted strings at the odd positions.
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\s+/g, (run) => (run.includes("\n") ? "\n" : " "))))
    .join("")
    .trim();

const sameSnippet = (was: string | undefined, now: string | undefined): boolean =>
  was === undefined || now === undefined ? was === now : directives(was) === directives(now);

export function snippetAnnotations(base: Resource | undefined, head: Resource | undefined, out: DetectionList): void {
  for (const key of SNIPPETS) {
    const [was, now] = [base?.annotations[key], head?.annotations[key]];
    if (sameSnippet(was, now) || (was === undefined && base !== undefined && head === undefined)) continue;
    const [summary, side]: [string, Side] =
      was === undefined
        ? [`${key} added: ${UNMODELLED}`, "head"]
        : now === undefined
          ? [`${key} removed: what it configured no longer applies to its hosts (${was.trim()})`, "base"]
          : [`${key} changed: ${UNMODELLED}`, "head"];
    out.add({
      class: "resource.changed",
      summary,
      side,
      path: ["metadata", "annotations", key],
      before: was ?? null,
      after: now ?? null,
      riskFloor: "high",
    });
  }
}
