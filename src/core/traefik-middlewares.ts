import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";
import { list, record, text, type JsonRecord } from "./json-access.js";
import type { ManifestSet, Resource } from "./resource.js";
import { resourcesOfKind } from "./resources-of-kind.js";

/**
 * The Middlewares a route or chain passes requests through, and what removing or adding one does.
 * A Middleware is named `{name, namespace}` or by its provider name, `<namespace>-<name>@kubernetescrd`
 * (bloopySphere's routes spell `networking-rfc1918@kubernetescrd`): both are read as the latter, so
 * rewriting one spelling into the other changes nothing.
 */

const PROVIDER = "@kubernetescrd";

/** A middleware reference's provider name; another provider's (`name@file`) as written. */
export const middlewareKey = (ref: JsonRecord, namespace: string): string => {
  const name = text(ref.name) ?? "?";
  return name.includes("@") ? name : `${text(ref.namespace) ?? namespace}-${name}${PROVIDER}`;
};

const byKey = new WeakMap<ManifestSet, ReadonlyMap<string, Resource>>();

/** The tree's Middleware by provider name, indexed once a tree. */
export function middlewareOf(set: ManifestSet, key: string): Resource | undefined {
  let found = byKey.get(set);
  if (!found) {
    found = new Map(resourcesOfKind(set, "Middleware").map((one) => [`${one.id.namespace}-${one.id.name}${PROVIDER}`, one]));
    byKey.set(set, found);
  }
  return found.get(key);
}

/**
 * Middlewares that neither admit nor refuse anyone and send requests where they were going: they
 * compress, buffer, serve error pages or set content types. A `retry` one retries requests that
 * failed, writes too: dropped it retries no more (harmless), added it is retry-timeout.changed.
 */
const HARMLESS = new Set(["compress", "buffering", "errors", "contentType"]);
/** Middlewares that rewrite the path a backend sees: not a guard, but a backend that sees other paths answers otherwise. */
const REWRITES = new Set(["stripPrefix", "stripPrefixRegex", "addPrefix", "replacePath", "replacePathRegex"]);
/**
 * A `headers` Middleware's settings that only add headers to responses (security headers): they
 * admit no one. Its request headers (an identity a backend trusts), `sslRedirect`, `allowedHosts`
 * and proxy headers decide who passes or what the backend believes, and are not among them.
 */
const RESPONSE_HEADERS = new Set([
  "customResponseHeaders",
  "frameDeny",
  "customFrameOptionsValue",
  "contentTypeNosniff",
  "browserXssFilter",
  "customBrowserXSSValue",
  "contentSecurityPolicy",
  "contentSecurityPolicyReportOnly",
  "publicKey",
  "referrerPolicy",
  "permissionsPolicy",
  "featurePolicy",
  "stsSeconds",
  "stsIncludeSubdomains",
  "stsPreload",
  "forceSTSHeader",
  "isDevelopment",
  "addVaryHeader",
]);
/**
 * A `headers` Middleware's allowances: CORS (`accessControl*`), what browsers grant other origins;
 * `hostsProxyHeaders` and `sslProxyHeaders`, the request headers its `allowedHosts` and
 * `sslRedirect` checks believe. Dropped, fewer requests are allowed (as Gateway API's CORS filter
 * removed restricts); added, they weigh. drag0n141's secure-headers Middleware held only these and
 * security headers.
 */
const allows = (key: string): boolean => key.startsWith("accessControl") || key === "hostsProxyHeaders" || key === "sslProxyHeaders";

export type MiddlewareWeight = "harmless" | "rewrites" | "retries" | "unknown";

/**
 * What a Middleware does as the tree holds it (a chain is read as its members, leavesOf), for
 * routes that lose it (`removed`) or gain it (`added`); one the tree does not hold is unknown.
 */
export function middlewareWeight(set: ManifestSet, key: string, side: "removed" | "added"): MiddlewareWeight {
  const found = middlewareOf(set, key);
  const weights = Object.entries(record(found?.body.spec)).map(([kind, value]): MiddlewareWeight => {
    if (HARMLESS.has(kind)) return "harmless";
    if (kind === "retry") return side === "removed" ? "harmless" : "retries";
    if (kind === "headers")
      return Object.keys(record(value)).every((name) => RESPONSE_HEADERS.has(name) || (side === "removed" && allows(name)))
        ? "harmless"
        : "unknown";
    return REWRITES.has(kind) ? "rewrites" : "unknown";
  });
  return weights.length === 0 ? "unknown" : heaviest(weights);
}

