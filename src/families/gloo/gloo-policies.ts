import { flag, list, numeric, record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import type { RiskLevel } from "../../core/risk-level.js";
import {
  durationMs,
  formatDuration,
  sameValue,
  setChange,
  show,
  showSetChange,
  sortedSet,
  timeoutLimitMs,
} from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import {
  config,
  describeDestinations,
  describeRoutes,
  destinationSelectors,
  destinationsOverlap,
  routeSelectors,
  selectsDestination,
} from "./gloo-selectors.js";
import { routeId, routeLabel, selectedRoutes, selectsRoute, type RouteOfTable } from "./route-selection.js";
import { MUTATING_METHODS, reportMirrorIncreases } from "../../core/mirror-changes.js";
import { reportRetryIncreases, reportShorterTimeout, retryConditions } from "../../core/retry-changes.js";
import { listedNames } from "../../core/removed-while-named.js";
import { FAULT_KINDS, reportFaultIncreases, type Fault, type FaultKind } from "../../core/fault-changes.js";

/**
 * Gloo Platform resilience and traffic-control policies (research §1.4). A policy applies to the
 * destinations or routes its selectors name (empty: the whole workspace), so every summary says
 * which. An added policy is compared with Gloo's defaults; a removed one falls back to them.
 */

// ---------------------------------------------------------------------------------------------
// FailoverPolicy

const locality = (value: unknown): string =>
  ["region", "zone", "subZone"]
    .map((field) => text(record(value)[field]) ?? "")
    .filter(Boolean)
    .join("/") || "*";

/** Locality mappings as `from → to(weight)` lines, order-free; priority labels keep their order (it is the priority). */
const failoverView = (resource: Resource | undefined) => {
  const current = config(resource);
  return {
    localityMappings: sortedSet(
      list(current.localityMappings).map((mapping) => {
        const targets = list(record(mapping).to).map((to) => {
          const weight = numeric(record(to).weight);
          return `${locality(to)}${weight === undefined ? "" : `(${weight})`}`;
        });
        return `${locality(record(mapping).from)} → ${sortedSet(targets).join(", ")}`;
      }),
    ),
    priorityLabels: list(record(current.priorityLabels).labels).map((label) => show(label)),
  };
};

export const failoverPolicy = (change: ResourceChange, out: DetectionList): void => {
  const targets = describeDestinations(spec(change.head ?? change.base).applyToDestinations);
  const before = change.base ? failoverView(change.base) : undefined;
  const after = change.head ? failoverView(change.head) : undefined;
  if (!before || !after) {
    const view = (after ?? before) as ReturnType<typeof failoverView>;
    const described =
      view.priorityLabels.length > 0
        ? `priority labels ${show(view.priorityLabels)}`
        : view.localityMappings.length > 0
          ? view.localityMappings.join("; ")
          : "locality failover without mappings";
    out.add({
      class: "failover.changed",
      summary: after
        ? `added for ${targets}: ${described}`
        : `removed for ${targets} (${described}): VirtualDestinations forward to any backing service at random, local or remote, instead of preferring their locality`,
      side: after ? "head" : "base",
      path: after ? ["spec", "config"] : [],
      before,
      after,
    });
    return;
  }
  const selectorsBefore = destinationSelectors(spec(change.base).applyToDestinations);
  const selectorsAfter = destinationSelectors(spec(change.head).applyToDestinations);
  if (!sameValue(selectorsBefore, selectorsAfter)) {
    out.add({
      class: "failover.changed",
      summary: `applyToDestinations ${describeDestinations(spec(change.base).applyToDestinations)} → ${targets}: failover now governs other destinations`,
      side: "head",
      path: ["spec", "applyToDestinations"],
      before: selectorsBefore,
      after: selectorsAfter,
    });
  }
  const mappings = setChange(before.localityMappings, after.localityMappings);
  if (mappings.added.length > 0 || mappings.removed.length > 0) {
    out.add({
      class: "failover.changed",
      summary: `for ${targets}: localityMappings ${showSetChange(mappings).join("; ")}: where traffic goes when its locality fails changes`,
      side: "head",
      path: ["spec", "config", "localityMappings"],
      before: before.localityMappings,
      after: after.localityMappings,
    });
  }
  if (!sameValue(before.priorityLabels, after.priorityLabels)) {
    out.add({
      class: "failover.changed",
      summary: `for ${targets}: priorityLabels ${show(before.priorityLabels)} → ${show(after.priorityLabels)}: the order in which other localities take over changes`,
      side: "head",
      path: ["spec", "config", "priorityLabels"],
      before: before.priorityLabels,
      after: after.priorityLabels,
    });
  }
};

// ---------------------------------------------------------------------------------------------
// OutlierDetectionPolicy

/** outlier_detection_policy.proto defaults; proto3 zero means unset. */
const ejection = (resource: Resource | undefined) => {
  const current = config(resource);
  const positive = (value: unknown) => (numeric(value) ? numeric(value) : undefined);
  return {
    consecutiveErrors: positive(current.consecutiveErrors) ?? 5,
    intervalMs: durationMs(current.interval) || 10_000,
    baseEjectionTimeMs: durationMs(current.baseEjectionTime) || 30_000,
    maxEjectionPercent: positive(current.maxEjectionPercent) ?? 100,
  };
};

const showEjection = (view: ReturnType<typeof ejection>) => ({
  consecutiveErrors: view.consecutiveErrors,
  interval: formatDuration(view.intervalMs),
  baseEjectionTime: formatDuration(view.baseEjectionTimeMs),
  maxEjectionPercent: view.maxEjectionPercent,
});

/** FailoverPolicies of the head tree whose destinations overlap these: they rely on ejection to fail over. */
const failoverRelyingOn = (policy: Resource, context: DetectorContext): Resource[] =>
  resourcesOfKind(context.head, "FailoverPolicy").filter(
    (candidate) =>
      candidate.id.group === policy.id.group && destinationsOverlap(spec(candidate).applyToDestinations, spec(policy).applyToDestinations),
  );

export const outlierDetectionPolicy = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const subject = (change.head ?? change.base) as Resource;
  const targets = describeDestinations(spec(subject).applyToDestinations);
  if (change.base && !change.head) {
    const failovers = failoverRelyingOn(change.base, context);
    out.add({
      class: failovers.length > 0 ? "failover.changed" : "health.changed",
      summary:
        failovers.length > 0
          ? `removed while ${failovers.map((policy) => `FailoverPolicy ${policy.id.namespace}/${policy.id.name}`).join(", ")} applies to the same destinations (${targets}): failing backends are no longer ejected, so failover is no longer triggered`
          : `removed for ${targets}: backends returning 5xx are no longer ejected`,
      side: "base",
      path: [],
      before: showEjection(ejection(change.base)),
    });
    return;
  }
  const was = ejection(change.base);
  const now = ejection(change.head);
  const loosened = [
    now.consecutiveErrors > was.consecutiveErrors ? `consecutiveErrors ${was.consecutiveErrors} → ${now.consecutiveErrors}` : "",
    now.intervalMs > was.intervalMs ? `interval ${formatDuration(was.intervalMs)} → ${formatDuration(now.intervalMs)}` : "",
    now.baseEjectionTimeMs < was.baseEjectionTimeMs
      ? `baseEjectionTime ${formatDuration(was.baseEjectionTimeMs)} → ${formatDuration(now.baseEjectionTimeMs)}`
      : "",
    now.maxEjectionPercent < was.maxEjectionPercent ? `maxEjectionPercent ${was.maxEjectionPercent} → ${now.maxEjectionPercent}` : "",
  ].filter(Boolean);
  const selectorsChanged =
    change.base !== undefined &&
    !sameValue(destinationSelectors(spec(change.base).applyToDestinations), destinationSelectors(spec(change.head).applyToDestinations));
  if (change.base && (loosened.length > 0 || selectorsChanged)) {
    out.add({
      class: "health.changed",
      summary: `for ${targets}: ${[
        ...(selectorsChanged ? [`applyToDestinations ${describeDestinations(spec(change.base).applyToDestinations)} → ${targets}`] : []),
        ...loosened,
      ].join(
        ", ",
      )}: ${loosened.length > 0 ? "failing backends are ejected later, more briefly or fewer at once, so failover starts later" : "ejection now applies to other destinations"}`,
      side: "head",
      path: ["spec", selectorsChanged ? "applyToDestinations" : "config"],
      before: showEjection(was),
      after: showEjection(now),
    });
  } else if (!sameValue(showEjection(was), showEjection(now)) || !change.base) {
    out.add({
      class: "resource.changed",
      summary: `for ${targets}: ${change.base ? "ejection tightened" : "added"} (${show(showEjection(now))}): backends returning 5xx are ejected sooner`,
      side: "head",
      path: ["spec", "config"],
      before: change.base ? showEjection(was) : undefined,
      after: showEjection(now),
      riskFloor: "medium",
    });
  }
};

