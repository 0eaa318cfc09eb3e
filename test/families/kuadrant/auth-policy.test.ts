import { describe } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable } from "../../detect/resource-fixture.js";
import { around } from "./fixtures.js";

const run = detectorTable(kuadrantFamily.detectors[0]!, around);

const API_KEY = `      api-key-users:
        apiKey: {selector: {matchLabels: {app: toystore}}}
        credentials: {authorizationHeader: {prefix: APIKEY}}
`;
const ADMINS = `    authorization:
      only-admins:
        patternMatching: {patterns: [{predicate: 'auth.identity.metadata.annotations["secret.kuadrant.io/user-id"] == "admin"'}]}
`;

// Shaped after kuadrant-operator's config/samples/kuadrant_v1_authpolicy.yaml and its toystore guide.
const policy = (
  rules: string,
  extra = "",
  target = "kind: HTTPRoute, name: toystore",
  apiVersion = "kuadrant.io/v1",
) => `apiVersion: ${apiVersion}
kind: AuthPolicy
metadata: {name: toystore, namespace: toystore}
spec:
  targetRef: {group: gateway.networking.k8s.io, ${target}}
${extra}  rules:
    authentication:
${rules}`;

describe("Kuadrant AuthPolicy: Authorino's authentication and authorization", () => {
  run([
    {
      name: "removed: the route no longer requires its authentication or authorization",
      base: policy(API_KEY + ADMINS),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "removed: HTTPRoute toystore/toystore (api.toystore.example.com) no longer requires authentication (api-key-users) and authorization (only-admins)",
        },
      ],
    },
    {
      name: "an anonymous rule beside the API keys admits anyone (any one authentication rule admits a request)",
      base: policy(API_KEY),
      head: policy(API_KEY + "      anonymous-access: {anonymous: {}}\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", "authentication", "anonymous-access"],
          says: "gains anonymous-access",
        },
      ],
    },
    {
      name: "a when condition added: the requests it leaves out skip authentication",
      base: policy(API_KEY),
      head: policy(API_KEY, '  when: [{predicate: request.path != "/toys/admin"}]\n'),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "when"], says: "pass with no authentication or authorization" }],
    },
    {
      name: "an authorization rule removed",
      base: policy(API_KEY + ADMINS),
      head: policy(API_KEY),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "rules", "authorization", "only-admins"],
          says: "authorization only-admins removed",
        },
      ],
    },
    {
      name: "tightened: an authorization rule added refuses more (medium)",
      base: policy(API_KEY),
      head: policy(API_KEY + ADMINS),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", "authorization", "only-admins"],
          says: "authorization only-admins added",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a Gateway's overrides turned into defaults: routes' own policies replace them",
      base: `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: gw-auth, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  overrides:
    rules: {authorization: {deny-all: {opa: {rego: "allow = false"}}}}
`,
      head: `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: gw-auth, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  defaults:
    rules: {authorization: {deny-all: {opa: {rego: "allow = false"}}}}
`,
      expected: [{ class: "access.widened", side: "head", path: ["spec", "defaults"], says: "overrides → defaults" }],
    },
    {
      name: "v1beta2 → v1 with the same rules is no change; reordering and where credentials are read move nothing the detector judges",
      base: policy(API_KEY, "", "kind: HTTPRoute, name: toystore", "kuadrant.io/v1beta2"),
      head: policy(API_KEY.replace("APIKEY", "API-KEY")),
      expected: [],
    },
    {
      name: "moved to another route: the first loses its guards",
      base: policy(API_KEY),
      head: policy(API_KEY, "", "kind: HTTPRoute, name: toystore-v2"),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "targetRef"], says: "targetRef moved to HTTPRoute toystore/toystore-v2" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "now targets HTTPRoute toystore/toystore-v2",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});
