import { record, text } from "./json-access.js";
import { chartAt } from "./chart-source.js";

/** A Flux source object (HelmRepository, OCIRepository, HelmChart) as a HelmRelease's chart is found by. */
export interface FluxSource {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly spec: unknown;
}

/** A HelmRelease's `chart.spec.sourceRef` or `chartRef`. */
export interface SourceRef {
  readonly kind: string;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

/** Whether a reference names a source: its kind and name, in its namespace (else the referrer's) where both say one. */
export const namesSource = (ref: SourceRef, referrer: string | undefined, source: FluxSource): boolean => {
  const wanted = ref.namespace ?? referrer;
  return (
    source.kind === ref.kind &&
    source.name === ref.name &&
    (wanted === undefined || source.namespace === undefined || source.namespace === wanted)
  );
};

export interface ReleaseChart {
  /** The chart's name, where every source the tree holds for it says one and the same: what a family reads a release by. */
  readonly name?: string;
  /** Where it is fetched from (`chartAt`, an OCI artifact's URL), where the tree says. */
  readonly fetches?: readonly string[];
}

const urlsOf = (sources: readonly FluxSource[]): string[] => [...new Set(sources.flatMap((source) => text(record(source.spec).url) ?? []))];

/** The one name all of `names` are, if any. */
const oneName = (names: readonly (string | undefined)[]): string | undefined =>
  names.length > 0 && names.every((name) => name !== undefined && name === names[0]) ? names[0] : undefined;

/**
 * The chart a Flux HelmRelease installs, as its tree tells (`sourcesOf`: the sources a reference
 * names there, namesSource from the release's namespace): `chart.spec` names it and the HelmRepository serving it; a `chartRef` names an
 * OCIRepository, whose artifact URL ends in the chart's name (`oci://ghcr.io/k8gb-io/charts/k8gb`),
 * or a HelmChart, which names it. One function for the render stage, which leaves out of its
 * fingerprint the values of a known chart that a family judges (render/known-charts.ts), and for the
 * loader, which gives the release to that family (manifests/load-manifests.ts): read apart, a k8gb
 * release of an OCIRepository had its clusterGeoTag dropped by the one and read by neither.
 */
export function releaseChart(spec: unknown, sourcesOf: (ref: SourceRef) => readonly FluxSource[]): ReleaseChart {
  const written = record(record(record(spec).chart).spec);
  const chart = text(written.chart);
  if (chart !== undefined) {
    const sourceRef = record(written.sourceRef);
    const kind = text(sourceRef.kind);
    const urls =
      kind === "HelmRepository" ? urlsOf(sourcesOf({ kind, name: text(sourceRef.name), namespace: text(sourceRef.namespace) })) : [];
    return { name: chart, ...(urls.length > 0 ? { fetches: urls.map((url) => chartAt(url, chart)) } : {}) };
  }
  const chartRef = record(record(spec).chartRef);
  const kind = text(chartRef.kind);
  if (kind !== "OCIRepository" && kind !== "HelmChart") return {};
  const sources = sourcesOf({ kind, name: text(chartRef.name), namespace: text(chartRef.namespace) });
  if (kind === "HelmChart") return { ...optional(oneName(sources.map((source) => text(record(source.spec).chart)))) };
  const urls = urlsOf(sources);
  return { ...optional(oneName(urls.map((url) => /\/([^/]+?)\/*$/.exec(url)?.[1]))), ...(urls.length > 0 ? { fetches: urls } : {}) };
}

const optional = (name: string | undefined): { name?: string } => (name === undefined ? {} : { name });
