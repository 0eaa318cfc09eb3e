import type { ResourceChange } from "../core/resource-change.js";
import type { ManifestSet, Resource } from "../core/resource.js";
import { canonicalMeaning, canonicalText } from "../core/canonical-form.js";
import { posix } from "node:path";
import { identityOf, mostSimilar, movedBetweenGroups } from "./resource-pairing.js";

/**
 * Equal canonical text; across a kind promotion (`XListenerSet` → `ListenerSet`), equal meaning;
 * never across groups that hand it to other controllers (a ServiceExport moved to AWS's group).
 */
function sameMeaning(before: Resource, after: Resource): boolean {
  if (movedBetweenGroups(before, after)) return false;
  // Fields left unresolved are out of the bodies: `${CANARY_WEIGHT}` renamed is compared as written.
  if (JSON.stringify(before.unresolved ?? []) !== JSON.stringify(after.unresolved ?? [])) return false;
  if (before.id.kind === after.id.kind) return canonicalText(after.body) === canonicalText(before.body);
  return JSON.stringify(canonicalMeaning(before.body)) === JSON.stringify(canonicalMeaning(after.body));
}

const NOWHERE = (): readonly string[] => [];

/** The clusters each tree applies a file to (policy path patterns, Argo CD, Flux), where known. */
export interface FileClusters {
  readonly base: (file: string) => readonly string[];
  readonly head: (file: string) => readonly string[];
}

/**
 * Resources matched by identity (group/kind/namespace/name, never apiVersion) that were added,
 * removed or changed semantically. A cosmetic edit is not a change.
 *
 * An identity several files write, where placement applies them to the same clusters (or, where it
 * does not say, in one folder), is one object: whichever file is applied last replaces the others'
 * versions (`kubectl apply -f dir/`).
 * So a version one file adds beside those the base already wrote is judged against the version it
 * is most like (istio-demos c4863e5: vm-onboarding.yaml wrote PeerAuthentication istio-system/default
 * with DISABLE beside mesh-mtls.yaml's STRICT, read as a second policy that istiod would ignore),
 * and a version one file drops against the one most like it that stays (dropping the only DISABLE
 * version leaves STRICT); an equal copy added or dropped beside one that stays changes nothing
 * (gke-networking-recipes copied a ServiceExport into a second file of its folder). A copy in
 * another folder that no placement puts on the same clusters stays an object of its own: folders
 * are clusters in many repositories (gke-1/, gke-2/), though in others they are demos
 * (istio-demos 80d7d60 copied an AuthorizationPolicy into a second demo folder: still judged alone).
 */
export function diffResources(base: ManifestSet, head: ManifestSet, clusters?: FileClusters): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const versionsIn = otherVersions(base, head, clusters);
  // forEach: a `for…of` over a Map's entries makes an entry array and a result object per resource.
  base.resources.forEach((before, key) => {
    const after = head.resources.get(key);
    if (after && after.source.text !== before.source.text && !sameMeaning(before, after)) changes.push({ key, base: before, head: after });
  });
  // The base versions added ones are judged against: a removed one of them is judged there, once.
  const judgedAgainst = new Set<Resource>();
  head.resources.forEach((after, key) => {
    if (base.resources.has(key)) return;
    const earlier = versionsIn("base", after);
    if (earlier.length === 0) changes.push({ key, head: after });
    else if (!earlier.some((version) => sameMeaning(version, after))) {
      const before = mostSimilar(after, earlier)!;
      judgedAgainst.add(before);
      changes.push({ key, base: before, head: after, version: "added" });
    }
  });
  base.resources.forEach((before, key) => {
    if (head.resources.has(key)) return;
    const later = versionsIn("head", before);
    if (later.length === 0) changes.push({ key, base: before });
    else if (!later.some((version) => sameMeaning(before, version))) {
      // Judged against a version that was there before; where every version is new, from the additions.
      const staying = later.filter((version) => base.resources.has(version.key));
      if (staying.length === 0 && judgedAgainst.has(before)) return;
      changes.push({ key, base: before, head: mostSimilar(before, staying.length > 0 ? staying : later)!, version: "removed" });
    }
  });
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The versions one tree (`side`) holds of the object a resource of the other tree is a version of:
 * the same identity and group, not applied to clusters apart from the resource's own. A resource
 * keyed by its identity alone is the only definition of it on both sides (resource-pairing.ts): the
 * trees are indexed by identity only when one that is not asks, which most PRs never do.
 */
function otherVersions(
  base: ManifestSet,
  head: ManifestSet,
  clusters: FileClusters | undefined,
): (side: "base" | "head", resource: Resource) => readonly Resource[] {
  const indexes: Partial<Record<"base" | "head", Map<string, Resource[]>>> = {};
  const indexOf = (side: "base" | "head"): Map<string, Resource[]> => {
    let index = indexes[side];
    if (index) return index;
    index = indexes[side] = new Map();
    for (const resource of (side === "base" ? base : head).resources.values()) {
      const identity = identityOf(resource);
      const known = index.get(identity);
      if (known) known.push(resource);
      else index.set(identity, [resource]);
    }
    return index;
  };
  return (side, resource) => {
    const identity = identityOf(resource);
    if (identity === resource.key) return [];
    // Another group's definition of a shared kind (an AWS ServiceExport beside the upstream one) is another controller's object.
    const versions = (indexOf(side).get(identity) ?? []).filter((version) => !movedBetweenGroups(version, resource));
    if (versions.length === 0) return versions;
    const [own, theirs] = !clusters
      ? [NOWHERE, NOWHERE]
      : side === "base"
        ? [clusters.head, clusters.base]
        : [clusters.base, clusters.head];
    const here = own(resource.source.file);
    return versions.filter((version) => {
      const there = theirs(version.source.file);
      // Where placement does not say, a folder may be a cluster of its own (gke-1/, gke-2/): a copy
      // there may be that cluster's object, so only files of one folder are surely applied together.
      if (here.length === 0 || there.length === 0) return posix.dirname(version.source.file) === posix.dirname(resource.source.file);
      return there.some((cluster) => here.includes(cluster));
    });
  };
}
