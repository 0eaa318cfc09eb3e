import { isRecord, list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import type { RiskLevel } from "../../core/risk-level.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { sortedSet } from "../../core/canonical-values.js";
import { listedNames } from "../../core/removed-while-named.js";
import { config, describeDestinations, describeRoutes } from "./gloo-selectors.js";
import { routeId, routeLabel, routesOfTables, selectedRoutes } from "./route-selection.js";

/**
 * Gloo Platform policies that guard the requests of the routes (or destinations) they select:
 * external auth, JWT validation, WAF, CSRF checks, data-loss-prevention masking, GraphQL query
 * allow-lists (security.policy.gloo.solo.io) and rate limits (trafficcontrol.policy.gloo.solo.io).
 * What a policy guards is judged per route, as Gloo applies it: a route that loses every policy of
 * a kind is no longer checked (access.widened; rate limits: medium-high), whether the policy was
 * removed, its selector changed, the route relabelled, or the policy turned off in place (a JWT
 * policy that allows missing tokens, CSRF in shadow mode, every DLP action shadowed, an emptied
 * query allow-list, no rate-limit server). A route that gains one refuses requests without it
 * (medium). Selector semantics follow the 2.14 CRD descriptions: what an empty `applyToRoutes`
 * selects differs by kind. Workspaces are not resolved: a policy that selects "every route of its
 * workspace" is taken to guard every route of the tree when it is lost, and only its own
 * namespace's routes when it is the one still guarding them, so neither approximation hides a loss.
 */

interface Guard {
  /** What a request to a guarded route must pass, for summaries. */
  readonly requires: string;
  /** What the policy selects when `applyToRoutes` names nothing. */
  readonly routesWhenEmpty: (policy: Resource) => "all" | "none";
  /** What it selects among destinations (it has `applyToDestinations`), as a readable scope; undefined: none. */
  readonly destinations?: (policy: Resource) => string | undefined;
  /** Whether it enforces anything at all as configured. */
  readonly enforced: (policy: Resource) => boolean;
  /** A route losing it: protection lost is access.widened; rate limits are capacity. */
  readonly lost: { readonly class: ChangeClassId; readonly riskFloor?: RiskLevel; readonly effect: string };
}

const ALWAYS = () => true;
const WIDENED = { class: "access.widened", effect: "requests reach it unchecked" } as const;
const named = (value: unknown): boolean => text(record(value).name) !== undefined;

/** The destinations a policy selects besides routes, readable; `allWhenEmpty`: naming none selects every one of its workspace. */
const destinationScope = (policy: Resource, allWhenEmpty: boolean): string | undefined => {
  const { applyToDestinations } = spec(policy);
  if (list(applyToDestinations).length > 0) return `destinations ${describeDestinations(applyToDestinations)}`;
  return allWhenEmpty ? "every destination of its workspace" : undefined;
};

const selectsNoRoute = (policy: Resource): boolean => list(spec(policy).applyToRoutes).length === 0;

/** JWT validation that lets requests without a valid token through checks nothing for them. */
const JWT_OPTIONAL = new Set(["ALLOW_MISSING", "ALLOW_MISSING_OR_FAILED"]);

const GUARDS: Readonly<Record<string, Guard>> = {
  ExtAuthPolicy: {
    requires: "external authentication",
    routesWhenEmpty: () => "none",
    // "If empty and applyToRoutes is unset, the policy applies to all destinations in the workspace."
    destinations: (policy) => destinationScope(policy, selectsNoRoute(policy)),
    enforced: ALWAYS,
    lost: WIDENED,
  },
  JWTPolicy: {
    requires: "a valid JWT",
    // "If omitted and the policy also does not select any destinations, the policy applies to all routes."
    routesWhenEmpty: (policy) => (spec(policy).applyToDestinations === undefined ? "all" : "none"),
    // "By default if omitted, the policy does not apply to any destinations. If empty ({}), […] all destinations in the workspace."
    destinations: (policy) => (spec(policy).applyToDestinations === undefined ? undefined : destinationScope(policy, true)),
    enforced: (policy) => !JWT_OPTIONAL.has(text(config(policy).validationPolicy) ?? "") && config(policy).allowMissingOrFailed !== true,
    lost: WIDENED,
  },
  WAFPolicy: {
    requires: "WAF inspection",
    routesWhenEmpty: () => "all",
    enforced: (policy) => config(policy).disableCoreRuleSet !== true || list(config(policy).customRuleSets).length > 0,
    lost: WIDENED,
  },
  CSRFPolicy: {
    requires: "CSRF checks",
    routesWhenEmpty: () => "all",
    // shadowEnabled alone evaluates and logs without refusing anything. Written `true` (gloo-mesh-use-cases) or as a fraction.
    enforced: (policy) => config(policy).filterEnabled === true || isRecord(config(policy).filterEnabled),
    lost: WIDENED,
  },
  DLPPolicy: {
    requires: "data-loss-prevention masking of its responses",
    routesWhenEmpty: () => "all",
    enforced: (policy) => list(config(policy).actions).some((action) => record(action).shadow !== true),
    lost: { class: "access.widened", effect: "sensitive data in its responses is no longer masked" },
  },
  GraphQLAllowedQueryPolicy: {
    requires: "an allowed GraphQL query",
    routesWhenEmpty: () => "none",
    // "If this list is empty, all queries are allowed."
    enforced: (policy) => list(config(policy).allowedQueryHashes).length > 0,
    lost: { class: "access.widened", effect: "any GraphQL query is accepted" },
  },
  RateLimitPolicy: {
    requires: "rate limits",
    routesWhenEmpty: () => "none",
    // "If the destination selector is empty but the route selector is set, no rate limits are applied on destinations."
    destinations: (policy) => destinationScope(policy, selectsNoRoute(policy)),
    // "If none is provided, no ratelimit will be enforced."
    enforced: (policy) => named(config(policy).ratelimitServerConfig),
    lost: { class: "resource.changed", riskFloor: "medium-high", effect: "bursts and abusive clients reach its backends unlimited" },
  },
};

/** What a policy guards in a tree, by id: routes of the tree, or (routes not here, destinations) its selector's words. */
function guarded(policy: Resource, tree: ManifestSet, guard: Guard): ReadonlyMap<string, string> {
  // Every changed RouteTable asks of every policy of the tree: each tree's answer is found once.
  let known = guardedIn.get(tree);
  if (!known) guardedIn.set(tree, (known = new Map()));
  let found = known.get(policy);
  if (!found) known.set(policy, (found = guardedBy(policy, tree, guard)));
  return found;
}

const guardedIn = new WeakMap<ManifestSet, Map<Resource, ReadonlyMap<string, string>>>();

function guardedBy(policy: Resource, tree: ManifestSet, guard: Guard): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  if (!guard.enforced(policy)) return found;
  const whenEmpty = guard.routesWhenEmpty(policy);
  const routes = selectedRoutes(policy, tree, whenEmpty);
  for (const route of routes) found.set(routeId(route), routeLabel(route));
  const selectors = list(spec(policy).applyToRoutes);
  if (routes.length === 0 && (selectors.length > 0 || whenEmpty === "all")) {
    const scope = selectors.length > 0 ? describeRoutes(spec(policy).applyToRoutes) : "every route of its workspace";
    found.set(`routes ${scope}`, `the routes it selects (${scope}), not in this repository`);
  }
  const destinations = guard.destinations?.(policy);
  if (destinations) found.set(destinations, destinations);
  return found;
}

