import { resourceKey, type ManifestSet, type ResourceId } from "./resource.js";

/**
 * Whether a tree declares a resource of this identity, in any cluster or file (keys add `@scope`
 * to it). The index is made for a tree the first time a detector asks: most reviews never do.
 */
const identities = new WeakMap<ManifestSet, ReadonlySet<string>>();

export function declares(set: ManifestSet, id: ResourceId): boolean {
  let known = identities.get(set);
  if (!known) {
    const keys = new Set<string>();
    set.resources.forEach((resource) => keys.add(resourceKey(resource.id)));
    identities.set(set, (known = keys));
  }
  return known.has(resourceKey(id));
}
