import { posix } from "node:path";
import type { Resource } from "../../core/resource.js";
import { isRecord, list, record, text } from "../../core/json-access.js";
import type { DetectorContext } from "../../core/detector.js";
import { documentTexts } from "../../core/document-texts.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { KUSTOMIZE_GROUP, mentionsTraffic } from "./kustomize.js";

/**
 * Whether a Flux Kustomization is known, on one side, to deliver no traffic config: every file its
 * path delivers is read, and none holds a traffic resource, an object that makes others where the
 * review reads none (a HelmRelease's chart, a nested Kustomization or Application, a flux-operator
 * ResourceSet), or a kustomization that reads what the tree does not hold (a remote resource, a
 * Helm chart, a generator plugin). Whether it runs, or prunes, then changes no route, listener or
 * mesh rule (rwlove/home-ops d7d521d9c8: resuming a Kustomization of a Job, a CronJob, an
 * ExternalSecret and RBAC read high). Unknown is not quiet: a source other than a GitRepository of
 * this repository (an OCI artifact, another repository: deliveryOf gives none), components, or a
 * path the tree holds no file of.
 */
export function deliversNoTraffic(resource: Resource, side: "base" | "head", context: DetectorContext): boolean {
  const set = context[side];
  const spec = record(resource.body.spec);
  if (resource.id.group !== FLUX_KUSTOMIZE || (text(record(spec.sourceRef).kind) ?? "GitRepository") !== "GitRepository") return false;
  if (list(spec.components).length > 0) return false;
  const delivery = context.deliveryOf(resource, set);
  if (!delivery) return false;
  const files = set.files.filter(
    (file) => file !== resource.source.file && readersOf(file, set.includedBy).some((reader) => delivery.destinationOf(reader)),
  );
  // What a kustomization includes is read only where the object delivers it too (a folder outside
  // its path, `../shared`, delivered through that kustomization): else its contents went unread.
  const delivered = new Set(files);
  const holds = (path: string) => delivered.has(path) || files.some((file) => file.startsWith(`${path}/`));
  return files.length > 0 && files.every((file) => quietFile(file, context.fileText(side, file), holds, context));
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
const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

function quietFile(file: string, fileText: string | undefined, holds: (path: string) => boolean, context: DetectorContext): boolean {
  if (!MANIFEST.test(file)) return true;
  if (fileText === undefined) return false;
  return documentTexts(fileText).every((document) => {
    if (document.trim() === "" || /^(\s*#.*\n?)*\s*$/.test(document)) return true;
    const value = context.readYaml(document);
    if (value === undefined) return false;
    if (!isRecord(value)) return true;
    const [apiVersion, kind] = [text(value.apiVersion) ?? "", text(value.kind) ?? ""];
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    // A kustomization file often names neither apiVersion nor kind.
    if (group !== KUSTOMIZE_GROUP && !KUSTOMIZATION_FILE.test(file))
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
