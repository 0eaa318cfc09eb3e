import { list, record, spec, text } from "../../core/json-access.js";
import { mayShareCluster, resourceKey, type ManifestSet, type Resource } from "../../core/resource.js";
import { DetectionList } from "../../core/detection-list.js";
import { scoped } from "../../core/graph-nodes.js";
import { pickDefinition } from "../../core/nearest-definition.js";
import type { ResourceDetector } from "../../core/detector.js";
import { canaryStrategy, routingTargets, type RoutingTarget } from "./plans.js";

/**
 * What an Argo Rollout's canary trafficRouting needs of the objects it names, where the tree holds
 * them: the VirtualService, with an http route of each name it lists (none listed: exactly one
 * route) and the stable and canary destinations in each such route, the DestinationRule with its
 * canary and stable subsets, the Gateway API route with a backendRef to each of its Services. Argo
 * Rollouts refuses to shift weights through a reference that does not resolve: the rollout stalls
 * at its first step (and an abort cannot shift back). A PR that breaks one — a route renamed in the
 * VirtualService, a subset renamed in the DestinationRule, the Rollout pointed at a route that is
 * not there — is reference.broken, reported on the object the PR changed.
 */

const ISTIO = "networking.istio.io";
const ROUTE_KINDS = ["HTTPRoute", "GRPCRoute", "TCPRoute"];
const isRollout = (resource: Resource): boolean => resource.id.group === "argoproj.io" && resource.id.kind === "Rollout";

/**
 * A tree's Rollouts with the targets they name, the kinds it holds, and its routes, VirtualServices
 * and DestinationRules by identity: built once a tree. The detector runs on every changed route of a
 * large PR, where a scan of the tree each time was most of its cost (~190 ms on the bench's
 * 2,000-file fleet).
 */
interface RolloutIndex {
  readonly rollouts: readonly { readonly rollout: Resource; readonly targets: readonly RoutingTarget[] }[];
  readonly kinds: ReadonlySet<string>;
  /**
   * `group/kind/namespace/name` → every definition: one per cluster, or per file where several files
   * of the tree write it. Made when a Rollout first asks: a tree without Rollouts (most large ones)
   * would hold a key and a list for each of its routes for nothing.
   */
  readonly targets: () => ReadonlyMap<string, readonly Resource[]>;
}
const isTargetKind = ({ id }: Resource): boolean => id.group === ISTIO || ROUTE_KINDS.includes(id.kind);
const indexes = new WeakMap<ManifestSet, RolloutIndex>();
function indexOf(set: ManifestSet): RolloutIndex {
  let index = indexes.get(set);
  if (!index) {
    const rollouts: { rollout: Resource; targets: RoutingTarget[] }[] = [];
    const kinds = new Set<string>();
    for (const resource of set.resources.values()) {
      kinds.add(`${resource.id.group}/${resource.id.kind}`);
      if (isRollout(resource)) rollouts.push({ rollout: resource, targets: routingTargets(resource, resource.id.namespace) });
    }
    let targets: Map<string, Resource[]> | undefined;
    const targetsOf = () => {
      if (targets) return targets;
      targets = new Map();
      for (const resource of set.resources.values()) {
        if (!isTargetKind(resource)) continue;
        const identity = resourceKey(resource.id);
        const known = targets.get(identity);
        if (known) known.push(resource);
        else targets.set(identity, [resource]);
      }
      return targets;
    };
    indexes.set(set, (index = { rollouts, kinds, targets: targetsOf }));
  }
  return index;
}

/**
 * The object a Rollout's target names, as the Rollout's cluster sees it: a definition applied to
 * another cluster is not there. Where the tree writes that identity in several files (an example
 * folder each, as the Gateway API plugin's repository does), the one nearest the Rollout is meant.
 */
function find(set: ManifestSet, target: RoutingTarget, rollout: Resource): Resource | undefined {
  const candidates = indexOf(set).targets().get(resourceKey(target));
  const seen = candidates?.filter((c) => mayShareCluster(c, rollout));
  const placed = seen?.map((resource) => ({ resource, file: resource.source.file, ...scoped(resource.key) }));
  return pickDefinition(placed, { file: rollout.source.file, ...scoped(rollout.key) })?.resource;
}

const httpRouteNames = (virtualService: Resource): (string | undefined)[] =>
  list(spec(virtualService).http).map((route) => text(record(route).name));

/**
 * The stable and canary destinations each http route the Rollout shifts must hold, as Argo Rollouts
 * checks them: a host (its first label, so `checkout-canary.shop.svc.cluster.local` is
 * `checkout-canary`) of each Service, or, with a DestinationRule, a subset of each name.
 */
function missingDestinations(rollout: Resource, virtualService: Resource, routeNames: readonly (string | undefined)[]): string[] {
  const canary = canaryStrategy(rollout);
  const destinationRule = record(record(record(canary?.trafficRouting).istio).destinationRule);
  const bySubset = text(destinationRule.name) !== undefined;
  const wanted = (
    bySubset
      ? [
          ["canary", "subset", text(destinationRule.canarySubsetName)],
          ["stable", "subset", text(destinationRule.stableSubsetName)],
        ]
      : [
          ["canary", "Service", text(canary?.canaryService)],
          ["stable", "Service", text(canary?.stableService)],
        ]
  ).filter((entry): entry is [string, string, string] => entry[2] !== undefined);
  const routes = list(spec(virtualService).http).map(record);
  return routeNames.flatMap((name) => {
    const route = routes.find((candidate) => text(candidate.name) === name);
    if (!route) return [];
    const destinations = list(route.route).map((item) => record(record(item).destination));
    const held = new Set(destinations.map((destination) => (bySubset ? text(destination.subset) : text(destination.host)?.split(".")[0])));
    const label = `VirtualService ${virtualService.id.namespace}/${virtualService.id.name} http route${name === undefined ? "" : ` ${name}`}`;
    return wanted
      .filter(([, , value]) => !held.has(value))
      .map(([role, what, value]) => `${label} has no destination for its ${role} ${what} ${value}`);
  });
}

