import { posix } from "node:path";
import { isRecord, list, record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { sameValue } from "../../core/canonical-values.js";
import type { DetectorContext, FileDetector, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { Detection } from "../../core/finding.js";
import { textsByPath } from "../../core/source-file.js";
import { kindsIn, namedKinds } from "../../core/named-kinds.js";
import { inlinePatch } from "../../core/kustomization-files.js";
import { documentTexts } from "../../core/document-texts.js";
import { operationalPatch } from "./operational-patches.js";

/**
 * kustomize patches (research §1.6): a Kustomization's patches, replacements and strategic-merge
 * files rewrite resources when the tree is rendered, and the review reads the tree unrendered. A
 * weight set to 0 by a patch is invisible to every route detector, so a changed patch that reaches
 * a traffic kind is a high finding of its own: the reviewer must read the patch.
 */

export const KUSTOMIZE_GROUP = "kustomize.config.k8s.io";

/** The Kustomization fields whose entries rewrite resources, each entry judged on its own. */
const PATCH_FIELDS = ["patches", "patchesJson6902", "patchesStrategicMerge", "replacements"] as const;

const GROUP_VALUE = /\b([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/v\d\w*/g;

/** Whether text (a patch, a replacement as JSON) names a traffic kind or a traffic API group. */
export function mentionsTraffic(value: string, kinds: DetectorContext["trafficKinds"]): boolean {
  if (namedKinds(value).some((kind) => kinds.names.has(kind))) return true;
  for (const match of value.matchAll(GROUP_VALUE)) if (kinds.groups.has(match[1] ?? "")) return true;
  return false;
}

interface Entry {
  readonly field: (typeof PATCH_FIELDS)[number];
  readonly index: number;
  readonly value: unknown;
  /** The patch file it reads, resolved against the Kustomization's folder. */
  readonly file?: string;
}

const isKustomization = (resource: Resource | undefined): resource is Resource => resource?.id.group === KUSTOMIZE_GROUP;

const patchFile = (value: unknown): string | undefined =>
  isRecord(value) ? text(value.path) : inlinePatch(value) === undefined ? text(value) : undefined;

/**
 * A strategic-merge patch as kustomize applies it, whichever way it is written: a file or inline
 * text under `patchesStrategicMerge`, or the same under `patches` with nothing else (no target or
 * options). `kustomize edit fix` rewrites the first into the second (kustomize v5 deprecates it).
 */
const strategicMerge = (entry: Entry): string | undefined => {
  if (entry.field !== "patches" && entry.field !== "patchesStrategicMerge") return undefined;
  if (isRecord(entry.value) && Object.keys(entry.value).some((key) => key !== "path" && key !== "patch")) return undefined;
  if (entry.file !== undefined) return `file ${entry.file}`;
  const inline = inlinePatch(entry.value);
  return inline === undefined ? undefined : `inline ${inline}`;
};

function entriesOf(resource: Resource | undefined): Entry[] {
  if (!resource) return [];
  const folder = posix.dirname(resource.source.file);
  return PATCH_FIELDS.flatMap((field) =>
    list(resource.body[field]).map((value, index) => {
      const path = patchFile(value);
      return { field, index, value, ...(path !== undefined ? { file: posix.join(folder, path) } : {}) };
    }),
  );
}

/**
 * The traffic objects a patch file's documents name (`Gateway knative-serving/knative-local-gateway`):
 * a strategic-merge patch names its target in its own apiVersion, kind and metadata.
 */
function patchedObjects(fileText: string, context: DetectorContext): string[] {
  // A patch file is small, and a document that cannot be read names nothing here.
  const named = documentTexts(fileText).flatMap((document) => {
    const value = record(context.readYaml(document));
    const kind = text(value.kind);
    const metadata = record(value.metadata);
    const name = text(metadata.name);
    if (!kind || !name || !context.readsKind(text(value.apiVersion) ?? "", kind, document)) return [];
    const namespace = text(metadata.namespace);
    return [`${kind} ${namespace ? `${namespace}/` : ""}${name}`];
  });
  return [...new Set(named)];
}

/**
 * What a patch entry rewrites, as text for the summary, when that is traffic config; undefined
 * when it names no traffic kind. The target wins; else the patch's own content; else what its
 * file's documents name (`fileText`: the file at both sides, where it changed).
 */
function trafficTarget(entry: Entry, context: DetectorContext, fileText?: string): string | undefined {
  const kinds = context.trafficKinds;
  const target = record(record(entry.value).target);
  const kind = text(target.kind);
  const name = text(target.name);
  const where = name
    ? `${kind ?? "resources"} ${text(target.namespace) ? `${text(target.namespace)}/` : ""}${name}`
    : `every ${kind ?? "resource"}`;
  if ((kind && kinds.names.has(kind)) || kinds.groups.has(text(target.group) ?? "")) return where;
  if (kind) return undefined;
  const inline = inlinePatch(entry.value);
  if (inline !== undefined) return mentionsTraffic(inline, kinds) ? "a traffic resource" : undefined;
  if (entry.file !== undefined) {
    const texts = fileText ?? [context.fileText("base", entry.file), context.fileText("head", entry.file)].join("\n---\n");
    const objects = patchedObjects(texts, context);
    if (objects.length > 0) return objects.join(", ");
    return mentionsTraffic(texts, kinds) ? `the traffic config of ${entry.file}` : undefined;
  }
  return mentionsTraffic(JSON.stringify(entry.value), kinds) ? "a traffic resource" : undefined;
}

const NOT_RENDERED = "its effect is not rendered by Route Governor; review the patch";

/**
 * The trust kinds (DetectorContext.trustKinds) a patch entry may rewrite: its target's kind, else
 * those its patch text or file names (a replacement, those it selects). Weakening one directly is
 * critical, so its unrendered patch is too.
 */
function trustReached(entry: Entry, context: DetectorContext, fileText?: string): string[] {
  const target = text(record(record(entry.value).target).kind);
  const inline = inlinePatch(entry.value);
  const named =
    target !== undefined
      ? [target]
      : inline !== undefined
        ? namedKinds(inline)
        : entry.file !== undefined
          ? namedKinds(fileText ?? [context.fileText("base", entry.file), context.fileText("head", entry.file)].join("\n---\n"))
          : kindsIn(entry.value);
  return [...new Set(named.filter((kind) => context.trustKinds.has(kind)))].sort();
}

/** The floor of an unrendered patch's finding and what its summary adds: critical where it reaches trust kinds. */
const unrenderedFloor = (trust: readonly string[]): { readonly riskFloor: "critical" | "high"; readonly why: string } =>
  trust.length > 0
    ? { riskFloor: "critical", why: ` (${trust.join(", ")}: transport security or trust, critical when weakened)` }
    : { riskFloor: "high", why: "" };

/**
 * A kustomization no GitOps object of the tree delivers, in a tree whose GitOps objects deliver
 * others, and no placement pattern places (an overlay staged for a cluster not yet added): its
 * patches reach no cluster from this repository. The PR that delivers it is judged then. Whether
 * one is delivered is what the model's applied files say of its own file (model/applied-files.ts:
 * the paths delivering objects read, through the kustomizations that accumulate it), not where
 * those objects' files sit: `clusters/prod/apps.yaml` delivers `apps/prod`. One that holds GitOps
 * objects itself is where delivery starts (`flux bootstrap`'s flux-system, an app of apps applied
 * by hand): applied from outside, so not this.
 */
function undelivered(kustomization: Resource, side: "base" | "head", context: DetectorContext): boolean {
  const file = kustomization.source.file;
  if (context.applies(side, file)) return false;
  const set = side === "base" ? context.base : context.head;
  if (context.placementOf(set)(file).clusters.length > 0) return false;
  const folder = posix.dirname(file);
  for (const resource of set.resources.values())
    if ((folder === "." || resource.source.file.startsWith(`${folder}/`)) && context.deliveryOf(resource, set)) return false;
  return true;
}

const UNDELIVERED = "no GitOps object of the repository delivers its kustomization, so it reaches no cluster from here";

export const kustomizeDetector: ResourceDetector = (change: ResourceChange, context) => {
  if (!isKustomization(change.head ?? change.base)) return [];
  const before = entriesOf(change.base);
  const after = entriesOf(change.head);
  const detections: Detection[] = [];
  const emit = (entry: Entry, removed: boolean): void => {
    const patch =
      inlinePatch(entry.value) ?? (entry.file === undefined ? undefined : context.fileText(removed ? "base" : "head", entry.file));
    if (patch !== undefined && operationalPatch(patch, record(entry.value).target, context.readYaml)) return;
    const target = trafficTarget(entry, context);
    if (target === undefined) return;
    const subject = change.head ?? change.base!;
    const what = `kustomize ${entry.field === "replacements" ? "replacement" : "patch"}`;
    const idle = undelivered(subject, change.head ? "head" : "base", context);
    const floor = unrenderedFloor(idle ? [] : trustReached(entry, context));
    const effect = idle ? UNDELIVERED : `${NOT_RENDERED}${floor.why}`;
    detections.push({
      class: "resource.changed",
      summary: removed ? `${what} removed: it rewrote ${target}; ${effect}` : `${what} rewrites ${target}: ${effect}`,
      resource: subject.id,
      side: removed && !change.head ? "base" : "head",
      path: removed ? [entry.field] : [entry.field, entry.index],
      before: removed ? entry.value : null,
      after: removed ? null : entry.value,
      ...(idle ? {} : { riskFloor: floor.riskFloor }),
    });
  };
  const known = (entries: readonly Entry[], entry: Entry) => {
    const merged = strategicMerge(entry);
    return entries.some(
      (other) =>
        (other.field === entry.field && sameValue(other.value, entry.value)) || (merged !== undefined && merged === strategicMerge(other)),
    );
  };
  for (const entry of after) if (!known(before, entry)) emit(entry, false);
  for (const entry of before) if (!known(after, entry)) emit(entry, true);
  return detections;
};

/**
 * Patch files whose text changed while the Kustomization that reads them may not have: the
 * detector above never sees those, since the Kustomization itself is unchanged.
 */
export const kustomizePatchFileDetector: FileDetector = ({ base, head }, context) => {
  // Most trees hold no Kustomization: the texts by path are made for the first one.
  let texts: { readonly base: Map<string, string>; readonly head: Map<string, string> } | undefined;
  const detections: Detection[] = [];
  for (const [key, kustomization] of context.head.resources) {
    if (!isKustomization(kustomization)) continue;
    texts ??= { base: textsByPath(base), head: textsByPath(head) };
    for (const entry of entriesOf(kustomization)) {
      if (entry.file === undefined) continue;
      const before = texts.base.get(entry.file);
      const after = texts.head.get(entry.file);
      if (before === after || (before !== undefined && after !== undefined && context.sameYaml(before, after))) continue;
      const operational = (text: string | undefined) =>
        text === undefined || operationalPatch(text, record(entry.value).target, context.readYaml);
      if (operational(before) && operational(after)) continue;
      const both = `${before ?? ""}\n---\n${after ?? ""}`;
      const target = trafficTarget(entry, context, both);
      if (target === undefined) continue;
      const what = after === undefined ? "is missing" : before === undefined ? "is added" : "changes";
      const idle = undelivered(kustomization, "head", context);
      const floor = unrenderedFloor(idle ? [] : trustReached(entry, context, both));
      detections.push({
        class: "resource.changed",
        summary: `kustomize patch file ${entry.file} ${what}: it rewrites ${target}; ${idle ? UNDELIVERED : `${NOT_RENDERED}${floor.why}`}`,
        resource: kustomization.id,
        resourceKey: key,
        side: "head",
        path: [entry.field, entry.index],
        before: before ?? null,
        after: after ?? null,
        ...(idle ? {} : { riskFloor: floor.riskFloor }),
      });
    }
  }
  return detections;
};
