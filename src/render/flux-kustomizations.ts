import type { Delivery } from "../core/gitops-delivery.js";
import type { Resource } from "../core/resource.js";
import type { SourceFile } from "../manifests/load-manifests.js";
import { deliveriesOf, type DeliveryReader } from "../model/gitops-placement.js";
import { list, record, type JsonRecord } from "../core/json-access.js";
import { canonical } from "../core/canonical-values.js";
import { patchedObject } from "./kustomize-patch.js";
import type { Topology } from "../policy/policy-schema.js";
import { gitopsObjects, namingDeliveryKind } from "./render-plan.js";
import { FLUX_KUSTOMIZE } from "../core/flux-groups.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { kustomizationFields, kustomizeReading } from "./kustomize-tree.js";
import { readersOf } from "../core/kustomize-inclusion.js";
import { replacedFields, withFields } from "./kustomize-replacements.js";
import { sameLinks, type RepositoryLink } from "../core/repository-links.js";

/**
 * The Flux Kustomizations of a tree, each with what it delivers, read before the review reads the
 * tree (Flux substitution and targetNamespace change what the tree's files say): from the tree's
 * GitOps objects (render-plan.ts gitopsObjects), which the plan reads as well.
 */
export function fluxKustomizations(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly RepositoryLink[] = [],
): readonly FluxKustomization[] {
  const known = read.get(files);
  if (known?.topology === topology && sameLinks(known.links, links)) return known.kustomizations;
  const set = gitopsObjects(files, links);
  const deliveryOf = deliveriesOf(set, topology.clusters);
  const replaced = replacedFields(files, links);
  const written = [...set.resources.values()].flatMap((resource) => {
    if (resource.id.group !== FLUX_KUSTOMIZE || resource.id.kind !== "Kustomization") return [];
    // As the kustomize build applying it writes it: its kustomizations' replacements applied (a `targetNamespace` copied from their Namespace).
    const fields = replaced(resource.source.file, resource.id.name);
    const built: Resource = fields.length === 0 ? resource : { ...resource, body: withFields(resource.body, fields) };
    const delivery = deliveryOf(built);
    return delivery ? [{ resource: built, delivery }] : [];
  });
  const patchedInBuild = patchedByKustomize(files, written, links);
  const kustomizations = patchedByParents(written, deliveryOf).map((kustomization) =>
    patchedInBuild(kustomization.resource.source.file) ? { ...kustomization, unknownPatches: true as const } : kustomization,
  );
  read.set(files, { topology, links, kustomizations });
  return kustomizations;
}

/** How deep the path a Kustomization delivers from is: where several read a file, the deepest applies it (Flux's own nesting). */
export const deliveryDepth = (delivery: Delivery): number =>
  Math.max(0, ...delivery.paths.map((path) => path.split("/").filter(Boolean).length));

/**
 * The Kustomizations as Flux applies them: one that another delivers is in that one's build, so
 * that one's `spec.patches` patch it first (onedr0p/cluster-template and the home-ops repositories
 * made from it: `cluster-apps` patches every app's Kustomization to add `postBuild.substituteFrom`
 * its cluster-settings ConfigMap and cluster-secrets Secret; read unpatched, an app's own
 * `postBuild.substitute: {APP: echo}` left `*.${SECRET_DOMAIN}` an empty `*.`, haraldkoch/kochhaus-home
 * bb33b15d3). The deepest Kustomization reading its file patches it, itself as its own parent
 * patched it. A patch that cannot be applied, or deepest parents patching it differently, leave
 * what it substitutes unknown (FluxKustomization.unknownPatches).
 */
function patchedByParents(kustomizations: readonly FluxKustomization[], deliveryOf: DeliveryReader): readonly FluxKustomization[] {
  const patching = kustomizations.filter(({ resource }) => list(record(resource.body.spec).patches).length > 0);
  if (patching.length === 0) return kustomizations;
  const done = new Map<FluxKustomization, FluxKustomization | undefined>();
  const visiting = new Set<FluxKustomization>();
  const patched = (kustomization: FluxKustomization): FluxKustomization | undefined => {
    if (done.has(kustomization)) return done.get(kustomization);
    const file = kustomization.resource.source.file;
    const reads = (other: FluxKustomization) => other !== kustomization && !!other.delivery.destinationOf(file);
    if (visiting.has(kustomization) || !patching.some(reads)) return kustomization;
    visiting.add(kustomization);
    const readers = kustomizations.filter(reads);
    const deepest = Math.max(...readers.map(({ delivery }) => deliveryDepth(delivery)));
    const parents = readers.filter(({ delivery }) => deliveryDepth(delivery) === deepest).map((parent) => patched(parent) ?? parent);
    const ways = new Set(parents.map(({ resource }) => canonical(list(record(resource.body.spec).patches))));
    let body: JsonRecord | undefined = kustomization.resource.body;
    for (const entry of ways.size === 1 ? list(record(parents[0]!.resource.body.spec).patches) : [])
      body = body && patchedObject(body, entry);
    visiting.delete(kustomization);
    let result: FluxKustomization | undefined = kustomization;
    if (ways.size > 1 || body === undefined) result = { ...kustomization, unknownPatches: true };
    else if (body !== kustomization.resource.body) {
      const resource: Resource = { ...kustomization.resource, body };
      const delivery = deliveryOf(resource);
      result = delivery && { resource, delivery };
    }
    done.set(kustomization, result);
    return result;
  };
  return kustomizations.flatMap((kustomization) => patched(kustomization) ?? []);
}

