import { describe, expect, it } from "vitest";
import { backendTrafficPolicyDetector } from "../../../src/families/envoy-gateway/backend-traffic-policy.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";

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

const gateway = (name: string, labelled: boolean) =>
  resource(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: network${labelled ? ", labels: {app.kubernetes.io/name: envoy}" : ""}}
spec:
  gatewayClassName: envoy
  listeners: [{name: https, protocol: HTTPS, port: 443}]
`);

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
      name: "a connect timeout added is judged against Envoy Gateway's 10s: 10s written out is no finding (rafaribe/home-ops 7b6a71210), 2s shortens it",
      base: policy(""),
      head: policy("  timeout: {tcp: {connectTimeout: 2s}}\n"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "timeout", "tcp", "connectTimeout"],
          says: "timeout.tcp.connectTimeout (unset before: Envoy Gateway's default, 10s) 10s → 2s",
        },
      ],
    },
    {
      name: "Envoy Gateway's 10s connect timeout written out is no finding",
      base: policy(""),
      head: policy("  timeout: {tcp: {connectTimeout: 10s}}\n"),
      expected: [],
    },
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
      name: "a label selector rewritten as every Gateway of the namespace, each of which carries the label: the same Gateways, nothing moves (mchestr/home-cluster 4ada4a8fe3)",
      base: policy("", "  targetSelectors: [{kind: Gateway, matchLabels: {app.kubernetes.io/name: envoy}}]\n"),
      head: policy(""),
      others: {
        base: [gateway("internal", true), gateway("external", true)],
        head: [gateway("internal", true), gateway("external", true)],
      },
      expected: [],
    },
    {
      name: "the same rewrite where a Gateway of the namespace lacks the label: its settings now reach that Gateway",
      base: policy("", "  targetSelectors: [{kind: Gateway, matchLabels: {app.kubernetes.io/name: envoy}}]\n"),
      head: policy(""),
      others: {
        base: [gateway("internal", true), gateway("external", false)],
        head: [gateway("internal", true), gateway("external", false)],
      },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "targets Gateway of network labelled app.kubernetes.io/name=envoy → every Gateway of network",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a selector the tree cannot resolve (no Gateway of the namespace written here) is judged as written",
      base: policy("", "  targetSelectors: [{kind: Gateway, matchLabels: {app.kubernetes.io/name: envoy}}]\n"),
      head: policy(""),
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "→ every Gateway of network", riskFloor: "medium-high" }],
    },
    {
      name: "a Gateway named outright rewritten as a selector reaching it alone: the same Gateway",
      base: policy("", "  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: internal}]\n"),
      head: policy("", "  targetSelectors: [{kind: Gateway, matchLabels: {app.kubernetes.io/name: envoy}}]\n"),
      others: {
        base: [gateway("internal", true), gateway("external", false)],
        head: [gateway("internal", true), gateway("external", false)],
      },
      expected: [],
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

// Shaped after the home-ops Gateway-wide policy of billimek/k8s-gitops and a route's own beside it.
const GATEWAY_POLICY = `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: default, namespace: network}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: envoy-internal}]
  healthCheck: {passive: {consecutive5XxErrors: 3, interval: 10s, baseEjectionTime: 30s}}
  timeout: {http: {requestTimeout: 0s}}
`;
// The https listener's own policy: the request timeout disabled, no health checks.
const LISTENER_POLICY = GATEWAY_POLICY.replace("name: default", "name: https")
  .replace("name: envoy-internal}", "name: envoy-internal, sectionName: https}")
  .replace(/  healthCheck.*\n/, "");
const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: lattice, namespace: ai}
spec:
  parentRefs: [{name: envoy-internal, namespace: network, sectionName: https}]
  rules: [{backendRefs: [{name: lattice, port: 8080}]}]
`;
const routePolicy = (settings: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: lattice, namespace: ai}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: lattice}]
  compression: [{type: Gzip}]
