import * as z from "zod";
import { kubeObject, looseSpec } from "../../core/kube-object.js";

/**
 * aigateway.envoyproxy.io (v1alpha1, v1beta1; api/ of envoyproxy/ai-gateway): the fields the family
 * reads typed where a wrong type would change the judgement, the rest kept as written. v1alpha1
 * routes attached by `targetRefs` before `parentRefs` (ai-gateway 5bd42f7c).
 */
const reference = z.looseObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string(),
  namespace: z.string().optional(),
});

const headerMatch = z.looseObject({ name: z.string(), value: z.string(), type: z.string().optional() });

export const aiGatewayRoute = kubeObject(
  z.looseObject({
    parentRefs: z.array(reference.extend({ sectionName: z.string().optional(), port: z.int().optional() })).optional(),
    targetRefs: z.array(reference.extend({ sectionName: z.string().optional() })).optional(),
    hostnames: z.array(z.string()).optional(),
    rules: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          matches: z.array(z.looseObject({ headers: z.array(headerMatch).optional() })).optional(),
          backendRefs: z
            .array(
              reference.extend({
                weight: z.int().min(0).optional(),
                priority: z.int().min(0).optional(),
                modelNameOverride: z.string().optional(),
              }),
            )
            .optional(),
          timeouts: z.looseObject({ request: z.string().optional(), backendRequest: z.string().optional() }).optional(),
        }),
      )
      .optional(),
  }),
);

export const aiServiceBackend = kubeObject(
  z.looseObject({
    schema: z.looseObject({ name: z.string().optional(), version: z.string().optional() }).optional(),
    backendRef: reference.extend({ port: z.int().optional() }).optional(),
  }),
);

export const backendSecurityPolicy = kubeObject(
  z.looseObject({
    type: z.string().optional(),
    targetRefs: z.array(reference).optional(),
  }),
);

const toolSelector = z.looseObject({
  include: z.array(z.string()).optional(),
  includeRegex: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  excludeRegex: z.array(z.string()).optional(),
});

export const mcpRoute = kubeObject(
  z.looseObject({
    parentRefs: z.array(reference).optional(),
    path: z.string().optional(),
    hostnames: z.array(z.string()).optional(),
    backendRefs: z.array(reference.extend({ toolSelector: toolSelector.optional(), securityPolicy: looseSpec.optional() })).optional(),
    securityPolicy: looseSpec.optional(),
  }),
);
