import { readFileSync } from "node:fs";
import path from "node:path";
import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import {
  DELEGATED_ENTRY,
  glooRouteTableRules,
  glooRouteTableSource,
  glooWeights,
  MESH_ENTRY,
  routeTableEntries,
} from "../../../src/families/gloo/flows.js";
import { resourceKey, type ManifestSet, type Resource } from "../../../src/core/resource.js";
import { loadManifests } from "../../../src/manifests/load-manifests.js";

const EMPTY = loadManifests([]);
/** A tree holding these tables. */
const treeOf = (...tables: Resource[]): ManifestSet => ({ ...EMPTY, resources: new Map(tables.map((table) => [table.key, table])) });

const routeTable = (body: Record<string, unknown>, file = "gloo/route-table.yaml", name = "checkout", labels = {}): Resource => {
  const id = { group: "networking.gloo.solo.io", kind: "RouteTable", namespace: "payments", name };
  return {
    id,
    key: resourceKey(id),
    apiVersion: "networking.gloo.solo.io/v2",
    family: "gloo",
    labels,
    annotations: {},
    body,
    source: { file, line: 1, text: "" },
  };
};

const fixture = routeTable(
  jsyaml.load(readFileSync(path.resolve(import.meta.dirname, "../../fixtures/gloo/route-table.yaml"), "utf8")) as Record<string, unknown>,
);

describe("Gloo destination weights (route_table.proto: must sum to 100, remainder to unweighted)", () => {
  const weights = (...values: (number | undefined)[]) =>
    glooWeights(values.map((weight) => (weight === undefined ? { ref: { name: "x" } } : { ref: { name: "x" }, weight })));
  const rows: readonly [string, (number | undefined)[], number[], boolean][] = [
    ["single destination takes everything whatever its weight", [30], [100], true],
    ["explicit 80/20", [80, 20], [80, 20], true],
    ["50, 25 and one unweighted: the remainder 25", [50, 25, undefined], [50, 25, 25], true],
    ["no weights: an even split", [undefined, undefined], [50, 50], true],
    ["weight 0 is unset in proto3: it takes the remainder", [70, 0], [70, 30], true],
    ["sum above 100 is rejected but kept for shares", [50, 50, 25], [50, 50, 25], false],
    ["explicit weights under 100 are rejected", [40, 10], [40, 10], false],
    ["no remainder left for an unweighted destination", [50, 50, undefined], [50, 50, 0], false],
  ];
  for (const [name, input, expected, valid] of rows) {
    it(name, () => {
      const result = weights(...input);
      expect(result.weights).toEqual(expected);
      expect(result.invalid === undefined).toBe(valid);
    });
  }
});

describe("RouteTable entries", () => {
  it("each VirtualGateway; sidecars too when workloads are selected; mesh alone without gateways; delegated children", () => {
    expect(routeTableEntries({ hosts: ["a"], virtualGateways: [{ name: "north-south", namespace: "gloo-gateways" }] }, "payments")).toEqual(
      ["VirtualGateway gloo-gateways/north-south"],
    );
    expect(routeTableEntries({ hosts: ["a"], virtualGateways: [{ name: "edge" }], workloadSelectors: [{}] }, "payments")).toEqual([
      "VirtualGateway payments/edge",
      MESH_ENTRY,
    ]);
    expect(routeTableEntries({ hosts: ["a"], workloadSelectors: [{ selector: { labels: { app: "web" } } }] }, "payments")).toEqual([
      MESH_ENTRY,
    ]);
    expect(routeTableEntries({ http: [] }, "payments")).toEqual([DELEGATED_ENTRY]);
  });
});

