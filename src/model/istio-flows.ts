import type { Resource } from "../manifests/resource.js";
import type { RuleShape, WeightedRef } from "./flow-builder.js";
import { asList, asNumber, asObject, asText, type PlainObject } from "./plain-data.js";

/**
 * VirtualService http/tls/tcp rules as flows: one per gateway (`mesh` when none), host and rule.
 * A single destination takes all traffic whatever its weight; with several, a missing weight is 0
 * (Istio's HTTPRouteDestination). Rules are first-match, so their order is their precedence.
 */

/** `reviews` and `reviews.default.svc.cluster.local` are the same destination. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes("*")) return host;
  if (!host.includes(".")) return `${host}.${namespace}.svc.cluster.local`;
  const parts = host.split(".");
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  return host;
}

const stringMatch = (match: PlainObject): string => {
  if (match.exact !== undefined) return `=${asText(match.exact) ?? ""}`;
  if (match.prefix !== undefined) return `^${asText(match.prefix) ?? ""}`;
  if (match.regex !== undefined) return `~${asText(match.regex) ?? ""}`;
  return "*";
};

const URI_TYPES: Record<string, string> = { exact: "Exact", prefix: "PathPrefix", regex: "RegularExpression" };

function httpAlternative(match: PlainObject) {
  const uri = asObject(match.uri);
  const uriType = Object.keys(URI_TYPES).find((type) => uri[type] !== undefined);
  const path = uriType ? `${URI_TYPES[uriType]} ${asText(uri[uriType]) ?? ""}` : "PathPrefix /";
  const method = asObject(match.method);
  const methodName = asText(method.exact);
  const named = (kind: string, value: unknown) =>
    Object.entries(asObject(value)).map(([name, m]) => `${kind} ${name}${stringMatch(asObject(m))}`).sort();
  const parts = [
    path,
    ...(methodName ? [`method ${methodName.toUpperCase()}`] : method.regex !== undefined || method.prefix !== undefined ? [`method ${stringMatch(method)}`] : []),
    ...(match.authority !== undefined ? [`authority${stringMatch(asObject(match.authority))}`] : []),
    ...named("header", match.headers),
    ...named("without-header", match.withoutHeaders),
    ...named("query", match.queryParams),
    ...Object.entries(asObject(match.sourceLabels)).map(([k, v]) => `source ${k}=${asText(v) ?? ""}`).sort(),
    ...(asText(match.sourceNamespace) ? [`source-namespace ${asText(match.sourceNamespace)}`] : []),
    ...(asNumber(match.port) ? [`port ${asNumber(match.port)}`] : []),
  ];
  return { signature: parts.join(", "), path, method: methodName };
}

function l4Alternative(match: PlainObject) {
  const parts = [
    ...(asNumber(match.port) ? [`port ${asNumber(match.port)}`] : []),
    ...asList(match.sniHosts).map((h) => `sni ${asText(h) ?? ""}`).sort(),
    ...asList(match.destinationSubnets).map((s) => `subnet ${asText(s) ?? ""}`).sort(),
  ];
  const signature = parts.join(", ") || "*";
  return { signature, path: signature };
}

function destinations(rule: PlainObject, namespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const routes = asList(rule.route).map(asObject);
  const refs: WeightedRef[] = routes.map((route, index) => {
    const destination = asObject(route.destination);
    const host = asText(destination.host) ?? "?";
    const subset = asText(destination.subset);
    const port = asNumber(asObject(destination.port).number);
    const label = `${host}${subset ? ` ${subset}` : ""}${port ? `:${port}` : ""}`;
    return {
      key: `${qualifyHost(host, namespace)}|${subset ?? ""}|${port ?? ""}`,
      label,
      weight: routes.length === 1 ? 100 : (asNumber(route.weight) ?? 0),
      ref: { kind: "Host", name: host, namespace, ...(subset ? { subset } : {}), routeFile: file },
      path: [...rulePath, "route", index],
    };
  });
  if (refs.length > 0) return refs;
  const terminal = rule.redirect !== undefined ? "redirect" : rule.directResponse !== undefined ? "direct-response" : undefined;
  if (!terminal) return [];
  const target = JSON.stringify(rule[terminal === "redirect" ? "redirect" : "directResponse"]);
  return [{ key: `${terminal}:${target}`, label: `${terminal} ${target}`, weight: 1, ref: { kind: "Host", name: terminal, namespace, routeFile: file }, path: [...rulePath, terminal === "redirect" ? "redirect" : "directResponse"] }];
}

function mirrorsOf(rule: PlainObject) {
  const percentOf = (value: unknown) => asNumber(asObject(value).value);
  const single = rule.mirror !== undefined
    ? [{ label: asText(asObject(rule.mirror).host) ?? "?", percent: percentOf(rule.mirrorPercentage) ?? 100 }]
    : [];
  const many = asList(rule.mirrors).map((item) => {
    const mirror = asObject(item);
    return { label: asText(asObject(mirror.destination).host) ?? "?", percent: percentOf(mirror.percentage) ?? 100 };
  });
  return [...single, ...many];
}

export function virtualServiceRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "VirtualService" || resource.id.group !== "networking.istio.io") return [];
  const spec = asObject(resource.body.spec);
  const namespace = resource.id.namespace;
  const gateways = asList(spec.gateways).map(asText).filter((g): g is string => !!g);
  const entries = (gateways.length ? gateways : ["mesh"]).map((gateway) =>
    gateway === "mesh" ? "mesh" : `Gateway ${gateway.includes("/") ? gateway : `${namespace}/${gateway}`}`,
  );
  const hosts = asList(spec.hosts).map(asText).filter((h): h is string => !!h);
  const shapes: RuleShape[] = [];
  for (const section of ["http", "tls", "tcp"] as const) {
    asList(spec[section]).forEach((item, ruleIndex) => {
      const rule = asObject(item);
      const rulePath = ["spec", section, ruleIndex];
      const matches = asList(rule.match).map(asObject);
      const alternatives = (matches.length ? matches : [{}]).map(section === "http" ? httpAlternative : l4Alternative);
      const backends = destinations(rule, namespace, resource.source.file, rulePath);
      const mirrors = section === "http" ? mirrorsOf(rule) : [];
      const name = asText(rule.name);
      for (const entry of entries) {
        for (const host of hosts) {
          shapes.push({ entry, host: section === "http" ? host : `${host} (${section})`, alternatives, ruleId: name ?? alternatives.map((a) => a.signature).sort().join(" | "), precedence: ruleIndex, path: rulePath, backends, mirrors });
        }
      }
    });
  }
  return shapes;
}
