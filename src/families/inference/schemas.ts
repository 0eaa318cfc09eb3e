import * as z from "zod";
import { kubeObject, looseSpec } from "../../core/kube-object.js";

/**
 * Gateway API Inference Extension: an InferencePool is the backend an HTTPRoute sends model traffic
 * to (the pods its selector picks, on its target ports, each request placed by its endpoint
 * picker); an InferenceObjective (InferenceModel before it) says which pool serves a model's
 * requests and how they are shed under load. v1 (inference.networking.k8s.io) and v1alpha2
 * (inference.networking.x-k8s.io) spell the pool differently; both are read. Loose where the two
 * differ, so a valid document of either version is never refused.
 */

export const inferencePool = kubeObject(
  z.looseObject({
    selector: looseSpec.optional(),
    targetPorts: z.array(z.looseObject({ number: z.int().optional() })).optional(),
    targetPortNumber: z.int().optional(),
    endpointPickerRef: looseSpec.optional(),
    extensionRef: looseSpec.optional(),
  }),
);

export const inferenceObjective = kubeObject(
  z.looseObject({
    poolRef: looseSpec.optional(),
    priority: z.int().optional(),
  }),
);

export const inferenceModel = kubeObject(
  z.looseObject({
    modelName: z.string().optional(),
    poolRef: looseSpec.optional(),
    criticality: z.string().optional(),
    targetModels: z.array(z.looseObject({ name: z.string(), weight: z.int().optional() })).optional(),
  }),
);
