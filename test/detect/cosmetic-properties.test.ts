import * as fc from "fast-check";
import * as jsyaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { ResourceDetector } from "../../src/core/detector.js";
import { gatewayApiDetector } from "../../src/families/gateway-api/gateway-api.js";
import { istioDetector } from "../../src/families/istio/istio.js";
import { detect } from "./resource-fixture.js";

/**
 * Lists whose order carries no meaning (listeners, servers, subsets, hosts, unnamed rules with
 * distinct matches, authorization rules, certificateRefs behind the first) can be reordered, and a document re-dumped, without any
 * finding from the resource detectors.
 */

const reorderedIsSilent = (
  detector: ResourceDetector,
  build: (order: <T>(items: T[]) => T[]) => Record<string, unknown>,
  lists: number,
) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: lists * 8, maxLength: lists * 8 }), (seeds) => {
      let next = 0;
      // Deterministic shuffles from the generated seeds: one seed per list element.
      const order = <T>(items: T[]): T[] =>
        items
          .map((item) => ({ item, key: seeds[next++ % seeds.length] ?? 0 }))
          .sort((a, b) => a.key - b.key)
          .map(({ item }) => item);
      const identity = <T>(items: T[]): T[] => items;
      const base = jsyaml.dump(build(identity));
      const head = jsyaml.dump(build(order), { sortKeys: true });
      expect(detect(detector, base, head)).toEqual([]);
    }),
    { numRuns: 60 },
  );
};

describe("reordering is never a finding", () => {
  it("Gateway listeners, certificate refs and addresses", () => {
    reorderedIsSilent(
      gatewayApiDetector,
      (order) => ({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: "public", namespace: "infra" },
        spec: {
          gatewayClassName: "edge",
          addresses: order([{ value: "10.0.0.1" }, { type: "Hostname", value: "lb.example.com" }]),
          listeners: order([
            { name: "http", port: 80, protocol: "HTTP", allowedRoutes: { kinds: order([{ kind: "HTTPRoute" }, { kind: "GRPCRoute" }]) } },
            {
              name: "https",
              port: 443,
              protocol: "HTTPS",
              hostname: "shop.example.com",
              // The first certificateRef is the listener's default (served where no other's names match the SNI): the others' order is free.
              tls: { certificateRefs: [{ name: "a" }, ...order([{ name: "b" }, { name: "c" }])] },
            },
            { name: "tls", port: 8443, protocol: "TLS", tls: { mode: "Passthrough" } },
          ]),
        },
      }),
      3,
    );
  });

  it("HTTPRoute rules with distinct matches, and the matches within a rule", () => {
    reorderedIsSilent(
      gatewayApiDetector,
      (order) => ({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "shop", namespace: "shop" },
        spec: {
          rules: order([
            {
              matches: order([{ path: { value: "/a" } }, { method: "POST" }]),
              timeouts: { request: "2s" },
              filters: [{ type: "RequestMirror", requestMirror: { backendRef: { name: "m" } } }],
            },
            { matches: [{ path: { value: "/b" } }], retry: { attempts: 2, codes: order([502, 503]) } },
            {
              name: "named",
              matches: [{ path: { value: "/c" } }],
              filters: [{ type: "RequestRedirect", requestRedirect: { hostname: "x.example.com" } }],
            },
          ]),
        },
      }),
      3,
    );
  });

  it("DestinationRule subsets, port-level settings and VirtualService rules", () => {
    reorderedIsSilent(
      istioDetector,
      (order) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: "reviews", namespace: "bookinfo" },
        spec: {
          host: "reviews",
          exportTo: order([".", "web"]),
          trafficPolicy: {
            tls: { mode: "SIMPLE", subjectAltNames: order(["a.example.com", "b.example.com"]) },
            loadBalancer: {
              localityLbSetting: {
                failover: order([
                  { from: "us-east", to: "us-west" },
                  { from: "us-west", to: "us-east" },
                ]),
              },
            },
            outlierDetection: { consecutive5xxErrors: 5 },
            portLevelSettings: order([
              { port: { number: 80 }, tls: { mode: "ISTIO_MUTUAL" } },
              { port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 10 } } },
            ]),
          },
          subsets: order([
            { name: "v1", labels: { version: "v1" } },
            { name: "v2", labels: { version: "v2" }, trafficPolicy: { tls: { mode: "DISABLE" } } },
            { name: "v3", labels: { version: "v3" } },
          ]),
        },
      }),
      4,
    );
    reorderedIsSilent(
      istioDetector,
      (order) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "reviews", namespace: "bookinfo" },
        spec: {
          hosts: order(["reviews", "reviews.bookinfo.svc.cluster.local"]),
          http: order([
            {
              match: [{ headers: { "end-user": { exact: "jason" } } }],
              fault: { abort: { httpStatus: 500, percentage: { value: 100 } } },
              route: [{ destination: { host: "reviews", subset: "v2" } }],
            },
            {
              match: order([{ uri: { prefix: "/a" } }, { method: { exact: "POST" } }]),
              retries: { attempts: 3, retryOn: "5xx" },
              mirror: { host: "shadow" },
            },
            { name: "default", timeout: "3s", route: [{ destination: { host: "reviews", subset: "v1" } }] },
          ]),
        },
      }),
      3,
    );
  });

  it("AuthorizationPolicy rules and their sources", () => {
    reorderedIsSilent(
      istioDetector,
      (order) => ({
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: "allow", namespace: "shop" },
        spec: {
          rules: order([
            { from: [{ source: { principals: order(["cluster.local/ns/a/sa/x", "cluster.local/ns/b/sa/y"]) } }] },
            { to: [{ operation: { methods: order(["GET", "HEAD"]), paths: ["/status"] } }] },
          ]),
        },
      }),
      2,
    );
  });
});
