import { resourceKey, type ManifestSet, type Resource, type ResourceId } from "../../core/resource.js";
import { flag, list, optionalRecord, record, text, texts, valueAt } from "../../core/json-access.js";
import { canonical, sameValue, show } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { clusterScoped } from "../../core/cluster-scoped.js";
import { declared } from "../../core/declared-identities.js";
import { sitesThrough } from "../../core/delivery-sites.js";
import { unscopedArgoCdSite } from "../../core/gitops-delivery.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import type { DetectorContext } from "../../core/detector.js";
import { namespacingOf } from "./namespacing.js";
import { generatedApplications, generatedFinalizers, generatingSet, type GeneratorTree } from "./generated-applications.js";
import type { Delivery, FilePlacement } from "../../core/gitops-delivery.js";

/**
 * A traffic resource handed from one GitOps object to another: an Argo CD Application renamed
 * (`shop` → `shop-apps`, same path and destination) or split in two over moved folders
 * (`shop-checkout`, `shop-payments`) deletes nothing where the object let go of does not delete
 * what it applied, and the object taking over adopts the same objects where they already run. What
 * lands on each cluster is what counts, by whichever object: the same resource, with the same
 * content, in the same namespace on the same sites at base and head, handed between objects that
 * deploy it alike, is no change. Anything else is a move the placement detector reports: an object
 * let go of that deletes what it applied (Argo CD's resources finalizer, its automated prune for an
 * Application that stops delivering it; Flux's deletion policy, whose garbage collection can run
 * before the new Kustomization applies the objects), another cluster or namespace, other content,
 * an object taking over that deploys it otherwise (another revision, repository, inline patch or
 * sync policy: what the tree's files hold is then not what lands), or two objects now applying it
 * on one cluster (they fight over it: Argo CD's shared resource warning).
 */

/** A GitOps object as a detector reads it, or as a file it delivers writes it (recreations.ts). */
export type Deliverer = Pick<Resource, "id" | "body">;

/** Whether deleting the object deletes what it applied: Flux's deletion policy, Argo CD's resources finalizer. */
export const prunesOnDelete = (resource: Deliverer): boolean =>
  resource.id.kind === "Kustomization"
    ? fluxDeletes(record(resource.body.spec))
    : resource.id.kind === "ApplicationSet"
      ? generatedCascade(resource)
      : cascades(record(resource.body.metadata).finalizers);

/**
 * Whether kustomize-controller's finalizer deletes what a Kustomization applied: under
 * `deletionPolicy: Delete` and `WaitForTermination` it does with `prune: false` too, under `Orphan`
 * never, under `MirrorPrune` (the default) as `prune` says; a suspended one deletes nothing
 * (kustomize-controller finalizerShouldDeleteResources).
 */
const fluxDeletes = (spec: Record<string, unknown>): boolean => {
  if (flag(spec.suspend) === true) return false;
  const policy = text(spec.deletionPolicy) ?? "MirrorPrune";
  return policy === "MirrorPrune" ? flag(spec.prune) === true : policy === "Delete" || policy === "WaitForTermination";
};

const cascades = (finalizers: unknown): boolean =>
  texts(finalizers).some((finalizer) => finalizer.startsWith("resources-finalizer.argocd.argoproj.io"));

/**
 * Whether deleting an Application an ApplicationSet generates deletes what it applied: the
 * controller gives a template that writes no finalizers the resources finalizer unless the
 * ApplicationSet preserves resources on deletion (argo-cd applicationset/utils/utils.go
 * RenderTemplateParams), and one that writes some those.
 */
const generatedCascade = (applicationSet: Deliverer): boolean => cascades(generatedFinalizers(applicationSet));

/** Whether an ApplicationSet deletes the Applications it no longer generates: not under `create-only` or `create-update`. */
const deletesUngenerated = (applicationSet: Deliverer): boolean =>
  !["create-only", "create-update"].includes(text(record(record(applicationSet.body.spec).syncPolicy).applicationsSync) ?? "");

/**
 * Whether the object, kept, still applies what it stops delivering: an ApplicationSet under
 * `create-only` or `create-update` keeps the Application it no longer generates, which goes on
 * applying it beside whatever takes it over (an element dropped for a standalone Application of
 * the same path: two Applications apply its routes).
 */
export const keepsApplying = (resource: Resource): boolean => resource.id.kind === "ApplicationSet" && !deletesUngenerated(resource);

