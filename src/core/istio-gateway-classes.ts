import type { Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import { record, text } from "./json-access.js";
import { GATEWAY_API_GROUP } from "./gateway-api-group.js";

/**
 * Istio gives two Gateway API classes a meaning of their own: a Gateway of class `istio-waypoint`
 * is an ambient waypoint (a mesh-internal L7 proxy, not an exposure point), one of class
 * `istio-east-west` exposes the cluster's services to other networks. Both the gateway-api family
 * (judging listeners) and the istio-mesh family (judging waypoints) read them.
 */

export const WAYPOINT_CLASS = "istio-waypoint";
export const EAST_WEST_CLASS = "istio-east-west";

const gatewayClassOf = (resource: Resource | undefined): string | undefined =>
  resource?.id.group === GATEWAY_API_GROUP ? text(record(resource.body.spec).gatewayClassName) : undefined;

/** A Gateway API Gateway that is an ambient waypoint on both sides of the change (or on its only side). */
export const isWaypoint = (change: ResourceChange): boolean =>
  [change.base, change.head].every((side) => side === undefined || gatewayClassOf(side) === WAYPOINT_CLASS);

/** A Gateway API Gateway of Istio's east-west class, on either side. */
export const isEastWest = (change: ResourceChange): boolean =>
  [change.base, change.head].some((side) => gatewayClassOf(side) === EAST_WEST_CLASS);
