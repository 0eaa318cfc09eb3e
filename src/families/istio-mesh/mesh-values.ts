import { posix } from "node:path";
import type { DetectorContext } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
import { isRecord, list, record, text, valueAt, type JsonRecord } from "../../core/json-access.js";
import type { DocumentSource, Resource } from "../../core/resource.js";
import { layerPath, mergeValues, type ValuesLayer } from "../../core/values-layers.js";
import { helmSet } from "../../core/helm-set.js";
import { chartSourceOf } from "../../core/argo-chart-source.js";

/**
 * Where an install's mesh settings are read: its MeshConfig and its `global` values, each a list
 * of places, least authoritative first, laid over one another as the tool installing it merges
 * them (research §1.3 "Mesh level"). A release's places come from every source of its values
 * (an Argo CD Application's valueFiles, `values`, `valuesObject` and `parameters`; a Flux
 * HelmRelease's `valuesFrom` and `values`; a wrapper chart's values under its istiod dependency),
 * so a trust domain set in any of them is the setting istiod runs with, and a finding about it
 * points at the file and line that set it.
 */
export interface MeshView {
  readonly meshConfig: readonly Place[];
  readonly global: readonly Place[];
}

interface Place {
  /** The document or values a setting is read in, at `root`. */
  readonly body: unknown;
  readonly root: FieldPath;
  /** Where a finding about a setting points: the path in `at`, or in the resource's own document. */
  readonly pointAt: (field: FieldPath) => FieldPath;
  readonly at?: DocumentSource;
}

export interface Located {
  readonly value: unknown;
  readonly path: FieldPath;
  readonly at?: DocumentSource;
}

/** Where an install kind keeps its MeshConfig and globals in its own document, most authoritative first. */
export interface MeshLayout {
  readonly meshConfig: readonly FieldPath[];
  readonly global: readonly FieldPath[];
}

export const NO_SETTINGS: MeshView = { meshConfig: [], global: [] };

const placesIn = (body: unknown, roots: readonly FieldPath[]): Place[] =>
  [...roots].reverse().map((root) => ({ body, root, pointAt: (field) => [...root, ...field] }));

/** A document's settings where its layout keeps them. */
export const documentView = (body: unknown, layout: MeshLayout): MeshView => ({
  meshConfig: placesIn(body, layout.meshConfig),
  global: placesIn(body, layout.global),
});

/**
 * A setting as merged from its places: mappings key by key, anything else the most authoritative
 * place's; found where the most authoritative place that writes it writes it, and, unset, where
 * that place would write it.
 */
export function locate(places: readonly Place[], field: FieldPath): Located {
  let value: unknown;
  let found: Place | undefined;
  for (const place of places) {
    const here = valueAt(place.body, [...place.root, ...field]);
    if (here === undefined) continue;
    value = isRecord(value) && isRecord(here) ? mergeValues(value, here) : here;
    found = place;
  }
  const place = found ?? places.at(-1);
  if (!place) return { value, path: field };
  return { value, path: place.pointAt(field), ...(place.at ? { at: place.at } : {}) };
}

const layerPlaces = (layers: readonly ValuesLayer[], prefix: FieldPath): Place[] =>
  layers.map((layer) => ({
    body: layer.values,
    root: prefix,
    pointAt: (field) => layerPath(layer, [...prefix, ...field]),
    ...(layer.at ? { at: layer.at } : {}),
  }));

/**
 * istiod's settings in a release's values: at their top, or, for a wrapper chart, under the key of
 * its istiod dependency, with the wrapper's own `global` over the dependency's (Helm gives a
 * subchart its parent's globals, the parent's winning).
 */
export const valuesView = (layers: readonly ValuesLayer[], subchart?: string): MeshView =>
  subchart === undefined
    ? { meshConfig: layerPlaces(layers, ["meshConfig"]), global: layerPlaces(layers, ["global"]) }
    : {
        meshConfig: layerPlaces(layers, [subchart, "meshConfig"]),
        global: [...layerPlaces(layers, [subchart, "global"]), ...layerPlaces(layers, ["global"])],
      };

/** Istio Helm values files are read as one pseudo-resource per file (DESIGN §4, mesh level). */
export const ISTIO_VALUES = { group: "install.istio.io", kind: "IstioValues" } as const;