/**
 * Whether the object, kept, deletes what it stops delivering: Flux prune, Argo CD's automated
 * prune; an ApplicationSet deletes the Application it no longer generates, and with it what that
 * applied where it cascades.
 */
export const prunesWhenDropped = (resource: Deliverer): boolean => {
  const spec = record(resource.body.spec);
  if (resource.id.kind === "Kustomization") return flag(spec.prune) === true;
  if (resource.id.kind === "ApplicationSet") return deletesUngenerated(resource) && generatedCascade(resource);
  return flag(optionalRecord(record(spec.syncPolicy).automated)?.prune) === true;
};

/**
 * An ApplicationSet's template renamed (`{{name}}` → `shop-{{name}}`): the controller deletes each
 * Application of the old name and creates one of the new, which adopts what the old one applied
 * where that deletion leaves it. Where it cascades, everything they applied is deleted before the
 * new ones apply it again; under `create-only` or `create-update` the old ones stay, and two
 * Applications apply every object (Argo CD's shared resource warning). Either is high where they
 * deliver traffic config; renamed Applications that leave what they applied are a low field change.
 */
export const generatedRenamed = (change: ResourceChange, delivered: readonly string[], where: string, out: DetectionList): void => {
  if (!change.base || !change.head || change.head.id.kind !== "ApplicationSet" || delivered.length === 0) return;
  const path: FieldPath = ["spec", "template", "metadata", "name"];
  const [before, after] = [valueAt(change.base.body, path), valueAt(change.head.body, path)];
  if (sameValue(before, after)) return;
  const effect = !deletesUngenerated(change.base)
    ? `the Applications of the old names stay (applicationsSync ${show(text(record(record(change.base.body.spec).syncPolicy).applicationsSync))}), and two Applications apply each of its ${delivered.length} traffic resources on ${where}`
    : generatedCascade(change.base)
      ? `the Applications of the old names are deleted with the resources finalizer, and its ${delivered.length} traffic resources with them from ${where} before the renamed ones apply them again`
      : undefined;
  if (!effect) return;
  out.add({
    class: "resource.changed",
    summary: `template.metadata.name ${show(before)} → ${show(after)}: ${effect}`,
    side: "head",
    path,
    before,
    after,
    riskFloor: "high",
  });
};

/** The kinds of the objects that deliver (placement.ts PLACEMENT_FIELDS). */
const DELIVERING_KINDS = ["Application", "ApplicationSet", "Kustomization"];

type Side = "base" | "head";

const listedIn = new WeakMap<DetectorContext, Record<Side, Map<Resource, readonly Resource[] | undefined>>>();

/** The Applications a set generates from one side's tree (generated-applications.ts), listed once a side. */
const listed = (applicationSet: Resource, side: Side, context: DetectorContext): readonly Resource[] | undefined => {
  const known = listedIn.get(context) ?? { base: new Map(), head: new Map() };
  listedIn.set(context, known);
  if (known[side].has(applicationSet)) return known[side].get(applicationSet);
  const tree: GeneratorTree = {
    files: context[side].files,
    data: (path) => {
      const written = context.fileText(side, path);
      return written === undefined ? undefined : context.readYaml(written);
    },
  };
  const applications = generatedApplications(applicationSet, tree);
  known[side].set(applicationSet, applications);
  return applications;
};

/**
 * The Applications an ApplicationSet generates on one side, where the trees tell them on both
 * (on the side that holds it, where only one does): a set whose Applications only one side lists
 * is read as one object on both, as before.
 */
export const generatedOn = (applicationSet: Resource, side: Side, context: DetectorContext): readonly Resource[] | undefined => {
  const own = listed(applicationSet, side, context);
  const otherSide = side === "base" ? "head" : "base";
  const other = context[otherSide].resources.get(applicationSet.key);
  return own && (!other || listed(other, otherSide, context)) ? own : undefined;
};

/** The objects of one tree that deliver anything, each with its delivery, and by key. */
interface Deliverers {
  readonly all: readonly Resource[];
  readonly byKey: ReadonlyMap<string, Resource>;
  readonly delivery: ReadonlyMap<Resource, Delivery>;
}

const deliverersOf = new WeakMap<DetectorContext, Partial<Record<Side, Deliverers>>>();

/**
 * The objects of a tree that deliver anything, found once a side: an ApplicationSet as the
 * Applications it generates where the trees tell them (generatedOn), since what one of those
 * lets go of is deleted or kept as that Application is.
 */
