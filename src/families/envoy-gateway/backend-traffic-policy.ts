import { byKind, type Check } from "../../core/by-kind.js";
import { canonical, sameValue, show } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";
import type { DetectionList } from "../../core/detection-list.js";
import { isRecord, list, numeric, optionalRecord, record, spec, text, valueAt, type JsonRecord } from "../../core/json-access.js";
import { mergePatch } from "../../core/merge-patch.js";
import type { ResourceChange } from "../../core/resource-change.js";
import {
  ENVOY_ROUTE_TIMEOUT_MS,
  reportRetryIncreases,
  reportShorterTimeout,
  timeoutChange,
  type RetryPolicy,
} from "../../core/retry-changes.js";
import { reportFaultIncreases, type Fault, type FaultKind } from "../../core/fault-changes.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP, reachesAlike, targetNames, targetsOf, type Target } from "./policy-targets.js";
import { gatewayName, parentGateways, policiesOnTheWayIn, type Named } from "../../core/policy-hierarchy.js";
import { envoyGatewayPolicies } from "./policy-hierarchy.js";
import { GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";

/**
 * Envoy Gateway's BackendTrafficPolicy: how the proxies of its targets (Gateways, routes) talk to
 * backends — retries, timeouts, active and passive health checks, circuit breakers, fault
 * injection, load balancing. Judged against Envoy Gateway's defaults where a setting is absent
 * (no retries, no request timeout, no health checks). A route named as a target is judged on what
 * applies to it, as Envoy Gateway applies it: the most specific policy, so a route's own policy
 * without `mergeType` replaces its Gateway's (a route policy added for compression alone took the
 * Gateway's passive health checks and disabled request timeout from the route), and one with it
 * is merged over the Gateway's. Other targets are judged on the policy as written. A policy deleted
 * is every setting removed from its targets, less what their Gateway's policy gives them again.
 * Other settings (compression, DNS, proxy protocol) are left to the generic field diff.
 */

/** What one target gets from the policies at base and at head (a spec; undefined where none applies), and how to name it. */
interface Applied {
  readonly base?: JsonRecord;
  readonly head?: JsonRecord;
  /** `for HTTPRoute shop/web`, and where its settings come from when another policy gives them. */
  readonly scope: string;
}

/** One setting's judgement of what a target got and gets. */
type SettingCheck = (applied: Applied, out: DetectionList) => void;

/** Without `retry`, Envoy Gateway does not retry; with it, twice unless numRetries says otherwise. */
function retryView(settings: JsonRecord | undefined): RetryPolicy & { configured: boolean } {
  const retry = optionalRecord(settings?.retry);
  const retryOn = record(retry?.retryOn);
  return {
    attempts: retry ? (numeric(retry.numRetries) ?? 2) : 0,
    retryOn: [...list(retryOn.triggers).flatMap((t) => text(t) ?? []), ...list(retryOn.httpStatusCodes).map((code) => show(code))],
    retryRemoteLocalities: false,
    configured: retry !== undefined,
  };
}

const retries: SettingCheck = (applied, out) => {
  if (!applied.head) return;
  const was = retryView(applied.base);
  reportRetryIncreases(out, was, retryView(applied.head), {
    subject: applied.scope,
    path: ["spec", "retry"],
    field: (name) => (name === "attempts" ? "retry.numRetries" : "retry.retryOn"),
    defaulted: was.configured ? "" : " (no retry policy)",
    keys: { attempts: "numRetries" },
  });
};

/**
 * `unset`: what applies where the policy sets none (Envoy Gateway's defaults), so a timeout added under it
 * shortens it and one removed over it may be shortened to it; `defaultIs` says what that is. Paths within the spec.
 */
const TIMEOUTS = [
  {
    label: "timeout.http.requestTimeout",
    path: ["timeout", "http", "requestTimeout"],
    unset: ENVOY_ROUTE_TIMEOUT_MS,
    defaultIs: "the route's own timeout applies, else Envoy's 15s",
  },
  // Envoy Gateway's API: "Default: 10 seconds" (rafaribe/home-ops 7b6a71210 wrote 10s out: no change).
  {
    label: "timeout.tcp.connectTimeout",
    path: ["timeout", "tcp", "connectTimeout"],
    unset: 10_000,
    defaultIs: "Envoy Gateway's default, 10s",
  },
  { label: "retry.perRetry.timeout", path: ["retry", "perRetry", "timeout"] },
] as const;

/** A policy deleted is every timeout it set removed: where its targets remain, the defaults apply to them. */
const timeouts: SettingCheck = (applied, out) => {
  for (const timeout of TIMEOUTS) {
    const { path } = timeout;
    const { wasMs, nowMs, defaulted, wasDefault } = timeoutChange(
      valueAt(applied.base, path),
      valueAt(applied.head, path),
      "unset" in timeout ? timeout.unset : undefined,
    );
    const unset = defaulted ? "unset" : "unset" in timeout && wasDefault ? "unset before" : undefined;
    const label = unset && "defaultIs" in timeout ? `${timeout.label} (${unset}: ${timeout.defaultIs})` : timeout.label;
    reportShorterTimeout(out, applied.scope, label, ["spec", ...path], wasMs, nowMs);
  }
};

/**
 * Health checks (active probes, passive outlier ejection) and circuit breakers decide which
 * endpoints get requests and when requests are refused: any change to them, added or removed, is
 * health.changed (DESIGN §5).
 */
const HEALTH_SETTINGS = [
  { field: "healthCheck", removed: "endpoints are no longer checked: failing ones keep receiving requests" },
  { field: "circuitBreaker", removed: "its connection and request limits are lifted (Envoy's defaults apply)" },
] as const;

/**
 * What Envoy Gateway applies where a setting is unset: its circuit breaker limits (its
 * circuit-breaker task) and Least Request load balancing (its load-balancing concept page).
 * Written out, they are no change.
 */
const DEFAULTS = new Map<string, Readonly<Record<string, unknown>>>([
  ["circuitBreaker", { maxConnections: 1024, maxPendingRequests: 1024, maxParallelRequests: 1024, maxParallelRetries: 1024 }],
  ["loadBalancer", { type: "LeastRequest" }],
]);

/** A setting unset is Envoy Gateway's defaults, as one that writes them out. */
const withDefaults = (field: string, value: unknown): unknown => {
  const defaults = DEFAULTS.get(field);
  return defaults && (value === undefined || isRecord(value)) ? { ...defaults, ...record(value) } : value;
};

const health: SettingCheck = (applied, out) => {
  for (const { field, removed } of HEALTH_SETTINGS) {
    const was = applied.base?.[field];
    const now = applied.head?.[field];
    if (sameValue(withDefaults(field, was), withDefaults(field, now)) || (was === undefined && !applied.head)) continue;
    const gone = now === undefined;
    out.add({
      class: "health.changed",
      summary: `${applied.scope}: ${field} ${was === undefined ? "added" : gone ? "removed" : "changed"}${gone ? `: ${removed}` : ""}`,
      side: gone ? "base" : "head",
      path: ["spec", field],
      before: was ?? null,
      after: now ?? null,
    });
  }
};

/** A fault written without `percentage` hits every request. */
const faultOf = (settings: JsonRecord | undefined, kind: FaultKind): Fault => {
  const fault = optionalRecord(record(settings?.faultInjection)[kind]);
  return { share: fault ? (numeric(fault.percentage) ?? 100) : 0, fault };
};

const faults: SettingCheck = (applied, out) => {
  if (!applied.head) return;
  reportFaultIncreases(out, { subject: applied.scope, path: ["spec", "faultInjection"], requests: "requests" }, (side, kind) =>
    faultOf(applied[side], kind),
  );
};

/**
 * The same settings on other Gateways or routes: where they applied loses them, where they now apply
 * gains them. Targets written otherwise that reach the same objects in the tree move nothing
 * (mchestr/home-cluster 4ada4a8fe3: a selector of `app.kubernetes.io/name: envoy`, which its
 * Kustomization's commonMetadata gives every Gateway of the namespace, rewritten as every Gateway
 * there); where the tree cannot tell what a selector reaches, they are judged as written.
 */
const retargeted: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [targetNames(change.base), targetNames(change.head)];
  if (was === now) return;
  if (reachesAlike(change.base, change.head, context)) return;
  out.add({
    class: "resource.changed",
    summary: `targets ${was} → ${now}: its retries, timeouts, health checks and load balancing now apply elsewhere`,
    side: "head",
    path: ["spec"],
    before: was,
    after: now,
    riskFloor: "medium-high",
  });
};

