import type { Detection } from "../core/finding.js";
import { targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, resourceKey, type ManifestSet, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import { resourcesOfKind } from "../core/resources-of-kind.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";
import { byFamilyKind, FAMILIES } from "../families/index.js";

/**
 * A policy that guards access (Family.guardingPolicies: Envoy Gateway's SecurityPolicy, Kuadrant's
 * AuthPolicy) left naming a route the PR removes, while the requests that route served — the same
 * entry, host and match — are served at head by routes no such policy names: those requests no
 * longer pass what the policy required, access.widened (K8: HTTPRoute `toystore` renamed
 * `toystore-v2` with the same hostnames and rules, its AuthPolicy still targeting `toystore`, read
 * as a route removed and one added, both low). A route removed with its policy, or whose policy
 * follows it to its new name in the same PR, is none: the policy no longer names the route.
 */

const requirementsRead = byFamilyKind((family) => family.guardingPolicies);
const requirementsOf = (policy: Resource): string | undefined => requirementsRead(policy)?.(policy);
const targetsOf = byFamilyKind((family) => family.policyTargets);
const GUARDING_KINDS = [...new Set(FAMILIES.flatMap((family) => Object.keys(family.guardingPolicies ?? {})))];

/** A tree as this stage reads it. */
export interface GuardedTree {
  readonly manifests: ManifestSet;
  readonly model: TrafficModel;
}

/** A tree's guarding policies by the key of each object they name: made once a side, when a removed route first asks. */
function guardsByTarget(tree: ManifestSet): Map<string, { readonly policy: Resource; readonly target: PolicyTarget }[]> {
  const index = new Map<string, { readonly policy: Resource; readonly target: PolicyTarget }[]>();
  for (const kind of GUARDING_KINDS)
    for (const policy of resourcesOfKind(tree, kind)) {
      if (!requirementsOf(policy)) continue;
      for (const target of targetsOf(policy)?.(policy) ?? []) {
        const key = resourceKey(target);
        const known = index.get(key);
        if (known) known.push({ policy, target });
        else index.set(key, [{ policy, target }]);
      }
    }
  return index;
}

/** A model's flows by their key (entry, host and match), and by the identity of their route. */
const flowsBy = (model: TrafficModel, keyOf: (flow: Flow) => string): Map<string, Flow[]> => {
  const map = new Map<string, Flow[]>();
  model.flows.forEach((flow) => {
    const key = keyOf(flow);
    const list = map.get(key);
    if (list) list.push(flow);
    else map.set(key, [flow]);
  });
  return map;
};

export function guardsLeftBehind(changes: readonly ResourceChange[], base: GuardedTree, head: GuardedTree): Detection[] {
  const removed = changes.filter((change) => change.base && !change.head);
  if (removed.length === 0 || GUARDING_KINDS.length === 0) return [];
  let guardedBefore: ReturnType<typeof guardsByTarget> | undefined;
  let after:
    | {
        readonly guardedNow: ReturnType<typeof guardsByTarget>;
        readonly routeFlows: Map<string, Flow[]>;
        readonly servedNow: Map<string, Flow[]>;
      }
    | undefined;
  const detections: Detection[] = [];
  for (const change of removed) {
    const route = resourceKey(change.base!.id);
    const before = (guardedBefore ??= guardsByTarget(base.manifests)).get(route);
    if (!before) continue;
    after ??= {
      guardedNow: guardsByTarget(head.manifests),
      routeFlows: flowsBy(base.model, (flow) => resourceKey(flow.resource)),
      servedNow: flowsBy(head.model, (flow) => flow.key),
    };
    const { guardedNow, routeFlows, servedNow } = after;
    // The routes now serving what this one served, that no guarding policy names.
    const takers = new Map<string, Flow>();
    for (const flow of routeFlows.get(route) ?? [])
      for (const taker of servedNow.get(flow.key) ?? []) {
        const key = resourceKey(taker.resource);
        if (key !== route && !guardedNow.has(key) && !takers.has(key)) takers.set(key, taker);
      }
    if (takers.size === 0) continue;
    for (const { policy: was, target } of before) {
      // Still there at head, still naming the removed route: it guards nothing now.
      const left = (guardedNow.get(route) ?? []).find(({ policy }) => resourceKey(policy.id) === resourceKey(was.id));
      if (!left) continue;
      const requires = requirementsOf(left.policy)!;
      const serving = [...takers.values()];
      const hosts = [...new Set(serving.map((flow) => flow.host))].join(", ");
      detections.push({
        class: "access.widened",
        summary:
          `${displayName(left.policy.id)}: still targets ${targetName(target)}, which this PR removes, while ` +
          `${serving.map((flow) => displayName(flow.resource)).join(", ")} now serve${serving.length === 1 ? "s" : ""} its requests (${hosts}) ` +
          `with no ${left.policy.id.kind} naming ${serving.length === 1 ? "it" : "them"}: they no longer require ${requires}`,
        resource: left.policy.id,
        resourceKey: left.policy.key,
        side: "head",
        path: ["spec"],
        before: { target: targetName(target), requires },
        after: { servedBy: serving.map((flow) => displayName(flow.resource)) },
      });
    }
  }
  return detections;
}
