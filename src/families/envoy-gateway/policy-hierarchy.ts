import type { PolicyKind } from "../../core/policy-hierarchy.js";
import { ENVOY_GATEWAY_GROUP, targetsOf } from "./policy-targets.js";

/**
 * Envoy Gateway's policies of a kind as the policy hierarchy reads them (core/policy-hierarchy.ts):
 * of those that reach a request the most specific takes effect — a listener's replaces its
 * Gateway's, a route's replaces both unless it sets `mergeType` (the CRDs: "If unset, no merging
 * occurs, and only the most specific configuration takes effect").
 */
export const envoyGatewayPolicies = (kind: string): PolicyKind => ({
  group: ENVOY_GATEWAY_GROUP,
  kind,
  targets: (policy) => targetsOf(policy).flatMap(({ kind: targetKind, ref }) => (ref ? [{ kind: targetKind, ...ref }] : [])),
});