// ---------------------------------------------------------------------------------------------
// RetryTimeoutPolicy

/** retry_timeout_policy.proto: 2 retries by default, no request timeout. */
const retryView = (resource: Resource | undefined) => {
  const retries = record(config(resource).retries);
  return {
    attempts: numeric(retries.attempts) ?? 2,
    retryOn: retryConditions(text(retries.retryOn) ?? ""),
    retryRemoteLocalities: flag(retries.retryRemoteLocalities) ?? false,
    perTryTimeoutMs: timeoutLimitMs(retries.perTryTimeout),
    requestTimeoutMs: timeoutLimitMs(config(resource).requestTimeout),
  };
};

export const retryTimeoutPolicy = (change: ResourceChange, out: DetectionList): void => {
  if (!change.head) return;
  const routes = describeRoutes(spec(change.head).applyToRoutes);
  const was = retryView(change.base);
  const now = retryView(change.head);
  const path = ["spec", "config", "retries"];
  reportRetryIncreases(out, was, now, {
    subject: `for ${routes}`,
    path,
    field: (name) => (name === "attempts" ? "retries.attempts" : name),
    defaulted: change.base ? "" : " (default)",
  });
  for (const [field, at, label] of [
    ["requestTimeoutMs", ["spec", "config", "requestTimeout"], "requestTimeout"],
    ["perTryTimeoutMs", [...path, "perTryTimeout"], "retries.perTryTimeout"],
  ] as const) {
    reportShorterTimeout(out, `for ${routes}`, label, at, was[field], now[field]);
  }
  if (change.base && !sameValue(routeSelectors(spec(change.base).applyToRoutes), routeSelectors(spec(change.head).applyToRoutes))) {
    out.add({
      class: "resource.changed",
      summary: `applyToRoutes ${describeRoutes(spec(change.base).applyToRoutes)} → ${routes}: these retries and timeouts now apply to other routes`,
      side: "head",
      path: ["spec", "applyToRoutes"],
      before: routeSelectors(spec(change.base).applyToRoutes),
      after: routeSelectors(spec(change.head).applyToRoutes),
      riskFloor: "medium-high",
    });
  }
};

