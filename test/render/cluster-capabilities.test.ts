import { describe, expect, it } from "vitest";
import { apiVersionFlags, CLUSTER_API_VERSIONS } from "../../src/render/cluster-capabilities.js";

describe("the API versions helm is told the cluster serves (probe C H11d, H11d2)", () => {
  it("every group the families read, as group/version and group/version/Kind; the core group at v1 alone", () => {
    for (const version of [
      "gateway.networking.k8s.io/v1",
      "gateway.networking.k8s.io/v1/HTTPRoute",
      "gateway.networking.k8s.io/v1alpha2/TCPRoute",
      "networking.istio.io/v1beta1/VirtualService",
      "cert-manager.io/v1/Certificate",
      "traefik.io/v1alpha1/IngressRoute",
      "networking.k8s.io/v1/Ingress",
      // Text kinds: a Flux HelmRelease installing Istio, a core ExternalName Service.
      "helm.toolkit.fluxcd.io/v2/HelmRelease",
      "v1/Service",
    ])
      expect(CLUSTER_API_VERSIONS).toContain(version);
    expect(CLUSTER_API_VERSIONS.filter((version) => /^v\d/.test(version))).toEqual(["v1", "v1/ConfigMap", "v1/Namespace", "v1/Service"]);
  });

  it("no group no family reads (a chart gating its ServiceMonitor renders as before), nor kustomize's own files", () => {
    expect(CLUSTER_API_VERSIONS.some((version) => version.startsWith("monitoring.coreos.com/"))).toBe(false);
    expect(CLUSTER_API_VERSIONS.some((version) => version.endsWith("/Kustomization") && version.startsWith("kustomize.config"))).toBe(
      false,
    );
    expect(new Set(CLUSTER_API_VERSIONS).size).toBe(CLUSTER_API_VERSIONS.length);
  });

  it("as repeated flags, each argument within its bound and together all of them", () => {
    const flags = apiVersionFlags(["a/v1", "b/v1", "c/v1"], 9);
    expect(flags).toEqual(["--api-versions", "a/v1,b/v1", "--api-versions", "c/v1"]);
    const all = apiVersionFlags();
    expect(all.filter((_, index) => index % 2 === 0).every((flag) => flag === "--api-versions")).toBe(true);
    expect(all.filter((_, index) => index % 2 === 1).every((argument) => argument.length <= 32_768)).toBe(true);
    expect(all.filter((_, index) => index % 2 === 1).flatMap((argument) => argument.split(","))).toEqual(CLUSTER_API_VERSIONS);
  });
});
