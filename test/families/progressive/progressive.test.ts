import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJson } from "../../../src/report/json-report.js";
import { renderMarkdown } from "../../../src/report/markdown-report.js";
import { analyze, review } from "../../helpers/review-trees.js";

/** Small excerpts of real public files (test/fixtures/real/README.md). */
const real = (name: string) => readFileSync(new URL(`../../fixtures/real/${name}`, import.meta.url), "utf8");
const virtualServiceOf = (text: string): string => text.split(/^---$/m).find((document) => /^kind: VirtualService$/m.test(document))!;

const findings = (result: ReturnType<typeof analyze>) => result.findings.map((f) => [f.class, f.risk, f.summary]);
const plans = (result: ReturnType<typeof analyze>) =>
  result.routeDiffs.map((d) => [d.status, d.head?.host ?? d.base?.host, d.base?.plan, d.head?.plan]);

/** A Flagger Canary written from the Flagger docs' field reference (spec.service, spec.analysis). */
const canary = ({ service = "", analysis = "stepWeight: 10\n    maxWeight: 30", top = "" } = {}) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: checkout, namespace: shop}
spec:
  provider: istio
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: checkout}
${top}
  service:
    port: 80
    hosts: [checkout.example.com]
    gateways: [istio-system/public-gateway]
${service}
  analysis:
    interval: 1m
    threshold: 5
    ${analysis}
    metrics:
    - {name: request-success-rate, thresholdRange: {min: 99}, interval: 1m}
    - {name: request-duration, thresholdRange: {max: 500}, interval: 1m}
`;

describe("Flagger Canary", () => {
  it("a new Canary is a route added on its hosts, with the step plan it will walk", () => {
    const result = analyze({}, { "canary.yaml": canary() });
    expect(findings(result)).toEqual([
      [
        "route.added",
        "medium",
        "checkout, checkout.example.com via Gateway istio-system/public-gateway: new rule → checkout-primary 100%, checkout-canary 0%; canary 0 → 10 → 20 → 30% (every 1m), then promotion",
      ],
    ]);
  });

  it("a larger maxWeight is one finding with the new step plan, and the route diff shows the plan moving", () => {
    const result = analyze({ "canary.yaml": canary() }, { "canary.yaml": canary({ analysis: "stepWeight: 10\n    maxWeight: 60" }) });
    expect(findings(result)).toEqual([
      [
        "backend.weight-changed",
        "medium-high",
        "Canary shop/checkout: analysis.maxWeight 30 → 60: step plan canary 0 → 10 → 20 → … → 60% (every 1m), then promotion",
      ],
    ]);
    expect(plans(result)).toContainEqual([
      "changed",
      "checkout.example.com",
      "canary 0 → 10 → 20 → 30% (every 1m), then promotion",
      "canary 0 → 10 → 20 → … → 60% (every 1m), then promotion",
    ]);
  });

  it("the interval paces the same weights: longer is only slower (low), shorter observes each step less (health.changed) (gitops-istio c25ca4d7)", () => {
    const paced = (interval: string) => canary().replace("interval: 1m", `interval: ${interval}`);
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": paced("2m") }))).toEqual([
      ["resource.changed", "low", "Canary shop/checkout: analysis.interval 1m → 2m"],
    ]);
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": paced("30s") }))).toEqual([
      [
        "health.changed",
        "high",
        "Canary shop/checkout: analysis.interval 1m → 30s: each step of the canary is observed for less time before it advances (step plan canary 0 → 10 → 20 → 30% (every 30s), then promotion)",
      ],
    ]);
  });

  it("walks stepWeight past maxWeight as Flagger's scheduler does, and stepWeights as listed", () => {
    const walk = (analysis: string) => analyze({}, { "canary.yaml": canary({ analysis }) }).routeDiffs[0]?.head?.plan;
    expect(walk("stepWeight: 20\n    maxWeight: 50")).toBe("canary 0 → 20 → 40 → 60% (every 1m), then promotion");
    expect(walk("stepWeights: [1, 5, 25, 80]")).toBe("canary 0 → 1 → 5 → 25 → 80% (every 1m), then promotion");
    expect(walk("iterations: 10")).toBe("canary 0% (tested) for 10 checks (every 1m), then promotion");
  });

  it("skipAnalysis true is high: the canary is promoted without checks", () => {
    const result = analyze({ "canary.yaml": canary() }, { "canary.yaml": canary({ top: "  skipAnalysis: true" }) });
    expect(findings(result)).toEqual([
      [
        "health.changed",
        "high",
        "Canary shop/checkout: skipAnalysis true: the canary is promoted at once, without metrics, webhooks or rollback",
      ],
    ]);
  });

  it("trafficPolicy TLS DISABLE, shorter timeouts and other service fields are each reported once", () => {
    const service =
      "    trafficPolicy: {tls: {mode: DISABLE}}\n    timeout: 5s\n    corsPolicy: {allowOrigins: [{exact: https://shop.example.com}]}";
    const result = analyze({ "canary.yaml": canary() }, { "canary.yaml": canary({ service }) });
    expect(findings(result)).toEqual([
      [
        "mtls.weakened",
        "critical",
        "Canary shop/checkout: service.trafficPolicy.tls.mode (unset) → DISABLE: traffic to the primary and the canary is sent in plaintext",
      ],
      ["retry-timeout.changed", "medium-high", "Canary shop/checkout: service.timeout none → 5s: slow requests fail sooner"],
      ["resource.changed", "low", "Canary shop/checkout: service.corsPolicy (unset) → {allowOrigins=[{exact=https://shop.example.com}]}"],
    ]);
  });

  it("rewrite and CORS are judged as the generated VirtualService rule's own", () => {
    const rewritten = (uri: string) =>
      canary({ service: `    rewrite: {uri: ${uri}}\n    corsPolicy: {allowOrigins: [{exact: https://shop.example.com}]}` });
    expect(findings(analyze({ "canary.yaml": rewritten("/") }, { "canary.yaml": rewritten("/v2/") }))).toEqual([
      ["route.match-changed", "medium-high", "Canary shop/checkout: service: rewrite uri / → /v2/"],
    ]);
    const everyOrigin = rewritten("/").replace("{exact: https://shop.example.com}", "{regex: '.*'}");
    expect(findings(analyze({ "canary.yaml": rewritten("/") }, { "canary.yaml": everyOrigin }))).toEqual([
      [
        "access.widened",
        "high",
        "Canary shop/checkout: service: CORS allows every origin (regex:.*): scripts on any site can read its responses",
      ],
    ]);
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": rewritten("/") })).map(([c, , summary]) => [c, summary])).toEqual(
      [
        [
          "route.match-changed",
          "Canary shop/checkout: service: rewrite added ({uri=/}): requests reach backends with a rewritten host or path",
        ],
        ["resource.changed", "Canary shop/checkout: service.corsPolicy (unset) → {allowOrigins=[{exact=https://shop.example.com}]}"],
      ],
    );
  });

  it("a rewrite to the very prefix its match captures does nothing: dropping it is no route change (gitops-istio 96eda901)", () => {
    const identity = canary({ service: "    match:\n    - uri: {prefix: /}\n    rewrite: {uri: /}" });
    const dropped = canary({ service: "    match:\n    - uri: {prefix: /}" });
    expect(findings(analyze({ "canary.yaml": identity }, { "canary.yaml": dropped })).map(([c]) => c)).not.toContain("route.match-changed");
    const real = canary({ service: "    match:\n    - uri: {prefix: /api}\n    rewrite: {uri: /}" });
    const realDropped = canary({ service: "    match:\n    - uri: {prefix: /api}" });
    expect(findings(analyze({ "canary.yaml": real }, { "canary.yaml": realDropped })).map(([c]) => c)).toContain("route.match-changed");
  });

  it("hosts, gateways and match are route changes of the generated route", () => {
    const moved = canary().replace("gateways: [istio-system/public-gateway]", "gateways: [istio-system/internal-gateway]");
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": moved })).map(([c]) => c)).toEqual(["route.attachment-changed"]);
    // The generated VirtualService's one route given a match: the host's other paths are served nowhere.
    const matched = canary({ service: "    match:\n    - uri: {prefix: /checkout}" });
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": matched })).map(([c]) => c)).toEqual([
      "route.removed",
      "route.match-changed",
    ]);
  });

  it("A/B testing routes matching requests to the canary; mirroring and dropped metrics are reported", () => {
    const ab = canary({ analysis: "iterations: 10\n    match:\n    - headers: {x-canary: {exact: insider}}" });
    const added = analyze({}, { "canary.yaml": ab });
    expect(added.routeDiffs.map((d) => d.head?.plan)).toContain("canary 100% for 10 checks (every 1m), then promotion");
    const weakened = canary({ analysis: "stepWeight: 10\n    maxWeight: 30\n    mirror: true" }).replace(
      / {4}- \{name: request-duration.*\n/,
      "",
    );
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": weakened }))).toEqual([
      [
        "mirror.changed",
        "high",
        "Canary shop/checkout: analysis.mirror: mirror to the canary added (100% of requests); the rule takes writes (no method match), so mirrored writes are duplicated",
      ],
      [
        "health.changed",
        "high",
        "Canary shop/checkout: analysis checks metrics request-duration removed: the canary is promoted on fewer or different checks",
      ],
    ]);
  });

  it("analysis.mirror is the generated rule's mirror: high where the rule takes writes, as a VirtualService's (fbg-d02, fbg-d06)", () => {
    const mirrored = (mirror: string, service = "") => canary({ service, analysis: `iterations: 10${mirror}` });
    const judged = (before: string, after: string, service?: string) =>
      findings(analyze({ "canary.yaml": mirrored(before, service) }, { "canary.yaml": mirrored(after, service) }));
    expect(judged("", "\n    mirror: true\n    mirrorWeight: 20")).toEqual([
      [
        "mirror.changed",
        "high",
        "Canary shop/checkout: analysis.mirror: mirror to the canary added (20% of requests); the rule takes writes (no method match), so mirrored writes are duplicated",
      ],
    ]);
    expect(judged("\n    mirror: true\n    mirrorWeight: 20", "\n    mirror: true")).toEqual([
      [
        "mirror.changed",
        "high",
        "Canary shop/checkout: analysis.mirror: mirror to the canary 20% → 100%; the rule takes writes (no method match), so mirrored writes are duplicated",
      ],
    ]);
    // A service match taking reads only: nothing mirrored is a write.
    const reads = "    match:\n    - method: {exact: GET}";
    expect(judged("", "\n    mirror: true", reads)).toEqual([
      ["mirror.changed", "medium", "Canary shop/checkout: analysis.mirror: mirror to the canary added (100% of requests)"],
    ]);
  });

  it("service.trafficPolicy is judged as the DestinationRules' policy Flagger copies it into (fi-d19, fi-d20)", () => {
    const policy = (fields: string) => canary({ service: `    trafficPolicy:\n${fields}` });
    const outlier = "      outlierDetection: {consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 60s}\n";
    const pool = (pending: number) => `      connectionPool: {http: {http1MaxPendingRequests: ${pending}}}\n`;
    const judged = (before: string, after: string) =>
      findings(analyze({ "canary.yaml": policy(before) }, { "canary.yaml": policy(after) }));
    expect(judged(outlier + pool(100), pool(100))).toEqual([
      [
        "health.changed",
        "high",
        "Canary shop/checkout: service.trafficPolicy outlierDetection removed: unhealthy endpoints are no longer ejected",
      ],
    ]);
    expect(judged(outlier + pool(100), outlier + pool(1))).toEqual([
      [
        "health.changed",
        "high",
        "Canary shop/checkout: service.trafficPolicy connectionPool lowered: http.http1MaxPendingRequests 100 → 1: requests over the limits overflow as 503s",
      ],
    ]);
    // A pool raised only admits more: the plain field change.
    expect(judged(outlier + pool(100), outlier + pool(200))).toEqual([
      ["resource.changed", "low", "Canary shop/checkout: service.trafficPolicy.connectionPool.http.http1MaxPendingRequests 100 → 200"],
    ]);
  });

  it("service.retries are judged as the generated VirtualService rule's retries (fi-d15, fi-d16, fi-d29)", () => {
    const retried = (retries: string) => canary({ service: `    retries: {${retries}}` });
    const judged = (before: string, after: string) =>
      findings(analyze({ "canary.yaml": retried(before) }, { "canary.yaml": retried(after) }));
    const base = "attempts: 3, retryOn: 'gateway-error,connect-failure', perTryTimeout: 2s";
    expect(judged(base, base.replace("'gateway-error", "'5xx,gateway-error"))).toEqual([
      [
        "retry-timeout.changed",
        "medium-high",
        "Canary shop/checkout: service: retries.retryOn adds 5xx: server errors are retried, which amplifies load on a failing backend",
      ],
    ]);
    expect(judged(base, base.replace("2s", "100ms"))).toEqual([
      [
        "retry-timeout.changed",
        "medium-high",
        "Canary shop/checkout: service: retries.perTryTimeout 2s → 100ms: requests slower than that now fail",
      ],
    ]);
    expect(judged(base, base.replace("connect-failure'", "connect-failure,reset,retriable-4xx'"))).toEqual([
      [
        "retry-timeout.changed",
        "medium-high",
        "Canary shop/checkout: service: retries.retryOn adds reset, retriable-4xx: requests the backend may already have acted on are retried, so writes can repeat",
      ],
    ]);
    // Unset, the generated rule retries as Istio does by default: twice.
    expect(findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": retried("attempts: 5") }))).toEqual([
      [
        "retry-timeout.changed",
        "medium-high",
        "Canary shop/checkout: service: retries.attempts 2 (Istio default) → 5: failures are retried more often, and retries multiply across layers",
      ],
    ]);
    expect(judged(base, base.replace("attempts: 3", "attempts: 1"))).toEqual([
      ["resource.changed", "low", "Canary shop/checkout: service.retries.attempts 3 → 1"],
    ]);
  });
});