/** Load balancing decides how requests spread over endpoints and zones (session affinity, zone preference, slow start). */
const loadBalancing: SettingCheck = (applied, out) => {
  const [was, now] = [applied.base?.loadBalancer, applied.head?.loadBalancer];
  if (sameValue(withDefaults("loadBalancer", was), withDefaults("loadBalancer", now))) return;
  const type = (value: unknown) => text(record(value).type) ?? "LeastRequest (default)";
  out.add({
    class: "resource.changed",
    summary: `${applied.scope}: loadBalancer ${type(was)} → ${type(now)}${sameValue(record(was).zoneAware, record(now).zoneAware) ? "" : ", zone preference changed"}: requests spread over endpoints differently`,
    side: "head",
    path: ["spec", "loadBalancer"],
    before: was ?? null,
    after: now ?? null,
    riskFloor: "medium",
  });
};

/**
 * Rate limits refuse what exceeds them with 429: lifting one lets every burst and abusive client
 * through to the backends (medium-high), setting or changing one refuses requests that passed (medium).
 * A policy deleted lifts its rate limit from the targets that remain.
 */
const rateLimits: SettingCheck = (applied, out) => {
  if (!applied.base) return;
  const [was, now] = [applied.base.rateLimit, applied.head?.rateLimit];
  if (sameValue(was, now)) return;
  const lifted = now === undefined;
  const raised = !lifted && was !== undefined && onlyRaised(was, now);
  out.add({
    class: "resource.changed",
    summary: `${applied.scope}: rateLimit ${
      was === undefined
        ? "added: requests over its limits are refused (429)"
        : lifted
          ? "removed: requests are no longer limited, bursts and abusive clients reach the backends"
          : raised
            ? "raised: more requests pass before any is refused, so bursts and abusive clients reach the backends"
            : "changed: other requests are refused (429)"
    }`,
    side: lifted ? "base" : "head",
    path: ["spec", "rateLimit"],
    before: was ?? null,
    after: now ?? null,
    riskFloor: lifted || raised ? "medium-high" : "medium",
  });
};