/**
 * Whether a kustomize build patches a Flux Kustomization's file with what may give it `postBuild`
 * sources: a patch that says `postBuild`, of a kustomization accumulating the file or of a Component
 * one of those uses (budimanjojo/home-cluster 1b3e82acb9: a Component of the apps' kustomization
 * gives every app's Kustomization `substituteFrom` a Secret kept in the cluster; the review, which
 * does not apply these, read an app's own `postBuild.substitute: {APP: …}` as all it substitutes and
 * emptied `api.${SECRET_DOMAIN}` to `api.`, a false broken reference to `*.${SECRET_DOMAIN}`). Such a
 * Kustomization's variables are not all known.
 */
function patchedByKustomize(
  files: readonly SourceFile[],
  kustomizations: readonly FluxKustomization[],
  links: readonly RepositoryLink[],
): (file: string) => boolean {
  const none = () => false;
  const own = files.filter((file) => isKustomizationFile(file.path));
  if (kustomizations.length === 0 || !own.some((file) => file.text.includes("patches") || file.text.includes("components"))) return none;
  const { patches, includedBy } = kustomizeReading(files, links);
  const patching = new Set(own.filter((file) => file.text.includes("postBuild")).map((file) => file.path));
  for (const file of files) {
    const by = patches.get(file.path);
    if (by !== undefined && file.text.includes("postBuild")) patching.add(by);
  }
  if (patching.size === 0) return none;
  // A Component's patches apply to all that the kustomization using it accumulates.
  const text = new Map(own.map((file) => [file.path, file.text]));
  for (const component of patching)
    if (kustomizationFields(text.get(component)).kind === "Component")
      for (const user of includedBy.get(component) ?? []) patching.add(user);
  return (file) => readersOf(file, includedBy).some((reader) => patching.has(reader));
}

/**
 * Whether a file that names a delivery kind says one of `words`, or a kustomization's `replacements`
 * may write one into a delivery (kustomize-replacements.ts): the cheap test before the tree's
 * Kustomizations are read for a setting. The kind test goes first, as it rules out almost every
 * file, where a substring scan for a word whose first letter is everywhere in YAML reads the whole
 * file (2,000-file bench: the four words of a Flux build 72 → 9 ms); it is made once a tree
 * (namingDeliveryKind), not once for each setting asked.
 */
export const someDeliveryFileSays = (files: readonly SourceFile[], ...words: readonly string[]): boolean =>
  namingDeliveryKind(files).some((file) => words.some((word) => file.text.includes(word))) || replacesInBuild(files);

const replacing = new WeakMap<readonly SourceFile[], boolean>();

function replacesInBuild(files: readonly SourceFile[]): boolean {
  let replaces = replacing.get(files);
  if (replaces === undefined)
    replacing.set(files, (replaces = files.some((file) => isKustomizationFile(file.path) && file.text.includes("replacements"))));
  return replaces;
}

export interface FluxKustomization {
  /** As Flux applies it: the replacements of the kustomizations building it (kustomize-replacements.ts), then the patches of the Kustomization delivering it applied (patchedByParents). */
  readonly resource: Resource;
  readonly delivery: Delivery;
  /**
   * A patch of the Kustomization delivering it could not be applied, or a kustomize build reading it
   * patches its `postBuild` (patchedByKustomize): what it adds (`postBuild` sources) is unknown.
   */
  readonly unknownPatches?: true;
}

/** A tree's Kustomizations, read once for its substitution, its builds and its target namespaces. */
const read = new WeakMap<
  readonly SourceFile[],
  { readonly topology: Topology; readonly links: readonly RepositoryLink[]; readonly kustomizations: readonly FluxKustomization[] }
>();
