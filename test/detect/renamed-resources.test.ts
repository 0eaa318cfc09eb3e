import { describe, expect, it } from "vitest";
import { found, GATEWAY, judged, policy, route } from "./policy-fixtures.js";

describe("a resource renamed with the same spec is one low finding where its name carries no traffic", () => {
  const tree = { "gateway.yaml": GATEWAY, "route.yaml": route() };

  it("renamed with the same targets and settings: one low finding, no setting read as new (ai-gateway 2c00d500)", () => {
    expect(
      found({ ...tree, "policy.yaml": policy("passive-health-check") }, { ...tree, "policy.yaml": policy("provider-fallback") }),
    ).toEqual([
      [
        "resource.changed",
        "low",
        "BackendTrafficPolicy default/provider-fallback: renamed from passive-health-check, with the same targets (HTTPRoute default/provider-fallback) and settings",
      ],
    ]);
  });

  it("renamed with other settings, or beside another policy of its target, is judged setting by setting", () => {
    const changed = found(
      { ...tree, "policy.yaml": policy("passive-health-check") },
      { ...tree, "policy.yaml": policy("provider-fallback", undefined, 7) },
    );
    expect(judged(changed)).toContain("retry-timeout.changed");
    // The controller ranks policies of one target oldest first: the renamed one is the newest now.
    const other = policy("older").replace("numRetries: 5", "numRetries: 1");
    const contested = found(
      { ...tree, "policy.yaml": policy("passive-health-check"), "older.yaml": other },
      { ...tree, "policy.yaml": policy("provider-fallback"), "older.yaml": other },
    );
    expect(judged(contested)).toContain("retry-timeout.changed");
  });

  it("a policy written in several files and renamed in each: one low finding a file, each version paired with its own (eg-course 6333810)", () => {
    // One object written twice (rate limits in one file, retries in the other): read as two policies of
    // one target, neither rename was settled, and each version's settings were judged as new or lost.
    const limited = (name: string) =>
      policy(name).replace(
        "  retry: {numRetries: 5, retryOn: {httpStatusCodes: [500]}}\n",
        "  rateLimit: {type: Local, local: {rules: [{limit: {requests: 3, unit: Minute}}]}}\n",
      );
    const versions = (name: string) => ({ ...tree, "ratelimit/policy.yaml": limited(name), "retries/policy.yaml": policy(name) });
    const renamed =
      "BackendTrafficPolicy default/httpbin-traffic-policy: renamed from httpbin-trafficpolicy, with the same targets (HTTPRoute default/provider-fallback) and settings";
    expect(found(versions("httpbin-trafficpolicy"), versions("httpbin-traffic-policy"))).toEqual([
      ["resource.changed", "low", renamed],
      ["resource.changed", "low", renamed],
    ]);
    // Only one version renamed: the new name is another policy of the target, beside the old one that stays.
    const one = found(versions("httpbin-trafficpolicy"), {
      ...versions("httpbin-trafficpolicy"),
      "retries/policy.yaml": policy("httpbin-traffic-policy"),
    });
    expect(one.map(([, , summary]) => summary)).not.toContain(renamed);
  });

  // Read as removed and added, its mirror was "added" (high) and its timeout new.
  const mirrored = (name: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: provider-fallback}]
  rules:
  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}]
    timeouts: {request: 1s}
    backendRefs: [{name: primary, port: 80}]
`;

  it("a route renamed: its flows are the same, its settings not new", () => {
    expect(
      found({ "gateway.yaml": GATEWAY, "route.yaml": mirrored("web") }, { "gateway.yaml": GATEWAY, "route.yaml": mirrored("web-public") }),
    ).toEqual([
      [
        "resource.changed",
        "low",
        "HTTPRoute default/web-public: renamed from web, with the same spec: its flows are compared as they were, and nothing in the tree names the old name",
      ],
    ]);
  });

  it("an Ingress renamed may be another load balancer (GKE, AWS): judged as removed and added", () => {
    const ingress = (name: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/configuration-snippet: "more_set_headers x: y;"}
spec:
  ingressClassName: nginx
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    const renamed = found({ "ingress.yaml": ingress("shop") }, { "ingress.yaml": ingress("shop-public") });
    expect(renamed.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("renamed from"));
  });

  it("a route renamed while something names the old name (an Argo Rollout's VirtualService) is judged as removed and added", () => {
    const vs = (name: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - name: primary
    fault: {abort: {percentage: {value: 10}, httpStatus: 503}}
    route: [{destination: {host: reviews}}]
`;
    const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: reviews, namespace: shop}
spec:
  strategy:
    canary:
      canaryService: reviews-canary
      stableService: reviews-stable
      trafficRouting: {istio: {virtualService: {name: reviews-vs, routes: [primary]}}}
`;
    const renamed = found(
      { "vs.yaml": vs("reviews-vs"), "rollout.yaml": rollout },
      { "vs.yaml": vs("reviews-routes"), "rollout.yaml": rollout },
    );
    expect(renamed.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("renamed from"));
    expect(judged(renamed)).toContain("reference.broken");
  });

  it("a Gateway renamed is another load balancer: judged as removed and added", () => {
    const renamed = found({ "gateway.yaml": GATEWAY }, { "gateway.yaml": GATEWAY.replace("name: provider-fallback", "name: edge") });
    expect(judged(renamed)).toContain("listener.changed");
  });
});
