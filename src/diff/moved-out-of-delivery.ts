import { withKey, type ManifestSet, type Resource } from "../core/resource.js";
import { appliesAlike, type AppliedFile } from "../model/applied-files.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { inRenderedOutput } from "../core/rendered-paths.js";

/**
 * A resource whose file moved out of everything its tree's GitOps objects apply is applied no more:
 * Flux and Argo CD prune it as if its file were deleted, though the pairing reads the same object
 * in its new file (a route archived to `apps/old` while its kustomization stops listing it, moved
 * from `apps/prod` to `apps/staging` beside a Flux Kustomization of `./apps/prod`, into a subfolder
 * of an Argo CD directory source that does not recurse, renamed `.yml` under `include: '*.yaml'`
 * passed as no change). It is read as removed, and one moved into what they apply from a file
 * nothing applied as added. A move between two applied places that leaves a site its file was
 * delivered to (`apps/prod` → `apps/staging`, each under its own cluster's Flux root) is both: the
 * object is pruned where it was and created where it lands, so the head's is keyed apart by its
 * file. A move between places delivered alike, or between two places nothing applies (a tree whose
 * files are reviewed as written), is the same object as before; so is one that only adds sites (a
 * cluster's route moved into the base every overlay lists), which keeps it where it was. Besides
 * moves, a file left in place counts where a kustomization at or above it is added or deleted: Flux
 * builds a path that loses its kustomization with one it generates of every file under it, so a
 * route beside the deleted kustomization that it did not list is applied from then on (and one a
 * kustomization added there does not list is pruned); so does one whose trees' GitOps objects or
 * kustomizations differ: a file nothing applied at base is no version of what a delivery applies
 * at head (ishioni/homelab-ops fb4ca12b99 un-commented `- ./hass-proxy/ks.yaml` in its parent
 * kustomization: the app's HTTPRoute, in the tree all along, is a route added, not one re-delivered,
 * and its Backend, edited on the way, a Backend added), and one pruned as its app is switched off is
 * removed. Where a GitOps object changes the clusters of what it applies, the placement family
 * judges it.
 */
export function withoutMovesOutOfDelivery(
  sets: { readonly base: ManifestSet; readonly head: ManifestSet },
  applied: { readonly base: () => AppliedFile; readonly head: () => AppliedFile },
  sites: { readonly base: () => FileSites; readonly head: () => FileSites },
  /** Each side's kustomization file by folder (model/applied-files.ts's kustomizationsOf). */
  kustomizations: { readonly base: ReadonlyMap<string, string>; readonly head: ReadonlyMap<string, string> },
): { readonly base: ManifestSet; readonly head: ManifestSet } {
  const { base, head } = sets;
  const [gone, arrived, relocated] = [new Set<string>(), new Set<string>(), new Set<string>()];
  let [appliedBefore, appliedAfter]: (AppliedFile | undefined)[] = [];
  let [sitesBefore, sitesAfter]: (FileSites | undefined)[] = [];
  const rebuilt = underKustomizationAddedOrDeleted(kustomizations.base, kustomizations.head);
  // A kustomization file is no object applied but how a folder's are (a render's output, named as one, holds them).
  const reapplied = appliesAlike(base, head) ? () => false : (file: string) => !isKustomizationFile(file) || inRenderedOutput(file);
  head.resources.forEach((after, key) => {
    const before = base.resources.get(key);
    if (!before) return;
    const file = after.source.file;
    const inPlace = before.source.file === file;
    if (inPlace && !reapplied(file) && !rebuilt(file)) return;
    const was = (appliedBefore ??= applied.base())(before.source.file);
    const is = (appliedAfter ??= applied.head())(file);
    if (was && is) {
      // Placed nowhere, the head's file is applied by something whose reach is not known (an ApplicationSet of a generator not read here): where is not told.
      const there = inPlace ? [] : (sitesAfter ??= sites.head())(file);
      if (there.length > 0 && (sitesBefore ??= sites.base())(before.source.file).some((site) => !there.includes(site))) relocated.add(key);
      return;
    }
    if (was === is) return;
    // Left in place, it counts only where both trees' GitOps objects reach it: a tree that delivers
    // nothing there (a first Flux Kustomization added to a tree reviewed as written, the last one
    // removed) says nothing of the file.
    if (inPlace && ((sitesBefore ??= sites.base())(file).length === 0 || (sitesAfter ??= sites.head())(file).length === 0)) return;
    (was ? gone : arrived).add(key);
  });
  const without = (set: ManifestSet, keys: ReadonlySet<string>): ManifestSet =>
    keys.size === 0 ? set : { ...set, resources: new Map([...set.resources].filter(([key]) => !keys.has(key))) };
  if (gone.size === 0 && arrived.size === 0 && relocated.size === 0) return sets;
  const headLeft = without(head, gone);
  return { base: without(base, arrived), head: relocated.size === 0 ? headLeft : keyedApart(headLeft, relocated) };
}

/** Whether a file sits in or below a folder whose kustomization one side has and the other has not. */
function underKustomizationAddedOrDeleted(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): (file: string) => boolean {
  const folders = [...[...base.keys()].filter((folder) => !head.has(folder)), ...[...head.keys()].filter((folder) => !base.has(folder))];
  if (folders.length === 0) return () => false;
  return (file) => folders.some((folder) => folder === "" || file.startsWith(`${folder}/`));
}

/** Where a tree delivers a file (FileClusters.sites); none where nothing places it. */
export type FileSites = (file: string) => readonly string[];

/** The set with each of these resources keyed by its file, as a second object of its identity is. */
function keyedApart(set: ManifestSet, keys: ReadonlySet<string>): ManifestSet {
  const resources = new Map<string, Resource>();
  set.resources.forEach((resource, key) => {
    if (!keys.has(key)) resources.set(key, resource);
    else {
      const apart = `${key}@${resource.source.file}`;
      resources.set(apart, withKey(resource, apart));
    }
  });
  return { ...set, resources };
}
