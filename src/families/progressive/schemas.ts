import * as z from "zod";
import { duration, kubeObject, looseSpec, percent, port, stringList } from "../../core/kube-object.js";

/**
 * Progressive delivery: Flagger `Canary` (flagger.app/v1beta1) and Argo Rollouts `Rollout`
 * (argoproj.io/v1alpha1). Both set route weights over time, so the fields that make the step
 * plan are typed as their CRDs type them (a quoted `stepWeight: "10"` is refused there too).
 */

const weight = z.int().min(0).max(100);

const flaggerAnalysis = z.looseObject({
  interval: duration.optional(),
  threshold: z.int().min(0).optional(),
  iterations: z.int().min(0).optional(),
  stepWeight: weight.optional(),
  stepWeights: z.array(weight).optional(),
  stepWeightPromotion: weight.optional(),
  maxWeight: weight.optional(),
  mirror: z.boolean().optional(),
  mirrorWeight: weight.optional(),
  match: z.array(looseSpec).optional(),
  metrics: z.array(z.looseObject({ name: z.string() })).optional(),
  webhooks: z.array(z.looseObject({ name: z.string() })).optional(),
});

const gatewayRef = z.looseObject({ name: z.string(), namespace: z.string().optional(), sectionName: z.string().optional() });

export const flaggerCanary = kubeObject(
  z.looseObject({
    provider: z.string().optional(),
    targetRef: z.looseObject({ kind: z.string(), name: z.string() }),
    skipAnalysis: z.boolean().optional(),
    service: z.looseObject({
      name: z.string().optional(),
      port: port.optional(),
      hosts: stringList.optional(),
      gateways: stringList.optional(),
      gatewayRefs: z.array(gatewayRef).optional(),
      match: z.array(looseSpec).optional(),
      timeout: duration.optional(),
      retries: z.looseObject({ attempts: z.int().min(0).optional(), retryOn: z.string().optional() }).optional(),
      trafficPolicy: looseSpec.optional(),
    }),
    analysis: flaggerAnalysis.optional(),
    // The v1alpha3-era name of `analysis`, still served by v1beta1.
    canaryAnalysis: flaggerAnalysis.optional(),
  }),
);

const rolloutStep = z.looseObject({
  setWeight: weight.optional(),
  pause: z.looseObject({ duration: z.union([z.string(), z.int().min(0)]).optional() }).optional(),
  analysis: looseSpec.optional(),
  experiment: looseSpec.optional(),
  setCanaryScale: looseSpec.optional(),
  setHeaderRoute: looseSpec.optional(),
  setMirrorRoute: z.looseObject({ name: z.string(), percentage: percent.optional() }).optional(),
});

export const argoRollout = kubeObject(
  z.looseObject({
    strategy: z
      .looseObject({
        canary: z
          .looseObject({
            canaryService: z.string().optional(),
            stableService: z.string().optional(),
            steps: z.array(rolloutStep).optional(),
            trafficRouting: looseSpec.optional(),
            analysis: looseSpec.optional(),
          })
          .optional(),
        blueGreen: z
          .looseObject({
            activeService: z.string(),
            previewService: z.string().optional(),
            autoPromotionEnabled: z.boolean().optional(),
            autoPromotionSeconds: z.int().min(0).optional(),
            scaleDownDelaySeconds: z.int().min(0).optional(),
          })
          .optional(),
      })
      .optional(),
  }),
);

/** Argo Rollouts' AnalysisTemplate: its metrics by name, kept as read. */
export const analysisTemplate = kubeObject(
  z.looseObject({
    metrics: z
      .array(
        z.looseObject({
          name: z.string(),
          successCondition: z.string().optional(),
          failureCondition: z.string().optional(),
        }),
      )
      .optional(),
  }),
);

/** Flagger's MetricTemplate: the query (and the provider it asks) a Canary's metric names it by. */
export const metricTemplate = kubeObject(
  z.looseObject({
    query: z.string().optional(),
  }),
);
