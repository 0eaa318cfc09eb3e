import { posix } from "node:path";
import { displayName, resourceKey, type Resource, type ResourceId } from "../../core/resource.js";
import { flag, record, text, type JsonRecord } from "../../core/json-access.js";
import { sortedSet } from "../../core/canonical-values.js";
import { clusterScoped } from "../../core/cluster-scoped.js";
import { declared } from "../../core/declared-identities.js";
import { documentTexts } from "../../core/document-texts.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { FLUX_HELM, FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { unnamedSite } from "../../core/gitops-delivery.js";
import { namespacingOf } from "./namespacing.js";
import { named } from "./named-list.js";
import { deliverersIn, prunesOnDelete, prunesWhenDropped, sitesOfFile, type Deliverer } from "./handovers.js";

/**
 * A GitOps object renamed or moved to another namespace (`infra-controllers-sync` →
 * `infra-controllers`), or narrowed while another takes over part of its path, deletes what it let
 * go of before its successor applies it again: Kubernetes has no rename, so the old object is
 * deleted, and under Flux's prune (or `deletionPolicy: Delete`) its finalizer garbage-collects its
 * inventory, as Argo CD's resources finalizer does; the new one adopts only what is still there when
 * it first applies, and its `dependsOn` (on the renamed objects too) holds that apply back
 * (fluxcd/flux2#3316: "the API deletes and recreates it. Before renaming set `prune: false`";
 * helm-controller#1340: an ingress controller's public IP recreated by a folder rename). The
 * handover check (handovers.ts) judges the traffic config among those objects; this one judges what
 * deleting them takes with it, which the trees read as unchanged: a HelmRelease uninstalls its
 * chart (an ingress controller, a gateway, a mesh: everything it installed), a Namespace deletes
 * every object in it, a child Kustomization or Application deletes what it applied.
 */

/** An object a GitOps object applies, as the files it delivers write it, in the namespace it lands in. */
export interface AppliedObject {
  readonly id: ResourceId;
  readonly body: JsonRecord;
  readonly file: string;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "");

/** The namespace a document lands in through one GitOps object, from the one kustomize gives its file and its own. */
const landing = (deliverer: Resource, kind: string, kustomized: string | undefined, own: string | undefined): string =>
  clusterScoped(kind) ? "" : (namespacingOf(deliverer)?.landsIn(deliverer)(kustomized, own) ?? kustomized ?? own ?? "default");

/** Whether a GitOps object of one tree delivers a file: a file it applies, or one a kustomization it applies includes. */
const delivers = (deliverer: Resource, side: "base" | "head", path: string, context: DetectorContext): boolean => {
  const set = context[side];
  const delivery = context.deliveryOf(deliverer, set);
  return (
    delivery !== undefined &&
    path !== deliverer.source.file &&
    context.applies(side, path) &&
    delivery.leavesOut?.(path) !== true &&
    readersOf(path, set.includedBy).some((reader) => delivery.destinationOf(reader) !== undefined)
  );
};

/** Every document of the files a GitOps object delivers on one side (its own file aside), as it lands. */
export function appliedBy(deliverer: Resource, side: "base" | "head", context: DetectorContext): AppliedObject[] {
  const set = context[side];
  return set.files.flatMap((path) => {
    const applied = delivers(deliverer, side, path, context) ? context.appliedAs(side, path) : undefined;
    const fileText = applied && context.fileText(side, path);
    if (fileText === undefined) return [];
    return documentTexts(fileText).flatMap((document) => {
      const body = record(context.readYaml(document));
      const [kind, metadata] = [text(body.kind), record(body.metadata)];
      const name = text(metadata.name);
      if (!kind || !name) return [];
      const namespace = landing(deliverer, kind, applied!.namespace, text(metadata.namespace));
      return [{ id: { group: groupOf(text(body.apiVersion) ?? ""), kind, namespace, name }, body, file: path }];
    });
  });
}

/**
 * What deleting an object takes with it, by its group and kind; undefined where nothing beyond
 * itself goes. helm-controller uninstalls a deleted HelmRelease's release unless it is suspended
 * (it then only drops its finalizer) or uninstalls orphaning what it installed; a child GitOps
 * object deletes what it applied as its own deletion policy says (handovers.ts prunesOnDelete).
 */
const TAKES_DOWN: Readonly<Record<string, (object: AppliedObject) => string | undefined>> = {
  "/Namespace": () => "every object in it, whoever applied it",
  [`${FLUX_HELM}/HelmRelease`]: ({ body }) => {
    const spec = record(body.spec);
    return flag(spec.suspend) === true || text(record(spec.uninstall).deletionPropagation) === "orphan"
      ? undefined
      : "its release uninstalled: everything its chart installed";
  },
  [`${FLUX_KUSTOMIZE}/Kustomization`]: (object) => (prunesOnDelete(object) ? "everything it applied" : undefined),
  "argoproj.io/Application": (object) => (prunesOnDelete(object) ? "everything it applied" : undefined),
  "argoproj.io/ApplicationSet": (object) => (prunesOnDelete(object) ? "its Applications and everything they applied" : undefined),
  "fluxcd.controlplane.io/ResourceSet": () => "everything it made",
  "fluxcd.controlplane.io/FluxInstance": () => "the Flux it installed",
  "helm.cattle.io/HelmChart": () => "its release uninstalled: everything its chart installed",
  "kappctrl.k14s.io/App": () => "everything it deployed",
  "packaging.carvel.dev/PackageInstall": () => "everything it installed",
  "fleet.cattle.io/GitRepo": () => "everything its bundles deployed",
  "fleet.cattle.io/Bundle": () => "everything it deployed",
};