const PER_SECOND: Readonly<Record<string, number>> = { Second: 1, Minute: 60, Hour: 3600, Day: 86_400, Month: 2_592_000, Year: 31_536_000 };

/** Each rule's limit as requests a second, global and local rules in order. */
const limitRates = (rateLimit: unknown): (number | undefined)[] =>
  ["global", "local"].flatMap((scope) =>
    list(record(record(rateLimit)[scope]).rules).map((rule) => {
      const limit = record(record(rule).limit);
      const [requests, per] = [numeric(limit.requests), PER_SECOND[text(limit.unit) ?? ""]];
      return requests === undefined || per === undefined ? undefined : requests / per;
    }),
  );

/** The same rules, matching the same requests, each allowing as many or more: a limit only loosened. */
function onlyRaised(was: unknown, now: unknown): boolean {
  const withoutLimits = (value: unknown) =>
    canonical(
      Object.fromEntries(
        ["global", "local"].map((scope) => [
          scope,
          list(record(record(value)[scope]).rules).map((rule) => ({ ...record(rule), limit: null })),
        ]),
      ),
    );
  if (withoutLimits(was) !== withoutLimits(now)) return false;
  const [before, after] = [limitRates(was), limitRates(now)];
  return (
    before.length === after.length &&
    before.every((rate, index) => rate !== undefined && after[index] !== undefined && after[index]! >= rate)
  );
}

const KIND = "BackendTrafficPolicy";
const POLICIES = envoyGatewayPolicies(KIND);

/** What one side gives a route: its settings, and the policies they come from. */
interface Effective {
  readonly settings?: JsonRecord;
  readonly from: string;
}

