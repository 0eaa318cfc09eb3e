import { resourceKey, type ManifestSet, type Resource, type ResourceId } from "./resource.js";

/**
 * The resources a tree declares of one identity, in any cluster or file (keys add `@scope` to it).
 * The index is made for a tree the first time a detector asks: most reviews never do.
 */
const identities = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Resource[]>>();

export function declared(set: ManifestSet, id: ResourceId): readonly Resource[] {
  let known = identities.get(set);
  if (!known) {
    const copies = new Map<string, Resource[]>();
    set.resources.forEach((resource) => {
      const key = resourceKey(resource.id);
      const found = copies.get(key);
      if (found) found.push(resource);
      else copies.set(key, [resource]);
    });
    identities.set(set, (known = copies));
  }
  return known.get(resourceKey(id)) ?? [];
}

/** Whether a tree declares a resource of this identity, in any cluster or file. */
export const declares = (set: ManifestSet, id: ResourceId): boolean => declared(set, id).length > 0;