// ---------------------------------------------------------------------------------------------
// MirrorPolicy

const routeTakesWrites = (route: JsonRecord): boolean => {
  const matchers = list(route.matchers);
  return (
    matchers.length === 0 ||
    matchers.some((matcher) => {
      const method = text(record(matcher).method)?.toUpperCase();
      return method === undefined || method === "" || MUTATING_METHODS.includes(method);
    })
  );
};

/** Why the mirrored routes can carry writes; routes not found in the tree are assumed to. */
const mirroredWrites = (policy: Resource, context: DetectorContext): string | undefined => {
  const selected = selectedRoutes(policy, context.head, "all");
  if (selected.length === 0) return "the selected routes are not in this repository, so they are assumed to take writes";
  const writing = selected.filter((route) => routeTakesWrites(route.route));
  if (writing.length === 0) return undefined;
  return `the mirrored routes take writes (${sortedSet(writing.map(({ table, route }) => `${table.id.namespace}/${table.id.name}:${text(route.name) ?? "unnamed"}`)).join(", ")})`;
};

const mirrorOf = (resource: Resource | undefined) => {
  if (!resource) return [];
  const destination = record(config(resource).destination);
  const ref = record(destination.ref);
  const target = `${text(destination.kind) ?? "SERVICE"} ${text(ref.namespace) ?? resource.id.namespace}/${text(ref.name) ?? "?"}${text(ref.cluster) ? `@${text(ref.cluster)}` : ""}`;
  // A mirror to the same target for other routes is a new mirror of those routes.
  return [
    {
      target: `${target} for ${describeRoutes(spec(resource).applyToRoutes)}`,
      percent: numeric(config(resource).percentage) ?? 100,
      path: ["spec", "config"],
    },
  ];
};

