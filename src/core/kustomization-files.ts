import { posix } from "node:path";

/** The names kustomize reads a folder's kustomization from, in the order it looks for them. */
export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const isKustomizationFile = (path: string): boolean => KUSTOMIZATION_NAMES.includes(posix.basename(path));

/**
 * Whether kustomize reads a file as YAML: by its extension, or by the one kustomization name that has
 * none (`Kustomization`), which is YAML like the others (a PR that breaks or only re-comments one is
 * judged as it would be as kustomization.yaml).
 */
export const isYamlFile = (path: string): boolean => /\.ya?ml$/i.test(path) || isKustomizationFile(path);
