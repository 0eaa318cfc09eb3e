import { list, record, spec, text } from "./json-access.js";
import type { ManifestSet, Resource } from "./resource.js";
import { resourcesOfKind } from "./resources-of-kind.js";
import { GATEWAY_API_GROUP } from "./gateway-api-group.js";

/**
 * Gateway API's inherited policy attachment (GEP-713): a policy names a Gateway, one of its
 * listeners, a route or one of its rules, and what applies to a request is worked out along its way
 * in, Gateway to route. Envoy Gateway applies the most specific policy of a kind (a route's replaces
 * its Gateway's unless it sets `mergeType`); Kuadrant merges its AuthPolicies and RateLimitPolicies
 * by their `defaults` and `overrides`. The policies of a tree by what they name are indexed once a
 * tree and kind: every changed policy of a PR asks.
 */

/** An object a policy names: a route or Gateway, its rule or listener by section. */
export interface Named {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly section?: string;
}

/** A kind of policy the hierarchy reads: its API group and kind, and the objects one of them names. */
export interface PolicyKind {
  readonly group: string;
  readonly kind: string;
  readonly targets: (policy: Resource) => readonly Named[];
}

const keyOf = ({ kind, namespace, name, section }: Named): string =>
  `${kind} ${namespace}/${name}${section === undefined ? "" : `:${section}`}`;

/** A tree's policies of one kind by the object they name, and the policies of each Gateway's listeners (by listener) by the Gateway. */
interface PolicyIndex {
  readonly byTarget: ReadonlyMap<string, readonly Resource[]>;
  readonly byListenersOf: ReadonlyMap<string, readonly (readonly Resource[])[]>;
}

const indexes = new WeakMap<ManifestSet, Map<string, PolicyIndex>>();

/** The policies of a kind in a tree that name this object (its listener or rule when `section` is set), in tree order. */
export function policiesNaming(tree: ManifestSet, policies: PolicyKind, target: Named): readonly Resource[] {
  return policyIndex(tree, policies).byTarget.get(keyOf(target)) ?? [];
}

/**
 * The policies of a kind that name one listener of a Gateway, each in tree order, by listener: for
 * what comes in on that listener each replaces the Gateway's, so a route that names no listener is
 * under the Gateway's policy on some listeners and under these on the others.
 */
export function listenerPolicies(tree: ManifestSet, policies: PolicyKind, gateway: Named): readonly (readonly Resource[])[] {
  return (
    policyIndex(tree, policies).byListenersOf.get(keyOf({ kind: gateway.kind, namespace: gateway.namespace, name: gateway.name })) ?? []
  );
}

function policyIndex(tree: ManifestSet, policies: PolicyKind): PolicyIndex {
  let byKind = indexes.get(tree);
  if (!byKind) indexes.set(tree, (byKind = new Map()));
  const kindKey = `${policies.group}/${policies.kind}`;
  let index = byKind.get(kindKey);
  if (!index) {
    const byTarget = new Map<string, Resource[]>();
    const byListenersOf = new Map<string, Resource[][]>();
    for (const policy of resourcesOfKind(tree, policies.kind)) {
      if (policy.id.group !== policies.group) continue;
      for (const target of policies.targets(policy)) {
        const key = keyOf(target);
        const known = byTarget.get(key);
        if (known) {
          if (!known.includes(policy)) known.push(policy);
          continue;
        }
        const named = [policy];
        byTarget.set(key, named);
        if (target.kind !== "Gateway" || target.section === undefined) continue;
        const gateway = keyOf({ kind: target.kind, namespace: target.namespace, name: target.name });
        byListenersOf.set(gateway, [...(byListenersOf.get(gateway) ?? []), named]);
      }
    }
    byKind.set(kindKey, (index = { byTarget, byListenersOf }));
  }
  return index;
}

/** The Gateways a route of a tree names as parents, with the listener it names (none: any of them). */
export function parentGateways(tree: ManifestSet, route: Named): Named[] {
  const found = resourcesOfKind(tree, route.kind).find(
    ({ id }) => id.group === GATEWAY_API_GROUP && id.namespace === route.namespace && id.name === route.name,
  );
  return found ? parentGatewaysOf(found) : [];
}

/** The Gateways a route names as parents (parentGateways, for the route object in hand). */
export function parentGatewaysOf(route: Resource): Named[] {
  return list(spec(route).parentRefs)
    .map(record)
    .filter((parent) => (text(parent.kind) ?? "Gateway") === "Gateway")
    .map((parent) => {
      const section = text(parent.sectionName);
      return {
        kind: "Gateway",
        namespace: text(parent.namespace) ?? route.id.namespace,
        name: text(parent.name) ?? "?",
        ...(section ? { section } : {}),
      };
    });
}

/**
 * The policies of a kind on a route's way in through one parent Gateway, a level each, closest
 * first: the listener's the route names, then the whole Gateway's. A route that names no listener
 * may come in through any (listenerPolicies says which of them have their own).
 */
export function gatewayPolicies(tree: ManifestSet, policies: PolicyKind, parent: Named): readonly (readonly Resource[])[] {
  const whole = policiesNaming(tree, policies, { kind: parent.kind, namespace: parent.namespace, name: parent.name });
  return parent.section === undefined ? [whole] : [policiesNaming(tree, policies, parent), whole];
}

/**
 * The policies of a kind on a request's way in to a route (or one of its rules, `route.section`)
 * through one parent Gateway, or with none the route's own alone, closest first: the rule's, the
 * route's, the listener's, the Gateway's, at most one a level. Undefined where the tree does not
 * tell: two policies naming one object (the controller takes the older), or a route naming no
 * listener of a Gateway whose listeners have their own (some of its requests come in under those,
 * the others under the Gateway's, so no one policy applies to all of it).
 */
export function policiesOnTheWayIn(
  tree: ManifestSet,
  policies: PolicyKind,
  route: Named,
  parent: Named | undefined,
): Resource[] | undefined {
  if (parent && parent.section === undefined && listenerPolicies(tree, policies, parent).length > 0) return undefined;
  const whole: Named = { kind: route.kind, namespace: route.namespace, name: route.name };
  const levels = [
    ...(route.section === undefined ? [] : [policiesNaming(tree, policies, route)]),
    policiesNaming(tree, policies, whole),
    ...(parent ? gatewayPolicies(tree, policies, parent) : []),
  ];
  return levels.some((level) => level.length > 1) ? undefined : levels.flat();
}

/** `Gateway infra/public:https`. */
export const gatewayName = (gateway: Named): string =>
  `Gateway ${gateway.namespace}/${gateway.name}${gateway.section ? `:${gateway.section}` : ""}`;
