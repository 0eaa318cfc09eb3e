import * as z from "zod";
import { kubeObject, metadataOnly, stringMap } from "../../core/kube-object.js";

/**
 * gateway.envoyproxy.io policies: what they attach to typed (the policy attachment model's local
 * target references and label selectors), the settings judged typed where a wrong type would
 * change the judgement, the rest kept as read.
 */
const targetRef = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  sectionName: z.string().optional(),
});

const attachment = {
  targetRef: targetRef.optional(),
  targetRefs: z.array(targetRef).optional(),
  targetSelectors: z.array(z.looseObject({ group: z.string().optional(), kind: z.string(), matchLabels: stringMap.optional() })).optional(),
};

export const securityPolicy = kubeObject(
  z.looseObject({
    ...attachment,
    authorization: z
      .looseObject({
        defaultAction: z.enum(["Allow", "Deny"]).optional(),
        rules: z.array(z.looseObject({ action: z.enum(["Allow", "Deny"]) })).optional(),
      })
      .optional(),
  }),
);

export const envoyPatchPolicy = kubeObject(
  z.looseObject({
    ...attachment,
    type: z.string().optional(),
    jsonPatches: z
      .array(
        z.looseObject({
          type: z.string().optional(),
          name: z.string().optional(),
          operation: z.looseObject({ op: z.string().optional(), path: z.string().optional() }).optional(),
        }),
      )
      .optional(),
    priority: z.int().optional(),
  }),
);

export const envoyExtensionPolicy = kubeObject(z.looseObject(attachment));

/** Where a Backend sends requests, and whether its certificate is checked (a string where that flag belongs is the API server's error too). */
export const backend = kubeObject(
  z.looseObject({
    type: z.string().optional(),
    endpoints: z.array(z.looseObject({})).optional(),
    tls: z.looseObject({ insecureSkipVerify: z.boolean().optional() }).optional(),
  }),
);

/** What a route rule that names it does with requests (route-filter.ts); a direct response's status is an HTTP status. */
export const httpRouteFilter = kubeObject(
  z.looseObject({
    directResponse: z.looseObject({ statusCode: z.int().min(100).max(599).optional() }).optional(),
  }),
);

/** How the proxies of the Gateways that name it are deployed: read loosely, as written (its spec is optional). */
export const envoyProxy = metadataOnly;

const faultShare = z.looseObject({ percentage: z.number().min(0).max(100).optional() });

export const backendTrafficPolicy = kubeObject(
  z.looseObject({
    ...attachment,
    retry: z
      .looseObject({
        numRetries: z.int().min(0).optional(),
        retryOn: z.looseObject({ triggers: z.array(z.string()).optional(), httpStatusCodes: z.array(z.int()).optional() }).optional(),
      })
      .optional(),
    faultInjection: z.looseObject({ abort: faultShare.optional(), delay: faultShare.optional() }).optional(),
    loadBalancer: z.looseObject({ type: z.string().optional() }).optional(),
  }),
);

/** TLS versions as Envoy Gateway spells them; `Auto` is its default, TLS 1.2. */
export const TLS_VERSIONS = ["Auto", "1.0", "1.1", "1.2", "1.3"] as const;

export const clientTrafficPolicy = kubeObject(
  z.looseObject({
    ...attachment,
    tls: z
      .looseObject({
        minVersion: z.enum(TLS_VERSIONS).optional(),
        clientValidation: z
          .looseObject({ optional: z.boolean().optional(), caCertificateRefs: z.array(z.looseObject({})).optional() })
          .optional(),
      })
      .optional(),
  }),
);

export type SecurityPolicy = z.infer<typeof securityPolicy>;
export type ClientTrafficPolicy = z.infer<typeof clientTrafficPolicy>;