const nameOf = (policy: Resource) => `${KIND} ${policy.id.namespace}/${policy.id.name}`;

/**
 * The settings the most specific of these policies (closest first) gives: its own, or laid over
 * the next one's when it sets `mergeType` — StrategicMerge or JSONMerge, both read as a JSON merge
 * (its settings are objects; a list replaces its parent's either way).
 */
function mostSpecific([policy, ...parents]: readonly Resource[]): Effective {
  if (!policy) return { from: "no policy" };
  const own = spec(policy);
  const parent = text(own.mergeType) === undefined ? undefined : mostSpecific(parents);
  return parent?.settings
    ? { settings: mergePatch(parent.settings, own), from: `${nameOf(policy)} merged over ${parent.from}` }
    : { settings: own, from: nameOf(policy) };
}

/**
 * What a tree's policies give a route (or one of its rules) on its way in through one parent
 * Gateway, if any; undefined where the tree does not tell (policiesOnTheWayIn): two policies naming
 * one object, or a route naming no listener of a Gateway whose listeners have their own (a route's
 * 0s removed where a listener sets 2s and the Gateway 0s), so the policy is judged as written.
 */
function effective(tree: ManifestSet, route: Named, parent: Named | undefined): Effective | undefined {
  const policies = policiesOnTheWayIn(tree, POLICIES, route, parent);
  return policies && mostSpecific(policies);
}

/**
 * A route the policy names, judged per parent Gateway on what applies to it on each side; where
 * that is contested, on the policy as written.
 */
function appliedToRoute(route: Target, named: Named, asWritten: Applied, context: DetectorContext): Applied[] {
  const parents = new Map(
    [...parentGateways(context.base, named), ...parentGateways(context.head, named)].map((parent) => [gatewayName(parent), parent]),
  );
  return (parents.size === 0 ? [undefined] : [...parents.values()]).map((parent) => {
    const via = parent && parents.size > 1 ? ` through ${gatewayName(parent)}` : "";
    const [was, now] = [effective(context.base, named, parent), effective(context.head, named, parent)];
    if (!was || !now) return { ...asWritten, scope: `for ${route.name}${via}` };
    // Another policy on either side is news to the reviewer: the settings judged are not this one's alone.
    const source = was.settings && now.settings && was.from !== now.from ? `, now under ${now.from} (before: ${was.from})` : "";
    return {
      ...(was.settings ? { base: was.settings } : {}),
      ...(now.settings ? { head: now.settings } : {}),
      scope: `for ${route.name}${via}${source}`,
    };
  });
}

/** Per target of the policy, what it got and gets: routes named as the hierarchy settles them, the rest as written. */
function appliedPerTarget(change: ResourceChange, context: DetectorContext): Applied[] {
  const targets = new Map([...targetsOf(change.base), ...targetsOf(change.head)].map((target) => [target.name, target]));
  const routeOf = (target: Target): Named | undefined =>
    target.ref && GATEWAY_ROUTE_KINDS.has(target.kind) ? { kind: target.kind, ...target.ref } : undefined;
  const routes = [...targets.values()].filter((target) => routeOf(target));
  const others = [...targets.values()].filter((target) => !routeOf(target));
  const asWritten: Applied = {
    ...(change.base ? { base: spec(change.base) } : {}),
    ...(change.head ? { head: spec(change.head) } : {}),
    scope: `for ${routes.length === 0 ? targetNames(change.head ?? change.base) : others.map((target) => target.name).join(", ")}`,
  };
  return [
    ...(routes.length === 0 || others.length > 0 ? [asWritten] : []),
    ...routes.flatMap((route) => appliedToRoute(route, routeOf(route)!, asWritten, context)),
  ];
}

const SETTINGS: readonly SettingCheck[] = [retries, timeouts, health, faults, loadBalancing, rateLimits];

const settings: Check = (change, out, context) => {
  for (const applied of appliedPerTarget(change, context)) for (const check of SETTINGS) check(applied, out);
};

export const backendTrafficPolicyDetector = byKind({ [KIND]: [retargeted, settings] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
