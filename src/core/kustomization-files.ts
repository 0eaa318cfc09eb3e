import { posix } from "node:path";
import { isRecord, text } from "./json-access.js";

/** The names kustomize reads a folder's kustomization from, in the order it looks for them. */
export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const isKustomizationFile = (path: string): boolean => KUSTOMIZATION_NAMES.includes(posix.basename(path));

/**
 * Whether kustomize reads a file as YAML: by its extension, or by the one kustomization name that has
 * none (`Kustomization`), which is YAML like the others (a PR that breaks or only re-comments one is
 * judged as it would be as kustomization.yaml).
 */
export const isYamlFile = (path: string): boolean => /\.ya?ml$/i.test(path) || isKustomizationFile(path);

/**
 * Whether the kustomization Flux generates for a folder that holds none lists a file: one whose
 * extension is `.yaml` or `.yml`, as written (fluxcd/pkg's kustomize generator compares
 * `filepath.Ext`). A route renamed `edge-route.json` or `edge-route.YAML` there is applied no more,
 * and Flux prunes it; a kustomization that lists it by name reads either.
 */
export const fluxGeneratorLists = (path: string): boolean => /\.ya?ml$/.test(path);

/**
 * A kustomization patch entry's inline patch: its `patch`, or a strategic-merge entry written as text
 * (a string spanning lines; one on a single line is a file's path).
 */
export const inlinePatch = (entry: unknown): string | undefined => {
  const inline = isRecord(entry) ? text(entry.patch) : text(entry);
  return inline !== undefined && (isRecord(entry) || inline.includes("\n")) ? inline : undefined;
};
