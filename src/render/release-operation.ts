import { isRecord, record, text } from "../core/json-access.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";
import { FLUX_HELM } from "../core/flux-groups.js";

/** HelmRelease fields that decide how and when Flux installs the release, not what it renders. */
export const RELEASE_OPERATION_FIELDS: ReadonlySet<string> = new Set([
  "interval",
  "timeout",
  "install",
  "upgrade",
  "test",
  "rollback",
  "uninstall",
  "driftDetection",
  "dependsOn",
  "maxHistory",
  "persistentClient",
  "serviceAccountName",
]);

/**
 * Whether a Flux Kustomization's `spec.patches` entry only sets how Flux installs HelmReleases (the
 * home-ops "defaults for every release" patch: `install.crds`, `upgrade.remediation`, `maxHistory`),
 * so no build of it renders anything else: it targets HelmReleases alone, and every document of it
 * (strategic merge) or operation (JSON 6902) writes operation fields only. Diaoul/home-ops b02d1931
 * added `maxHistory: 3` there, which a parent Kustomization patches into every app's: each app's
 * build counted as changed and 85 roots were rendered for it (past the App's budget: high).
 */
export function patchesReleaseOperationOnly(entry: unknown): boolean {
  const target = record(record(entry).target);
  if (text(target.kind) !== "HelmRelease" || (text(target.group) ?? FLUX_HELM) !== FLUX_HELM) return false;
  const written = text(record(entry).patch);
  if (written === undefined) return false;
  let documents: unknown[];
  try {
    documents = loadAllAsGoYaml(written).filter((document) => document != null);
  } catch {
    return false;
  }
  if (documents.length === 0) return false;
  // kustomize reads a list as JSON 6902 operations.
  if (documents.length === 1 && Array.isArray(documents[0]))
    return documents[0].every((operation) => {
      const { path, from } = record(operation);
      // A `move` or `copy` reads too: one from `/spec/values/...` takes a value out of the render.
      return operationField(path) && (from === undefined || operationField(from));
    });
  return documents.every(
    (document) =>
      isRecord(document) &&
      Object.keys(document).every((key) => ["apiVersion", "kind", "metadata", "spec"].includes(key)) &&
      Object.keys(record(document.metadata)).every((key) => key === "name" || key === "namespace") &&
      Object.keys(record(document.spec)).every((field) => RELEASE_OPERATION_FIELDS.has(field)),
  );
}

/** Whether a JSON pointer names a field of a release's operation (`/spec/maxHistory`, `/spec/install/crds`). */
function operationField(pointer: unknown): boolean {
  const written = text(pointer);
  const field = written?.startsWith("/spec/") ? written.split("/")[2] : undefined;
  return field !== undefined && RELEASE_OPERATION_FIELDS.has(field);
}
