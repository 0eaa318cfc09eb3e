import type { Resource, ResourceId } from "./resource.js";
import type { FieldPath } from "./finding.js";
import { sharedPath } from "./field-path.js";

/**
 * What a resource adds to its tree's traffic graph (DESIGN §7): its families read these nodes,
 * the graph stage links them and the reference checks compare them, so they are shared vocabulary.
 */

/** A parent a route names: Gateway API parentRef, or an Istio `gateways` entry (`mesh` included). */
export interface ParentRefNode {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
  /** The entry as written, without cluster scope: what flows are named by when no listener is known. */
  readonly entry: string;
  readonly path: FieldPath;
  /** Its namespace is the route's own, which the route does not write (Resource.namespaceImplied). */
  readonly namespaceImplied?: true;
}

/** What attachment needs to know of a route. */
export interface AttachingRoute {
  readonly key: string;
  readonly id: ResourceId;
  readonly api: "gateway-api" | "istio";
  readonly scope?: string;
  /** The file that declares it: of several definitions of its parent's name, it lands on the one nearest it. */
  readonly file: string;
  /** Gateway API hostnames, or VirtualService hosts as written. */
  readonly hostnames: readonly string[];
  readonly parents: readonly ParentRefNode[];
  /** Its namespace is read as `default` but not written (Resource.namespaceImplied): admission by namespace cannot be judged. */
  readonly namespaceImplied?: true;
}

/** A backend a route names: Gateway API backendRef, or an Istio destination (route or mirror). */
export interface DestinationRef {
  /** Gateway API: the backend's API group ("" for core Services), which a ReferenceGrant names. */
  readonly group?: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Istio: the fully qualified destination host and its subset. */
  readonly host?: string;
  readonly subset?: string;
  readonly path: FieldPath;
  /** Gateway API: a RequestMirror filter's backendRef, which only ever receives copies of requests. */
  readonly mirror?: true;
  /** Its namespace is the route's own, which the route does not write (Resource.namespaceImplied). */
  readonly namespaceImplied?: true;
}

export interface RouteNode extends AttachingRoute {
  readonly destinations: readonly DestinationRef[];
  /** VirtualService exportTo (empty = every namespace). */
  readonly exportTo: readonly string[];
}

export interface DestinationRuleNode {
  readonly key: string;
  readonly id: ResourceId;
  readonly host: string;
  readonly subsets: readonly string[];
  /** Where locality failover is configured, when it is. */
  readonly failoverAt?: FieldPath;
  readonly outlierDetection: boolean;
}

/**
 * A Gateway API ReferenceGrant: which kinds of which namespaces may reference which objects of its
 * own namespace (a route's backendRef to a Service of another namespace needs one).
 */
export interface ReferenceGrantNode {
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: readonly GrantTarget[];
  /** Its namespace is read as `default` but not written (Resource.namespaceImplied): where it grants is not known. */
  readonly namespaceImplied?: true;
}

/** What a ReferenceGrant's `to` entry admits; `name` undefined: every object of the kind. */
export interface GrantTarget {
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
}

/** Whether a grant's target admits `target` (a named object, or every object of a kind when `target` names none). */
export const grantCovers = (grant: GrantTarget, target: GrantTarget): boolean =>
  grant.group === target.group && grant.kind === target.kind && (grant.name === undefined || grant.name === target.name);

/** Whether a grant lets objects of `from`'s group, kind and namespace reference `target`. */
export const grantAdmits = (
  grant: ReferenceGrantNode,
  from: { readonly group: string; readonly kind: string; readonly namespace: string },
  target: GrantTarget,
): boolean =>
  grant.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
  grant.to.some((to) => grantCovers(to, target));

/**
 * A resource's part in the graph. A GatewayClass is known by its name, read off the id; a
 * ServiceExport by its `namespace/name`, made once for both trees (a fleet exports tens of
 * thousands); the clusters a ServiceExport reaches are the tree's placement.
 */
export type GraphNode =
  | { readonly role: "route"; readonly route: RouteNode }
  | { readonly role: "destination-rule"; readonly rule: DestinationRuleNode }
  | { readonly role: "gateway-class" }
  | { readonly role: "reference-grant"; readonly grant: ReferenceGrantNode }
  | { readonly role: "service-export"; readonly service: string };

/** Reads one resource's node; a function of the resource alone, so a review reads each resource once for both trees. */
export type GraphNodeReader = (resource: Resource) => GraphNode;

/** The cluster (or file) part of a resource key after `@`, without the `#n` of a repeated identity. */
export const scopeOfKey = (key: string): string | undefined => {
  const at = key.indexOf("@");
  return at >= 0 ? key.slice(at + 1).replace(/#\d+$/, "") : undefined;
};

export const scoped = (key: string): { scope?: string } => {
  const scope = scopeOfKey(key);
  return scope ? { scope } : {};
};

/** A route node whose attachment and backends its family has read; its field paths are the shared ones. */
export const routeNode = (
  resource: Resource,
  api: RouteNode["api"],
  edges: Pick<RouteNode, "hostnames" | "parents" | "destinations" | "exportTo">,
): RouteNode => ({
  key: resource.key,
  id: resource.id,
  api,
  ...scoped(resource.key),
  file: resource.source.file,
  ...(resource.namespaceImplied ? { namespaceImplied: true } : {}),
  ...edges,
  parents: edges.parents.map((parent) => ({ ...parent, path: sharedPath(parent.path) })),
  destinations: edges.destinations.map((destination) => ({ ...destination, path: sharedPath(destination.path) })),
});
