import { isManifestPath } from "../manifests/load-manifests.js";
import { listed } from "../core/listed-names.js";
import type { FilePlacement } from "../model/gitops-placement.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Finding } from "../core/finding.js";
import { linkTarget, type RepositoryLink } from "../core/repository-links.js";
import { unreviewedEntryFinding } from "./unreviewed-entry.js";

/**
 * Symbolic links of a tree. Argo CD and Flux follow in-repo symlinks, so a link
 * `clusters/sgp/x.yaml -> ../jkt/exports.yaml` applies jkt's config to sgp while no traffic file
 * changed: the readers report links beside files, and every added, retargeted or removed link
 * that exposes reviewed files is a high finding of its own.
 */
export type SymbolicLink = RepositoryLink;

export interface LinkedTree {
  readonly links: readonly SymbolicLink[];
  /** Paths of the reviewed files of the tree. */
  readonly files: readonly string[];
  /** Whether a file holds traffic config: a resource, an unreadable traffic document, or an input a render reads. */
  readonly holdsTraffic: (path: string) => boolean;
  readonly placement: FilePlacement;
}

const MAX_NAMED = 5;

const named = (items: readonly string[]): string => listed(items, MAX_NAMED);

/** The files a link makes visible, each with the path it is visible at. */
function exposed(link: SymbolicLink, files: readonly string[]): { file: string; seenAt: string }[] {
  const resolved = linkTarget(link);
  if (resolved === undefined) return [];
  const root = resolved === "" ? "" : `${resolved}/`;
  return files.flatMap((file) =>
    file === resolved
      ? [{ file, seenAt: link.path }]
      : file.startsWith(root)
        ? [{ file, seenAt: `${link.path}/${file.slice(root.length)}` }]
        : [],
  );
}

function placed(tree: LinkedTree, seenAt: readonly string[]): { clusters: string[]; regions: string[] } {
  const clusters = new Set<string>();
  const regions = new Set<string>();
  for (const path of seenAt) {
    const where = tree.placement(path);
    for (const cluster of where.clusters) clusters.add(cluster);
    for (const region of where.regions) regions.add(region);
  }
  return { clusters: [...clusters].sort(), regions: [...regions].sort() };
}

const clustersOf = (where: { clusters: readonly string[] }): string =>
  where.clusters.length > 0
    ? `cluster${where.clusters.length > 1 ? "s" : ""} ${named(where.clusters)}`
    : "the clusters that apply its folder";

function linkFinding(
  link: SymbolicLink,
  tree: LinkedTree,
  before: string | null,
  after: string | null,
  policy: Policy,
): Finding | undefined {
  const reachable = exposed(link, tree.files);
  const files = reachable.filter((file) => tree.holdsTraffic(file.file));
  // A link to files that hold no traffic config (conformance reports, docs), or to nothing the
  // review reads (a README, a binary), exposes none; one to a manifest the tree lacks may.
  if (files.length === 0 && (reachable.length > 0 || (!isManifestPath(link.path) && !isManifestPath(link.target)))) return undefined;
  const where = placed(
    tree,
    files.map((file) => file.seenAt),
  );
  const clusters = clustersOf(where);
  const shown = files.length > 0 ? ` (${named(files.map((file) => file.file))})` : "";
  const summary =
    after === null
      ? `symlink ${link.path} → ${link.target} removed: the files it exposed${shown} to ${clusters} are no longer applied there, and this is not reviewed`
      : `symlink ${link.path} → ${link.target}${before === null ? "" : ` (was → ${before})`}: the files it exposes${shown} to ${clusters} are not reviewed`;
  return unreviewedEntryFinding({ kind: "Symlink", path: link.path, summary, before, after }, policy, where);
}

/** The traffic config the base tree served at a path: files there or below it, or those the link that stood there exposed. */
function trafficAt(base: LinkedTree, path: string, was: string | undefined): string[] {
  const held = base.files.filter((file) => (file === path || file.startsWith(`${path}/`)) && base.holdsTraffic(file));
  const linked = was === undefined ? [] : exposed({ path, target: was }, base.files).map(({ file }) => file);
  return [...held, ...linked.filter(base.holdsTraffic)];
}

/** A link out of the repository where the base served traffic config: that config is no longer applied there. */
function outsideFinding(
  link: SymbolicLink,
  head: LinkedTree,
  replaced: readonly string[],
  was: string | undefined,
  policy: Policy,
): Finding {
  const where = placed(head, [link.path]);
  const summary = `symlink ${link.path} → ${link.target}${was === undefined ? "" : ` (was → ${was})`}: points out of the repository in place of traffic config (${named(replaced)}), which is no longer applied to ${clustersOf(where)}; what it points at is not reviewed`;
  return unreviewedEntryFinding({ kind: "Symlink", path: link.path, summary, before: was ?? null, after: link.target }, policy, where);
}

/**
 * A finding for every link added, retargeted or removed between base and head; unchanged links are
 * not. A link out of the repository (k8gb 30d173d3ad's `registry/k3s.yaml → /output/kubeconfig.yaml`,
 * a file a local cluster writes) exposes nothing the repository holds: Argo CD refuses to render a
 * path holding one (out-of-bounds symlinks) and Flux's build to follow it, and `kubectl apply` reads
 * whatever the applying machine has there. Content unknown, it is judged by what it takes the place
 * of: where the base served traffic config at its path, that config is gone (high, as any link);
 * added where there was none, or removed, it changes no traffic config the review can name.
 */
export function symlinkFindings(base: LinkedTree, head: LinkedTree, policy: Policy): Finding[] {
  const before = new Map(base.links.map((link) => [link.path, link.target]));
  const after = new Map(head.links.map((link) => [link.path, link.target]));
  const findings: (Finding | undefined)[] = [];
  for (const link of head.links) {
    const was = before.get(link.path);
    if (was === link.target) continue;
    if (linkTarget(link) !== undefined) findings.push(linkFinding(link, head, was ?? null, link.target, policy));
    else {
      const replaced = trafficAt(base, link.path, was);
      if (replaced.length > 0) findings.push(outsideFinding(link, head, replaced, was, policy));
    }
  }
  for (const link of base.links)
    if (!after.has(link.path) && linkTarget(link) !== undefined) findings.push(linkFinding(link, base, link.target, null, policy));
  return findings.filter((finding): finding is Finding => finding !== undefined);
}
