import { describe, expect, it } from "vitest";
import { analyze } from "../helpers/review-trees.js";

/**
 * A documented default written out or left out is no change (families' `defaults` tables), while
 * its dangerous neighbour, a value other than the default, is still found.
 */

const found = (base: string, head: string, extra: Record<string, string> = {}) =>
  analyze({ "r.yaml": base, ...extra }, { "r.yaml": head, ...extra }).findings.map((finding) => `${finding.class}: ${finding.summary}`);

const httpRoute = (rule: string, parent = "{name: gw, namespace: infra}") => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [${parent}]
  hostnames: [shop.example.com]
  rules:
  - ${rule}`;
const backends = (a: string, b: string) => `backendRefs: [{name: shop-a, port: 80${a}}, {name: shop-b, port: 80${b}}]`;

describe("Gateway API references and matches", () => {
  it('backendRef weight 1, group "", kind Service and the route\'s namespace, spelled out, are no change', () => {
    const base = httpRoute(backends(", weight: 90", ", weight: 10"));
    const head = httpRoute(
      backends(', weight: 90, group: "", kind: Service, namespace: shop', ", weight: 10, kind: Service"),
      "{group: gateway.networking.k8s.io, kind: Gateway, name: gw, namespace: infra}",
    );
    expect(found(base, head)).toEqual([]);
    expect(found(httpRoute(backends("", "")), httpRoute(backends(", weight: 1", ", weight: 1")))).toEqual([]);
  });

  it("a weight other than 1, another namespace or another kind is still a change", () => {
    expect(found(httpRoute(backends("", "")), httpRoute(backends("", ", weight: 0")))).toEqual([
      expect.stringMatching(/^backend.weight-changed: .*shop-b:80 50% → 0%/),
    ]);
    const lone = (weight: string) => httpRoute(`backendRefs: [{name: shop-a, port: 80${weight}}]`);
    expect(found(lone(""), lone(", weight: 1"))).toEqual([]);
    expect(found(lone(""), lone(", weight: 0"))).toEqual([expect.stringMatching(/^backend.all-removed: /)]);
    expect(found(httpRoute(backends("", "")), httpRoute(backends(", namespace: other", ""))).join("\n")).toMatch(/other\/shop-a/);
    expect(found(httpRoute(backends("", "")), httpRoute(backends(", kind: ServiceImport", ""))).join("\n")).toMatch(/ServiceImport/);
    expect(found(httpRoute(backends("", "")), httpRoute(backends("", ""), "{name: gw}")).join("\n")).toMatch(/route.attachment-changed/);
  });

  it("the implicit `PathPrefix /` match spelled out is no change; a narrower one is", () => {
    const rule = backends("", "");
    expect(found(httpRoute(rule), httpRoute(`${rule}\n    matches: [{path: {type: PathPrefix, value: /}}]`))).toEqual([]);
    expect(found(httpRoute(rule), httpRoute(`${rule}\n    matches: [{path: {value: /api}}]`)).join("\n")).toMatch(/\/api/);
  });
});

const virtualService = (route: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route: [${route}]`;

describe("Istio", () => {
  it("a lone destination's weight 100 is no change; weights that split traffic are", () => {
    const v1 = "{destination: {host: reviews, subset: v1}";
    expect(found(virtualService(`${v1}}`), virtualService(`${v1}, weight: 100}`))).toEqual([]);
    const split = found(
      virtualService(`${v1}}`),
      virtualService(`${v1}, weight: 90}, {destination: {host: reviews, subset: v2}, weight: 10}`),
    );
    expect(split.length).toBeGreaterThan(0);
  });

  const policy = (action: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: shop, namespace: shop}
spec:${action}
  selector: {matchLabels: {app: shop}}
  rules: [{from: [{source: {namespaces: [shop]}}]}]`;

  it("AuthorizationPolicy action ALLOW spelled out is no change; DENY is found", () => {
    expect(found(policy(""), policy("\n  action: ALLOW"))).toEqual([]);
    expect(found(policy(""), policy("\n  action: DENY")).length).toBeGreaterThan(0);
  });

  const rule = (exportTo: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]${exportTo}`;

  it('exportTo ["*"] spelled out is no change; ["."] is found, and so is ["*"] where the MeshConfig defaults to "."', () => {
    expect(found(rule(""), rule('\n  exportTo: ["*"]'))).toEqual([]);
    expect(found(rule(""), rule('\n  exportTo: ["."]')).join("\n")).toMatch(/exportTo/);
    const mesh = `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    defaultDestinationRuleExportTo: ["."]`;
    expect(found(rule(""), rule('\n  exportTo: ["*"]'), { "mesh.yaml": mesh }).join("\n")).toMatch(/exportTo/);
  });
});

describe("cert-manager", () => {
  const certificate = (issuerRef: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: shop}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef: {name: letsencrypt-prod${issuerRef}}`;

  it("issuerRef kind Issuer and group cert-manager.io are no change; a ClusterIssuer or another group is", () => {
    expect(found(certificate(", kind: Issuer"), certificate(""))).toEqual([]);
    expect(found(certificate(""), certificate(", kind: Issuer, group: cert-manager.io"))).toEqual([]);
    expect(found(certificate(""), certificate(", kind: ClusterIssuer")).join("\n")).toMatch(/ClusterIssuer/);
    expect(found(certificate(""), certificate(", group: awspca.cert-manager.io, kind: AWSPCAIssuer")).length).toBeGreaterThan(0);
  });
});
