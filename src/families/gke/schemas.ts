import * as z from "zod";
import { kubeObject, looseSpec } from "../../core/kube-object.js";

/** GKE Gateway policies (networking.gke.io): numeric knobs typed, the rest kept as read. */

const targetRef = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

const policy = <Default extends z.ZodType>(defaults: Default) =>
  kubeObject(
    z.looseObject({
      targetRef: targetRef.optional(),
      targetRefs: z.array(targetRef).optional(),
      default: defaults.optional(),
    }),
  );

const seconds = z.int().min(0).optional();

export const gcpBackendPolicy = policy(
  z.looseObject({ timeoutSec: seconds, maxRatePerEndpoint: z.int().min(0).optional(), backendPreference: z.string().optional() }),
);

export const healthCheckPolicy = policy(
  z.looseObject({
    checkIntervalSec: seconds,
    timeoutSec: seconds,
    healthyThreshold: z.int().min(0).optional(),
    unhealthyThreshold: z.int().min(0).optional(),
    config: looseSpec.optional(),
  }),
);

export const gcpGatewayPolicy = policy(
  z.looseObject({ sslPolicy: z.string().optional(), allowGlobalAccess: z.boolean().optional(), region: z.string().optional() }),
);

export const gcpTrafficDistributionPolicy = policy(
  z.looseObject({
    serviceLbAlgorithm: z.string().optional(),
    localityLbAlgorithm: z.string().optional(),
    failoverConfig: z.looseObject({ failoverHealthThreshold: z.int().min(0).max(100).optional() }).optional(),
    autoCapacityDrain: looseSpec.optional(),
  }),
);

export type HealthCheckPolicy = z.infer<typeof healthCheckPolicy>;
