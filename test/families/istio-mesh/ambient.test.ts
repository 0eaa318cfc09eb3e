import { describe, expect, it } from "vitest";
import { ambientLabelDetector, waypointDetector } from "../../../src/families/istio-mesh/ambient.js";
import { gatewayApiDetector } from "../../../src/families/gateway-api/gateway-api.js";
import { istioDetector } from "../../../src/families/istio/istio.js";
import { analyze } from "../../helpers/review-trees.js";
import {
  corpusAvailable,
  corpusFile,
  detect,
  detectorTable,
  expectDetections,
  resource,
  resourcesOf,
  type Expected,
} from "../../detect/resource-fixture.js";

const namespace = (labels: string) => `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {${labels}}
`;

const serviceEntry = (labels: string) => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop, labels: {${labels}}}
spec:
  hosts: [payments.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
`;

const ENFORCING_POLICY = resource(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: checkout-writers, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: shop-waypoint}]
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}], to: [{operation: {methods: [POST]}}]}]
`);

/** Written for sidecars: selects workloads and matches a method, which only a waypoint evaluates in ambient mode. */
const SIDECAR_ERA_POLICY = resource(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: checkout-get, namespace: shop}
spec:
  selector: {matchLabels: {app: checkout}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}], to: [{operation: {methods: [GET], ports: ["8080"]}}]}]
`);

const run = detectorTable(ambientLabelDetector, { base: [ENFORCING_POLICY], head: [ENFORCING_POLICY] });

const label = (name: string) => ["metadata", "labels", name];

describe("ambient labels on a Namespace", () => {
  run([
    {
      name: "dataplane-mode ambient → none: the namespace leaves the mesh",
      base: namespace("istio.io/dataplane-mode: ambient"),
      head: namespace("istio.io/dataplane-mode: none"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: label("istio.io/dataplane-mode"),
          says: "Namespace default/shop: istio.io/dataplane-mode ambient → none: the namespace's workloads leave the ambient mesh",
        },
      ],
    },
    {
      name: "the labelled Namespace gone from the tree",
      base: namespace("istio.io/dataplane-mode: ambient"),
      expected: [
        {
          class: "mtls.weakened",
          side: "base",
          path: label("istio.io/dataplane-mode"),
          says: "ambient → (unset) (label removed or namespace deleted)",
        },
      ],
    },
    {
      name: "joining ambient",
      base: namespace("istio.io/dataplane-mode: none"),
      head: namespace("istio.io/dataplane-mode: ambient"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: label("istio.io/dataplane-mode"),
          riskFloor: "high",
          says: "none → ambient: ztunnel captures the namespace's workloads' traffic",
        },
      ],
    },
    {
      name: "joining ambient with a workload policy on L7 attributes: ztunnel will refuse what it covers",
      base: namespace("istio-injection: enabled"),
      head: namespace("istio.io/dataplane-mode: ambient"),
      others: { base: [SIDECAR_ERA_POLICY], head: [SIDECAR_ERA_POLICY] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: label("istio.io/dataplane-mode"),
          riskFloor: "high",
          says: "AuthorizationPolicy shop/checkout-get cannot be fully evaluated by ztunnel (to.operation.methods): Istio omits every rule of this ALLOW policy, so it allows nothing",
        },
      ],
    },
    {
      name: "a waypoint attached",
      base: namespace("istio.io/dataplane-mode: ambient"),
      head: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shop-waypoint"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: label("istio.io/use-waypoint"),
          says: "the namespace's workloads now go through waypoint shop/shop-waypoint: its L7 policies and routes start applying (AuthorizationPolicy shop/checkout-writers enforced there)",
        },
      ],
    },
    {
      name: "the waypoint that enforced an AuthorizationPolicy dropped",
      base: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shop-waypoint"),
      head: namespace("istio.io/dataplane-mode: ambient"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["metadata", "labels"],
          says: "no longer uses waypoint shop/shop-waypoint: L7 AuthorizationPolicies and routes bound to it stop applying to the namespace's workloads (AuthorizationPolicy shop/checkout-writers enforced there)",
        },
      ],
    },
    {
      name: "use-waypoint: none opts out",
      base: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shop-waypoint"),
      head: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: none"),
      expected: [
        { class: "access.widened", side: "head", path: label("istio.io/use-waypoint"), says: "no longer uses waypoint shop/shop-waypoint" },
      ],
    },
    {
      name: "another waypoint",
      base: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shop-waypoint"),
      head: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shared-waypoint"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: label("istio.io/use-waypoint"),
          says: "moves from waypoint shop/shop-waypoint to shop/shared-waypoint",
        },
      ],
    },
    {
      name: "the waypoint's namespace",
      base: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint"),
      head: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint, istio.io/use-waypoint-namespace: istio-system"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: label("istio.io/use-waypoint-namespace"),
          says: "moves from waypoint shop/waypoint to istio-system/waypoint",
        },
      ],
    },
    {
      name: "labels reordered and others edited: nothing",
      base: namespace("istio.io/dataplane-mode: ambient, istio.io/use-waypoint: w, team: a"),
      head: namespace("team: b, istio.io/use-waypoint: w, istio.io/dataplane-mode: ambient"),
      expected: [],
    },
  ]);
});

describe("ambient labels on a ServiceEntry", () => {
  run([
    {
      name: "use-waypoint dropped",
      base: serviceEntry("istio.io/use-waypoint: egress-waypoint"),
      head: serviceEntry(""),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["metadata", "labels"],
          says: "ServiceEntry shop/payments: no longer uses waypoint shop/egress-waypoint: L7 AuthorizationPolicies and routes bound to it stop applying to its hosts",
        },
      ],
    },
    {
      name: "ingress-use-waypoint removed",
      base: serviceEntry("istio.io/use-waypoint: w, istio.io/ingress-use-waypoint: 'true'"),
      head: serviceEntry("istio.io/use-waypoint: w"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["metadata", "labels"],
          says: "traffic from ingress gateways to its hosts bypasses the waypoint",
        },
      ],
    },
    {
      name: "ingress-use-waypoint added",
      base: serviceEntry("istio.io/use-waypoint: w"),
      head: serviceEntry("istio.io/use-waypoint: w, istio.io/ingress-use-waypoint: 'true'"),
      expected: [
        { class: "listener.changed", side: "head", path: label("istio.io/ingress-use-waypoint"), says: "goes through the waypoint" },
      ],
    },
  ]);
});

const waypoint = (labels: string, klass = "istio-waypoint") => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop-waypoint, namespace: shop, labels: {${labels}}}
spec:
  gatewayClassName: ${klass}
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`;

