import * as z from "zod";
import { kubeObject, looseSpec } from "./common.js";

/** GitOps placement: which paths land on which clusters (Argo CD, Flux). */

const applicationSource = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
});

export const application = kubeObject(
  z.looseObject({
    project: z.string().optional(),
    source: applicationSource.optional(),
    sources: z.array(applicationSource).optional(),
    destination: z
      .looseObject({ server: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() })
      .optional(),
  }),
);

export const applicationSet = kubeObject(
  z.looseObject({ generators: z.array(looseSpec).optional(), template: looseSpec.optional() }),
);

export const fluxKustomization = kubeObject(
  z.looseObject({
    path: z.string().optional(),
    sourceRef: z.looseObject({ kind: z.string(), name: z.string(), namespace: z.string().optional() }).optional(),
    kubeConfig: looseSpec.optional(),
    targetNamespace: z.string().optional(),
    prune: z.boolean().optional(),
    suspend: z.boolean().optional(),
  }),
);

export type Application = z.infer<typeof application>;
export type ApplicationSet = z.infer<typeof applicationSet>;
export type FluxKustomization = z.infer<typeof fluxKustomization>;
