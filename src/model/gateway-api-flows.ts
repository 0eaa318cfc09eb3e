import type { Resource } from "../manifests/resource.js";
import type { RuleShape, WeightedRef } from "./flow-builder.js";
import { UNKNOWN_ENTRY } from "./traffic-model.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../manifests/json-access.js";

/**
 * Rules of Gateway API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute) as flows:
 * one per parent (Gateway listener or GAMMA Service), hostname and rule. Backend weight defaults
 * to 1 (Gateway API spec); a rule with only a redirect still answers requests.
 */
export const GATEWAY_ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"]);
const GATEWAY_GROUPS = new Set(["gateway.networking.k8s.io", "gateway.networking.x-k8s.io"]);

export function parentEntry(parent: JsonRecord, routeNamespace: string): string {
  const kind = text(parent.kind) ?? "Gateway";
  const namespace = text(parent.namespace) ?? routeNamespace;
  const section = text(parent.sectionName);
  const port = numeric(parent.port);
  return `${kind} ${namespace}/${text(parent.name) ?? "?"}${section ? `:${section}` : ""}${port ? `:${port}` : ""}`;
}

const matchValue = (kind: string, match: JsonRecord): string => {
  const type = text(match.type) ?? "Exact";
  const op = type === "RegularExpression" ? "~" : "=";
  return `${kind} ${text(match.name) ?? "?"}${op}${text(match.value) ?? ""}`;
};

function httpAlternative(match: JsonRecord) {
  const pathMatch = record(match.path);
  const path = `${text(pathMatch.type) ?? "PathPrefix"} ${text(pathMatch.value) ?? "/"}`;
  const method = text(match.method);
  const parts = [
    path,
    ...(method ? [`method ${method.toUpperCase()}`] : []),
    ...list(match.headers).map((h) => matchValue("header", record(h))).sort(),
    ...list(match.queryParams).map((q) => matchValue("query", record(q))).sort(),
  ];
  return { signature: parts.join(", "), path, method };
}

function grpcAlternative(match: JsonRecord) {
  const method = record(match.method);
  const regex = text(method.type) === "RegularExpression" ? "~" : "";
  const path = `grpc ${regex}${text(method.service) ?? "*"}/${text(method.method) ?? "*"}`;
  const parts = [path, ...list(match.headers).map((h) => matchValue("header", record(h))).sort()];
  return { signature: parts.join(", "), path };
}

function backendRefs(rule: JsonRecord, routeNamespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const refs: WeightedRef[] = list(rule.backendRefs).map((item, index) => {
    const ref = record(item);
    const group = text(ref.group) ?? "";
    const kind = text(ref.kind) ?? "Service";
    const namespace = text(ref.namespace) ?? routeNamespace;
    const name = text(ref.name) ?? "?";
    const port = numeric(ref.port);
    const where = `${namespace === routeNamespace ? "" : `${namespace}/`}${name}${port ? `:${port}` : ""}`;
    return {
      key: `${group}/${kind}/${namespace}/${name}:${port ?? ""}`,
      label: kind === "Service" ? where : `${kind} ${where}`,
      weight: numeric(ref.weight) ?? 1,
      ref: { kind: kind === "ServiceImport" ? "ServiceImport" : "Service", name, namespace, routeFile: file },
      path: [...rulePath, "backendRefs", index],
    };
  });
  if (refs.length > 0) return refs;
  const redirect = list(rule.filters).map(record).find((f) => f.type === "RequestRedirect");
  if (!redirect) return [];
  const target = JSON.stringify(redirect.requestRedirect ?? {});
  return [{ key: `redirect:${target}`, label: `redirect ${target}`, weight: 1, ref: { kind: "Host", name: "redirect", namespace: routeNamespace, routeFile: file }, path: [...rulePath, "filters"] }];
}

function mirrorsOf(rule: JsonRecord) {
  return list(rule.filters)
    .map(record)
    .filter((filter) => filter.type === "RequestMirror")
    .map((filter) => {
      const mirror = record(filter.requestMirror);
      const ref = record(mirror.backendRef);
      const fraction = record(mirror.fraction);
      const fractionPercent = numeric(fraction.numerator) !== undefined ? (100 * numeric(fraction.numerator)!) / (numeric(fraction.denominator) ?? 100) : undefined;
      return { label: `${text(ref.kind) ?? "Service"} ${text(ref.name) ?? "?"}`, percent: numeric(mirror.percent) ?? fractionPercent ?? 100 };
    });
}

export function gatewayApiRules(resource: Resource): RuleShape[] {
  if (!GATEWAY_ROUTE_KINDS.has(resource.id.kind) || !GATEWAY_GROUPS.has(resource.id.group)) return [];
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const kind = resource.id.kind;
  const hosts = kind === "TCPRoute" || kind === "UDPRoute" ? ["*"] : nonEmptyTexts(spec.hostnames);
  const parents = list(spec.parentRefs);
  const entries = parents.length > 0 ? parents.map((parent) => parentEntry(record(parent), namespace)) : [UNKNOWN_ENTRY];
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
    const ruleId = text(rule.name) ?? alternatives.map((a) => a.signature).sort().join(" | ");
    for (const entry of entries) {
      for (const host of hosts.length ? hosts : ["*"]) {
        shapes.push({ entry, host, alternatives, ruleId, precedence: ruleIndex, path: rulePath, backends, mirrors });
      }
    }
  });
  return shapes;
}
