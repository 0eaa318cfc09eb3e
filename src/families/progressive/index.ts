import { byRules, type Family } from "../family.js";
import { flaggerCanaryRules, flaggerServices, withRolloutPlans } from "./flows.js";
import { progressiveDetector } from "./progressive.js";
import { analysisTemplateDetector, metricTemplateDetector } from "./analysis-templates.js";
import { rolloutReferenceDetector } from "./rollout-references.js";
import { rolloutRemovalDetector } from "./rollout-removal.js";
import * as progressive from "./schemas.js";

/** Progressive delivery: Flagger Canaries and Argo Rollouts, read as the weights they will set, and the analysis templates that gate them. */
export const progressiveFamily: Family = {
  name: "progressive",
  kinds: [
    [
      ["flagger.app"],
      [
        ["Canary", progressive.flaggerCanary],
        // Its `{{ namespace }}`-style placeholders are its own data, filled in by Flagger for each canary.
        ["MetricTemplate", progressive.metricTemplate, "own-templates"],
      ],
    ],
    [
      ["argoproj.io"],
      [
        ["Rollout", progressive.argoRollout],
        // Its `{{args.x}}` placeholders are its own data, filled in by each analysis run.
        ["AnalysisTemplate", progressive.analysisTemplate, "own-templates"],
        ["ClusterAnalysisTemplate", progressive.analysisTemplate, ["own-templates", "cluster-scoped"]],
      ],
    ],
  ],
  // A Rollout's pods are no traffic config of the family: their env, args and Vault agent
  // annotations may hold Go templates of their own (`LOG_FORMAT: '{{.Time}} {{.Level}}'`).
  dataFields: {
    Rollout: [
      ["spec", "template", "spec"],
      ["spec", "template", "metadata", "annotations"],
    ],
  },
  ruleSources: { Canary: byRules(flaggerCanaryRules) },
  // A Canary names the gateways of the route it generates in its service block.
  attachmentFields: { "flagger.app": ["spec", "service"] },
  flowPlans: withRolloutPlans,
  madeServices: { Canary: flaggerServices },
  detectors: [progressiveDetector, analysisTemplateDetector, metricTemplateDetector, rolloutReferenceDetector, rolloutRemovalDetector],
  // A Rollout's routes, subsets and VirtualServices live in other families: renamed there, its reference breaks.
  detectsOn: { istio: [rolloutReferenceDetector], "gateway-api": [rolloutReferenceDetector] },
  controllerCharts: { serve: "canaries and rollouts", charts: ["flagger", "argo-rollouts"] },
};
