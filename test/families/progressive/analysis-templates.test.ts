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
});

describe("a Flagger MetricTemplate's query", () => {
  const metric = (query: string) => `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: error-rate, namespace: istio-system }
spec:
  provider: { type: prometheus, address: "http://prometheus.istio-system:9090" }
  query: ${query}
`;
  it("rewritten, every canary metric naming it measures something else: health.changed", () => {
    const found = analyze(
      { "m.yaml": metric("sum(rate(istio_requests_total{namespace='{{ namespace }}'}[{{ interval }}]))") },
      { "m.yaml": metric("vector(0)") },
    ).findings;
    expect(found.map((finding) => [finding.class, finding.risk])).toEqual([["health.changed", "high"]]);
    expect(found[0]!.summary).toMatch(/→ vector\(0\): the canary metrics that name this template measure something else$/);
  });
});