/**
 * Whether the object letting go spares one object it applied: Flux garbage-collects none marked
 * `kustomize.toolkit.fluxcd.io/prune: disabled` (label or annotation); Argo CD deletes none whose
 * sync options say `Delete=false` when the Application is deleted, nor prunes those saying
 * `Prune=false`.
 */
const spared = (object: AppliedObject, deliverer: Deliverer, deleted: boolean): boolean => {
  const metadata = record(object.body.metadata);
  const [labels, annotations] = [record(metadata.labels), record(metadata.annotations)];
  if (deliverer.id.group === FLUX_KUSTOMIZE)
    return [labels, annotations].some((marks) => text(marks["kustomize.toolkit.fluxcd.io/prune"]) === "disabled");
  const options = (text(annotations["argocd.argoproj.io/sync-options"]) ?? "").split(",").map((option) => option.trim());
  return options.includes(deleted ? "Delete=false" : "Prune=false");
};

/**
 * Where a GitOps object applies a file: its sites, but for the site of its own that nothing in the
 * tree places (no object of the tree applies its file, a hub's `hub/staging.yaml`: unnamedSite),
 * read as beside the objects of its folder, which whatever applies that folder applies together.
 */
const placeOf = (deliverer: Resource, side: "base" | "head", file: string, context: DetectorContext): ReadonlySet<string> => {
  const unplaced = unnamedSite(deliverer);
  return new Set(
    [...sitesOfFile(deliverer, side, file, context)].map((site) =>
      site === unplaced ? `beside ${posix.dirname(deliverer.source.file)}` : site,
    ),
  );
};

/**
 * Who applies an object at head besides the object judged, by display name: where it lands alike,
 * in a place the object letting go applied it to (`places`). One applying it on another cluster
 * takes nothing over there.
 */
const successorsOf = (
  object: AppliedObject,
  places: ReadonlySet<string>,
  judged: Resource | undefined,
  context: DetectorContext,
): string[] => {
  const { id } = object;
  const copies = context
    .objectsMentioning("head", id.name)
    .filter(
      ({ object: body }) =>
        text(body.kind) === id.kind && groupOf(text(body.apiVersion) ?? "") === id.group && text(record(body.metadata).name) === id.name,
    );
  return sortedSet(
    deliverersIn(context.head, context).all.flatMap((deliverer) =>
      deliverer.key !== judged?.key &&
      copies.some(
        ({ source, object: body }) =>
          delivers(deliverer, "head", source.file, context) &&
          landing(deliverer, id.kind, context.appliedAs("head", source.file)?.namespace, text(record(body.metadata).namespace)) ===
            id.namespace &&
          [...placeOf(deliverer, "head", source.file, context)].some((place) => places.has(place)),
      )
        ? [displayName(deliverer.id)]
        : [],
    ),
  );
};

/** How the object letting go deletes what it applied, as its kind says it. */
const deletion = (deliverer: Deliverer, deleted: boolean): string => {
  if (deliverer.id.group === FLUX_KUSTOMIZE) {
    const policy = text(record(deliverer.body.spec).deletionPolicy);
    return deleted && policy !== undefined && policy !== "MirrorPrune" ? `under deletionPolicy ${policy}` : "under prune";
  }
  return deleted ? "with the resources finalizer" : "under automated prune";
};

/**
 * The objects a GitOps object lets go of while another applies them at head, whose deletion takes
 * more with it (TAKES_DOWN): high. The traffic config among them is the handover check's
 * (handovers.ts), not said twice; an object letting go that deletes nothing (Flux `prune: false`,
 * `deletionPolicy: Orphan`, an Application without the resources finalizer) leaves them for its
 * successor to adopt, as does a suspended one.
 */
export const recreations = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  const { base, head } = change;
  if (!base || !(head ? prunesWhenDropped(head) : prunesOnDelete(base))) return;
  const kept = new Set(head ? appliedBy(head, "head", context).map(({ id }) => resourceKey(id)) : []);
  const traffic = (id: ResourceId) =>
    declared(context.base, id).some((resource) => resource.family !== "placement" && !context.readForContext(resource));
  const letGo = appliedBy(base, "base", context).flatMap((object) => {
    const takes =
      kept.has(resourceKey(object.id)) || traffic(object.id) || spared(object, base, !head)
        ? undefined
        : TAKES_DOWN[`${object.id.group}/${object.id.kind}`]?.(object);
    const successors = takes === undefined ? [] : successorsOf(object, placeOf(base, "base", object.file, context), head, context);
    return successors.length === 0 ? [] : [{ object, takes: takes!, successors }];
  });
  if (letGo.length === 0) return;
  const successors = sortedSet(letGo.flatMap((entry) => entry.successors));
  const [apply, objects] = [successors.length === 1 ? "applies" : "apply", letGo.length === 1 ? "it" : "them"];
  const listed = named(letGo.map(({ object, takes }) => `${displayName(object.id)} (${takes})`));
  const letting = head
    ? `no longer applies what ${named(successors)} now ${apply}`
    : `removed while ${named(successors)} ${apply} what it applied`;
  out.add({
    class: "resource.changed",
    summary: `${letting}: ${deletion(base, !head)} it deletes ${objects} from ${where} before ${named(successors)} ${apply} ${objects} again, and with ${objects} ${listed}`,
    side: head ? "head" : "base",
    path: ["spec"],
    before: letGo.map(({ object }) => displayName(object.id)),
    after: successors,
    riskFloor: "high",
  });
};