/**
 * Whether another policy of the kind still guards a route (or scope) in a tree. A policy that
 * selects "all" is counted for its own namespace's routes only (see the module comment).
 */
const coveredElsewhere = (tree: ManifestSet, except: Resource, id: string, guard: Guard): boolean =>
  policiesOf(tree, except.id.kind).some((other) => {
    if (other.key === except.key || !guard.enforced(other)) return false;
    if (selectsNoRoute(other) && guard.routesWhenEmpty(other) === "all")
      return id.includes("#") && routeInNamespace(id, other.id.namespace);
    return guarded(other, tree, guard).has(id);
  });

/** A route id is `group/kind/namespace/name…#route`: its table's namespace is the third part. */
const routeInNamespace = (id: string, namespace: string): boolean => id.split("/")[2] === namespace;

const policiesByKind = new WeakMap<ManifestSet, Map<string, Resource[]>>();
const policiesOf = (tree: ManifestSet, kind: string): readonly Resource[] => {
  let byKind = policiesByKind.get(tree);
  if (!byKind) {
    byKind = new Map();
    for (const resource of tree.resources.values())
      if (resource.family === "gloo" && GUARDS[resource.id.kind]) {
        const same = byKind.get(resource.id.kind);
        if (same) same.push(resource);
        else byKind.set(resource.id.kind, [resource]);
      }
    policiesByKind.set(tree, byKind);
  }
  return byKind.get(kind) ?? [];
};

/** Routes named once each (a table held once per cluster or file is one table to reviewers). */
const listed = (all: readonly string[]): string => listedNames([...new Set(all)]);

/** Every route (or scope) some policy of the kind guards in a tree, found once a tree and kind. */
const guardedAnyIn = new WeakMap<ManifestSet, Map<string, ReadonlySet<string>>>();
const guardedByAny = (tree: ManifestSet, kind: string, guard: Guard): ReadonlySet<string> => {
  let byKind = guardedAnyIn.get(tree);
  if (!byKind) guardedAnyIn.set(tree, (byKind = new Map()));
  let ids = byKind.get(kind);
  if (!ids) byKind.set(kind, (ids = new Set(policiesOf(tree, kind).flatMap((policy) => [...guarded(policy, tree, guard).keys()]))));
  return ids;
};

