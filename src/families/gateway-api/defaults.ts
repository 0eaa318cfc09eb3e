import type { FieldDefault } from "../../core/field-defaults.js";
import { GATEWAY_API_GROUP, GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";

/**
 * Gateway API's documented defaults (the `+kubebuilder:default` markers and field docs of
 * apis/v1, https://gateway-api.sigs.k8s.io/reference/spec/): a route written with them spelled
 * out is the route written without them.
 */

const OWN_NAMESPACE = ["metadata", "namespace"];

/** ParentReference: group gateway.networking.k8s.io, kind Gateway; namespace "the local namespace of the Route". */
const parentRefs: FieldDefault[] = [
  { path: ["spec", "parentRefs", "*", "group"], value: GATEWAY_API_GROUP },
  { path: ["spec", "parentRefs", "*", "kind"], value: "Gateway" },
  { path: ["spec", "parentRefs", "*", "namespace"], sameAs: OWN_NAMESPACE },
];

/** BackendObjectReference: group "" (core), kind Service, namespace the route's own. */
const reference = (at: readonly string[]): FieldDefault[] => [
  { path: [...at, "group"], value: "" },
  { path: [...at, "kind"], value: "Service" },
  { path: [...at, "namespace"], sameAs: OWN_NAMESPACE },
];

/** BackendRef: the references above, `weight` 1. */
const backendRefs: FieldDefault[] = [
  ...reference(["spec", "rules", "*", "backendRefs", "*"]),
  { path: ["spec", "rules", "*", "backendRefs", "*", "weight"], value: 1 },
];

/** A request mirror's backend, in a rule's filters or a backend's own (HTTPRoute, GRPCRoute). */
const mirrors: FieldDefault[] = [
  ...reference(["spec", "rules", "*", "filters", "*", "requestMirror", "backendRef"]),
  ...reference(["spec", "rules", "*", "backendRefs", "*", "filters", "*", "requestMirror", "backendRef"]),
];

const MATCHES = ["spec", "rules", "*", "matches"];

/**
 * HTTPRouteRule.matches defaults to `[{path: {type: PathPrefix, value: /}}]` and HTTPRouteMatch.path
 * to `{type: PathPrefix, value: /}` (what every request matches); HTTPPathMatch.type to PathPrefix,
 * its value to "/"; header and query parameter matches' type to Exact. In this order: a block before what is inside it.
 */
const httpMatches: FieldDefault[] = [
  { path: MATCHES, value: [{ path: { type: "PathPrefix", value: "/" } }] },
  { path: [...MATCHES, "*", "path"], value: { type: "PathPrefix", value: "/" } },
  { path: [...MATCHES, "*", "path", "type"], value: "PathPrefix" },
  { path: [...MATCHES, "*", "path", "value"], value: "/" },
  { path: [...MATCHES, "*", "headers", "*", "type"], value: "Exact" },
  { path: [...MATCHES, "*", "queryParams", "*", "type"], value: "Exact" },
];

/** GRPCMethodMatch.type and GRPCHeaderMatch.type default to Exact. */
const grpcMatches: FieldDefault[] = [
  { path: [...MATCHES, "*", "method", "type"], value: "Exact" },
  { path: [...MATCHES, "*", "headers", "*", "type"], value: "Exact" },
];

const EXTRA: Readonly<Record<string, readonly FieldDefault[]>> = {
  HTTPRoute: [...mirrors, ...httpMatches],
  GRPCRoute: [...mirrors, ...grpcMatches],
};

export const gatewayApiDefaults: Readonly<Record<string, readonly FieldDefault[]>> = Object.fromEntries(
  [...GATEWAY_ROUTE_KINDS].map((kind) => [kind, [...parentRefs, ...backendRefs, ...(EXTRA[kind] ?? [])]]),
);
