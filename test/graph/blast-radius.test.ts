import { describe, expect, it } from "vitest";
import { FLEET_GATEWAY_PATH, fleetGateway, generateFleet } from "../../bench/generate-fleet.js";
import { analyzeChange } from "../../src/review.js";
import { httpRoute, serviceImportRef } from "../helpers/http-route-yaml.js";
import { analyze, corpusFile, policyWith, describeCorpus } from "../helpers/review-trees.js";

const TOPOLOGY = `topology:
  backendRegions: ["-(?<region>jkt|sgp|tyo)$"]
  clusters: { jkt-prod-1: jkt, sgp-prod-1: sgp, tyo-prod-1: tyo }
  placements: ["clusters/{cluster}/**"]
`;

/** 3 regions × 40 services: one route per service, all on the fleet's shared Gateway. */
const fleet = () => generateFleet({ files: 40, routesPerFile: 1, changeEvery: 1_000, infrastructure: true });
const withGateway = (files: { path: string; text: string }[], gateway: string) =>
  files.map((file) => (file.path === FLEET_GATEWAY_PATH ? { ...file, text: gateway } : file));

describe("blast radius of a shared Gateway (3 regions × 40 services)", () => {
  it("editing the shared listener reports every attached route, all in unchanged files", () => {
    const { base } = fleet();
    const head = withGateway(base, fleetGateway({ port: 8443 }));
    const result = analyzeChange({ base, head, policy: policyWith(TOPOLOGY) });
    const radius = result.blastRadius;
    expect(radius.gateways).toHaveLength(1);
    expect(radius.gateways[0]).toMatchObject({
      gateway: "Gateway infra/public-gateway",
      change: "changed",
      file: FLEET_GATEWAY_PATH,
      routesAttached: 40,
      detached: [],
    });
    expect(radius.gateways[0]!.routes).toEqual(Array.from({ length: 40 }, (_, i) => `HTTPRoute team-${i % 20}/svc-${i}-0`).sort());
    expect(radius.routesAttached).toBe(40);
    expect(radius.hostnames).toHaveLength(40);
    expect(radius.regions).toEqual(["jkt", "sgp", "tyo"]);
    // The Gateway's cluster; backends are placed by region name only in this topology.
    expect(radius.clusters).toEqual(["config"]);
    // No route file changed: no flow moved traffic.
    expect(result.routeDiffs).toEqual([]);
    expect(radius.shareShift).toEqual([]);
  });

  it("narrowing allowedRoutes to Same detaches all 40 routes: each is a reference.broken finding on its own file", () => {
    const { base } = fleet();
    const head = withGateway(base, fleetGateway({ from: "Same" }));
    const result = analyzeChange({ base, head, policy: policyWith(TOPOLOGY) });
    expect(result.blastRadius.gateways[0]!.detached).toHaveLength(40);
    const broken = result.findings.filter((f) => f.class === "reference.broken");
    expect(broken).toHaveLength(40);
    expect(new Set(broken.map((f) => f.file)).size).toBe(40);
    expect(broken.every((f) => f.file.startsWith("clusters/config/routes/"))).toBe(true);
  });

  it("a re-weighted route shows its share per region and nothing about the Gateway", () => {
    const { base, head } = generateFleet({ files: 40, routesPerFile: 1, changeEvery: 20, infrastructure: true });
    const radius = analyzeChange({ base, head, policy: policyWith(TOPOLOGY) }).blastRadius;
    expect(radius.gateways).toEqual([]);
    expect(radius.shareShift).toEqual([
      {
        flow: "svc-0-0.example.com /api, method GET",
        entry: "Gateway infra/public-gateway:https [config]",
        regions: [
          { region: "jkt", before: 80, after: 50 },
          { region: "sgp", before: 10, after: 40 },
          { region: "tyo", before: 10, after: 10 },
        ],
      },
      {
        flow: "svc-20-0.example.com /api, method GET",
        entry: "Gateway infra/public-gateway:https [config]",
        regions: [
          { region: "jkt", before: 80, after: 50 },
          { region: "sgp", before: 10, after: 40 },
          { region: "tyo", before: 10, after: 10 },
        ],
      },
    ]);
    expect(radius.issues).toEqual({ introduced: [], existing: [], fixed: [] });
  });
});

