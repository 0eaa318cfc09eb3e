import type { DetectionList } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import { list, record, text, type JsonRecord } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

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
 * compress, buffer, retry, serve error pages or set response headers. A `headers` middleware that
 * sets request headers (an identity a backend trusts) or CORS rules is not one of them.
 */
const HARMLESS = new Set(["compress", "buffering", "retry", "errors", "contentType"]);
/** Middlewares that rewrite the path a backend sees: not a guard, but a backend that sees other paths answers otherwise. */
const REWRITES = new Set(["stripPrefix", "stripPrefixRegex", "addPrefix", "replacePath", "replacePathRegex"]);
const RESPONSE_ONLY_HEADERS = (headers: JsonRecord): boolean =>
  Object.keys(headers).every((key) => key !== "customRequestHeaders" && !key.startsWith("accessControl"));

export type MiddlewareWeight = "harmless" | "rewrites" | "unknown";

/** What a Middleware does as the tree holds it: a chain weighs as its heaviest member; one the tree does not hold is unknown. */
export function middlewareWeight(set: ManifestSet, key: string, seen: ReadonlySet<string> = new Set()): MiddlewareWeight {
  const found = middlewareOf(set, key);
  if (!found || seen.has(key)) return "unknown";
  const spec = record(found.body.spec);
  const weights = Object.entries(spec).map(([kind, value]): MiddlewareWeight => {
    if (HARMLESS.has(kind) || (kind === "headers" && RESPONSE_ONLY_HEADERS(record(value)))) return "harmless";
    if (REWRITES.has(kind)) return "rewrites";
    if (kind !== "chain") return "unknown";
    const members = list(record(value).middlewares).map((member) => middlewareKey(record(member), found.id.namespace));
    return heaviest(members.map((member) => middlewareWeight(set, member, new Set([...seen, key]))));
  });
  return weights.length === 0 ? "unknown" : heaviest(weights);
}

const heaviest = (weights: readonly MiddlewareWeight[]): MiddlewareWeight =>
  weights.includes("unknown") ? "unknown" : weights.includes("rewrites") ? "rewrites" : "harmless";

/** A list of middleware references, keyed by provider name, each with where it is written. */
export const middlewaresAt = (refs: unknown, namespace: string, at: FieldPath): Map<string, FieldPath> =>
  new Map(list(refs).map((ref, index) => [middlewareKey(record(ref), namespace), [...at, index]] as const));

/**
 * A route's or chain's middlewares, before and after, as findings of `what` (`route Host(`a`)`, `chain`):
 * one taken away is a check requests may no longer pass (access.widened) unless the tree shows it
 * only compressed, retried or set response headers (low) or rewrote paths (medium); one added
 * changes requests in ways the review reads only as far as the tree holds it (medium, low for a harmless one).
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
  for (const [key, path] of was) {
    if (now.has(key)) continue;
    const weight = middlewareWeight(trees.base, key);
    out.add(
      weight === "unknown"
        ? {
            class: "access.widened",
            summary: `${what}: middleware ${key} removed: requests no longer pass through it; if it authenticated, restricted or rate-limited them they now pass unchecked`,
            side: "base",
            path: pointAt ?? path,
            before: key,
            after: null,
          }
        : {
            class: "resource.changed",
            summary: `${what}: middleware ${key} removed (it ${weight === "harmless" ? "only compressed, retried, served error pages or set response headers" : "rewrote the path its backends see"})`,
            side: "base",
            path: pointAt ?? path,
            before: key,
            after: null,
            ...(weight === "rewrites" ? { riskFloor: "medium" as const } : {}),
          },
    );
  }
  for (const [key, path] of now) {
    if (was.has(key)) continue;
    const weight = middlewareWeight(trees.head, key);
    out.add({
      class: "resource.changed",
      summary: `${what}: middleware ${key} added: requests now pass through it${weight === "unknown" ? "; what it does is not modelled" : ""}`,
      side: "head",
      path: pointAt ?? path,
      before: null,
      after: key,
      ...(weight === "harmless" ? {} : { riskFloor: "medium" as const }),
    });
  }
}