describe("Flagger analysis checks", () => {
  const judged = (from: string, to: string) =>
    findings(analyze({ "canary.yaml": canary() }, { "canary.yaml": canary().replace(from, to) })).map(
      ([found, risk]) => `${risk} ${found}`,
    );

  it("a metric's range narrowed (minimum raised, maximum lowered) checks more strictly: a low field change", () => {
    expect(judged("{min: 99}", "{min: 99.5}")).toEqual(["low resource.changed"]);
    expect(judged("{max: 500}", "{max: 250}")).toEqual(["low resource.changed"]);
  });

  it("a metric's range widened, or its bound dropped, promotes on weaker checks", () => {
    expect(judged("{min: 99}", "{min: 90}")).toEqual(["high health.changed"]);
    expect(judged("{max: 500}", "{max: 2000}")).toEqual(["high health.changed"]);
    expect(judged("thresholdRange: {max: 500}", "thresholdRange: {}")).toEqual(["high health.changed"]);
    expect(judged("{min: 99}, interval: 1m", "{min: 99.5}, interval: 5m")).toEqual(["high health.changed"]);
  });
});

describe("Flagger step plans compared as the weights they walk", () => {
  const judged = (before: string, after: string) =>
    findings(analyze({ "canary.yaml": canary({ analysis: before }) }, { "canary.yaml": canary({ analysis: after }) })).map(
      ([found, risk, summary]) => `${risk} ${found}: ${summary}`,
    );

  it("the same weights written another way (stepWeights listed, maxWeight 100 written out) are a low field change", () => {
    expect(judged("stepWeight: 10\n    maxWeight: 30", "stepWeights: [10, 20, 30]")).toEqual([
      expect.stringMatching(/^low resource.changed: Canary shop\/checkout: analysis\.maxWeight 30 → \(unset\), analysis\.stepWeight 10/),
    ]);
    expect(judged("stepWeight: 25", "stepWeight: 25\n    maxWeight: 100")).toEqual([expect.stringMatching(/^low resource.changed/)]);
  });

  it("smaller steps to the same or a lower cap, or a longer interval, only slow the canary down: low (probe P02h)", () => {
    expect(judged("stepWeight: 10\n    maxWeight: 50", "stepWeight: 5\n    maxWeight: 50")).toEqual([
      "low resource.changed: Canary shop/checkout: analysis.stepWeight 10 → 5: step plan canary 0 → 5 → 10 → … → 50% (every 1m), then promotion: " +
        "no faster than before: at no moment does the canary take more of the traffic than under the old plan, nor, before promotion, a higher share than it ever did",
    ]);
    const risks = (before: string, after: string) => judged(before, after).map((line) => line.split(":")[0]);
    for (const slower of [
      "stepWeights: [5, 10, 20, 30]",
      "stepWeight: 5\n    maxWeight: 20",
      "stepWeight: 10\n    maxWeight: 30\n    stepWeightPromotion: 10",
    ])
      expect(risks("stepWeight: 10\n    maxWeight: 30", slower), slower).toEqual(["low resource.changed"]);
    // A mirrored tick first, on both sides: the weights still start together.
    expect(risks("stepWeight: 10\n    maxWeight: 30\n    mirror: true", "stepWeight: 5\n    maxWeight: 30\n    mirror: true")).toEqual([
      "low resource.changed",
    ]);
    // The promoted release takes all the traffic either way: the primary runs it before any of it moves there.
    expect(risks("stepWeight: 10\n    maxWeight: 30\n    stepWeightPromotion: 10", "stepWeight: 10\n    maxWeight: 30")).toEqual([
      "low resource.changed",
    ]);
    const paced = (interval: string, analysis: string) => canary({ analysis }).replace("interval: 1m", `interval: ${interval}`);
    const between = (before: string, after: string) =>
      findings(analyze({ "canary.yaml": before }, { "canary.yaml": after })).map(([found, risk]) => `${risk} ${found}`);
    // To the default cap, 100%: 95% before promotion is no more than the 100% the old plan gave it.
    expect(risks("stepWeight: 10", "stepWeight: 5")).toEqual(["low resource.changed"]);
    expect(between(canary({ analysis: "stepWeight: 10" }), paced("2m", "stepWeight: 5"))).toEqual(["low resource.changed"]);
  });

  it("larger steps, a higher cap, an earlier promotion or a shorter interval stay a weight change (probe P02d)", () => {
    const risks = (before: string, after: string) => judged(before, after).map((line) => line.split(":")[0]);
    for (const faster of [
      "stepWeight: 20\n    maxWeight: 30",
      // Reached later, but a higher share before promotion than the operator capped it at.
      "stepWeight: 10\n    maxWeight: 60",
      "stepWeight: 100\n    maxWeight: 100",
      // Promoted after two checks, not three.
      "stepWeight: 10\n    maxWeight: 20",
      "stepWeights: [5, 30]",
      "stepWeights: [15, 20, 30]",
    ])
      expect(risks("stepWeight: 10\n    maxWeight: 30", faster), faster).toEqual(["medium-high backend.weight-changed"]);
    const paced = (interval: string, analysis: string) => canary({ analysis }).replace("interval: 1m", `interval: ${interval}`);
    const between = (before: string, after: string) =>
      findings(analyze({ "canary.yaml": before }, { "canary.yaml": after })).map(([found, risk]) => `${risk} ${found}`);
    // As fast overall in half-size steps, but each step observed for 30s, not 1m.
    expect(between(canary({ analysis: "stepWeight: 10" }), paced("30s", "stepWeight: 5"))).toEqual(["medium-high backend.weight-changed"]);
    // An interval it cannot read is not known to be longer.
    expect(between(canary({ analysis: "stepWeight: 10" }), paced("${CANARY_INTERVAL}", "stepWeight: 5"))).toEqual([
      "medium-high backend.weight-changed",
    ]);
  });

  it("more A/B iterations only test longer; fewer promote after fewer checks", () => {
    const ab = (iterations: number) => `iterations: ${iterations}\n    match:\n    - headers: {x-canary: {exact: insider}}`;
    expect(judged(ab(10), ab(20))).toEqual([expect.stringMatching(/^low resource.changed/)]);
    expect(judged(ab(10), ab(5))).toEqual([
      "high health.changed: Canary shop/checkout: analysis.iterations 10 → 5: the canary is promoted after fewer checks (step plan canary 0% for 5 checks (every 1m), then promotion)",
    ]);
  });
});

