import * as z from "zod";
import { kubeObject, stringMap } from "../../core/kube-object.js";

/**
 * gateway.envoyproxy.io SecurityPolicy: what it attaches to typed (the policy attachment model's
 * local target references and label selectors), its authentication and authorization kept as read.
 */
const targetRef = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  sectionName: z.string().optional(),
});

export const securityPolicy = kubeObject(
  z.looseObject({
    targetRef: targetRef.optional(),
    targetRefs: z.array(targetRef).optional(),
    targetSelectors: z
      .array(z.looseObject({ group: z.string().optional(), kind: z.string(), matchLabels: stringMap.optional() }))
      .optional(),
    authorization: z
      .looseObject({
        defaultAction: z.enum(["Allow", "Deny"]).optional(),
        rules: z.array(z.looseObject({ action: z.enum(["Allow", "Deny"]) })).optional(),
      })
      .optional(),
  }),
);

export type SecurityPolicy = z.infer<typeof securityPolicy>;
