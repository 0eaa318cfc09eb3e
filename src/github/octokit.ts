import { AsyncLocalStorage } from "node:async_hooks";
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
 * - Retries: @octokit/plugin-retry (5xx, 429 and network errors), 2 retries with 0.2/0.8 s back-off
 *   instead of 3 with 1/4/9 s, which alone would outlast the window; a rate-limit 403 is not
 *   retried and fails the check closed until the next event or re-run.
 * - A per-attempt timeout, and the evaluation's deadline (withDeadline): no attempt outlives the
 *   time left, so a slow or failing GitHub concludes the check `failure` inside the window
 *   instead of being cut off mid-way.
 */
export interface OctokitTuning {
  /** Passed to @octokit/plugin-retry (tests shrink `retryAfterBaseValue`). */
  readonly retry?: { readonly retries?: number; readonly retryAfterBaseValue?: number; readonly enabled?: boolean };
  readonly requestTimeoutMs?: number;
}

export const REQUEST_TIMEOUT_MS = 8_000;
const RETRY_DEFAULTS = { retries: 2, retryAfterBaseValue: 200 };

const deadlines = new AsyncLocalStorage<number>();

/** Runs `work` with every GitHub request inside it bounded by the instant `deadline` (epoch ms). */
export const withDeadline = <T>(deadline: number, work: () => Promise<T>): Promise<T> => deadlines.run(deadline, work);

/**
 * Named "AbortError" on purpose: Octokit rethrows an AbortError from fetch as it is, so
 * @octokit/plugin-retry does not sleep and retry a request whose evaluation is out of time.
 */
export class DeadlineExceededError extends Error {
  override readonly name = "AbortError";
  constructor() {
    super("the evaluation ran out of time waiting for GitHub (it must answer inside GitHub's 10 s delivery window); re-run the check");
  }
}

type Options = { request?: { fetch?: typeof fetch }; throttle?: object; retry?: object } & Record<string, unknown>;

/**
 * `fetch` with the per-attempt timeout and the evaluation's deadline. One controller and one timer
 * per request, not `AbortSignal.any` over `AbortSignal.timeout`: Node 20 holds the signals given to
 * `AbortSignal.any` weakly, so a timeout signal collected mid-request never fires and the request
 * hangs. The timer is referenced by the event loop and references the controller until it fires
 * or the response arrives, so nothing the abort depends on can be collected early.
 */
export const timedFetch =
  (inner: typeof fetch | undefined, timeoutMs: number): typeof fetch =>
  (input, init) => {
    const deadline = deadlines.getStore();
    const left = deadline === undefined ? Infinity : deadline - Date.now();
    if (left <= 0) return Promise.reject(new DeadlineExceededError());
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          left < timeoutMs ? new DeadlineExceededError() : new DOMException("The operation was aborted due to timeout", "TimeoutError"),
        ),
      Math.min(left, timeoutMs),
    );
    const caller = init?.signal;
    const forward = () => controller.abort(caller?.reason);
    if (caller?.aborted) forward();
    else caller?.addEventListener("abort", forward, { once: true });
    return (inner ?? globalThis.fetch)(input, { ...init, signal: controller.signal })
      .finally(() => {
        clearTimeout(timer);
        caller?.removeEventListener("abort", forward);
      })
      .then((response) => {
        // The body is read after the headers (a repository's archive streams for seconds, longer than
        // one attempt's timeout may allow): the deadline still bounds it, so a stalled body cannot hang
        // the evaluation. Unreferenced: a finished response keeps no process alive.
        if (deadline !== undefined) setTimeout(() => controller.abort(new DeadlineExceededError()), deadline - Date.now()).unref();
        return response;
      });
  };

export function routeGovernorOctokit(tuning: OctokitTuning = {}): typeof ProbotOctokit {
  const timeout = tuning.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  return ProbotOctokit.defaults((options: Options) => ({
    ...options,
    throttle: { ...options.throttle, enabled: false },
    retry: { ...RETRY_DEFAULTS, ...options.retry, ...tuning.retry },
    request: { ...options.request, fetch: timedFetch(options.request?.fetch, timeout) },
  }));
}
