import type { Finding } from "../core/finding.js";
import { inRenderedOutput, RENDERED_MARK, reservedLink } from "../core/rendered-paths.js";
import type { SourceFile } from "../core/source-file.js";
import type { ClusterOfFile } from "../model/file-placement.js";
import type { Policy } from "../policy/policy-schema.js";
import type { SymbolicLink } from "./symlinks.js";
import { unreviewedEntryFinding } from "./unreviewed-entry.js";

/**
 * Repository files and links at a path the review reserves for rendered output (core/rendered-paths.ts),
 * which it leaves unread: each one the policy's paths review, in either tree, is a high finding
 * asking for the folder to be renamed. Unchanged ones too: what they apply is missing from both
 * trees, so no change elsewhere can be judged against it.
 */
export interface ReservedTree {
  readonly files: readonly SourceFile[];
  readonly links: readonly SymbolicLink[];
}

const WHY =
  `Route Governor writes rendered kustomize and Helm output into folders named "${RENDERED_MARK}…)" and reads such a name as where those files apply, ` +
  "so a repository path holding it is not read (neither reviewed nor placed by its name); rename the folder";

const state = (before: string | null, after: string | null): string =>
  before === null ? "added" : after === null ? "removed" : before === after ? "unchanged" : "changed";

export function reservedPathFindings(
  trees: { readonly base: ReservedTree; readonly head: ReservedTree },
  policy: Policy,
  reviews: (path: string) => boolean,
  clusterOfFile: ClusterOfFile,
): Finding[] {
  // Placed by the policy's own patterns only: the path's marker names no cluster here.
  const placed = (path: string) => {
    const cluster = clusterOfFile(path);
    const region = cluster === undefined ? undefined : policy.topology.clusters[cluster];
    return { clusters: cluster === undefined ? [] : [cluster], regions: region === undefined ? [] : [region] };
  };
  const entries = (pick: (tree: ReservedTree) => [string, string][]) => {
    const [before, after] = [new Map(pick(trees.base)), new Map(pick(trees.head))];
    return [...new Set([...before.keys(), ...after.keys()])]
      .filter(reviews)
      .sort()
      .map((path) => ({ path, before: before.get(path) ?? null, after: after.get(path) ?? null }));
  };
  const files = entries((tree) => tree.files.filter((file) => inRenderedOutput(file.path)).map((file) => [file.path, file.text]));
  const links = entries((tree) => tree.links.filter(reservedLink).map((link) => [link.path, link.target]));
  return [
    ...files.map(({ path, before, after }) =>
      unreviewedEntryFinding(
        { kind: "File", path, summary: `file ${path} ${state(before, after)}: ${WHY}`, before, after },
        policy,
        placed(path),
      ),
    ),
    ...links.map(({ path, before, after }) =>
      unreviewedEntryFinding(
        { kind: "Symlink", path, summary: `symlink ${path} → ${after ?? before} ${state(before, after)}: ${WHY}`, before, after },
        policy,
        placed(path),
      ),
    ),
  ];
}