export const deliverersIn = (set: ManifestSet, context: DetectorContext): Deliverers => {
  const side: Side = set === context.base ? "base" : "head";
  const known = deliverersOf.get(context) ?? {};
  deliverersOf.set(context, known);
  const found = known[side];
  if (found) return found;
  const delivery = new Map<Resource, Delivery>();
  for (const resource of DELIVERING_KINDS.flatMap((kind) => resourcesOfKind(set, kind))) {
    const generated = resource.id.kind === "ApplicationSet" ? generatedOn(resource, side, context) : undefined;
    for (const deliverer of generated ?? [resource]) {
      const delivers = context.deliveryOf(deliverer, set);
      if (delivers) delivery.set(deliverer, delivers);
    }
  }
  const all = [...delivery.keys()];
  return (known[side] = { all, byKey: new Map(all.map((deliverer) => [deliverer.key, deliverer])), delivery });
};

/** Where one tree applies the copies of one identity: per site, what lands (namespace and content) and which objects apply it. */
interface Footprint {
  readonly landed: ReadonlySet<string>;
  readonly appliers: ReadonlyMap<string, ReadonlySet<string>>;
  /** A copy that no object delivers: applied as the tree writes it, not handed over by anyone. */
  readonly undelivered: boolean;
}

/**
 * Whether a tree runs several Argo CDs: an Application or ApplicationSet of one identity in several
 * files (`clusters/prod/argocd/infra.yaml`, `clusters/staging/argocd/infra.yaml`), keyed apart.
 */
const severalArgoCds = (set: ManifestSet, context: DetectorContext): boolean =>
  deliverersIn(set, context).all.some((deliverer) => deliverer.id.group === "argoproj.io" && deliverer.key.includes("@"));

/**
 * A site one object sends a file to, as far as telling sites apart needs. Argo CD's own
 * cluster, unscoped, is one cluster where one Argo CD runs (an app-of-apps moving its children into
 * folders); where several run, an Application moved from `clusters/staging/argocd/` into
 * `clusters/prod/argocd/` lands on another, so there it is told apart by the folder of the object.
 */
const siteOf = (site: string, deliverer: Resource, several: boolean): string =>
  several && unscopedArgoCdSite(site)
    ? `${site} (beside ${deliverer.source.file.slice(0, deliverer.source.file.lastIndexOf("/") + 1)})`
    : site;

/** The sites one object sends a file to, read through `readers` (the file and the kustomizations including it). */
const sitesFor = (
  deliverer: Resource,
  delivery: Delivery,
  readers: readonly string[],
  placement: FilePlacement,
  several: boolean,
): Set<string> => {
  const own = placement(deliverer.source.file).sites ?? [];
  return new Set(
    readers.flatMap((reader) => {
      const destination = delivery.destinationOf(reader);
      return destination ? sitesThrough(destination, delivery, own).map((site) => siteOf(site, deliverer, several)) : [];
    }),
  );
};

/** Whether either tree runs several Argo CDs (severalArgoCds), which tells sites apart by the objects' folders. */
const severalAnywhere = (context: DetectorContext): boolean =>
  severalArgoCds(context.base, context) || severalArgoCds(context.head, context);

/** The sites a GitOps object of one tree sends a file to; none where it delivers nothing. */
export const sitesOfFile = (deliverer: Resource, side: Side, file: string, context: DetectorContext): ReadonlySet<string> => {
  const set = context[side];
  const delivery = context.deliveryOf(deliverer, set);
  return delivery
    ? sitesFor(deliverer, delivery, readersOf(file, set.includedBy), context.placementOf(set), severalAnywhere(context))
    : new Set();
};

const footprintOf = (id: ResourceId, side: "base" | "head", context: DetectorContext, several: boolean): Footprint => {
  const set = context[side];
  const placement = context.placementOf(set);
  const landed = new Set<string>();
  const appliers = new Map<string, Set<string>>();
  let undelivered = false;
  const deliverers = deliverersIn(set, context);
  for (const copy of declared(set, id)) {
    if (!context.applies(side, copy.source.file)) continue;
    const readers = readersOf(copy.source.file, set.includedBy);
    const content = JSON.stringify(canonical(copy.body));
    let delivered = false;
    for (const deliverer of deliverers.all) {
      const sites = sitesFor(deliverer, deliverers.delivery.get(deliverer)!, readers, placement, several);
      if (sites.size === 0) continue;
      delivered = true;
      const namespace = clusterScoped(id.kind)
        ? ""
        : (namespacingOf(deliverer)?.landsIn(deliverer)(copy.namespaceImplied ? undefined : id.namespace, undefined) ?? id.namespace);
      for (const site of sites) {
        landed.add(JSON.stringify([site, namespace, content]));
        appliers.set(site, (appliers.get(site) ?? new Set()).add(deliverer.key));
      }
    }
    undelivered ||= !delivered;
  }
  return { landed, appliers, undelivered };
};

