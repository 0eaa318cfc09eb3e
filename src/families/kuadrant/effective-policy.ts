import type { Check } from "../../core/by-kind.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
import { list, record, spec, text } from "../../core/json-access.js";
import {
  gatewayName,
  parentGateways,
  parentGatewaysOf,
  policiesNaming,
  policiesOnTheWayIn,
  type Named,
  type PolicyKind,
} from "../../core/policy-hierarchy.js";
import { targetName, type PolicyTarget } from "../../core/policy-targets.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { sectionOf, type SectionMode } from "./policy-sections.js";
import { KUADRANT_GROUP, describeTarget, sameTarget, targetOf } from "./targets.js";

/**
 * What governs a route of an AuthPolicy or RateLimitPolicy, as Kuadrant works out the effective
 * policy along a request's way in (kuadrant-operator api/v1/merge_strategies.go,
 * EffectivePolicyForPath): starting from the route's own policy (its rule's first), each broader
 * one out to the Gateway's merged into what the narrower ones made, by how the broader is written —
 * atomic `defaults` (and rules written at the top of `spec`, implicit defaults) apply only where the
 * narrower policies set no rules; atomic `overrides` replace theirs; with `strategy: merge`, defaults
 * add rules of names the narrower lack, overrides replace theirs of the same name and keep the others.
 * So a route policy added under a Gateway's defaults replaces them (K1: a route's `anonymous` under
 * the Gateway's Keycloak JWT opens the route), and one removed under a Gateway's overrides changed
 * nothing (those replaced it all along); a Gateway's anonymous overrides added over a route's own
 * API keys open that route.
 */

/** A kind of Kuadrant policy the merge reads: its rules by `kind#name` as Kuadrant keys them, and whether they set nothing. */
export interface MergedKind extends PolicyKind {
  readonly rulesOf: (policy: Resource) => ReadonlyMap<string, unknown>;
  /** kuadrant-operator's Empty(): an AuthPolicy without an auth scheme, a RateLimitPolicy without limits: atomic defaults above it still apply. */
  readonly empty: (rules: ReadonlyMap<string, unknown>) => boolean;
}

/** The objects a Kuadrant policy names, Gateway API's: the one its `targetRef` names. */
export const kuadrantPolicies = (kind: string, rulesOf: MergedKind["rulesOf"], empty: MergedKind["empty"]): MergedKind => ({
  group: KUADRANT_GROUP,
  kind,
  targets: (policy) => {
    const target = targetOf(policy);
    return target && target.group === GATEWAY_API_GROUP ? [target] : [];
  },
  rulesOf,
  empty,
});

/** A policy's rules of one kind (`authentication`, `limits`) by name. */
export const rulesOfKind = (rules: ReadonlyMap<string, unknown>, kind: string): Map<string, unknown> =>
  new Map([...rules].filter(([key]) => key.startsWith(`${kind}#`)).map(([key, rule]) => [key.slice(kind.length + 1), rule]));

/** A policy's own conditions (`conditions#`), none where it sets none. */
export const conditionsIn = (rules: ReadonlyMap<string, unknown>): readonly unknown[] =>
  (rules.get("conditions#") as unknown[] | undefined) ?? [];

/** The rules that apply to a route and the policies they come from, with how each is written. */
interface Governing {
  readonly rules: ReadonlyMap<string, unknown>;
  readonly sources: ReadonlyMap<Resource, SectionMode>;
}

const NOTHING: Governing = { rules: new Map(), sources: new Map() };

/** Nothing governs: no policy of the kind reaches the route. */
const ungoverned = (governing: Governing): boolean => governing.sources.size === 0;

interface Sourced {
  readonly rule: unknown;
  readonly policy: Resource;
}

const rulesOnly = (rules: ReadonlyMap<string, Sourced>): Map<string, unknown> => new Map([...rules].map(([key, { rule }]) => [key, rule]));

/** A broader policy merged into what the narrower ones made (merge_strategies.go). */
function mergedWith(narrower: ReadonlyMap<string, Sourced> | undefined, broader: Resource, kind: MergedKind): ReadonlyMap<string, Sourced> {
  const own = new Map([...kind.rulesOf(broader)].map(([key, rule]) => [key, { rule, policy: broader }]));
  if (!narrower) return own;
  const section = sectionOf(broader);
  const merge = text(section.fields.strategy) === "merge";
  if (section.mode === "defaults") return merge ? new Map([...own, ...narrower]) : kind.empty(rulesOnly(narrower)) ? own : narrower;
  return merge ? new Map([...narrower, ...own]) : own;
}

