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

  describe("an Istio VirtualService moved to another namespace", () => {
    const vs = (namespace: string, spec: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: recommendation-delay-fault, namespace: ${namespace}}
spec:
${spec}  http:
  - fault: {delay: {percentage: {value: 100}, fixedDelay: 5s}}
    route: [{destination: {host: recommendationservice.recommendation.svc.cluster.local}}]
`;
    const qualified = "  hosts: [recommendationservice.recommendation.svc.cluster.local]\n";

    it("naming the same things there is the same routes moved: its fault is not new (anthos-service-mesh-workshop 6f76c5d8ce)", () => {
      expect(found({ "vs.yaml": vs("default", qualified) }, { "vs.yaml": vs("recommendation", qualified) })).toEqual([
        [
          "resource.changed",
          "low",
          "VirtualService recommendation/recommendation-delay-fault: moved from default/recommendation-delay-fault, with the same spec: its flows are compared as they were, and nothing in the tree names the old name",
        ],
      ]);
    });

    it.each([
      ["a dotless host", "  hosts: [recommendationservice]\n"],
      ["a gateway named without its namespace", `${qualified}  gateways: [public-gw]\n`],
      ["exportTo: ['.']", `${qualified}  exportTo: ["."]\n`],
    ])("spelling %s, read in its own namespace, is removed and added: its fault judged anew", (_, spec) => {
      const moved = found({ "vs.yaml": vs("default", spec) }, { "vs.yaml": vs("recommendation", spec) });
      expect(moved.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("moved from"));
      expect(judged(moved)).toContain("fault.injected");
    });

    it("unset exportTo where the tree's MeshConfig defaults VirtualServices to their own namespace is removed and added", () => {
      const mesh = `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig: {defaultVirtualServiceExportTo: ["."]}
`;
      const moved = found(
        { "vs.yaml": vs("default", qualified), "mesh.yaml": mesh },
        { "vs.yaml": vs("recommendation", qualified), "mesh.yaml": mesh },
      );
      expect(judged(moved)).toContain("fault.injected");
    });

    const sidecar = (namespace: string, hosts: string) => `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: ${namespace}}
spec:
  egress:
  - hosts: [${hosts}]
`;
    // Pinned to a subset: without the VirtualService a sidecar would send these requests elsewhere.
    const pinned = (namespace: string) => vs(namespace, qualified).replace("cluster.local}", "cluster.local, subset: v1}");
    const routesOf = (moved: readonly (readonly string[])[]) =>
      moved.filter(([cls]) => cls!.startsWith("route.")).map(([cls, risk, summary]) => `${risk} ${cls}: ${summary}`);

    it.each([
      ["a Sidecar importing its old namespace", sidecar("web", '"./*", "default/*"'), "Sidecar web/default"],
      [
        "the root namespace's default Sidecar importing each namespace's own",
        sidecar("istio-system", '"./*", "istio-system/*"'),
        "Sidecar istio-system/default in namespace default",
      ],
    ])("seen by %s, it is lost to those workloads: removed there and added here", (_, imports, audience) => {
      const moved = found(
        { "vs.yaml": pinned("default"), "sidecar.yaml": imports },
        { "vs.yaml": pinned("recommendation"), "sidecar.yaml": imports },
      );
      expect(moved.map(([, , summary]) => summary)).not.toContainEqual(expect.stringContaining("moved from"));
      expect(routesOf(moved)).toContain(
        `high route.removed: recommendationservice.recommendation (as ${audience} imports it) via mesh: no longer served (was → v1 100%)`,
      );
    });

    it.each([
      [
        "imports it from every namespace",
        sidecar("web", '"./*", "default/*", "*/recommendationservice.recommendation.svc.cluster.local"'),
        undefined,
      ],
      ["imports only another host of its old namespace", sidecar("web", '"./*", "default/ratings.default.svc.cluster.local"'), undefined],
      ["follows it to its new namespace", sidecar("web", '"./*", "default/*"'), sidecar("web", '"./*", "recommendation/*"')],
      ["imports by namespace none of the two", sidecar("web", '"./*", "istio-system/*"'), undefined],
    ])("where a Sidecar %s, it is the same routes moved", (_, base, head) => {
      const moved = found(
        { "vs.yaml": pinned("default"), "sidecar.yaml": base },
        { "vs.yaml": pinned("recommendation"), "sidecar.yaml": head ?? base },
      );
      expect(moved.map(([, , summary]) => summary)).toContainEqual(
        expect.stringContaining("moved from default/recommendation-delay-fault"),
      );
      expect(routesOf(moved)).toEqual([]);
    });
  });

  it("a Gateway renamed is another load balancer: judged as removed and added", () => {
    const renamed = found({ "gateway.yaml": GATEWAY }, { "gateway.yaml": GATEWAY.replace("name: provider-fallback", "name: edge") });
    expect(judged(renamed)).toContain("listener.changed");
  });
});

describe("an Istio Gateway renamed or moved with its routes following is the same entry: the same pods serve the same servers", () => {
  // istio-0to60 7fc96ba: `gateway` renamed `frontend-gateway`, the VirtualService's `gateways` following.
  const gateway = (name: string, namespace = "default", servers = `[{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]`) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {istio: ingressgateway}
  servers: ${servers}
`;
  const vs = (gateways: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web-frontend, namespace: default}
spec:
  hosts: ["*"]
  gateways: [${gateways}]
  http: [{route: [{destination: {host: web-frontend.default.svc.cluster.local, port: {number: 80}}}]}]
`;
  const base = { "gateway.yaml": gateway("gateway"), "vs.yaml": vs("gateway") };
  const lowOnly = (findings: unknown[][]) => findings.filter(([, risk]) => risk !== "low");

  it("renamed, its VirtualService following: one low finding for the Gateway, no server or attachment change", () => {
    const renamed = found(base, { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": vs("frontend-gateway") });
    expect(lowOnly(renamed)).toEqual([]);
    expect(renamed).toContainEqual([
      "resource.changed",
      "low",
      "Gateway default/frontend-gateway: renamed from gateway, with the same selector and servers: istiod applies it to the same proxies",
    ]);
    // Moved to another namespace: istiod applies a Gateway to the pods its selector picks in any namespace.
    const moved = found(base, { "gateway.yaml": gateway("gateway", "ingress"), "vs.yaml": vs("ingress/gateway") });
    expect(lowOnly(moved)).toEqual([]);
    expect(moved.map(([, , summary]) => summary)).toContainEqual(expect.stringContaining("moved from default/gateway"));
  });

  it("what its routes send is still compared under the new name", () => {
    const rerouted = vs("frontend-gateway").replace("web-frontend.default.svc.cluster.local", "web-v2.default.svc.cluster.local");
    const renamed = found(base, { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": rerouted });
    expect(judged(renamed)).not.toContain("listener.changed");
    expect(judged(renamed)).not.toContain("route.attachment-changed");
    expect(judged(renamed).some((cls) => String(cls).startsWith("backend."))).toBe(true);
  });

  it("still named by a route, another spec, or ranked anew against a Gateway it conflicts with: removed and added", () => {
    // No route of the tree on it: routes of other repositories may name it, and break.
    expect(judged(found({ "gateway.yaml": gateway("gateway") }, { "gateway.yaml": gateway("frontend-gateway") }))).toContain(
      "listener.changed",
    );
    // The VirtualService left naming the old name: its routes go nowhere.
    expect(judged(found(base, { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": vs("gateway") }))).toContain("reference.broken");
    // Other servers.
    const https = `[{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: SIMPLE, credentialName: web}}]`;
    expect(
      judged(found(base, { "gateway.yaml": gateway("frontend-gateway", "default", https), "vs.yaml": vs("frontend-gateway") })),
    ).toContain("listener.changed");
    // A TCP server of another Gateway on its port: istiod keeps the older, and the renamed one is new.
    const tcp = gateway("other", "default", `[{port: {number: 80, name: tcp, protocol: TCP}, hosts: ["*"]}]`);
    const rival = found(
      { ...base, "other.yaml": tcp },
      { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": vs("frontend-gateway"), "other.yaml": tcp },
    );
    expect(judged(rival)).toContain("listener.changed");
    // Plain HTTP servers of one port merge in any order.
    const http = gateway("other", "default", `[{port: {number: 80, name: http2, protocol: HTTP}, hosts: [shop.example.com]}]`);
    const merged = found(
      { ...base, "other.yaml": http },
      { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": vs("frontend-gateway"), "other.yaml": http },
    );
    expect(lowOnly(merged)).toEqual([]);
    // An EnvoyFilter that patches the old Gateway's routes by `namespace/name`.
    const filter = `
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: gw-filter, namespace: istio-system}
spec:
  configPatches:
  - applyTo: VIRTUAL_HOST
    match: {context: GATEWAY, routeConfiguration: {gateway: default/gateway}}
    patch: {operation: MERGE, value: {include_request_attempt_count: true}}
