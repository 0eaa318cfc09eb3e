import * as z from "zod";
import { duration, kubeObject, looseSpec, port, stringList, stringMap } from "../../core/kube-object.js";

/** Gloo Platform 2.x: destinations and their weights typed (they are traffic), policies loosely. */

const objectRef = z.looseObject({ name: z.string(), namespace: z.string().optional(), cluster: z.string().optional() });

const glooDestination = z.looseObject({
  ref: objectRef.optional(),
  kind: z.string().optional(),
  port: z.looseObject({ number: port.optional(), name: z.string().optional() }).optional(),
  subset: stringMap.optional(),
  /** Gloo requires the weights of one forwardTo to sum to 100. */
  weight: z.int().min(0).max(100).optional(),
});

export const routeTable = kubeObject(
  z.looseObject({
    hosts: stringList.optional(),
    virtualGateways: z.array(objectRef).optional(),
    workloadSelectors: z.array(looseSpec).optional(),
    defaultDestination: glooDestination.optional(),
    /** Delegation priority, not a traffic weight. */
    weight: z.int().optional(),
    http: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          labels: stringMap.optional(),
          matchers: z.array(looseSpec).optional(),
          forwardTo: z.looseObject({ destinations: z.array(glooDestination).optional() }).optional(),
        }),
      )
      .optional(),
  }),
);

export const virtualDestination = kubeObject(
  z.looseObject({
    hosts: stringList.optional(),
    services: z.array(looseSpec).optional(),
    ports: z.array(z.looseObject({ number: port, protocol: z.string().optional() })).optional(),
  }),
);

export const virtualGateway = kubeObject(
  z.looseObject({ workloads: z.array(looseSpec).optional(), listeners: z.array(z.looseObject({ port: looseSpec.optional() })).optional() }),
);

/** Hosts outside the mesh that routes forward to (`kind: EXTERNAL_SERVICE`); Gloo registers them as a ServiceEntry. */
export const externalService = kubeObject(
  z.looseObject({
    hosts: stringList.optional(),
    addresses: stringList.optional(),
    ports: z.array(z.looseObject({ number: port, protocol: z.string().optional() })).optional(),
  }),
);

const policy = <Config extends z.ZodType>(config: Config) =>
  kubeObject(
    z.looseObject({
      applyToDestinations: z.array(looseSpec).optional(),
      applyToRoutes: z.array(looseSpec).optional(),
      config: config.optional(),
    }),
  );

export const failoverPolicy = policy(
  z.looseObject({
    localityMappings: z
      .array(z.looseObject({ from: looseSpec, to: z.array(z.looseObject({ weight: z.int().min(0).optional() })) }))
      .optional(),
    priorityLabels: looseSpec.optional(),
  }),
);

export const outlierDetectionPolicy = policy(
  z.looseObject({
    consecutiveErrors: z.int().min(0).optional(),
    consecutiveGatewayErrors: z.int().min(0).optional(),
    interval: duration.optional(),
    baseEjectionTime: duration.optional(),
    maxEjectionPercent: z.int().min(0).max(100).optional(),
  }),
);

export const retryTimeoutPolicy = policy(
  z.looseObject({
    retries: z
      .looseObject({
        attempts: z.int().min(0).optional(),
        perTryTimeout: duration.optional(),
        retryRemoteLocalities: z.boolean().optional(),
      })
      .optional(),
    requestTimeout: duration.optional(),
  }),
);

const fault = z.looseObject({ percentage: z.number().min(0).max(100).optional() });

export const faultInjectionPolicy = policy(z.looseObject({ abort: fault.optional(), delay: fault.optional() }));

export const mirrorPolicy = policy(z.looseObject({ destination: looseSpec.optional(), percentage: z.number().min(0).max(100).optional() }));

export const accessPolicy = kubeObject(
  z.looseObject({
    applyToDestinations: z.array(looseSpec).optional(),
    applyToWorkloads: z.array(looseSpec).optional(),
    config: z
      .looseObject({
        authn: z.looseObject({ tlsMode: z.enum(["DISABLE", "PERMISSIVE", "STRICT"]).optional() }).optional(),
        authz: z.looseObject({ allowedClients: z.array(looseSpec).optional() }).optional(),
        authzList: z.array(z.looseObject({ allowedClients: z.array(looseSpec).optional() })).optional(),
      })
      .optional(),
  }),
);

/** Security and rate-limit policies: judged by what they select and a few fields (gloo-route-guards.ts, gloo-security-config.ts). */
export const routeGuardPolicy = policy(looseSpec);

/** ClientTLSPolicy has no `config`: its TLS mode (`disable`, `simple`, `mutual`, `istioMutual`) sits in the spec. */
export const clientTlsPolicy = kubeObject(looseSpec.optional());

export const workspace = kubeObject(looseSpec.optional());
export const workspaceSettings = kubeObject(looseSpec.optional());

export type RouteTable = z.infer<typeof routeTable>;
export type VirtualDestination = z.infer<typeof virtualDestination>;
export type FailoverPolicy = z.infer<typeof failoverPolicy>;