describe("RouteTable flows from the fixture", () => {
  const rules = glooRouteTableRules(fixture, "ROUTE_REPLACEMENT");

  it("one flow per route, with matchers as canonical signatures and Gloo's first-match order", () => {
    expect(
      rules.map((rule) => [
        rule.entry,
        rule.host,
        rule.alternatives.map((alternative) => alternative.signature).join(" | "),
        rule.precedence,
      ]),
    ).toEqual([
      ["VirtualGateway gloo-gateways/north-south", "shop.pay.example.com", "PathPrefix /checkout, header x-canary=true", 0],
      ["VirtualGateway gloo-gateways/north-south", "shop.pay.example.com", "PathPrefix /checkout", 1],
      ["VirtualGateway gloo-gateways/north-south", "shop.pay.example.com", "Exact /refunds, method POST", 2],
    ]);
  });

  it("destinations keep kind, cluster, port and subset in their identity, and name the cluster for placement", () => {
    const backends = rules.flatMap((rule) =>
      rule.backends.map((backend) => [backend.key, backend.label, backend.weight, backend.ref.kind, backend.ref.cluster]),
    );
    expect(backends).toEqual([
      ["SERVICE/eu-1/payments/checkout:8080|version=v2", "checkout@eu-1:8080 {version=v2}", 100, "Service", "eu-1"],
      ["SERVICE/eu-1/payments/checkout:8080|", "checkout@eu-1:8080", 80, "Service", "eu-1"],
      ["SERVICE/us-1/payments/checkout:8080|", "checkout@us-1:8080", 20, "Service", "us-1"],
      ["VIRTUAL_DESTINATION//payments/refunds-global:80|", "VirtualDestination refunds-global:80", 100, "VirtualDestination", undefined],
    ]);
  });

  it("a forwardTo without destinations uses the defaultDestination; delegation and direct responses are terminal backends", () => {
    const shapes = glooRouteTableRules(
      routeTable({
        spec: {
          hosts: ["api.example.com"],
          defaultDestination: { ref: { name: "api" }, port: { number: 80 } },
          http: [
            { name: "default", forwardTo: {} },
            { name: "teams", matchers: [{ uri: { prefix: "/teams" } }], delegate: { routeTables: [{ labels: { table: "teams" } }] } },
            { name: "gone", directResponse: { status: 410 } },
          ],
        },
      }),
      "ROUTE_REPLACEMENT",
    );
    expect(shapes.map((shape) => [shape.entry, shape.backends.map((backend) => backend.label)])).toEqual([
      [MESH_ENTRY, ["api:80"]],
      [MESH_ENTRY, ['delegate {"routeTables":[{"labels":{"table":"teams"}}]}']],
      [MESH_ENTRY, ['directResponse {"status":410}']],
    ]);
    // A direct response is one backend whatever it answers (its edits move no request); it answers with its status.
    expect(shapes[2]!.backends.map((backend) => [backend.key, backend.answers])).toEqual([["directResponse", 410]]);
    expect(shapes[1]!.backends[0]!.key).toBe('delegate:{"routeTables":[{"labels":{"table":"teams"}}]}');
  });
});