describe("Flagger checks are told apart by what they check, not by their names", () => {
  const hooks = (webhooks: string) => canary({ analysis: `stepWeight: 10\n    maxWeight: 30\n    webhooks:\n${webhooks}` });
  const gate = (name: string, type = "confirm-promotion") => `    - {name: ${name}, type: ${type}, url: http://gate.flagger/approve}\n`;
  const judged = (before: string, after: string) =>
    findings(analyze({ "canary.yaml": hooks(before) }, { "canary.yaml": hooks(after) })).map(([found, risk]) => `${risk} ${found}`);

  it("a webhook renamed is the same check; one of two sharing a name removed is a check removed", () => {
    expect(judged(gate("release-gate"), gate("promotion-gate"))).toEqual(["low resource.changed"]);
    expect(judged(gate("checks", "pre-rollout") + gate("checks"), gate("checks"))).toEqual(["high health.changed"]);
  });

  const hook = (name: string, type: string | undefined, url: string) =>
    `    - {name: ${name}, ${type === undefined ? "" : `type: ${type}, `}url: ${url}}\n`;

  it("a notifying webhook (post-rollout, event) edited or removed changes who is told, not what is promoted: low (probe B f7)", () => {
    const notifiers = (host: string) =>
      hook("notify", "event", `http://event-recorder.${host}/`) + hook("announce", "post-rollout", `http://slack.${host}/`);
    const load = hook("load-test", "rollout", "http://loadtester.test/");
    expect(judged(load + notifiers("test"), load + notifiers("monitoring"))).toEqual(["low resource.changed"]);
    expect(judged(load + notifiers("test"), load)).toEqual(["low resource.changed"]);
  });

  it("a gating webhook edited, removed or retyped to a notifying one is still a weaker gate: high", () => {
    // No type is Flagger's `rollout`; a rollback hook aborts the release on demand.
    for (const type of [
      undefined,
      "rollout",
      "pre-rollout",
      "confirm-rollout",
      "confirm-promotion",
      "confirm-traffic-increase",
      "rollback",
    ]) {
      const before = hook("gate", type, "http://gate.test/");
      expect(judged(before, hook("gate", type, "http://gate.elsewhere/")), `${type} edited`).toEqual(["high health.changed"]);
      expect(
        judged(before + hook("notify", "event", "http://e.test/"), hook("notify", "event", "http://e.test/")),
        `${type} removed`,
      ).toEqual(["high health.changed"]);
    }
    expect(judged(hook("gate", "confirm-promotion", "http://gate.test/"), hook("gate", "post-rollout", "http://gate.test/"))).toEqual([
      "high health.changed",
    ]);
    // A notifier made a gate only adds a check.
    expect(judged(hook("gate", "event", "http://gate.test/"), hook("gate", "confirm-promotion", "http://gate.test/"))).toEqual([
      "low resource.changed",
    ]);
  });
});

describe("Flagger A/B testing", () => {
  const ab = (header: string) => canary({ analysis: `iterations: 10\n    match:\n    - headers: {${header}}` });
  const judged = (before: string, after: string) =>
    findings(analyze({ "canary.yaml": ab(before) }, { "canary.yaml": ab(after) })).map(([found, risk, summary]) => [found, risk, summary]);

  it("a match taking any value of its headers sends every request carrying them to the canary for the whole test: high", () => {
    expect(judged("x-canary: {exact: insider}", "user-agent: {regex: '.*'}")).toEqual([
      [
        "route.match-changed",
        "high",
        expect.stringMatching(
          /rule now captures PathPrefix \/, header user-agent~\.\* \(was PathPrefix \/, header x-canary=insider\): its test of user-agent takes any value, so every request carrying it is captured$/,
        ),
      ],
    ]);
    expect(judged("x-canary: {exact: insider}", "x-canary: {prefix: ''}").map(([found, risk]) => [found, risk])).toEqual([
      ["route.match-changed", "high"],
    ]);
  });

  it("one of several match alternatives taking any value is enough: they are ORed", () => {
    const either = (header: string) =>
      canary({
        analysis: `iterations: 10\n    match:\n    - headers: {cookie: {regex: '^(.*?;)?(canary=always)(;.*)?$'}}\n    - headers: {${header}}`,
      });
    const result = analyze({ "canary.yaml": either("x-canary: {exact: insider}") }, { "canary.yaml": either("user-agent: {regex: '.*'}") });
    expect(findings(result).map(([found, risk]) => [found, risk])).toEqual([["route.match-changed", "high"]]);
  });

  it("another value, a pattern taking some values, or a match that took all already is a medium-high match change", () => {
    const risks = (before: string, after: string) => judged(before, after).map(([found, risk]) => [found, risk]);
    expect(risks("x-canary: {exact: insider}", "x-canary: {exact: beta}")).toEqual([["route.match-changed", "medium-high"]]);
    expect(risks("x-canary: {exact: insider}", "cookie: {regex: '^(.*?;)?(canary=always)(;.*)?$'}")).toEqual([
      ["route.match-changed", "medium-high"],
    ]);
    expect(risks("x-canary: {regex: '.*'}", "x-canary: {regex: '.+'}")).toEqual([["route.match-changed", "medium-high"]]);
  });
});

