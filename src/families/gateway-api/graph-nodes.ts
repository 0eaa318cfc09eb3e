import { NO_ITEMS } from "../../core/no-items.js";
import type { Resource } from "../../core/resource.js";
import { routeNode, type DestinationRef, type GraphNode, type GraphNodeReader, type ReferenceGrantNode } from "../../core/graph-nodes.js";
import { list, record, text } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import { gatewayApiAttachingRoute } from "./entry-points.js";
import { hasFilters, ruleFilters } from "./rule-filters.js";

/**
 * A Gateway API route in the traffic graph: attached by its parentRefs, sending to its backendRefs
 * and mirroring to its RequestMirror filters' backendRefs (on the rule or on one of its backends),
 * which resolve, or are refused, as backendRefs do.
 */
function route(resource: Resource): GraphNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  const destination = (value: unknown, path: FieldPath, mirror: boolean) => {
    const ref = record(value);
    destinations.push({
      group: text(ref.group) ?? "",
      kind: text(ref.kind) ?? "Service",
      namespace: text(ref.namespace) ?? namespace,
      name: text(ref.name) ?? "?",
      path,
      ...(mirror ? { mirror: true } : {}),
      ...(resource.namespaceImplied && text(ref.namespace) === undefined ? { namespaceImplied: true } : {}),
    });
  };
  list(spec.rules).forEach((item, ruleIndex) => {
    const rule = record(item);
    const rulePath = ["spec", "rules", ruleIndex];
    list(rule.backendRefs).forEach((ref, index) => destination(ref, [...rulePath, "backendRefs", index], false));
    if (!hasFilters(rule)) return;
    for (const { fields, path } of ruleFilters(rule, rulePath))
      if (text(fields.type) === "RequestMirror")
        destination(record(fields.requestMirror).backendRef, [...path, "requestMirror", "backendRef"], true);
  });
  const { hostnames, parents } = gatewayApiAttachingRoute(resource);
  return { role: "route", route: routeNode(resource, "gateway-api", { hostnames, parents, destinations, exportTo: NO_ITEMS }) };
}

const gatewayClass: GraphNodeReader = () => ({ role: "gateway-class" });

/** What a ReferenceGrant admits, for the graph and for the family's own judgement of its edits; an absent grant admits nothing. */
export const referenceGrantOf = (resource: Resource | undefined): ReferenceGrantNode => {
  const spec = record(resource?.body.spec);
  return {
    from: list(spec.from).map((item) => {
      const from = record(item);
      return { group: text(from.group) ?? "", kind: text(from.kind) ?? "", namespace: text(from.namespace) ?? "" };
    }),
    to: list(spec.to).map((item) => {
      const to = record(item);
      const name = text(to.name);
      return { group: text(to.group) ?? "", kind: text(to.kind) ?? "", ...(name ? { name } : {}) };
    }),
  };
};

const referenceGrant: GraphNodeReader = (resource) => {
  const grant = referenceGrantOf(resource);
  return { role: "reference-grant", grant: resource.namespaceImplied ? { ...grant, namespaceImplied: true } : grant };
};

export const gatewayApiGraphNodes: Readonly<Record<string, GraphNodeReader>> = {
  GatewayClass: gatewayClass,
  ReferenceGrant: referenceGrant,
  HTTPRoute: route,
  GRPCRoute: route,
  TLSRoute: route,
  TCPRoute: route,
  UDPRoute: route,
};
