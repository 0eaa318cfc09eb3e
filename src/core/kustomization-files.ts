import { posix } from "node:path";

/** The names kustomize reads a folder's kustomization from, in the order it looks for them. */
export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const isKustomizationFile = (path: string): boolean => KUSTOMIZATION_NAMES.includes(posix.basename(path));
