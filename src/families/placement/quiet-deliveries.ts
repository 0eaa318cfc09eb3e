import { posix } from "node:path";
import type { Resource } from "../../core/resource.js";
import { isRecord, list, record, text } from "../../core/json-access.js";
import type { DetectorContext } from "../../core/detector.js";
import { documentTexts } from "../../core/document-texts.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { isKustomizationFile } from "../../core/kustomization-files.js";
import { KUSTOMIZE_GROUP, mentionsTraffic } from "./kustomize.js";

/**
 * Whether a Flux Kustomization or an Argo CD Application is known, on one side, to deliver no
 * traffic config: it applies its path's files as written (readsFilesAsWritten), every file it
 * delivers is read, and none holds a traffic resource, an object that makes others where the
 * review reads none (a HelmRelease's chart, a nested Kustomization or Application, a flux-operator
 * ResourceSet), or a kustomization that reads what the object does not deliver (a remote resource,
 * a Helm chart, a generator plugin). Whether it runs, or prunes, then changes no route, listener or
 * mesh rule (rwlove/home-ops d7d521d9c8: resuming a Kustomization of a Job, a CronJob, an
 * ExternalSecret and RBAC read high). Unknown is not quiet: a Flux GitRepository of another
 * repository (deliveryOf gives none), or a path the tree holds no file of.
 */
export function deliversNoTraffic(resource: Resource, side: "base" | "head", context: DetectorContext): boolean {
  const set = context[side];
  if (!readsFilesAsWritten(resource)) return false;
  const delivery = context.deliveryOf(resource, set);
  if (!delivery) return false;
  const files = set.files.filter(
    (file) =>
      file !== resource.source.file &&
      delivery.leavesOut?.(file) !== true &&
      readersOf(file, set.includedBy).some((reader) => delivery.destinationOf(reader)),
  );
  // What a kustomization includes is read only where the object delivers it too (a folder outside
  // its path, `../shared`, delivered through that kustomization): else its contents went unread.
  const delivered = new Set(files);
  const holds = (path: string) => delivered.has(path) || files.some((file) => file.startsWith(`${path}/`));
  return files.length > 0 && files.every((file) => quietFile(file, context.fileText(side, file), holds, context));
}

/**
 * Whether what the object applies is its path's files as the tree holds them, built by kustomize
 * at most: a Flux Kustomization of a GitRepository (not an OCI artifact or a bucket) adding no
 * components; an Argo CD Application whose every source is a path with no chart, Helm, plugin or
 * jsonnet settings (a values-only `ref` source, which no path names, counts as unread).
 */
function readsFilesAsWritten(resource: Resource): boolean {
  const spec = record(resource.body.spec);
  if (resource.id.group === FLUX_KUSTOMIZE)
    return (text(record(spec.sourceRef).kind) ?? "GitRepository") === "GitRepository" && list(spec.components).length === 0;
  if (resource.id.group !== "argoproj.io" || resource.id.kind !== "Application") return false;
  const sources = [...(spec.source === undefined ? [] : [spec.source]), ...list(spec.sources)].map(record);
  return (
    sources.length > 0 &&
    sources.every(
      (source) =>
        text(source.path) !== undefined &&
        ["chart", "helm", "plugin"].every((field) => source[field] === undefined) &&
        list(record(source.kustomize).components).length === 0 &&
        record(source.directory).jsonnet === undefined,
    )
  );
}

/** Groups whose objects make others the review does not read: releases, GitOps objects, rendered sets. */
const MAKERS = new Set([
  "helm.toolkit.fluxcd.io",
  FLUX_KUSTOMIZE,
  "argoproj.io",
  "fluxcd.controlplane.io",
  "helm.cattle.io",
  "fleet.cattle.io",
  "kappctrl.k14s.io",
  "packaging.carvel.dev",
]);

/** The kustomization fields that include files or folders, each of which must be one the object delivers. */
const KUSTOMIZE_INCLUDES = ["resources", "bases", "components", "crds"] as const;
/** The kustomization fields whose output the review does not read: charts and plugins. */
const KUSTOMIZE_OPAQUE = ["helmCharts", "helmChartInflationGenerator", "generators", "transformers", "validators"] as const;

const MANIFEST = /\.(ya?ml|json)$|(^|\/)Kustomization$/;
const RENDERED_SOURCE = /(^|\/)Chart\.ya?ml$|\.(jsonnet|libsonnet)$/;

function quietFile(file: string, fileText: string | undefined, holds: (path: string) => boolean, context: DetectorContext): boolean {
  // Argo CD renders a folder holding a chart with Helm, and jsonnet files with jsonnet.
  if (RENDERED_SOURCE.test(file)) return false;
  if (!MANIFEST.test(file)) return true;
  if (fileText === undefined) return false;
  return documentTexts(fileText).every((document) => {
    // Comments alone: linear, where a pattern repeating `#.*` lines backtracks exponentially on a `####` banner.
    if (document.replace(/^\s*#.*$/gm, "").trim() === "") return true;
    const value = context.readYaml(document);
    if (value === undefined) return false;
    if (!isRecord(value)) return true;
    const [apiVersion, kind] = [text(value.apiVersion) ?? "", text(value.kind) ?? ""];
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    // A kustomization file often names neither apiVersion nor kind.
    if (group !== KUSTOMIZE_GROUP && !isKustomizationFile(file))
      // The whole text, as a List's items may be traffic config.
      return !context.readsKind(apiVersion, kind, document) && !mentionsTraffic(document, context.trafficKinds) && !MAKERS.has(group);
    if (KUSTOMIZE_OPAQUE.some((field) => value[field] !== undefined)) return false;
    const folder = posix.dirname(file);
    return KUSTOMIZE_INCLUDES.flatMap((field) => list(value[field])).every((entry) => {
      const path = typeof entry === "string" && !/:|\?/.test(entry) ? posix.normalize(posix.join(folder, entry)) : undefined;
      return path !== undefined && !path.startsWith("..") && holds(path);
    });
  });
}
