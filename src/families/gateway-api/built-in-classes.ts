import type { Resource } from "../../core/resource.js";
import { spec, text } from "../../core/json-access.js";
import { EAST_WEST_CLASS, WAYPOINT_CLASS } from "../../core/istio-gateway-classes.js";

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
const ISTIO_CLASSES: Readonly<Record<string, string>> = {
  istio: "istio.io/gateway-controller",
  "istio-remote": "istio.io/unmanaged-gateway",
  [WAYPOINT_CLASS]: "istio.io/mesh-controller",
  [EAST_WEST_CLASS]: "istio.io/eastwest-controller",
};

const GKE_CONTROLLERS: ReadonlySet<string> = new Set(["networking.gke.io/gateway", "networking.gke.io/gateway-multicluster"]);

/** Who creates this GatewayClass by itself and restores it when deleted (Istio, GKE), if anyone. */
export function classCreator(gatewayClass: Resource): string | undefined {
  const { name } = gatewayClass.id;
  const controller = text(spec(gatewayClass).controllerName);
  if (controller === undefined) return undefined;
  if (Object.hasOwn(ISTIO_CLASSES, name) && ISTIO_CLASSES[name] === controller) return "Istio";
  if (name.startsWith("gke-l7-") && GKE_CONTROLLERS.has(controller)) return "GKE";
  return undefined;
}
