import { posix } from "node:path";
import { flag, list, optionalRecord, record, text, texts, valueAt, type JsonRecord } from "../../core/json-access.js";
import { documentTexts } from "../../core/document-texts.js";
import { normalizeRepoPath } from "../../core/tree-folders.js";
import { sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { named } from "./named-list.js";

/**
 * An Argo CD Helm source's `helm.skipCrds` switched. Argo CD templates a chart with
 * `--include-crds` unless it is set, so the CustomResourceDefinitions of the chart's `crds/` folders
 * (its own and its subcharts') are part of what the Application applies; the render stage reads no
 * CRD (render-origins.ts), so a rendered chart shows no change either way. Turned on under
 * automated prune, Argo CD prunes those CRDs, and the API server deletes every custom resource of
 * their kinds with them (the routes, certificates or policies a controller serves); turned off
 * under automated sync, it applies the chart's definitions over those installed (installed apart,
 * or by another Application: another version, two owners) and prunes them whenever a later render
 * leaves them out. A chart whose `crds/` folders the tree shows hold none changes nothing; one this
 * review cannot read (another repository's, a Helm repository's, a packaged subchart) may.
 */

/** Where an Application keeps its sources, by kind. */
const SPEC_PATHS: Readonly<Record<string, FieldPath>> = {
  Application: ["spec"],
  ApplicationSet: ["spec", "template", "spec"],
};

/** Its sources, each with the field path it is written at. */
const sourcesOf = (spec: JsonRecord, at: FieldPath): { readonly source: JsonRecord; readonly path: FieldPath }[] => [
  ...(spec.source === undefined ? [] : [{ source: record(spec.source), path: [...at, "source"] }]),
  ...list(spec.sources).map((source, index) => ({ source: record(source), path: [...at, "sources", index] })),
];

/** Whether Argo CD syncs it on its own, and whether that sync prunes (a `Prune=false` sync option keeps it from pruning). */
const automation = (spec: JsonRecord): { readonly syncs: boolean; readonly prunes: boolean } => {
  const policy = record(spec.syncPolicy);
  const automated = optionalRecord(policy.automated);
  const syncs = automated !== undefined && flag(automated.enabled) !== false;
  return { syncs, prunes: syncs && flag(automated?.prune) === true && !texts(policy.syncOptions).includes("Prune=false") };
};

const DEFINITION = "CustomResourceDefinition";

/**
 * The CRDs a source's chart ships in its `crds/` folders and its subcharts', as one tree holds the
 * chart; undefined where the tree does not tell (a chart from a Helm or OCI repository, a path
 * holding no chart here, a dependency not vendored in its `charts/` folder: `helm dependency build`
 * fetches it as a package).
 */
const shippedCrds = (source: JsonRecord, side: "base" | "head", context: DetectorContext): string[] | undefined => {
  const path = text(source.path);
  return text(source.chart) === undefined && path !== undefined ? chartCrds(normalizeRepoPath(path), side, context) : undefined;
};

const chartCrds = (folder: string, side: "base" | "head", context: DetectorContext, seen = new Set<string>()): string[] | undefined => {
  // A chart reached again through `file://` dependencies adds nothing.
  if (seen.has(folder)) return [];
  seen.add(folder);
  const at = (file: string) => (folder === "" ? file : `${folder}/${file}`);
  const chart = record(context.readYaml(context.fileText(side, at("Chart.yaml")) ?? ""));
  if (chart.name === undefined) return undefined;
  const dependencies = list(chart.dependencies).map((dependency) => {
    const { name, repository } = record(dependency);
    const local = text(repository)?.startsWith("file://") ? text(repository)!.slice("file://".length) : undefined;
    if (local !== undefined) return chartCrds(normalizeRepoPath(posix.join(folder, local)), side, context, seen);
    return typeof name === "string" && context.fileText(side, at(`charts/${name}/Chart.yaml`)) !== undefined ? [] : undefined;
  });
  if (dependencies.some((crds) => crds === undefined)) return undefined;
  const definitions = context[side].files
    .filter(
      (file) =>
        (folder === "" || file.startsWith(`${folder}/`)) &&
        /^(?:charts\/[^/]+\/)*crds\/.+\.ya?ml$/.test(folder === "" ? file : file.slice(folder.length + 1)),
    )
    .flatMap((file) =>
      documentTexts(context.fileText(side, file) ?? "").flatMap((document) => {
        const value = record(context.readYaml(document));
        const name = text(record(value.metadata).name);
        return text(value.kind) === DEFINITION && name ? [name] : [];
      }),
    );
  return sortedSet([...definitions, ...dependencies.flatMap((crds) => crds ?? [])]);
};

export const skippedCrds = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  const { base, head } = change;
  const at = head && SPEC_PATHS[head.id.kind];
  if (!base || !at || head.id.group !== "argoproj.io") return;
  const [before, after] = [sourcesOf(record(valueAt(base.body, at)), at), sourcesOf(record(valueAt(head.body, at)), at)];
  const { syncs, prunes } = automation(record(valueAt(head.body, at)));
  after.forEach(({ source, path }, index) => {
    // A source added is a new render input (placement.ts renderJudge), not a switch.
    const previous = before[index]?.source;
    const was = flag(record(previous?.helm).skipCrds) ?? false;
    const now = flag(record(source.helm).skipCrds) ?? false;
    // Skipped now, they are pruned only under automated prune; included now, they are applied under automated sync.
    if (!previous || was === now || !(now ? prunes : syncs)) return;
    const crds = now ? shippedCrds(previous, "base", context) : shippedCrds(source, "head", context);
    if (crds?.length === 0) return;
    const chart = text(source.chart) ?? text(source.path) ?? "(none)";
    const definitions =
      crds === undefined
        ? `the CRDs chart ${chart} ships in its crds/ folders (which this review cannot read)`
        : `the CRDs of chart ${chart} (${named(crds.map((name) => `${DEFINITION} ${name}`))})`;
    const effect = now
      ? `under automated prune, Argo CD stops applying ${definitions} and prunes them from ${where}, and with each every custom resource of its kind`
      : `under automated sync, Argo CD now applies ${definitions} on ${where} over those installed, and prunes them, with every custom resource of their kinds, whenever a later render leaves them out`;
    const field = [...path, "helm", "skipCrds"];
    out.add({
      class: "resource.changed",
      summary: `${field.slice(1).join(".")} ${was} → ${now}: ${effect}`,
      side: "head",
      path: field,
      before: was,
      after: now,
      riskFloor: "high",
    });
  });
};
