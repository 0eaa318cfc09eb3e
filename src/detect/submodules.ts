import type { Finding } from "../core/finding.js";
import type { FilePlacement } from "../model/gitops-placement.js";
import type { Policy } from "../policy/policy-schema.js";
import { unreviewedEntryFinding } from "./unreviewed-entry.js";

/**
 * Submodules of a tree (gitlinks: tree mode 160000, a commit of another repository). Argo CD checks
 * submodules out with the repository, and Flux does where a GitRepository sets `recurseSubmodules`,
 * so bumping one under a cluster's folder changes what they apply, yet no reader holds a submodule's files (GitHub's archive and `git ls-tree` name
 * only the commit). Every submodule the PR adds, moves to another commit or removes, where its
 * files would be reviewed, is a high finding naming it: never a silent "no traffic change". One the
 * policy's paths leave out (a docs theme under an excluded folder) is none.
 */
export interface Submodule {
  /** Repository path of the submodule's folder. */
  readonly path: string;
  /** The commit of its repository the tree records. */
  readonly commit: string;
}

export interface SubmoduleTree {
  readonly submodules: readonly Submodule[];
  readonly placement: FilePlacement;
}

/**
 * A file at the top of a submodule's folder, for what applies to its files: whether the policy's
 * paths review them, and which clusters apply them.
 */
export const submoduleFile = (submodule: Submodule): string => `${submodule.path}/kustomization.yaml`;

const short = (commit: string): string => commit.slice(0, 7);

function submoduleFinding(submodule: Submodule, tree: SubmoduleTree, before: string | null, after: string | null, policy: Policy): Finding {
  const where = tree.placement(submoduleFile(submodule));
  const clusters =
    where.clusters.length > 0 ? `cluster${where.clusters.length > 1 ? "s" : ""} ${where.clusters.join(", ")}` : "the clusters";
  const unread =
    "Route Governor cannot read a submodule's files, and Argo CD checks them out, as Flux does where its GitRepository sets recurseSubmodules";
  const summary =
    after === null
      ? `submodule ${submodule.path} (${short(before!)}) removed: what it applied to ${clusters} is no longer applied there, and this is not reviewed (${unread})`
      : `submodule ${submodule.path} ${before === null ? `added at ${short(after)}` : `moved ${short(before)} → ${short(after)}`}: what it applies to ${clusters} is not reviewed (${unread}); review its diff in its own repository before approving`;
  return unreviewedEntryFinding({ kind: "Submodule", path: submodule.path, summary, before, after }, policy, where);
}

/** A finding for every submodule added, moved to another commit or removed between base and head; unchanged ones are not. */
export function submoduleFindings(base: SubmoduleTree, head: SubmoduleTree, policy: Policy): Finding[] {
  const before = new Map(base.submodules.map((submodule) => [submodule.path, submodule.commit]));
  const after = new Set(head.submodules.map((submodule) => submodule.path));
  const findings: Finding[] = [];
  for (const submodule of head.submodules) {
    const was = before.get(submodule.path);
    if (was !== submodule.commit) findings.push(submoduleFinding(submodule, head, was ?? null, submodule.commit, policy));
  }
  for (const submodule of base.submodules)
    if (!after.has(submodule.path)) findings.push(submoduleFinding(submodule, base, submodule.commit, null, policy));
  return findings;
}
