import * as z from "zod";
import { kubeObject, looseSpec, stringList } from "../../core/kube-object.js";

/**
 * Mesh-wide identity and topology: IstioOperator `spec.meshConfig` / `spec.values.global`, and the
 * same keys in istiod Helm values files (top-level `meshConfig`, `global`).
 */

export const meshConfig = z.looseObject({
  trustDomain: z.string().optional(),
  trustDomainAliases: stringList.optional(),
  serviceSettings: z.array(looseSpec).optional(),
  serviceScopeConfigs: z.array(looseSpec).optional(),
});

const meshGlobal = z.looseObject({
  meshID: z.string().optional(),
  network: z.string().optional(),
  multiCluster: z.looseObject({ clusterName: z.string().optional(), enabled: z.boolean().optional() }).optional(),
  meshNetworks: looseSpec.optional(),
});

/** Gloo's Istio and gateway lifecycle managers: an IstioOperator spec per installation, kept as read (judged like an IstioOperator's). */
export const lifecycleManager = kubeObject(
  z.looseObject({
    installations: z.array(z.looseObject({ revision: z.string().optional(), istioOperatorSpec: z.looseObject({}).optional() })).optional(),
  }),
);

export const istioOperator = kubeObject(
  z
    .looseObject({
      meshConfig: meshConfig.optional(),
      values: z.looseObject({ global: meshGlobal.optional() }).optional(),
    })
    .optional(),
);

/**
 * The Sail Operator's Istio and IstioRevision (sailoperator.io, OpenShift Service Mesh 3): the
 * control plane's `version`, and istiod's Helm values under `spec.values`.
 */
export const sailIstio = kubeObject(
  z
    .looseObject({
      version: z.string().optional(),
      values: z.looseObject({ global: meshGlobal.optional(), meshConfig: meshConfig.optional() }).optional(),
    })
    .optional(),
);

/** A Helm values document: no apiVersion, kind or metadata. */
export const istioValues = z.looseObject({ global: meshGlobal.optional(), meshConfig: meshConfig.optional() });

export type IstioOperator = z.infer<typeof istioOperator>;
export type IstioValues = z.infer<typeof istioValues>;
