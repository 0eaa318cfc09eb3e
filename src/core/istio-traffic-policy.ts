import {
  describeLeafChanges,
  durationMs,
  formatDuration,
  leafChanges,
  sameValue,
  show,
  sortedSet,
  withNormalDurations,
} from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";
import { flag, list, numeric, optionalRecord, record, text, texts, type JsonRecord } from "./json-access.js";

/**
 * Istio's TrafficPolicy (research §1.3): locality failover, outlier detection and connection
 * pools, at every level Istio merges them — the policy, its port-level settings, each subset and
 * the subset's port-level settings. Two families write one: the istio family in DestinationRules,
 * and the progressive family in a Flagger Canary's `service.trafficPolicy`, which Flagger copies
 * into the DestinationRules it generates for the primary and the canary.
 */

/** Where checks put what they find: the resource's list, or one that says which host a finding is about. */
export type Findings = Pick<DetectionList, "add">;

/** A level at which a traffic policy can be set; `chain` is the policy there, then what it inherits from. */
export interface PolicyScope {
  readonly label: string;
  readonly chain: readonly (JsonRecord | undefined)[];
  readonly path: FieldPath;
  readonly subset: string | undefined;
}

export type PolicyCheck = (out: Findings, before: PolicyScope, after: PolicyScope) => void;

const portNumber = (settings: unknown): number | undefined => numeric(record(record(settings).port).number);

/**
 * Every scope of the traffic policy `holder` sets (a DestinationRule's spec, a Flagger Canary's
 * service block): its `trafficPolicy`, its port-level settings, and those of each of its subsets.
 * `at` is where the holder lives, `label` how findings name its trafficPolicy.
 */
export const policyScopes = (holder: unknown, at: FieldPath, label: string): Map<string, PolicyScope> => {
  const spec = record(holder);
  const top = optionalRecord(spec.trafficPolicy);
  const topPorts = new Map(list(top?.portLevelSettings).map((settings) => [portNumber(settings), optionalRecord(settings)]));
  const scopes = new Map<string, PolicyScope>([["", { label, chain: [top], path: [...at, "trafficPolicy"], subset: undefined }]]);
  list(top?.portLevelSettings).forEach((settings, index) => {
    const port = portNumber(settings);
    scopes.set(`port ${port}`, {
      label: `${label} port ${port}`,
      chain: [optionalRecord(settings), top],
      path: [...at, "trafficPolicy", "portLevelSettings", index],
      subset: undefined,
    });
  });
  list(spec.subsets).forEach((subsetValue, subsetIndex) => {
    const subset = record(subsetValue);
    const name = text(subset.name) ?? "";
    const own = optionalRecord(subset.trafficPolicy);
    const path: FieldPath = [...at, "subsets", subsetIndex, "trafficPolicy"];
    scopes.set(`subset ${name}`, { label: `subset ${name} ${label}`, chain: [own, top], path, subset: name });
    list(own?.portLevelSettings).forEach((settings, index) => {
      const port = portNumber(settings);
      scopes.set(`subset ${name} port ${port}`, {
        label: `subset ${name} ${label} port ${port}`,
        chain: [optionalRecord(settings), own, topPorts.get(port), top],
        path: [...path, "portLevelSettings", index],
        subset: name,
      });
    });
  });
  return scopes;
};

/**
 * The scope, or — when this side has no such port-level block — its parent's settings, still
 * named for the port: a rule that drops two port blocks reports each port, not the rule twice.
 */
export const scopeOn = (scopes: Map<string, PolicyScope>, key: string): PolicyScope | undefined => {
  const scope = scopes.get(key);
  if (scope) return scope;
  const port = / ?(port \S+)$/.exec(key);
  const parent = port && scopes.get(key.slice(0, port.index));
  return parent ? { ...parent, label: `${parent.label} ${port[1]}`, chain: [undefined, ...parent.chain] } : undefined;
};

export const own = (scope: PolicyScope, field: string): unknown => scope.chain[0]?.[field];

export const effective = (scope: PolicyScope, field: string): unknown =>
  scope.chain.find((policy) => policy?.[field] !== undefined)?.[field];

// ---------------------------------------------------------------------------------------------

interface LocalityView {
  readonly enabled: boolean | undefined;
  readonly failover: readonly string[];
  readonly failoverPriority: readonly string[];
  readonly distribute: readonly string[];
  readonly zoneAwareLbSetting: unknown;
}

/** Distribute weights as shares of their `from` (they must sum to 100, but shares are what matter). */
const distributeEntry = (value: unknown): string => {
  const entry = record(value);
  const to = record(entry.to);
  const total = Object.values(to).reduce<number>((sum, weight) => sum + (numeric(weight) ?? 0), 0);
  const shares = Object.keys(to)
    .sort()
    .map((locality) => `${locality} ${total === 0 ? 0 : Math.round(((numeric(to[locality]) ?? 0) / total) * 10_000) / 100}%`);
  return `${text(entry.from) ?? "*"} → ${shares.join(", ")}`;
};

