import { displayName, type ManifestSet, type Resource } from "../core/resource.js";
import { equalData, sortedSet } from "../core/canonical-values.js";
import { sameItems } from "../core/same-items.js";
import type { Topology } from "../policy/policy-schema.js";
import type { FilePlacement } from "./gitops-placement.js";
import { flowOf } from "./flow-builder.js";
import { sharedText } from "../core/string-table.js";
import { sharedList } from "../core/field-path.js";
import type { RouteRules, RuleShape } from "../core/route-rules.js";
import { byFamilyKind, FAMILIES } from "../families/index.js";
import { buildPlacementIndex, type PlacementIndex } from "./placement.js";
import { entryCopyOf, type Flow, type RouteEntries, type TrafficModel } from "../core/traffic-model.js";

/**
 * Each family that routes requests contributes its rules here, from the table of families; the rest of the model is family-blind.
 * A source gets the whole tree for references it must resolve (Gateway API listeners, legacy routes selected by Gateways).
 */
const ruleSourceOf = byFamilyKind((family) => family.ruleSources);
const ruleContextOf = byFamilyKind((family) => family.ruleContexts);

/** The rules one resource routes, of whichever family: for checks that follow references from routes to backends. */
export const routeRules = (resource: Resource, set: ManifestSet): readonly RuleShape[] =>
  ruleSourceOf(resource)?.(resource, set)?.rules ?? [];

/** The part of a resource key after `@`: the cluster (or file) that scopes otherwise equal resources. */
const scopeOf = (resource: Resource): string | undefined => {
  const at = resource.key.indexOf("@");
  return at >= 0 ? resource.key.slice(at + 1) : undefined;
};

interface Claimant {
  readonly flow: Flow;
  readonly claim?: RuleShape["claim"];
  /** The resource is already applied (in the base tree) when this tree is the PR's head. */
  readonly established: boolean;
}

/**
 * Oldest first. Creation times decide when both are known, but a repository rarely holds them; a
 * resource the base branch already has is older than one the PR adds, as it will be created first.
 */
const byClaim = (a: Claimant, b: Claimant): number => {
  const [x, y] = [a.claim!, b.claim!];
  return byAge(a, b) || (x.name !== y.name ? (x.name < y.name ? -1 : 1) : a.flow.precedence - b.flow.precedence);
};

/** Which is older, where the tree tells: by creation times, else by one being new in this change; 0 where it cannot. */
const byAge = (a: Claimant, b: Claimant): number => {
  const [x, y] = [a.claim!, b.claim!];
  if (x.createdAt && y.createdAt && x.createdAt !== y.createdAt) return x.createdAt < y.createdAt ? -1 : 1;
  return a.established === b.established ? 0 : a.established ? -1 : 1;
};

/** Whether byClaim put `a` first by name alone: their age is not known. */
const rankedByNameAlone = (a: Claimant, b: Claimant): boolean => byAge(a, b) === 0 && a.claim!.name !== b.claim!.name;

/**
 * The claimants of one key, the one that takes the requests first, each with the flow that
 * shadows it. Where the family ranks claims, the first ranked claimant shadows the other ranked
 * ones; unranked claimants (first-match rules of one VirtualService) keep their order and are
 * all served, their rules' own precedence telling them apart. Claimants the base branch already
 * applies come first, so a resource the PR adds beside them is the one numbered after: an Ingress
 * added whose name sorts first does not take over the flow of the one that was there (argo-rollouts
 * d6bc690). Rules on differing definitions of one Gateway, each an object of its own
 * (Flow.entryCopy: nginx-gateway-fabric's example folders), claim apart: the first on each serves.
 */
function resolveClaims(claimants: readonly Claimant[]): { flow: Flow; shadowedBy?: string; orderUnknown?: true }[] {
  const ranked = claimants.filter((c) => c.claim).sort(byClaim);
  const firstOn = new Map<string, Claimant>();
  for (const claimant of ranked) if (!firstOn.has(entryCopyOf(claimant.flow))) firstOn.set(entryCopyOf(claimant.flow), claimant);
  const [winner, ...apart] = [...firstOn.values()];
  const shadowed = ranked.flatMap((claimant) => {
    const first = firstOn.get(entryCopyOf(claimant.flow))!;
    if (first === claimant) return [];
    const { flow } = first;
    return [
      {
        flow: claimant.flow,
        shadowedBy:
          claimant.flow.resourceKey === flow.resourceKey ? `an earlier rule of ${displayName(flow.resource)}` : displayName(flow.resource),
        ...(rankedByNameAlone(first, claimant) ? { orderUnknown: true as const } : {}),
      },
    ];
  });
  const unranked = claimants.filter((c) => !c.claim).sort((a, b) => Number(b.established) - Number(a.established));
  return [
    ...(winner ? [{ flow: winner.flow }] : []),
    ...unranked.map(({ flow }) => ({ flow })),
    ...apart.map(({ flow }) => ({ flow })),
    ...shadowed,
  ];
}