describe("services gaining or losing regions; mesh scope", () => {
  const route = (backends: string) => httpRoute(`  - backendRefs:\n${backends}`);
  it("a service that starts receiving traffic in a region gains it; drained to 0 loses it", () => {
    const ref = (name: string, weight: number) => `    - ${serviceImportRef(name, weight)}\n`;
    const result = analyze(
      { "r.yaml": route(ref("checkout-jkt", 100) + ref("checkout-sgp", 0)) },
      { "r.yaml": route(ref("checkout-jkt", 0) + ref("checkout-sgp", 100)) },
      TOPOLOGY,
    );
    expect(result.blastRadius.services).toEqual([{ service: "checkout", gained: ["sgp"], lost: ["jkt"] }]);
    expect(result.blastRadius.shareShift[0]!.regions).toEqual([
      { region: "jkt", before: 100, after: 0 },
      { region: "sgp", before: 0, after: 100 },
    ]);
  });

  it("a service a changed route sends to counts every route's regions, the unchanged routes' too", () => {
    const ref = (name: string, weight: number) => `    - ${serviceImportRef(name, weight)}\n`;
    const kept = httpRoute(`  - backendRefs:\n${ref("checkout-jkt", 100)}`, { name: "kept", hostname: "kept.example.com" });
    const result = analyze(
      { "kept.yaml": kept, "r.yaml": route(ref("checkout-jkt", 100) + ref("checkout-sgp", 0)) },
      { "kept.yaml": kept, "r.yaml": route(ref("checkout-jkt", 0) + ref("checkout-sgp", 100)) },
      TOPOLOGY,
    );
    // The kept route still sends to jkt: checkout gains sgp and loses nothing.
    expect(result.blastRadius.services).toEqual([{ service: "checkout", gained: ["sgp"], lost: [] }]);
  });

  it.each([
    ["istio-system", "", "mesh-wide", "in the root namespace istio-system: every workload of the mesh"],
    ["shop", "", "namespace", "every workload in namespace shop"],
    [
      "istio-system",
      "  selector: { matchLabels: { app: checkout } }\n",
      "workloads",
      "workloads app=checkout in every namespace (root namespace istio-system)",
    ],
  ])("PeerAuthentication in %s %s→ %s", (namespace, selector, scope, detail) => {
    const pa = (mode: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: { name: default, namespace: ${namespace} }
spec:
${selector}  mtls: { mode: ${mode} }
`;
    const result = analyze({ "pa.yaml": pa("STRICT") }, { "pa.yaml": pa("PERMISSIVE") });
    expect(result.blastRadius.meshScope).toEqual([
      expect.objectContaining({ resource: `PeerAuthentication ${namespace}/default`, scope, detail }),
    ]);
  });
});

describe("what reaches a Gateway: the roles its families give kinds", () => {
  const tree = (label: string) => ({
    "gw.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec: { gatewayClassName: example, listeners: [{ name: http, protocol: HTTP, port: 80 }] }
`,
    "istio-gw.yaml": `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: { name: mesh-in, namespace: infra, labels: { team: ${label} } }
spec: { selector: { istio: ingressgateway }, servers: [{ port: { number: 80, name: http, protocol: HTTP }, hosts: ["*"] }] }
`,
    "classes.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: example, labels: { team: ${label} } }
spec: { controllerName: example.com/gateway }
---
apiVersion: networking.x-k8s.io/v1alpha1
kind: Gateway
metadata: { name: retired, namespace: infra, labels: { team: ${label} } }
spec: { gatewayClassName: example, listeners: [{ protocol: HTTP, port: 80, routes: { kind: HTTPRoute } }] }
`,
  });

  it("a changed Gateway (either API) reaches itself, a changed GatewayClass its Gateways; a legacy Gateway is no Gateway of the graph", () => {
    const { blastRadius } = analyze(tree("a"), tree("b"));
    expect(blastRadius.gateways.map(({ gateway, change, via }) => [gateway, change, via])).toEqual([
      ["Gateway infra/mesh-in", "changed", undefined],
      ["Gateway infra/public", "changed", "GatewayClass example changed"],
    ]);
  });
});

describe("what a policy attached by name reaches (each family's policyTargets)", () => {
  const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: prod-web, namespace: ingress-gateway }
spec:
  gatewayClassName: istio
  listeners: [{ name: api, hostname: api.toystore.example.com, port: 443, protocol: HTTPS, allowedRoutes: { namespaces: { from: All } } }]
`;
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: toystore, namespace: toystore }
spec:
  parentRefs: [{ name: prod-web, namespace: ingress-gateway }]
  hostnames: [api.toystore.example.com]
  rules: [{ backendRefs: [{ name: toystore, port: 80 }] }]
`;
  const dnsPolicy = (geo: string) => `apiVersion: kuadrant.io/v1
kind: DNSPolicy
metadata: { name: prod-web, namespace: ingress-gateway }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: prod-web }
  loadBalancing: { weight: 120, geo: ${geo}, defaultGeo: true }
`;
  const authPolicy = `apiVersion: kuadrant.io/v1
kind: AuthPolicy
metadata: { name: toystore, namespace: toystore }
spec:
  targetRef: { group: gateway.networking.k8s.io, kind: HTTPRoute, name: toystore }
  rules: { authentication: { api-key-users: { apiKey: { selector: { matchLabels: { app: toystore } } } } } }
`;

  it("a Kuadrant DNSPolicy on a Gateway reaches the Gateway, its routes and their hostnames", () => {
    const tree = (geo: string) => ({ "gw.yaml": gateway, "route.yaml": route, "dns.yaml": dnsPolicy(geo) });
    const { blastRadius } = analyze(tree("GEO-EU"), tree("GEO-NA"));
    expect(blastRadius.gateways.map(({ gateway: name, via, routes }) => [name, via, routes])).toEqual([
      ["Gateway ingress-gateway/prod-web", "DNSPolicy ingress-gateway/prod-web changed", ["HTTPRoute toystore/toystore"]],
    ]);
    expect(blastRadius.hostnames).toEqual(["api.toystore.example.com"]);
  });

  it("an AuthPolicy removed from a route reaches that route's hostnames, not its Gateway", () => {
    const { blastRadius } = analyze(
      { "gw.yaml": gateway, "route.yaml": route, "auth.yaml": authPolicy },
      { "gw.yaml": gateway, "route.yaml": route },
    );
    expect(blastRadius.gateways).toEqual([]);
    expect(blastRadius.hostnames).toEqual(["api.toystore.example.com"]);
  });
});

describeCorpus("blast radius on the corpora (../shared/corpus)", () => {
  const BOOKINFO = "istio__istio/samples/bookinfo/networking";
  it("bookinfo reviews 90-10 → 80-20 with its DestinationRules", () => {
    const rules = corpusFile(`${BOOKINFO}/destination-rule-all.yaml`);
    const result = analyze(
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-90-10.yaml`), "dr.yaml": rules },
      { "vs.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-80-20.yaml`), "dr.yaml": rules },
    );
    expect(result.blastRadius).toMatchInlineSnapshot(`
      {
        "clusters": [],
        "gateways": [],
        "hostnames": [
          "reviews.default",
        ],
        "issues": {
          "existing": [],
          "fixed": [],
          "introduced": [],
        },
        "meshScope": [],
        "regions": [],
        "routesAttached": 0,
        "services": [],
        "shareShift": [],
        "unchecked": [],
      }
    `);
  });

  it("bookinfo: routing ratings to v2-mysql where only the reviews DestinationRule exists introduces reference.broken (the file repeats the reviews VirtualService alike: one object, no conflict)", () => {
    const base = {
      "reviews.yaml": corpusFile(`${BOOKINFO}/virtual-service-reviews-v3.yaml`),
      "dr.yaml": corpusFile(`${BOOKINFO}/destination-rule-reviews.yaml`),
    };
    const result = analyze(base, { ...base, "ratings.yaml": corpusFile(`${BOOKINFO}/virtual-service-ratings-mysql.yaml`) });
    expect(result.blastRadius.issues.introduced.map((i) => `${i.file}:${i.line} ${i.summary}`)).toMatchInlineSnapshot(`
      [
        "ratings.yaml:23 VirtualService default/ratings: subset v2-mysql of ratings: no DestinationRule in the repository is for host ratings.default.svc.cluster.local",
      ]
    `);
    // Each introduced issue is a finding that gates.
    expect(result.findings.filter((f) => f.class === "reference.broken" || f.class === "listener.changed")).toHaveLength(
      result.blastRadius.issues.introduced.length,
    );
  });

  it("Gateway API multicluster: the simple route → the location split", () => {
    const mc = (file: string) => corpusFile(`kubernetes-sigs__gateway-api/examples/standard/multicluster/${file}`);
    const result = analyze({ "route.yaml": mc("httproute-simple.yaml") }, { "route.yaml": mc("httproute-location.yaml") });
    expect(result.blastRadius).toMatchInlineSnapshot(`
      {
        "clusters": [],
        "gateways": [],
        "hostnames": [],
        "issues": {
          "existing": [],
          "fixed": [],
          "introduced": [],
        },
        "meshScope": [],
        "regions": [],
        "routesAttached": 0,
        "services": [],
        "shareShift": [
          {
            "entry": "Gateway default/external-http",
            "flow": "* /east",
            "regions": [
              {
                "after": 100,
                "before": 0,
                "region": "clusterset",
              },
            ],
          },
          {
            "entry": "Gateway default/external-http",
            "flow": "* /west",
            "regions": [
              {
                "after": 100,
                "before": 0,
                "region": "clusterset",
              },
            ],
          },
        ],
        "unchecked": [
          "1 reference not checked: route parents name Gateways, but the repository holds none",
          "3 references not checked: backends are ServiceImports, but the repository holds no ServiceExport",
        ],
      }
    `);
  });

  it("GKE multi-cluster Gateway (mcg-internal-basic): a ServiceExport removed leaves the ServiceImport unexported", () => {
    const gke = (file: string) =>
      corpusFile(`GoogleCloudPlatform__gke-networking-recipes/gateway/multi-cluster/mcg-internal-basic/${file}`);
    const tree = {
      "clusters/gke-1/gateway.yaml": gke("gke-1/gateway.yaml"),
      "clusters/gke-1/route.yaml": gke("gke-1/route.yaml"),
      "clusters/gke-1/serviceexport-v1.yaml": gke("gke-1/serviceexport-v1.yaml"),
      "clusters/gke-2/serviceexport-v2.yaml": gke("gke-2/serviceexport-v2.yaml"),
    };
    const { "clusters/gke-2/serviceexport-v2.yaml": _, ...head } = tree;
    const result = analyze(
      tree,
      head,
      `topology: { placements: ["clusters/{cluster}/**"], clusters: { gke-1: us-west1, gke-2: us-east1 } }\n`,
    );
    expect(result.blastRadius).toMatchInlineSnapshot(`
      {
        "clusters": [
          "gke-1",
          "gke-2",
        ],
        "gateways": [],
        "hostnames": [],
        "issues": {
          "existing": [],
          "fixed": [],
          "introduced": [
            {
              "class": "reference.broken",
              "file": "clusters/gke-1/route.yaml",
              "line": 17,
              "summary": "HTTPRoute store/store-route-ilb: ServiceImport store/store-v2 is exported by no cluster (no ServiceExport store/store-v2 in the repository), so it has no endpoints",
            },
          ],
        },
        "meshScope": [],
        "regions": [
          "us-east1",
          "us-west1",
        ],
        "routesAttached": 0,
        "services": [
          {
            "gained": [],
            "lost": [
              "us-east1",
            ],
            "service": "store-v2",
          },
        ],
        "shareShift": [
          {
            "entry": "Gateway store/multi-cluster-gateway-ilb [gke-1]",
            "flow": "*",
            "regions": [
              {
                "after": 20,
                "before": 0,
                "region": "no exporting cluster",
              },
              {
                "after": 0,
                "before": 20,
                "region": "us-east1",
              },
              {
                "after": 80,
                "before": 80,
                "region": "us-west1",
              },
            ],
          },
        ],
        "unchecked": [],
      }
    `);
  });
});

