import { isRecord, record, text } from "./json-access.js";
import { FLUX_HELM, FLUX_KUSTOMIZE } from "./flux-groups.js";

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
 * Fields of a Flux Kustomization that say how its controller applies what it builds, not what it
 * builds: when, with which retries and timeouts, how it decrypts, waits and checks health, in what
 * order, what it does on deletion. Its path, patches, components, substitutions, target namespace,
 * pruning and suspension are not among them.
 */
export const KUSTOMIZATION_OPERATION_FIELDS: ReadonlySet<string> = new Set([
  "interval",
  "retryInterval",
  "timeout",
  "decryption",
  "deletionPolicy",
  "wait",
  "healthChecks",
  "healthCheckExprs",
  "dependsOn",
]);

/** The operation fields of each Flux kind a patch may set, by kind and the group it belongs to. */
export const FLUX_OPERATION_FIELDS: Readonly<Record<string, { readonly group: string; readonly fields: ReadonlySet<string> }>> = {
  HelmRelease: { group: FLUX_HELM, fields: RELEASE_OPERATION_FIELDS },
  Kustomization: { group: FLUX_KUSTOMIZE, fields: KUSTOMIZATION_OPERATION_FIELDS },
};

/** A patch text's YAML documents (a JSON 6902 patch is one document, a list); undefined when it does not read. */
export type PatchDocuments = (patch: string) => readonly unknown[] | undefined;

/**
 * Whether one kustomize patch (a `patches` entry's `patch` and `target`, a patch file's text) writes
 * only operation fields of Flux Kustomizations and HelmReleases, so nothing it is applied to renders
 * anything else: a strategic merge of such `spec` fields, or JSON 6902 operations that write and read
 * (`move`, `copy`) only them. With a target, kustomize merges the patch into every object the
 * target selects whatever kind the patch names, so the target must select one of those kinds
 * (`name: _` in the home-ops defaults patches); without one, each document names its object. A
 * Kustomization's own `patches` count when each of them is such a patch in turn and `targetsWithoutPatches`
 * says no Kustomization it reaches writes patches of its own (kustomize merges a custom resource's
 * list by replacing it, so those would be dropped): the home-ops "defaults for every child" patch
 * (drag0n141/home-ops e38feebb35) gives each app's Kustomization a `deletionPolicy` and a nested
 * patch of every HelmRelease's install, upgrade and rollback. Labels and annotations are not
 * operation fields (`kustomize.toolkit.fluxcd.io/prune`).
 */
export function operationOnlyPatch(patch: string, target: unknown, documentsOf: PatchDocuments, targetsWithoutPatches = false): boolean {
  const documents = documentsOf(patch)?.filter((document) => document != null);
  if (!documents || documents.length === 0) return false;
  const selected = isRecord(target) ? fluxKind(text(target.kind), text(target.group)) : undefined;
  if (isRecord(target) && !selected) return false;
  // kustomize reads a list as JSON 6902 operations, which need a target.
  if (documents.length === 1 && Array.isArray(documents[0])) {
    const operations = documents[0];
    return (
      selected !== undefined &&
      operations.length > 0 &&
      operations.every((operation) => {
        const { path, from } = record(operation);
        // A `move` or `copy` reads too: one from `/spec/values/...` takes a value out of the render.
        return operationPointer(path, selected) && (from === undefined || operationPointer(from, selected));
      })
    );
  }
  return documents.every((document) => {
    if (!isRecord(document)) return false;
    const kind = selected ?? fluxKind(text(document.kind), (text(document.apiVersion) ?? "").split("/")[0]);
    if (!kind) return false;
    if (Object.keys(document).some((key) => !["apiVersion", "kind", "metadata", "spec"].includes(key))) return false;
    if (Object.keys(record(document.metadata)).some((key) => key !== "name" && key !== "namespace")) return false;
    const spec = record(document.spec);
    return Object.keys(spec).every(
      (field) =>
        FLUX_OPERATION_FIELDS[kind]!.fields.has(field) ||
        (field === "patches" &&
          kind === "Kustomization" &&
          targetsWithoutPatches &&
          Array.isArray(spec.patches) &&
          spec.patches.every((entry) => {
            const nested = text(record(entry).patch);
            return nested !== undefined && operationOnlyPatch(nested, record(entry).target, documentsOf, targetsWithoutPatches);
          })),
    );
  });
}

/** The Flux kind of a kind and group (the group may be left out), when a patch may set its operation fields. */
function fluxKind(kind: string | undefined, group: string | undefined): string | undefined {
  const known = kind === undefined ? undefined : FLUX_OPERATION_FIELDS[kind];
  return known && (group === undefined || group === known.group) ? kind : undefined;
}

/** Whether a JSON pointer names an operation field of this kind (`/spec/maxHistory`, `/spec/install/crds`). */
function operationPointer(pointer: unknown, kind: string): boolean {
  const written = text(pointer);
  const field = written?.startsWith("/spec/") ? written.split("/")[2] : undefined;
  return field !== undefined && FLUX_OPERATION_FIELDS[kind]!.fields.has(field);
}
