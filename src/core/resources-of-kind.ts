import type { ManifestSet, Resource } from "./resource.js";

const byKindOf = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Resource[]>>();

/**
 * A tree's resources of one kind, indexed once a tree: detectors that judge a change against every
 * object of a kind (Gslbs, ServiceEntries, Sidecars) ask once per change, and a scan of the whole
 * tree each time made a large PR's review quadratic.
 */
export function resourcesOfKind(tree: ManifestSet, kind: string): readonly Resource[] {
  let index = byKindOf.get(tree);
  if (!index) {
    const found = new Map<string, Resource[]>();
    for (const resource of tree.resources.values()) {
      const known = found.get(resource.id.kind);
      if (known) known.push(resource);
      else found.set(resource.id.kind, [resource]);
    }
    byKindOf.set(tree, (index = found));
  }
  return index.get(kind) ?? [];
}
