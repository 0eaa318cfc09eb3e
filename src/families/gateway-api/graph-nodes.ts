import type { Resource } from "../../core/resource.js";
import { routeNode, type DestinationRef, type GraphNode, type GraphNodeReader } from "../../core/graph-nodes.js";
import { list, record, text } from "../../core/json-access.js";
import { gatewayApiAttachingRoute } from "./entry-points.js";

/** A Gateway API route in the traffic graph: attached by its parentRefs, sending to its backendRefs. */
function route(resource: Resource): GraphNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  list(spec.rules).forEach((rule, ruleIndex) => {
    list(record(rule).backendRefs).forEach((item, index) => {
      const ref = record(item);
      destinations.push({
        kind: text(ref.kind) ?? "Service",
        namespace: text(ref.namespace) ?? namespace,
        name: text(ref.name) ?? "?",
        path: ["spec", "rules", ruleIndex, "backendRefs", index],
        ...(resource.namespaceImplied && text(ref.namespace) === undefined ? { namespaceImplied: true } : {}),
      });
    });
  });
  const { hostnames, parents } = gatewayApiAttachingRoute(resource);
  return { role: "route", route: routeNode(resource, "gateway-api", { hostnames, parents, destinations, exportTo: [] }) };
}

const gatewayClass: GraphNodeReader = () => ({ role: "gateway-class" });

export const gatewayApiGraphNodes: Readonly<Record<string, GraphNodeReader>> = {
  GatewayClass: gatewayClass,
  HTTPRoute: route,
  GRPCRoute: route,
  TLSRoute: route,
  TCPRoute: route,
  UDPRoute: route,
};
