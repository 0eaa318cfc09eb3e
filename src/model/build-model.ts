import type { ManifestSet, Resource } from "../manifests/resource.js";
import type { Topology } from "../policy/policy-schema.js";
import type { FilePlacement } from "./gitops-placement.js";
import { toFlow, type RuleShape } from "./flow-builder.js";
import { gatewayApiRules } from "./gateway-api-flows.js";
import { glooRouteTableRules } from "./gloo-flows.js";
import { virtualServiceRules } from "./istio-flows.js";
import { legacyRouteRules } from "./legacy-gateway-flows.js";
import { buildPlacementIndex } from "./placement.js";
import { flaggerCanaryRules, withRolloutPlans } from "./progressive-flows.js";
import type { Flow, TrafficModel } from "./traffic-model.js";

/**
 * Each family that routes requests contributes its rules here; the rest of the model is family-blind.
 * A source gets the whole tree for references it must resolve (legacy routes are selected by Gateways).
 */
const RULE_SOURCES: readonly ((resource: Resource, set: ManifestSet) => RuleShape[])[] = [gatewayApiRules, virtualServiceRules, glooRouteTableRules, legacyRouteRules, flaggerCanaryRules];

/** The rules one resource routes, of whichever family: for checks that follow references from routes to backends. */
export const routeRules = (resource: Resource, set: ManifestSet): RuleShape[] => RULE_SOURCES.flatMap((source) => source(resource, set));

/** The part of a resource key after `@`: the cluster (or file) that scopes otherwise equal resources. */
const scopeOf = (resource: Resource): string | undefined => {
  const at = resource.key.indexOf("@");
  return at >= 0 ? resource.key.slice(at + 1) : undefined;
};

export function buildTrafficModel(set: ManifestSet, topology: Topology, filePlacement: FilePlacement): TrafficModel {
  const placement = buildPlacementIndex(set, topology, filePlacement);
  const flows = new Map<string, Flow>();
  // The next number to try per claimed key: probing from #2 each time is quadratic in the claimants.
  const claimants = new Map<string, number>();
  // Sorted so that flows claiming the same key (a conflict) are numbered the same way in base and head.
  const resources = [...set.resources.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const resource of resources) {
    const scope = scopeOf(resource);
    for (const rule of routeRules(resource, set)) {
      const flow = toFlow(resource, scope ? { ...rule, entry: `${rule.entry} [${scope}]` } : rule, placement);
      let key = flow.key;
      let n = claimants.get(flow.key) ?? 2;
      for (; flows.has(key); n++) key = `${flow.key}#${n}`;
      claimants.set(flow.key, n);
      flows.set(key, key === flow.key ? flow : { ...flow, key });
    }
  }
  // Argo Rollouts rewrite the weights of routes defined elsewhere in the tree: their plans are laid on those flows.
  return { flows: withRolloutPlans(flows, set) };
}
