import { describe } from "vitest";
import { authzPolicyDetector } from "../../../src/families/gke/authz-policy.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";

const run = detectorTable(authzPolicyDetector);

// Shaped after GoogleCloudPlatform/gke-networking-recipes' authz/authz-cr-validation/valid.yaml.
const policy = (action: string, rules = "  - to: {operations: [{paths: [{type: Exact, value: /admin}]}]}\n", name = "guard") => `
apiVersion: networking.gke.io/v1
kind: GCPAuthzPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  action: ${action}
  httpRules:
${rules}  targetRefs:
  - {kind: Deployment, name: storefront, group: ""}
`;

describe("GKE GCPAuthzPolicy: authorization for the objects it targets", () => {
  run([
    {
      name: "a DENY policy removed: what it refused passes",
      base: policy("DENY"),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "removed: what DENY refused or checked for Deployment shop/storefront now passes",
        },
      ],
    },
    {
      name: "a DENY policy renamed (removed and added alike) lets nothing through",
      base: policy("DENY"),
      others: { head: [resource(policy("DENY", undefined, "guard-v2"))] },
      expected: [],
    },
    {
      name: "DENY turned ALLOW: what it refused passes, and what its rules do not match is now refused",
      base: policy("DENY"),
      head: policy("ALLOW"),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "action"], says: "action DENY → ALLOW: what DENY refused or checked" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "now applies (ALLOW) to Deployment shop/storefront: requests its rules do not match are refused",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "added: an allow-list refuses what its rules do not match (medium)",
      head: policy("ALLOW"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added (ALLOW) to Deployment shop/storefront: requests its rules do not match are refused",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "an ALLOW policy removed leaves its target allowing every request",
      base: policy("ALLOW"),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "removed: Deployment shop/storefront has no ALLOW policy left, so every request no DENY policy refuses is allowed",
        },
      ],
    },
    {
      name: "an ALLOW policy removed where another still allow-lists the target narrows access: no widening",
      base: policy("ALLOW"),
      others: { base: [resource(policy("ALLOW", undefined, "other"))], head: [resource(policy("ALLOW", undefined, "other"))] },
      expected: [],
    },
    {
      name: "ALLOW rules gained, DENY rules dropped",
      base: policy("DENY"),
      head: policy("DENY", "  - to: {operations: [{methods: [DELETE]}]}\n"),
      expected: [{ class: "access.widened", side: "base", path: ["spec", "httpRules"], says: "no longer denies" }],
    },
  ]);
});
