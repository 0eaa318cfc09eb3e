import { byRules, type Family } from "../family.js";
import { flaggerCanaryRules, flaggerServices, withRolloutPlans } from "./flows.js";
import { progressiveDetector } from "./progressive.js";
import { analysisTemplateDetector } from "./analysis-templates.js";
import { rolloutReferenceDetector } from "./rollout-references.js";
import { rolloutRemovalDetector } from "./rollout-removal.js";
import * as progressive from "./schemas.js";

/** Progressive delivery: Flagger Canaries and Argo Rollouts, read as the weights they will set, and the analysis templates that gate them. */
export const progressiveFamily: Family = {
  name: "progressive",
  kinds: [
    [["flagger.app"], [["Canary", progressive.flaggerCanary]]],
    [
      ["argoproj.io"],
      [
        ["Rollout", progressive.argoRollout],
        // Its `{{args.x}}` placeholders are its own data, filled in by each analysis run.
        ["AnalysisTemplate", progressive.analysisTemplate, "own-templates"],
      ],
    ],
  ],
  ruleSources: { Canary: byRules(flaggerCanaryRules) },
  // A Canary names the gateways of the route it generates in its service block.
  attachmentFields: { "flagger.app": ["spec", "service"] },
  flowPlans: withRolloutPlans,
  madeServices: { Canary: flaggerServices },
  detectors: [progressiveDetector, analysisTemplateDetector, rolloutReferenceDetector, rolloutRemovalDetector],
  // A Rollout's routes, subsets and VirtualServices live in other families: renamed there, its reference breaks.
  detectsOn: { istio: [rolloutReferenceDetector], "gateway-api": [rolloutReferenceDetector] },
};
