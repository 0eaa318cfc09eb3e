import { ProbotOctokit } from "probot";

/**
 * The Octokit class the server (and the Lambda handler) give Probot.
 *
 * - Throttling off. @octokit/plugin-throttling spaces every write and GraphQL request 1 s apart
 *   and comment-creating POSTs 3 s apart, per installation and per process: concurrent deliveries
 *   of one installation queue behind each other and one evaluation (about six writes) alone takes
 *   5–8 s, which breaks GitHub's 10 s webhook window. An evaluation makes a small, bounded number
 *   of writes, far under GitHub's secondary limits, so the spacing buys nothing. Probot silently
 *   overwrites a plain `throttle` default, hence the function form of `defaults`.
 * - Retries: @octokit/plugin-retry as shipped (5xx, 429 and network errors, 3 retries with
 *   1/4/9 s back-off); a rate-limit 403 is not retried and fails the check closed until the next
 *   event or re-run.
 * - A per-attempt timeout, so a GitHub that stops answering fails the check instead of hanging.
 */
export interface OctokitTuning {
  /** Passed to @octokit/plugin-retry (tests shrink `retryAfterBaseValue`). */
  readonly retry?: { readonly retries?: number; readonly retryAfterBaseValue?: number; readonly enabled?: boolean };
  readonly requestTimeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 8_000;

type Options = { request?: { fetch?: typeof fetch }; throttle?: object; retry?: object } & Record<string, unknown>;

export function routeGovernorOctokit(tuning: OctokitTuning = {}): typeof ProbotOctokit {
  const timeout = tuning.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const timedFetch =
    (inner: typeof fetch | undefined): typeof fetch =>
    (input, init) => {
      const limit = AbortSignal.timeout(timeout);
      return (inner ?? globalThis.fetch)(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, limit]) : limit });
    };
  return ProbotOctokit.defaults((options: Options) => ({
    ...options,
    throttle: { ...options.throttle, enabled: false },
    retry: { ...options.retry, ...tuning.retry },
    request: { ...options.request, fetch: timedFetch(options.request?.fetch) },
  }));
}
