import { list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";

/**
 * The Gateway API route rules of a tree that name an Envoy Gateway object: a Backend as a
 * backendRef, an HTTPRouteFilter as an ExtensionRef filter (on the rule or on one of its
 * backends); and what each rule sends its requests to. Indexed once a tree: every changed
 * Backend or filter of a PR asks.
 */

/** A backendRef of a rule, its group and kind defaulted as Gateway API does (a core Service). */
export interface BackendRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

interface RouteReferences {
  /** `kind/namespace/name` of a Backend or filter → the labels of the rules naming it. */
  readonly naming: Map<string, string[]>;
  /** A rule's label → its backendRefs. */
  readonly backends: Map<string, readonly BackendRef[]>;
}

const indexOf = new WeakMap<ManifestSet, RouteReferences>();

const keyOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

function index(tree: ManifestSet): RouteReferences {
  let found = indexOf.get(tree);
  if (found) return found;
  const naming = new Map<string, string[]>();
  const ruleBackends = new Map<string, readonly BackendRef[]>();
  const add = (key: string, label: string) => {
    const labels = naming.get(key);
    if (!labels) naming.set(key, [label]);
    else if (!labels.includes(label)) labels.push(label);
  };
  for (const route of tree.resources.values()) {
    if (route.id.group !== GATEWAY_API_GROUP || !GATEWAY_ROUTE_KINDS.has(route.id.kind)) continue;
    const { namespace } = route.id;
    list(spec(route).rules).forEach((value, ruleIndex) => {
      const rule = record(value);
      const label = `${route.id.kind} ${namespace}/${route.id.name} rule ${text(rule.name) ?? ruleIndex + 1}`;
      const backends = list(rule.backendRefs).map(record);
      ruleBackends.set(
        label,
        backends.map((backend) => ({
          group: text(backend.group) ?? "",
          kind: text(backend.kind) ?? "Service",
          namespace: text(backend.namespace) ?? namespace,
          name: text(backend.name) ?? "?",
        })),
      );
      for (const backend of backends)
        if (text(backend.group) === ENVOY_GATEWAY_GROUP && text(backend.kind) === "Backend" && text(backend.name))
          add(keyOf("Backend", text(backend.namespace) ?? namespace, text(backend.name)!), label);
      for (const filter of [...list(rule.filters), ...backends.flatMap((backend) => list(backend.filters))].map(record)) {
        const ref = record(filter.extensionRef);
        if (
          text(filter.type) === "ExtensionRef" &&
          text(ref.group) === ENVOY_GATEWAY_GROUP &&
          text(ref.kind) === "HTTPRouteFilter" &&
          text(ref.name)
        )
          add(keyOf("HTTPRouteFilter", namespace, text(ref.name)!), label);
      }
    });
  }
  indexOf.set(tree, (found = { naming, backends: ruleBackends }));
  return found;
}

/** `HTTPRoute shop/storefront rule checkout`, … : the rules of the tree that name this Backend or HTTPRouteFilter. */
export const rulesNaming = (tree: ManifestSet, target: Resource): readonly string[] =>
  index(tree).naming.get(keyOf(target.id.kind, target.id.namespace, target.id.name)) ?? [];

/** What the rule of this label sends its requests to in a tree; undefined where the tree has no such rule. */
export const backendsOfRule = (tree: ManifestSet, label: string): readonly BackendRef[] | undefined => index(tree).backends.get(label);
