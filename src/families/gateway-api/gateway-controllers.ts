import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { installedClassController } from "./built-in-classes.js";

const byGatewayOf = new WeakMap<ManifestSet, ReadonlyMap<string, string | undefined>>();

/**
 * A tree's Gateways (`namespace/name`) by the controllerName of their class: the tree's
 * GatewayClass of that name, else the one its implementation installs under it (Istio's, Cilium's,
 * GKE's); undefined where neither tells. Made once a tree.
 */
export function gatewayControllers(tree: ManifestSet): ReadonlyMap<string, string | undefined> {
  let index = byGatewayOf.get(tree);
  if (index) return index;
  const controllers = new Map<string, string>();
  for (const gatewayClass of resourcesOfKind(tree, "GatewayClass")) {
    const controller = text(spec(gatewayClass).controllerName);
    if (gatewayClass.id.group === GATEWAY_API_GROUP && controller) controllers.set(gatewayClass.id.name, controller);
  }
  const found = new Map<string, string | undefined>();
  for (const gateway of resourcesOfKind(tree, "Gateway")) {
    const className = text(spec(gateway).gatewayClassName);
    if (gateway.id.group !== GATEWAY_API_GROUP || className === undefined) continue;
    found.set(`${gateway.id.namespace}/${gateway.id.name}`, controllers.get(className) ?? installedClassController(className));
  }
  byGatewayOf.set(tree, (index = found));
  return index;
}

/**
 * The controller serving a Gateway's or a ListenerSet's listeners: the Gateway's, a ListenerSet's
 * parent Gateway's (its `parentRef`, in its own namespace unless it names another).
 */
export function listenerController(owner: Resource, tree: ManifestSet): string | undefined {
  const { kind, namespace, name } = owner.id;
  if (kind === "Gateway") return gatewayControllers(tree).get(`${namespace}/${name}`);
  const parent = record(spec(owner).parentRef);
  const isGateway = (text(parent.group) ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (text(parent.kind) ?? "Gateway") === "Gateway";
  return isGateway ? gatewayControllers(tree).get(`${text(parent.namespace) ?? namespace}/${text(parent.name) ?? ""}`) : undefined;
}
