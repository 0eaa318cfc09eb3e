import { describe, expect, it } from "vitest";
import { envoyGatewayDetector } from "../../../src/families/envoy-gateway/security-policy.js";
import { detect, expectDetections, resource } from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";
import type { Resource } from "../../../src/core/resource.js";

// As xunholy/k8s-gitops and joryirving/home-ops guard their apps: OIDC in front of a route, basic auth on a Gateway.
const policy = (name: string, namespace: string, target: string, body: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  targetRefs: [${target}]
${body}`;
const OIDC = "  oidc: {provider: {issuer: https://id.example.com}, clientID: web, clientSecret: {name: web-oidc}}\n";
const BASIC = "  basicAuth: {users: {name: htpasswd}}\n";
const CORS = "  cors: {allowOrigins: [https://example.com]}\n";
const onRoute = (body: string, name = "web-sso") =>
  policy(name, "apps", "{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}", body);
const onGateway = (body: string) => policy("edge-auth", "infra", "{group: gateway.networking.k8s.io, kind: Gateway, name: public}", body);
const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: infra}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;

describe("Envoy Gateway SecurityPolicy: what each target stops requiring is access.widened", () => {
  it("a policy removed from a route: the route no longer requires OIDC", () => {
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined), [
      { class: "access.widened", side: "base", path: ["spec"], says: "removed: HTTPRoute apps/web no longer requires oidc" },
    ]);
  });

  it("removed, while the route's Gateway still requires the same: nothing is lost", () => {
    const around = { head: [resource(ROUTE), resource(onGateway(OIDC))] };
    expect(detect(envoyGatewayDetector, onRoute(OIDC), undefined, around)).toEqual([]);
    // The Gateway's basic auth is not the route's OIDC.
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined, { head: [resource(ROUTE), resource(onGateway(BASIC))] }), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
  });

  it("removed, while the Gateway requires the same but one of its listeners has a policy of its own that does not: lost there", () => {
    // A listener's policy replaces the Gateway's for what comes in on it, and the route names no listener.
    const onListener = (body: string) =>
      policy("https-only", "infra", "{group: gateway.networking.k8s.io, kind: Gateway, name: public, sectionName: https}", body);
    const around = (listener: string) => ({ head: [resource(ROUTE), resource(onGateway(OIDC)), resource(onListener(listener))] });
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined, around(CORS)), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
    expect(detect(envoyGatewayDetector, onRoute(OIDC), undefined, around(OIDC))).toEqual([]);
    // Named by the route, the listener's policy alone applies: the Gateway's OIDC does not reach it.
    const onHttps = resource(ROUTE.replace("namespace: infra}", "namespace: infra, sectionName: https}"));
    const named = { head: [onHttps, resource(onGateway(OIDC)), resource(onListener(CORS))] };
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined, named), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
  });

  it("removed beside another policy of the route that requires the same: that one applies in its place", () => {
    // eg-course 2597f03: `oidc-example` deleted, `httpbin-security-policy` (the same OIDC) still names the route.
    const twin = { head: [resource(ROUTE), resource(onRoute(OIDC, "web-sso-2"))] };
    expect(detect(envoyGatewayDetector, onRoute(OIDC), undefined, twin)).toEqual([]);
    // The other one asks basic auth alone: the route no longer requires OIDC.
    expectDetections(
      detect(envoyGatewayDetector, onRoute(OIDC), undefined, { head: [resource(ROUTE), resource(onRoute(BASIC, "web-basic"))] }),
      [{ class: "access.widened", side: "base", path: ["spec"], says: "removed: HTTPRoute apps/web no longer requires oidc" }],
    );
    // Of two that stay Envoy Gateway applies the older, which the tree does not tell: one without OIDC may be it.
    const two = { head: [resource(ROUTE), resource(onRoute(OIDC, "web-sso-2")), resource(onRoute(CORS, "web-cors"))] };
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined, two), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
    // Each example folder brings its own: another lab's policy on the same route is not the one that takes over.
    const labs = {
      head: [
        resource(ROUTE),
        resource(onRoute(OIDC, "web-sso-2"), "labs/oidc/security-policy.yaml"),
        resource(onRoute(BASIC, "web-basic"), "labs/auth/basic.yaml"),
      ],
    };
    expect(detect(envoyGatewayDetector, resource(onRoute(OIDC), "labs/oidc/oidc-policy.yaml"), undefined, labs)).toEqual([]);
    // Nearest the one removed is the other lab's alone: it applies, without OIDC.
    expectDetections(detect(envoyGatewayDetector, resource(onRoute(OIDC), "labs/auth/sso.yaml"), undefined, labs), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
    // One that names a rule of the route guards that rule alone.
    const onRule = policy("rule-sso", "apps", "{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web, sectionName: api}", OIDC);
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), undefined, { head: [resource(ROUTE), resource(onRule)] }), [
      { class: "access.widened", side: "base", path: ["spec"], says: "no longer requires oidc" },
    ]);
    // A rule's own policy removed hands the rule to the route's.
    expect(detect(envoyGatewayDetector, onRule, undefined, { head: [resource(ROUTE), resource(onRoute(OIDC))] })).toEqual([]);
  });

  it("removed where placement puts the other policies of the route on its cluster: every one of them counts, in any folder", () => {
    // A Flux Kustomization applies ./apps: apps/a's OIDC twin and apps/b's CORS-only policy land beside the one removed.
    const flux = resource(
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec: {interval: 10m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n",
      "clusters/prod/apps.yaml",
    );
    const around = (cors: string) => [
      flux,
      resource(ROUTE, "apps/routes/web.yaml"),
      resource(onRoute(OIDC, "web-sso-2"), "apps/a/twin.yaml"),
      resource(onRoute(CORS, "web-cors"), cors),
    ];
    const removed = resource(onRoute(OIDC), "apps/a/sso.yaml");
    const others = (cors: string) => ({ base: around(cors), head: around(cors) });
    // Envoy Gateway applies the oldest: the CORS-only one may be it, and the route keeps no OIDC.
    expectDetections(detect(envoyGatewayDetector, removed, undefined, others("apps/b/cors.yaml")), [
      { class: "access.widened", side: "base", path: ["spec"], says: "removed: HTTPRoute apps/web no longer requires oidc" },
    ]);
    // Where nothing places the policies, the nearest folder's stand in (each example folder brings its own).
    const unplaced = (trees: { base: Resource[]; head: Resource[] }) => ({ base: trees.base.slice(1), head: trees.head.slice(1) });
    expect(detect(envoyGatewayDetector, removed, undefined, unplaced(others("apps/b/cors.yaml")))).toEqual([]);
  });

  it("added beside a policy that already named the route: it refuses no one that policy let in, and gives up what that one required", () => {
    // eg-course 2597f03: `httpbin-security-policy` added with the OIDC of `oidc-example`, which named the route before.
    const twin = { base: [resource(ROUTE), resource(onRoute(OIDC, "web-sso-2"))], head: [resource(ROUTE)] };
    expect(detect(envoyGatewayDetector, undefined, onRoute(OIDC), twin)).toEqual([]);
    expectDetections(detect(envoyGatewayDetector, undefined, onRoute(OIDC + BASIC), twin), [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec"],
        riskFloor: "medium",
        says: "added for HTTPRoute apps/web: it requires basicAuth,",
      },
    ]);
    expectDetections(detect(envoyGatewayDetector, undefined, onRoute(CORS), twin), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec"],
        says: "now targets HTTPRoute apps/web, which SecurityPolicy apps/web-sso-2 named before (Envoy Gateway applies the oldest policy naming it): it no longer requires oidc",
      },
    ]);
  });

  it("a target's group misspelt targets nothing: the route no longer requires it", () => {
    const misspelt = onRoute(OIDC).replace("group: gateway.networking.k8s.io,", "group: gateway.networking.k8s.iox,");
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), misspelt), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec"],
        says: "HTTPRoute apps/web is no longer a target: it no longer requires oidc",
      },
      // The target as written: of a group no route has.
      {
        class: "resource.changed",
        side: "head",
        path: ["spec"],
        riskFloor: "medium",
        says: "HTTPRoute.gateway.networking.k8s.iox apps/web",
      },
    ]);
  });

  it("an authentication method dropped, or a target dropped", () => {
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC + BASIC), onRoute(BASIC)), [
      { class: "access.widened", side: "head", path: ["spec"], says: "HTTPRoute apps/web no longer requires oidc" },
    ]);
    const two = policy("sso", "apps", "{kind: HTTPRoute, name: web}, {kind: HTTPRoute, name: admin}", OIDC);
    expectDetections(detect(envoyGatewayDetector, two, onRoute(OIDC, "sso")), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec"],
        says: "HTTPRoute apps/admin is no longer a target: it no longer requires oidc",
      },
    ]);
  });

  it("a JWT made optional requires nothing: a request without a token passes", () => {
    const JWT =
      "  jwt:\n    providers: [{name: auth, issuer: https://auth.example.com, remoteJWKS: {uri: https://auth.example.com/jwks.json}}]\n";
    expectDetections(detect(envoyGatewayDetector, onRoute(JWT), onRoute(`${JWT}    optional: true\n`)), [
      { class: "access.widened", side: "head", path: ["spec", "jwt"], says: "HTTPRoute apps/web no longer requires jwt" },
    ]);
  });

  it("a route's own policy replaces its Gateway's: one added without the Gateway's OIDC widens the route", () => {
    const around = { head: [resource(ROUTE), resource(policy("edge-auth", "infra", "{kind: Gateway, name: public}", OIDC))] };
    expectDetections(detect(envoyGatewayDetector, undefined, onRoute(CORS), around), [
      {
        class: "access.widened",
        side: "head",
        path: ["spec"],
        says: "now targets HTTPRoute apps/web, whose own policy replaces its Gateway's (SecurityPolicy infra/edge-auth): it no longer requires oidc",
      },
    ]);
    // A listener's policy does not guard a route that names no listener: it may come in through another.
    const listener = {
      head: [resource(ROUTE), resource(policy("edge-auth", "infra", "{kind: Gateway, name: public, sectionName: https}", OIDC))],
    };
    expect(detect(envoyGatewayDetector, undefined, onRoute(CORS), listener)).toEqual([]);
  });

  it("a guard added refuses callers without it: medium", () => {
    expectDetections(detect(envoyGatewayDetector, undefined, onRoute(OIDC)), [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec"],
        says: "added for HTTPRoute apps/web: it requires oidc",
        riskFloor: "medium",
      },
    ]);
    expectDetections(detect(envoyGatewayDetector, onRoute(CORS), onRoute(CORS + BASIC)), [
      { class: "resource.changed", side: "head", path: ["spec", "basicAuth"], says: "now requires basicAuth", riskFloor: "medium" },
    ]);
  });

  it("authorization: default Allow, an Allow rule added, a Deny rule dropped", () => {
    const authz = (rules: string, defaultAction = "Deny") =>
      onRoute(`  authorization:\n    defaultAction: ${defaultAction}\n    rules: [${rules}]\n`);
    const office = "{action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}";
    const blocked = "{action: Deny, principal: {clientCIDRs: [10.9.0.0/16]}}";
    expectDetections(detect(envoyGatewayDetector, authz(office), authz(office, "Allow")), [
      { class: "access.widened", side: "head", path: ["spec", "authorization", "defaultAction"], says: "defaultAction Deny → Allow" },
    ]);
    expectDetections(
      detect(envoyGatewayDetector, authz(office), authz(`${office}, {action: Allow, principal: {clientCIDRs: [0.0.0.0/0]}}`)),
      [{ class: "access.widened", side: "head", path: ["spec", "authorization", "rules", 1], says: "authorization gains an Allow rule" }],
    );
    expectDetections(detect(envoyGatewayDetector, authz(`${blocked}, ${office}`), authz(office)), [
      { class: "access.widened", side: "head", path: ["spec", "authorization", "rules"], says: "authorization loses Deny rule" },
    ]);
  });

  it("authorization: a rule renamed, an Allow rule narrowed or a Deny rule widened admits no one new", () => {
    const authz = (rules: string) => onRoute(`  authorization:\n    defaultAction: Deny\n    rules: [${rules}]\n`);
    const judged = (before: string, after: string) => detect(envoyGatewayDetector, authz(before), authz(after));
    expect(
      judged(
        "{name: office, action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}",
        "{name: hq, action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}",
      ),
    ).toEqual([]);
    expect(
      judged(
        "{action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}, operation: {methods: [GET, POST]}}",
        "{action: Allow, principal: {clientCIDRs: [10.0.0.0/16]}, operation: {methods: [GET]}}",
      ),
    ).toEqual([]);
    expect(
      judged("{action: Deny, principal: {clientCIDRs: [10.9.0.0/16]}}", "{action: Deny, principal: {clientCIDRs: [10.0.0.0/8]}}"),
    ).toEqual([]);
    expect(
      judged("{action: Allow, principal: {clientCIDRs: [10.0.0.0/16]}}", "{action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}").map(
        (detection) => detection.class,
      ),
    ).toEqual(["access.widened"]);
  });

  it("authorization: an Allow rule's JWT claims are alternatives within a claim and all required across claims", () => {
    const authz = (rules: string) => onRoute(`  authorization:\n    defaultAction: Deny\n    rules: [${rules}]\n`);
    const judged = (before: string, after: string) => detect(envoyGatewayDetector, authz(before), authz(after)).map((d) => d.class);
    const rule = (claims: string, scopes = "") => `{action: Allow, principal: {jwt: {provider: auth0, claims: [${claims}]${scopes}}}}`;
    const groups = (values: string) => `{name: groups, valueType: StringArray, values: [${values}]}`;
    const verified = "{name: email_verified, values: ['true']}";
    // A value fewer, a claim or a scope more: fewer tokens pass.
    expect(judged(rule(groups("api-users, api-admins")), rule(groups("api-users")))).toEqual([]);
    expect(judged(rule(groups("api-users")), rule(`${groups("api-users")}, ${verified}`))).toEqual([]);
    expect(judged(rule(groups("api-users")), rule(groups("api-users"), ", scopes: [read]"))).toEqual([]);
    // A value more, or a claim dropped: more do.
    expect(judged(rule(groups("api-users")), rule(groups("api-users, guests")))).toEqual(["access.widened"]);
    expect(judged(rule(`${groups("api-users")}, ${verified}`), rule(groups("api-users")))).toEqual(["access.widened"]);
  });

  it("authorization: the first matching rule applies, so an Allow moved ahead of a Deny it may overlap widens", () => {
    const authz = (rules: string) => onRoute(`  authorization:\n    defaultAction: Deny\n    rules: [${rules}]\n`);
    const judged = (before: string, after: string) => detect(envoyGatewayDetector, authz(before), authz(after));
    const scanner = "{name: block-scanner, action: Deny, principal: {clientCIDRs: [10.66.0.0/16]}}";
    const office = "{name: office, action: Allow, principal: {clientCIDRs: [10.0.0.0/8]}}";
    const users = "{name: users, action: Allow, principal: {jwt: {provider: auth0, claims: [{name: groups, values: [api-users]}]}}}";
    expectDetections(judged(`${scanner}, ${office}`, `${office}, ${scanner}`), [
      { class: "access.widened", side: "head", path: ["spec", "authorization", "rules", 0], says: "now comes before Deny rule" },
    ]);
    // Whether a token's claims and a client range overlap cannot be told: taken to.
    expectDetections(judged(`${scanner}, ${users}`, `${users}, ${scanner}`), [
      { class: "access.widened", side: "head", path: ["spec", "authorization", "rules", 0], says: "requests both match are now allowed" },
    ]);
    expectDetections(judged(`${office}, ${scanner}`, `${scanner}, ${office}`), [
      { class: "resource.changed", side: "head", path: ["spec", "authorization", "rules", 0], says: "requests both match are now refused" },
    ]);
    const elsewhere = "{action: Allow, principal: {clientCIDRs: [192.168.0.0/16]}}";
    expect(judged(`${scanner}, ${elsewhere}`, `${elsewhere}, ${scanner}`)).toEqual([]);
    expect(judged(`${office}, ${elsewhere}`, `${elsewhere}, ${office}`)).toEqual([]);
  });

  it("another external authorizer decides access; the same one written with backendRefs is none", () => {
    const ext = (service: string) => onRoute(`  extAuth: {http: {${service}}}\n`);
    expectDetections(
      detect(envoyGatewayDetector, ext("backendRef: {name: authz, port: 9000}"), ext("backendRefs: [{name: authz-v2, port: 9000}]")),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "extAuth"],
          says: "extAuth now asks http {kind=Service, name=authz-v2, port=9000}",
        },
      ],
    );
    expect(
      detect(envoyGatewayDetector, ext("backendRef: {name: authz, port: 9000}"), ext("backendRefs: [{name: authz, port: 9000}]")),
    ).toEqual([]);
  });

  it("an external authorizer that starts failing open", () => {
    const ext = (failOpen: boolean) => onRoute(`  extAuth: {failOpen: ${failOpen}, http: {backendRefs: [{name: authz, port: 9000}]}}\n`);
    expectDetections(detect(envoyGatewayDetector, ext(false), ext(true)), [
      { class: "access.widened", side: "head", path: ["spec", "extAuth", "failOpen"], says: "requests pass unauthenticated" },
    ]);
  });

  it("who signs the tokens a JWT provider accepts, and for which audiences", () => {
    const jwt = (providers: string) => onRoute(`  jwt:\n    providers:\n${providers}`);
    const AUTH =
      "    - {name: auth, issuer: https://auth.example.com, audiences: [web], remoteJWKS: {uri: https://auth.example.com/jwks}}\n";
    const PROVIDER = ["spec", "jwt", "providers", 0];
    expectDetections(
      detect(envoyGatewayDetector, jwt(AUTH), jwt(AUTH.replace("uri: https://auth.example.com", "uri: https://keys.evil.net"))),
      [
        {
          class: "trust.changed",
          side: "head",
          path: PROVIDER,
          says: "keys for tokens issued by https://auth.example.com now come from https://keys.evil.net/jwks",
        },
      ],
    );
    expectDetections(
      detect(
        envoyGatewayDetector,
        jwt(AUTH),
        jwt(`${AUTH}    - {name: partner, issuer: https://partner.example.org, remoteJWKS: {uri: https://partner.example.org/keys}}\n`),
      ),
      [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "jwt", "providers", 1],
          says: "tokens issued by https://partner.example.org",
        },
      ],
    );
    expectDetections(detect(envoyGatewayDetector, jwt(AUTH), jwt(AUTH.replace(" audiences: [web],", ""))), [
      { class: "access.widened", side: "head", path: PROVIDER, says: "for any audience are now accepted (for HTTPRoute apps/web)" },
    ]);
    // Keys moved on the issuer's own host: the same signer.
    expect(detect(envoyGatewayDetector, jwt(AUTH), jwt(AUTH.replace("/jwks", "/.well-known/jwks.json")))).toEqual([]);
    // Keys moved to another owner's repository on a host many tenants share: another signer.
    const RAW = AUTH.replace("https://auth.example.com/jwks", "https://raw.githubusercontent.com/example-org/gateway/main/jwks.json");
    expectDetections(detect(envoyGatewayDetector, jwt(RAW), jwt(RAW.replace("example-org/gateway", "someone-else/keys"))), [
      {
        class: "trust.changed",
        side: "head",
        path: PROVIDER,
        says: "now come from https://raw.githubusercontent.com/someone-else/keys/main/jwks.json",
      },
    ]);
    expect(detect(envoyGatewayDetector, jwt(RAW), jwt(RAW.replace("/main/", "/v2/")))).toEqual([]);
  });

  it("CORS opened to every origin", () => {
    expectDetections(detect(envoyGatewayDetector, onRoute(CORS), onRoute(CORS.replace("https://example.com", '"*"'))), [
      { class: "access.widened", side: "head", path: ["spec", "cors", "allowOrigins"], says: "CORS allows every origin (*)" },
    ]);
    expect(detect(envoyGatewayDetector, onRoute(CORS), onRoute(CORS.replace("[https://example.com]", "[]")))).toEqual([]);
  });

  it("an OIDC sign-in that trusts another identity provider", () => {
    expectDetections(detect(envoyGatewayDetector, onRoute(OIDC), onRoute(OIDC.replace("id.example.com", "login.example.net"))), [
      {
        class: "trust.changed",
        side: "head",
        path: ["spec", "oidc", "provider", "issuer"],
        says: "https://id.example.com → https://login.example.net",
      },
    ]);
    expect(detect(envoyGatewayDetector, onRoute(OIDC), onRoute(OIDC.replace("clientID: web", "clientID: web-2")))).toEqual([]);
  });

  it("is reviewed end to end: deleting a route's SSO policy blocks as access.widened", () => {
    const tree = { "apps/route.yaml": ROUTE, "apps/sso.yaml": onRoute(OIDC) };
    const result = analyze(tree, { "apps/route.yaml": ROUTE });
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.file])).toContainEqual([
      "access.widened",
      "high",
      "apps/sso.yaml",
    ]);
  });
});