/** Istio's Helm charts, by the names their repositories publish them under. */
export const ISTIO_CHARTS: ReadonlySet<string> = new Set([
  "istiod",
  "base",
  "istio-base",
  "cni",
  "istio-cni",
  "ztunnel",
  "gateway",
  "istio-ingress",
  "istio-egress",
]);

/** The chart whose values carry the mesh's MeshConfig and identity. */
const ISTIOD = "istiod";

/** The key a chart's values give its istiod dependency (its alias, else its name), where its Chart.yaml names one. */
function istiodDependency(chartYaml: string | undefined, readYaml: DetectorContext["readYaml"]): string | undefined {
  if (chartYaml === undefined) return undefined;
  for (const dependency of list(record(readYaml(chartYaml)).dependencies)) {
    const fields = record(dependency);
    if (text(fields.name) === ISTIOD) return text(fields.alias) ?? ISTIOD;
  }
  return undefined;
}

/** A chart folder as a tree names its files: `./mesh/` is `mesh`. */
const folderOf = (path: string): string => {
  const normal = posix.normalize(path).replace(/^\.\/|\/+$/g, "");
  return normal === "." ? "" : normal;
};

const inFolder = (folder: string, file: string): string => (folder === "" ? file : `${folder}/${file}`);

/** A wrapper chart of the tree: the folder of a Chart.yaml depending on istiod, and that dependency's key in its values. */
interface WrapperChart {
  readonly folder: string;
  readonly subchart: string;
}

export const wrapperChartAt = (folder: string, side: "base" | "head", context: DetectorContext): WrapperChart | undefined => {
  const subchart = istiodDependency(context.fileText(side, inFolder(folder, "Chart.yaml")), context.readYaml);
  return subchart === undefined ? undefined : { folder, subchart };
};

/** The wrapper charts of a tree's files. */
export const wrapperCharts = (paths: readonly string[], side: "base" | "head", context: DetectorContext): WrapperChart[] =>
  paths.flatMap((path) => {
    if (posix.basename(path) !== "Chart.yaml") return [];
    const chart = wrapperChartAt(folderOf(posix.dirname(path)), side, context);
    return chart ? [chart] : [];
  });

/** Istio values a wrapper chart's folder holds, read under its istiod dependency's key; undefined outside one. */
export const umbrellaView = (values: Resource, side: "base" | "head", context: DetectorContext): MeshView | undefined => {
  const chart = wrapperChartAt(folderOf(posix.dirname(values.source.file)), side, context);
  return chart && valuesView([{ values: values.body, path: [] }], chart.subchart);
};

/** A values file of the tree as a layer; undefined where the tree does not hold it or it is no mapping. */
function fileLayer(path: string, side: "base" | "head", context: DetectorContext): ValuesLayer | undefined {
  const content = context.fileText(side, path);
  if (content === undefined) return undefined;
  const values = context.readYaml(content);
  return { values: isRecord(values) ? values : {}, at: { file: path, line: 1, text: content }, path: [] };
}

/** A wrapper chart's own values (its values.yaml), the defaults of any release of it. */
export const chartDefaults = (chart: WrapperChart, side: "base" | "head", context: DetectorContext): ValuesLayer[] => {
  const layer = fileLayer(inFolder(chart.folder, "values.yaml"), side, context);
  return layer ? [layer] : [];
};

/**
 * A release's values, as its tool merges them: `layers` in merge order, the release's own where
 * `at` is unset. `complete`: every source it names was read; else `own` holds only what the
 * release itself writes, which both sides are then compared by (a source kept in the cluster on
 * one side is no change of the mesh's settings).
 */
export interface ReleaseValues {
  readonly layers: readonly ValuesLayer[];
  readonly complete: boolean;
  readonly subchart?: string;
}

/** Its own layers only: what a release is read by where a source of its values cannot be read on one side. */
const ownOnly = (read: ReleaseValues): ReleaseValues => ({
  ...read,
  layers: read.layers.filter((layer) => layer.at === undefined),
  complete: true,
});

/** Both sides' views of one release: every source where both sides read them all, else what it writes itself. */
export const releaseViews = (base: ReleaseValues, head: ReleaseValues): [MeshView, MeshView] => {
  const both = base.complete && head.complete;
  const view = (read: ReleaseValues) => {
    const used = both ? read : ownOnly(read);
    return valuesView(used.layers, used.subchart);
  };
  return [view(base), view(head)];
};

