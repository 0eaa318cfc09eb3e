import type { Resource } from "../../core/resource.js";
import { ruleIdOf, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { qualifyHost } from "../../core/service-host.js";
import { gatewayEntry, httpAlternative } from "../../core/istio-http-match.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { flatText } from "../../core/flat-text.js";
import { sharedPath } from "../../core/field-path.js";

/**
 * VirtualService http/tls/tcp rules as flows: one per gateway (`mesh` when none), host and rule.
 * A single destination takes all traffic whatever its weight; with several, a missing weight is 0
 * (Istio's HTTPRouteDestination). Rules are first-match, so their order is their precedence.
 * A match alternative naming `gateways` applies on those gateways only, so a rule's flow on an
 * entry holds the alternatives that apply there, and no flow at all when none does.
 */

/**
 * The in-cluster service spellings `reviews`, `reviews.bookinfo`, `reviews.bookinfo.svc` and
 * `reviews.bookinfo.svc.cluster.local` are one host: named by its short name in its own namespace,
 * and as `name.namespace` from another, so qualifying a host is not a route change.
 */
export function shortHost(host: string, namespace: string): string {
  const [name, serviceNamespace, ...domain] = host.split(".");
  const inCluster = ["", "svc", "svc.cluster.local"].includes(domain.join("."));
  if (host.includes("*") || name === undefined || serviceNamespace === undefined || !inCluster) return host;
  return serviceNamespace === namespace ? name : `${name}.${serviceNamespace}`;
}

function l4Alternative(match: JsonRecord) {
  const parts = [
    ...(numeric(match.port) ? [`port ${numeric(match.port)}`] : []),
    ...list(match.sniHosts)
      .map((h) => `sni ${text(h) ?? ""}`)
      .sort(),
    ...list(match.destinationSubnets)
      .map((s) => `subnet ${text(s) ?? ""}`)
      .sort(),
  ];
  const signature = parts.join(", ") || "*";
  return { signature, path: signature };
}

function destinations(rule: JsonRecord, namespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const routes = list(rule.route).map(record);
  const refs: WeightedRef[] = routes.map((route, index) => {
    const destination = record(route.destination);
    const host = text(destination.host) ?? "?";
    const subset = text(destination.subset);
    const port = numeric(record(destination.port).number);
    const label = `${host}${subset ? ` ${subset}` : ""}${port ? `:${port}` : ""}`;
    return {
      key: flatText(`${qualifyHost(host, namespace)}|${subset ?? ""}|${port ?? ""}`),
      label: flatText(label),
      weight: routes.length === 1 ? 100 : (numeric(route.weight) ?? 0),
      ref: { kind: "Host", name: host, namespace, ...(subset ? { subset } : {}), routeFile: file },
      path: sharedPath([...rulePath, "route", index]),
    };
  });
  if (refs.length > 0) return refs;
  const terminal = rule.redirect !== undefined ? "redirect" : rule.directResponse !== undefined ? "direct-response" : undefined;
  if (!terminal) return [];
  const target = JSON.stringify(rule[terminal === "redirect" ? "redirect" : "directResponse"]);
  return [
    {
      key: `${terminal}:${target}`,
      label: `${terminal} ${target}`,
      weight: 1,
      ref: { kind: "Host", name: terminal, namespace, routeFile: file },
      path: [...rulePath, terminal === "redirect" ? "redirect" : "directResponse"],
    },
  ];
}

function mirrorsOf(rule: JsonRecord) {
  const percentOf = (value: unknown) => numeric(record(value).value);
  const single =
    rule.mirror !== undefined ? [{ label: text(record(rule.mirror).host) ?? "?", percent: percentOf(rule.mirrorPercentage) ?? 100 }] : [];
  const many = list(rule.mirrors).map((item) => {
    const mirror = record(item);
    return { label: text(record(mirror.destination).host) ?? "?", percent: percentOf(mirror.percentage) ?? 100 };
  });
  return [...single, ...many];
}

export function virtualServiceRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "VirtualService" || resource.id.group !== "networking.istio.io") return [];
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const gateways = nonEmptyTexts(spec.gateways);
  const entries = (gateways.length ? gateways : ["mesh"]).map((gateway) => gatewayEntry(gateway, namespace));
  const hosts = [...new Set(nonEmptyTexts(spec.hosts).map((host) => shortHost(host, namespace)))];
  const shapes: RuleShape[] = [];
  for (const section of ["http", "tls", "tcp"] as const) {
    list(spec[section]).forEach((item, ruleIndex) => {
      const rule = record(item);
      const rulePath = ["spec", section, ruleIndex];
      const matches = list(rule.match).map(record);
      const alternatives = (matches.length ? matches : [{}]).map((match) => ({
        ...(section === "http" ? httpAlternative(match) : l4Alternative(match)),
        only: nonEmptyTexts(match.gateways).map((gateway) => gatewayEntry(gateway, namespace)),
      }));
      const backends = destinations(rule, namespace, resource.source.file, rulePath);
      const mirrors = section === "http" ? mirrorsOf(rule) : [];
      const ruleId = ruleIdOf(text(rule.name), alternatives);
      for (const entry of entries) {
        const applicable = alternatives
          .filter((a) => a.only.length === 0 || a.only.includes(entry))
          .map(({ only: _, ...alternative }) => alternative);
        if (applicable.length === 0) continue;
        for (const host of hosts) {
          shapes.push({
            entry,
            host: section === "http" ? host : `${host} (${section})`,
            alternatives: applicable,
            ruleId,
            precedence: ruleIndex,
            path: rulePath,
            backends,
            mirrors,
          });
        }
      }
    });
  }
  return shapes;
}