describe("Argo Rollouts Rollout (argo-rollouts test/e2e and examples)", () => {
  const hostSplit = real("argo-rollouts-istio-host-split.yaml");

  it("the VirtualService a Rollout rewrites carries its step plan; a larger first step without a pause is one finding", () => {
    const faster = hostSplit.replace("      - setWeight: 10\n      - pause: {}", "      - setWeight: 50");
    const result = analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": faster });
    expect(findings(result)).toEqual([
      [
        "backend.weight-changed",
        "medium-high",
        "Rollout default/istio-host-split: step plan canary 0 → 50 → 100% (first step 10 → 50%; pauses 1 → 0) (was: canary 0 → 10 (pause until promoted) → 100%)",
      ],
    ]);
    expect(plans(result)).toEqual([
      [
        "changed",
        "istio-host-split.default",
        "canary 0 → 10 (pause until promoted) → 100% (Rollout default/istio-host-split)",
        "canary 0 → 50 → 100% (Rollout default/istio-host-split)",
      ],
    ]);
  });

  it("a route, subset or VirtualService the Rollout shifts traffic through, renamed or missing, is reference.broken", () => {
    const subsetSplit = real("argo-rollouts-istio-subset-split.yaml");
    const broken = (head: string) =>
      analyze({ "rollout.yaml": subsetSplit }, { "rollout.yaml": head })
        .findings.filter((finding) => finding.class === "reference.broken")
        .map((finding) => finding.summary);
    expect(broken(subsetSplit.replace("  - name: primary\n", "  - name: main\n"))).toEqual([
      "VirtualService default/istio-subset-split-vsvc: Rollout default/istio-subset-split shifts traffic through it, and VirtualService default/istio-subset-split-vsvc has no http route named primary: Argo Rollouts cannot set the canary's weight and the rollout stalls",
    ]);
    // Two references one edit breaks: one stalled rollout, one finding.
    expect(broken(subsetSplit.replace("canarySubsetName: canary", "canarySubsetName: preview"))).toEqual([
      "Rollout default/istio-subset-split: VirtualService default/istio-subset-split-vsvc http route primary has no destination for its " +
        "canary subset preview; DestinationRule default/istio-subset-split-destrule has no subset preview (its canarySubsetName): " +
        "Argo Rollouts cannot set the canary's weight and the rollout stalls",
    ]);
    // The route the Rollout shifts must hold both destinations: Argo Rollouts refuses one without the canary's.
    const withoutCanary = subsetSplit.replace(/ {4}- destination:\n {8}host: istio-subset-split\n {8}subset: canary\n.*\n/, "");
    expect(withoutCanary).not.toBe(subsetSplit);
    expect(broken(withoutCanary)).toEqual([
      "VirtualService default/istio-subset-split-vsvc: Rollout default/istio-subset-split shifts traffic through it, and VirtualService " +
        "default/istio-subset-split-vsvc http route primary has no destination for its canary subset canary: Argo Rollouts cannot set " +
        "the canary's weight and the rollout stalls",
    ]);
    const hostRenamed = hostSplit.replace(/host: istio-host-split-canary$/m, "host: istio-host-split-preview.default.svc.cluster.local");
    expect(hostRenamed).not.toBe(hostSplit);
    expect(
      analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": hostRenamed })
        .findings.filter((finding) => finding.class === "reference.broken")
        .map((finding) => finding.summary.split(": Argo")[0]!.split(", and ")[1]),
    ).toEqual([
      "VirtualService default/istio-host-split-vsvc http route primary has no destination for its canary Service istio-host-split-canary",
    ]);
    // A qualified host is its first label, as Argo Rollouts reads it.
    const qualified = hostSplit.replace(/host: istio-host-split-canary$/m, "host: istio-host-split-canary.default.svc.cluster.local");
    expect(analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": qualified }).findings.map((f) => f.class)).not.toContain(
      "reference.broken",
    );
    expect(broken(subsetSplit.replace("            name: istio-subset-split-vsvc\n", "            name: elsewhere\n"))).toEqual([
      expect.stringContaining("VirtualService default/elsewhere does not exist"),
    ]);
    // Broken already at base: not this PR's.
    const already = subsetSplit.replace("  - name: primary\n", "  - name: main\n");
    expect(
      analyze({ "rollout.yaml": already }, { "rollout.yaml": already.replace("weight: 100", "weight: 90") }).findings.filter(
        (finding) => finding.class === "reference.broken",
      ),
    ).toEqual([]);
  });

  it("an HTTPRoute the Gateway API plugin shifts must keep a backendRef to the stable and the canary Service (rg-d07)", () => {
    const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: api, namespace: payments}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: registry.example.com/payments/api:3.1.4}]}
  strategy:
    canary:
      canaryService: api-canary
      stableService: api-stable
      trafficRouting:
        plugins:
          argoproj-labs/gatewayAPI: {httpRoute: api-route, namespace: payments}
      steps: [{setWeight: 10}, {pause: {duration: 2m}}]