/**
 * What governs a route (or one of its rules) through one parent Gateway, or with none, the route's
 * own policies alone. Undefined where the tree does not tell (policiesOnTheWayIn).
 */
function governing(tree: ManifestSet, kind: MergedKind, route: Named, parent: Named | undefined): Governing | undefined {
  const policies = policiesOnTheWayIn(tree, kind, route, parent);
  if (!policies) return undefined;
  let merged: ReadonlyMap<string, Sourced> | undefined;
  for (const policy of policies) merged = mergedWith(merged, policy, kind);
  if (!merged) return NOTHING;
  // Rules come from these; where none sets any, the narrowest still governs (it stands in the way of defaults above it).
  const from = merged.size > 0 ? [...merged.values()].map(({ policy }) => policy) : policies.slice(0, 1);
  return { rules: rulesOnly(merged), sources: new Map(from.map((policy) => [policy, sectionOf(policy).mode])) };
}

/** A Gateway API route (HTTPRoute, GRPCRoute) or one of its rules: what a policy governs on a request's way in. */
export const isRoute = (target: PolicyTarget | undefined): boolean =>
  target !== undefined && target.kind !== "Gateway" && target.group === GATEWAY_API_GROUP;

/** Where findings go: a detection list, or one that says first how the policy came to the route. */
export interface Out {
  add(draft: DetectionDraft): void;
}

/** Runs `judge` into `out`, each summary after `title` where one is given; whether it said anything. */
function said(out: Out, title: string | undefined, judge: (into: Out) => void): boolean {
  let any = false;
  judge({
    add: (draft) => {
      any = true;
      out.add(title ? { ...draft, summary: `${title}: ${draft.summary}` } : draft);
    },
  });
  return any;
}

/** One route a changed policy names, or governs through its Gateway, on either side, as it was governed and is. */
interface RouteComparison {
  readonly route: PolicyTarget;
  readonly was: Governing;
  readonly now: Governing;
  /** Where the route has several parent Gateways: ` through Gateway infra/public`; for a Gateway's policy, always. */
  readonly via: string;
  /** The policy judged targets the route's Gateway (or listener), not the route. */
  readonly throughGateway?: true;
}

/** The policy as written governs the route on a side where it names it, nothing otherwise. */
const asWritten = (policy: Resource | undefined, route: PolicyTarget, kind: MergedKind): Governing =>
  policy && sameTarget(targetOf(policy), route)
    ? { rules: kind.rulesOf(policy), sources: new Map([[policy, sectionOf(policy).mode]]) }
    : NOTHING;

/** Gateway API's route kinds a Kuadrant policy governs. */
const ROUTE_KINDS = ["HTTPRoute", "GRPCRoute"];

/** The objects a policy names on either side that `keep` keeps, each once. */
const targetsOfEither = (change: ResourceChange, keep: (target: PolicyTarget) => boolean): PolicyTarget[] =>
  [targetOf(change.base), targetOf(change.head)].filter(
    (target, index, all): target is PolicyTarget =>
      target !== undefined && keep(target) && !all.slice(0, index).some((other) => sameTarget(other, target)),
  );

/**
 * The routes of the trees attached to a Gateway (to its listener `gateway.section`), each with the
 * parent it names and each of its rules some policy of `kind` names (those rules are governed apart).
 */
function routesUnder(trees: readonly ManifestSet[], kind: MergedKind, gateway: PolicyTarget): { route: PolicyTarget; parent: Named }[] {
  const found = new Map<string, { route: PolicyTarget; parent: Named }>();
  for (const tree of trees)
    for (const routeKind of ROUTE_KINDS)
      for (const object of resourcesOfKind(tree, routeKind)) {
        if (object.id.group !== GATEWAY_API_GROUP) continue;
        const whole: PolicyTarget = { group: GATEWAY_API_GROUP, kind: routeKind, namespace: object.id.namespace, name: object.id.name };
        const parent = parentGatewaysOf(object).find(
          (candidate) =>
            candidate.namespace === gateway.namespace &&
            candidate.name === gateway.name &&
            (gateway.section === undefined || candidate.section === gateway.section),
        );
        if (!parent) continue;
        const rules = list(spec(object).rules).flatMap((rule) => text(record(rule).name) ?? []);
        const sections = rules.filter((section) => trees.some((one) => policiesNaming(one, kind, { ...whole, section }).length > 0));
        for (const route of [whole, ...sections.map((section) => ({ ...whole, section }))])
          found.set(`${targetName(route)} ${gatewayName(parent)}`, { route, parent });
      }
  return [...found.values()];
}