/**
 * What a delivering object deploys and how, but for where (its footprint compares that: the paths
 * and directory globs choosing the files, the destination or targetNamespace choosing cluster and
 * namespace): repository, revisions, render inputs and options (kustomize, Helm, plugin, jsonnet),
 * sync policy, project, and the namespace the object itself is in (an Argo CD watches only some).
 * An ApplicationSet's generators fill its template in, so all of its spec counts.
 */
const deployment = (resource: Resource): unknown => {
  const spec = record(resource.body.spec);
  const namespace = text(record(resource.body.metadata).namespace);
  const kind = `${resource.id.group}/${resource.id.kind}`;
  if (resource.id.kind === "Kustomization") {
    const { path: _path, targetNamespace: _namespace, ...how } = spec;
    return { kind, namespace, how };
  }
  if (resource.id.kind !== "Application") return { kind, namespace, how: spec };
  const unplaced = (source: unknown) => {
    const { path: _path, directory, ...how } = record(source);
    return { ...how, jsonnet: record(directory).jsonnet };
  };
  const { destination: _destination, source, sources, ...how } = spec;
  return { kind, namespace, how, source: source === undefined ? undefined : unplaced(source), sources: list(sources).map(unplaced) };
};

/**
 * Whether what an object lets go of stays as it was: kept, it neither prunes it nor goes on
 * applying it; gone, it does not delete it. An Application its set no longer generates is gone,
 * unless the set keeps such Applications (create-only, create-update), which go on applying it.
 */
const leavesApplied = (deliverer: Resource, still: Resource | undefined, context: DetectorContext): boolean => {
  if (still) return !prunesWhenDropped(still) && !keepsApplying(still);
  const set = generatingSet(deliverer);
  const setNow = set && context.head.resources.get(set.key);
  return !(setNow && keepsApplying(setNow)) && !prunesOnDelete(deliverer);
};

const handedOverIn = new WeakMap<DetectorContext, Map<string, boolean>>();

/**
 * Whether the resource of this identity stays as it was where it lands, handed over between GitOps
 * objects (or kept by the same ones) without any of them deleting it or two of them applying it on
 * one cluster.
 */
export function handedOver(id: ResourceId, context: DetectorContext): boolean {
  const known = handedOverIn.get(context) ?? new Map<string, boolean>();
  handedOverIn.set(context, known);
  const key = resourceKey(id);
  const answer = known.get(key);
  if (answer !== undefined) return answer;
  const several = severalAnywhere(context);
  const [before, after] = [footprintOf(id, "base", context, several), footprintOf(id, "head", context, several)];
  const applying = (footprint: Footprint) => new Set([...footprint.appliers.values()].flatMap((keys) => [...keys]));
  const [was, now] = [applying(before), applying(after)];
  const [atBase, atHead] = [deliverersIn(context.base, context).byKey, deliverersIn(context.head, context).byKey];
  const lettingGo = [...was].filter((deliverer) => !now.has(deliverer)).map((deliverer) => atBase.get(deliverer)!);
  const takingOver = [...now].filter((deliverer) => !was.has(deliverer)).map((deliverer) => atHead.get(deliverer)!);
  const kept =
    !before.undelivered &&
    !after.undelivered &&
    before.landed.size > 0 &&
    before.landed.size === after.landed.size &&
    [...before.landed].every((landing) => after.landed.has(landing)) &&
    [...after.appliers.values()].every((keys) => keys.size === 1) &&
    lettingGo.every((deliverer) =>
      leavesApplied(deliverer, atHead.get(deliverer.key) ?? context.head.resources.get(deliverer.key), context),
    ) &&
    // Every object taking it over deploys it as each one letting go did (a split: each half as the whole).
    lettingGo.every((old) => takingOver.every((taker) => sameValue(deployment(old), deployment(taker))));
  known.set(key, kept);
  return kept;
}

/** The display name's copies a reach lists, all handed over (none where it lists none). */
export const allHandedOver = (copies: readonly Resource[], context: DetectorContext): boolean =>
  copies.length > 0 && copies.every((copy) => handedOver(copy.id, context));
