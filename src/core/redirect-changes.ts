import { describeLeafChanges, leafChanges, sameValue, show } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";

/**
 * What a rule does to its requests before (or instead of) forwarding them: a redirect answers them
 * itself (the client goes elsewhere), a direct response answers them outright, a rewrite changes the
 * host or path the destination sees. Gateway API writes redirects and rewrites as RequestRedirect and
 * URLRewrite filters, Istio as a rule's `redirect`, `directResponse` and `rewrite`, Gloo as a route's
 * `redirect` and `directResponse` actions; either way, which requests reach which backend as what
 * changes: route.match-changed.
 */
export type Redirection = "redirect" | "answer" | "rewrite";

const EFFECT: Readonly<Record<Redirection, { readonly added: string; readonly removed: string }>> = {
  redirect: {
    added: "matching requests are redirected instead of forwarded",
    removed: "matching requests are forwarded to backends again",
  },
  answer: {
    added: "matching requests are answered by the proxy itself instead of forwarded",
    removed: "matching requests are forwarded to backends again",
  },
  rewrite: { added: "requests reach backends with a rewritten host or path", removed: "requests reach backends unrewritten" },
};

/** One rule's redirect, direct response or rewrite, as written at base and head (undefined where the rule has none). */
export interface RedirectionChange {
  readonly kind: Redirection;
  /** The rule and field as the summary names them: `http rule /api: redirect`, `rule /: RequestRedirect`. */
  readonly subject: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly path: FieldPath;
}

export function reportRedirection(out: DetectionList, { kind, subject, before, after, path }: RedirectionChange): void {
  // A direct response edited in place (its body, its status) still answers the same requests: no route moved.
  if (sameValue(before, after) || (kind === "answer" && before !== undefined && after !== undefined)) return;
  const what =
    before === undefined
      ? `added (${show(after)}): ${EFFECT[kind].added}`
      : after === undefined
        ? `removed: ${EFFECT[kind].removed}`
        : describeLeafChanges(leafChanges(before, after));
  out.add({ class: "route.match-changed", summary: `${subject} ${what}`, side: "head", path, before, after });
}
