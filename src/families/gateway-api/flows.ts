import type { ManifestSet, Resource } from "../../core/resource.js";
import { attachRoute, type Landing } from "./attachment.js";
import { entryPointsOf, gatewayApiAttachingRoute, GATEWAY_API_GROUPS, type EntryPoints } from "./entry-points.js";
import { GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";
import { ruleHandling, ruleIdOf, type RouteRules, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { UNKNOWN_ENTRY } from "../../core/traffic-model.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { flatText } from "../../core/flat-text.js";
import { sharedPath } from "../../core/field-path.js";
import { canonical } from "../../core/canonical-values.js";
import { pathSignature } from "../../core/path-signature.js";
import { redirectDestination } from "./redirect.js";
import { hasFilters, ruleFilters } from "./rule-filters.js";

/**
 * Rules of Gateway API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) as flows:
 * one per listener that admits the route (or GAMMA Service, or a parent the tree does not hold,
 * as written), intersected hostname and rule. A listener that does not admit the route gives no
 * flow. Backend weight defaults to 1 (Gateway API spec); a rule with a redirect answers requests
 * itself.
 */

/** Header names match case-insensitively (HTTPHeaderMatch: "Name matching MUST be case-insensitive"); query parameter names do not. */
const matchValue = (kind: "header" | "query", match: JsonRecord): string => {
  const type = text(match.type) ?? "Exact";
  const op = type === "RegularExpression" ? "~" : "=";
  const name = text(match.name) ?? "?";
  return `${kind} ${kind === "header" ? name.toLowerCase() : name}${op}${text(match.value) ?? ""}`;
};

const pathOf = (pathMatch: JsonRecord): string => pathSignature(text(pathMatch.type) ?? "PathPrefix", text(pathMatch.value) ?? "/");

function httpAlternative(match: JsonRecord) {
  const path = pathOf(record(match.path));
  const method = text(match.method);
  const parts = [
    path,
    ...(method ? [`method ${method.toUpperCase()}`] : []),
    ...list(match.headers)
      .map((h) => matchValue("header", record(h)))
      .sort(),
    ...list(match.queryParams)
      .map((q) => matchValue("query", record(q)))
      .sort(),
  ];
  return { signature: parts.join(", "), path };
}

function grpcAlternative(match: JsonRecord) {
  const method = record(match.method);
  const regex = text(method.type) === "RegularExpression" ? "~" : "";
  const path = `grpc ${regex}${text(method.service) ?? "*"}/${text(method.method) ?? "*"}`;
  const parts = [
    path,
    ...list(match.headers)
      .map((h) => matchValue("header", record(h)))
      .sort(),
  ];
  return { signature: parts.join(", "), path };
}

/**
 * Where a rule sends requests. A RequestRedirect answers them itself, so a rule holding one is a
 * redirect flow named by where it sends clients (another status code sends them to the same
 * place), whatever backendRefs it also lists: those never receive a request (and the CRD's
 * validation refuses the pair, gateway-api-rules.ts).
 */
function backendRefs(rule: JsonRecord, routeNamespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const redirect = list(rule.filters)
    .map(record)
    .find((f) => f.type === "RequestRedirect");
  if (redirect) {
    const target = canonical(redirectDestination(redirect.requestRedirect ?? {}));
    return [
      {
        key: `redirect:${target}`,
        label: `redirect ${target}`,
        weight: 1,
        redirects: true,
        ref: { kind: "Host", name: "redirect", namespace: routeNamespace, routeFile: file },
        path: sharedPath([...rulePath, "filters"]),
      },
    ];
  }
  return list(rule.backendRefs).map((item, index) => {
    const ref = record(item);
    const group = text(ref.group) ?? "";
    const kind = text(ref.kind) ?? "Service";
    const namespace = text(ref.namespace) ?? routeNamespace;
    const name = text(ref.name) ?? "?";
    const port = numeric(ref.port);
    const where = `${namespace === routeNamespace ? "" : `${namespace}/`}${name}${port ? `:${port}` : ""}`;
    return {
      key: flatText(`${group}/${kind}/${namespace}/${name}:${port ?? ""}`),
      label: flatText(kind === "Service" ? where : `${kind} ${where}`),
      weight: numeric(ref.weight) ?? 1,
      ref: {
        kind: kind === "ServiceImport" ? "ServiceImport" : "Service",
        name,
        namespace,
        routeFile: file,
        ...(group === "" && kind === "Service" ? { coreService: true } : {}),
        ...(port === undefined ? {} : { port }),
      },
      path: sharedPath([...rulePath, "backendRefs", index]),
    };
  });
}

function mirrorsOf(rule: JsonRecord) {
  return list(rule.filters)
    .map(record)
    .filter((filter) => filter.type === "RequestMirror")
    .map((filter) => {
      const mirror = record(filter.requestMirror);
      const ref = record(mirror.backendRef);
      const fraction = record(mirror.fraction);
      const fractionPercent =
        numeric(fraction.numerator) !== undefined
          ? (100 * numeric(fraction.numerator)!) / (numeric(fraction.denominator) ?? 100)
          : undefined;
      return {
        label: `${text(ref.kind) ?? "Service"} ${text(ref.name) ?? "?"}`,
        percent: numeric(mirror.percent) ?? fractionPercent ?? 100,
      };
    });
}

/** One landing per entry: a route naming one Gateway both whole and by sectionName lands there once. */
function landingsOf(resource: Resource, points: EntryPoints): Landing[] {
  const byEntry = new Map<string, Landing>();
  for (const attachment of attachRoute(gatewayApiAttachingRoute(resource), points)) {
    for (const landing of attachment.listeners) {
      const known = byEntry.get(landing.entry);
      const hostnames = [...new Set([...(known?.hostnames ?? []), ...landing.hostnames])];
      // Admitted through one parent is admitted: the doubt of another parent does not carry over.
      const unverified = known && !known.unverified ? undefined : landing.unverified;
      byEntry.set(landing.entry, { ...landing, hostnames, ...(unverified ? { unverified } : {}) });
    }
  }
  return [...byEntry.values()];
}

/**
 * A route that names no parents is attached nowhere in the repository, but its weights are still
 * traffic decisions: its rules are flows whose entry is unknown, on its own hostnames.
 */
function unknownLanding(resource: Resource): Landing {
  const kind = resource.id.kind;
  const hostnames = kind === "TCPRoute" || kind === "UDPRoute" ? [] : nonEmptyTexts(record(resource.body.spec).hostnames);
  return { id: UNKNOWN_ENTRY, entry: UNKNOWN_ENTRY, hostnames: hostnames.length > 0 ? hostnames : ["*"] };
}

/** Which route's rule wins a request both claim (Gateway API: oldest creationTimestamp, then `namespace/name`). */
function claimOf(resource: Resource) {
  const createdAt = text(record(resource.body.metadata).creationTimestamp);
  return { ...(createdAt ? { createdAt } : {}), name: `${resource.id.namespace}/${resource.id.name}` };
}

/** A route's rules: a function of the route and its tree's entry points (the family's rule context). */
export function gatewayApiRules(resource: Resource, set: ManifestSet): RouteRules | undefined {
  if (!GATEWAY_ROUTE_KINDS.has(resource.id.kind) || !GATEWAY_API_GROUPS.has(resource.id.group)) return undefined;
  return readRules(resource, entryPointsOf(set));
}

/** What names a backendRef and its share; its `filters` are how the rule handles requests sent there. */
const BACKEND_IDENTITY = ["group", "kind", "namespace", "name", "port", "weight"];

/** A URLRewrite that replaces the matched prefix, on the rule or one of its backends. */
const rewritesPrefix = (rule: JsonRecord): boolean =>
  hasFilters(rule) &&
  ruleFilters(rule, []).some(({ fields }) => text(record(record(fields.urlRewrite).path).type) === "ReplacePrefixMatch");

function readRules(resource: Resource, points: EntryPoints): RouteRules {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const kind = resource.id.kind;
  const landings = list(spec.parentRefs).length > 0 ? landingsOf(resource, points) : [unknownLanding(resource)];
  const claim = claimOf(resource);
  const shapes: RuleShape[] = [];
  list(spec.rules).forEach((item, ruleIndex) => {
    const rule = record(item);
    const rulePath = ["spec", "rules", ruleIndex];
    const matches = list(rule.matches).map(record);
    const alternatives =
      kind === "HTTPRoute"
        ? (matches.length ? matches : [{}]).map(httpAlternative)
        : kind === "GRPCRoute"
          ? (matches.length ? matches : [{}]).map(grpcAlternative)
          : [{ signature: "*", path: "*" }];
    const backends = backendRefs(rule, namespace, resource.source.file, rulePath);
    const mirrors = mirrorsOf(rule);
    const ruleId = ruleIdOf(text(rule.name), alternatives);
    // Its name is part of how it handles requests (a policy's sectionName attaches by it); a prefix
    // rewrite depends on the match it rewrites, so such a rule is never alike another.
    const handling = rewritesPrefix(rule)
      ? undefined
      : ruleHandling(rule, ["matches"], { field: "backendRefs", identity: BACKEND_IDENTITY });
    for (const { entry, hostnames, unverified, copy, choices } of landings) {
      for (const host of hostnames) {
        shapes.push({
          entry,
          host,
          alternatives,
          ruleId,
          precedence: ruleIndex,
          path: rulePath,
          backends,
          mirrors,
          claim,
          ...(handling !== undefined ? { handling } : {}),
          ...(unverified ? { unverified } : {}),
          ...(copy ? { entryCopy: copy } : {}),
          ...(choices ? { entryChoices: choices } : {}),
        });
      }
    }
  });
  return { rules: shapes, entries: landings.map((landing) => landing.entry) };
}
