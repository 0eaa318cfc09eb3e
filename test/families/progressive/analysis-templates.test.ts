import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const template = (metric: string) => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: success-rate, namespace: shop }
spec:
  metrics:
  - name: success-rate
    interval: 1m
${metric}    provider:
      prometheus:
        query: sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
`;
const GATE = "    successCondition: result[0] >= 0.95\n    failureLimit: 3\n";
const findingsOf = (head: string) =>
  analyze({ "t.yaml": template(GATE) }, { "t.yaml": head }).findings.map((finding) => [finding.class, finding.risk, finding.summary]);

describe("Argo Rollouts analysis templates gate canaries (argo-rollouts 778fce3)", () => {
  it("a pass condition rewritten or a failure limit raised is health.changed, high", () => {
    expect(findingsOf(template('    successCondition: "true"\n    failureLimit: 100\n'))).toEqual([
      [
        "health.changed",
        "high",
        "AnalysisTemplate shop/success-rate: metric success-rate successCondition result[0] >= 0.95 → true: which measurements pass the gate changes",
      ],
      [
        "health.changed",
        "high",
        "AnalysisTemplate shop/success-rate: metric success-rate failureLimit 3 → 100: more bad measurements pass before the analysis fails",
      ],
    ]);
  });

  it("a metric removed is health.changed; a limit lowered only gates harder", () => {
    const none = `apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: success-rate, namespace: shop }\nspec:\n  metrics: []\n`;
    expect(findingsOf(none).map(([cls]) => cls)).toEqual(["health.changed"]);
    expect(findingsOf(template(GATE.replace("failureLimit: 3", "failureLimit: 1"))).map(([cls, risk]) => [cls, risk])).toEqual([
      ["resource.changed", "low"],
    ]);
  });

  it("what a metric measures rewritten (a query that always passes), or the metric made a dry run, is health.changed", () => {
    const constant = template(GATE).replace(/query: .*/, "query: vector(1)");
    expect(findingsOf(constant)).toEqual([
      [
        "health.changed",
        "high",
        expect.stringMatching(
          /^AnalysisTemplate shop\/success-rate: metric success-rate provider prometheus.query .* → vector\(1\): it measures something else$/,
        ),
      ],
    ]);
    const dry = template(GATE).replace("spec:\n", "spec:\n  dryRun:\n  - metricName: success.*\n");
    expect(findingsOf(dry)).toEqual([
      [
        "health.changed",
        "high",
        "AnalysisTemplate shop/success-rate: metric success-rate now runs dry (spec.dryRun): its failures are recorded but no longer fail the analysis",
      ],
    ]);
  });

  it("a query rewrapped (a block scalar, lines folded elsewhere) is the same query", () => {
    const rewrapped = template(GATE).replace(
      /query: (.*)/,
      (_, query: string) => `query: |\n          ${query.replace(" / ", " /\n          ")}`,
    );
    expect(rewrapped).toContain("query: |");
    expect(findingsOf(rewrapped).map(([cls, risk]) => `${risk} ${cls}`)).toEqual(["low resource.changed"]);
  });

  it("fewer measurements, or the same ones closer together, measure less before the analysis passes: health.changed (ri-d21, ri-d22)", () => {
    const counted = (count: number, interval = "1m") =>
      template(`    count: ${count}\n${GATE}`).replace("interval: 1m", `interval: ${interval}`);
    const judged = (before: string, after: string) =>
      analyze({ "t.yaml": before }, { "t.yaml": after }).findings.map((finding) => [finding.class, finding.risk, finding.summary]);
    expect(judged(counted(5), counted(1))).toEqual([
      [
        "health.changed",
        "high",
        "AnalysisTemplate shop/success-rate: metric success-rate count 5 → 1: the analysis passes on fewer measurements; with failureLimit 3 it can never fail",
      ],
    ]);
    expect(judged(counted(10), counted(5))[0]?.[2]).toBe(
      "AnalysisTemplate shop/success-rate: metric success-rate count 10 → 5: the analysis passes on fewer measurements",
    );
    expect(judged(counted(5), counted(5, "5s"))).toEqual([
      [
        "health.changed",
        "high",
        "AnalysisTemplate shop/success-rate: metric success-rate interval 1m → 5s: its 5 measurements span less time before the analysis passes",
      ],
    ]);
    // More or longer measurements gate harder; one measurement takes no interval; without a count it measures until the run ends.
    for (const [before, after] of [
      [counted(5), counted(10)],
      [counted(5), counted(5, "5m")],
      [counted(1), counted(1, "5s")],
      [template(GATE), template(GATE).replace("interval: 1m", "interval: 5s")],
    ])
      expect(judged(before!, after!).map(([cls, risk]) => `${risk} ${cls}`)).toEqual(["low resource.changed"]);
  });

  it("a query reflowed is the same query: whitespace beside brackets and operators is layout, inside a string literal it is not (ri-h15)", () => {
    const query = (text: string) => template(GATE).replace(/query: .*/, `query: ${text}`);
    const literal =
      'sum(irate(\n          istio_requests_total{reporter="source",response_code!~"5.*"}[5m]\n          )) /\n          sum(irate(istio_requests_total[5m]))';
    const block = query(`|\n          ${literal}`);
    const folded = query(
      `>-\n          sum(irate(istio_requests_total{reporter="source",response_code!~"5.*"}[5m]))\n          /\n          sum(irate(istio_requests_total[5m]))`,
    );
    const judged = (after: string) =>
      analyze({ "t.yaml": block }, { "t.yaml": after }).findings.map((finding) => `${finding.risk} ${finding.class}`);
    expect(judged(folded)).toEqual(["low resource.changed"]);
    expect(judged(folded.replace('"5.*"', '"5 .*"'))).toEqual(["high health.changed"]);
    expect(judged(folded.replace("sum(irate(istio_requests_total[5m]))", "sum(irate(istio_requests_total[5m])) or vector(1)"))).toEqual([
      "high health.changed",
    ]);
  });

  it("a ClusterAnalysisTemplate is judged alike", () => {
    const cluster = (gate: string) =>
      template(gate).replace("kind: AnalysisTemplate", "kind: ClusterAnalysisTemplate").replace(", namespace: shop", "");
    const found = analyze({ "t.yaml": cluster(GATE) }, { "t.yaml": cluster(GATE.replace("failureLimit: 3", "failureLimit: 9")) }).findings;
    expect(found.map((finding) => [finding.class, finding.risk, finding.summary])).toEqual([
      [
        "health.changed",
        "high",
        "ClusterAnalysisTemplate success-rate: metric success-rate failureLimit 3 → 9: more bad measurements pass before the analysis fails",
      ],
    ]);
  });

  it("the same template reformatted is no finding", () => {
    expect(findingsOf(template(GATE).replace("interval: 1m", 'interval: "1m"'))).toEqual([]);
  });
});

describe("an AnalysisTemplate removed while a Rollout still names it", () => {
  const rollout = (analysis: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: checkout, namespace: shop }
spec:
  strategy:
    canary:
      steps:
      - setWeight: 20
      - analysis:
          templates:
${analysis}`;
  const removed = (analysis: string) =>
    analyze({ "t.yaml": template(GATE), "r.yaml": rollout(analysis) }, { "r.yaml": rollout(analysis) }).findings.map((finding) => [
      finding.class,
      finding.summary,
    ]);

  it("is reference.broken: Argo Rollouts marks the spec invalid (argo-rollouts' random-fail, deleted in the mutation sweep)", () => {
    expect(removed("          - templateName: success-rate\n")).toEqual([
      [
        "reference.broken",
        "AnalysisTemplate shop/success-rate: removed while Rollout shop/checkout still names it: its analysis finds no template, and Argo Rollouts marks the spec invalid and stops progressing it",
      ],
    ]);
  });

  it("a ClusterAnalysisTemplate of that name is another object: the removal is the plain change", () => {
    expect(removed("          - templateName: success-rate\n            clusterScope: true\n").map(([cls]) => cls)).toEqual([
      "resource.changed",
    ]);
  });

  it("a ClusterAnalysisTemplate removed while a Rollout of any namespace names it with clusterScope is reference.broken (ri-d34)", () => {
    const cluster = template(GATE).replace("kind: AnalysisTemplate", "kind: ClusterAnalysisTemplate").replace(", namespace: shop", "");
    const named = (analysis: string) =>
      analyze({ "t.yaml": cluster, "r.yaml": rollout(analysis) }, { "r.yaml": rollout(analysis) }).findings.map((finding) => [
        finding.class,
        finding.risk,
        finding.summary,
      ]);
    expect(named("          - templateName: success-rate\n            clusterScope: true\n")).toEqual([
      [
        "reference.broken",
        "high",
        "ClusterAnalysisTemplate success-rate: removed while Rollout shop/checkout still names it: its analysis finds no template, and Argo Rollouts marks the spec invalid and stops progressing it",
      ],
    ]);
    // A namespaced template of that name is another object.
    expect(named("          - templateName: success-rate\n").map(([cls]) => cls)).toEqual(["resource.changed"]);
  });
});

