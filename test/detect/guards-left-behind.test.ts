import { describe, expect, it } from "vitest";
import { found, judged } from "./policy-fixtures.js";

// The reviewer's K8: Kuadrant's toystore route renamed with the same hostnames and rules.
const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: external, namespace: gateway-system}
spec:
  gatewayClassName: istio
  listeners: [{name: api, hostname: api.toystore.com, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
`;
const route = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: toystore}
spec:
  parentRefs: [{name: external, namespace: gateway-system}]
  hostnames: [api.toystore.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /toys}}], backendRefs: [{name: toystore, port: 80}]}]
`;
const authPolicy = (target: string) => `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: {name: toystore-auth, namespace: toystore}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${target}}
  rules:
    authentication:
      api-key-users: {apiKey: {selector: {matchLabels: {app: toystore}}}}
`;
const securityPolicy = (target: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: toystore-auth, namespace: toystore}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${target}}]
  jwt: {providers: [{name: keycloak, remoteJWKS: {uri: https://sso.example.com/certs}}]}
`;

describe("a guarding policy left naming a route the PR removes, its requests served by an unguarded route", () => {
  const before = (policy: string) => ({ "gateway.yaml": GATEWAY, "route.yaml": route("toystore"), "auth.yaml": policy });

  it("route renamed, its AuthPolicy still targeting the old name: access.widened (K8)", () => {
    const findings = found(before(authPolicy("toystore")), {
      "gateway.yaml": GATEWAY,
      "route.yaml": route("toystore-v2"),
      "auth.yaml": authPolicy("toystore"),
    });
    expect(judged(findings)).toEqual(["access.widened"]);
    expect(findings).toContainEqual([
      "access.widened",
      "high",
      "AuthPolicy toystore/toystore-auth: still targets HTTPRoute toystore/toystore, which this PR removes, while HTTPRoute toystore/toystore-v2 now serves its requests (api.toystore.com) with no AuthPolicy naming it: they no longer require authentication (api-key-users)",
    ]);
  });

  it("an Envoy Gateway SecurityPolicy alike (K8e)", () => {
    const findings = found(before(securityPolicy("toystore")), {
      "gateway.yaml": GATEWAY,
      "route.yaml": route("toystore-v2"),
      "auth.yaml": securityPolicy("toystore"),
    });
    expect(judged(findings)).toEqual(["access.widened"]);
  });

  it("the policy following the renamed route, settings unchanged: one low finding", () => {
    const findings = found(before(authPolicy("toystore")), {
      "gateway.yaml": GATEWAY,
      "route.yaml": route("toystore-v2"),
      "auth.yaml": authPolicy("toystore-v2"),
    });
    expect(judged(findings)).toEqual([]);
    expect(findings).toContainEqual([
      "resource.changed",
      "low",
      "AuthPolicy toystore/toystore-auth: follows HTTPRoute toystore/toystore, renamed HTTPRoute toystore/toystore-v2 by this PR and serving the same requests, with the same settings",
    ]);
  });

  it("following the route while changing what it requires is judged", () => {
    const anonymous = authPolicy("toystore-v2").replace(
      "api-key-users: {apiKey: {selector: {matchLabels: {app: toystore}}}}",
      "public: {anonymous: {}}",
    );
    expect(
      judged(
        found(before(authPolicy("toystore")), { "gateway.yaml": GATEWAY, "route.yaml": route("toystore-v2"), "auth.yaml": anonymous }),
      ),
    ).toContain("access.widened");
  });

  it("route deleted with its policy: the route's removal is the change", () => {
    expect(judged(found(before(authPolicy("toystore")), { "gateway.yaml": GATEWAY }))).toEqual(["route.removed"]);
  });

  it("the new route with its own policy is guarded: nothing left behind", () => {
    const findings = found(before(authPolicy("toystore")), {
      "gateway.yaml": GATEWAY,
      "route.yaml": route("toystore-v2"),
      "auth.yaml": authPolicy("toystore"),
      "auth-v2.yaml": securityPolicy("toystore-v2"),
    });
    expect(findings.filter(([, , summary]) => String(summary).includes("still targets"))).toEqual([]);
  });
});