`;
    const patched = found(
      { ...base, "filter.yaml": filter },
      { "gateway.yaml": gateway("frontend-gateway"), "vs.yaml": vs("frontend-gateway"), "filter.yaml": filter },
    );
    expect(judged(patched)).toContain("listener.changed");
  });

  it("moved where its namespace decides what it serves: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, or a server host of its own namespace", () => {
    const moved = { "gateway.yaml": gateway("gateway", "ingress"), "vs.yaml": vs("ingress/gateway") };
    const operator = `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: istio, namespace: istio-system}
spec:
  values: {pilot: {env: {PILOT_SCOPE_GATEWAY_TO_NAMESPACE: "true"}}}
`;
    expect(judged(found({ ...base, "iop.yaml": operator }, { ...moved, "iop.yaml": operator }))).toContain("listener.changed");
    // Turned off, as by default: the same pods.
    const off = operator.replace('"true"', '"false"');
    expect(lowOnly(found({ ...base, "iop.yaml": off }, { ...moved, "iop.yaml": off }))).toEqual([]);
    // `./*` admits the routes of the Gateway's own namespace, which a move changes.
    const own = `[{port: {number: 80, name: http, protocol: HTTP}, hosts: ["./*"]}]`;
    const dotted = found(
      { "gateway.yaml": gateway("gateway", "default", own), "vs.yaml": vs("gateway") },
      { "gateway.yaml": gateway("gateway", "ingress", own), "vs.yaml": vs("ingress/gateway") },
    );
    expect(judged(dotted)).toContain("listener.changed");
  });
});