/** The view of a release read alone (an install added, or one beside it): what it writes itself where a source is unread. */
export const releaseView = (read: ReleaseValues): MeshView => {
  const used = read.complete ? read : ownOnly(read);
  return valuesView(used.layers, used.subchart);
};

/** A Flux HelmRelease of an Istio chart: its `valuesFrom` sources found in the tree, then its own `values`. */
export function helmReleaseValues(release: Resource, side: "base" | "head", context: DetectorContext): ReleaseValues {
  const spec = record(release.body.spec);
  const own: ValuesLayer = { values: record(spec.values), path: ["spec", "values"] };
  if (list(spec.valuesFrom).length === 0) return { layers: [own], complete: true };
  const from = context.valuesFrom(side, release);
  return "unresolved" in from ? { layers: [own], complete: false } : { layers: [...from.layers, own], complete: true };
}

/**
 * The source of an Argo CD Application that installs istiod's settings: an Istio chart from a Helm
 * repository, or a chart folder of the tree whose Chart.yaml depends on istiod (a wrapper chart);
 * with where it is written.
 */
export function installingSource(
  application: Resource,
  side: "base" | "head",
  context: DetectorContext,
): { readonly source: JsonRecord; readonly path: FieldPath; readonly chart?: WrapperChart } | undefined {
  const istio = chartSourceOf(application.body, (chart) => ISTIO_CHARTS.has(chart));
  if (istio) return istio;
  const spec = record(application.body.spec);
  const sources: { source: unknown; path: FieldPath }[] =
    spec.source !== undefined ? [{ source: spec.source, path: ["spec", "source"] }] : [];
  list(spec.sources).forEach((source, index) => sources.push({ source, path: ["spec", "sources", index] }));
  for (const { source, path } of sources) {
    const fields = record(source);
    const folder = text(fields.path);
    if (folder === undefined || fields.chart !== undefined) continue;
    const chart = wrapperChartAt(folderOf(folder), side, context);
    if (chart) return { source: fields, path, chart };
  }
  return undefined;
}

/**
 * An Application's values, in Argo CD's order (its documentation: parameters over valuesObject over
 * values over valueFiles over the chart's own values.yaml): the valueFiles this tree holds (a
 * wrapper chart's relative to its folder, a `$ref/` one from the tree's root), the `values` string,
 * `valuesObject`, then each parameter as `--set` (or `--set-string`) sets it, each pointing at its
 * own entry. What the tree does not hold (a remote chart's own files, another repository's) is no
 * edit of this change on either side, and under every layer read here.
 */
export function applicationValues(application: Resource, side: "base" | "head", context: DetectorContext): ReleaseValues | undefined {
  const installing = installingSource(application, side, context);
  if (!installing) return undefined;
  const { source, path, chart } = installing;
  const helm = record(source.helm);
  const at: FieldPath = [...path, "helm"];
  const layers: ValuesLayer[] = chart ? chartDefaults(chart, side, context) : [];
  for (const written of list(helm.valueFiles)) {
    const file = text(written) ?? "";
    const [, ref, inRef] = /^\$([^/]+)\/(.*)$/.exec(file) ?? [];
    const held = ref !== undefined ? posix.normalize(inRef!) : chart ? posix.normalize(inFolder(chart.folder, file)) : undefined;
    const layer = held === undefined ? undefined : fileLayer(held, side, context);
    if (layer) layers.push(layer);
  }
  const values = typeof helm.values === "string" ? context.readYaml(helm.values) : undefined;
  if (isRecord(values)) layers.push({ values, path: [...at, "values"], inText: true });
  if (isRecord(helm.valuesObject)) layers.push({ values: helm.valuesObject, path: [...at, "valuesObject"] });
  list(helm.parameters).forEach((parameter, index) => {
    const fields = record(parameter);
    const name = text(fields.name);
    const value = typeof fields.value === "string" ? fields.value : fields.value === undefined ? "" : JSON.stringify(fields.value);
    const set = name === undefined ? undefined : helmSet(name, value, fields.forceString === true);
    if (set) layers.push({ values: set, path: [...at, "parameters", index, "value"], inText: true });
  });
  return { layers, complete: true, ...(chart ? { subchart: chart.subchart } : {}) };
}