const localityView = (loadBalancer: unknown): LocalityView => {
  const balancer = record(loadBalancer);
  const locality = record(balancer.localityLbSetting);
  return {
    // Locality load balancing is on unless `enabled: false` (istiod's GetLocalityLbSetting): `true` written out is the default.
    enabled: flag(locality.enabled) === false ? false : undefined,
    failover: sortedSet(list(locality.failover).map((entry) => `${text(record(entry).from) ?? ""} → ${text(record(entry).to) ?? ""}`)),
    // Priority order is meaningful: not sorted.
    failoverPriority: texts(locality.failoverPriority),
    distribute: sortedSet(list(locality.distribute).map(distributeEntry)),
    zoneAwareLbSetting: balancer.zoneAwareLbSetting === undefined ? undefined : withNormalDurations(balancer.zoneAwareLbSetting, new Set()),
  };
};

/**
 * A locality field as a side wrote it: the view reads `enabled: true` as the default it is, which a
 * summary must not show as unset (`enabled: true` → `enabled: off` said "(unset) → false").
 */
const said = (field: keyof LocalityView, view: LocalityView, scope: PolicyScope): string =>
  show(field === "enabled" ? flag(record(record(effective(scope, "loadBalancer")).localityLbSetting).enabled) : view[field]);

const failsOver = (view: LocalityView): boolean => view.failover.length > 0 || view.failoverPriority.length > 0;

const OUTLIER_DURATIONS = new Set(["interval", "baseEjectionTime"]);

/**
 * Whether outlier detection ejects endpoints on errors at all: 0 turns a count off (Istio: "can be
 * disabled by setting the value to 0"); `consecutive5xxErrors` defaults to 5, and the deprecated
 * `consecutiveErrors` stands for it when set.
 */
const ejects = (view: unknown): boolean => {
  const outlier = record(view);
  const errors5xx = numeric(outlier.consecutive5xxErrors) ?? numeric(outlier.consecutiveErrors) ?? 5;
  return (
    errors5xx > 0 || (numeric(outlier.consecutiveGatewayErrors) ?? 0) > 0 || (numeric(outlier.consecutiveLocalOriginFailures) ?? 0) > 0
  );
};

/**
 * Outlier detection with Istio's defaults written in, so a default spelled out is no change: a 10s
 * sweep, 30s base ejection, at most 10% ejected (istiod passes 0 on as unset), no panic threshold
 * (`minHealthPercent` 0), and 5 consecutive 5xx errors unless the deprecated `consecutiveErrors`
 * stands for them (0 turns them off: not the default). The gateway and local-origin counts stay as
 * written.
 */
const outlierView = (value: unknown): unknown => {
  const outlier = optionalRecord(value);
  if (!outlier) return undefined;
  const defaults = { interval: "10s", baseEjectionTime: "30s", minHealthPercent: 0 };
  return withNormalDurations(
    {
      ...defaults,
      ...(outlier.consecutiveErrors === undefined ? { consecutive5xxErrors: 5 } : {}),
      ...outlier,
      maxEjectionPercent: numeric(outlier.maxEjectionPercent) || 10,
    },
    OUTLIER_DURATIONS,
  );
};

export const loadBalancing = (out: Findings, before: PolicyScope, after: PolicyScope): void => {
  if (sameValue(own(before, "loadBalancer"), own(after, "loadBalancer"))) return;
  const was = localityView(effective(before, "loadBalancer"));
  const now = localityView(effective(after, "loadBalancer"));
  const unguarded = failsOver(now) && effective(after, "outlierDetection") === undefined;
  for (const field of ["enabled", "failover", "failoverPriority", "distribute", "zoneAwareLbSetting"] as const) {
    if (sameValue(was[field], now[field])) continue;
    const yamlPath = field === "zoneAwareLbSetting" ? ["loadBalancer", field] : ["loadBalancer", "localityLbSetting", field];
    const effect =
      field === "distribute"
        ? "traffic is spread across localities by these shares"
        : field === "enabled"
          ? "locality-aware load balancing is switched"
          : "where traffic goes when a locality fails changes";
    out.add({
      class: "failover.changed",
      summary: `${after.label} ${yamlPath.join(".")} ${said(field, was, before)} → ${said(field, now, after)}: ${effect}${unguarded ? "; no outlierDetection applies, so failover never triggers" : ""}`,
      side: "head",
      path: [...after.path, ...yamlPath],
      before: was[field],
      after: now[field],
    });
  }
};

