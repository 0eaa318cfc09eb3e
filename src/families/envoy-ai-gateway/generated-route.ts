import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { list, numeric, record, spec, text, type JsonRecord } from "../../core/json-access.js";
import { resourceKey, type Resource } from "../../core/resource.js";
import type { GeneratedObject } from "../family.js";

/**
 * The HTTPRoute the AI Gateway controller writes for an AIGatewayRoute, of the same name
 * (internal/controller/ai_gateway_route.go `newHTTPRoute`): its parents and hostnames, and per rule
 * its name, its header matches under the root path prefix, its timeouts (`request` 60s where
 * unset, api/v1beta1 `GetTimeoutsOrDefault`) and the backends its AIServiceBackends name, with the
 * route's weights. Rule and backend positions are the AIGatewayRoute's, so a finding on the
 * HTTPRoute points at the line written. Left out: the controller's catch-all 404 rule, alike for
 * every route, and the host rewrite filter, which reads the backend it is sent to.
 */
export const AI_GATEWAY_GROUP = "aigateway.envoyproxy.io";

/** Unset in the rule, the request timeout the controller writes (Envoy Gateway's own is 15s). */
const DEFAULT_REQUEST_TIMEOUT = "60s";

/**
 * Envoy's priority levels: a backend of a higher `priority` than the rule's lowest takes requests
 * only when those before it fail, so the flow's shares are those of the lowest level. The others
 * are kept at weight 0 (their positions kept too): where failover sends is the detector's finding
 * (failover.changed), not a share.
 */
const priorityOf = (ref: unknown): number => numeric(record(ref).priority) ?? 0;

export function generatedRoute(route: Resource, tree: ReadonlyMap<string, Resource>): readonly GeneratedObject[] {
  const fields = spec(route);
  const scope = route.key.slice(resourceKey(route.id).length);
  // v1alpha1 routes named their Gateways in targetRefs, which the controller copied as parents.
  const parents =
    fields.parentRefs ?? list(fields.targetRefs).map((ref) => ({ ...record(ref), kind: text(record(ref).kind) ?? "Gateway" }));
  const rules = list(fields.rules).map((item) => {
    const rule = record(item);
    const refs = list(rule.backendRefs);
    const first = refs.reduce<number>((lowest, ref) => Math.min(lowest, priorityOf(ref)), Infinity);
    const name = text(rule.name);
    const matches = list(rule.matches).map((match) => ({
      ...(record(match).headers === undefined ? {} : { headers: record(match).headers }),
      path: { type: "PathPrefix", value: "/" },
    }));
    return {
      ...(name ? { name } : {}),
      ...(matches.length > 0 ? { matches } : {}),
      backendRefs: refs.map((ref) => ({
        ...destination(record(ref), route, tree, scope),
        weight: priorityOf(ref) > first ? 0 : (numeric(record(ref).weight) ?? 1),
      })),
      timeouts: { ...record(rule.timeouts), request: text(record(rule.timeouts).request) ?? DEFAULT_REQUEST_TIMEOUT },
    };
  });
  const body = {
    apiVersion: `${GATEWAY_API_GROUP}/v1`,
    kind: "HTTPRoute",
    metadata: route.body.metadata,
    spec: {
      ...(parents === undefined ? {} : { parentRefs: parents }),
      ...(fields.hostnames ? { hostnames: fields.hostnames } : {}),
      rules,
    },
  };
  return [{ group: GATEWAY_API_GROUP, kind: "HTTPRoute", apiVersion: body.apiVersion, name: route.id.name, body }];
}

/**
 * Where a backendRef sends: an InferencePool as written; an AIServiceBackend, what its `backendRef`
 * names (in the AIServiceBackend's namespace), or the AIServiceBackend itself where the tree does
 * not hold it, so its identity still tells the backends apart.
 */
function destination(ref: JsonRecord, route: Resource, tree: ReadonlyMap<string, Resource>, scope: string): JsonRecord {
  const namespace = text(ref.namespace) ?? route.id.namespace;
  const name = text(ref.name) ?? "?";
  if (text(ref.kind) !== undefined && text(ref.kind) !== "AIServiceBackend") return { group: ref.group, kind: ref.kind, name, namespace };
  const backend = aiServiceBackend(tree, namespace, name, scope);
  const target = record(spec(backend).backendRef);
  if (!backend || text(target.name) === undefined) return { group: AI_GATEWAY_GROUP, kind: "AIServiceBackend", name, namespace };
  return { ...target, namespace: text(target.namespace) ?? namespace };
}

/** The AIServiceBackend a route names, declared beside it (its cluster or file), else anywhere in the tree. */
export const aiServiceBackend = (
  tree: ReadonlyMap<string, Resource>,
  namespace: string,
  name: string,
  scope: string,
): Resource | undefined => {
  const key = resourceKey({ group: AI_GATEWAY_GROUP, kind: "AIServiceBackend", namespace, name });
  return tree.get(`${key}${scope}`) ?? tree.get(key);
};
