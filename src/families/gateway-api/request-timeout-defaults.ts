import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ENVOY_ROUTE_TIMEOUT_MS } from "../../core/retry-changes.js";
import { GKE_GATEWAY_CONTROLLERS } from "./gke-gateway-classes.js";
import { gatewayControllers } from "./gateway-controllers.js";

/**
 * What applies to a rule that writes no `timeouts.request`: GEP-1742 leaves it to the
 * implementation, and they differ — Envoy's 15 s route timeout on the Envoy-based Gateways, no
 * timeout at all on Istio — so whether a timeout added shortens anything depends on which
 * controller serves the route's Gateways.
 */
export interface UnsetRequestTimeout {
  /** timeoutLimitMs's reading: infinite for no timeout. */
  readonly ms: number;
  /** Whose default it is, as a summary says it: `Envoy Gateway's`; undefined when the controller is not known. */
  readonly implementation: string | undefined;
}

const ENVOY_BASED = (implementation: string): UnsetRequestTimeout => ({ ms: ENVOY_ROUTE_TIMEOUT_MS, implementation });
const NO_TIMEOUT = (implementation: string): UnsetRequestTimeout => ({ ms: Number.POSITIVE_INFINITY, implementation });
/** The backend service's `timeoutSec` default, which GKE's Gateways leave as the request timeout. */
const GKE: UnsetRequestTimeout = { ms: 30_000, implementation: "GKE" };

/** By controllerName, each as its implementation documents it. */
const BY_CONTROLLER: ReadonlyMap<string, UnsetRequestTimeout> = new Map([
  // Envoy Gateway's HTTP Timeouts task: "The default request timeout is set to 15 seconds in Envoy Proxy".
  ["gateway.envoyproxy.io/gatewayclass-controller", ENVOY_BASED("Envoy Gateway")],
  ["projectcontour.io/gateway-controller", ENVOY_BASED("Contour")],
  // kgateway's request timeouts page: "the default route-level timeout of 15 seconds".
  ["kgateway.dev/kgateway", ENVOY_BASED("kgateway")],
  // Istio disables the route timeout where none is set (istio/istio.io#4085), Gateway API routes included (istio/istio#47017).
  ["istio.io/gateway-controller", NO_TIMEOUT("Istio")],
  ["istio.io/mesh-controller", NO_TIMEOUT("Istio")],
  // Cilium writes every route's timeout as 0s, disabled (cilium/cilium#31514).
  ["io.cilium/gateway-controller", NO_TIMEOUT("Cilium")],
  ...GKE_GATEWAY_CONTROLLERS.map((controller) => [controller, GKE] as const),
]);

/**
 * A controller the review does not know, or a route whose Gateway or class the tree does not hold
 * (a GAMMA Service parent, a Gateway of a class neither in the tree nor known by name): read as the
 * default that makes the change worst. A timeout added shortens the longest default (none, as on
 * Istio: a GAMMA route in an Istio mesh had no timeout); one removed over it may be shortened to the
 * shortest (Envoy's 15 s).
 */
const UNKNOWN: Readonly<Record<"longest" | "shortest", UnsetRequestTimeout>> = {
  longest: { ms: Number.POSITIVE_INFINITY, implementation: undefined },
  shortest: { ms: ENVOY_ROUTE_TIMEOUT_MS, implementation: undefined },
};

/**
 * What applies to a route's rules that write no request timeout, in one tree. A route on several
 * Gateways gets the `longest` of their defaults where a timeout is added (it shortens on the one with
 * the longest), the `shortest` where one is removed; a parent that is not a Gateway of the tree
 * (a GAMMA Service, a ListenerSet) is an unknown controller, read as UNKNOWN[pick].
 */
export function unsetRequestTimeout(route: Resource | undefined, tree: ManifestSet, pick: "longest" | "shortest"): UnsetRequestTimeout {
  if (!route) return UNKNOWN[pick];
  const controllers = gatewayControllers(tree);
  const defaults = list(spec(route).parentRefs).map((item) => {
    const parent = record(item);
    const isGateway = (text(parent.group) ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (text(parent.kind) ?? "Gateway") === "Gateway";
    const controller = isGateway
      ? controllers.get(`${text(parent.namespace) ?? route.id.namespace}/${text(parent.name) ?? ""}`)
      : undefined;
    return (controller === undefined ? undefined : BY_CONTROLLER.get(controller)) ?? UNKNOWN[pick];
  });
  const better = (a: UnsetRequestTimeout, b: UnsetRequestTimeout) => (pick === "longest" ? b.ms > a.ms : b.ms < a.ms);
  return defaults.reduce((chosen, candidate) => (better(chosen, candidate) ? candidate : chosen), defaults[0] ?? UNKNOWN[pick]);
}
