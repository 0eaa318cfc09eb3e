import type { Resource } from "../manifests/resource.js";
import type { RuleShape, WeightedRef } from "./flow-builder.js";
import { asList, asNumber, asObject, asText, type PlainObject } from "./plain-data.js";

/**
 * Rules of Gateway API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) as flows:
 * one per parent (Gateway listener or GAMMA Service), hostname and rule. Backend weight defaults
 * to 1 (Gateway API spec); a rule with only a redirect still answers requests.
 */
export const GATEWAY_ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
const GATEWAY_GROUPS = new Set(["gateway.networking.k8s.io", "gateway.networking.x-k8s.io"]);

export function parentEntry(parent: PlainObject, routeNamespace: string): string {
  const kind = asText(parent.kind) ?? "Gateway";
  const namespace = asText(parent.namespace) ?? routeNamespace;
  const section = asText(parent.sectionName);
  const port = asNumber(parent.port);
  return `${kind} ${namespace}/${asText(parent.name) ?? "?"}${section ? `:${section}` : ""}${port ? `:${port}` : ""}`;
}

const matchValue = (kind: string, match: PlainObject): string => {
  const type = asText(match.type) ?? "Exact";
  const op = type === "RegularExpression" ? "~" : "=";
  return `${kind} ${asText(match.name) ?? "?"}${op}${asText(match.value) ?? ""}`;
};

function httpAlternative(match: PlainObject) {
  const pathMatch = asObject(match.path);
  const path = `${asText(pathMatch.type) ?? "PathPrefix"} ${asText(pathMatch.value) ?? "/"}`;
  const method = asText(match.method);
  const parts = [
    path,
    ...(method ? [`method ${method.toUpperCase()}`] : []),
    ...asList(match.headers).map((h) => matchValue("header", asObject(h))).sort(),
    ...asList(match.queryParams).map((q) => matchValue("query", asObject(q))).sort(),
  ];
  return { signature: parts.join(", "), path, method };
}

function grpcAlternative(match: PlainObject) {
  const method = asObject(match.method);
  const path = `grpc ${asText(method.service) ?? "*"}/${asText(method.method) ?? "*"}`;
  const parts = [path, ...asList(match.headers).map((h) => matchValue("header", asObject(h))).sort()];
  return { signature: parts.join(", "), path };
}

function backendRefs(rule: PlainObject, routeNamespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const refs: WeightedRef[] = asList(rule.backendRefs).map((item, index) => {
    const ref = asObject(item);
    const group = asText(ref.group) ?? "";
    const kind = asText(ref.kind) ?? "Service";
    const namespace = asText(ref.namespace) ?? routeNamespace;
    const name = asText(ref.name) ?? "?";
    const port = asNumber(ref.port);
    const where = `${namespace === routeNamespace ? "" : `${namespace}/`}${name}${port ? `:${port}` : ""}`;
    return {
      key: `${group}/${kind}/${namespace}/${name}:${port ?? ""}`,
      label: kind === "Service" ? where : `${kind} ${where}`,
      weight: asNumber(ref.weight) ?? 1,
      ref: { kind: kind === "ServiceImport" ? "ServiceImport" : "Service", name, namespace, routeFile: file },
      path: [...rulePath, "backendRefs", index],
    };
  });
  if (refs.length > 0) return refs;
  const redirect = asList(rule.filters).map(asObject).find((f) => f.type === "RequestRedirect");
  if (!redirect) return [];
  const target = JSON.stringify(redirect.requestRedirect ?? {});
  return [{ key: `redirect:${target}`, label: `redirect ${target}`, weight: 1, ref: { kind: "Host", name: "redirect", namespace: routeNamespace, routeFile: file }, path: [...rulePath, "filters"] }];
}

function mirrorsOf(rule: PlainObject) {
  return asList(rule.filters)
    .map(asObject)
    .filter((filter) => filter.type === "RequestMirror")
    .map((filter) => {
      const mirror = asObject(filter.requestMirror);
      const ref = asObject(mirror.backendRef);
      const fraction = asObject(mirror.fraction);
      const fractionPercent = asNumber(fraction.numerator) !== undefined ? (100 * asNumber(fraction.numerator)!) / (asNumber(fraction.denominator) ?? 100) : undefined;
      return { label: `${asText(ref.kind) ?? "Service"} ${asText(ref.name) ?? "?"}`, percent: asNumber(mirror.percent) ?? fractionPercent ?? 100 };
    });
}

export function gatewayApiRules(resource: Resource): RuleShape[] {
  if (!GATEWAY_ROUTE_KINDS.has(resource.id.kind) || !GATEWAY_GROUPS.has(resource.id.group)) return [];
  const spec = asObject(resource.body.spec);
  const namespace = resource.id.namespace;
  const kind = resource.id.kind;
  const hosts = kind === "TCPRoute" || kind === "UDPRoute" ? ["*"] : asList(spec.hostnames).map(asText).filter((h): h is string => !!h);
  const entries = asList(spec.parentRefs).map((parent) => parentEntry(asObject(parent), namespace));
  const shapes: RuleShape[] = [];
  asList(spec.rules).forEach((item, ruleIndex) => {
    const rule = asObject(item);
    const rulePath = ["spec", "rules", ruleIndex];
    const matches = asList(rule.matches).map(asObject);
    const alternatives =
      kind === "HTTPRoute"
        ? (matches.length ? matches : [{}]).map(httpAlternative)
        : kind === "GRPCRoute"
          ? (matches.length ? matches : [{}]).map(grpcAlternative)
          : [{ signature: "*", path: "*" }];
    const backends = backendRefs(rule, namespace, resource.source.file, rulePath);
    const mirrors = mirrorsOf(rule);
    const name = asText(rule.name);
    for (const entry of entries) {
      for (const host of hosts.length ? hosts : ["*"]) {
        shapes.push({ entry, host, alternatives, ruleId: name ?? alternatives.map((a) => a.signature).sort().join(" | "), precedence: ruleIndex, path: rulePath, backends, mirrors });
      }
    }
  });
  return shapes;
}
