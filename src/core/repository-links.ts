import { posix } from "node:path";

/**
 * A symbolic link of a tree, kept apart from its files: the readers do not follow links, Argo CD
 * and Flux do (in-repo ones), so what a GitOps object reads through one is the link's target.
 */
export interface RepositoryLink {
  /** Repository path of the link itself. */
  readonly path: string;
  /** The link's stored target, as git stores it (relative to the link's folder, or absolute). */
  readonly target: string;
}

/** `./apps/prod/` → `apps/prod`; the repository's root is "". */
export const normalizePath = (path: string): string =>
  posix
    .normalize(path.trim().replace(/^\/+/, ""))
    .replace(/^\.\/?$/, "")
    .replace(/\/+$/, "");

/** The repository path a link leads to; undefined for one that leaves the repository (absolute, or above its root). */
export function linkTarget(link: RepositoryLink): string | undefined {
  if (posix.isAbsolute(link.target)) return undefined;
  const folder = link.path.includes("/") ? posix.dirname(link.path) : "";
  const target = normalizePath(posix.join(folder, link.target));
  return target === ".." || target.startsWith("../") ? undefined : target;
}

/** How many links deep a path is followed (a link into a linked folder), and how many paths one file is given at most. */
const HOPS = 8;
const MOST_PATHS = 64;

/** Whether two trees' links are the same list, or both none. */
export const sameLinks = (a: readonly RepositoryLink[], b: readonly RepositoryLink[]): boolean =>
  a === b || (a.length === 0 && b.length === 0);

/** Follows links on a path's way, a few hops deep (a cycle ends there), as the file system would. */
export function realPaths(links: readonly RepositoryLink[]): (path: string) => string {
  const targets = links.flatMap((link) => {
    const target = linkTarget(link);
    return target === undefined ? [] : [{ from: normalizePath(link.path), to: target }];
  });
  if (targets.length === 0) return (path) => path;
  return (path) => {
    let real = path;
    for (let hop = 0; hop < HOPS; hop++) {
      const link = targets.find(({ from }) => real === from || real.startsWith(`${from}/`));
      if (!link) break;
      real = link.to + real.slice(link.from.length);
    }
    return real;
  };
}

/**
 * The other paths a tool that follows the tree's links finds a file at: `apps/shop/route.yaml` is
 * also `clusters/prod/apps/route.yaml` where `clusters/prod/apps -> ../../apps/shop`, so a Flux
 * Kustomization whose path is `./clusters/prod/apps` applies it. A few links deep (a cycle ends
 * there), and none for a tree without links (the usual one).
 */
export function linkedPaths(links: readonly RepositoryLink[]): (file: string) => readonly string[] {
  const pairs = links.flatMap((link) => {
    const to = linkTarget(link);
    return to === undefined ? [] : [{ from: normalizePath(link.path), to }];
  });
  if (pairs.length === 0) return () => [];
  const known = new Map<string, readonly string[]>();
  return (file) => {
    let found = known.get(file);
    if (found) return found;
    const seen = new Set([file]);
    let frontier = [file];
    for (let hop = 0; hop < HOPS && frontier.length > 0 && seen.size < MOST_PATHS; hop++) {
      const next: string[] = [];
      for (const path of frontier)
        for (const { from, to } of pairs) {
          const rest = to === "" ? `/${path}` : path === to || path.startsWith(`${to}/`) ? path.slice(to.length) : undefined;
          const alias = rest === undefined ? undefined : `${from}${rest}`;
          if (alias !== undefined && !seen.has(alias) && seen.size < MOST_PATHS) {
            seen.add(alias);
            next.push(alias);
          }
        }
      frontier = next;
    }
    seen.delete(file);
    known.set(file, (found = [...seen]));
    return found;
  };
}
