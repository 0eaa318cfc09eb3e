import { byKind, type Check } from "../../core/by-kind.js";
import { canonical, sameValue, show } from "../../core/canonical-values.js";
import { isRecord, list, numeric, optionalRecord, record, spec, text, valueAt } from "../../core/json-access.js";
import {
  ENVOY_ROUTE_TIMEOUT_MS,
  reportRetryIncreases,
  reportShorterTimeout,
  timeoutChange,
  type RetryPolicy,
} from "../../core/retry-changes.js";
import { reportFaultIncreases, type Fault, type FaultKind } from "../../core/fault-changes.js";
import type { Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP, targetNames } from "./policy-targets.js";

/**
 * Envoy Gateway's BackendTrafficPolicy: how the proxies of its targets (Gateways, routes) talk to
 * backends — retries, timeouts, active and passive health checks, circuit breakers, fault
 * injection, load balancing. Judged on the policy as written, against Envoy Gateway's defaults
 * where a setting is absent (no retries, no request timeout, no health checks); a route's own
 * policy taking precedence over its Gateway's is not modelled. A policy deleted is every setting
 * removed from its targets. Other settings (compression, DNS, proxy protocol) are left to the
 * generic field diff.
 */

/** Without `retry`, Envoy Gateway does not retry; with it, twice unless numRetries says otherwise. */
function retryView(resource: Resource | undefined): RetryPolicy & { configured: boolean } {
  const retry = optionalRecord(spec(resource).retry);
  const retryOn = record(retry?.retryOn);
  return {
    attempts: retry ? (numeric(retry.numRetries) ?? 2) : 0,
    retryOn: [...list(retryOn.triggers).flatMap((t) => text(t) ?? []), ...list(retryOn.httpStatusCodes).map((code) => show(code))],
    retryRemoteLocalities: false,
    configured: retry !== undefined,
  };
}

const retries: Check = (change, out) => {
  if (!change.head) return;
  const was = retryView(change.base);
  reportRetryIncreases(out, was, retryView(change.head), {
    subject: `for ${targetNames(change.head)}`,
    path: ["spec", "retry"],
    field: (name) => (name === "attempts" ? "retry.numRetries" : "retry.retryOn"),
    defaulted: was.configured ? "" : " (no retry policy)",
    keys: { attempts: "numRetries" },
  });
};

/** `unset`: what applies where the policy sets none, so a timeout added under it shortens it and one removed over it may be shortened to it. */
const TIMEOUTS = [
  { label: "timeout.http.requestTimeout", path: ["spec", "timeout", "http", "requestTimeout"], unset: ENVOY_ROUTE_TIMEOUT_MS },
  { label: "timeout.tcp.connectTimeout", path: ["spec", "timeout", "tcp", "connectTimeout"] },
  { label: "retry.perRetry.timeout", path: ["spec", "retry", "perRetry", "timeout"] },
] as const;

/** A policy deleted is every timeout it set removed: where its targets remain, the defaults apply to them. */
const timeouts: Check = (change, out) => {
  for (const timeout of TIMEOUTS) {
    const { path } = timeout;
    const { wasMs, nowMs, defaulted, wasDefault } = timeoutChange(
      valueAt(change.base?.body, path),
      valueAt(change.head?.body, path),
      "unset" in timeout ? timeout.unset : undefined,
    );
    const unset = defaulted ? "unset" : "unset" in timeout && wasDefault ? "unset before" : undefined;
    const label = unset ? `${timeout.label} (${unset}: the route's own timeout applies, else Envoy's 15s)` : timeout.label;
    reportShorterTimeout(out, `for ${targetNames(change.head ?? change.base)}`, label, [...path], wasMs, nowMs);
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

const health: Check = (change, out) => {
  for (const { field, removed } of HEALTH_SETTINGS) {
    const was = spec(change.base)[field];
    const now = spec(change.head)[field];
    if (sameValue(withDefaults(field, was), withDefaults(field, now)) || (was === undefined && !change.head)) continue;
    const gone = now === undefined;
    out.add({
      class: "health.changed",
      summary: `for ${targetNames(change.head ?? change.base)}: ${field} ${was === undefined ? "added" : gone ? "removed" : "changed"}${gone ? `: ${removed}` : ""}`,
      side: gone ? "base" : "head",
      path: ["spec", field],
      before: was ?? null,
      after: now ?? null,
    });
  }
};

/** A fault written without `percentage` hits every request. */
const faultOf = (resource: Resource | undefined, kind: FaultKind): Fault => {
  const fault = optionalRecord(record(spec(resource).faultInjection)[kind]);
  return { share: fault ? (numeric(fault.percentage) ?? 100) : 0, fault };
};

const faults: Check = (change, out) => {
  if (!change.head) return;
  reportFaultIncreases(
    out,
    { subject: `for ${targetNames(change.head)}`, path: ["spec", "faultInjection"], requests: "requests" },
    (side, kind) => faultOf(change[side], kind),
  );
};

/** The same settings on other Gateways or routes: where they applied loses them, where they now apply gains them. */
const retargeted: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [targetNames(change.base), targetNames(change.head)];
  if (was === now) return;
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
const loadBalancing: Check = (change, out) => {
  const [was, now] = [spec(change.base).loadBalancer, spec(change.head).loadBalancer];
  if (sameValue(withDefaults("loadBalancer", was), withDefaults("loadBalancer", now))) return;
  const type = (value: unknown) => text(record(value).type) ?? "LeastRequest (default)";
  out.add({
    class: "resource.changed",
    summary: `for ${targetNames(change.head ?? change.base)}: loadBalancer ${type(was)} → ${type(now)}${sameValue(record(was).zoneAware, record(now).zoneAware) ? "" : ", zone preference changed"}: requests spread over endpoints differently`,
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
const rateLimits: Check = (change, out) => {
  if (!change.base) return;
  const [was, now] = [spec(change.base).rateLimit, spec(change.head).rateLimit];
  if (sameValue(was, now)) return;
  const lifted = now === undefined;
  const raised = !lifted && was !== undefined && onlyRaised(was, now);
  out.add({
    class: "resource.changed",
    summary: `for ${targetNames(change.head ?? change.base)}: rateLimit ${
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

export const backendTrafficPolicyDetector = byKind(
  { BackendTrafficPolicy: [retargeted, retries, timeouts, health, faults, loadBalancing, rateLimits] },
  (id) => id.group === ENVOY_GATEWAY_GROUP,
);