/** Of several settings, what the heaviest does: unknown, then retries, then rewrites. */
const heaviest = (weights: readonly MiddlewareWeight[]): MiddlewareWeight =>
  (["unknown", "retries", "rewrites"] as const).find((weight) => weights.includes(weight)) ?? "harmless";

/** A list of middleware references, keyed by provider name, each with where it is written. */
export const middlewaresAt = (refs: unknown, namespace: string, at: FieldPath): Map<string, FieldPath> =>
  new Map(list(refs).map((ref, index) => [middlewareKey(record(ref), namespace), [...at, index]] as const));

/**
 * The middlewares a reference passes requests through, by provider name: a chain the tree holds,
 * its members (nested chains too), each with the chain it came through; anything else, itself.
 */
function leavesOf(set: ManifestSet, key: string, via?: string, seen: ReadonlySet<string> = new Set()): Map<string, string | undefined> {
  const found = middlewareOf(set, key);
  const chain = found && record(record(found.body.spec).chain).middlewares;
  if (!found || chain === undefined || seen.has(key)) return new Map([[key, via]]);
  const leaves = new Map<string, string | undefined>();
  for (const member of list(chain))
    for (const [leaf, through] of leavesOf(set, middlewareKey(record(member), found.id.namespace), via ?? key, new Set([...seen, key])))
      if (!leaves.has(leaf)) leaves.set(leaf, through);
  return leaves;
}

const allLeaves = (set: ManifestSet, keys: Iterable<string>): Set<string> =>
  new Set([...keys].flatMap((key) => [...leavesOf(set, key).keys()]));

/**
 * A route's or chain's middlewares, before and after, as findings of `what` (`route Host(`a`)`, `chain`):
 * one taken away is a check requests may no longer pass (access.widened) unless the tree shows it
 * only compressed, retried or set response headers (low) or rewrote paths (medium); one added
 * changes requests in ways the review reads only as far as the tree holds it (medium, low for a harmless one).
 * A chain the tree holds is read as its members: bloopySphere's dashboard swapping chain `xyz-auth`
 * for `bloopnet-xyz-auth`, one of its members, gave up the chain's Cloudflare allow list and rate
 * limit only. A middleware named on both sides is judged where it is edited, not here.
 * `pointAt`: where the findings point instead, when the lists are two routes' (a handover).
 */
export function middlewareChanges(
  out: DetectionList,
  was: ReadonlyMap<string, FieldPath>,
  now: ReadonlyMap<string, FieldPath>,
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
  what: string,
  pointAt?: FieldPath,
): void {
  const named = (key: string, via: string | undefined) => `middleware ${key}${via ? ` (of chain ${via})` : ""}`;
  const nowLeaves = allLeaves(trees.head, now.keys());
  for (const [reference, path] of was) {
    if (now.has(reference)) continue;
    for (const [key, via] of leavesOf(trees.base, reference)) {
      if (nowLeaves.has(key)) continue;
      const weight = middlewareWeight(trees.base, key, "removed");
      out.add(
        weight === "unknown"
          ? {
              class: "access.widened",
              summary: `${what}: ${named(key, via)} removed: requests no longer pass through it; if it authenticated, restricted or rate-limited them they now pass unchecked`,
              side: "base",
              path: pointAt ?? path,
              before: key,
              after: null,
            }
          : {
              class: "resource.changed",
              summary: `${what}: ${named(key, via)} removed (it ${weight === "harmless" ? "only compressed, retried, served error pages, set response headers or allowed cross-origin requests" : "rewrote the path its backends see"})`,
              side: "base",
              path: pointAt ?? path,
              before: key,
              after: null,
              ...(weight === "rewrites" ? { riskFloor: "medium" as const } : {}),
            },
      );
    }
  }
  const wasLeaves = allLeaves(trees.base, was.keys());
  for (const [reference, path] of now) {
    if (was.has(reference)) continue;
    for (const [key, via] of leavesOf(trees.head, reference)) {
      if (wasLeaves.has(key)) continue;
      const weight = middlewareWeight(trees.head, key, "added");
      out.add({
        class: weight === "retries" ? "retry-timeout.changed" : "resource.changed",
        summary: `${what}: ${named(key, via)} added: requests now pass through it${weight === "unknown" ? "; what it does is not modelled" : weight === "retries" ? ", which retries failed requests, writes too" : ""}`,
        side: "head",
        path: pointAt ?? path,
        before: null,
        after: key,
        ...(weight === "harmless" || weight === "retries" ? {} : { riskFloor: "medium" as const }),
      });
    }
  }
}
