import type { ManifestSet, Resource } from "../../core/resource.js";
import { ruleIdOf, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { list, numeric, record, stringMap, text, texts, type JsonRecord } from "../../core/json-access.js";
import { selects } from "../../core/label-selector.js";

/**
 * Routes of the retired Gateway API `networking.x-k8s.io/v1alpha1` (still in GKE recipes) as
 * flows. A v1alpha1 route names no parent: Gateways select routes by label (`listeners[].routes`)
 * and routes admit Gateways (`spec.gateways.allow`), so the entries are the Gateways of the tree
 * that both select and are admitted by the route. `forwardTo` weights default to 1.
 */

export const LEGACY_GROUP = "networking.x-k8s.io";
export const LEGACY_ROUTE_KINDS = new Set(["HTTPRoute", "TCPRoute", "UDPRoute", "TLSRoute"]);
/** The route is selected by labels, and no Gateway of the tree selects it. */
const UNRESOLVED_ENTRY = "Gateway (legacy, by selector)";

/** Whether one of the Gateway's listeners selects the route (kind, labels, namespaces). */
function listenerSelects(gateway: Resource, route: Resource): boolean {
  return list(record(gateway.body.spec).listeners).some((item) => {
    const routes = record(record(item).routes);
    if ((text(routes.kind) ?? "HTTPRoute") !== route.id.kind || (text(routes.group) ?? LEGACY_GROUP) !== LEGACY_GROUP) return false;
    if (!selects(routes.selector, route.labels)) return false;
    // Namespace labels are not in the tree: a Selector is taken to admit the route.
    const from = text(record(routes.namespaces).from) ?? "Same";
    return from !== "Same" || gateway.id.namespace === route.id.namespace;
  });
}

/** Whether the route admits the Gateway (`spec.gateways.allow`, default SameNamespace). */
function routeAdmits(route: Resource, gateway: Resource): boolean {
  const gateways = record(record(route.body.spec).gateways);
  switch (text(gateways.allow) ?? "SameNamespace") {
    case "All":
      return true;
    case "FromList":
      return list(gateways.gatewayRefs).some(
        (ref) => text(record(ref).name) === gateway.id.name && text(record(ref).namespace) === gateway.id.namespace,
      );
    default:
      return gateway.id.namespace === route.id.namespace;
  }
}

/** The legacy Gateways of a tree, found once per tree. */
const gatewaysOfTree = new WeakMap<ManifestSet, Resource[]>();

function legacyGateways(set: ManifestSet): Resource[] {
  let gateways = gatewaysOfTree.get(set);
  if (!gateways) {
    gateways = [...set.resources.values()].filter((resource) => resource.id.group === LEGACY_GROUP && resource.id.kind === "Gateway");
    gatewaysOfTree.set(set, gateways);
  }
  return gateways;
}

function legacyRouteEntries(route: Resource, set: ManifestSet): string[] {
  const entries = legacyGateways(set)
    .filter((gateway) => listenerSelects(gateway, route) && routeAdmits(route, gateway))
    .map((gateway) => `Gateway ${gateway.id.namespace}/${gateway.id.name}`);
  return entries.length > 0 ? [...new Set(entries)].sort() : [UNRESOLVED_ENTRY];
}

/** `serviceName` or `backendRef {group, kind, name}`, as the readable identity reviewers see. */
export function legacyTarget(value: JsonRecord, namespace: string) {
  const backend = record(value.backendRef);
  const serviceName = text(value.serviceName);
  const group = serviceName ? "" : (text(backend.group) ?? "");
  const kind = serviceName ? "Service" : (text(backend.kind) ?? "Service");
  const name = serviceName ?? text(backend.name) ?? "?";
  const port = numeric(value.port);
  const where = `${name}${port === undefined ? "" : `:${port}`}`;
  return {
    group,
    kind,
    name,
    port,
    key: `${group}/${kind}/${namespace}/${name}:${port ?? ""}`,
    label: kind === "Service" ? where : `${kind} ${where}`,
  };
}

function forwardTo(rule: JsonRecord, namespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  return list(rule.forwardTo).map((item, index) => {
    const target = legacyTarget(record(item), namespace);
    return {
      key: target.key,
      label: target.label,
      weight: numeric(record(item).weight) ?? 1,
      ref: {
        kind: target.kind === "ServiceImport" ? "ServiceImport" : "Service",
        name: target.name,
        namespace,
        routeFile: file,
        ...(target.group === "" && target.kind === "Service" ? { coreService: true } : {}),
        ...(target.port === undefined ? {} : { port: target.port }),
      },
      path: [...rulePath, "forwardTo", index],
    };
  });
}

const PATH_TYPES: Readonly<Record<string, string>> = { Prefix: "PathPrefix", Exact: "Exact", RegularExpression: "RegularExpression" };

function httpAlternative(value: unknown) {
  const match = record(value);
  const pathMatch = record(match.path);
  const type = text(pathMatch.type) ?? "Prefix";
  const path = `${PATH_TYPES[type] ?? type} ${text(pathMatch.value) ?? "/"}`;
  const headers = record(match.headers);
  const operator = text(headers.type) === "RegularExpression" ? "~" : "=";
  const headerParts = Object.entries(stringMap(headers.values))
    .map(([name, expected]) => `header ${name.toLowerCase()}${operator}${expected}`)
    .sort();
  return { signature: [path, ...headerParts].join(", "), path };
}

function l4Alternative(value: unknown) {
  const signature =
    texts(record(value).snis)
      .map((sni) => `sni ${sni}`)
      .sort()
      .join(", ") || "*";
  return { signature, path: signature };
}

function legacyMirrors(rule: JsonRecord, namespace: string) {
  const filters = [...list(rule.filters), ...list(rule.forwardTo).flatMap((item) => list(record(item).filters))];
  return filters
    .map(record)
    .filter((filter) => text(filter.type) === "RequestMirror")
    .map((filter) => ({ label: legacyTarget(record(filter.requestMirror), namespace).label, percent: 100 }));
}

export function legacyRouteRules(resource: Resource, set: ManifestSet): RuleShape[] {
  if (!LEGACY_ROUTE_KINDS.has(resource.id.kind) || resource.id.group !== LEGACY_GROUP) return [];
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const kind = resource.id.kind;
  const hosts = kind === "HTTPRoute" || kind === "TLSRoute" ? texts(spec.hostnames) : [];
  const entries = legacyRouteEntries(resource, set);
  const shapes: RuleShape[] = [];
  list(spec.rules).forEach((item, index) => {
    const rule = record(item);
    const rulePath = ["spec", "rules", index];
    const matches = list(rule.matches);
    const alternatives = (matches.length > 0 ? matches : [{}]).map(kind === "HTTPRoute" ? httpAlternative : l4Alternative);
    const backends = forwardTo(rule, namespace, resource.source.file, rulePath);
    const mirrors = kind === "HTTPRoute" ? legacyMirrors(rule, namespace) : [];
    const ruleId = ruleIdOf(undefined, alternatives);
    for (const entry of entries) {
      for (const host of hosts.length > 0 ? hosts : ["*"]) {
        shapes.push({
          entry,
          host: kind === "HTTPRoute" ? host : `${host} (${kind})`,
          alternatives,
          ruleId,
          precedence: index,
          path: rulePath,
          backends,
          mirrors,
        });
      }
    }
  });
  return shapes;
}
