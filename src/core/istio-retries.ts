import { sameValue, timeoutLimitMs, withNormalDurations } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import type { FieldPath } from "./finding.js";
import { flag, numeric, optionalRecord, record, text } from "./json-access.js";
import { reportRetryIncreases, reportShorterTimeout, retryConditions, type RetryPolicy } from "./retry-changes.js";

/**
 * Istio's HTTPRetry, judged wherever it is written: a VirtualService http rule's `retries`, and a
 * Flagger Canary's `service.retries`, which Flagger copies into the rule of the VirtualService it
 * generates (so an unset one is Istio's default there too).
 */

/** With no retry policy Istio retries twice on these (proto default). */
const DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

const retryView = (value: unknown): RetryPolicy & { configured: boolean } => {
  const retries = optionalRecord(value);
  return {
    attempts: retries ? (numeric(retries.attempts) ?? 0) : 2,
    retryOn: retryConditions(text(retries?.retryOn) ?? DEFAULT_RETRY_ON),
    retryRemoteLocalities: flag(retries?.retryRemoteLocalities) ?? false,
    configured: retries !== undefined,
  };
};

const DURATIONS = new Set(["perTryTimeout"]);

/** Retries that grow (reportRetryIncreases), and each attempt's own deadline shortened; `path` is the retries object's. */
export function reportIstioRetryChanges(out: DetectionList, before: unknown, after: unknown, subject: string, path: FieldPath): void {
  if (sameValue(withNormalDurations(before, DURATIONS), withNormalDurations(after, DURATIONS))) return;
  const was = retryView(before);
  reportRetryIncreases(out, was, retryView(after), {
    subject,
    path,
    field: (name) => `retries.${name}`,
    defaulted: was.configured ? "" : " (Istio default)",
  });
  // Each attempt's own deadline: shorter, slow answers fail (and are retried) that passed before.
  reportShorterTimeout(
    out,
    subject,
    "retries.perTryTimeout",
    [...path, "perTryTimeout"],
    timeoutLimitMs(record(before).perTryTimeout),
    timeoutLimitMs(record(after).perTryTimeout),
  );
}
