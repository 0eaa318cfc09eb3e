/**
 * Which kustomizations accumulate a file (render/kustomize-tree.ts `KustomizeReading.includedBy`,
 * carried on a tree's `ManifestSet.includedBy`): what a GitOps object delivers is what is under
 * its path, and what the kustomizations there list from elsewhere (a shared `apps/base`).
 */

/** The file and every kustomization file that accumulates it, transitively. */
export function readersOf(file: string, includedBy: ReadonlyMap<string, readonly string[]> | undefined): string[] {
  const found = [file];
  if (!includedBy) return found;
  for (let at = 0; at < found.length; at++)
    for (const includer of includedBy.get(found[at]!) ?? []) if (!found.includes(includer)) found.push(includer);
  return found;
}

/** Where a kustomization's render sits in the review (render-plan.ts): `<folder>/(rendered)/`, or a Flux Kustomization's own build `<folder>/(rendered for …)/`. */
export const KUSTOMIZE_RENDER = /(?:^|\/)\(rendered(?: for [^)]*)?\)\//;

/** The kustomization a kustomize render is the build of (`apps/prod/(rendered)/kustomization.yaml` → `apps/prod/kustomization.yaml`), or undefined for any other file. */
export const kustomizeRenderOrigin = (file: string): string | undefined =>
  KUSTOMIZE_RENDER.test(file) ? file.replace(KUSTOMIZE_RENDER, (render) => (render.startsWith("/") ? "/" : "")) : undefined;