/**
 * The routes of a Gateway's (or listener's) policy that other policies govern too, each compared
 * as it was governed before and after: a route with its own policy is where a Gateway's defaults
 * changed nothing and its overrides replaced the route's own. A route the policy alone governs on
 * both sides is judged by the policy as written; one the tree does not tell how, too.
 */
function routesThroughGateway(change: ResourceChange, context: DetectorContext, kind: MergedKind): RouteComparison[] {
  const own = (change.head ?? change.base)!;
  const gateways = targetsOfEither(change, (target) => target.kind === "Gateway" && target.group === GATEWAY_API_GROUP);
  return gateways.flatMap((gateway) =>
    routesUnder([context.base, context.head], kind, gateway).flatMap(({ route, parent }) => {
      const [was, now] = [governing(context.base, kind, route, parent), governing(context.head, kind, route, parent)];
      if (!was || !now) return [];
      const comparison = { route, was, now, via: ` through ${gatewayName(parent)}`, throughGateway: true as const };
      return otherSources(comparison, own).length > 0 ? [comparison] : [];
    }),
  );
}

/**
 * The routes a policy names on either side, each compared per parent Gateway as it was governed
 * before and after, the policy as written where the tree does not tell; and the routes a Gateway's
 * policy governs beside other policies (routesThroughGateway).
 */
function governedRoutes(change: ResourceChange, context: DetectorContext, kind: MergedKind): RouteComparison[] {
  const routes = targetsOfEither(change, isRoute);
  return [
    ...routes.flatMap((route) => {
      const whole: Named = { kind: route.kind, namespace: route.namespace, name: route.name };
      const parents = new Map(
        [...parentGateways(context.base, whole), ...parentGateways(context.head, whole)].map((parent) => [gatewayName(parent), parent]),
      );
      return (parents.size === 0 ? [undefined] : [...parents.values()]).map((parent) => {
        const [was, now] = [governing(context.base, kind, route, parent), governing(context.head, kind, route, parent)];
        const via = parent && parents.size > 1 ? ` through ${gatewayName(parent)}` : "";
        return was && now
          ? { route, was, now, via }
          : { route, was: asWritten(change.base, route, kind), now: asWritten(change.head, route, kind), via };
      });
    }),
    ...routesThroughGateway(change, context, kind),
  ];
}

/** The policies other than the one judged that govern the route on either side: `the defaults of AuthPolicy infra/gw-auth`. */
function otherSources(comparison: RouteComparison, own: Resource): string[] {
  const named = new Map<string, string>();
  for (const sources of [comparison.was.sources, comparison.now.sources])
    for (const [policy, mode] of sources)
      if (displayName(policy.id) !== displayName(own.id)) named.set(displayName(policy.id), `the ${mode} of ${displayName(policy.id)}`);
  return [...named.values()];
}

/**
 * What the findings say first: how the policy came to or left the route (`added for`, `removed`,
 * `targetRef moved to …`), and under which other policies the route stands, where any does;
 * nothing for a policy kept on the route that governs it alone.
 */
function routeChangeTitle(change: ResourceChange, comparison: RouteComparison, context: DetectorContext): string | undefined {
  const own = (change.head ?? change.base)!;
  const reach = `${describeTarget(context.head, comparison.route)}${comparison.via}`;
  if (comparison.throughGateway) return `for ${reach}, with ${otherSources(comparison, own).join(" and ")}`;
  const [before, after] = [sameTarget(targetOf(change.base), comparison.route), sameTarget(targetOf(change.head), comparison.route)];
  const how =
    before && after
      ? reach
      : after
        ? `${change.base ? "now targets" : "added for"} ${reach}`
        : change.head
          ? `targetRef moved to ${describeTarget(context.head, targetOf(change.head))}: ${reach}`
          : `removed: ${reach}`;
  const others = otherSources(comparison, own);
  if (others.length > 0) return `${how}, under ${others.join(" and ")}`;
  return before && after ? undefined : how;
}

