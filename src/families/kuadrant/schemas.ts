import * as z from "zod";
import { kubeObject, stringList } from "../../core/kube-object.js";

/**
 * kuadrant.io policies, every apiVersion teams still write (v1alpha1 DNSPolicy and TLSPolicy of
 * multicluster-gateway-controller, v1beta2/v1beta3 AuthPolicy and RateLimitPolicy, v1): what they
 * attach to typed, and the fields judged typed where a wrong type would change the judgement; the
 * rest kept as read (Authorino's auth rules are many and open-ended).
 */
const targetRef = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  sectionName: z.string().optional(),
});

/** Names of auth rules, limits and their when-conditions: maps of open-ended rule objects. */
const namedRules = z.record(z.string(), z.looseObject({}));

const authRules = z.looseObject({
  authentication: namedRules.optional(),
  authorization: namedRules.optional(),
});

/**
 * An AuthPolicy's rules where they are written: implicit defaults, `defaults` or `overrides`. The
 * retired v1beta1 wrote `rules` as a list of hosts and paths beside an `authScheme`.
 */
const authSection = { rules: z.union([authRules, z.array(z.looseObject({}))]).optional(), when: z.array(z.looseObject({})).optional() };

export const authPolicy = kubeObject(
  z.looseObject({
    targetRef,
    ...authSection,
    defaults: z.looseObject(authSection).optional(),
    overrides: z.looseObject(authSection).optional(),
  }),
);

/** A rate: `window` (v1beta3, v1: `1m`, `30s`) or `duration` and `unit` (v1beta2: `1`, `minute`). */
const rate = z.looseObject({
  limit: z.int().min(0),
  window: z.string().optional(),
  duration: z.int().min(0).optional(),
  unit: z.enum(["second", "minute", "hour", "day"]).optional(),
});

const limits = z.record(z.string(), z.looseObject({ rates: z.array(rate).optional(), when: z.array(z.looseObject({})).optional() }));

const limitSection = { limits: limits.optional(), when: z.array(z.looseObject({})).optional() };

/** A RateLimitPolicy's, and a TokenRateLimitPolicy's (kuadrant.io/v1alpha1: its limits count tokens), spec. */
export const rateLimitPolicy = kubeObject(
  z.looseObject({
    targetRef,
    ...limitSection,
    defaults: z.looseObject(limitSection).optional(),
    overrides: z.looseObject(limitSection).optional(),
  }),
);

export const dnsPolicy = kubeObject(
  z.looseObject({
    targetRef,
    // v1 (and v1alpha1 since Kuadrant 1.0): this cluster's weight and geo; before, `weighted` and `geo` blocks.
    loadBalancing: z
      .looseObject({
        weight: z.int().min(0).optional(),
        geo: z.union([z.string(), z.looseObject({ defaultGeo: z.string().optional() })]).optional(),
        defaultGeo: z.boolean().optional(),
        weighted: z.looseObject({ defaultWeight: z.int().min(0).optional(), custom: z.array(z.looseObject({})).optional() }).optional(),
      })
      .optional(),
    routingStrategy: z.string().optional(),
    healthCheck: z
      .looseObject({ failureThreshold: z.int().optional(), interval: z.string().optional(), port: z.int().optional() })
      .optional(),
    providerRefs: z.array(z.looseObject({ name: z.string() })).optional(),
    excludeAddresses: stringList.optional(),
    delegate: z.boolean().optional(),
  }),
);

export const tlsPolicy = kubeObject(
  z.looseObject({
    targetRef,
    issuerRef: z.looseObject({ name: z.string(), kind: z.string().optional(), group: z.string().optional() }),
  }),
);