`;
    const route = (backendRefs: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api-route, namespace: payments}
spec:
  parentRefs: [{name: gateway, namespace: istio-ingress}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [${backendRefs}]
`;
    const both = "{name: api-stable, port: 8080, weight: 100}, {name: api-canary, port: 8080, weight: 0}";
    const judged = (head: string) =>
      findings(analyze({ "rollout.yaml": rollout, "route.yaml": route(both) }, { "rollout.yaml": rollout, "route.yaml": head }));
    expect(judged(route("{name: api-stable, port: 8080, weight: 100}"))).toEqual([
      [
        "reference.broken",
        "high",
        "HTTPRoute payments/api-route: Rollout payments/api shifts traffic through it, and HTTPRoute payments/api-route has no backendRef " +
          "for its canary Service api-canary: Argo Rollouts cannot set the canary's weight and the rollout stalls",
      ],
    ]);
    // The plugin finds each Service in any rule of the route: one moved to a rule of its own still resolves.
    const split = route("{name: api-stable, port: 8080, weight: 100}") + "  - backendRefs: [{name: api-canary, port: 8080, weight: 0}]\n";
    expect(judged(split).map(([found]) => found)).not.toContain("reference.broken");
  });

  it("the objects a Rollout names are found where it is applied: in its cluster, or beside it when several files write them", () => {
    const subsetSplit = real("argo-rollouts-istio-subset-split.yaml");
    const broken = (base: Record<string, string>, head: Record<string, string>, overlay = "") =>
      analyze(base, head, overlay)
        .findings.filter((finding) => finding.class === "reference.broken")
        .map((finding) => finding.summary);
    // Each example folder writes the same Rollout and VirtualService (argoproj-labs'
    // Gateway API plugin repository: one folder a controller): a new folder breaks nothing.
    const one = { "examples/a/rollout.yaml": subsetSplit };
    expect(broken(one, { ...one, "examples/b/rollout.yaml": subsetSplit })).toEqual([]);
    // The copy beside the Rollout is the one it shifts: the other folder's route cannot stand in.
    const renamed = subsetSplit.replace("  - name: primary\n", "  - name: main\n");
    const vsOnly = (text: string) =>
      text
        .split(/^---$/m)
        .filter((d) => !/^kind: Rollout$/m.test(d))
        .join("---");
    const rolloutOnly = (text: string) => text.split(/^---$/m).find((d) => /^kind: Rollout$/m.test(d))!;
    const split = {
      "examples/a/routes.yaml": vsOnly(subsetSplit),
      "examples/a/rollout.yaml": rolloutOnly(subsetSplit),
      "examples/b/routes.yaml": vsOnly(subsetSplit),
      "examples/b/rollout.yaml": rolloutOnly(subsetSplit),
    };
    expect(broken(split, { ...split, "examples/b/routes.yaml": vsOnly(renamed) })).toEqual([
      expect.stringContaining("has no http route named primary"),
    ]);
    // And the plan a route carries is the one its own folder's Rollout walks (argo-rollouts 40c356c6).
    const slower = subsetSplit.replace("      - setWeight: 10\n", "      - setWeight: 5\n");
    expect(
      analyze({}, { "examples/a/rollout.yaml": subsetSplit, "examples/b/rollout.yaml": slower }).routeDiffs.map((d) => [
        d.head?.resourceKey.split("@")[1],
        d.head?.plan,
      ]),
    ).toEqual([
      ["examples/a/rollout.yaml", "canary 0 → 10 (pause until promoted) → 100% (Rollout default/istio-subset-split)"],
      ["examples/b/rollout.yaml", "canary 0 → 5 (pause until promoted) → 100% (Rollout default/istio-subset-split)"],
    ]);
    // Placed on clusters: each cluster's Rollout finds its own cluster's VirtualService ...
    const topology = 'topology:\n  clusters: {jkt-prod-1: jkt, sgp-prod-1: sgp}\n  placements: ["clusters/{cluster}/**"]\n';
    const clusters = { "clusters/jkt-prod-1/app.yaml": subsetSplit };
    expect(broken(clusters, { ...clusters, "clusters/sgp-prod-1/app.yaml": subsetSplit }, topology)).toEqual([]);
    // ... and not another's: the Rollout added to sgp without its VirtualService stalls there.
    expect(broken(clusters, { ...clusters, "clusters/sgp-prod-1/app.yaml": rolloutOnly(subsetSplit) }, topology)).toEqual([
      expect.stringContaining("VirtualService default/istio-subset-split-vsvc does not exist"),
    ]);
  });

  it("a Rollout removed while routes still send to its Services takes its pods with it, unless another workload runs them", () => {
    const [services, virtualService, rollout] = [
      hostSplit.split("---").slice(0, 2).join("---"),
      hostSplit.split("---")[2]!,
      hostSplit.split("---")[3]!,
    ];
    const kept = { "services.yaml": services, "vs.yaml": virtualService };
    const removed = analyze({ ...kept, "rollout.yaml": rollout }, kept);
    expect(findings(removed)).toEqual([
      [
        "resource.changed",
        "high",
        "Rollout default/istio-host-split: removed: its ReplicaSets and their pods are deleted with it, while VirtualService " +
          "default/istio-host-split-vsvc still sends traffic to Service default/istio-host-split-stable: no other workload of the tree " +
          "runs pods its selector picks, so those Services are left without endpoints and their requests fail",
      ],
    ]);
    // Moved back to a Deployment whose pods carry the Rollout's labels: the Services keep their endpoints.
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: istio-host-split }
spec:
  selector: { matchLabels: { app: istio-host-split } }
  template:
    metadata: { labels: { app: istio-host-split } }
    spec: { containers: [{ name: app, image: argoproj/rollouts-demo:blue }] }
`;
    const replaced = analyze({ ...kept, "rollout.yaml": rollout }, { ...kept, "deployment.yaml": deployment });
    expect(findings(replaced).map(([c, risk]) => [c, risk])).toEqual([["resource.changed", "low"]]);
    // Removed with everything that sent to it: nothing is left without endpoints.
    expect(
      findings(analyze({ ...kept, "rollout.yaml": rollout }, { "services.yaml": services })).filter(([, , summary]) =>
        String(summary).includes("pods are deleted"),
      ),
    ).toEqual([]);
  });

  it("a Rollout splitting by DestinationRule subsets, removed while routes still send to them, takes its pods with it (rs-d01)", () => {
    const subsetSplit = real("argo-rollouts-istio-subset-split.yaml");
    const documents = subsetSplit.split(/^---$/m);
    const kept = { "routing.yaml": documents.slice(0, 3).join("---") };
    expect(findings(analyze({ ...kept, "rollout.yaml": documents[3]! }, kept))).toEqual([
      [
        "resource.changed",
        "high",
        "Rollout default/istio-subset-split: removed: its ReplicaSets and their pods are deleted with it, while VirtualService " +
          "default/istio-subset-split-vsvc still sends traffic to Service default/istio-subset-split subset stable: no other workload of " +
          "the tree runs pods its selector picks, so those Services are left without endpoints and their requests fail",
      ],
    ]);
    // A route to another subset of the host, whose pods another workload runs, is not the Rollout's.
    const elsewhere = { "routing.yaml": kept["routing.yaml"].replace(/subset: stable/, "subset: v1") };
    expect(
      findings(analyze({ ...elsewhere, "rollout.yaml": documents[3]! }, elsewhere)).filter(([, , summary]) =>
        String(summary).includes("pods are deleted"),
      ),
    ).toEqual([]);
  });

  it("pointing trafficRouting at another VirtualService is route.attachment-changed", () => {
    const subsetSplit = real("argo-rollouts-istio-subset-split.yaml");
    const moved = subsetSplit.replace("            name: istio-subset-split-vsvc\n", "            name: istio-subset-split-vsvc-v2\n");
    // The VirtualService it moves to exists (one that does not is reference.broken: below).
    const other = {
      "vs-v2.yaml": virtualServiceOf(subsetSplit).replace("name: istio-subset-split-vsvc\n", "name: istio-subset-split-vsvc-v2\n"),
    };
    const result = analyze({ "rollout.yaml": subsetSplit, ...other }, { "rollout.yaml": moved, ...other });
    expect(findings(result)).toEqual([
      [
        "route.attachment-changed",
        "high",
        "Rollout default/istio-subset-split: traffic routing now VirtualService default/istio-subset-split-vsvc-v2 (routes primary); no longer VirtualService default/istio-subset-split-vsvc (routes primary): the weights are set on other routes or Services",
      ],
    ]);
  });

  it("a new Rollout takes over the weights of the route it names", () => {
    const result = analyze(
      { "vs.yaml": hostSplit.split("---").slice(0, 3).join("---") },
      { "vs.yaml": hostSplit.split("---").slice(0, 3).join("---"), "rollout.yaml": hostSplit.split("---")[3]! },
    );
    expect(findings(result)).toEqual([
      [
        "backend.weight-changed",
        "medium-high",
        "Rollout default/istio-host-split: added: sets the weights of VirtualService default/istio-host-split-vsvc (routes primary): step plan canary 0 → 10 (pause until promoted) → 100%",
      ],
    ]);
  });

  it("a plan that only adds pauses or analysis steps reaches the same weights, held as long or longer: no faster, low", () => {
    const judged = (head: string) => findings(analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": head }));
    // rollouts-plugin-trafficrouter-gatewayapi f83c1dcb: a pause added once the canary has all the traffic.
    expect(judged(hostSplit.replace("      - pause: {}\n", "      - pause: {}\n      - setWeight: 100\n      - pause: {}\n"))).toEqual([
      [
        "resource.changed",
        "low",
        "Rollout default/istio-host-split: step plan canary 0 → 10 (pause until promoted) → 100% (pause until promoted) (pauses 1 → 2) " +
          "(was: canary 0 → 10 (pause until promoted) → 100%): no faster than before: at no moment does the canary take more of the " +
          "traffic than under the old plan, nor, before promotion, a higher share than it ever did",
      ],
    ]);
    expect(
      judged(
        hostSplit.replace("      - pause: {}\n", "      - pause: {}\n      - analysis: {templates: [{templateName: success-rate}]}\n"),
      ),
    ).toEqual([["resource.changed", "low", expect.stringContaining(": no faster than before")]]);
    // A pause lengthened, or written another way (Argo reads a number, or a string of digits, as seconds).
    const paused = (duration?: string) =>
      hostSplit.replace("      - pause: {}\n", duration === undefined ? "      - pause: {}\n" : `      - pause: {duration: ${duration}}\n`);
    const between = (from?: string, to?: string) =>
      findings(analyze({ "rollout.yaml": paused(from) }, { "rollout.yaml": paused(to) })).map(([found, risk]) => [found, risk]);
    for (const [from, to] of [
      ["5m", "15m"],
      ["5m", "300"],
      ["5m", '"300s"'],
      ["300", "5m"],
      ["5m", undefined],
    ] as const)
      expect(between(from, to), `${from} → ${to}`).toEqual([["resource.changed", "low"]]);
    expect(between("15m", "5m")).toEqual([["backend.weight-changed", "medium-high"]]);
    // A pause it cannot read may have been longer than the one written now; one it cannot read now may be shorter.
    expect(between("later", "5m")).toEqual([["backend.weight-changed", "medium-high"]]);
    expect(between("5m", "later")).toEqual([["backend.weight-changed", "medium-high"]]);
    expect(between("later", undefined)).toEqual([["resource.changed", "low"]]);
    expect(between(undefined, "5m")).toEqual([["backend.weight-changed", "medium-high"]]);
    // An analysis moved ahead of the pause before it measures a canary that has hardly taken traffic: a plan change (ri-h05).
    const held = (holds: string) => hostSplit.replace("      - pause: {}\n", holds);
    const pauseThenAnalysis = held("      - pause: {duration: 10m}\n      - analysis: {templates: [{templateName: success-rate}]}\n");
    const analysisThenPause = held("      - analysis: {templates: [{templateName: success-rate}]}\n      - pause: {duration: 10m}\n");
    expect(
      findings(analyze({ "rollout.yaml": pauseThenAnalysis }, { "rollout.yaml": analysisThenPause })).map(([found, risk]) => [found, risk]),
    ).toEqual([["backend.weight-changed", "medium-high"]]);
    // Moved past the next weight, the pause holds another weight: a plan change.
    const pauseAfterFull = held(
      "      - analysis: {templates: [{templateName: success-rate}]}\n      - setWeight: 100\n      - pause: {duration: 10m}\n",
    );
    expect(
      findings(analyze({ "rollout.yaml": pauseThenAnalysis }, { "rollout.yaml": pauseAfterFull })).map(([found, risk]) => [found, risk]),
    ).toEqual([["backend.weight-changed", "medium-high"]]);
    // A pause taken out, shortened, or a higher weight before promotion (50 where it took 10 at most) is a plan change as before.
    for (const head of [
      hostSplit.replace("      - pause: {}\n", ""),
      hostSplit.replace("      - pause: {}\n", "      - pause: {duration: 10s}\n"),
      hostSplit.replace("      - pause: {}\n", "      - pause: {}\n      - setWeight: 50\n      - pause: {}\n"),
    ])
      expect(judged(head).map(([found, risk]) => [found, risk])).toEqual([["backend.weight-changed", "medium-high"]]);
  });

  it("finer weights on the way, each held, are no faster (as Flagger's smaller steps); reaching a weight sooner is a plan change", () => {
    const stepped = (steps: string) => hostSplit.replace("      - setWeight: 10\n      - pause: {}\n", steps);
    const base = stepped("      - setWeight: 20\n      - pause: {duration: 5m}\n");
    const judged = (head: string) =>
      findings(analyze({ "rollout.yaml": base }, { "rollout.yaml": stepped(head) })).map(([found, risk]) => [found, risk]);
    expect(judged("      - setWeight: 10\n      - pause: {duration: 5m}\n      - setWeight: 20\n      - pause: {duration: 5m}\n")).toEqual([
      ["resource.changed", "low"],
    ]);
    // Its analysis kept, later: still no faster.
    const checked = (steps: string) => `${steps}      - analysis: {templates: [{templateName: success-rate}]}\n`;
    expect(
      findings(
        analyze(
          { "rollout.yaml": stepped(checked("      - setWeight: 20\n      - pause: {duration: 5m}\n")) },
          {
            "rollout.yaml": stepped(
              checked("      - setWeight: 10\n      - pause: {duration: 5m}\n      - setWeight: 20\n      - pause: {duration: 5m}\n"),
            ),
          },
        ),
      ).map(([found, risk]) => [found, risk]),
    ).toEqual([["resource.changed", "low"]]);
    for (const head of [
      // All the traffic after 2m, not 5m.
      "      - setWeight: 10\n      - pause: {duration: 1m}\n      - setWeight: 20\n      - pause: {duration: 1m}\n",
      // 30% before promotion, where it took 20% at most.
      "      - setWeight: 10\n      - pause: {duration: 5m}\n      - setWeight: 30\n      - pause: {duration: 5m}\n",
      // The same weights and pauses, with an experiment of its own on the way.
      "      - setWeight: 10\n      - pause: {duration: 5m}\n      - setWeight: 20\n      - experiment: {templates: [{name: canary, specRef: canary}]}\n      - pause: {duration: 5m}\n",
    ])
      expect(judged(head), head).toEqual([["backend.weight-changed", "medium-high"]]);
  });

  it("a mirror step copies requests to the canary: mirror.changed, high when its match can take writes; the plan's first weight is still the first set", () => {
    const mirrored = (match: string) =>
      hostSplit.replace(
        "      - setWeight: 10\n",
        `      - setMirrorRoute: {name: shadow, percentage: 50, match: [${match}]}\n      - setWeight: 10\n`,
      );
    const writes = analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": mirrored("{method: {exact: POST}}") });
    expect(findings(writes)).toEqual([
      [
        "mirror.changed",
        "high",
        "Rollout default/istio-host-split: step 0 setMirrorRoute shadow: mirror to the canary added (50% of requests); its match can take writes, so mirrored writes are duplicated",
      ],
      [
        "backend.weight-changed",
        "medium-high",
        "Rollout default/istio-host-split: step plan canary 0 (mirror 50%) → 10 (pause until promoted) → 100% (was: canary 0 → 10 (pause until promoted) → 100%)",
      ],
    ]);
    // A step naming the mirror route with no match removes it: it mirrors nothing.
    const removal = hostSplit.replace("      - pause: {}\n", "      - pause: {}\n      - setMirrorRoute: {name: shadow}\n");
    expect(removal).not.toBe(hostSplit);
    expect(findings(analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": removal })).map(([found]) => found)).not.toContain(
      "mirror.changed",
    );
    const reads = analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": mirrored("{method: {exact: GET}}") });
    expect(findings(reads).map(([found, risk]) => [found, risk])).toEqual([
      ["backend.weight-changed", "medium-high"],
      ["mirror.changed", "medium"],
    ]);
  });

  it("a header route step sends what its match selects to the canary: a match taking any value is high, another match a match change", () => {
    const routed = (value: string) =>
      hostSplit.replace(
        "      - setWeight: 10\n",
        `      - setHeaderRoute: {name: by-header, match: [{headerName: user-agent, headerValue: ${value}}]}\n      - setWeight: 10\n`,
      );
    const judged = (before: string, after: string) =>
      findings(analyze({ "rollout.yaml": routed(before) }, { "rollout.yaml": routed(after) })).filter(
        ([found]) => found !== "resource.changed",
      );
    expect(judged("{exact: curl}", "{regex: '.*'}")).toEqual([
      [
        "backend.weight-changed",
        "high",
        "Rollout default/istio-host-split: step 0 setHeaderRoute by-header: every request carrying user-agent goes to the canary (its match takes any value), whatever weight the steps have reached",
      ],
    ]);
    expect(judged("{exact: curl}", "{prefix: ''}").map(([found, risk]) => [found, risk])).toEqual([["backend.weight-changed", "high"]]);
    expect(judged("{exact: curl}", "{prefix: Mozilla}")).toEqual([
      [
        "route.match-changed",
        "medium-high",
        expect.stringContaining("step 0 setHeaderRoute by-header: other requests go to the canary: match"),
      ],
    ]);
    // A pattern that takes some values only, or one already taking all, is no widening to all.
    expect(judged("{exact: curl}", "{regex: 'curl/.*'}").map(([found]) => found)).toEqual(["route.match-changed"]);
    expect(judged("{regex: '.*'}", "{regex: '.+'}").map(([found]) => found)).toEqual(["route.match-changed"]);
    // A step of the same name with no match removes the route later on: each step is compared with
    // its counterpart in order, not with the first of its name (rollouts-plugin-trafficrouter-gatewayapi
    // 6f7fb8f1 left both steps as they were and was read as a match removed).
    const setThenRemove = (value: string) =>
      routed(value).replace("      - pause: {}\n", "      - pause: {}\n      - setHeaderRoute: {name: by-header}\n");
    expect(setThenRemove("{exact: curl}")).not.toBe(routed("{exact: curl}"));
    expect(
      findings(analyze({ "rollout.yaml": setThenRemove("{exact: curl}") }, { "rollout.yaml": setThenRemove("{exact: curl}") + "\n" })),
    ).toEqual([]);
    expect(
      findings(analyze({ "rollout.yaml": setThenRemove("{exact: curl}") }, { "rollout.yaml": setThenRemove("{exact: wget}") }))
        .filter(([found]) => found !== "resource.changed")
        .map(([found, , summary]) => [found, String(summary).split(": match")[0]]),
    ).toEqual([
      ["route.match-changed", "Rollout default/istio-host-split: step 0 setHeaderRoute by-header: other requests go to the canary"],
    ]);
    const added = analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": routed("{regex: '.*'}") });
    expect(findings(added).map(([found, risk]) => [found, risk])).toEqual([
      ["backend.weight-changed", "high"],
      ["backend.weight-changed", "medium-high"],
    ]);
  });

  it("an image bump is not a traffic change beyond resource.changed", () => {
    const result = analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": hostSplit.replace("nginx:1.19-alpine", "nginx:1.27-alpine") });
    expect(findings(result).map(([c, r]) => [c, r])).toEqual([["resource.changed", "low"]]);
  });

  it("a background analysis that runs fewer templates, or none, gates less (argo-rollouts examples/rollout-background-analysis.yaml)", () => {
    const canary = (templates: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout, namespace: shop}
spec:
  strategy:
    canary:
      analysis:
        templates: [${templates}]
      steps: [{setWeight: 20}, {pause: {duration: 10m}}]
`;
    const both = "{templateName: success-rate}, {templateName: latency, clusterScope: true}";
    const classes = (before: string, after: string) =>
      findings(analyze({ "r.yaml": canary(before) }, { "r.yaml": canary(after) })).map(([cls, , summary]) => `${cls}: ${summary}`);
    expect(classes(both, "{templateName: success-rate}")).toEqual([
      "health.changed: Rollout shop/checkout: strategy.canary.analysis no longer runs ClusterAnalysisTemplate latency: the background analysis aborts the rollout on fewer or other checks while its weights rise",
    ]);
    expect(classes("{templateName: success-rate}", "")).toEqual([
      "health.changed: Rollout shop/checkout: strategy.canary.analysis runs no template now: no background analysis aborts the rollout while its weights rise",
    ]);
    // One more template gates harder, and a reordering is none.
    expect(classes("{templateName: success-rate}", both).filter((c) => c.startsWith("health"))).toEqual([]);
    expect(
      classes(both, "{templateName: latency, clusterScope: true}, {templateName: success-rate}").filter((c) => c.startsWith("health")),
    ).toEqual([]);
  });

  it("an analysis step or a blue-green analysis that gates less: a lax template swapped in, the stable Service measured, a later start", () => {
    const rollout = (strategy: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout, namespace: shop}
spec:
  strategy:
${strategy}`;
    const step = (template: string, service = "checkout-canary", start = "") => `    canary:
      analysis: {templates: [{templateName: error-budget}]${start}}
      steps:
      - setWeight: 20
      - analysis: {templates: [{templateName: ${template}}], args: [{name: service-name, value: ${service}}]}
`;
    const judged = (before: string, after: string) =>
      findings(analyze({ "r.yaml": rollout(before) }, { "r.yaml": rollout(after) })).map(
        ([cls, risk, summary]) => `${risk} ${cls}: ${summary}`,
      );
    expect(judged(step("success-rate"), step("smoke-ping"))).toEqual([
      "high health.changed: Rollout shop/checkout: steps[1].analysis no longer runs success-rate: the step lets the canary take its next weight on fewer or other checks",
    ]);
    expect(judged(step("success-rate"), step("success-rate", "checkout-stable"))).toEqual([
      "high health.changed: Rollout shop/checkout: steps[1].analysis its args service-name checkout-canary → checkout-stable: the step lets the canary take its next weight on fewer or other checks",
    ]);
    expect(
      judged(step("success-rate", "checkout-canary", ", startingStep: 1"), step("success-rate", "checkout-canary", ", startingStep: 2")),
    ).toEqual([
      "high health.changed: Rollout shop/checkout: strategy.canary.analysis starts at step 2 (was 1): the background analysis aborts the rollout on fewer or other checks while its weights rise",
    ]);
    // A template added beside it, or an earlier start, gates more.
    expect(
      judged(step("success-rate", "checkout-canary", ", startingStep: 2"), step("success-rate", "checkout-canary", ", startingStep: 1")),
    ).toEqual([expect.stringMatching(/^low resource.changed/)]);
    const blueGreen = (analysis: string) => `    blueGreen:
      activeService: checkout-active
      previewService: checkout-preview
${analysis}`;
    const prePromotion =
      "      prePromotionAnalysis: {templates: [{templateName: smoke}], args: [{name: service, value: checkout-preview}]}\n";
    expect(judged(blueGreen(prePromotion), blueGreen(""))).toEqual([
      "high health.changed: Rollout shop/checkout: strategy.blueGreen.prePromotionAnalysis removed: the preview is promoted without an analysis of it",
    ]);
    expect(judged(blueGreen(prePromotion), blueGreen(prePromotion.replace("checkout-preview", "checkout-active")))).toEqual([
      "high health.changed: Rollout shop/checkout: strategy.blueGreen.prePromotionAnalysis its args service checkout-preview → checkout-active: the preview is promoted on fewer or other checks",
    ]);
  });

  it("an analysis step removed gates less: health.changed, beside the plan it leaves (ri-d03, ri-d01)", () => {
    const checked = hostSplit.replace(
      "      - pause: {}\n",
      "      - pause: {}\n      - analysis: {templates: [{templateName: success-rate}]}\n      - setWeight: 50\n      - analysis: {templates: [{templateName: latency}]}\n",
    );
    const judged = (head: string) => findings(analyze({ "rollout.yaml": checked }, { "rollout.yaml": head }));
    expect(judged(checked.replace("      - analysis: {templates: [{templateName: success-rate}]}\n", ""))).toEqual([
      [
        "health.changed",
        "high",
        "Rollout default/istio-host-split: steps[2].analysis removed: the canary at 10% takes its next weight without this check",
      ],
      [
        "backend.weight-changed",
        "medium-high",
        "Rollout default/istio-host-split: step plan canary 0 → 10 (pause until promoted) → 50 (analysis) → 100% (analysis steps 2 → 1) " +
          "(was: canary 0 → 10 (pause until promoted, analysis) → 50 (analysis) → 100%)",
      ],
    ]);
    // Every step removed: each analysis is a check removed.
    expect(
      judged(checked.replace(/ {6}steps:\n(?: {6}- .*\n)+/, "")).map(([found, risk, summary]) => [
        found,
        risk,
        String(summary).split(": ")[1],
      ]),
    ).toEqual([
      ["health.changed", "high", "steps[2].analysis removed"],
      ["health.changed", "high", "steps[4].analysis removed"],
      [
        "backend.weight-changed",
        "medium-high",
        "step plan canary 0 → 100% at once (no steps) (first step 10 → 100%; pauses 1 → 0; analysis steps 2 → 0) (was",
      ],
    ]);
  });

  it("weights written on a route a Rollout shifts are put back by it at once: low, saying so", () => {
    const weighted = hostSplit.replace(/weight: 100/, "weight: 90").replace(/weight: 0/, "weight: 10");
    expect(weighted).not.toBe(hostSplit);
    expect(findings(analyze({ "rollout.yaml": hostSplit }, { "rollout.yaml": weighted }))).toEqual([
      [
        "resource.changed",
        "low",
        expect.stringMatching(
          /as written, but Rollout default\/istio-host-split sets these weights at run time and puts them back to its current step's$/,
        ),
      ],
    ]);
  });

  const blueGreen = (auto: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: checkout, namespace: shop}
spec:
  strategy:
    blueGreen:
      activeService: checkout-active
      previewService: checkout-preview
${auto}`;
  const promoted = (before: string, after: string) =>
    findings(analyze({ "r.yaml": blueGreen(before) }, { "r.yaml": blueGreen(after) })).map(([found, risk]) => `${risk} ${found}`);

  it("turning on blue-green auto promotion is high", () => {
    const result = analyze(
      { "r.yaml": blueGreen("      autoPromotionEnabled: false") },
      { "r.yaml": blueGreen("      autoPromotionEnabled: true") },
    );
    expect(findings(result)).toEqual([
      [
        "backend.weight-changed",
        "high",
        "Rollout shop/checkout: blueGreen.autoPromotionEnabled: blue-green: the preview takes 0 → 100% as soon as it is ready, without a manual promotion (was: blue-green: the preview takes 0 → 100% when promoted by hand)",
      ],
    ]);
    // The field defaults to true: dropping `false` promotes automatically too.
    expect(promoted("      autoPromotionEnabled: false", "")).toEqual(["high backend.weight-changed"]);
    expect(promoted("      autoPromotionEnabled: false\n      autoPromotionSeconds: 60", "      autoPromotionSeconds: 600")).toEqual([
      "high backend.weight-changed",
    ]);
  });

  it("turning blue-green auto promotion off only holds the preview until a person promotes it: low (argo-rollouts 74f5593366)", () => {
    expect(findings(analyze({ "r.yaml": blueGreen("") }, { "r.yaml": blueGreen("      autoPromotionEnabled: false") }))).toEqual([
      [
        "resource.changed",
        "low",
        "Rollout shop/checkout: step plan blue-green: the preview takes 0 → 100% when promoted by hand (was: blue-green: the preview takes 0 → 100% as soon as it is ready): promoted no sooner than before: by hand, or automatically after as long or longer",
      ],
    ]);
    expect(promoted("      autoPromotionSeconds: 30", "      autoPromotionEnabled: false\n      autoPromotionSeconds: 30")).toEqual([
      "low resource.changed",
    ]);
  });

  it("automatic promotion sooner is a weight change; later only holds longer", () => {
    expect(promoted("      autoPromotionSeconds: 300", "      autoPromotionSeconds: 30")).toEqual(["medium-high backend.weight-changed"]);
    expect(promoted("      autoPromotionSeconds: 300", "")).toEqual(["medium-high backend.weight-changed"]);
    expect(promoted("      autoPromotionSeconds: 30", "      autoPromotionSeconds: 300")).toEqual(["low resource.changed"]);
  });
});

