import { formatDuration, setChange, sortedSet, timeoutLimitMs } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";

/** Envoy's retry policy as Istio and Gloo both spell it: attempts, the conditions retried on, other localities. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly retryOn: readonly string[];
  readonly retryRemoteLocalities: boolean;
}

/** `retryOn: "5xx, reset"` as a sorted set of conditions. */
export const retryConditions = (retryOn: string): string[] =>
  sortedSet(
    retryOn
      .split(",")
      .map((condition) => condition.trim())
      .filter(Boolean),
  );

const serverErrors = (conditions: readonly string[]): string[] =>
  conditions.filter((condition) => condition === "5xx" || condition === "gateway-error" || /^5\d\d$/.test(condition));

/**
 * Envoy's conditions met after the backend may have acted on the request: a connection reset
 * mid-response, a 409 Conflict (`retriable-4xx`). Retrying them repeats writes that may have
 * landed; connect failures and refused streams never reached it.
 */
const REPEATING = new Set(["reset", "retriable-4xx"]);
const repeating = (conditions: readonly string[]): string[] => conditions.filter((condition) => REPEATING.has(condition));

/** How a family words where the retries are: `for route a`, and the name it gives each field. */
export interface RetryWording {
  readonly subject: string;
  /** The retries object, whose fields the findings point at. */
  readonly path: FieldPath;
  readonly field: (name: keyof RetryPolicy) => string;
  /** Said after the earlier attempts when they were a default: ` (Istio default)`. */
  readonly defaulted: string;
  /** The fields' own names where the family's differ from Istio's (Envoy Gateway's `numRetries`). */
  readonly keys?: Partial<Record<keyof RetryPolicy, string>>;
}

/**
 * Retries that grow (retry-timeout.changed): more attempts, server errors newly retried (which
 * amplifies load on a failing backend), retries sent to other localities (cross-region).
 */
export function reportRetryIncreases(out: DetectionList, was: RetryPolicy, now: RetryPolicy, wording: RetryWording): void {
  const { subject, path, field } = wording;
  if (now.attempts > was.attempts) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${subject}: ${field("attempts")} ${was.attempts}${wording.defaulted} → ${now.attempts}: failures are retried more often, and retries multiply across layers`,
      side: "head",
      path: [...path, wording.keys?.attempts ?? "attempts"],
      before: was.attempts,
      after: now.attempts,
    });
  }
  const added5xx = setChange(serverErrors(was.retryOn), serverErrors(now.retryOn)).added;
  if (added5xx.length > 0) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${subject}: ${field("retryOn")} adds ${added5xx.join(", ")}: server errors are retried, which amplifies load on a failing backend`,
      side: "head",
      path: [...path, wording.keys?.retryOn ?? "retryOn"],
      before: was.retryOn,
      after: now.retryOn,
    });
  }
  // Where nothing was retried, the attempts finding says it already.
  const addedRepeats = was.attempts === 0 ? [] : setChange(repeating(was.retryOn), repeating(now.retryOn)).added;
  if (addedRepeats.length > 0) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${subject}: ${field("retryOn")} adds ${addedRepeats.join(", ")}: requests the backend may already have acted on are retried, so writes can repeat`,
      side: "head",
      path: [...path, wording.keys?.retryOn ?? "retryOn"],
      before: was.retryOn,
      after: now.retryOn,
    });
  }
  if (now.retryRemoteLocalities && !was.retryRemoteLocalities) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${subject}: ${field("retryRemoteLocalities")} true: failed requests are retried in other localities (cross-region retries)`,
      side: "head",
      path: [...path, "retryRemoteLocalities"],
      before: false,
      after: true,
    });
  }
}

/**
 * Envoy's route timeout, which Envoy-based gateways (Envoy Gateway, Contour) apply to a request
 * where nothing sets one: a timeout longer than this, removed, may be shortened to it.
 */
export const ENVOY_ROUTE_TIMEOUT_MS = 15_000;

/**
 * A timeout before and after, as timeoutLimitMs reads them. One not written is `unset`, what applies
 * where none is written (none at all unless given; each side's own where they differ): a default
 * written out is no change, and one removed (a `0s` that disabled it too) may shorten it to the
 * default. `defaulted` says the default applies now and is shorter; `wasDefault`, that it applied before.
 */
export function timeoutChange(
  before: unknown,
  after: unknown,
  unset: number | { readonly before: number; readonly after: number } = Number.POSITIVE_INFINITY,
) {
  const [unsetBefore, unsetAfter] = typeof unset === "number" ? [unset, unset] : [unset.before, unset.after];
  const wasMs = before === undefined ? unsetBefore : timeoutLimitMs(before);
  // Nothing written on either side is no change, whatever the defaults on each side.
  const nowMs = after === undefined ? (before === undefined ? wasMs : unsetAfter) : timeoutLimitMs(after);
  return { wasMs, nowMs, defaulted: after === undefined && before !== undefined && nowMs < wasMs, wasDefault: before === undefined };
}

/** A timeout shortened (retry-timeout.changed): `wasMs`, `nowMs` as timeoutLimitMs reads them (none is infinite). */
export function reportShorterTimeout(
  out: DetectionList,
  subject: string,
  label: string,
  path: FieldPath,
  wasMs: number,
  nowMs: number,
): void {
  if (nowMs >= wasMs) return;
  out.add({
    class: "retry-timeout.changed",
    summary: `${subject}: ${label} ${formatDuration(wasMs)} → ${formatDuration(nowMs)}: requests slower than that now fail`,
    side: "head",
    path,
    before: formatDuration(wasMs),
    after: formatDuration(nowMs),
  });
}
