import { describe, expect, it } from "vitest";
import { entryPointsOf, FAMILIES } from "../../src/families/index.js";
import { buildTrafficGraph, graphMemo } from "../../src/graph/traffic-graph.js";
import { createManifestCache, loadManifests } from "../../src/manifests/load-manifests.js";
import { analyze } from "../helpers/review-trees.js";
import type { FilePlacement } from "../../src/core/gitops-delivery.js";

const TREE = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: example }
spec: { controllerName: example.com/gateway }
---
apiVersion: networking.x-k8s.io/v1alpha1
kind: GatewayClass
metadata: { name: retired }
spec: { controller: example.com/gateway }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: checkout, namespace: shop }
spec:
  parentRefs: [{ name: public, namespace: infra }]
  rules: [{ backendRefs: [{ name: checkout, port: 8080 }] }]
---
apiVersion: networking.x-k8s.io/v1alpha1
kind: HTTPRoute
metadata: { name: legacy, namespace: shop }
spec:
  rules: [{ forwardTo: [{ serviceName: legacy, port: 80 }] }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: reviews, namespace: shop }
spec:
  hosts: [reviews]
  http: [{ route: [{ destination: { host: reviews, subset: v2 } }] }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: reviews, namespace: shop }
spec:
  host: reviews
  subsets: [{ name: v2, labels: { version: v2 } }]
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata: { name: checkout, namespace: shop }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: payments, namespace: shop }
spec: { hosts: [payments.example.com], resolution: DNS }
`;

const set = loadManifests([{ path: "tree.yaml", text: TREE }]);
const placement: FilePlacement = () => ({ clusters: ["east"], regions: [] });
const model = { flows: new Map(), routes: new Map() };

describe("the traffic graph reads its nodes through the table", () => {
  const memo = graphMemo();
  const graph = buildTrafficGraph(set, model, placement, memo);

  it("holds what each family's graphNodes slot reads of a resource, and nothing of kinds no family lists", () => {
    const declared = [...set.resources.values()].flatMap((resource) => {
      const read = FAMILIES.find((family) => family.name === resource.family)?.graphNodes?.[resource.id.kind];
      return read ? [[resource, read(resource)] as const] : [];
    });
    expect([...memo.nodes]).toEqual(declared);
    expect(declared.map(([resource]) => resource.id.kind)).toEqual([
      "GatewayClass",
      "HTTPRoute",
      "HTTPRoute",
      "VirtualService",
      "DestinationRule",
      "ServiceExport",
    ]);
  });

  it("files each node by its role", () => {
    expect([...graph.gatewayClasses.keys()]).toEqual(["example"]);
    expect([...graph.routes.keys()]).toEqual([
      "gateway.networking.k8s.io/HTTPRoute/shop/checkout",
      "networking.x-k8s.io/HTTPRoute/shop/legacy",
      "networking.istio.io/VirtualService/shop/reviews",
    ]);
    expect(graph.destinationRules.get("reviews.shop.svc.cluster.local")?.map((rule) => rule.subsets)).toEqual([["v2"]]);
    expect(Object.fromEntries(graph.serviceExports)).toEqual({ "shop/checkout": ["east"] });
  });

  it("reads a resource the trees share once", () => {
    const node = memo.nodes.values().next().value;
    buildTrafficGraph(set, model, placement, memo);
    expect(memo.nodes.values().next().value).toBe(node);
  });
});

describe("a route the trees share attaches once while their entry points are equal", () => {
  const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: public, namespace: infra }
spec:
  gatewayClassName: example
  listeners: [{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: All } } }]
`;
  // One cache, as in a review: a document both trees hold is one resource, so one route node.
  const cache = createManifestCache();
  const withGateway = (gateway: string) =>
    loadManifests(
      [
        { path: "routes.yaml", text: TREE },
        { path: "gateway.yaml", text: gateway },
      ],
      { cache },
    );

  it("keeps the attachments of an equal tree, and finds them again when a Gateway changes", () => {
    const memo = graphMemo();
    const base = buildTrafficGraph(withGateway(GATEWAY), model, placement, memo);
    const same = buildTrafficGraph(withGateway(GATEWAY), model, placement, memo);
    expect(base.attachments.map((a) => a.status)).toEqual(["attached", "attached"]);
    same.attachments.forEach((attachment, index) => expect(attachment).toBe(base.attachments[index]));

    const closed = buildTrafficGraph(withGateway(GATEWAY.replace("from: All", "from: Same")), model, placement, memo);
    expect(closed.attachments.map((a) => a.status)).toEqual(["rejected", "attached"]);
  });

  it("an equal tree is given the same entry points, a tree whose Gateway changed its own", () => {
    const base = entryPointsOf(withGateway(GATEWAY));
    expect(entryPointsOf(withGateway(GATEWAY))).toBe(base);
    const closed = entryPointsOf(withGateway(GATEWAY.replace("from: All", "from: Same")));
    expect(closed).not.toBe(base);
    expect([...closed.gateways.values()][0]!.listeners[0]!.allowedFrom).toBe("Same");
    // Equal to the tree read before the last, not the last: read anew.
    expect(entryPointsOf(withGateway(GATEWAY))).not.toBe(closed);
  });
});

describe("the graphs of one review hold a route's flows once while the PR leaves them alone", () => {
  const route = (name: string, weight: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: shop }
spec:
  hostnames: [${name}.example.com]
  rules: [{ backendRefs: [{ name: ${name}-jkt, port: 80, weight: ${weight} }, { name: ${name}-sgp, port: 80, weight: 10 }] }]
`;
  const { graphs } = analyze(
    { "a.yaml": route("cart", 90), "b.yaml": route("pay", 90) },
    { "a.yaml": route("cart", 90), "b.yaml": route("pay", 50) },
  );
  const cart = "gateway.networking.k8s.io/HTTPRoute/shop/cart";
  const pay = "gateway.networking.k8s.io/HTTPRoute/shop/pay";

  it("shares the base's list of an unchanged route, and gives a changed route its own", () => {
    expect(graphs.head.flowsByRoute.get(cart)).toBe(graphs.base.flowsByRoute.get(cart));
    expect(graphs.head.flowsByRoute.get(pay)).not.toBe(graphs.base.flowsByRoute.get(pay));
    expect(graphs.head.flowsByRoute.get(pay)?.[0]?.backends.map((backend) => backend.weight)).toEqual([50, 10]);
  });
});
