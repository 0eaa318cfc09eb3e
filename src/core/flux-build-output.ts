/**
 * Where the render stage puts one Flux Kustomization's build of a folder that several
 * Kustomizations build differently (each cluster's own `postBuild` variables over one shared
 * overlay, Flux's own pattern): `<folder>/(rendered for <namespace>:<name> in <file>)`, the file's
 * `/` written `:`. Flux substitutes per Kustomization, so each build lands on its Kustomization's
 * clusters only; the placement family's Flux delivery reads the folder's name to tell (a prod-ap
 * Kustomization added for the prod-us overlay read as prod-us's hostnames moving to prod-ap's, on both).
 */

/** A Flux Kustomization by its file and identity (two clusters' Kustomizations often share a name). */
export interface FluxKustomizationRef {
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
}

/** The name of the folder holding a Kustomization's own build. */
export const fluxBuildFolderName = (kustomization: FluxKustomizationRef): string =>
  `${FLUX_BUILD_MARK}${kustomization.namespace}:${kustomization.name} in ${kustomization.file.replaceAll("/", ":")})`;

const FLUX_BUILD_MARK = "(rendered for ";

/** Whether a path lies in some Kustomization's own build (fluxBuildFolderName), whichever. */
export const inFluxBuild = (path: string): boolean => path.includes(`/${FLUX_BUILD_MARK}`);

/** A text naming Kustomizations' own builds of a folder, each named as the folder's one render: what tells their findings alike. */
export const withoutFluxBuilds = (text: string): string => text.replace(/\(rendered for [^)]*\)/g, "(rendered)");
