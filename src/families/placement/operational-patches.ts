import { isRecord, list, record, text } from "../../core/json-access.js";
import { sameValue } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";

/**
 * Fields of a Flux object that say how its controller applies it, not what it applies: when,
 * with which retries and timeouts, how it tests, rolls back or uninstalls a release, in what order.
 * A Flux Kustomization's `spec.patches` that change only these rewrite no traffic config (a
 * cluster-wide HelmRelease defaults patch gaining `install.remediation.retries`: xunholy/k8s-gitops
 * dc581ef829). What a release renders (chart, values, post-renderers, target namespace), what a
 * Kustomization builds or prunes, and whether either is suspended are not among them.
 */
const OPERATIONAL: Readonly<Record<string, ReadonlySet<string>>> = {
  HelmRelease: new Set([
    "install",
    "upgrade",
    "rollback",
    "test",
    "uninstall",
    "driftDetection",
    "maxHistory",
    "timeout",
    "interval",
    "persistentClient",
    "dependsOn",
  ]),
  Kustomization: new Set([
    "interval",
    "retryInterval",
    "timeout",
    "decryption",
    "deletionPolicy",
    "wait",
    "healthChecks",
    "healthCheckExprs",
    "dependsOn",
  ]),
};

/**
 * Whether two lists of Flux `spec.patches` differ only in operational fields: entry by entry, the
 * same target and a strategic-merge patch of the same object whose changed `spec` fields are all
 * operational for its kind (a Kustomization's own `patches`, patches of the objects it builds, judged
 * the same way). Anything else — an entry added, removed or retargeted, a JSON 6902 patch, a patch
 * that cannot be read — may rewrite anything, and is not.
 */
export function onlyOperationalPatches(before: unknown, after: unknown, readYaml: DetectorContext["readYaml"]): boolean {
  const [was, now] = [list(before), list(after)];
  if (was.length !== now.length) return false;
  return was.every((entry, index) => {
    const other = now[index];
    if (sameValue(entry, other)) return true;
    if (!isRecord(entry) || !isRecord(other) || !sameValue({ ...entry, patch: undefined }, { ...other, patch: undefined })) return false;
    const [a, b] = [patchObject(entry.patch, readYaml), patchObject(other.patch, readYaml)];
    if (!a || !b || !sameValue({ ...a, spec: undefined }, { ...b, spec: undefined })) return false;
    const operational = OPERATIONAL[text(a.kind) ?? ""];
    if (!operational) return false;
    const [specA, specB] = [record(a.spec), record(b.spec)];
    return [...new Set([...Object.keys(specA), ...Object.keys(specB)])].every(
      (field) =>
        sameValue(specA[field], specB[field]) ||
        operational.has(field) ||
        (field === "patches" && a.kind === "Kustomization" && onlyOperationalPatches(specA[field], specB[field], readYaml)),
    );
  });
}

/** A strategic-merge patch written inline, as the object it merges; undefined for anything else. */
function patchObject(patch: unknown, readYaml: DetectorContext["readYaml"]): Record<string, unknown> | undefined {
  const written = text(patch);
  if (written === undefined) return undefined;
  const value = readYaml(written);
  return isRecord(value) && text(value.kind) !== undefined ? value : undefined;
}

const FLUX_GROUPS = new Set(["kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"]);

/**
 * Whether one kustomize patch (a `patches` entry's inline `patch`, or a patch file's text) changes
 * only operational fields of Flux objects: a strategic-merge patch of a Kustomization or a
 * HelmRelease that names it and sets only such `spec` fields, or JSON 6902 operations on such
 * fields of a target of those kinds (sulibot/home-ops: `retryInterval: 10s` patched into the root
 * Kustomization). Labels and annotations are not operational (`kustomize.toolkit.fluxcd.io/prune`).
 */
export function operationalPatch(patch: string, target: unknown, readYaml: DetectorContext["readYaml"]): boolean {
  const value = readYaml(patch);
  if (Array.isArray(value)) {
    const kind = text(record(target).kind) ?? "";
    const group = text(record(target).group);
    const operational = OPERATIONAL[kind];
    if (!operational || (group !== undefined && !FLUX_GROUPS.has(group)) || value.length === 0) return false;
    return value.every((operation) => {
      const path = text(record(operation).path)?.split("/") ?? [];
      return path[0] === "" && path[1] === "spec" && operational.has(path[2] ?? "");
    });
  }
  if (!isRecord(value)) return false;
  const operational = OPERATIONAL[text(value.kind) ?? ""];
  const group = (text(value.apiVersion) ?? "").split("/")[0] ?? "";
  if (!operational || !FLUX_GROUPS.has(group)) return false;
  if (Object.keys(value).some((key) => !["apiVersion", "kind", "metadata", "spec"].includes(key))) return false;
  if (Object.keys(record(value.metadata)).some((key) => key !== "name" && key !== "namespace")) return false;
  return Object.keys(record(value.spec)).every((field) => operational.has(field));
}
