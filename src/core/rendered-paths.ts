import type { RepositoryLink } from "./repository-links.js";

/**
 * The render stage writes its output into folders of the review's own beside what it renders:
 * `(rendered)` (a kustomization's build), `(rendered for …)` (a Flux Kustomization's own build,
 * flux-build-output.ts) and `(rendered <release>…)` (a Helm release's, with ` to kubeConfig
 * <namespace>:<name>` where it installs on a remote cluster, flux-kubeconfig.ts). The stages read
 * such a folder's name as where and how its files apply; every test they make of it looks for a
 * string beginning with this mark.
 */
export const RENDERED_MARK = "(rendered";

/** Whether a path lies in rendered output as the stages read paths: any path holding the mark. */
export const inRenderedOutput = (path: string): boolean => path.includes(RENDERED_MARK);

/**
 * A tree's own files and links, without those at a path the stages would read as rendered output:
 * a repository's `clusters/sgp/(rendered r to kubeConfig x:jkt)/route.yaml` would otherwise be
 * placed on jkt by its own name. A link is left out where it sits at or leads to such a path.
 * The review refuses what this leaves out in a finding of its own (detect/reserved-paths.ts).
 */
export const repositoryFiles = <File extends { readonly path: string }>(files: readonly File[]): readonly File[] =>
  files.some((file) => inRenderedOutput(file.path)) ? files.filter((file) => !inRenderedOutput(file.path)) : files;

export const reservedLink = (link: RepositoryLink): boolean => inRenderedOutput(link.path) || inRenderedOutput(link.target);

export const repositoryLinks = <Link extends RepositoryLink>(links: readonly Link[]): readonly Link[] =>
  links.some(reservedLink) ? links.filter((link) => !reservedLink(link)) : links;
