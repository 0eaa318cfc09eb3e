import { describe } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";
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
          says: "authentication anonymous-access is anonymous: HTTPRoute toystore/toystore (api.toystore.example.com) admits anyone (it required api-key-users)",
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

// Kuadrant's "secure by default" guides: a Gateway policy requiring a Keycloak JWT, routes with their own.
const gatewayPolicy = (mode: string, strategy = "") =>
  resource(`apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: gw-auth, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  ${mode}:
${strategy}    rules:
      authentication:
        keycloak: {jwt: {issuerUrl: https://sso.example.com/realms/toystore}}
      authorization:
        only-staff: {patternMatching: {patterns: [{predicate: "auth.identity.group == 'staff'"}]}}
`);
const KEYCLOAK = "      keycloak: {jwt: {issuerUrl: https://sso.example.com/realms/toystore}}\n";
const STAFF = `    authorization:
      only-staff: {patternMatching: {patterns: [{predicate: "auth.identity.group == 'staff'"}]}}
`;
const under = (gateway: ReturnType<typeof resource>) => ({ base: [gateway], head: [gateway] });

describe("Kuadrant AuthPolicy of a route: judged on what governs the route, as Kuadrant merges its policies", () => {
  run([
    {
      name: "an anonymous route policy added under the Gateway's defaults replaces them: the route admits anyone (K1)",
      head: policy("      public: {anonymous: {}}\n"),
      others: under(gatewayPolicy("defaults")),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", "authentication", "public"],
          says: "added for HTTPRoute toystore/toystore (api.toystore.example.com), under the defaults of AuthPolicy ingress-gateway/gw-auth: authentication public is anonymous: the route admits anyone (it required keycloak)",
        },
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules"],
          says: "authorization only-staff removed: the route no longer refuses what it refused",
        },
      ],
    },
    {
      name: "an API-key route policy under the Gateway's defaults admits other credentials (K1b)",
      head: policy(API_KEY),
      others: under(gatewayPolicy("defaults")),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "rules", "authentication", "api-key-users"], says: "gains api-key-users" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "rules", "authentication"],
          says: "authentication keycloak removed",
          riskFloor: "medium",
        },
        { class: "access.widened", side: "head", path: ["spec", "rules"], says: "authorization only-staff removed" },
      ],
    },
    {
      name: "with `strategy: merge` the Gateway's rules of other names stay: an API key beside its JWT admits more",
      head: policy(API_KEY),
      others: under(gatewayPolicy("defaults", "    strategy: merge\n")),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "rules", "authentication", "api-key-users"], says: "gains api-key-users" },
      ],
    },
    {
      name: "removed under the Gateway's overrides: those replaced it all along, nothing changes (K2)",
      base: policy(API_KEY),
      others: under(gatewayPolicy("overrides")),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: HTTPRoute toystore/toystore (api.toystore.example.com), under the overrides of AuthPolicy ingress-gateway/gw-auth: what its requests must pass stays the same",
        },
      ],
    },
    {
      name: "changed under the Gateway's overrides: nothing its requests must pass changes",
      base: policy(API_KEY),
      head: policy("      public: {anonymous: {}}\n"),
      others: under(gatewayPolicy("overrides")),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec"], says: "under the overrides of AuthPolicy ingress-gateway/gw-auth" },
      ],
    },
    {
      name: "removed under Gateway defaults requiring the same: the route falls back to them, nothing changes",
      base: policy(KEYCLOAK + STAFF),
      others: under(gatewayPolicy("defaults")),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "under the defaults of AuthPolicy ingress-gateway/gw-auth: what its requests must pass stays the same",
        },
      ],
    },
    {
      name: "an anonymous-only route policy added where nothing guarded the route admits anyone, as before: no finding",
      head: policy("      public: {anonymous: {}}\n"),
      expected: [],
    },
  ]);
});

// Kuadrant's v1beta1 AuthPolicy (Authorino's v1beta1 AuthConfig in `authScheme`) and the same policy as v1 writes it.
const V1BETA1 = (issuer = "https://sso.example.com/realms/toystore", admins = true) => `apiVersion: kuadrant.io/v1beta1
kind: AuthPolicy
metadata: {name: toystore, namespace: toystore}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: toystore}
  authScheme:
    patterns:
      admin-path:
      - {selector: context.request.http.path, operator: matches, value: ^/admin}
    when:
    - {selector: context.request.http.method, operator: neq, value: OPTIONS}
    identity:
    - name: keycloak
      oidc: {endpoint: ${issuer}, ttl: 300}
      credentials: {in: authorization_header, keySelector: Bearer}
      extendedProperties:
      - {name: tier, valueFrom: {authJSON: auth.identity.realm_access.roles}, overwrite: true}
    authorization:
${
  admins
    ? `    - name: only-admins
      when: [{patternRef: admin-path}]
      json:
        rules:
        - {selector: auth.identity.group, operator: eq, value: admins}
