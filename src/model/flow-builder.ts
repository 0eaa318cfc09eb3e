import type { Resource } from "../core/resource.js";
import type { PlacementIndex } from "./placement.js";
import type { RuleShape } from "../core/route-rules.js";
import { sortedSet } from "../core/canonical-values.js";
import { sharedPath } from "../core/field-path.js";
import { flatText } from "../core/flat-text.js";
import { sharedText } from "../core/string-table.js";
import { itemsOrNone, NO_ITEMS } from "../core/no-items.js";
import { sameItems } from "../core/same-items.js";
import type { Backend, Flow, Placement } from "../core/traffic-model.js";

/** Shares are weight / sum (DESIGN §6); all-zero weights carry no traffic at all. */
export function toFlow(resource: Resource, rule: RuleShape, placement: PlacementIndex): Flow {
  const total = rule.backends.reduce((sum, backend) => sum + Math.max(0, backend.weight), 0);
  const backends: Backend[] = rule.backends.map((backend) => ({
    key: flatText(backend.key),
    label: flatText(backend.label),
    service: placement.serviceOf(backend.ref),
    weight: backend.weight,
    share: total > 0 ? Math.max(0, backend.weight) / total : 0,
    placement: placement.place(backend.ref),
    path: sharedPath(backend.path),
    ...(backend.answers === undefined ? {} : { answers: backend.answers }),
  }));
  const match = sharedText(sortedSet(rule.alternatives.map((alternative) => alternative.signature)).join(" | "));
  const methods = rule.alternatives.every((alternative) => alternative.method)
    ? sortedSet(rule.alternatives.map((alternative) => alternative.method!.toUpperCase()))
    : NO_ITEMS;
  return {
    key: flatText(`${rule.entry}|${rule.host}|${match}`),
    entry: sharedText(rule.entry),
    host: rule.host,
    match,
    pathMatch: sharedText(sortedSet(rule.alternatives.map((alternative) => alternative.path)).join(" | ")),
    methods,
    precedence: rule.precedence,
    resource: resource.id,
    resourceKey: resource.key,
    ruleId: rule.ruleId,
    path: sharedPath(rule.path),
    backends,
    mirrors: itemsOrNone(rule.mirrors),
    ...(rule.unverified ? { unverified: rule.unverified } : {}),
    ...(rule.plan === undefined ? {} : { plan: rule.plan }),
  };
}

/**
 * The flow last built from each rule. A rule both trees share (a route the PR leaves alone, under
 * the same entry points: see gatewayApiRules) makes the same flow in the head wherever its
 * backends are placed as in the base: that flow is taken, not built again and compared (most of the
 * head model's work and garbage on a large tree, issue 13). Weak: it keeps no analysis alive.
 */
const builtFrom = new WeakMap<RuleShape, { readonly flow: Flow; readonly placedBy: object }>();

/**
 * What tells the index a flow was placed by: a token, not the index, which memoizes every backend
 * name of its tree: held from the rules a memo still holds, it stayed alive to the end of the review.
 */
const tokens = new WeakMap<PlacementIndex, object>();
const tokenOf = (index: PlacementIndex): object => {
  let token = tokens.get(index);
  if (!token) tokens.set(index, (token = {}));
  return token;
};

const samePlacement = (a: Placement, b: Placement): boolean =>
  a === b || (a.multiCluster === b.multiCluster && sameItems(a.clusters, b.clusters) && sameItems(a.regions, b.regions));

/**
 * The flow of one rule at `entry` (its entry, scoped to the resource's cluster or file when the
 * resource is). A flow is a function of the resource's identity, the rule, the entry and where its
 * backends are placed (their service names depend on the policy alone).
 */
export function flowOf(resource: Resource, rule: RuleShape, entry: string, placement: PlacementIndex): Flow {
  const built = builtFrom.get(rule);
  const placedBy = tokenOf(placement);
  if (
    built &&
    built.flow.resourceKey === resource.key &&
    built.flow.resource === resource.id &&
    built.flow.entry === entry &&
    // Placed by the same index (both trees place backends alike: see buildPlacementIndex), or placed again alike.
    (built.placedBy === placedBy ||
      rule.backends.every((backend, i) => samePlacement(placement.place(backend.ref), built.flow.backends[i]!.placement)))
  )
    return built.flow;
  const flow = toFlow(resource, entry === rule.entry ? rule : { ...rule, entry }, placement);
  builtFrom.set(rule, { flow, placedBy });
  return flow;
}
