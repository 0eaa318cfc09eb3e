import * as z from "zod";
import { kubeObject, labelSelector, looseSpec, stringList, stringMap } from "../../core/kube-object.js";

/** DNS and GSLB: external-dns DNSEndpoint, k8gb Gslb. */

export const dnsEndpoint = kubeObject(
  z.looseObject({
    endpoints: z
      .array(
        z.looseObject({
          dnsName: z.string(),
          targets: stringList.optional(),
          recordType: z.string().optional(),
          recordTTL: z.int().min(0).optional(),
          setIdentifier: z.string().optional(),
          labels: stringMap.optional(),
          providerSpecific: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
        }),
      )
      .optional(),
  }),
);

export const gslb = kubeObject(
  z.looseObject({
    // An object reference with an inline label selector (k8gb ≥ 0.14), or the legacy `ingress` selector.
    resourceRef: labelSelector
      .extend({
        apiVersion: z.string().optional(),
        kind: z.string().optional(),
        name: z.string().optional(),
        namespace: z.string().optional(),
        ingress: labelSelector.optional(),
      })
      .optional(),
    ingress: looseSpec.optional(),
    strategy: z.looseObject({
      type: z.string(),
      primaryGeoTag: z.string().optional(),
      weight: z.record(z.string(), z.int().min(0)).optional(),
      dnsTtlSeconds: z.int().min(0).optional(),
      splitBrainThresholdSeconds: z.int().min(0).optional(),
    }),
  }),
);

export type Gslb = z.infer<typeof gslb>;
