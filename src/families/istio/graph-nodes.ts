import type { Family } from "../family.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { isVirtualService } from "./delegation.js";
import { routeNode, type DestinationRef, type GraphNode, type GraphNodeReader, type ParentRefNode } from "../../core/graph-nodes.js";
import { qualifyHost } from "../../core/service-host.js";
import { sharedText } from "../../core/string-table.js";
import { resolveGatewayName } from "../../core/istio-http-match.js";
import { list, nonEmptyTexts, record, text, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";

const ISTIO_NETWORKING = "networking.istio.io";

/** A `gateways` item that names no namespace of its own (`name`, `./name`), as resolveGatewayName reads it. */
const inOwnNamespace = (gateway: string): boolean => (gateway.includes("/") ? gateway.startsWith("./") : !gateway.includes("."));

/** Where a VirtualService sends and mirrors requests: each destination host, qualified, with its subset. */
export function virtualServiceDestinations(resource: Resource): DestinationRef[] {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  const destination = (value: unknown, path: FieldPath) => {
    const target = record(value);
    const host = text(target.host);
    if (!host) return;
    const subset = text(target.subset);
    destinations.push({
      kind: "Host",
      namespace,
      name: host,
      host: qualifyHost(host, namespace),
      ...(subset ? { subset } : {}),
      path,
      // A short host takes the namespace the route is applied to, which it does not write.
      ...(resource.namespaceImplied && !/[.*]/.test(host) ? { namespaceImplied: true } : {}),
    });
  };
  for (const section of ["http", "tls", "tcp"] as const) {
    list(spec[section]).forEach((item, ruleIndex) => {
      const rule = record(item);
      const rulePath = ["spec", section, ruleIndex];
      list(rule.route).forEach((route, index) => destination(record(route).destination, [...rulePath, "route", index, "destination"]));
      if (rule.mirror !== undefined) destination(rule.mirror, [...rulePath, "mirror"]);
      list(rule.mirrors).forEach((mirror, index) =>
        destination(record(mirror).destination, [...rulePath, "mirrors", index, "destination"]),
      );
    });
  }
  return destinations;
}

/**
 * The VirtualServices of a tree whose routes (mirrors aside) send to a destination `sends` takes,
 * given its qualified host and subset: the routes a DestinationRule's subsets or a ServiceEntry's
 * hosts serve.
 */
export const virtualServicesSending = (tree: ManifestSet, sends: (host: string, subset: string | undefined) => boolean): Resource[] =>
  [...tree.resources.values()].filter(
    (resource) =>
      isVirtualService(resource) &&
      virtualServiceDestinations(resource).some(
        (destination) => destination.path.includes("route") && sends(destination.host!, destination.subset),
      ),
  );

/** A VirtualService in the traffic graph: bound to its gateways (or the mesh), sending to its route and mirror hosts. */
function virtualService(resource: Resource): GraphNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const gateways = list(spec.gateways).map(text);
  const parents: ParentRefNode[] = (gateways.length ? gateways : ["mesh"]).map((gateway, index) => {
    const name = gateway ?? "?";
    const resolved = resolveGatewayName(name, namespace);
    const [ns, short] = [resolved.slice(0, resolved.indexOf("/")), resolved.slice(resolved.indexOf("/") + 1)];
    return {
      group: ISTIO_NETWORKING,
      kind: name === "mesh" ? "mesh" : "Gateway",
      namespace: name === "mesh" ? "" : ns,
      name: short,
      entry: name === "mesh" ? "mesh" : sharedText(`Gateway ${ns}/${short}`),
      path: gateways.length ? ["spec", "gateways", index] : ["spec"],
      ...(resource.namespaceImplied && name !== "mesh" && inOwnNamespace(name) ? { namespaceImplied: true } : {}),
    };
  });
  const destinations = virtualServiceDestinations(resource);
  return {
    role: "route",
    route: routeNode(resource, "istio", {
      hostnames: nonEmptyTexts(spec.hosts),
      parents,
      destinations,
      exportTo: nonEmptyTexts(spec.exportTo),
    }),
  };
}

/** Where a traffic policy turns locality failover on: explicit failover or failoverPriority. */
function failoverIn(policy: JsonRecord, path: FieldPath): FieldPath | undefined {
  const locality = record(record(policy.loadBalancer).localityLbSetting);
  if (list(locality.failover).length > 0 || list(locality.failoverPriority).length > 0)
    return [...path, "loadBalancer", "localityLbSetting"];
  for (const [index, setting] of list(policy.portLevelSettings).entries()) {
    const found = failoverIn(record(setting), [...path, "portLevelSettings", index]);
    if (found) return found;
  }
  return undefined;
}

const hasOutlierDetection = (policy: JsonRecord): boolean =>
  policy.outlierDetection !== undefined || list(policy.portLevelSettings).some((setting) => record(setting).outlierDetection !== undefined);

/** A DestinationRule in the traffic graph: the subsets its host offers and whether it fails over guarded. */
function destinationRule(resource: Resource): GraphNode {
  const spec = record(resource.body.spec);
  const subsets = list(spec.subsets).map(record);
  const policies: [JsonRecord, FieldPath][] = [
    [record(spec.trafficPolicy), ["spec", "trafficPolicy"]],
    ...subsets.map((subset, index): [JsonRecord, FieldPath] => [record(subset.trafficPolicy), ["spec", "subsets", index, "trafficPolicy"]]),
  ];
  const failoverAt = policies.map(([policy, path]) => failoverIn(policy, path)).find((path) => path !== undefined);
  return {
    role: "destination-rule",
    rule: {
      key: resource.key,
      id: resource.id,
      host: qualifyHost(text(spec.host) ?? "?", resource.id.namespace),
      subsets: subsets.map((subset) => text(subset.name)).filter((name): name is string => !!name),
      ...(failoverAt ? { failoverAt } : {}),
      outlierDetection: policies.some(([policy]) => hasOutlierDetection(policy)),
    },
  };
}

export const istioGraphNodes: Readonly<Record<string, GraphNodeReader>> = {
  VirtualService: virtualService,
  DestinationRule: destinationRule,
};

/** The hosts a DestinationRule configures and a ServiceEntry adds: a change to them reaches every route sending there. */
export const istioReferents: NonNullable<Family["referents"]> = {
  DestinationRule: (resource) => ({ hosts: [qualifyHost(text(record(resource.body.spec).host) ?? "?", resource.id.namespace)] }),
  ServiceEntry: (resource) => ({
    hosts: nonEmptyTexts(record(resource.body.spec).hosts).map((host) => qualifyHost(host, resource.id.namespace)),
  }),
};
