import type { Resource } from "../../core/resource.js";
import { spec, text } from "../../core/json-access.js";
import { EAST_WEST_CLASS, WAYPOINT_CLASS } from "../../core/istio-gateway-classes.js";
import { GKE_GATEWAY_CONTROLLERS, gkeClassController } from "./gke-gateway-classes.js";

/**
 * GatewayClasses whose controller creates them itself, and creates them again when they are
 * deleted: a repository that held one and drops it (knative net-gateway-api 88d4f64, "drop istio
 * gatewayclass – istio provides this") leaves its Gateways served. Istio's class controller creates
 * the class of each controller it runs (pilot/pkg/config/kube/gateway/gatewayclass.go: `istio`, and
 * `istio-remote`, `istio-waypoint`, `istio-east-west` where multi-network or ambient is on), so a
 * Gateway of a class Istio does not create was not served by Istio either. GKE installs and keeps
 * its `gke-l7-*` classes wherever its Gateway controller is enabled. Cilium's chart creates
 * `cilium` only as its values say (`gatewayAPI.gatewayClass.create`), and nothing restores it: not
 * counted. A class is the controller's only under the controller's own name: one of those names
 * held for another controller is the repository's.
 */
const INSTALLED_CLASSES: ReadonlyMap<string, { readonly controller: string; readonly restoredBy?: string }> = new Map([
  ["istio", { controller: "istio.io/gateway-controller", restoredBy: "Istio" }],
  ["istio-remote", { controller: "istio.io/unmanaged-gateway", restoredBy: "Istio" }],
  [WAYPOINT_CLASS, { controller: "istio.io/mesh-controller", restoredBy: "Istio" }],
  [EAST_WEST_CLASS, { controller: "istio.io/eastwest-controller", restoredBy: "Istio" }],
  ["cilium", { controller: "io.cilium/gateway-controller" }],
]);

/**
 * The controller of a class its implementation installs itself (Istio's, Cilium's and GKE's), by
 * name: a tree seldom defines one, so what serves a Gateway of it is read from its name.
 */
export const installedClassController = (className: string): string | undefined =>
  gkeClassController(className) ?? INSTALLED_CLASSES.get(className)?.controller;

/** Who creates a GatewayClass of this name and controller by itself and restores it when deleted (Istio, GKE), if anyone. */
export function classCreator(gatewayClass: Resource): string | undefined {
  const { name } = gatewayClass.id;
  const controller = text(spec(gatewayClass).controllerName);
  if (controller === undefined) return undefined;
  const installed = INSTALLED_CLASSES.get(name);
  if (installed?.restoredBy !== undefined && installed.controller === controller) return installed.restoredBy;
  // Either GKE controller's name: GKE's own listings spell a multi-cluster class's controller both ways.
  if (gkeClassController(name) !== undefined && GKE_GATEWAY_CONTROLLERS.includes(controller)) return "GKE";
  return undefined;
}

/** What a controller does not write into the class it creates: anything but its controllerName and description. */
const BARE_FIELDS: ReadonlySet<string> = new Set(["controllerName", "description"]);

/** The fields of a class that its creator's class lacks (`parametersRef`): `spec.parametersRef`. */
export const fieldsNotRestored = (gatewayClass: Resource): string[] =>
  Object.keys(spec(gatewayClass))
    .filter((key) => !BARE_FIELDS.has(key))
    .sort()
    .map((key) => `spec.${key}`);

/**
 * Who restores this GatewayClass as the repository wrote it, if anyone: the controller creates a
 * bare class, so one that carried the repository's own `parametersRef` (Istio's `istio` naming a
 * ConfigMap with an internal load balancer's annotation) comes back without it, and its Gateways'
 * proxies fall back to the controller's defaults — not restored.
 */
export const classRestorer = (gatewayClass: Resource): string | undefined =>
  fieldsNotRestored(gatewayClass).length === 0 ? classCreator(gatewayClass) : undefined;