export const outlierDetection = (out: Findings, before: PolicyScope, after: PolicyScope): void => {
  if (sameValue(outlierView(own(before, "outlierDetection")), outlierView(own(after, "outlierDetection")))) return;
  const was = outlierView(effective(before, "outlierDetection"));
  const now = outlierView(effective(after, "outlierDetection"));
  if (sameValue(was, now)) return;
  const path: FieldPath = [...after.path, "outlierDetection"];
  if (was !== undefined && now === undefined) {
    const failover = failsOver(localityView(effective(after, "loadBalancer")));
    out.add({
      class: failover ? "failover.changed" : "health.changed",
      summary: failover
        ? `${after.label} outlierDetection removed while locality failover is configured: unhealthy endpoints are never ejected, so failover never triggers`
        : `${after.label} outlierDetection removed: unhealthy endpoints are no longer ejected`,
      side: "head",
      path,
      before: was,
    });
  } else if (was === undefined) {
    out.add({
      class: "health.changed",
      summary: `${after.label} outlierDetection added (${show(now)}): endpoints start being ejected`,
      side: "head",
      path,
      after: now,
    });
  } else if (ejects(was) && !ejects(now) && failsOver(localityView(effective(after, "loadBalancer")))) {
    out.add({
      class: "failover.changed",
      summary: `${after.label} outlierDetection ${describeLeafChanges(leafChanges(was, now))} while locality failover is configured: no error count ejects an endpoint any more, so failover never triggers`,
      side: "head",
      path,
      before: was,
      after: now,
    });
  } else {
    out.add({
      class: "health.changed",
      summary: `${after.label} outlierDetection ${describeLeafChanges(leafChanges(was, now))}: when endpoints are ejected changes`,
      side: "head",
      path,
      before: was,
      after: now,
    });
  }
};

/** Limits whose lowering overflows requests into 503s; 0 means unlimited only for maxRequestsPerConnection. */
const POOL_LIMITS = [
  ["tcp", "maxConnections"],
  ["http", "http1MaxPendingRequests"],
  ["http", "http2MaxRequests"],
  ["http", "maxRequestsPerConnection"],
  ["http", "maxConcurrentStreams"],
  ["http", "maxRetries"],
] as const;

const poolLimit = (pool: unknown, [protocol, field]: readonly [string, string]): number => {
  const value = numeric(record(record(pool)[protocol])[field]);
  return value === undefined || (field === "maxRequestsPerConnection" && value === 0) ? Number.POSITIVE_INFINITY : value;
};

export const connectionPool = (out: Findings, before: PolicyScope, after: PolicyScope): void => {
  if (sameValue(own(before, "connectionPool"), own(after, "connectionPool"))) return;
  const was = effective(before, "connectionPool");
  const now = effective(after, "connectionPool");
  const lowered: Record<string, [string, string]> = {};
  for (const limit of POOL_LIMITS) {
    const from = poolLimit(was, limit);
    const to = poolLimit(now, limit);
    if (to < from) lowered[limit.join(".")] = [from === Number.POSITIVE_INFINITY ? "unlimited" : String(from), String(to)];
  }
  const timeoutBefore = durationMs(record(record(was).tcp).connectTimeout) ?? Number.POSITIVE_INFINITY;
  const timeoutAfter = durationMs(record(record(now).tcp).connectTimeout) ?? Number.POSITIVE_INFINITY;
  if (timeoutAfter < timeoutBefore) lowered["tcp.connectTimeout"] = [formatDuration(timeoutBefore), formatDuration(timeoutAfter)];
  const fields = Object.keys(lowered);
  if (fields.length === 0) return;
  out.add({
    class: "health.changed",
    summary: `${after.label} connectionPool lowered: ${fields.map((field) => `${field} ${lowered[field]?.[0]} → ${lowered[field]?.[1]}`).join(", ")}: requests over the limits overflow as 503s`,
    side: "head",
    path: [...after.path, "connectionPool"],
    before: Object.fromEntries(fields.map((field) => [field, lowered[field]?.[0]])),
    after: Object.fromEntries(fields.map((field) => [field, lowered[field]?.[1]])),
  });
};

/** What a policy does to which endpoints take requests; its TLS is judged where the caller knows the mesh (the DestinationRule's own check). */
export const ENDPOINT_CHECKS: readonly PolicyCheck[] = [loadBalancing, outlierDetection, connectionPool];

/** Runs the checks on every scope both sides have: a subset that appears or disappears is reported as such, not as policy changes. */
export const comparePolicies = (
  out: Findings,
  base: Map<string, PolicyScope>,
  head: Map<string, PolicyScope>,
  checks: readonly PolicyCheck[],
): void => {
  const subsetOn = (scopes: Map<string, PolicyScope>, subset: string) => scopes.has(`subset ${subset}`);
  for (const key of sortedSet([...base.keys(), ...head.keys()])) {
    const before = scopeOn(base, key);
    const after = scopeOn(head, key);
    if (!before || !after) continue;
    if (after.subset !== undefined && !(subsetOn(base, after.subset) && subsetOn(head, after.subset))) continue;
    for (const check of checks) check(out, before, after);
  }
};