`
    : ""
}    - name: k8s-rbac
      kubernetes:
        user: {valueFrom: {authJSON: auth.identity.sub}}
        resourceAttributes: {verb: {value: get}, resource: {value: toys}}
`;
const V1 = (pattern = "^/admin") => `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: toystore, namespace: toystore}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: toystore}
  patterns:
    admin-path:
      allOf: [{selector: context.request.http.path, operator: matches, value: "${pattern}"}]
  when: [{predicate: "context.request.http.method != 'OPTIONS'"}]
  rules:
    authentication:
      keycloak:
        jwt: {issuerUrl: https://sso.example.com/realms/toystore, ttl: 300}
        credentials: {authorizationHeader: {prefix: Bearer}}
        overrides: {tier: {selector: auth.identity.realm_access.roles}}
    authorization:
      only-admins:
        when: [{patternRef: admin-path}]
        patternMatching:
          patterns: [{predicate: "auth.identity.group == 'admins'"}]
      k8s-rbac:
        kubernetesSubjectAccessReview:
          user: {selector: auth.identity.sub}
          resourceAttributes: {verb: {value: get}, resource: {value: toys}}
`;

describe("Kuadrant AuthPolicy migrated between versions: old spellings read as today's", () => {
  run([
    {
      name: "v1beta1 → v1 with the same rules (oidc → jwt, json → patternMatching, kubernetes → kubernetesSubjectAccessReview, authJSON → selector) is no change",
      base: V1BETA1(),
      head: V1(),
      expected: [],
    },
    {
      name: "the same migration dropping an authorization rule still widens access",
      base: V1BETA1(),
      head: V1().replace(/      only-admins:\n(?:        .*\n)+/, ""),
      // The v1beta1 side writes it in \`authScheme\`: the finding points at its spec.
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "authorization only-admins removed",
        },
      ],
    },
    {
      name: "the same migration trusting another issuer is a rewritten authentication rule",
      base: V1BETA1("https://sso.example.com/realms/other"),
      head: V1(),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", "authentication", "keycloak"],
          says: "authentication keycloak rewritten",
        },
      ],
    },
    {
      name: "a named pattern edited changes the conditions of the rules that refer to it",
      base: V1(),
      head: V1("^/admin/users"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", "authorization", "only-admins"],
          says: "authorization only-admins gains conditions",
        },
      ],
    },
  ]);
});

// The toystore route with its own API-key policy, under a Gateway policy the PR adds or edits.
const routeOwn = resource(policy(API_KEY + ADMINS));
const withRouteOwn = { base: [routeOwn], head: [routeOwn] };
const gatewayAnonymous = (mode: string) => `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: gw-auth, namespace: ingress-gateway}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: prod-web}
  ${mode}:
    rules:
      authentication:
        public: {anonymous: {}}
`;

describe("Kuadrant AuthPolicy of a Gateway: judged on the routes it governs beside their own", () => {
  run([
    {
      name: "anonymous overrides added: they replace the route's API keys and admin check, the route admits anyone",
      head: gatewayAnonymous("overrides"),
      others: withRouteOwn,
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "overrides", "rules", "authentication", "public"],
          says: "for HTTPRoute toystore/toystore (api.toystore.example.com) through Gateway ingress-gateway/prod-web, with the defaults of AuthPolicy toystore/toystore: authentication public is anonymous: the route admits anyone (it required api-key-users)",
        },
        { class: "access.widened", side: "head", path: ["spec", "overrides", "rules"], says: "authorization only-admins removed" },
      ],
    },
    {
      name: "anonymous defaults added: the route's own policy replaces them, nothing it requires changes",
      head: gatewayAnonymous("defaults"),
      others: withRouteOwn,
      expected: [],
    },
    {
      name: "defaults made overrides: the route's own rules are replaced by the Gateway's anonymous ones",
      base: gatewayAnonymous("defaults"),
      head: gatewayAnonymous("overrides"),
      others: withRouteOwn,
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "overrides"], says: "defaults → overrides", riskFloor: "medium" },
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "overrides", "rules", "authentication", "public"],
          says: "through Gateway ingress-gateway/prod-web, with the defaults of AuthPolicy toystore/toystore: authentication public is anonymous",
        },
        { class: "access.widened", side: "base", path: ["spec", "defaults", "rules"], says: "authorization only-admins removed" },
      ],
    },
  ]);
});