describe("ExternalName Service", () => {
  const service = (type: string) => `apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec:
${type}`;
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: pay, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  rules:
  - backendRefs: [{name: payments, port: 443}]`;

  it("a Service turning ExternalName is high, naming the routes that send traffic to it", () => {
    const result = analyze(
      { "svc.yaml": service("  type: ClusterIP\n  ports: [{port: 443}]"), "route.yaml": route },
      { "svc.yaml": service("  type: ExternalName\n  externalName: payments.example.com"), "route.yaml": route },
    );
    expect(findings(result)).toEqual([
      [
        "resource.changed",
        "high",
        "Service shop/payments: its traffic now leaves the cluster for payments.example.com (type: ExternalName); routes sending traffic to it: HTTPRoute shop/pay",
      ],
    ]);
  });

  it("a changed externalName is high; a plain Service is never read", () => {
    const result = analyze(
      { "svc.yaml": service("  type: ExternalName\n  externalName: a.example.com") },
      { "svc.yaml": service("  type: ExternalName\n  externalName: b.example.com") },
    );
    expect(findings(result)).toEqual([
      ["resource.changed", "high", "Service shop/payments: its traffic now leaves the cluster for b.example.com (was a.example.com)"],
    ]);
    expect(analyze({}, { "svc.yaml": service("  type: ClusterIP") }).findings).toEqual([]);
  });

  it("an externalName that is a Service's cluster DNS name keeps the traffic in the cluster; a route that named the missing Service sends there now (nginx/kubernetes-ingress badb4897)", () => {
    const result = analyze(
      { "route.yaml": route },
      { "svc.yaml": service("  type: ExternalName\n  externalName: backend.external-ns.svc.cluster.local"), "route.yaml": route },
    );
    expect(findings(result)).toEqual([
      [
        "resource.changed",
        "high",
        "Service shop/payments: its traffic now goes to Service external-ns/backend, in the cluster (type: ExternalName); routes sending traffic to it: HTTPRoute shop/pay",
      ],
    ]);
  });

  it("a new ExternalName Service no route sends to moves nobody's traffic: low, as it would be added as a ClusterIP Service (m00nwtchr/homelab-cluster b5827be38f)", () => {
    const inCluster = analyze({}, { "svc.yaml": service("  type: ExternalName\n  externalName: interceptor.keda.svc.cluster.local") });
    expect(findings(inCluster)).toEqual([
      [
        "resource.changed",
        "low",
        "Service shop/payments: its traffic goes to Service keda/interceptor, in the cluster (type: ExternalName, a new Service nothing in the tree sends traffic to)",
      ],
    ]);
    const outside = analyze(
      { "route.yaml": route.replace("payments", "cart") },
      {
        "svc.yaml": service("  type: ExternalName\n  externalName: api.openai.com"),
        "route.yaml": route.replace("payments", "cart"),
      },
    );
    expect(findings(outside)).toEqual([
      [
        "resource.changed",
        "low",
        "Service shop/payments: its traffic leaves the cluster for api.openai.com (type: ExternalName, a new Service nothing in the tree sends traffic to)",
      ],
    ]);
  });

  it("a new ExternalName Service that an object the review reads no routes of names, or that external-dns publishes, is high", () => {
    const alias = service("  type: ExternalName\n  externalName: evil.example.net");
    const judged = (others: Record<string, string>, head = alias) =>
      findings(analyze(others, { ...others, "svc.yaml": head }))[0]?.slice(1);
    // A Gloo Edge Upstream in another namespace (serviceNamespace beside serviceName), a VirtualService's kube ref.
    const upstream = `apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: pay-up, namespace: gloo-system}\nspec:\n  kube: {serviceName: payments, serviceNamespace: shop, servicePort: 443}\n`;
    expect(judged({ "up.yaml": upstream })).toEqual([
      "high",
      "Service shop/payments: its traffic now leaves the cluster for evil.example.net (type: ExternalName); named by Upstream gloo-system/pay-up",
    ]);
    const kubeRef = `apiVersion: gateway.solo.io/v1\nkind: VirtualService\nmetadata: {name: web, namespace: gloo-system}\nspec:\n  virtualHost:\n    routes:\n    - routeAction: {single: {kube: {ref: {name: payments, namespace: shop}, port: 443}}}\n`;
    expect(judged({ "vs.yaml": kubeRef })?.[0]).toBe("high");
    // A k8gb Gslb's Ingress backend in the Service's namespace; an application calling its cluster name.
    const gslb = `apiVersion: k8gb.absa.oss/v1beta1\nkind: Gslb\nmetadata: {name: web, namespace: shop}\nspec:\n  ingress:\n    rules:\n    - host: shop.cloud.example.com\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: payments, port: {number: 443}}}}]}\n  strategy: {type: roundRobin}\n`;
    expect(judged({ "gslb.yaml": gslb })?.[0]).toBe("high");
    const caller = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout, namespace: web}\nspec:\n  template:\n    spec:\n      containers: [{name: app, env: [{name: PAYMENTS, value: "https://payments.shop.svc:443/charge"}]}]\n`;
    expect(judged({ "app.yaml": caller })?.[0]).toBe("high");
    // external-dns publishes an ExternalName Service's target as a CNAME under the names it gives.
    const published = alias.replace(
      "namespace: shop}",
      "namespace: shop, annotations: {external-dns.alpha.kubernetes.io/hostname: www.example.com}}",
    );
    expect(judged({}, published)).toEqual([
      "high",
      "Service shop/payments: its traffic now leaves the cluster for evil.example.net (type: ExternalName); external-dns publishes it as a CNAME to evil.example.net (external-dns.alpha.kubernetes.io/hostname: www.example.com)",
    ]);
  });

  it("the same name in another namespace, as another kind's reference, as a label or as an object's own name names nothing: low", () => {
    const alias = service("  type: ExternalName\n  externalName: interceptor.keda.svc.cluster.local");
    const others = {
      "elsewhere.yaml": `apiVersion: gloo.solo.io/v1\nkind: Upstream\nmetadata: {name: payments, namespace: gloo-system}\nspec:\n  kube: {serviceName: payments, serviceNamespace: billing}\n`,
      "hpa.yaml": `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: payments, namespace: shop, labels: {app: payments}}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: payments}\n`,
      "host.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: links, namespace: web}\ndata: {site: "https://payments.shop.example.com"}\n`,
    };
    expect(findings(analyze(others, { ...others, "svc.yaml": alias }))[0]?.[1]).toBe("low");
  });

  it("a Service no route sends to turning ExternalName is still high: clients in the cluster may call it by name", () => {
    const result = analyze(
      { "svc.yaml": service("  type: ClusterIP\n  ports: [{port: 443}]") },
      { "svc.yaml": service("  type: ExternalName\n  externalName: payments.example.com") },
    );
    expect(findings(result)).toEqual([
      [
        "resource.changed",
        "high",
        "Service shop/payments: its traffic now leaves the cluster for payments.example.com (type: ExternalName)",
      ],
    ]);
  });
});

