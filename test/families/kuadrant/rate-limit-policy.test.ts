import { describe } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";
import { around } from "./fixtures.js";

const run = detectorTable(kuadrantFamily.detectors[0]!, around);

// kuadrant-operator's config/samples/kuadrant_v1_ratelimitpolicy.yaml, and its v1beta2 spelling of the same rate.
const policy = (limits: string, apiVersion = "kuadrant.io/v1") => `apiVersion: ${apiVersion}
kind: RateLimitPolicy
metadata: {name: toystore, namespace: toystore}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: toystore}
  limits:
${limits}`;
const TOYS = (limit: number, window = "1m") => `    toys:\n      rates: [{limit: ${limit}, window: ${window}}]\n`;

describe("Kuadrant RateLimitPolicy: Limitador's limits", () => {
  run([
    {
      name: "removed: the limits are lifted",
      base: policy(TOYS(50)),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: HTTPRoute toystore/toystore (api.toystore.example.com): limits toys are lifted",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "raised: more requests pass",
      base: policy(TOYS(50)),
      head: policy(TOYS(500)),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "toys", "rates"],
          says: "limit toys raised",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a longer window at the same count is a lower rate: lowered",
      base: policy(TOYS(50)),
      head: policy(TOYS(50, "1h")),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "toys", "rates"],
          says: "limit toys lowered",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "lowered: requests that passed may be refused",
      base: policy(TOYS(50)),
      head: policy(TOYS(5)),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "toys", "rates"],
          says: "limit toys lowered",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "v1beta2's duration and unit rewritten as v1's window: the same rate",
      base: policy("    toys:\n      rates: [{limit: 50, duration: 1, unit: minute}]\n", "kuadrant.io/v1beta2"),
      head: policy(TOYS(50)),
      expected: [],
    },
    {
      name: "v1beta2's selector/operator/value conditions rewritten as v1 predicates are the same conditions (kuadrant-operator a925273666)",
      base: policy(
        '    get-toy:\n      when: [{selector: request.method, operator: eq, value: "GET"}, {selector: request.path, operator: eq, value: "/toy"}]\n      rates: [{limit: 5, duration: 30, unit: second}]\n',
        "kuadrant.io/v1beta2",
      ),
      head: policy(
        `    get-toy:\n      when: [{predicate: "request.method == 'GET'"}, {predicate: "request.path == '/toy'"}]\n      rates: [{limit: 5, window: 30s}]\n`,
      ),
      expected: [],
    },
    {
      name: "a limit gains a condition: requests it leaves out are not limited",
      base: policy(TOYS(50)),
      head: policy(TOYS(50) + '      when: [{predicate: request.method == "POST"}]\n'),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "toys", "when"],
          says: "limit toys gains conditions",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "one limit removed of two",
      base: policy(TOYS(50) + "    writes:\n      rates: [{limit: 5, window: 10s}]\n"),
      head: policy(TOYS(50)),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "limits", "writes"],
          says: "limits writes removed",
          riskFloor: "medium-high",
        },
      ],
    },
  ]);
});

const gatewayLimits = (mode: string) => {
  const gateway = resource(`apiVersion: kuadrant.io/v1
kind: RateLimitPolicy
metadata: {name: gw-rlp, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  ${mode}:
    limits:
      global:
        rates: [{limit: 100, window: 1m}]
`);
  return { base: [gateway], head: [gateway] };
};

describe("Kuadrant RateLimitPolicy of a route: judged on the limits its requests meet, as Kuadrant merges its policies", () => {
  run([
    {
      name: "a route policy added under the Gateway's defaults replaces their limit: 100 a minute lifted (K6)",
      head: policy("    per-route:\n      rates: [{limit: 100000, window: 1s}]\n"),
      others: gatewayLimits("defaults"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits"],
          says: "added for HTTPRoute toystore/toystore (api.toystore.example.com), under the defaults of RateLimitPolicy ingress-gateway/gw-rlp: limits global removed",
          riskFloor: "medium-high",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-route"],
          says: "limits per-route added",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "raised under the Gateway's overrides: their limits apply, nothing changes",
      base: policy(TOYS(50)),
      head: policy(TOYS(5000)),
      others: gatewayLimits("overrides"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "under the overrides of RateLimitPolicy ingress-gateway/gw-rlp: the limits its requests meet stay the same",
        },
      ],
    },
  ]);
});

