import { describe, expect, it } from "vitest";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { buildTrafficModel } from "../../src/model/build-model.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";
import { buildGitopsPlacement } from "../../src/model/gitops-placement.js";
import { analyze, policyWith } from "../helpers/review-trees.js";
import { FAMILIES } from "../../src/families/index.js";

describe("flows that claim the same key", () => {
  const rules = (count: number) =>
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: many, namespace: shop }
spec:
  hosts: [shop.example.com]
  http:
${Array.from({ length: count }, (_, i) => `  - route: [{ destination: { host: shop-${i} } }]`).join("\n")}`;

  it("are numbered #2, #3… in rule order", () => {
    const flows = [...analyze({}, { "vs.yaml": rules(3) }).head.model.flows.values()];
    expect(flows.map((flow) => [flow.key, flow.backends[0]!.label])).toEqual([
      ["mesh|shop.example.com|PathPrefix /", "shop-0"],
      ["mesh|shop.example.com|PathPrefix /#2", "shop-1"],
      ["mesh|shop.example.com|PathPrefix /#3", "shop-2"],
    ]);
  });

  // One counter per key keeps this linear (it was 12 million probes when each was numbered from #2);
  // timing belongs to the benchmark, so this checks the numbering at that size.
  it("are numbered #2…#5000 when 5,000 rules claim the same key", () => {
    const { topology } = policyWith();
    const clusterOfFile = compileFilePlacement(topology.placements);
    const manifests = loadManifests([{ path: "vs.yaml", text: rules(5000) }]);
    const placement = buildGitopsPlacement(manifests, topology, clusterOfFile);
    const { flows } = buildTrafficModel(manifests, topology, placement);
    expect(flows.size).toBe(5000);
    expect(flows.get("mesh|shop.example.com|PathPrefix /#5000")?.backends[0]?.label).toBe("shop-4999");
  });
});

describe("resources the tree does not apply", () => {
  it("route nothing, land on no entry and contend for no key with what the tree applies", () => {
    const virtualService = (name: string, host: string) =>
      `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: ${name}, namespace: shop }\nspec:\n  hosts: [shop.example.com]\n  http:\n  - route: [{ destination: { host: ${host} } }]\n`;
    const { topology } = policyWith();
    const manifests = loadManifests([
      { path: "live.yaml", text: virtualService("live", "shop-v1") },
      { path: "stale.yaml", text: virtualService("stale", "shop-v0") },
    ]);
    const placement = buildGitopsPlacement(manifests, topology, compileFilePlacement(topology.placements));
    const stale = (resource: { readonly source: { readonly file: string } }) => resource.source.file === "stale.yaml";
    const { flows, routes } = buildTrafficModel(manifests, topology, placement, new Set(), undefined, stale);
    expect([...flows.values()].map((flow) => [flow.key, flow.backends[0]!.label])).toEqual([
      ["mesh|shop.example.com|PathPrefix /", "shop-v1"],
    ]);
    expect([...routes.keys()]).toEqual(["networking.istio.io/VirtualService/shop/live"]);
  });
});

describe("the families' route sources", () => {
  it("are asked by kind: each names a kind its family reads, so no route kind is left unasked by a misspelling", () => {
    const unread = FAMILIES.flatMap((family) => {
      const read = new Set(family.kinds.flatMap(([, kinds]) => kinds.map(([kind]) => kind)));
      return Object.keys(family.ruleSources ?? {}).flatMap((kind) => (read.has(kind) ? [] : [`${family.name}/${kind}`]));
    });
    expect(unread).toEqual([]);
    expect(FAMILIES.flatMap((family) => Object.keys(family.ruleSources ?? {}).map((kind) => `${family.name}/${kind}`)).sort()).toEqual([
      "gateway-api/GRPCRoute",
      "gateway-api/HTTPRoute",
      "gateway-api/TCPRoute",
      "gateway-api/TLSRoute",
      "gateway-api/UDPRoute",
      "gke/MultiClusterIngress",
      "gloo/RouteTable",
      "ingress/Ingress",
      "istio/VirtualService",
      "legacy-gateway-api/HTTPRoute",
      "legacy-gateway-api/TCPRoute",
      "legacy-gateway-api/TLSRoute",
      "legacy-gateway-api/UDPRoute",
      "progressive/Canary",
      "traefik/IngressRoute",
      "traefik/IngressRouteTCP",
      "traefik/IngressRouteUDP",
    ]);
  });
});

describe("a resource its controller holds at its last accepted rules (RouteRules.held)", () => {
  const table = (weights: string, extra = "") => `apiVersion: networking.gloo.solo.io/v2
kind: RouteTable
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop.example.com]
  failureMode: FREEZE_CONFIG
  http:
  - name: orders
    forwardTo:
      destinations:
${weights
  .split(",")
  .map((weight, i) => `      - { ref: { name: orders-${i} }, port: { number: 80 }, weight: ${weight} }`)
  .join("\n")}
${extra}`;
  const labels = (flows: Iterable<{ readonly backends: readonly { readonly label: string; readonly share: number }[] }>) =>
    [...flows].map((flow) => flow.backends.map((backend) => `${backend.label} ${backend.share}`));

  it("routes at head what the rejected rule routed at base, and the other rules as written (they go live when it is fixed)", () => {
    const route =
      "  - name: new\n    matchers: [{ uri: { prefix: /new } }]\n    forwardTo: { destinations: [{ ref: { name: new }, port: { number: 80 } }] }";
    const { base, head } = analyze({ "rt.yaml": table("50,50") }, { "rt.yaml": table("60,50", route) });
    expect(labels(base.model.flows.values())).toEqual([["orders-0:80 0.5", "orders-1:80 0.5"]]);
    expect(labels(head.model.flows.values())).toEqual([["orders-0:80 0.5", "orders-1:80 0.5"], ["new:80 1"]]);
  });

  it("routes nothing where the base did not route it: nothing was accepted", () => {
    expect(analyze({}, { "rt.yaml": table("60,50") }).head.model.flows.size).toBe(0);
  });
});
