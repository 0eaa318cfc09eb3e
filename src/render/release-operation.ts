import { record, text } from "../core/json-access.js";
import { operationOnlyPatch } from "../core/flux-operation-patch.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";

/**
 * Whether a Flux Kustomization's `spec.patches` entry only sets how Flux installs HelmReleases (the
 * home-ops "defaults for every release" patch: `install.crds`, `upgrade.remediation`, `maxHistory`),
 * so no build of it renders anything else: it targets HelmReleases alone, and every document of it
 * (strategic merge) or operation (JSON 6902) writes operation fields only. Diaoul/home-ops b02d1931
 * added `maxHistory: 3` there, which a parent Kustomization patches into every app's: each app's
 * build counted as changed and 85 roots were rendered for it (past the App's budget: high).
 */
export function patchesReleaseOperationOnly(entry: unknown): boolean {
  const { patch, target } = record(entry);
  const written = text(patch);
  return text(record(target).kind) === "HelmRelease" && written !== undefined && operationOnlyPatch(written, target, documentsOf);
}

function documentsOf(patch: string): readonly unknown[] | undefined {
  try {
    return loadAllAsGoYaml(patch);
  } catch {
    return undefined;
  }
}