describe("a split Gloo rejects (route_table.proto FailureMode)", () => {
  const table = (failureMode?: string) =>
    routeTable({
      spec: {
        hosts: ["shop.example.com"],
        ...(failureMode ? { failureMode } : {}),
        http: [
          {
            name: "orders",
            forwardTo: {
              destinations: [
                { ref: { name: "orders", cluster: "west" }, weight: 60 },
                { ref: { name: "orders", cluster: "east" }, weight: 50 },
              ],
            },
          },
        ],
      },
    });

  it("is a 500 direct response by default (ROUTE_REPLACEMENT): the shares it names are never served", () => {
    const found = glooRouteTableSource(table(), treeOf(table()))!;
    expect(found.held).toBeUndefined();
    expect(found.rules[0]!.backends.map((backend) => [backend.key, backend.label, backend.answers])).toEqual([
      ["directResponse", "500 direct response (Gloo rejects the split: destination weights sum to 110, not 100)", 500],
    ]);
  });

  it("holds the table at its last accepted config with FREEZE_CONFIG", () => {
    const frozen = table("FREEZE_CONFIG");
    const found = glooRouteTableSource(frozen, treeOf(frozen))!;
    expect(found.held).toContain("FREEZE_CONFIG");
    expect(found.rules[0]!.backends.map((backend) => backend.weight)).toEqual([60, 50]);
    const valid = routeTable({ spec: { hosts: ["a"], failureMode: "FREEZE_CONFIG", http: [{ forwardTo: {} }] } });
    expect(glooRouteTableSource(valid, treeOf(valid))?.held).toBeUndefined();
  });

  describe("in a table tree: the parent's failureMode governs its delegated children (route_table.proto)", () => {
    const parent = (failureMode?: string) =>
      routeTable(
        {
          spec: {
            hosts: ["shop.example.com"],
            ...(failureMode ? { failureMode } : {}),
            http: [{ name: "orders", delegate: { routeTables: [{ labels: { table: "orders" } }] } }],
          },
        },
        "gloo/parent.yaml",
        "shop",
      );
    const child = (failureMode?: string, split = [60, 50], name = "orders") =>
      routeTable(
        {
          spec: {
            ...(failureMode ? { failureMode } : {}),
            http: [{ name, forwardTo: { destinations: split.map((weight, index) => ({ ref: { name: `orders-${index}` }, weight })) } }],
          },
        },
        `gloo/${name}.yaml`,
        name,
        { table: "orders" },
      );

    it("a split rejected in a child of a FREEZE_CONFIG parent freezes the whole tree: the child, the parent and its siblings", () => {
      const tree = treeOf(parent("FREEZE_CONFIG"), child(), child(undefined, [50, 50], "refunds"));
      for (const table of tree.resources.values())
        expect(glooRouteTableSource(table, tree)!.held).toContain("FREEZE_CONFIG of its table tree");
      expect(glooRouteTableSource(child(), tree)!.rules[0]!.backends.map((backend) => backend.weight)).toEqual([60, 50]);
    });

    it("a child's own failureMode is unsupported: under a default parent, or with no parent in the tree, the route is a 500", () => {
      for (const tree of [treeOf(parent(), child("FREEZE_CONFIG")), treeOf(child("FREEZE_CONFIG"))]) {
        const found = glooRouteTableSource(child("FREEZE_CONFIG"), tree)!;
        expect(found.held).toBeUndefined();
        expect(found.rules[0]!.backends.map((backend) => backend.answers)).toEqual([500]);
      }
    });

    it("a child another parent reaches by default is not frozen, nor is a FREEZE_CONFIG tree whose splits are all accepted", () => {
      const other = routeTable(
        { spec: { hosts: ["admin.example.com"], http: [{ delegate: { routeTables: [{ labels: { table: "orders" } }] } }] } },
        "gloo/other.yaml",
        "admin",
      );
      const shared = treeOf(parent("FREEZE_CONFIG"), other, child());
      expect(glooRouteTableSource(child(), shared)!.held).toBeUndefined();
      expect(glooRouteTableSource(child(), shared)!.rules[0]!.backends.map((backend) => backend.answers)).toEqual([500]);
      const accepted = treeOf(parent("FREEZE_CONFIG"), child(undefined, [50, 50]));
      expect(glooRouteTableSource(child(undefined, [50, 50]), accepted)!.held).toBeUndefined();
    });
  });
});

describe("a VirtualGateway the tree does not hold", () => {
  const gateway = (name: string) => ({
    path: `gloo/${name}.yaml`,
    text: `apiVersion: networking.gloo.solo.io/v2\nkind: VirtualGateway\nmetadata: {name: ${name}, namespace: gloo-gateways}\nspec:\n  listeners: [{port: {number: 80}, http: {}}]\n`,
  });
  const table = routeTable({
    spec: {
      hosts: ["shop.example.com"],
      virtualGateways: [{ name: "north-south", namespace: "gloo-gateways" }],
      http: [{ forwardTo: { destinations: [{ ref: { name: "shop" } }] } }],
    },
  });

  it("keeps the table's rules there, unverified, where the tree holds other VirtualGateways", () => {
    const rules = glooRouteTableSource(table, loadManifests([gateway("edge")]))!.rules;
    expect(rules.map((rule) => [rule.entry, rule.unverified])).toEqual([
      ["VirtualGateway gloo-gateways/north-south", "VirtualGateway gloo-gateways/north-south is not in the tree"],
    ]);
  });

  it("is not known missing where the tree holds it, or holds no VirtualGateway at all", () => {
    expect(glooRouteTableSource(table, loadManifests([gateway("north-south")]))!.rules[0]!.unverified).toBeUndefined();
    expect(glooRouteTableSource(table, EMPTY)!.rules[0]!.unverified).toBeUndefined();
  });
});
