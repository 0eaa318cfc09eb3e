import { targetingPolicies, type Family } from "../family.js";
import { byKind } from "../../core/by-kind.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import * as kuadrant from "./schemas.js";
import { KUADRANT_GROUP } from "./targets.js";
import { DNS_POLICY_CHECKS } from "./dns-policy.js";
import { TLS_POLICY_CHECKS } from "./tls-policy.js";
import { AUTH_POLICY_CHECKS, requirements } from "./auth-policy.js";
import { limitPolicyChecks } from "./rate-limit-policy.js";

/**
 * Kuadrant (kuadrant.io): policies attached to Gateway API Gateways, listeners and routes by
 * `targetRef` — DNSPolicy (the Gateway's DNS records and multi-cluster DNS load balancing),
 * TLSPolicy (cert-manager certificates for its listeners), AuthPolicy (Authorino's authentication
 * and authorization), RateLimitPolicy and TokenRateLimitPolicy (Limitador's limits of requests, of
 * LLM tokens).
 */
export const kuadrantFamily: Family = {
  name: "kuadrant",
  kinds: [
    [
      [KUADRANT_GROUP],
      [
        ["DNSPolicy", kuadrant.dnsPolicy],
        ["TLSPolicy", kuadrant.tlsPolicy],
        ["AuthPolicy", kuadrant.authPolicy],
        ["RateLimitPolicy", kuadrant.rateLimitPolicy],
        ["TokenRateLimitPolicy", kuadrant.rateLimitPolicy],
      ],
    ],
  ],
  // A policy added with the Gateway or route the PR adds (removed with it) changes no traffic that flowed before.
  policyTargets: targetingPolicies(["DNSPolicy", "TLSPolicy", "AuthPolicy", "RateLimitPolicy", "TokenRateLimitPolicy"], GATEWAY_API_GROUP),
  guardingPolicies: { AuthPolicy: requirements },
  detectors: [
    byKind(
      {
        DNSPolicy: DNS_POLICY_CHECKS,
        TLSPolicy: TLS_POLICY_CHECKS,
        AuthPolicy: AUTH_POLICY_CHECKS,
        RateLimitPolicy: limitPolicyChecks("RateLimitPolicy"),
        TokenRateLimitPolicy: limitPolicyChecks("TokenRateLimitPolicy"),
      },
      (id) => id.group === KUADRANT_GROUP,
    ),
  ],
  controllerCharts: { serve: "Kuadrant's policies", charts: ["kuadrant-operator"] },
};