export const mirrorPolicy = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.head) return;
  reportMirrorIncreases(
    out,
    { label: "mirror", writes: mirroredWrites(change.head, context), mirrors: mirrorOf(change.head) },
    mirrorOf(change.base),
    "traffic",
  );
};

// ---------------------------------------------------------------------------------------------
// FaultInjectionPolicy

/** A fault written without `percentage` hits every request. */
const faultOf = (resource: Resource | undefined, kind: FaultKind): Fault => {
  const fault = config(resource)[kind];
  return { share: fault === undefined ? 0 : (numeric(record(fault).percentage) ?? 100), fault };
};

/**
 * Faults that reach more requests (fault.injected): Gloo applies them to every request of the
 * routes it selects, so the same faults on routes its `applyToRoutes` did not select before (an
 * emptied selector selects every route) are injected there too.
 */
export const faultInjectionPolicy = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.head) return;
  const subject = `for ${describeRoutes(spec(change.head).applyToRoutes)}`;
  reportFaultIncreases(out, { subject, path: ["spec", "config"], requests: "requests" }, (side, kind) => faultOf(change[side], kind));
  const injected = FAULT_KINDS.filter((kind) => faultOf(change.head, kind).share > 0);
  if (!change.base || injected.length === 0) return;
  const before = new Set(selectedRoutes(change.base, context.base, "none").map(routeId));
  const gained = selectedRoutes(change.head, context.head, "none").filter((route) => !before.has(routeId(route)));
  if (gained.length === 0) return;
  const faults = injected.map((kind) => `${kind} on ${faultOf(change.head, kind).share}%`).join(", ");
  out.add({
    class: "fault.injected",
    summary: `${subject}: now also selects ${listedNames(sortedSet(gained.map(routeLabel)))}: its faults (${faults} of requests) are injected into their requests; real users get the injected failures`,
    side: "head",
    path: ["spec", "applyToRoutes"],
    before: null,
    after: sortedSet(gained.map(routeId)),
  });
};

// ---------------------------------------------------------------------------------------------
// Route labels and the policies they attach

/** What each route policy does to a route it comes to select, and to one it stops selecting. */
const ROUTE_POLICIES: Readonly<
  Record<string, { readonly gained: ChangeClassId; readonly effect: string; readonly lost: string; readonly lostFloor?: RiskLevel }>
> = {
  FaultInjectionPolicy: {
    gained: "fault.injected",
    effect: "its faults are injected into the route's requests",
    lost: "its faults are no longer injected",
  },
  MirrorPolicy: { gained: "mirror.changed", effect: "the route's requests are mirrored", lost: "the route is no longer mirrored" },
  RetryTimeoutPolicy: {
    gained: "retry-timeout.changed",
    effect: "its retries and timeouts apply to the route",
    lost: "the route falls back to Gloo's default retries and timeouts",
    lostFloor: "medium",
  },
};

interface SelectionVerdict {
  readonly class: ChangeClassId;
  readonly effect: string;
  readonly riskFloor?: RiskLevel;
}

/** A tree's FailoverPolicies that select this destination. */
const failoversOf = (destination: Resource, tree: ManifestSet): Resource[] =>
  selectingPolicies(tree).filter(
    (policy) => policy.id.kind === "FailoverPolicy" && selectsDestination(spec(policy).applyToDestinations, destination),
  );

/** What each destination policy does to a destination it comes to select (`selected`), and to one it stops selecting. */
const DESTINATION_POLICIES: Readonly<
  Record<string, (selected: boolean, destination: Resource, context: DetectorContext) => SelectionVerdict>
> = {
  FailoverPolicy: (selected) => ({
    class: "failover.changed",
    effect: selected
      ? "its locality mappings now decide where the destination's traffic goes when its locality fails"
      : "the destination forwards to any backing service at random, local or remote, instead of preferring its locality",
  }),
  OutlierDetectionPolicy: (selected, destination, context) => {
    if (selected) return { class: "resource.changed", effect: "backends returning 5xx are ejected", riskFloor: "medium" };
    // Gloo fails over only from backends outlier detection ejects.
    const failovers = failoversOf(destination, context.head);
    return failovers.length > 0
      ? {
          class: "failover.changed",
          effect: `failing backends are no longer ejected, so ${failovers.map((policy) => `FailoverPolicy ${policy.id.namespace}/${policy.id.name}`).join(", ")}, which still applies, is no longer triggered`,
        }
      : { class: "health.changed", effect: "backends returning 5xx are no longer ejected" };
  },
};