/**
 * The stable and canary Services a Gateway API route the Rollout shifts must send to, as the
 * gatewayAPI plugin looks them up: a backendRef of each name in some rule of the route (it sets
 * the weight of every one), else it refuses the route.
 */
function missingBackendRefs(rollout: Resource, route: Resource, named: string): string[] {
  const canary = canaryStrategy(rollout);
  const held = new Set(list(spec(route).rules).flatMap((rule) => list(record(rule).backendRefs).map((ref) => text(record(ref).name))));
  return [
    ["canary", text(canary?.canaryService)],
    ["stable", text(canary?.stableService)],
  ].flatMap(([role, service]) =>
    service === undefined || held.has(service) ? [] : [`${named} has no backendRef for its ${role} Service ${service}`],
  );
}

/** The references of one Rollout that do not resolve in this tree, each as a sentence. */
function unresolved(rollout: Resource, set: ManifestSet): string[] {
  const problems: string[] = [];
  const istio = record(record(canaryStrategy(rollout)?.trafficRouting).istio);
  const { kinds } = indexOf(set);
  for (const target of routingTargets(rollout, rollout.id.namespace)) {
    const known = target.group === ISTIO || ROUTE_KINDS.includes(target.kind);
    if (!known || !kinds.has(`${target.group}/${target.kind}`)) continue;
    const found = find(set, target, rollout);
    const named = `${target.kind} ${target.namespace}/${target.name}`;
    if (!found) {
      problems.push(`${named} does not exist`);
      continue;
    }
    if (target.kind === "VirtualService") {
      const names = httpRouteNames(found);
      if (target.rules.length === 0 && names.length !== 1)
        problems.push(
          `${named} has ${names.length} http routes, and the Rollout names none of them (it must when there is not exactly one)`,
        );
      for (const rule of target.rules) if (!names.includes(rule)) problems.push(`${named} has no http route named ${rule}`);
      problems.push(...missingDestinations(rollout, found, target.rules.length === 0 ? (names.length === 1 ? names : []) : target.rules));
    }
    if (ROUTE_KINDS.includes(target.kind)) problems.push(...missingBackendRefs(rollout, found, named));
    if (target.kind === "DestinationRule") {
      const subsets = list(spec(found).subsets).map((subset) => text(record(subset).name));
      const destinationRule = record(istio.destinationRule);
      for (const field of ["canarySubsetName", "stableSubsetName"]) {
        const subset = text(destinationRule[field]);
        if (subset !== undefined && !subsets.includes(subset)) problems.push(`${named} has no subset ${subset} (its ${field})`);
      }
    }
  }
  return problems;
}

/** Rollouts of a tree whose targets include this resource (or the Rollout itself). */
const rolloutsOf = (set: ManifestSet, subject: Resource): Resource[] => {
  if (isRollout(subject)) {
    const rollout = set.resources.get(subject.key);
    return rollout ? [rollout] : [];
  }
  const { id } = subject;
  return indexOf(set)
    .rollouts.filter(({ targets }) => targets.some((t) => t.kind === id.kind && t.name === id.name && t.namespace === id.namespace))
    .map(({ rollout }) => rollout);
};

export const rolloutReferenceDetector: ResourceDetector = (change, context) => {
  const subject = change.head ?? change.base;
  if (!subject) return [];
  const relevant =
    isRollout(subject) ||
    (subject.id.group === ISTIO && (subject.id.kind === "VirtualService" || subject.id.kind === "DestinationRule")) ||
    ROUTE_KINDS.includes(subject.id.kind);
  if (!relevant) return [];
  const out = new DetectionList(change);
  for (const rollout of rolloutsOf(context.head, subject)) {
    const earlier = context.base.resources.get(rollout.key);
    const before = new Set(earlier && isRollout(earlier) ? unresolved(earlier, context.base) : []);
    // One finding a Rollout: an edit that breaks two of its references (a subset renamed in the
    // Rollout, missing from the DestinationRule and the route alike) is one stalled rollout.
    const problems = unresolved(rollout, context.head).filter((problem) => !before.has(problem));
    if (problems.length > 0) {
      out.add({
        class: "reference.broken",
        summary: `${isRollout(subject) ? "" : `Rollout ${rollout.id.namespace}/${rollout.id.name} shifts traffic through it, and `}${problems.join("; ")}: Argo Rollouts cannot set the canary's weight and the rollout stalls`,
        side: "head",
        path: isRollout(subject)
          ? ["spec", "strategy", "canary", "trafficRouting"]
          : subject.id.kind === "DestinationRule"
            ? ["spec", "subsets"]
            : ROUTE_KINDS.includes(subject.id.kind)
              ? ["spec", "rules"]
              : ["spec"],
      });
    }
  }
  return out.detections;
};
