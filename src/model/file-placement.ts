import { linkedPaths, type RepositoryLink } from "../core/repository-links.js";

/**
 * GitOps placement by path: policy `topology.placements` patterns such as `clusters/{cluster}/**`
 * say which cluster a file lands in. Compiled once per review; the first pattern that matches wins.
 */
export type ClusterOfFile = (path: string) => string | undefined;

/**
 * The clusters the patterns give a file at its own path and at every path the tree's links show it
 * at: `clusters/prod/routes -> ../../shared/routes` lands shared/routes/checkout.yaml in prod, as a
 * file written there would.
 */
export function clustersThroughLinks(clusterOfFile: ClusterOfFile, links: readonly RepositoryLink[] = []): (path: string) => string[] {
  const pathsOf = linkedPaths(links);
  const at = (path: string): string[] => {
    const cluster = clusterOfFile(path);
    return cluster === undefined ? [] : [cluster];
  };
  return links.length === 0 ? at : (path) => [...new Set([path, ...pathsOf(path)].flatMap(at))];
}

const toRegex = (pattern: string): RegExp => {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const rest = pattern.slice(i);
    if (rest.startsWith("{cluster}")) {
      source += "(?<cluster>[^/]+)";
      i += "{cluster}".length - 1;
    } else if (rest.startsWith("**/")) {
      source += "(?:.*/)?";
      i += 2;
    } else if (rest.startsWith("**")) {
      source += ".*";
      i += 1;
    } else if (pattern[i] === "*") {
      source += "[^/]*";
    } else if (pattern[i] === "?") {
      source += "[^/]";
    } else {
      source += pattern[i]!.replace(/[.+^$()|[\]\\{}]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
};

export function compileFilePlacement(patterns: readonly string[]): ClusterOfFile {
  const compiled = patterns.map(toRegex);
  const memo = new Map<string, string | undefined>();
  return (path) => {
    if (memo.has(path)) return memo.get(path);
    let cluster: string | undefined;
    for (const regex of compiled) {
      cluster = regex.exec(path)?.groups?.cluster;
      if (cluster) break;
    }
    memo.set(path, cluster);
    return cluster;
  };
}
