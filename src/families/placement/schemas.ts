import * as z from "zod";
import { kubeObject, labelSelector, looseSpec, stringList } from "../../core/kube-object.js";

/** GitOps placement: which paths land on which clusters (Argo CD, Flux). */

const applicationSource = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  chart: z.string().optional(),
});

const destination = z.looseObject({ server: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() });

const applicationSpec = z.looseObject({
  project: z.string().optional(),
  source: applicationSource.optional(),
  sources: z.array(applicationSource).optional(),
  destination: destination.optional(),
  syncPolicy: looseSpec.optional(),
});

export const application = kubeObject(applicationSpec);

/** Generators are read loosely: list elements and cluster selectors are what placement needs. */
const generator = z.looseObject({
  list: z.looseObject({ elements: z.array(looseSpec).optional() }).optional(),
  clusters: z.looseObject({ selector: labelSelector.optional(), values: looseSpec.optional() }).optional(),
  git: z.looseObject({ directories: z.array(z.looseObject({ path: z.string(), exclude: z.boolean().optional() })).optional() }).optional(),
});

export const applicationSet = kubeObject(
  z.looseObject({
    generators: z.array(generator).optional(),
    template: z.looseObject({ metadata: looseSpec.optional(), spec: looseSpec.optional() }).optional(),
    goTemplate: z.boolean().optional(),
  }),
);

export const fluxKustomization = kubeObject(
  z.looseObject({
    path: z.string().optional(),
    sourceRef: z.looseObject({ kind: z.string(), name: z.string(), namespace: z.string().optional() }).optional(),
    kubeConfig: z
      .looseObject({
        secretRef: z.looseObject({ name: z.string() }).optional(),
        configMapRef: z.looseObject({ name: z.string() }).optional(),
      })
      .optional(),
    targetNamespace: z.string().optional(),
    prune: z.boolean().optional(),
    suspend: z.boolean().optional(),
  }),
);

/**
 * Flux ArtifactGenerator (source.extensions.fluxcd.io): composes artifacts from repository paths,
 * so a Kustomization whose sourceRef is an ExternalArtifact reads `copy[].from` paths of the repo.
 */
export const artifactGenerator = kubeObject(
  z.looseObject({
    sources: z.array(z.looseObject({ alias: z.string(), kind: z.string().optional(), name: z.string().optional() })).optional(),
    artifacts: z
      .array(
        z.looseObject({
          name: z.string(),
          copy: z.array(z.looseObject({ from: z.string(), to: z.string(), exclude: stringList.optional() })).optional(),
        }),
      )
      .optional(),
  }),
);

/**
 * Flux GitRepository (source.toolkit.fluxcd.io), read for its URL only: which repository the
 * Kustomizations that name it read their paths from (deliveries.ts).
 */
export const gitRepository = kubeObject(z.looseObject({ url: z.string().optional() }));
/** A Flux Operator ResourceSet: read only for where it sits (archived-kustomizations.ts). */
export const fluxOperatorObject = kubeObject(z.looseObject({}));

/**
 * A Flux Operator FluxInstance: where it sits (archived-kustomizations.ts), and its cluster sync,
 * which delivers a path of its source to the cluster it runs on (flux-instance.ts).
 */
export const fluxInstance = kubeObject(
  z.looseObject({
    sync: z
      .looseObject({
        kind: z.string().optional(),
        url: z.string().optional(),
        ref: z.string().optional(),
        path: z.string().optional(),
        name: z.string().optional(),
      })
      .optional(),
  }),
);

export type Application = z.infer<typeof application>;
export type ApplicationSet = z.infer<typeof applicationSet>;
export type ArtifactGenerator = z.infer<typeof artifactGenerator>;