describe("waypoint Gateways (class istio-waypoint)", () => {
  const rows: readonly (readonly [string, string | undefined, string | undefined, Expected[]])[] = [
    [
      "added",
      undefined,
      waypoint("istio.io/waypoint-for: service"),
      [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "gatewayClassName"],
          says: "waypoint added for service traffic: namespaces, services and ServiceEntries labelled istio.io/use-waypoint=shop-waypoint",
        },
      ],
    ],
    [
      "removed",
      waypoint(""),
      undefined,
      [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "gatewayClassName"],
          says: "waypoint removed: traffic of whatever still uses it loses L7 enforcement (AuthorizationPolicy shop/checkout-writers enforced there)",
        },
      ],
    ],
    [
      "retargeted to workload traffic too",
      waypoint(""),
      waypoint("istio.io/waypoint-for: all"),
      [
        {
          class: "listener.changed",
          side: "head",
          path: ["metadata", "labels", "istio.io/waypoint-for"],
          says: "istio.io/waypoint-for service → all",
        },
      ],
    ],
    ["waypoint-for spelled as its default", waypoint(""), waypoint("istio.io/waypoint-for: service"), []],
  ];
  it.each(rows)("%s", (_name, base, head, expected) => {
    expectDetections(detect(waypointDetector, base, head, { base: [ENFORCING_POLICY], head: [ENFORCING_POLICY] }), expected);
  });

  it("its HBONE listener is not reported as an exposure point by the Gateway API detector", () => {
    expect(detect(gatewayApiDetector, undefined, waypoint(""))).toEqual([]);
  });
});

