import { sharedText } from "./string-table.js";
import { list, numeric, record, text, type JsonRecord } from "./json-access.js";
import { admitsMethod, covers, requestShapes, type RequestShape } from "./match-alternatives.js";
import { sortedSet } from "./canonical-values.js";
import { MUTATING_METHODS } from "./mirror-changes.js";

/**
 * Istio's HTTPMatchRequest and `gateways` list in the shared spelling of route rules
 * (src/core/route-rules.ts). Two families read them: the istio family in VirtualServices, and the
 * progressive family in a Flagger Canary, whose API embeds Istio's match type and gateway list for
 * the VirtualService it generates.
 */

/** The entry point a `gateways` item names: `Gateway <namespace>/<name>` (the route's namespace when unqualified), or `mesh`. */
export const gatewayEntry = (gateway: string, namespace: string): string =>
  gateway === "mesh" ? "mesh" : sharedText(`Gateway ${resolveGatewayName(gateway, namespace)}`);

/**
 * An Istio gateway reference as `namespace/name`, as istiod resolves it (resolveGatewayName): `name`
 * and `./name` are in the referrer's namespace, and the legacy `name.namespace.svc.cluster.local`
 * (or `name.namespace`) spells `namespace/name`. So a change of spelling is no change.
 */
export function resolveGatewayName(gateway: string, namespace: string): string {
  const slash = gateway.indexOf("/");
  if (slash >= 0) return gateway.slice(0, slash) === "." ? `${namespace}${gateway.slice(slash)}` : gateway;
  const dot = gateway.indexOf(".");
  if (dot < 0) return `${namespace}/${gateway}`;
  const rest = gateway.slice(dot + 1);
  const end = rest.indexOf(".");
  return `${end < 0 ? rest : rest.slice(0, end)}/${gateway.slice(0, dot)}`;
}

const stringMatch = (match: JsonRecord): string => {
  if (match.exact !== undefined) return `=${text(match.exact) ?? ""}`;
  if (match.prefix !== undefined) return `^${text(match.prefix) ?? ""}`;
  if (match.regex !== undefined) return `~${text(match.regex) ?? ""}`;
  return "*";
};

const URI_TYPES: Record<string, string> = { exact: "Exact", prefix: "PathPrefix", regex: "RegularExpression" };

/** One HTTPMatchRequest as a match alternative: `PathPrefix /api, method GET, header x-canary=true`. */
export function httpAlternative(match: JsonRecord) {
  const uri = record(match.uri);
  const uriType = Object.keys(URI_TYPES).find((type) => uri[type] !== undefined);
  const path = uriType ? `${URI_TYPES[uriType]} ${text(uri[uriType]) ?? ""}` : "PathPrefix /";
  const method = record(match.method);
  const methodName = text(method.exact);
  const named = (kind: string, value: unknown) =>
    Object.entries(record(value))
      .map(([name, m]) => `${kind} ${name}${stringMatch(record(m))}`)
      .sort();
  const parts = [
    path,
    ...(methodName
      ? [`method ${methodName.toUpperCase()}`]
      : method.regex !== undefined || method.prefix !== undefined
        ? [`method ${stringMatch(method)}`]
        : []),
    ...(match.authority !== undefined ? [`authority${stringMatch(record(match.authority))}`] : []),
    ...(match.scheme !== undefined ? [`scheme${stringMatch(record(match.scheme))}`] : []),
    ...named("header", match.headers),
    ...named("without-header", match.withoutHeaders),
    ...named("query", match.queryParams),
    ...Object.entries(record(match.sourceLabels))
      .map(([k, v]) => `source ${k}=${text(v) ?? ""}`)
      .sort(),
    ...(text(match.sourceNamespace) ? [`source-namespace ${text(match.sourceNamespace)}`] : []),
    ...(numeric(match.port) ? [`port ${numeric(match.port)}`] : []),
    ...(match.ignoreUriCase === true ? ["ignore-uri-case"] : []),
  ];
  return { signature: parts.join(", "), path };
}

/**
 * An Istio rewrite as it acts on the rule's requests: one that only sets `uri` to the very prefix
 * (or exact path) every match of the rule captures replaces a path's start with itself — no rewrite
 * at all (gitops-istio 96eda901 dropped a Canary's `rewrite: {uri: /}` under `prefix: /`).
 */
export function effectiveRewrite(rewrite: unknown, matches: readonly unknown[]): unknown {
  const written = record(rewrite);
  const keys = Object.keys(written);
  const uri = written.uri;
  if (keys.length !== 1 || typeof uri !== "string" || matches.length === 0) return rewrite;
  const capturesOnly = (match: unknown) => {
    const path = record(record(match).uri);
    return path.prefix === uri || path.exact === uri;
  };
  return matches.every(capturesOnly) ? undefined : rewrite;
}

const shapesOfMatch = (match: unknown): RequestShape[] => requestShapes(httpAlternative(record(match)).signature);
/** A rule's HTTPMatchRequests as request shapes (none: every request). */
const shapesOf = (matches: readonly unknown[]): RequestShape[] => (matches.length ? matches : [{}]).flatMap(shapesOfMatch);

/**
 * Why a rule with these HTTPMatchRequests can carry writes (`the rule takes writes (POST)`), or
 * undefined when it takes only reads. `above`: what the rules before it in a first-match list take
 * whole (rulesWrites): a write they take never reaches it.
 */
export function ruleWrites(matches: readonly unknown[], above: readonly RequestShape[] = []): string | undefined {
  const shapes = shapesOf(matches);
  const reached = MUTATING_METHODS.filter((method) =>
    shapes.some((shape) => admitsMethod(shape, method) && !above.some((earlier) => covers(earlier, { ...shape, methods: [method] }))),
  );
  if (reached.length === 0) return undefined;
  const unlimited =
    reached.length === MUTATING_METHODS.length && (matches.length === 0 || matches.some((match) => record(match).method === undefined));
  return `the rule takes writes (${unlimited ? "no method match" : sortedSet(reached).join(", ")})`;
}

/**
 * ruleWrites for each rule of a VirtualService's `http` list. Istio takes the first rule that
 * matches, so a read rule below one taking every POST, PUT, PATCH and DELETE of its path takes no
 * write, and a mirror on it duplicates none (a mirror on `orders-read` under the `orders-write`
 * rule `method: {regex: "POST|PUT|PATCH|DELETE"}`). An alternative limited to some `gateways`
 * takes the others' requests nowhere, so it takes none away from the rules below.
 */
export function rulesWrites(rules: readonly unknown[]): (string | undefined)[] {
  const above: RequestShape[] = [];
  return rules.map((rule) => {
    const matches = list(record(rule).match);
    const writes = ruleWrites(matches, above);
    const everywhere = matches.filter((match) => record(match).gateways === undefined);
    above.push(...(matches.length === 0 ? shapesOf(matches) : everywhere.flatMap(shapesOfMatch)));
    return writes;
  });
}
