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

  it("the same template reformatted is no finding", () => {
    expect(findingsOf(template(GATE).replace("interval: 1m", 'interval: "1m"'))).toEqual([]);
  });
});