describe("east-west gateways: listener.changed that says cross-network", () => {
  it("Gateway API class istio-east-west", () => {
    const eastWest = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eastwest, namespace: istio-system, labels: {topology.istio.io/network: net-jkt}}
spec:
  gatewayClassName: istio-east-west
  listeners: [{name: mesh, port: 15008, protocol: HBONE, tls: {mode: Terminate, options: {gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL}}}]
`;
    expectDetections(detect(gatewayApiDetector, undefined, eastWest), [
      {
        class: "listener.changed",
        side: "head",
        path: ["spec", "listeners", 0],
        says: "listener mesh added (HBONE :15008, any hostname): a new exposure point (cross-network",
      },
    ]);
  });

  it("an Istio Gateway server turned AUTO_PASSTHROUGH", () => {
    const gateway = (mode: string) => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross-network-gateway, namespace: istio-system}
spec:
  selector: {istio: eastwestgateway}
  servers: [{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: ${mode}}, hosts: ['*.local']}]
`;
    expectDetections(detect(istioDetector, gateway("PASSTHROUGH"), gateway("AUTO_PASSTHROUGH")), [
      {
        class: "listener.changed",
        side: "head",
        path: ["spec", "servers", 0, "tls", "mode"],
        says: "tls.mode PASSTHROUGH → AUTO_PASSTHROUGH; cross-network: clusters on other networks reach services matching *.local here",
      },
    ]);
  });

  it.skipIf(!corpusAvailable)("corpus: samples/multicluster/expose-services.yaml added, then removed", () => {
    const [crossNetwork] = resourcesOf(corpusFile("istio__istio/samples/multicluster/expose-services.yaml"));
    expectDetections(detect(istioDetector, undefined, crossNetwork), [
      {
        class: "listener.changed",
        side: "head",
        path: ["spec", "servers", 0],
        says: "server tls added (TLS :15443 for *.local): a new exposure point; cross-network: clusters on other networks reach services matching *.local here",
      },
    ]);
    expectDetections(detect(istioDetector, crossNetwork, undefined), [
      {
        class: "listener.changed",
        side: "base",
        path: ["spec", "servers", 0],
        says: "cross-network: clusters on other networks lose their path to services matching *.local here",
      },
    ]);
  });
});

describe("end to end: labelled Namespaces are read, others ignored", () => {
  it.each([
    ["leaving ambient", "istio.io/dataplane-mode: ambient", "istio.io/dataplane-mode: none", [["mtls.weakened", "critical"]]],
    ["dropping the waypoint", "istio.io/use-waypoint: w", "team: shop", [["access.widened", "high"]]],
    [
      "moving to another network",
      "topology.istio.io/network: net-jkt",
      "topology.istio.io/network: net-sgp",
      [["trust.changed", "critical"]],
    ],
    // Read for the labels listener selectors match; no mesh meaning, so only listed.
    ["a Namespace without mesh labels", "team: a", "team: b", [["resource.changed", "low"]]],
  ])("%s", (_name, before, after, expected) => {
    const result = analyze({ "mesh/namespace.yaml": namespace(before) }, { "mesh/namespace.yaml": namespace(after) });
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual(expected);
  });
});

describe("ServiceEntry endpoints with locality are region backends in the traffic model", () => {
  const tree = (endpoints: string) => ({
    "mesh/payments.yaml": `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop}
spec:
  hosts: [payments.global]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 8080, name: http, protocol: HTTP}]
  endpoints:
${endpoints}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payments, namespace: shop}
spec:
  hosts: [payments.global]
  http: [{route: [{destination: {host: payments.global}}]}]
`,
  });
  const jkt = "  - {address: 10.1.0.1, locality: asia-southeast2/asia-southeast2-a, network: net-jkt}\n";
  const sgp = "  - {address: 10.2.0.1, locality: asia-southeast1/asia-southeast1-b, network: net-sgp}\n";

  it("the flow's backend is placed in the endpoints' regions; an endpoint in a new region and network is backend.region-added", () => {
    const result = analyze(tree(jkt), tree(jkt + sgp));
    const placements = (model: typeof result.head.model) =>
      [...model.flows.values()].flatMap((flow) => flow.backends.map((backend) => backend.placement.regions));
    expect(placements(result.base.model)).toEqual([["asia-southeast2"]]);
    expect(placements(result.head.model)).toEqual([["asia-southeast1", "asia-southeast2"]]);
    const ofEntry = result.findings.filter((finding) => finding.resource.kind === "ServiceEntry");
    expect(ofEntry.map((finding) => [finding.class, finding.risk, finding.summary.includes("east-west gateway")])).toEqual([
      ["backend.region-added", "high", false],
      ["backend.region-added", "high", true],
    ]);
  });
});