/** What one resource routes, as the model made it: the entries it lands on, and a flow per rule with the rule's claim. */
interface Routed {
  readonly entries: readonly string[];
  readonly flows: readonly { readonly flow: Flow; readonly claim?: RuleShape["claim"] }[];
  /** The rule context it was read under (Family.ruleContexts), when its kind has one. */
  readonly context?: object;
}

function routedOf(resource: Resource, found: RouteRules, placement: PlacementIndex, context: object | undefined): Routed {
  const scope = scopeOf(resource);
  const scopedEntry = (entry: string) => (scope ? sharedText(`${entry} [${scope}]`) : entry);
  return {
    // Most routes of a tree land on the same few entries: one list each, not one per route.
    entries: sharedList(sortedSet((found.entries ?? found.rules.map((rule) => rule.entry)).map(scopedEntry))),
    flows: found.rules.map((rule) => ({
      flow: flowOf(resource, rule, scopedEntry(rule.entry), placement),
      ...(rule.claim ? { claim: rule.claim } : {}),
    })),
    ...(context ? { context } : {}),
  };
}

/**
 * What a resource routes whose controller keeps serving its last accepted config (RouteRules.held):
 * a rule it rejects routes at head what it routed at base (nothing where the base did not route
 * it); the others as written.
 */
function heldRouted(resource: Resource, found: RouteRules, routed: Routed, flowsOfResource: () => ReadonlyMap<string, Flow[]>): Routed {
  const before = flowsOfResource().get(resource.key) ?? [];
  return {
    ...routed,
    flows: routed.flows.flatMap((item, index) => {
      if (!found.rules[index]?.held) return [item];
      const kept = before.find((flow) => flow.key === item.flow.key);
      return kept ? [{ flow: kept }] : [];
    }),
  };
}

/** The base's flow where it is equal (held once for both trees, equal at a glance), else this one. */
const previousOrThis = (flow: Flow, previous: TrafficModel | undefined): Flow => {
  const before = previous?.flows.get(flow.key);
  return before && equalData(before, flow) ? before : flow;
};

/**
 * The flows again, in declared order, where rules of several resources (or one) claim one key: the
 * claimants of each such key ranked (resolveClaims), the first keeping the key and the others
 * numbered after it. A numbered key must not take the plain key of another flow (a match may end in `#2`).
 */
function numberedFlows(
  routing: readonly { readonly resource: Resource; readonly routed: Routed }[],
  plain: ReadonlyMap<string, Flow>,
  contested: ReadonlySet<string>,
  established: Pick<ReadonlySet<string>, "has">,
  previous: TrafficModel | undefined,
): Map<string, Flow> {
  const claims = new Map<string, Claimant[]>();
  for (const { resource, routed } of routing)
    for (const { flow, claim } of routed.flows) {
      if (!contested.has(flow.key)) continue;
      const claimant = { flow, established: established.has(resource.key), ...(claim ? { claim } : {}) };
      const claimants = claims.get(flow.key);
      if (claimants) claimants.push(claimant);
      else claims.set(flow.key, [claimant]);
    }
  const used = new Set(plain.keys());
  const renamed = new Map<Flow, Flow>();
  claims.forEach((claimants, key) => {
    let n = 2;
    resolveClaims(claimants).forEach(({ flow, shadowedBy, orderUnknown }, index) => {
      let numbered = key;
      if (index > 0) {
        while (used.has(`${key}#${n}`)) n++;
        numbered = `${key}#${n++}`;
        used.add(numbered);
      }
      if (numbered !== key || shadowedBy)
        renamed.set(flow, { ...flow, key: numbered, ...(shadowedBy ? { shadowedBy } : {}), ...(orderUnknown ? { orderUnknown } : {}) });
    });
  });
  const flows = new Map<string, Flow>();
  for (const { routed } of routing)
    for (const { flow } of routed.flows) {
      const final = renamed.get(flow) ?? flow;
      flows.set(final.key, previousOrThis(final, previous));
    }
  return flows;
}

