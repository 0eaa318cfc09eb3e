import { describe } from "vitest";
import { backendTrafficPolicyDetector } from "../../../src/families/envoy-gateway/backend-traffic-policy.js";
import { detectorTable } from "../../detect/resource-fixture.js";

const run = detectorTable(backendTrafficPolicyDetector);

// Shaped after onedr0p/home-ops' kubernetes/apps/network/envoy-gateway/app/envoy.yaml.
const policy = (settings: string, targets = "  targetSelectors: [{group: gateway.networking.k8s.io, kind: Gateway}]\n") => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: envoy, namespace: network}
spec:
${targets}  compressor: [{type: Gzip, gzip: {}}]
${settings}`;
const RETRY = "  retry:\n    numRetries: 2\n    retryOn: {triggers: [reset]}\n";
const TIMEOUT = (request: string) => `  timeout: {http: {requestTimeout: ${request}}}\n`;

describe("Envoy Gateway BackendTrafficPolicy: how the proxies of its targets talk to backends", () => {
  run([
    {
      name: "more retries, and server errors newly retried",
      base: policy(RETRY),
      head: policy("  retry:\n    numRetries: 5\n    retryOn: {triggers: [reset, 5xx], httpStatusCodes: [503]}\n"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "retry", "numRetries"],
          says: "for every Gateway of network: retry.numRetries 2 → 5",
        },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "retry", "retryOn"], says: "retry.retryOn adds 503, 5xx" },
      ],
    },
    {
      name: "a first retry policy retries where nothing was retried",
      base: policy(""),
      head: policy(RETRY),
      expected: [{ class: "retry-timeout.changed", side: "head", path: ["spec", "retry", "numRetries"], says: "0 (no retry policy) → 2" }],
    },
    {
      name: "a request timeout set where there was none (0s is none)",
      base: policy(TIMEOUT("0s")),
      head: policy(TIMEOUT("15s")),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "timeout", "http", "requestTimeout"],
          says: "timeout.http.requestTimeout none → 15s: requests slower than that now fail",
        },
      ],
    },
    {
      name: "a request timeout removed: Envoy's 15s route default applies, so a 0s that disabled it (streams) now cuts at 15s",
      base: policy(TIMEOUT("0s")),
      head: policy(""),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec"],
          says: "timeout.http.requestTimeout (unset: the route's own timeout applies, else Envoy's 15s) none → 15s",
        },
      ],
    },
    {
      name: "a request timeout added is judged against Envoy's 15s: 30s lengthens it (no finding), 5s shortens it",
      base: policy(""),
      head: policy(TIMEOUT("5s")),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "timeout", "http", "requestTimeout"],
          says: "timeout.http.requestTimeout (unset before: the route's own timeout applies, else Envoy's 15s) 15s → 5s",
        },
      ],
    },
    { name: "a request timeout over Envoy's 15s added is no finding", base: policy(""), head: policy(TIMEOUT("30s")), expected: [] },
    {
      name: "a request timeout under 15s removed, or none before and after, is no finding",
      base: policy(TIMEOUT("5s")),
      head: policy(""),
      expected: [],
    },
    {
      name: "a longer timeout and fewer retries are no finding of their own",
      base: policy(`${RETRY}${TIMEOUT("15s")}`),
      head: policy(`  retry: {numRetries: 1}\n${TIMEOUT("30s")}`),
      expected: [],
    },
    {
      name: "passive health checks removed, a circuit breaker added",
      base: policy("  healthCheck: {passive: {consecutive5XxErrors: 5, interval: 2s}}\n"),
      head: policy("  circuitBreaker: {maxConnections: 64}\n"),
      expected: [
        {
          class: "health.changed",
          side: "base",
          path: ["spec", "healthCheck"],
          says: "healthCheck removed: endpoints are no longer checked",
        },
        { class: "health.changed", side: "head", path: ["spec", "circuitBreaker"], says: "circuitBreaker added" },
      ],
    },
    {
      name: "fault injection on every request of a route",
      head: policy(
        "  faultInjection: {abort: {httpStatus: 503}}\n",
        "  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: checkout}]\n",
      ),
      expected: [
        {
          class: "fault.injected",
          side: "head",
          path: ["spec", "faultInjection", "abort"],
          says: "for HTTPRoute network/checkout: fault abort (HTTP 503) on 100% of requests",
        },
      ],
    },
    {
      name: "moved to another Gateway; load balancing made sticky",
      base: policy("", "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: internal}]\n"),
      head: policy(
        "  loadBalancer: {type: ConsistentHash, consistentHash: {type: SourceIP}}\n",
        "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: external}]\n",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "targets Gateway network/internal → Gateway network/external",
          riskFloor: "medium-high",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "loadBalancer"],
          says: "loadBalancer LeastRequest (default) → ConsistentHash",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a rate limit lifted lets bursts through (medium-high); one set refuses requests (medium)",
      base: policy("  rateLimit: {type: Global, global: {rules: [{limit: {requests: 10, unit: Second}}]}}\n"),
      head: policy(""),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "rateLimit"],
          says: "rateLimit removed: requests are no longer limited",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a rate limit set",
      base: policy(""),
      head: policy("  rateLimit: {type: Local, local: {rules: [{limit: {requests: 100, unit: Minute}}]}}\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rateLimit"],
          says: "rateLimit added: requests over its limits are refused (429)",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a rate limit raised (100 a second to 100,000) lets bursts through like one lifted: medium-high",
      base: policy("  rateLimit: {type: Global, global: {rules: [{limit: {requests: 100, unit: Second}}]}}\n"),
      head: policy("  rateLimit: {type: Global, global: {rules: [{limit: {requests: 100000, unit: Second}}]}}\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rateLimit"],
          says: "rateLimit raised: more requests pass before any is refused",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "Envoy Gateway's circuit breaker defaults (1024) written out are no change",
      base: policy(""),
      head: policy("  circuitBreaker: {maxParallelRequests: 1024, maxConnections: 1024}\n"),
      expected: [],
    },
    {
      name: "Envoy Gateway's default load balancing (LeastRequest) written out is no change",
      base: policy(""),
      head: policy("  loadBalancer: {type: LeastRequest}\n"),
      expected: [],
    },
    {
      name: "load balancing written out as the default, then changed from it",
      base: policy("  loadBalancer: {type: LeastRequest}\n"),
      head: policy("  loadBalancer: {type: RoundRobin}\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "loadBalancer"],
          says: "for every Gateway of network: loadBalancer LeastRequest → RoundRobin: requests spread over endpoints differently",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a policy deleted is every setting removed: its rate limit lifted, a timeout over 15s back to Envoy's default",
      base: policy(
        `  rateLimit: {type: Global, global: {rules: [{clientSelectors: [{headers: [{name: x-user-id, type: Distinct}]}], limit: {requests: 10, unit: Second}}]}}\n${TIMEOUT("120s")}`,
      ),
      head: undefined,
      expected: [
        {
          class: "retry-timeout.changed",
          side: "base",
          path: ["spec", "timeout", "http", "requestTimeout"],
          says: "for every Gateway of network: timeout.http.requestTimeout (unset: the route's own timeout applies, else Envoy's 15s) 2m → 15s",
        },
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "rateLimit"],
          says: "for every Gateway of network: rateLimit removed: requests are no longer limited",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "compression alone is left to the field diff",
      base: policy(RETRY),
      head: policy(RETRY).replace("Gzip, gzip", "Brotli, brotli"),
      expected: [],
    },
  ]);
});