/** Ids of the routes a tree holds: a route the PR removes loses nothing (the route diff reports it). */
const routeIds = new WeakMap<ManifestSet, ReadonlySet<string>>();
const holdsRoute = (tree: ManifestSet, id: string): boolean => {
  let ids = routeIds.get(tree);
  if (!ids) routeIds.set(tree, (ids = new Set(routesOfTables(tree).map(routeId))));
  return ids.has(id) || !id.includes("#");
};

/** Per route or scope, what the policy guarded before and guards now; losses are judged against the rest of the head tree. */
export const guardedRoutes = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const subject = (change.head ?? change.base)!;
  const guard = GUARDS[subject.id.kind];
  if (!guard) return;
  const before = change.base ? guarded(change.base, context.base, guard) : new Map<string, string>();
  const after = change.head ? guarded(change.head, context.head, guard) : new Map<string, string>();
  const lost = [...before].filter(
    ([id]) => !after.has(id) && holdsRoute(context.head, id) && !coveredElsewhere(context.head, subject, id, guard),
  );
  const how = !change.head ? "removed" : !guard.enforced(change.head) ? "no longer enforced" : "no longer selects them";
  if (lost.length > 0)
    out.add({
      class: guard.lost.class,
      summary: `${how}: ${listed(lost.map(([, label]) => label))} no longer ${lost.length === 1 ? "requires" : "require"} ${guard.requires}: ${guard.lost.effect}`,
      side: change.head ? "head" : "base",
      path: !change.head ? ["spec"] : guard.enforced(change.head) ? ["spec", "applyToRoutes"] : ["spec", "config"],
      before: lost.map(([, label]) => label),
      ...(guard.lost.riskFloor ? { riskFloor: guard.lost.riskFloor } : {}),
    });
  // A route another policy of the kind already guarded (a policy renamed, split) requires nothing new.
  const gained = [...after].filter(([id]) => !before.has(id) && !coveredElsewhere(context.base, subject, id, guard));
  if (gained.length > 0)
    out.add({
      class: "resource.changed",
      summary: `${listed(gained.map(([, label]) => label))} now ${gained.length === 1 ? "requires" : "require"} ${guard.requires}: requests without it are refused`,
      side: "head",
      path: ["spec"],
      after: gained.map(([, label]) => label),
      riskFloor: "medium",
    });
};

/**
 * A RouteTable edit (labels, namespace, destinations) that takes a route out of the selection of a
 * guarding policy the PR leaves alone: the route is no longer checked. The policies' own edits are
 * judged by guardedRoutes.
 */
export const routeGuards = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head) return;
  const routes = new Map(
    routesOfTables(context.head)
      .filter(({ table }) => table.key === change.head!.key)
      .map((route) => [routeId(route), route] as const),
  );
  if (routes.size === 0) return;
  // Per route, the guards it loses, grouped by the class of losing them: one finding per route and class.
  const losses = new Map<string, { readonly guard: Guard; readonly by: string[] }[]>();
  for (const kind of Object.keys(GUARDS)) {
    const guard = GUARDS[kind]!;
    const kept = policiesOf(context.head, kind).filter((policy) => context.base.resources.get(policy.key) === policy);
    if (kept.length === 0) continue;
    const now = guardedByAny(context.head, kind, guard);
    for (const id of routes.keys()) {
      if (now.has(id)) continue;
      const by = kept
        .filter((policy) => guarded(policy, context.base, guard).has(id))
        .map((policy) => `${kind} ${policy.id.namespace}/${policy.id.name}`);
      if (by.length === 0) continue;
      const key = `${id}\n${guard.lost.class}`;
      losses.set(key, [...(losses.get(key) ?? []), { guard, by }]);
    }
  }
  for (const [key, lost] of losses) {
    const route = routes.get(key.split("\n")[0]!)!;
    const { lost: how } = lost[0]!.guard;
    out.add({
      class: how.class,
      summary: `${routeLabel(route)}: no longer selected by ${lost.flatMap(({ by }) => by).join(", ")}: no longer requires ${lost.map(({ guard }) => guard.requires).join(", ")}: ${sortedSet(lost.map(({ guard }) => guard.lost.effect)).join("; ")}`,
      side: "head",
      path: ["spec", "http", route.index, "labels"],
      before: lost.flatMap(({ by }) => by),
      ...(how.riskFloor ? { riskFloor: how.riskFloor } : {}),
    });
  }
};
