import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

/**
 * The head model takes the base's flow for a rule both trees share unless where its backends run
 * changed (model/flow-builder.ts flowOf): the shortcut must never hide a placement change.
 */
const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: gke-l7-global-external-managed-mc
  listeners: [{name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}}]
`;
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: checkout, namespace: shop}
spec:
  parentRefs: [{name: public, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - backendRefs:
    - {group: net.gke.io, kind: ServiceImport, name: checkout, port: 8080}
`;
const EXPORT = `apiVersion: net.gke.io/v1
kind: ServiceExport
metadata: {name: checkout, namespace: shop}
`;
const TOPOLOGY = `topology:\n  clusters: {jkt-prod-1: jkt, sgp-prod-1: sgp}\n  placements: ["clusters/{cluster}/**"]\n`;

const tree = (exportsIn: string) => ({
  "infra/gateway.yaml": GATEWAY,
  "apps/checkout/route.yaml": ROUTE,
  [`clusters/${exportsIn}/exports.yaml`]: EXPORT,
});

const onlyFlow = (flows: ReadonlyMap<string, { backends: readonly { placement: { clusters: readonly string[] } }[] }>) => {
  expect(flows.size).toBe(1);
  return [...flows.values()][0]!;
};

describe("the head model's flows of rules both trees share", () => {
  it("are the base's objects when nothing they depend on changed", () => {
    const analysis = analyze(tree("jkt-prod-1"), { ...tree("jkt-prod-1"), "README.yaml": "note: x\n" }, TOPOLOGY);
    expect(onlyFlow(analysis.head.model.flows)).toBe(onlyFlow(analysis.base.model.flows));
    expect(analysis.routeDiffs).toEqual([]);
  });

  it("are built again when a backend now runs elsewhere (the export moved clusters, the route file untouched)", () => {
    const analysis = analyze(tree("jkt-prod-1"), tree("sgp-prod-1"), TOPOLOGY);
    expect(onlyFlow(analysis.base.model.flows).backends[0]!.placement.clusters).toEqual(["jkt-prod-1"]);
    expect(onlyFlow(analysis.head.model.flows).backends[0]!.placement.clusters).toEqual(["sgp-prod-1"]);
    expect(analysis.routeDiffs).toHaveLength(1);
  });
});
