import { describe, expect, it } from "vitest";
import { groupOf } from "../../src/core/api-group.js";
import { kindSpec } from "../../src/manifests/kinds.js";
import type { Family } from "../../src/core/resource.js";

/** DESIGN §4, one row per family and group. */
const design: readonly (readonly [Family, readonly string[], readonly string[]])[] = [
  [
    "gateway-api",
    ["gateway.networking.k8s.io", "gateway.networking.x-k8s.io"],
    [
      "GatewayClass",
      "Gateway",
      "ListenerSet",
      "HTTPRoute",
      "GRPCRoute",
      "TLSRoute",
      "TCPRoute",
      "UDPRoute",
      "ReferenceGrant",
      "BackendTLSPolicy",
      "XBackendTrafficPolicy",
    ],
  ],
  ["mcs", ["multicluster.x-k8s.io", "net.gke.io"], ["ServiceExport", "ServiceImport"]],
  ["gke", ["networking.gke.io"], ["GCPBackendPolicy", "HealthCheckPolicy", "GCPGatewayPolicy", "GCPTrafficDistributionPolicy"]],
  ["istio", ["networking.istio.io"], ["VirtualService", "DestinationRule", "ServiceEntry", "Gateway", "Sidecar", "WorkloadEntry"]],
  ["istio", ["security.istio.io"], ["PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"]],
  ["istio-mesh", ["install.istio.io"], ["IstioOperator"]],
  ["gloo", ["networking.gloo.solo.io"], ["RouteTable", "VirtualDestination", "VirtualGateway"]],
  ["gloo", ["resilience.policy.gloo.solo.io"], ["FailoverPolicy", "OutlierDetectionPolicy", "RetryTimeoutPolicy"]],
  ["gloo", ["trafficcontrol.policy.gloo.solo.io"], ["MirrorPolicy"]],
  ["gloo", ["admin.gloo.solo.io"], ["Workspace", "WorkspaceSettings"]],
  ["trust", ["cert-manager.io"], ["Issuer", "ClusterIssuer", "Certificate"]],
  ["dns", ["externaldns.k8s.io"], ["DNSEndpoint"]],
  ["dns", ["k8gb.io", "k8gb.absa.oss"], ["Gslb"]],
  ["placement", ["argoproj.io"], ["Application", "ApplicationSet"]],
  ["placement", ["kustomize.toolkit.fluxcd.io"], ["Kustomization"]],
  // kustomize's own Kustomization: its patches rewrite traffic kinds at render time (src/families/placement/kustomize.ts).
  ["placement", ["kustomize.config.k8s.io"], ["Kustomization", "Component"]],
  ["legacy-gateway-api", ["networking.x-k8s.io"], ["GatewayClass", "Gateway", "HTTPRoute", "TCPRoute", "UDPRoute", "TLSRoute"]],
];

describe("the traffic kinds of DESIGN §4", () => {
  const rows = design.flatMap(([family, groups, kinds]) => groups.flatMap((group) => kinds.map((kind) => [group, kind, family] as const)));

  it.each(rows)("%s %s is %s", (group, kind, family) => {
    expect(kindSpec(group, kind)?.family).toBe(family);
  });

  it.each([
    ["gateway.networking.k8s.io", "GatewayClass"],
    ["networking.x-k8s.io", "GatewayClass"],
    ["cert-manager.io", "ClusterIssuer"],
  ])("%s %s is cluster-scoped", (group, kind) => {
    expect(kindSpec(group, kind)?.namespaced).toBe(false);
  });

  it("treats every other kind as namespaced", () => {
    expect(kindSpec("networking.istio.io", "VirtualService")?.namespaced).toBe(true);
    expect(kindSpec("admin.gloo.solo.io", "Workspace")?.namespaced).toBe(true);
  });

  it.each([
    ["", "Service"],
    ["apps", "Deployment"],
    ["", "Namespace"],
    ["helm.toolkit.fluxcd.io", "HelmRelease"],
    ["telemetry.istio.io", "Telemetry"],
    ["networking.k8s.io", "NetworkPolicy"],
  ])("%s %s is not traffic", (group, kind) => {
    expect(kindSpec(group, kind)).toBeUndefined();
  });

  it("reads the group of an apiVersion, the core group being empty", () => {
    expect(groupOf("gateway.networking.k8s.io/v1beta1")).toBe("gateway.networking.k8s.io");
    expect(groupOf("v1")).toBe("");
  });
});
