import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

const OIDC = "  oidc: {provider: {issuer: https://id.example.com}, clientID: web, clientSecret: {name: web-oidc}}\n";
const ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: public, namespace: infra}]
  hostnames: [web.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;

/** The route with these labels, as the label-selecting policies pick it. */
const labelled = (labels: string) => ROUTE.replace("namespace: apps}", `namespace: apps, labels: {${labels}}}`);

/** Findings above low, as `class risk: summary`. */
const judged = (base: Record<string, string>, head: Record<string, string>) =>
  analyze(base, head)
    .findings.filter((finding) => finding.risk !== "low")
    .map((finding) => `${finding.class} ${finding.risk}: ${finding.summary}`);

describe("Envoy Gateway SecurityPolicy picking routes by label: the route's labels decide", () => {
  const SELECTING = `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: sso, namespace: apps}
spec:
  targetSelectors: [{kind: HTTPRoute, matchLabels: {auth: sso}}]
${OIDC}`;
  const relabelled = (before: string, after: string) =>
    judged({ "policy.yaml": SELECTING, "route.yaml": labelled(before) }, { "policy.yaml": SELECTING, "route.yaml": labelled(after) });

  it("a route that loses the label the policy selects no longer requires what it guards", () => {
    expect(relabelled("auth: sso, team: web", "team: web")).toEqual([
      "access.widened high: HTTPRoute apps/web: its labels no longer match SecurityPolicy apps/sso's targetSelectors: it no longer requires oidc",
    ]);
  });

  it("other labels edited, or the selected one kept, change nothing it guards", () => {
    expect(relabelled("auth: sso, team: web", "auth: sso, team: shop")).toEqual([]);
  });

  it("a selector's matchExpressions are read as Kubernetes reads them", () => {
    const expressions = SELECTING.replace("matchLabels: {auth: sso}", "matchExpressions: [{key: auth, operator: In, values: [sso, mfa]}]");
    const tree = (labels: string) => ({ "policy.yaml": expressions, "route.yaml": labelled(labels) });
    expect(judged(tree("auth: sso"), tree("auth: mfa"))).toEqual([]);
    expect(judged(tree("auth: sso"), tree("auth: none"))).toEqual([
      "access.widened high: HTTPRoute apps/web: its labels no longer match SecurityPolicy apps/sso's targetSelectors: it no longer requires oidc",
    ]);
  });
});

describe("a route whose labels now match a label-selecting policy takes on what it gives", () => {
  const policies = `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: sso, namespace: apps}
spec:
  targetSelectors: [{kind: HTTPRoute, matchLabels: {auth: sso}}]
${OIDC}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: chaos, namespace: apps}
spec:
  targetSelectors: [{kind: HTTPRoute, matchLabels: {chaos: "on"}}]
  faultInjection: {abort: {httpStatus: 503, percentage: 50}}
`;
  const joining = (before: string, after: string) =>
    judged({ "policy.yaml": policies, "route.yaml": labelled(before) }, { "policy.yaml": policies, "route.yaml": labelled(after) });

  it("a route labelled into a fault-injecting BackendTrafficPolicy: fault.injected", () => {
    expect(joining("team: web", 'team: web, chaos: "on"')).toEqual([
      "fault.injected high: HTTPRoute apps/web: its labels now match BackendTrafficPolicy apps/chaos's targetSelectors: it takes on its faultInjection: its injected faults now hit these requests",
    ]);
  });

  it("a route labelled into a SecurityPolicy: its clients must now sign in", () => {
    expect(joining("team: web", "team: web, auth: sso")).toEqual([
      "resource.changed medium-high: HTTPRoute apps/web: its labels now match SecurityPolicy apps/sso's targetSelectors: it now requires oidc: requests without it are refused",
    ]);
  });

  it("the same labels written in another order, or a label no policy selects, join nothing", () => {
    expect(joining("team: web, auth: sso", "auth: sso, team: web")).toEqual([]);
    expect(joining("team: web", "team: shop")).toEqual([]);
  });
});

describe("Envoy Gateway BackendTrafficPolicy picking routes by label: a route that leaves it loses its settings", () => {
  const policy = (settings: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: resilience, namespace: apps}
spec:
  targetSelectors: [{kind: HTTPRoute, matchLabels: {tier: backend}}]
${settings}`;
  const leaving = (settings: string) =>
    judged(
      { "policy.yaml": policy(settings), "route.yaml": labelled("tier: backend") },
      { "policy.yaml": policy(settings), "route.yaml": labelled("tier: edge") },
    );

  it("its health checks and circuit breaker gone: health.changed", () => {
    expect(leaving("  healthCheck: {passive: {consecutive5XxErrors: 5}}\n  circuitBreaker: {maxConnections: 100}\n")).toEqual([
      "health.changed high: HTTPRoute apps/web: its labels no longer match BackendTrafficPolicy apps/resilience's targetSelectors: it loses its healthCheck, circuitBreaker: unhealthy backends are no longer taken out, nor overload cut off",
    ]);
  });

  it("only a rate limit gone: medium-high", () => {
    expect(leaving("  rateLimit: {type: Local, local: {rules: [{limit: {requests: 10, unit: Minute}}]}}\n")).toEqual([
      "resource.changed medium-high: HTTPRoute apps/web: its labels no longer match BackendTrafficPolicy apps/resilience's targetSelectors: it loses its rateLimit",
    ]);
  });
});

// A Gateway is picked by label as a route is (reviewer's c15: `role: edge → internal` dropped its 60s timeout).
describe("Envoy Gateway policies picking Gateways by label: a Gateway that leaves one loses what it gave", () => {
  const gateway = (labels: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra, labels: {${labels}}}
spec: {gatewayClassName: envoy, listeners: [{name: https, protocol: HTTPS, port: 443}]}
`;
  const policy = (kind: string, settings: string) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ${kind}
metadata: {name: edge, namespace: infra}
spec:
  targetSelectors: [{kind: Gateway, matchLabels: {role: edge}}]
${settings}`;
  const relabelled = (kind: string, settings: string) =>
    judged(
      { "policy.yaml": policy(kind, settings), "gateway.yaml": gateway("role: edge") },
      { "policy.yaml": policy(kind, settings), "gateway.yaml": gateway("role: internal") },
    );

  it("a BackendTrafficPolicy's timeout: medium-high", () => {
    expect(relabelled("BackendTrafficPolicy", "  timeout: {http: {requestTimeout: 60s}}\n")).toEqual([
      "resource.changed medium-high: Gateway infra/public: its labels no longer match BackendTrafficPolicy infra/edge's targetSelectors: it loses its timeout",
    ]);
  });

  it("a ClientTrafficPolicy's client certificates: mtls.weakened; its TLS floor above the default: medium", () => {
    expect(relabelled("ClientTrafficPolicy", "  tls: {clientValidation: {caCertificateRefs: [{name: client-ca}]}}\n")).toEqual([
      "mtls.weakened critical: Gateway infra/public: its labels no longer match ClientTrafficPolicy infra/edge's targetSelectors: its clients no longer need a certificate (tls.clientValidation)",
    ]);
    expect(relabelled("ClientTrafficPolicy", '  tls: {minVersion: "1.3"}\n')).toEqual([
      "resource.changed medium: Gateway infra/public: its labels no longer match ClientTrafficPolicy infra/edge's targetSelectors: its tls.minVersion 1.3 no longer holds: clients may connect with TLS 1.2",
    ]);
    expect(relabelled("ClientTrafficPolicy", "  timeout: {http: {idleTimeout: 5s}}\n")).toEqual([]);
  });

  it("an EnvoyExtensionPolicy's external processor: high", () => {
    expect(relabelled("EnvoyExtensionPolicy", "  extProc: [{backendRefs: [{name: waf, port: 9000}]}]\n")).toEqual([
      "resource.changed high: Gateway infra/public: its labels no longer match EnvoyExtensionPolicy infra/edge's targetSelectors: it no longer runs external processor waf in its request path",
    ]);
  });
});

// Reviewer's c17 and c14: the labels Flux's commonMetadata sets change in the Kustomization, not in the route's file.
describe("labels a Flux Kustomization's commonMetadata sets: a change there moves the objects it applies out of a policy's selectors", () => {
  const flux = (labels: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: admin, namespace: flux-system}
spec:
  interval: 30m
  path: ./apps/admin
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  targetNamespace: apps
  commonMetadata:
    labels: {${labels}}
`;
  const route = (labels: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: admin${labels ? `, labels: {${labels}}` : ""}}
spec:
  parentRefs: [{name: external}]
  hostnames: [admin.example.com]
  rules: [{backendRefs: [{name: admin, port: 80}]}]
`;
  const JWT = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: require-jwt}
spec:
  targetSelectors: [{group: gateway.networking.k8s.io, kind: HTTPRoute, matchLabels: {access: protected}}]
  jwt: {providers: [{name: idp, remoteJWKS: {uri: "https://idp.example.com/jwks"}}]}
`;
  const tree = (common: string, own = "") => ({
    "flux/ks.yaml": flux(common),
    "apps/admin/route.yaml": route(own),
    "apps/admin/policy.yaml": JWT,
  });
  const LEFT =
    "access.widened high: Kustomization flux-system/admin: HTTPRoute apps/admin's labels no longer match SecurityPolicy apps/require-jwt's targetSelectors: it no longer requires jwt";

  it("access: protected → public takes the route out from under its JWT policy", () => {
    expect(judged(tree("access: protected"), tree("access: public"))).toEqual([LEFT]);
  });

  it("the route's own labels edited too: said once, on the route, compared as applied", () => {
    expect(judged(tree("access: protected"), tree("access: public", "team: admin"))).toEqual([
      "access.widened high: HTTPRoute apps/admin: its labels no longer match SecurityPolicy apps/require-jwt's targetSelectors: it no longer requires jwt",
    ]);
  });

  it("the selected label kept, or written by the route itself where the Kustomization drops it, changes nothing it guards", () => {
    expect(judged(tree("access: protected, team: a"), tree("access: protected, team: b"))).toEqual([]);
    expect(judged(tree("access: protected"), tree("team: b", "access: protected"))).toEqual([]);
  });

  it("a route of another Kustomization keeps its labels", () => {
    const other = { ...tree("access: protected"), "flux/other.yaml": flux("access: protected").replaceAll("admin", "shop") };
    const changed = { ...other, "flux/other.yaml": flux("access: public").replaceAll("admin", "shop") };
    expect(judged(other, changed)).toEqual([]);
  });
});

describe("a SecurityPolicy's targets rewritten to reach the same routes: the same targets", () => {
  const policy = (targets: string) => `
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: sso, namespace: apps}
spec:
${targets}${OIDC}`;
  const BY_NAME = "  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]\n";
  const BY_LABEL = "  targetSelectors: [{kind: HTTPRoute, matchLabels: {auth: sso}}]\n";
  const rewritten = (labels: string) =>
    judged(
      { "policy.yaml": policy(BY_NAME), "route.yaml": labelled(labels) },
      { "policy.yaml": policy(BY_LABEL), "route.yaml": labelled(labels) },
    );

  it("a route named outright, now picked by the label it carries: nothing is lost", () => {
    expect(rewritten("auth: sso")).toEqual([]);
  });

  it("a route the selector does not pick is no longer a target: it no longer requires what the policy guards", () => {
    expect(rewritten("auth: none")).toEqual([
      "access.widened high: SecurityPolicy apps/sso: HTTPRoute apps/web is no longer a target: it no longer requires oidc",
      "resource.changed medium: SecurityPolicy apps/sso: now targets HTTPRoute of apps labelled auth=sso: it requires oidc, and requests without it are refused",
    ]);
  });
});
