/**
 * GitOps placement by path: policy `topology.placements` patterns such as `clusters/{cluster}/**`
 * say which cluster a file lands in. Compiled once per review; the first pattern that matches wins.
 */
export type ClusterOfFile = (path: string) => string | undefined;

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
