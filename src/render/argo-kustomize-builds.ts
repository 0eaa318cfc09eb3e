import type { SourceFile } from "../manifests/load-manifests.js";
import { isRecord, list, record, text } from "../core/json-access.js";
import { canonical } from "../core/canonical-values.js";
import { normalizeRepoPath } from "../core/tree-folders.js";
import { someDeliveryFileSays } from "./flux-kustomizations.js";
import { kustomizationFileIn } from "./kustomize-tree.js";
import { gitopsObjects } from "./render-plan.js";
import type { FluxBuild } from "./flux-substitution.js";
import { realPaths, type RepositoryLink } from "../core/repository-links.js";

/**
 * How Argo CD builds a kustomize source (its Kustomize guide): it adds the source's
 * `kustomize.components` to the kustomization at its path (`kustomize edit add component`) and
 * builds that, as Flux adds a Kustomization's `spec.components` (flux-substitution.ts fluxBuilds).
 * Read unbuilt, a Component's route edited was a file nothing listed, and one patching a base
 * route's weights changed nothing the review saw. By the kustomization each builds, where every
 * Application source building it adds the same Components (several adding others leave it read
 * as written); a source naming a plugin, Helm or a directory, or a path an ApplicationSet fills
 * in, is no such build.
 */
export function argoComponentBuilds(
  files: readonly SourceFile[],
  links: readonly RepositoryLink[] = [],
): ReadonlyMap<string, readonly FluxBuild[]> {
  const builds = new Map<string, FluxBuild[]>();
  if (!someDeliveryFileSays(files, "components:")) return builds;
  const paths = new Set(files.map((file) => file.path));
  const real = realPaths(links);
  const ways = new Map<string, Set<string>>();
  for (const resource of gitopsObjects(files, links).resources.values()) {
    if (resource.id.group !== "argoproj.io" || resource.id.kind !== "Application") continue;
    const spec = record(resource.body.spec);
    for (const source of [spec.source, ...list(spec.sources)].map(record)) {
      const path = text(source.path);
      if (path === undefined || ["helm", "plugin", "directory"].some((tool) => source[tool] !== undefined)) continue;
      const kustomization = kustomizationFileIn(real(normalizeRepoPath(path)), paths);
      if (kustomization === undefined) continue;
      const kustomize = source.kustomize;
      const components = (isRecord(kustomize) ? list(kustomize.components) : []).flatMap((entry) =>
        typeof entry === "string" ? [entry] : [],
      );
      ways.set(kustomization, (ways.get(kustomization) ?? new Set()).add(canonical(components)));
      if (components.length > 0) builds.set(kustomization, [{ components, patches: [] }]);
    }
  }
  for (const [kustomization, seen] of ways) if (seen.size > 1) builds.delete(kustomization);
  return builds;
}
