import { displayName, type ManifestSet, type Resource } from "../core/resource.js";
import { equalData, sortedSet } from "../core/canonical-values.js";
import { sameItems } from "../core/same-items.js";
import type { Topology } from "../policy/policy-schema.js";
import type { FilePlacement } from "./gitops-placement.js";
import { flowOf } from "./flow-builder.js";
import { sharedText } from "../core/string-table.js";
import type { RouteRules, RuleShape } from "../core/route-rules.js";
import { byFamilyKind, FAMILIES } from "../families/index.js";
import { buildPlacementIndex, type PlacementIndex } from "./placement.js";
import type { Flow, RouteEntries, TrafficModel } from "../core/traffic-model.js";

/**
 * Each family that routes requests contributes its rules here, from the table of families; the rest of the model is family-blind.
 * A source gets the whole tree for references it must resolve (Gateway API listeners, legacy routes selected by Gateways).
 */
const ruleSourceOf = byFamilyKind((family) => family.ruleSources);

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
 * d6bc690).
 */
function resolveClaims(claimants: readonly Claimant[]): { flow: Flow; shadowedBy?: string; orderUnknown?: true }[] {
  const ranked = claimants.filter((c) => c.claim).sort(byClaim);
  const first = ranked[0];
  const winner = first?.flow;
  const shadowed = ranked.slice(1).map((claimant) => ({
    flow: claimant.flow,
    shadowedBy:
      claimant.flow.resourceKey === winner!.resourceKey
        ? `an earlier rule of ${displayName(winner!.resource)}`
        : displayName(winner!.resource),
    ...(rankedByNameAlone(first!, claimant) ? { orderUnknown: true as const } : {}),
  }));
  const unranked = claimants.filter((c) => !c.claim).sort((a, b) => Number(b.established) - Number(a.established));
  return [...(winner ? [{ flow: winner }] : []), ...unranked.map(({ flow }) => ({ flow })), ...shadowed];
}

/**
 * `established`: keys of the resources applied before this tree (the base tree's, when this is the
 * head). `previous`: the base tree's model, when this is the head: a flow equal to the base's is
 * the base's object, so what a PR leaves alone is held once and compares equal at a glance.
 */
export function buildTrafficModel(
  set: ManifestSet,
  topology: Topology,
  filePlacement: FilePlacement,
  established: Pick<ReadonlySet<string>, "has"> = new Set(),
  previous?: TrafficModel,
): TrafficModel {
  const handedOver = previous && indexOfModel.get(previous);
  if (previous) indexOfModel.delete(previous);
  const placement = buildPlacementIndex(set, topology, filePlacement, handedOver);
  // A key one rule claims (nearly every key) holds that claimant alone: nothing to rank or number.
  const claims = new Map<string, Claimant | Claimant[]>();
  const routes = new Map<string, RouteEntries>();
  const declared: Flow[] = [];
  const routing: { readonly resource: Resource; readonly found: RouteRules }[] = [];
  set.resources.forEach((resource) => {
    const found = ruleSourceOf(resource)?.(resource, set);
    if (found) routing.push({ resource, found });
  });
  // Sorted so that flows claiming the same key (a conflict) are numbered the same way in base and
  // head; only the resources that route (a sort of a large tree's every resource took 90 ms a side).
  routing.sort((a, b) => (a.resource.key < b.resource.key ? -1 : a.resource.key > b.resource.key ? 1 : 0));
  for (const { resource, found } of routing) {
    const scope = scopeOf(resource);
    const scopedEntry = (entry: string) => (scope ? sharedText(`${entry} [${scope}]`) : entry);
    const entries = sortedSet((found.entries ?? found.rules.map((rule) => rule.entry)).map(scopedEntry));
    // A route that lands where it did in the base tree is the base's record: held once for both trees.
    const before = previous?.routes.get(resource.key);
    routes.set(
      resource.key,
      before?.resource === resource.id && before.file === resource.source.file && sameItems(before.entries, entries)
        ? before
        : { resource: resource.id, file: resource.source.file, entries },
    );
    for (const rule of found.rules) {
      const flow = flowOf(resource, rule, scopedEntry(rule.entry), placement);
      declared.push(flow);
      const claimed = claims.get(flow.key);
      const claimant = { flow, established: established.has(resource.key), ...(rule.claim ? { claim: rule.claim } : {}) };
      if (claimed === undefined) claims.set(flow.key, claimant);
      else if (Array.isArray(claimed)) claimed.push(claimant);
      else claims.set(flow.key, [claimed, claimant]);
    }
  }
  // A numbered key must not take the plain key of another flow (a match may end in `#2`). Keys one
  // rule claims (nearly all) stay as they are: only the others are numbered, and only then is the set made.
  let used: Set<string> | undefined;
  const renamed = new Map<Flow, Flow>();
  claims.forEach((claimants, key) => {
    if (!Array.isArray(claimants)) return;
    let n = 2;
    resolveClaims(claimants).forEach(({ flow, shadowedBy, orderUnknown }, index) => {
      let numbered = key;
      if (index > 0) {
        used ??= new Set(claims.keys());
        while (used.has(`${key}#${n}`)) n++;
        numbered = `${key}#${n++}`;
        used.add(numbered);
      }
      if (numbered !== key || shadowedBy)
        renamed.set(flow, { ...flow, key: numbered, ...(shadowedBy ? { shadowedBy } : {}), ...(orderUnknown ? { orderUnknown } : {}) });
    });
  });
  // In the order the tree declares them, as reports list them.
  const flows = new Map<string, Flow>();
  for (const flow of declared) {
    const final = renamed.get(flow) ?? flow;
    const before = previous?.flows.get(final.key);
    flows.set(final.key, before && equalData(before, final) ? before : final);
  }
  // Argo Rollouts rewrite the weights of routes defined elsewhere in the tree: their plans are laid on those flows.
  const model = { flows: FAMILIES.reduce((planned, family) => family.flowPlans?.(planned, set) ?? planned, flows), routes };
  if (!previous) indexOfModel.set(model, placement);
  return model;
}

/**
 * The placement index a base tree's model was built with, handed to the head tree's build and
 * taken out there (the model itself stays plain data). A hand-over, not a store: the index
 * memoizes every backend name of the tree (~12 MB at 20,000 routes), and kept while the models
 * lived it was held to the end of the review. A head model is handed to no tree.
 */
const indexOfModel = new WeakMap<TrafficModel, PlacementIndex>();