describe("an ExternalName Service leaving ExternalName (mmalyska/home-ops 783571c77d)", () => {
  const ALIAS = `apiVersion: v1
kind: Service
metadata: {name: hass-proxy, namespace: default}
spec: {type: ExternalName, externalName: 192.168.50.9, ports: [{port: 8123}]}
`;
  const SELECTORLESS =
    "apiVersion: v1\nkind: Service\nmetadata: {name: hass-proxy, namespace: default}\nspec: {ports: [{name: hass-proxy, port: 8123}]}\n";
  const ENDPOINTS = `apiVersion: v1
kind: Endpoints
metadata: {name: hass-proxy, namespace: default}
subsets: [{addresses: [{ip: 192.168.50.9}], ports: [{name: hass-proxy, port: 8123}]}]
`;
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: hass, namespace: default}
spec:
  parentRefs: [{name: internal}]
  hostnames: [hass.example.net]
  rules:
  - backendRefs: [{name: hass-proxy, port: 8123}]
`;
  const judged = (head: Record<string, string>, others: Record<string, string> = { "route.yaml": route }) =>
    findings(analyze({ ...others, "svc.yaml": ALIAS }, { ...others, ...head }));

  it("for hand-written Endpoints is high, naming the routes, not 'removed': its traffic moves off the name it aliased", () => {
    expect(judged({ "svc.yaml": `${SELECTORLESS}---\n${ENDPOINTS}` })).toEqual([
      [
        "resource.changed",
        "high",
        "Service default/hass-proxy: no longer type ExternalName (now ClusterIP; svc.yaml): its traffic no longer leaves the cluster for " +
          "192.168.50.9 but goes to the addresses its hand-written Endpoints give (192.168.50.9); routes sending traffic to it: HTTPRoute default/hass",
      ],
    ]);
  });

  it("for a selector is high, for nothing high with the route's reference.broken; no route sends to it: high all the same, as becoming one is", () => {
    const selecting = SELECTORLESS.replace("spec: {", "spec: {type: NodePort, selector: {app: hass}, ");
    expect(judged({ "svc.yaml": selecting })).toEqual([
      [
        "resource.changed",
        "high",
        "Service default/hass-proxy: no longer type ExternalName (now NodePort; svc.yaml): its traffic no longer leaves the cluster for " +
          "192.168.50.9 but goes to the pods its selector app=hass picks; routes sending traffic to it: HTTPRoute default/hass",
      ],
    ]);
    expect(judged({ "svc.yaml": SELECTORLESS }).map(([found, risk]) => [found, risk])).toEqual([
      ["reference.broken", "high"],
      ["resource.changed", "high"],
    ]);
    expect(judged({ "svc.yaml": SELECTORLESS }, {})).toEqual([
      [
        "resource.changed",
        "high",
        "Service default/hass-proxy: no longer type ExternalName (now ClusterIP; svc.yaml): its traffic no longer leaves the cluster for " +
          "192.168.50.9 and nothing answers it: it selects no pods, and no Endpoints or EndpointSlices of the tree give it addresses",
      ],
    ]);
  });

  it("where no route sends to it, names the other objects that call it, not its own Endpoints; one deleted outright is still removed", () => {
    const caller = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: panel, namespace: default}\nspec:\n  template:\n    spec:\n      containers: [{name: app, env: [{name: HASS, value: "http://hass-proxy:8123"}]}]\n`;
    expect(judged({ "svc.yaml": `${SELECTORLESS}---\n${ENDPOINTS}` }, { "app.yaml": caller })[0]?.[2]).toMatch(
      /\(192\.168\.50\.9\); named by Deployment default\/panel$/,
    );
    expect(judged({}, {})).toEqual([["resource.changed", "low", "Service default/hass-proxy removed"]]);
  });
});

describe("reports show the step plan in the route diff", () => {
  it("renders the plan before and after beside the backends", () => {
    const base = { "canary.yaml": canary() };
    const head = { "canary.yaml": canary({ analysis: "stepWeight: 10\n    maxWeight: 60" }) };
    const markdown = renderMarkdown(review(base, head));
    expect(markdown).toContain(
      "plan: canary 0 → 10 → 20 → 30% (every 1m), then promotion → canary 0 → 10 → 20 → … → 60% (every 1m), then promotion",
    );
    expect(JSON.parse(renderJson(review(base, head))).routeDiffs[0].plan).toEqual({
      before: "canary 0 → 10 → 20 → 30% (every 1m), then promotion",
      after: "canary 0 → 10 → 20 → … → 60% (every 1m), then promotion",
    });
  });
});