/**
 * `established`: keys of the resources applied before this tree (the base tree's, when this is the
 * head). `previous`: the base tree's model, when this is the head: a flow equal to the base's is
 * the base's object, so what a PR leaves alone is held once and compares equal at a glance.
 * `unapplied`: resources the tree holds but does not apply (diff/resource-diff.ts
 * unappliedDefinitions), which land on no entry and route nothing.
 */
export function buildTrafficModel(
  set: ManifestSet,
  topology: Topology,
  filePlacement: FilePlacement,
  established: Pick<ReadonlySet<string>, "has"> = new Set(),
  previous?: TrafficModel,
  unapplied?: (resource: Resource) => boolean,
): TrafficModel {
  const handedOver = previous && handOverOf.get(previous);
  if (previous) handOverOf.delete(previous);
  const placement = buildPlacementIndex(set, topology, filePlacement, handedOver?.placement);
  // The base's flows of a resource this tree shares stand where its rules and its backends' placement would be the same.
  const reusable = handedOver?.placement === placement ? handedOver.routed : undefined;
  const routedHere = previous ? undefined : new Map<Resource, Routed>();
  const routes = new Map<string, RouteEntries>();
  const routing: { readonly resource: Resource; readonly routed: Routed }[] = [];
  // The base's flows by resource, gathered once and only for a tree that holds a resource at them.
  let previousByResource: Map<string, Flow[]> | undefined;
  const flowsOfResource = () => {
    if (!previousByResource) {
      previousByResource = new Map();
      previous?.flows.forEach((flow) => {
        const flows = previousByResource!.get(flow.resourceKey);
        if (flows) flows.push(flow);
        else previousByResource!.set(flow.resourceKey, [flow]);
      });
    }
    return previousByResource;
  };
  set.resources.forEach((resource) => {
    const source = ruleSourceOf(resource);
    if (!source || unapplied?.(resource)) return;
    const context = ruleContextOf(resource)?.(set);
    const known = context && reusable?.get(resource);
    if (known && known.context === context) {
      routing.push({ resource, routed: known });
      return;
    }
    const found = source(resource, set);
    if (!found) return;
    const written = routedOf(resource, found, placement, context);
    const routed = found.held && previous ? heldRouted(resource, found, written, flowsOfResource) : written;
    routing.push({ resource, routed });
    if (context) routedHere?.set(resource, routed);
  });
  // Sorted so that flows claiming the same key (a conflict) are numbered the same way in base and
  // head; only the resources that route (a sort of a large tree's every resource took 90 ms a side).
  routing.sort((a, b) => (a.resource.key < b.resource.key ? -1 : a.resource.key > b.resource.key ? 1 : 0));
  // Each key's flow, in the order the tree declares them (as reports list them), the base's object
  // where equal. Nearly every key is claimed by one rule: only keys two claim are ranked and numbered.
  let flows = new Map<string, Flow>();
  let contested: Set<string> | undefined;
  for (const { resource, routed } of routing) {
    const { entries } = routed;
    // A route that lands where it did in the base tree is the base's record: held once for both trees.
    const before = previous?.routes.get(resource.key);
    routes.set(
      resource.key,
      before?.resource === resource.id && before.file === resource.source.file && sameItems(before.entries, entries)
        ? before
        : { resource: resource.id, file: resource.source.file, entries },
    );
    for (const { flow } of routed.flows) {
      if (flows.has(flow.key)) (contested ??= new Set()).add(flow.key);
      else flows.set(flow.key, previousOrThis(flow, previous));
    }
  }
  if (contested) flows = numberedFlows(routing, flows, contested, established, previous);
  // Argo Rollouts rewrite the weights of routes defined elsewhere in the tree: their plans are laid on those flows.
  const model = { flows: FAMILIES.reduce((planned, family) => family.flowPlans?.(planned, set) ?? planned, flows), routes };
  if (routedHere) handOverOf.set(model, { placement, routed: routedHere });
  return model;
}

/**
 * What a base tree's model hands to the head tree's build, taken out there (the model itself stays
 * plain data): the placement index it was built with, and what each resource with a rule context
 * routed. A hand-over, not a store: the index memoizes every backend name of the tree (~12 MB at
 * 20,000 routes), and held while the models lived it was held to the end of the review. The head
 * takes flows, not rules: holding every route's rules for the head was the largest part of the
 * base model (issue 13: ~40 MB of a 2,000-file review's peak). A head model is handed to no tree.
 */
const handOverOf = new WeakMap<TrafficModel, { readonly placement: PlacementIndex; readonly routed: ReadonlyMap<Resource, Routed> }>();
