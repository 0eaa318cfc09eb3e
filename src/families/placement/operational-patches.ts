import { isRecord, list, record, text } from "../../core/json-access.js";
import { sameValue } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";
import { FLUX_OPERATION_FIELDS, operationOnlyPatch, type PatchDocuments } from "../../core/flux-operation-patch.js";

/**
 * Whether two lists of Flux `spec.patches` differ only in operation fields (core/flux-operation-patch:
 * when and how Flux applies, not what it applies). An entry added or removed counts when it writes
 * nothing else: the home-ops "Kustomization defaults" patch added to `cluster-apps` (drag0n141/home-ops
 * e38feebb35: `deletionPolicy` and install/upgrade settings for every HelmRelease) was high.
 * `targetsWithoutPatches`: no Kustomization these patches reach writes `spec.patches` of its own,
 * which one setting a nested `patches` would replace. The other entries pair in order: the same
 * target and a strategic-merge patch of the same object whose changed `spec` fields are all
 * operational for its kind (a Kustomization's own `patches`, patches of the objects it builds, judged
 * the same way; a cluster-wide HelmRelease defaults patch gaining `install.remediation.retries`:
 * xunholy/k8s-gitops dc581ef829). Anything else — a JSON 6902 patch, a patch that cannot be read, a
 * target moved to other objects — may rewrite anything, and is not.
 */
export function onlyOperationalPatches(
  before: unknown,
  after: unknown,
  readYaml: DetectorContext["readYaml"],
  targetsWithoutPatches = false,
): boolean {
  const whole = (entry: unknown) => operationOnlyEntry(entry, readYaml, targetsWithoutPatches);
  const was = unmatched(list(before), list(after)).filter((entry) => !whole(entry));
  const now = unmatched(list(after), list(before)).filter((entry) => !whole(entry));
  return was.length === now.length && was.every((entry, index) => changedOperationally(entry, now[index], readYaml));
}

/** Whether one `patches` entry, added or removed whole, writes operation fields alone (operationOnlyPatch). */
export function operationOnlyEntry(entry: unknown, readYaml: DetectorContext["readYaml"], targetsWithoutPatches = false): boolean {
  const patch = text(record(entry).patch);
  return patch !== undefined && operationOnlyPatch(patch, record(entry).target, documentsOf(readYaml), targetsWithoutPatches);
}

/** The entries of one list that the other does not hold as they are, each matched once. */
export function unmatched(entries: readonly unknown[], others: readonly unknown[]): unknown[] {
  const left = [...others];
  return entries.filter((entry) => {
    const index = left.findIndex((other) => sameValue(entry, other));
    if (index < 0) return true;
    left.splice(index, 1);
    return false;
  });
}

/** Whether one entry becomes the other by changing operation fields of the object it patches alone. */
function changedOperationally(entry: unknown, other: unknown, readYaml: DetectorContext["readYaml"]): boolean {
  if (!isRecord(entry) || !isRecord(other) || !sameValue({ ...entry, patch: undefined }, { ...other, patch: undefined })) return false;
  const [a, b] = [patchObject(entry.patch, readYaml), patchObject(other.patch, readYaml)];
  if (!a || !b || !sameValue({ ...a, spec: undefined }, { ...b, spec: undefined })) return false;
  const operational = FLUX_OPERATION_FIELDS[text(a.kind) ?? ""]?.fields;
  if (!operational) return false;
  const [specA, specB] = [record(a.spec), record(b.spec)];
  return [...new Set([...Object.keys(specA), ...Object.keys(specB)])].every(
    (field) =>
      sameValue(specA[field], specB[field]) ||
      operational.has(field) ||
      (field === "patches" && a.kind === "Kustomization" && onlyOperationalPatches(specA[field], specB[field], readYaml)),
  );
}

/** A strategic-merge patch written inline, as the object it merges; undefined for anything else. */
function patchObject(patch: unknown, readYaml: DetectorContext["readYaml"]): Record<string, unknown> | undefined {
  const written = text(patch);
  if (written === undefined) return undefined;
  const value = readYaml(written);
  return isRecord(value) && text(value.kind) !== undefined ? value : undefined;
}

/** A patch's one document as the review reads YAML (a file of several does not read, and so is no operation patch). */
const documentsOf =
  (readYaml: DetectorContext["readYaml"]): PatchDocuments =>
  (patch) => {
    const value = readYaml(patch);
    return value === undefined ? undefined : [value];
  };

/**
 * Whether one kustomize patch (a `patches` entry's inline `patch`, or a patch file's text) changes
 * only operational fields of Flux objects (sulibot/home-ops: `retryInterval: 10s` patched into the
 * root Kustomization). A nested `patches` of Kustomizations is not, as the objects of a kustomize
 * build it would replace are not looked up here.
 */
export const operationalPatch = (patch: string, target: unknown, readYaml: DetectorContext["readYaml"]): boolean =>
  operationOnlyPatch(patch, target, documentsOf(readYaml));