${settings}`;

describe("Envoy Gateway BackendTrafficPolicy on a route: the most specific policy takes effect", () => {
  const around = { base: [resource(GATEWAY_POLICY), resource(ROUTE)], head: [resource(GATEWAY_POLICY), resource(ROUTE)] };
  detectorTable(
    backendTrafficPolicyDetector,
    around,
  )([
    {
      name: "a route's own policy without mergeType replaces its Gateway's: the route loses its health checks and disabled timeout",
      head: routePolicy(""),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec"],
          says: "for HTTPRoute ai/lattice, now under BackendTrafficPolicy ai/lattice (before: BackendTrafficPolicy network/default): timeout.http.requestTimeout (unset: the route's own timeout applies, else Envoy's 15s) none → 15s",
        },
        {
          class: "health.changed",
          side: "head",
          path: ["spec"],
          says: "healthCheck removed: endpoints are no longer checked",
        },
      ],
    },
    {
      name: "one removed hands the route back to its Gateway's policy: its health checks come back",
      base: routePolicy(""),
      expected: [
        {
          class: "health.changed",
          side: "base",
          path: ["spec"],
          says: "now under BackendTrafficPolicy network/default (before: BackendTrafficPolicy ai/lattice): healthCheck added",
        },
      ],
    },
    {
      name: "one removed whose timeout the Gateway's policy also disables is no finding (billimek/k8s-gitops 1b1e11c20)",
      base: routePolicy(
        "  timeout: {http: {requestTimeout: 0s}}\n  healthCheck: {passive: {consecutive5XxErrors: 3, interval: 10s, baseEjectionTime: 30s}}\n",
      ),
      expected: [],
    },
    {
      name: "one with mergeType keeps the Gateway's settings it does not set",
      head: routePolicy("  mergeType: StrategicMerge\n"),
      expected: [],
    },
    {
      name: "one with mergeType that shortens the timeout is judged on the merge",
      head: routePolicy("  mergeType: JSONMerge\n  timeout: {http: {requestTimeout: 5s}}\n"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "timeout", "http", "requestTimeout"],
          says: "now under BackendTrafficPolicy ai/lattice merged over BackendTrafficPolicy network/default (before: BackendTrafficPolicy network/default): timeout.http.requestTimeout none → 5s",
        },
      ],
    },
    {
      name: "the listener's own policy is closer than the Gateway's: a route policy replacing it takes only what the listener's gave",
      head: routePolicy(""),
      others: { base: [resource(LISTENER_POLICY)], head: [resource(LISTENER_POLICY)] },
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec"],
          says: "now under BackendTrafficPolicy ai/lattice (before: BackendTrafficPolicy network/https): timeout.http.requestTimeout",
        },
      ],
    },
  ]);
});

describe("Envoy Gateway BackendTrafficPolicy on a route that names no listener: under a listener's own policy where it comes in there", () => {
  // A 2s listener policy beside the Gateway's 0s: the route's own 0s removed leaves 2s on that
  // listener, which judging against the Gateway's 0s alone would miss.
  const listener = LISTENER_POLICY.replace("requestTimeout: 0s", "requestTimeout: 2s");
  const anyListener = resource(ROUTE.replace(", sectionName: https", ""));
  detectorTable(backendTrafficPolicyDetector, {
    base: [resource(GATEWAY_POLICY), resource(listener), anyListener],
    head: [resource(GATEWAY_POLICY), resource(listener), anyListener],
  })([
    {
      name: "no one policy applies to all of it: the route's policy is judged as written",
      base: routePolicy("  timeout: {http: {requestTimeout: 0s}}\n"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "base",
          path: ["spec", "timeout", "http", "requestTimeout"],
          says: "for HTTPRoute ai/lattice: timeout.http.requestTimeout (unset: the route's own timeout applies, else Envoy's 15s) none → 15s",
        },
      ],
    },
  ]);
});

describe("BackendTrafficPolicy selectors read the labels Flux's commonMetadata gives the Gateways", () => {
  const flux = (labels: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: envoy, namespace: network}
spec:
  interval: 30m
  path: ./apps/envoy
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  targetNamespace: network
${labels}`;
  const gateways = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: internal}
spec: {gatewayClassName: envoy, listeners: [{name: https, protocol: HTTPS, port: 443}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: external}
spec: {gatewayClassName: envoy, listeners: [{name: https, protocol: HTTPS, port: 443}]}
`;
  const tree = (labels: string, targets: string) => ({
    "clusters/main/envoy.yaml": flux(labels),
    "apps/envoy/gateways.yaml": gateways,
    "apps/envoy/policy.yaml": policy("", targets).trimStart(),
  });
  const SELECTOR = "  targetSelectors: [{kind: Gateway, matchLabels: {app.kubernetes.io/name: envoy}}]\n";
  const EVERY = "  targetSelectors: [{group: gateway.networking.k8s.io, kind: Gateway}]\n";

  it("every Gateway labelled by the Kustomization: a selector of that label rewritten as every Gateway moves nothing", () => {
    const common = "  commonMetadata:\n    labels: {app.kubernetes.io/name: envoy}\n";
    const result = analyze(tree(common, SELECTOR), tree(common, EVERY));
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "low"]]);
  });

  it("without it, the label selected no Gateway: every Gateway is a new target", () => {
    const result = analyze(tree("", SELECTOR), tree("", EVERY));
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["resource.changed", "medium-high"]]);
  });

  // Reviewer's c13: the release's chart, which the review does not render, may make a Gateway the rewritten selector picks.
  const COMMON = "  commonMetadata:\n    labels: {app.kubernetes.io/name: envoy}\n";
  const release = (namespace: string) => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: tenant-gateways}
spec:
  interval: 30m
  chart: {spec: {chart: tenant-gateways, sourceRef: {kind: HelmRepository, name: internal-charts}}}
${namespace ? `  targetNamespace: ${namespace}\n` : ""}`;
  const risks = (base: Record<string, string>, head: Record<string, string>) =>
    analyze(base, head).findings.map((finding) => [finding.class, finding.risk]);

  it("a HelmRelease installing in the namespace: the tree may not hold every Gateway there, judged as written", () => {
    const withRelease = (targets: string) => ({ ...tree(COMMON, targets), "apps/envoy/release.yaml": release("") });
    expect(risks(withRelease(SELECTOR), withRelease(EVERY))).toEqual([["resource.changed", "medium-high"]]);
    const elsewhere = (targets: string) => ({ ...tree(COMMON, targets), "apps/envoy/release.yaml": release("tenants") });
    expect(risks(elsewhere(SELECTOR), elsewhere(EVERY))).toEqual([["resource.changed", "low"]]);
  });

  it("a selector that reaches other namespaces, or a Gateway the tree may apply on another cluster: judged as written", () => {
    const everywhere = EVERY.replace("kind: Gateway}", "kind: Gateway, namespaces: {from: All}}");
    expect(risks(tree(COMMON, SELECTOR), tree(COMMON, everywhere))).toEqual([["resource.changed", "medium-high"]]);
    const loose = (targets: string) => ({
      ...tree(COMMON, targets),
      "loose/gateway.yaml": gateways
        .split("---")[0]!
        .replace("name: internal}", "name: spare, namespace: network, labels: {app.kubernetes.io/name: envoy}}"),
    });
    expect(risks(loose(SELECTOR), loose(EVERY))).toEqual([["resource.changed", "medium-high"]]);
  });
});
