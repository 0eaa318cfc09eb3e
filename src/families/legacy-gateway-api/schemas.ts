import * as z from "zod";
import { kubeObject, looseSpec, port, stringList } from "../../core/kube-object.js";

/**
 * The pre-v1beta1 Gateway API (networking.x-k8s.io v1alpha1), still in GKE recipes: loose, except
 * `forwardTo`, whose weights are traffic.
 */

const forwardTo = z.looseObject({
  serviceName: z.string().optional(),
  backendRef: z.looseObject({ group: z.string().optional(), kind: z.string().optional(), name: z.string() }).optional(),
  port: port.optional(),
  weight: z.int().min(0).max(1_000_000).optional(),
  filters: z.array(looseSpec).optional(),
});

export const legacyRoute = kubeObject(
  z.looseObject({
    hostnames: stringList.optional(),
    rules: z
      .array(
        z.looseObject({
          matches: z.array(looseSpec).optional(),
          filters: z.array(looseSpec).optional(),
          forwardTo: z.array(forwardTo).optional(),
        }),
      )
      .optional(),
    gateways: looseSpec.optional(),
  }),
);

export const legacyGateway = kubeObject(
  z.looseObject({ gatewayClassName: z.string(), listeners: z.array(looseSpec).optional(), addresses: z.array(looseSpec).optional() }),
);

export const legacyGatewayClass = kubeObject(z.looseObject({ controller: z.string().optional() }));

export const legacyLoose = kubeObject(looseSpec.optional());
