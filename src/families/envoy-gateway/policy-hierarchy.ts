import { list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { ENVOY_GATEWAY_GROUP, targetsOf } from "./policy-targets.js";

/**
 * Envoy Gateway's policy hierarchy: a policy names a Gateway, one of its listeners or a route, and
 * of the policies of one kind that reach a request the most specific takes effect — a listener's
 * replaces its Gateway's, a route's replaces both unless it sets `mergeType` (the CRDs: "If unset,
 * no merging occurs, and only the most specific configuration takes effect"). The policies of a
 * tree by what they name are indexed once a tree and kind: every changed policy of a PR asks.
 */

/** An object a policy names: a route or Gateway, its rule or listener by section. */
export interface Named {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly section?: string;
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
export function policiesNaming(tree: ManifestSet, policyKind: string, target: Named): readonly Resource[] {
  return policyIndex(tree, policyKind).byTarget.get(keyOf(target)) ?? [];
}

/**
 * The policies of a kind that name one listener of a Gateway, each in tree order, by listener: for
 * what comes in on that listener each replaces the Gateway's, so a route that names no listener is
 * under the Gateway's policy on some listeners and under these on the others.
 */
export function listenerPolicies(tree: ManifestSet, policyKind: string, gateway: Named): readonly (readonly Resource[])[] {
  return (
    policyIndex(tree, policyKind).byListenersOf.get(keyOf({ kind: gateway.kind, namespace: gateway.namespace, name: gateway.name })) ?? []
  );
}

function policyIndex(tree: ManifestSet, policyKind: string): PolicyIndex {
  let byKind = indexes.get(tree);
  if (!byKind) indexes.set(tree, (byKind = new Map()));
  let index = byKind.get(policyKind);
  if (!index) {
    const byTarget = new Map<string, Resource[]>();
    const byListenersOf = new Map<string, Resource[][]>();
    for (const policy of resourcesOfKind(tree, policyKind)) {
      if (policy.id.group !== ENVOY_GATEWAY_GROUP) continue;
      for (const { kind, ref } of targetsOf(policy)) {
        if (!ref) continue;
        const key = keyOf({ kind, ...ref });
        const known = byTarget.get(key);
        if (known) {
          if (!known.includes(policy)) known.push(policy);
          continue;
        }
        const policies = [policy];
        byTarget.set(key, policies);
        if (kind !== "Gateway" || ref.section === undefined) continue;
        const gateway = keyOf({ kind, namespace: ref.namespace, name: ref.name });
        byListenersOf.set(gateway, [...(byListenersOf.get(gateway) ?? []), policies]);
      }
    }
    byKind.set(policyKind, (index = { byTarget, byListenersOf }));
  }
  return index;
}

/** The Gateways a route of a tree names as parents, with the listener it names (none: any of them). */
export function parentGateways(tree: ManifestSet, route: Named): Named[] {
  const found = resourcesOfKind(tree, route.kind).find(
    ({ id }) => id.group === GATEWAY_API_GROUP && id.namespace === route.namespace && id.name === route.name,
  );
  return list(spec(found).parentRefs)
    .map(record)
    .filter((parent) => (text(parent.kind) ?? "Gateway") === "Gateway")
    .map((parent) => {
      const section = text(parent.sectionName);
      return {
        kind: "Gateway",
        namespace: text(parent.namespace) ?? route.namespace,
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
export function gatewayPolicies(tree: ManifestSet, policyKind: string, parent: Named): readonly (readonly Resource[])[] {
  const whole = policiesNaming(tree, policyKind, { kind: parent.kind, namespace: parent.namespace, name: parent.name });
  return parent.section === undefined ? [whole] : [policiesNaming(tree, policyKind, parent), whole];
}
