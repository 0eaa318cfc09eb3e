import { describe, expect, it } from "vitest";
import { namesSource, releaseChart, type FluxSource } from "../../src/core/flux-release-chart.js";

const SOURCES: FluxSource[] = [
  { kind: "HelmRepository", name: "k8gb", namespace: "flux-system", spec: { url: "https://www.k8gb.io/" } },
  { kind: "OCIRepository", name: "k8gb", namespace: "flux-system", spec: { url: "oci://ghcr.io/k8gb-io/charts/k8gb" } },
  { kind: "OCIRepository", name: "mirror", spec: { url: "oci://registry.example.com/k8gb" } },
  { kind: "OCIRepository", name: "mirror", namespace: "dns", spec: { url: "oci://registry.example.com/charts/other" } },
];
const chartOf = (spec: unknown, namespace = "k8gb") =>
  releaseChart(spec, (ref) => SOURCES.filter((source) => namesSource(ref, namespace, source)));

describe("releaseChart: the chart a Flux HelmRelease installs", () => {
  it("by its chart.spec: the name written, fetched from its HelmRepository", () => {
    expect(
      chartOf({ chart: { spec: { chart: "k8gb", sourceRef: { kind: "HelmRepository", name: "k8gb", namespace: "flux-system" } } } }),
    ).toEqual({
      name: "k8gb",
      fetches: ["https://www.k8gb.io/k8gb"],
    });
  });

  it("by a chartRef to an OCIRepository: the name its URL ends in; none where its sources disagree or the tree holds none", () => {
    expect(chartOf({ chartRef: { kind: "OCIRepository", name: "k8gb", namespace: "flux-system" } })).toEqual({
      name: "k8gb",
      fetches: ["oci://ghcr.io/k8gb-io/charts/k8gb"],
    });
    // One source without a namespace, one in the release's: two charts, so no one name.
    expect(chartOf({ chartRef: { kind: "OCIRepository", name: "mirror" } }, "dns")).toEqual({
      fetches: ["oci://registry.example.com/k8gb", "oci://registry.example.com/charts/other"],
    });
    expect(chartOf({ chartRef: { kind: "OCIRepository", name: "missing" } })).toEqual({});
  });
});
