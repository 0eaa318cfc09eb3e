import * as z from "zod";
import { metadata } from "../../core/kube-object.js";

/**
 * A kustomize Kustomization (kustomize.config.k8s.io), or a Component: not an API object, so it
 * has no spec and usually no name. Its patches rewrite traffic resources at render time, which the
 * review does not do, so it is read only to notice when they change. The name defaults to
 * "kustomization": two in one tree are told apart by file (load-manifests keys them by file).
 */
const patch = z.looseObject({
  path: z.string().optional(),
  patch: z.string().optional(),
  target: z
    .looseObject({
      group: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
});

export const kustomization = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: metadata.optional().transform((value) => value ?? { name: "kustomization" }),
  resources: z.array(z.string()).optional(),
  components: z.array(z.string()).optional(),
  patches: z.array(patch).optional(),
  patchesJson6902: z.array(patch).optional(),
  patchesStrategicMerge: z.array(z.string()).optional(),
  replacements: z.array(z.looseObject({ path: z.string().optional() })).optional(),
});