// kuadrant-operator's TokenRateLimitPolicy samples (kuadrant.io/v1alpha1): the same limits, counting LLM response tokens.
const tokens = (
  limits: string,
  target = "kind: HTTPRoute, name: toystore",
  name = "toystore",
  namespace = "toystore",
) => `apiVersion: kuadrant.io/v1alpha1
kind: TokenRateLimitPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  targetRef: {group: gateway.networking.k8s.io, ${target}}
${limits}`;
const FREE = (limit: number, window = "1m") =>
  `  limits:\n    free:\n      rates: [{limit: ${limit}, window: ${window}}]\n      when: [{predicate: "auth.identity.tier == 'free'"}]\n`;

describe("Kuadrant TokenRateLimitPolicy: token limits judged as RateLimitPolicy limits are", () => {
  run([
    {
      name: "removed: its token limits are lifted",
      base: tokens(FREE(20000)),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: HTTPRoute toystore/toystore (api.toystore.example.com): limits free are lifted",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "raised: more tokens are spent before any request is refused",
      base: tokens(FREE(20000)),
      head: tokens(FREE(200000)),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "free", "rates"],
          says: "limit free raised",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "the same rate in another window is no change",
      base: tokens(FREE(60000, "1m")),
      head: tokens(FREE(1000, "1s")),
      expected: [],
    },
    {
      name: "a route policy added under the Gateway's TokenRateLimitPolicy defaults replaces their limit",
      head: tokens("  limits:\n    per-route:\n      rates: [{limit: 10000000, window: 1m}]\n"),
      others: (() => {
        const gateway = resource(
          tokens(
            "  defaults:\n    limits:\n      global:\n        rates: [{limit: 100000, window: 1m}]\n",
            "kind: Gateway, name: prod-web",
            "gw-trlp",
            "ingress-gateway",
          ),
        );
        return { base: [gateway], head: [gateway] };
      })(),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits"],
          says: "under the defaults of TokenRateLimitPolicy ingress-gateway/gw-trlp: limits global removed",
          riskFloor: "medium-high",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-route"],
          says: "limits per-route added",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a route's TokenRateLimitPolicy beside the Gateway's RateLimitPolicy: the kinds do not merge, the request limits stay",
      head: tokens(FREE(20000)),
      others: gatewayLimits("defaults"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added for HTTPRoute toystore/toystore (api.toystore.example.com): requests over limits free are refused (429)",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

const gatewayPolicy = (mode: string, limit: number) => `apiVersion: kuadrant.io/v1
kind: RateLimitPolicy
metadata: {name: gw-rlp, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  ${mode}:
    limits:
      global:
        rates: [{limit: ${limit}, window: 1m}]
`;
const routeLimits = (() => {
  const own = resource(policy(TOYS(50)));
  return { base: [own], head: [own] };
})();

describe("Kuadrant RateLimitPolicy of a Gateway: judged on the routes it governs beside their own", () => {
  run([
    {
      name: "overrides of 1000 a minute added over the route's own 50: its limit is replaced, more requests pass",
      head: gatewayPolicy("overrides", 1000),
      others: routeLimits,
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added for Gateway ingress-gateway/prod-web (api.toystore.example.com): requests over limits global are refused (429)",
          riskFloor: "medium",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "overrides", "limits"],
          says: "for HTTPRoute toystore/toystore (api.toystore.example.com) through Gateway ingress-gateway/prod-web, with the defaults of RateLimitPolicy toystore/toystore: limits toys removed",
          riskFloor: "medium-high",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "overrides", "limits", "global"],
          says: "limits global added",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "the same as defaults: the route's own limit replaces them, the route meets the same limit",
      head: gatewayPolicy("defaults", 1000),
      others: routeLimits,
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added for Gateway ingress-gateway/prod-web (api.toystore.example.com): requests over limits global are refused (429)",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

// kuadrant-operator's doc/rate-limiting.md before and after a9252736 (v1beta2 spelling → v1's), per user on the admin paths.
const ADMIN_V1BETA2 = (rate = "{limit: 2, duration: 30, unit: second}", counter = "auth.identity.username", prefix = "/admin") =>
  `    per-admin:\n      rates: [${rate}]\n      counters: [${counter}]\n      when: [{selector: request.host, operator: eq, value: admin.toystore.com}, {selector: request.path, operator: startswith, value: "${prefix}"}]\n`;
const ADMIN_V1 = (path = "request.path.startsWith('/admin')") =>
  `    per-admin:\n      rates: [{limit: 2, window: 30s}]\n      counters: [{expression: auth.identity.username}]\n      when: [{predicate: "request.host == 'admin.toystore.com'"}, {predicate: "${path}"}]\n`;
const v1beta2 = (limits: string) => policy(limits, "kuadrant.io/v1beta2");
// A Gateway's limits in v1beta2, which knew no defaults or overrides: implicit defaults.
const GATEWAY_V1BETA2 = `apiVersion: kuadrant.io/v1beta2
kind: RateLimitPolicy
metadata: {name: gw-rlp, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  limits:
    global:
      rates: [{limit: 100, duration: 1, unit: minute}]
`;

describe("Kuadrant RateLimitPolicy migrated from v1beta2 to v1: judged on what the limits do, not how they are spelled", () => {
  run([
    {
      name: "counters named by selector rewritten as CEL expressions, startswith as startsWith(): the same limit",
      base: v1beta2(ADMIN_V1BETA2()),
      head: policy(ADMIN_V1()),
      expected: [],
    },
    {
      name: "the same migration raising the rate: still raised",
      base: v1beta2(ADMIN_V1BETA2("{limit: 1, duration: 30, unit: second}")),
      head: policy(ADMIN_V1()),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-admin", "rates"],
          says: "limit per-admin raised",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "the same migration counting per group instead of per user: still a rewritten limit",
      base: v1beta2(ADMIN_V1BETA2(undefined, "auth.identity.group")),
      head: policy(ADMIN_V1()),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-admin"],
          says: "limit per-admin rewritten",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "the same migration narrowing the path prefix: requests it leaves out are no longer limited",
      base: v1beta2(ADMIN_V1BETA2()),
      head: policy(ADMIN_V1("request.path.startsWith('/admin/v2')")),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-admin", "when"],
          says: "limit per-admin gains conditions",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "the same migration dropping a condition: the limit counts more requests",
      base: v1beta2(ADMIN_V1BETA2()),
      head: policy(
        "    per-admin:\n      rates: [{limit: 2, window: 30s}]\n      counters: [{expression: auth.identity.username}]\n      when: [{predicate: \"request.host == 'admin.toystore.com'\"}]\n",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "per-admin", "when"],
          says: "limit per-admin loses conditions",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a regular expression (matches) is not read as CEL: judged as written",
      base: v1beta2(
        '    toys:\n      rates: [{limit: 50, duration: 1, unit: minute}]\n      when: [{selector: request.path, operator: matches, value: "^/toy"}]\n',
      ),
      head: policy(TOYS(50) + "      when: [{predicate: \"request.path.matches('^/toy')\"}]\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "toys", "when"],
          says: "limit toys gains conditions",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a Gateway's v1beta2 limits (implicit defaults) moved under v1's defaults: the same",
      base: GATEWAY_V1BETA2,
      head: gatewayPolicy("defaults", 100),
      others: routeLimits,
      expected: [],
    },
    {
      name: "moved under overrides instead: they now replace the route's own limit",
      base: GATEWAY_V1BETA2,
      head: gatewayPolicy("overrides", 100),
      others: routeLimits,
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "overrides"], says: "defaults → overrides", riskFloor: "medium" },
        { class: "resource.changed", side: "base", path: ["spec", "limits"], says: "limits toys removed", riskFloor: "medium-high" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "overrides", "limits", "global"],
          says: "limits global added",
          riskFloor: "medium",
        },
      ],
    },
    {
      // ba484cc2 / 30a7a147: routeSelectors chose HTTPRoute rules (by their matches, hostnames and precedence), not requests.
      name: "routeSelectors replaced by predicates on path and method: judged as written, not assumed equal",
      base: v1beta2(
        "    get-toy:\n      rates: [{limit: 5, duration: 30, unit: second}]\n      routeSelectors: [{matches: [{path: {type: Exact, value: /toy}, method: GET}]}]\n",
      ),
      head: policy(
        "    get-toy:\n      rates: [{limit: 5, window: 30s}]\n      when: [{predicate: \"request.method == 'GET'\"}, {predicate: \"request.path == '/toy'\"}]\n",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "limits", "get-toy", "when"],
          says: "limit get-toy gains conditions",
          riskFloor: "medium-high",
        },
      ],
    },
  ]);
});
