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

/** A MultiClusterIngress backend: a MultiClusterService and its port (the Ingress v1beta1 spelling). */
const multiClusterBackend = z.looseObject({
  serviceName: z.string().min(1),
  servicePort: z.union([z.int().min(1).max(65535), z.string().min(1)]).optional(),
});

/** GKE MultiClusterIngress (networking.gke.io/v1): an Ingress-shaped `spec.template.spec` served by its own Google Cloud load balancer. */
export const multiClusterIngress = kubeObject(
  z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        backend: multiClusterBackend.optional(),
        tls: z.array(z.looseObject({ secretName: z.string().optional() })).optional(),
        rules: z
          .array(
            z.looseObject({
              host: z.string().optional(),
              http: z
                .looseObject({ paths: z.array(z.looseObject({ path: z.string().optional(), backend: multiClusterBackend })) })
                .optional(),
            }),
          )
          .optional(),
      }),
    }),
  }),
);

/** GKE MultiClusterService: the Service template derived in member clusters, and the clusters (`location/name`) that serve it (all when none is listed). */
export const multiClusterService = kubeObject(
  z.looseObject({
    template: z.looseObject({ spec: looseSpec.optional() }).optional(),
    clusters: z.array(z.looseObject({ link: z.string().min(1) })).optional(),
  }),
);

/** GKE Service Extensions: loose, as the API adds callout fields release by release. */
export const serviceExtension = kubeObject(
  z.looseObject({
    targetRefs: z.array(z.looseObject({})).optional(),
    extensionChains: z.array(z.looseObject({ name: z.string().optional(), extensions: z.array(z.looseObject({})).optional() })).optional(),
  }),
);

/** GKE Ingress's BackendConfig (cloud.google.com) and FrontendConfig (networking.gke.io): read loosely, their fields as the detectors need them. */
export const ingressConfig = kubeObject(looseSpec.optional());

/** The names a Google-managed certificate covers (at most 100, the API's bound). */
export const managedCertificate = kubeObject(z.looseObject({ domains: z.array(z.string()).max(100).optional() }));

/** GKE's authorization policy for the workloads or Gateways it targets (authz-policy.ts). */
export const gcpAuthzPolicy = kubeObject(
  z.looseObject({
    action: z.enum(["ALLOW", "DENY", "CUSTOM"]).optional(),
    httpRules: z.array(looseSpec).optional(),
    targetRefs: z.array(looseSpec).optional(),
    customProviders: looseSpec.optional(),
  }),
);