describe("what a changed DestinationRule, ServiceEntry or ServiceExport reaches (each family's referents)", () => {
  const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: shop }
spec:
  hosts: [reviews.shop.example.com]
  http:
  - route:
    - destination: { host: reviews }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: payments, namespace: shop }
spec:
  hosts: [payments.shop.example.com]
  http:
  - route:
    - destination: { host: api.payments.example }
`;
  const rule = (lb: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: shop }
spec:
  host: reviews
  trafficPolicy: { loadBalancer: { simple: ${lb} } }
`;
  const entry = (port: number) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: payments, namespace: shop }
spec:
  hosts: [api.payments.example]
  ports: [{ number: ${port}, name: https, protocol: TLS }]
  resolution: DNS
`;
  const hostnames = (before: Record<string, string>, after: Record<string, string>) => analyze(before, after).blastRadius.hostnames;

  // Each lists its own host beside the hostnames of the routes that send there, and no other route's.
  it("a DestinationRule reaches the routes to its host, and only those", () => {
    expect(hostnames({ "vs.yaml": vs, "dr.yaml": rule("ROUND_ROBIN") }, { "vs.yaml": vs, "dr.yaml": rule("LEAST_REQUEST") })).toEqual([
      "reviews.shop",
      "reviews.shop.example.com",
    ]);
  });

  it("a ServiceEntry reaches the routes to the hosts it adds", () => {
    expect(hostnames({ "vs.yaml": vs, "se.yaml": entry(443) }, { "vs.yaml": vs, "se.yaml": entry(8443) })).toEqual([
      "api.payments.example",
      "payments.shop.example.com",
    ]);
  });
});