/** A tree's policies that select routes or destinations by label, found once a tree: every relabelled RouteTable or destination of a PR asks. */
const selectingOf = new WeakMap<ManifestSet, readonly Resource[]>();
const selectingPolicies = (set: ManifestSet): readonly Resource[] => {
  let policies = selectingOf.get(set);
  if (!policies) {
    policies = [...set.resources.values()].filter(
      (resource) =>
        resource.family === "gloo" && (ROUTE_POLICIES[resource.id.kind] ?? DESTINATION_POLICIES[resource.id.kind]) !== undefined,
    );
    selectingOf.set(set, policies);
  }
  return policies;
};

const selects = (policy: Resource, route: Pick<RouteOfTable, "table" | "route">): boolean => {
  const selectors = list(spec(policy).applyToRoutes).map(record);
  return selectors.length > 0 && selectors.some((selector) => selectsRoute(selector, route));
};

/**
 * A route's (or its table's) labels edited so that a policy selecting routes by label, left alone
 * by the PR, now applies to it or no longer does: a relabel attaches fault injection, mirroring or
 * retries and timeouts without touching the policy (whose own edits its check judges). Routes are
 * paired by name.
 */
export const routeLabelPolicies = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head) return;
  const [base, head] = [change.base, change.head];
  const named = (table: Resource) =>
    new Map(
      list(spec(table).http).flatMap((item, index) => {
        const route = record(item);
        const name = text(route.name);
        return name === undefined ? [] : [[name, { route, index }] as const];
      }),
    );
  const before = named(base);
  const policies = selectingPolicies(context.head).filter(
    (policy) => ROUTE_POLICIES[policy.id.kind] !== undefined && context.base.resources.get(policy.key) === policy,
  );
  if (policies.length === 0) return;
  for (const [name, { route, index }] of named(head)) {
    const earlier = before.get(name);
    if (!earlier || (sameValue(earlier.route.labels, route.labels) && sameValue(base.labels, head.labels))) continue;
    for (const policy of policies) {
      const was = selects(policy, { table: base, route: earlier.route });
      const now = selects(policy, { table: head, route });
      if (was === now) continue;
      const kind = ROUTE_POLICIES[policy.id.kind]!;
      const subject = `${policy.id.kind} ${policy.id.namespace}/${policy.id.name}`;
      out.add({
        class: now ? kind.gained : "resource.changed",
        summary: `http route ${name}: labels ${show(stringMap(earlier.route.labels))} → ${show(stringMap(route.labels))}: ${subject} ${now ? `now selects it: ${kind.effect}` : `no longer selects it: ${kind.lost}`}`,
        side: "head",
        path: ["spec", "http", index, "labels"],
        before: stringMap(earlier.route.labels),
        after: stringMap(route.labels),
        ...(!now && kind.lostFloor ? { riskFloor: kind.lostFloor } : {}),
      });
    }
  }
};

/**
 * A VirtualDestination's or ExternalService's labels edited so that a FailoverPolicy or
 * OutlierDetectionPolicy whose selectors the PR leaves alone now applies to it or no longer does:
 * a relabel turns failover or ejection on or off without touching the policy (whose selector edits
 * its own check judges).
 */
export const destinationLabelPolicies = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head || sameValue(change.base.labels, change.head.labels)) return;
  const [base, head] = [change.base, change.head];
  for (const policy of selectingPolicies(context.head)) {
    const verdictOf = DESTINATION_POLICIES[policy.id.kind];
    const earlier = context.base.resources.get(policy.key);
    const selectors = spec(policy).applyToDestinations;
    if (!verdictOf || !earlier || !sameValue(destinationSelectors(spec(earlier).applyToDestinations), destinationSelectors(selectors)))
      continue;
    const now = selectsDestination(selectors, head);
    if (selectsDestination(selectors, base) === now) continue;
    const verdict = verdictOf(now, head, context);
    out.add({
      class: verdict.class,
      summary: `labels ${show(base.labels)} → ${show(head.labels)}: ${policy.id.kind} ${policy.id.namespace}/${policy.id.name} ${now ? "now selects it" : "no longer selects it"}: ${verdict.effect}`,
      side: "head",
      path: ["metadata", "labels"],
      before: base.labels,
      after: head.labels,
      ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
    });
  }
};
