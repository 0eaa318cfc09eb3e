import type { Delivery } from "../core/gitops-delivery.js";
import type { Resource } from "../core/resource.js";
import { isManifestPath, loadManifests, type SourceFile } from "../manifests/load-manifests.js";
import { deliveriesOf } from "../model/gitops-placement.js";
import type { Topology } from "../policy/policy-schema.js";
import { NAMES_DELIVERY_KIND } from "./render-plan.js";
import { FLUX_KUSTOMIZE } from "../core/flux-groups.js";

/**
 * The Flux Kustomizations of a tree, each with what it delivers, read before the review reads the
 * tree (Flux substitution and targetNamespace change what the tree's files say): only the files
 * that name a delivery kind are parsed.
 */
export function fluxKustomizations(files: readonly SourceFile[], topology: Topology): readonly FluxKustomization[] {
  const known = read.get(files);
  if (known?.topology === topology) return known.kustomizations;
  const set = loadManifests(files.filter((file) => isManifestPath(file.path) && NAMES_DELIVERY_KIND.test(file.text)));
  // Every path of the tree, not only those read: an OCI artifact's root is found among its folders.
  const deliveryOf = deliveriesOf({ ...set, files: files.map((file) => file.path) }, topology.clusters);
  const kustomizations = [...set.resources.values()].flatMap((resource) => {
    if (resource.id.group !== FLUX_KUSTOMIZE || resource.id.kind !== "Kustomization") return [];
    const delivery = deliveryOf(resource);
    return delivery ? [{ resource, delivery }] : [];
  });
  read.set(files, { topology, kustomizations });
  return kustomizations;
}

/**
 * Whether a file that names a delivery kind says one of `words`: the cheap test before the tree's
 * Kustomizations are read for a setting. The kind test goes first, as it rules out almost every
 * file, where a substring scan for a word whose first letter is everywhere in YAML reads the whole
 * file (2,000-file bench: the four words of a Flux build 72 → 9 ms).
 */
export const someDeliveryFileSays = (files: readonly SourceFile[], ...words: readonly string[]): boolean =>
  files.some((file) => NAMES_DELIVERY_KIND.test(file.text) && words.some((word) => file.text.includes(word)));

export interface FluxKustomization {
  readonly resource: Resource;
  readonly delivery: Delivery;
}

/** A tree's Kustomizations, read once for its substitution, its builds and its target namespaces. */
const read = new WeakMap<readonly SourceFile[], { readonly topology: Topology; readonly kustomizations: readonly FluxKustomization[] }>();
