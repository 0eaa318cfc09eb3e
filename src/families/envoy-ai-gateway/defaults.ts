import type { FieldDefault } from "../../core/field-defaults.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";

/**
 * What api/v1beta1 of envoyproxy/ai-gateway documents for an AIGatewayRoute's unset fields: a
 * backend's `weight` 1 and `priority` 0 (`+kubebuilder:default`), a rule's request timeout 60s
 * (`GetTimeoutsOrDefault`), parents Gateway API Gateways (Gateway API's ParentReference).
 */
export const aiGatewayDefaults: Readonly<Record<string, readonly FieldDefault[]>> = {
  AIGatewayRoute: [
    { path: ["spec", "parentRefs", "*", "group"], value: GATEWAY_API_GROUP },
    { path: ["spec", "parentRefs", "*", "kind"], value: "Gateway" },
    { path: ["spec", "rules", "*", "backendRefs", "*", "weight"], value: 1 },
    { path: ["spec", "rules", "*", "backendRefs", "*", "priority"], value: 0 },
    { path: ["spec", "rules", "*", "timeouts"], value: {} },
    { path: ["spec", "rules", "*", "timeouts", "request"], value: "60s" },
  ],
};
