import type { Detection } from "../core/finding.js";
import type { ResourceChange } from "../core/resource-change.js";
import { canonicalForm } from "../core/canonical-form.js";
import { displayName } from "../core/resource.js";
import { isNamedCluster, type ClusterRegions, type FileClusters } from "../core/gitops-delivery.js";
import type { Placed } from "./to-finding.js";

/**
 * A detection of a change between two versions of one object in two files (diff/resource-diff.ts),
 * saying which versions were compared: the reader sees a file that adds or drops a version judged
 * against another file's, not an edit of its own (istio-demos c4863e5: vm-onboarding.yaml's DISABLE
 * judged against mesh-mtls.yaml's STRICT). Detections of other resources, or of other changes, pass as they are.
 */
export function withVersionsCompared(change: ResourceChange, detection: Detection): Detection {
  if (!change.head || !change.base || change.version === undefined || detection.resourceKey !== change.key) return detection;
  const [base, head] = [change.base.source.file, change.head.source.file];
  if (change.version === "redelivered") {
    // Compared with its own head version: an edit, where its file is still delivered.
    const sites = change.redeliveredTo?.get(change.head);
    if (!sites) return detection;
    return {
      ...detection,
      summary: `${detection.summary} (on ${sitesNamed(sites)}, ${head}'s version now applies in place of ${base}'s, which is no longer delivered there)`,
    };
  }
  const compared =
    change.version === "added"
      ? `${head} writes another version of it beside ${base}'s, judged against that one`
      : `${base} no longer writes its version, judged against ${head}'s, which stays`;
  return { ...detection, summary: `${detection.summary} (${compared}: one object, whichever file is applied last holds)` };
}

/** Sites as a reader knows them: the clusters the policy names, or, delivered by Flux bootstraps the tree does not name, how many. */
const sitesNamed = (sites: readonly string[]): string => {
  const named = sites.filter(isNamedCluster);
  if (named.length > 0) return `${named.length > 1 ? "clusters" : "cluster"} ${named.join(", ")}`;
  return sites.length > 1 ? `${sites.length} clusters the tree does not name` : "a cluster the tree does not name";
};

/**
 * Where a detection of a change lands: its file's placement, but, of a copy now delivered where
 * another file's was (a `redelivered` version change), only the clusters it took over, not every
 * cluster its file reaches (sgp's copy pointed at from jkt changes nothing on sgp).
 */
export function placedAsCompared(
  change: ResourceChange | undefined,
  placed: FileClusters,
  topology: { readonly clusters: ClusterRegions },
): Placed {
  const sites = change?.base && change.head && change.version === "redelivered" ? change.redeliveredTo?.get(change.head) : undefined;
  if (!sites) return placed;
  const clusters = placed.clusters.filter((cluster) => sites.includes(cluster));
  return { clusters, regions: [...new Set(clusters.flatMap((cluster) => topology.clusters[cluster] ?? []))].sort() };
}

/**
 * A version change as the comparison, of those it stands for (`counterparts`), whose detections
 * `rate` highest: a version dropped where the versions that replace it are all new and differ from
 * each other may leave the object as any of them, as the files happen to be applied. The first
 * counterpart (the most similar) on a tie.
 */
export function worstComparison(change: ResourceChange, rate: (comparison: ResourceChange) => number): ResourceChange {
  if (!change.head || !change.base || !change.counterparts) return change;
  const { counterparts, ...first } = change;
  let worst: ResourceChange = first;
  let highest = counterparts.length > 1 ? rate(first) : 0;
  for (const other of counterparts.slice(1)) {
    const comparison = change.version === "added" ? { ...first, base: other } : { ...first, head: other };
    const rated = rate(comparison);
    if (rated > highest) [worst, highest] = [comparison, rated];
  }
  return worst;
}

/**
 * A definition its tree does not apply, added, removed or edited (diff/resource-diff.ts
 * `unapplied`): no version of the object the cluster holds, which another file writes or none
 * does (a PeerAuthentication with DISABLE added in vm-onboarding.yaml beside a kustomization that
 * lists only mesh-mtls.yaml's STRICT read as mTLS turned off mesh-wide; a stale copy of an HTTPRoute
 * deleted beside that kustomization read as the live route removed). Undefined for any other change.
 */
export function unappliedDetection(change: ResourceChange): Omit<Detection, "resourceKey"> | undefined {
  if (!change.unapplied) return undefined;
  const resource = (change.head ?? change.base)!;
  const { instead, why } = change.unapplied;
  const file = resource.source.file;
  const reason =
    why === "unlisted"
      ? `its folder's kustomization lists ${instead!.source.file} and not it`
      : why === "archived"
        ? "it is kept in an archive folder, among Flux Kustomizations that nothing delivers, and nothing else reads it"
        : instead
          ? `nothing the tree's GitOps objects apply reads it, while they apply ${instead.source.file}`
          : "the tree's GitOps objects deliver its folder, but nothing they apply reads it";
  const what = !change.head
    ? `${file}, which was not applied, no longer writes it`
    : `${change.base ? "edited" : "added"} in ${file}, which is not applied`;
  const outcome = instead ? `the tree applies ${instead.source.file}'s version of it instead` : "no object of the cluster changes";
  return {
    class: "resource.changed",
    summary: `${displayName(resource.id)}: ${what} (${reason}): ${outcome}`,
    resource: resource.id,
    side: change.head ? "head" : "base",
    path: [],
    ...(change.base ? { before: canonicalForm(change.base.body) } : {}),
    ...(change.head ? { after: canonicalForm(change.head.body) } : {}),
  };
}