/** How a kind judges what governs a route, or a Gateway: its rules read, lost, gained and compared. */
export interface PolicyJudge<T> {
  readonly read: (rules: ReadonlyMap<string, unknown>, path: FieldPath) => T;
  readonly lost: (out: Out, title: string, was: T, side: "base" | "head") => void;
  readonly gained: (out: Out, title: string, now: T) => void;
  readonly compared: (was: T, now: T, out: Out, reach: string) => void;
  /** A Gateway's policy turned from `overrides` to `defaults` or back (`was` and `now` differ), written at `path`. */
  readonly modeChanged: (was: SectionMode, now: SectionMode, out: Out, path: FieldPath, reach: string) => void;
  /** What the finding says of a policy that came to or left the route where what governs it stays the same. */
  readonly unchanged: string;
}

/** A policy's rules as written, read as the kind judges them. */
const written = <T>(kind: MergedKind, judge: PolicyJudge<T>, policy: Resource): T =>
  judge.read(kind.rulesOf(policy), sectionOf(policy).path);

/** A policy of a Gateway (or listener) that comes or goes: judged as written, for what it gives routes without their own. */
const attachmentCheck =
  <T>(kind: MergedKind, judge: PolicyJudge<T>): Check =>
  (change, out, context) => {
    const [was, now] = [targetOf(change.base), targetOf(change.head)];
    if (change.base && change.head && sameTarget(was, now)) return;
    if (change.base && !isRoute(was))
      judge.lost(
        out,
        `${change.head ? `targetRef moved to ${describeTarget(context.head, now)}` : "removed"}: ${describeTarget(context.base, was)}`,
        written(kind, judge, change.base),
        change.head ? "head" : "base",
      );
    if (change.head && !isRoute(now))
      judge.gained(
        out,
        `${change.base ? "now targets" : "added for"} ${describeTarget(context.head, now)}`,
        written(kind, judge, change.head),
      );
  };

/** A Gateway's (or listener's) policy kept on it, judged as written. */
const keptCheck =
  <T>(kind: MergedKind, judge: PolicyJudge<T>): Check =>
  (change, out, context) => {
    if (!change.base || !change.head) return;
    const target = targetOf(change.head);
    if (isRoute(target) || !sameTarget(targetOf(change.base), target)) return;
    const reach = describeTarget(context.head, target);
    judge.compared(written(kind, judge, change.base), written(kind, judge, change.head), out, reach);
    const [was, now] = [sectionOf(change.base), sectionOf(change.head)];
    if (was.mode !== now.mode && target?.kind === "Gateway") judge.modeChanged(was.mode, now.mode, out, now.path, reach);
  };

/**
 * A route's policy added, removed, moved or changed, judged on what governs the route before and
 * after as Kuadrant merges the policies on its way in: a route policy added under a Gateway's
 * defaults replaces them, one removed or changed under the Gateway's overrides changes nothing.
 */
const governedRoutesCheck =
  <T>(kind: MergedKind, judge: PolicyJudge<T>): Check =>
  (change, out, context) => {
    const [basePath, headPath] = [sectionOf(change.base ?? change.head).path, sectionOf(change.head ?? change.base).path];
    for (const comparison of governedRoutes(change, context, kind)) {
      const title = routeChangeTitle(change, comparison, context);
      const reach = title ? "the route" : `${describeTarget(context.head, comparison.route)}${comparison.via}`;
      const [was, now] = [judge.read(comparison.was.rules, basePath), judge.read(comparison.now.rules, headPath)];
      if (ungoverned(comparison.now)) judge.lost(out, title ?? reach, was, change.head ? "head" : "base");
      else if (ungoverned(comparison.was)) judge.gained(out, title ?? reach, now);
      // Through its Gateway, what the policy as written gives its routes is said already.
      else if (!said(out, title, (into) => judge.compared(was, now, into, reach)) && title && !comparison.throughGateway)
        out.add({
          class: "resource.changed",
          summary: `${title}: ${judge.unchanged}`,
          side: change.head ? "head" : "base",
          path: ["spec"],
        });
    }
  };

/**
 * The checks of a kind of Kuadrant policy: a Gateway's (or listener's) policy that comes, goes or
 * is kept judged as written, and a route's on what governs the route (governedRoutesCheck).
 */
export const kuadrantPolicyChecks = <T>(kind: MergedKind, judge: PolicyJudge<T>): readonly Check[] => [
  attachmentCheck(kind, judge),
  keptCheck(kind, judge),
  governedRoutesCheck(kind, judge),
];
