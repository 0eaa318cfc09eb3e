import type { ManifestSet } from "../core/resource.js";
import type { AppliedFile } from "../model/applied-files.js";

/**
 * A resource whose file moved out of everything its tree's GitOps objects apply is applied no more:
 * Flux and Argo CD prune it as if its file were deleted, though the pairing reads the same object
 * in its new file (a route archived to `apps/old` while its kustomization stops listing it, moved
 * from `apps/prod` to `apps/staging` beside a Flux Kustomization of `./apps/prod`, into a subfolder
 * of an Argo CD directory source that does not recurse, renamed `.yml` under `include: '*.yaml'`
 * passed as no change). It is read as removed, and one moved into what they apply from a file
 * nothing applied as added. A move between two applied places, or between two places nothing
 * applies (a tree whose files are reviewed as written), is the same object as before. Only moves
 * count: where a GitOps object itself changes what it applies, the placement family judges it.
 */
export function withoutMovesOutOfDelivery(
  sets: { readonly base: ManifestSet; readonly head: ManifestSet },
  applied: { readonly base: () => AppliedFile; readonly head: () => AppliedFile },
): { readonly base: ManifestSet; readonly head: ManifestSet } {
  const { base, head } = sets;
  const [gone, arrived] = [new Set<string>(), new Set<string>()];
  let [appliedBefore, appliedAfter]: (AppliedFile | undefined)[] = [];
  head.resources.forEach((after, key) => {
    const before = base.resources.get(key);
    if (!before || before.source.file === after.source.file) return;
    const was = (appliedBefore ??= applied.base())(before.source.file);
    const is = (appliedAfter ??= applied.head())(after.source.file);
    if (was && !is) gone.add(key);
    else if (is && !was) arrived.add(key);
  });
  const without = (set: ManifestSet, keys: ReadonlySet<string>): ManifestSet =>
    keys.size === 0 ? set : { ...set, resources: new Map([...set.resources].filter(([key]) => !keys.has(key))) };
  return gone.size === 0 && arrived.size === 0 ? sets : { base: without(base, arrived), head: without(head, gone) };
}
