import { isNamedCluster } from "./gitops-delivery.js";
import { RENDERED_MARK } from "./rendered-paths.js";

/**
 * Where the render stage puts one Flux Kustomization's build of a folder that several
 * Kustomizations build differently (each cluster's own `postBuild` variables over one shared
 * overlay, Flux's own pattern): `<folder>/(rendered for <namespace>:<name> in <file>)`, the file's
 * `/` written `:`. Flux substitutes per Kustomization, so each build lands on its Kustomization's
 * clusters only; the placement family's Flux delivery reads the folder's name to tell (a prod-ap
 * Kustomization added for the prod-us overlay read as prod-us's hostnames moving to prod-ap's, on both).
 * One Kustomization whose clusters read its `substituteFrom` sources apart is built once for each
 * of them, `<folder>/(rendered for <namespace>:<name> in <file> on <cluster>)`, landing there alone.
 */

/** A Flux Kustomization by its file and identity (two clusters' Kustomizations often share a name). */
export interface FluxKustomizationRef {
  readonly file: string;
  readonly namespace: string;
  readonly name: string;
  /**
   * The one site (FileClusters.sites) of those it is applied at that this build is for, where its
   * sites read its `substituteFrom` sources apart: one Kustomization in a base every cluster's folder
   * lists, each cluster with its own `cluster-vars` (release-values.ts readsAt).
   */
  readonly site?: string;
}

/** The name of the folder holding a Kustomization's own build (for one of its sites: ` on <cluster>`). */
export const fluxBuildFolderName = (kustomization: FluxKustomizationRef): string =>
  `${buildStem(kustomization)}${kustomization.site === undefined ? "" : ` ${siteLabel(kustomization.site)}`})`;

const FLUX_BUILD_MARK = `${RENDERED_MARK} for `;

const buildStem = ({ namespace, name, file }: FluxKustomizationRef): string =>
  `${FLUX_BUILD_MARK}${namespace}:${name} in ${file.replaceAll("/", ":")}`;

/** A site as a folder name holds it (siteText): no `/`, and no parenthesis to end the folder's (an Argo CD site names its file in one). */
export const siteLabel = (site: string): string => siteText(site).replaceAll("/", ":").replaceAll("(", "[").replaceAll(")", "]");

/**
 * Whether a path lies in this Kustomization's own build: `{}` for a build of all its sites,
 * `{ site }` (its siteLabel) for one of them; undefined outside.
 */
export function ownFluxBuild(path: string, kustomization: FluxKustomizationRef): { readonly site?: string } | undefined {
  const stem = `/${buildStem(kustomization)}`;
  for (let at = path.indexOf(stem); at !== -1; at = path.indexOf(stem, at + 1)) {
    const rest = path.slice(at + stem.length);
    if (rest.startsWith(")/")) return {};
    const site = /^ ([^)]*)\)\//.exec(rest)?.[1];
    if (site !== undefined) return { site };
  }
  return undefined;
}

/** How a finding names a Kustomization's own build: `<namespace>/<name> in <file>`, and the site it is for. */
export const fluxBuildText = ({ namespace, name, file, site }: FluxKustomizationRef): string =>
  `${namespace}/${name} in ${file}${site === undefined ? "" : ` ${siteText(site)}`}`;

/** A site as a finding says it: a named cluster by name, the cluster a root applies by that root's file (an unnamed site keyed by it). */
const siteText = (site: string): string => {
  if (isNamedCluster(site)) return `on ${site}`;
  const root = /@(.*) is applied$/.exec(site)?.[1];
  return root === undefined ? site : `on the cluster applying ${root}`;
};

/** Whether a path lies in some Kustomization's own build (fluxBuildFolderName), whichever. */
export const inFluxBuild = (path: string): boolean => path.includes(`/${FLUX_BUILD_MARK}`);

/** A text naming Kustomizations' own builds of a folder, each named as the folder's one render: what tells their findings alike. */
export const withoutFluxBuilds = (text: string): string => text.replace(/\(rendered for [^)]*\)/g, "(rendered)");