describe("a Flagger MetricTemplate's query", () => {
  const metric = (query: string) => `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: error-rate, namespace: istio-system }
spec:
  provider: { type: prometheus, address: "http://prometheus.istio-system:9090" }
  query: ${query}
`;
  it("removed or renamed while a Canary's metric names it is reference.broken: Flagger fails the check (fgw-d07)", () => {
    const canary = (templateRef: string) => `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: web, namespace: shop }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  service: { port: 80 }
  analysis:
    interval: 1m
    stepWeight: 10
    metrics:
    - name: errors
      templateRef: { ${templateRef} }
      thresholdRange: { max: 1 }
`;
    const current = metric("sum(rate(istio_requests_total{namespace='{{ namespace }}'}[{{ interval }}]))");
    const renamed = (templateRef: string) =>
      analyze(
        { "m.yaml": current, "c.yaml": canary(templateRef) },
        { "m.yaml": current.replace("name: error-rate", "name: error-rate-old"), "c.yaml": canary(templateRef) },
      ).findings.map((finding) => [finding.class, finding.risk, finding.summary]);
    expect(renamed("name: error-rate, namespace: istio-system")).toEqual([
      [
        "reference.broken",
        "high",
        "MetricTemplate istio-system/error-rate: removed while Canary shop/web still names it: that metric finds no template, so Flagger fails the check and rolls the canary back",
      ],
      ["resource.changed", "low", "MetricTemplate istio-system/error-rate-old added"],
    ]);
    // Without a namespace, templateRef names a template of the Canary's own namespace: not this one.
    expect(renamed("name: error-rate").map(([cls]) => cls)).toEqual(["resource.changed", "resource.changed"]);
  });

  it("rewritten, every canary metric naming it measures something else: health.changed", () => {
    const found = analyze(
      { "m.yaml": metric("sum(rate(istio_requests_total{namespace='{{ namespace }}'}[{{ interval }}]))") },
      { "m.yaml": metric("vector(0)") },
    ).findings;
    expect(found.map((finding) => [finding.class, finding.risk])).toEqual([["health.changed", "high"]]);
    expect(found[0]!.summary).toMatch(/→ vector\(0\): the canary metrics that name this template measure something else$/);
  });
});
