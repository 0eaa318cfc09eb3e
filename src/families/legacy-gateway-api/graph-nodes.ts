import { NO_ITEMS } from "../../core/no-items.js";
import type { Resource } from "../../core/resource.js";
import { routeNode, type DestinationRef, type GraphNode, type GraphNodeReader } from "../../core/graph-nodes.js";
import { list, nonEmptyTexts, record, text } from "../../core/json-access.js";

/**
 * A legacy (networking.x-k8s.io v1alpha1) route: Gateways select it by label, so its attachment
 * lives in the model's flows; the graph keeps its backends (forwardTo) for the reference checks.
 */
function route(resource: Resource): GraphNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  list(spec.rules).forEach((rule, ruleIndex) => {
    list(record(rule).forwardTo).forEach((item, index) => {
      const forward = record(item);
      const ref = record(forward.backendRef);
      const serviceName = text(forward.serviceName);
      const path = ["spec", "rules", ruleIndex, "forwardTo", index];
      if (serviceName) destinations.push({ kind: "Service", namespace, name: serviceName, path });
      else destinations.push({ kind: text(ref.kind) ?? "Service", namespace, name: text(ref.name) ?? "?", path: [...path, "backendRef"] });
    });
  });
  return {
    role: "route",
    route: routeNode(resource, "gateway-api", { hostnames: nonEmptyTexts(spec.hostnames), parents: [], destinations, exportTo: NO_ITEMS }),
  };
}

// Its GatewayClass stays out of the graph: Gateway API Gateways name classes of their own API.
export const legacyGatewayApiGraphNodes: Readonly<Record<string, GraphNodeReader>> = {
  HTTPRoute: route,
  TCPRoute: route,
  UDPRoute: route,
  TLSRoute: route,
};
