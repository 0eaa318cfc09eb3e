import type { ResourceChange, Unapplied, VersionChange } from "../core/resource-change.js";
import { keyIsIdentity, type ManifestSet, type Resource } from "../core/resource.js";
import { sitesLeft, takeoversOf } from "../core/sites-taken-over.js";
import { canonicalMeaning, canonicalText } from "../core/canonical-form.js";
import { sharePlace } from "../core/shared-place.js";
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

/** How a tree applies a file, as far as telling versions of one object apart needs. */
export interface FileApplying {
  /**
   * Where it applies the file (policy path patterns, Argo CD, Flux): the clusters, and the one cluster
   * a Flux Kustomization nothing places delivers to (FileClusters.sites); none where it does not say.
   */
  readonly clusters: (file: string) => readonly string[];
  /** Whether it applies the file at all (model/applied-files.ts). */
  readonly applied: (file: string) => boolean;
  /** Whether it is known not to apply the file: every GitOps source over it builds a kustomization that does not read it (AppliedFile.builtWithout). */
  readonly builtWithout: (file: string) => boolean;
  /** Whether it is known not to apply the file: it keeps it in an archive folder nothing applies (AppliedFile.archived). */
  readonly archived: (file: string) => boolean;
  /** Whether the file is applied with its folder: the folder's kustomization lists it, or the folder has none. */
  readonly withFolder: (file: string) => boolean;
}

/** A tree whose GitOps objects and kustomizations say nothing: every file applied as written, to no cluster in particular. */
const AS_WRITTEN: FileApplying = {
  clusters: () => [],
  applied: () => true,
  builtWithout: () => false,
  archived: () => false,
  withFolder: () => true,
};

/**
 * Resources matched by identity (group/kind/namespace/name, never apiVersion) that were added,
 * removed or changed semantically. A cosmetic edit is not a change.
 *
 * An identity several files write, where placement applies them to the same clusters (or, where it
 * does not say, in one folder), is one object: whichever file is applied last replaces the others'
 * versions (`kubectl apply -f dir/`). Only files the tree applies count, and where a folder's
 * kustomization lists some of its files, those it lists are applied together and the others are
 * not applied with them (istio-demos c4863e5's vm-onboarding.yaml beside a kustomization listing
 * only mesh-mtls.yaml is applied by neither Flux nor `kubectl apply -k`): such a definition is
 * settled as one the tree does not apply (`unapplied`, unappliedDefinitions), neither judged as a
 * version nor as an object beside the applied one, and so is an edit of one neither tree applies.
 * So a version one file adds beside the one the base already wrote is judged against it
 * (istio-demos c4863e5: vm-onboarding.yaml wrote PeerAuthentication istio-system/default with
 * DISABLE beside mesh-mtls.yaml's STRICT, read as a second policy that istiod would ignore), and a
 * version one file drops against those that stay; where those are all new and differ, each is a
 * comparison (`counterparts`), since which one holds depends on an apply order the tree does not
 * say. A copy equal to the other side's versions changes nothing (gke-networking-recipes copied a
 * ServiceExport into a second file of its folder). Versions the base already writes differently
 * are alternatives (see definitionsOf). A copy in another folder that no placement puts on the same
 * clusters stays an object of its own: folders are clusters in many repositories (gke-1/, gke-2/),
 * though in others they are demos (istio-demos 80d7d60 copied an AuthorizationPolicy into a second
 * demo folder: still judged alone).
 */
export function diffResources(
  base: ManifestSet,
  head: ManifestSet,
  applying: { readonly base: FileApplying; readonly head: FileApplying } = { base: AS_WRITTEN, head: AS_WRITTEN },
): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const unapplied = { base: unappliedDefinitions(base, applying.base), head: unappliedDefinitions(head, applying.head) };
  const definitions = definitionsOf({ base, head }, applying, unapplied);
  const redelivery = redeliveryOf(head, applying);
  // forEach: a `for…of` over a Map's entries makes an entry array and a result object per resource.
  base.resources.forEach((before, key) => {
    const after = head.resources.get(key);
    if (!after) return;
    const edited = after.source.text !== before.source.text && !sameMeaning(before, after);
    // Only a copy of an object several files write (keyed by its file) may give way to another copy.
    const redelivered = keyIsIdentity(before) ? undefined : redelivery(key, before, after, edited);
    if (redelivered) changes.push(redelivered);
    else if (edited) {
      const neither = unapplied.base(before) && unapplied.head(after);
      changes.push(neither ? { key, base: before, head: after, unapplied: neither } : { key, base: before, head: after });
    }
  });
  // The base versions added ones are judged against: a removed one of them is judged there, once.
  const judgedAgainst = new Set<Resource>();
  head.resources.forEach((after, key) => {
    if (base.resources.has(key)) return;
    const { versions: earlier, unapplied } = definitions("head", after);
    if (earlier.length === 0) changes.push(unapplied ? { key, head: after, unapplied } : { key, head: after });
    else {
      const differing = earlier.filter((version) => !sameMeaning(version, after));
      for (const version of differing) judgedAgainst.add(version);
      if (differing.length > 0) changes.push(versionChange(key, "added", after, differing));
    }
  });
  base.resources.forEach((before, key) => {
    if (head.resources.has(key)) return;
    const { versions: later, unapplied } = definitions("base", before);
    if (later.length === 0) changes.push(unapplied ? { key, base: before, unapplied } : { key, base: before });
    else {
      // Judged against the versions that were there before; where every version is new, from the additions.
      const staying = later.filter((version) => base.resources.has(version.key));
      if (staying.length === 0 && judgedAgainst.has(before)) return;
      const differing = (staying.length > 0 ? staying : later).filter((version) => !sameMeaning(before, version));
      if (differing.length > 0) changes.push(versionChange(key, "removed", before, differing));
    }
  });
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const byIdentityOf = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Resource[]>>();

/** A tree's definitions of one identity, the tree indexed once, when first asked: most PRs never ask. */
function definitionsIn(set: ManifestSet, identity: string): readonly Resource[] {
  let index = byIdentityOf.get(set);
  if (!index) {
    const found = new Map<string, Resource[]>();
    for (const resource of set.resources.values()) {
      const known = found.get(identityOf(resource));
      if (known) known.push(resource);
      else found.set(identityOf(resource), [resource]);
    }
    byIdentityOf.set(set, (index = found));
  }
  return index.get(identity) ?? [];
}

/**
 * For a copy of an object that stays in its file (keyed by it), where GitOps no longer delivers
 * that file to some of the sites it did and now delivers another file's copy there (a cluster's
 * Flux Kustomization or Argo CD Application pointed from `apps/jkt` to `apps/sgp`, or from
 * `apps/common` to `apps/jkt` while sgp's stays): a version change judged against each such copy
 * that differs (core/sites-taken-over.ts), and against its own head version where it is still
 * delivered. The file compared with itself alone read jkt's DestinationRule, ISTIO_MUTUAL in its
 * folder and DISABLE in sgp's, as unchanged: both files stayed as they were. Undefined where no
 * other copy takes a site over, or every one that does is the same as it: then it is judged as
 * usual.
 */
function redeliveryOf(
  head: ManifestSet,
  applying: { readonly base: FileApplying; readonly head: FileApplying },
): (key: string, before: Resource, after: Resource, edited: boolean) => ResourceChange | undefined {
  return (key, before, after, edited) => {
    const [file, now] = [before.source.file, applying.head.clusters(after.source.file)];
    const left = sitesLeft(applying.base.clusters(file), now);
    if (left.length === 0 || !applying.base.applied(file)) return undefined;
    const copies = definitionsIn(head, identityOf(before)).filter(
      (copy) => copy !== after && copy.source.file !== file && !movedBetweenGroups(before, copy) && applying.head.applied(copy.source.file),
    );
    const differing = takeoversOf(left, copies, (copy) => applying.head.clusters(copy.source.file)).filter(
      ({ copy }) => !sameMeaning(before, copy),
    );
    if (differing.length === 0) return undefined;
    // Its own head version is a cluster's only where its file is still delivered.
    const counterparts = [...differing.map(({ copy }) => copy), ...(edited && now.length > 0 ? [after] : [])];
    return {
      key,
      base: before,
      head: counterparts[0]!,
      version: "redelivered",
      counterparts,
      redeliveredTo: new Map(differing.map(({ copy, sites }) => [copy, sites])),
    };
  };
}

/**
 * A version added (removed) judged against the other side's versions it differs from, the one it is
 * most like first; equal copies among them are one comparison (review.ts runs the detectors once each).
 */
function versionChange(key: string, version: VersionChange, own: Resource, others: readonly Resource[]): ResourceChange {
  const like = mostSimilar(own, others)!;
  const counterparts = [like];
  for (const other of others) if (!counterparts.some((kept) => sameMeaning(kept, other))) counterparts.push(other);
  return version === "added"
    ? { key, base: like, head: own, version, counterparts }
    : { key, base: own, head: like, version, counterparts };
}

/** Whether two definitions are put where one replaces the other (core/shared-place.ts). */
const placedTogether = (one: Resource, oneApplying: FileApplying, other: Resource, otherApplying: FileApplying): boolean =>
  sharePlace({ file: one.source.file, sites: oneApplying.clusters }, { file: other.source.file, sites: otherApplying.clusters });

/**
 * For a resource of a tree, why that tree does not apply it as a version of its object, where it
 * does not (Unapplied): its file beside a kustomization that lists another file of the folder
 * defining the same identity and not its own; a file nothing the tree applies reads, while it
 * applies another definition put where this one would be; or, whatever else defines its object,
 * a file every GitOps source over which builds a kustomization that does not read it (a stale
 * `old-web.yaml` beside the kustomization a Flux Kustomization builds, which lists `routes-all.yaml`
 * alone: Flux never applied it, so deleting or editing it changes nothing on the cluster), or one
 * the tree keeps in an archive folder nothing applies (AppliedFile.archived). That
 * needs evidence, not a gap in what the review reads: a file defining its object alone is applied
 * as written where a source over it reads it as a directory (a second source of an Argo CD
 * Application below the first's kustomization), runs a plugin, or nothing delivers it, and beside a
 * kustomization in a tree without GitOps objects (`kubectl apply -f` may apply it by hand). A resource keyed by its identity alone is its tree's only definition
 * (resource-pairing.ts): the tree is indexed by identity only when one that is not asks.
 */
export function unappliedDefinitions(set: ManifestSet, applying: FileApplying): (resource: Resource) => Unapplied | undefined {
  return (resource) => {
    const file = resource.source.file;
    const [applied, listed] = [applying.applied(file), applying.withFolder(file)];
    if (applied && listed) return undefined;
    const identity = identityOf(resource);
    const folder = posix.dirname(file);
    const instead =
      identity === resource.key
        ? undefined
        : definitionsIn(set, identity).find(
            (other) =>
              other !== resource &&
              // Another group's definition of a shared kind (an AWS ServiceExport beside the upstream one) is another controller's object.
              !movedBetweenGroups(other, resource) &&
              applying.applied(other.source.file) &&
              applying.withFolder(other.source.file) &&
              (applied ? posix.dirname(other.source.file) === folder : placedTogether(resource, applying, other, applying)),
          );
    if (instead) return { instead, why: applied ? "unlisted" : "unapplied" };
    if (applied) return undefined;
    return applying.builtWithout(file) ? { why: "unapplied" } : applying.archived(file) ? { why: "archived" } : undefined;
  };
}

/**
 * For a resource of one tree (`side`), the versions the other tree holds of the object it is a
 * version of: the same identity and group, both applied, applied together (the same clusters, or
 * where placement does not say the same folder; of a folder whose kustomization lists some of its
 * files, both listed or neither). Where its own tree does not apply it (unappliedDefinitions),
 * none, and why (`unapplied`).
 */
function definitionsOf(
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
  applying: { readonly base: FileApplying; readonly head: FileApplying },
  unapplied: { readonly base: (resource: Resource) => Unapplied | undefined; readonly head: (resource: Resource) => Unapplied | undefined },
): (side: "base" | "head", resource: Resource) => { versions: readonly Resource[]; unapplied?: Unapplied } {
  const none = { versions: [] };
  return (side, resource) => {
    const notApplied = unapplied[side](resource);
    if (notApplied) return { versions: [], unapplied: notApplied };
    const identity = identityOf(resource);
    if (identity === resource.key) return none;
    const otherSide = side === "base" ? "head" : "base";
    const [own, theirs] = [applying[side], applying[otherSide]];
    const file = resource.source.file;
    if (!own.applied(file)) return none;
    const definitions = (tree: "base" | "head") =>
      definitionsIn(trees[tree], identity).filter((other) => other !== resource && !movedBetweenGroups(other, resource));
    const [folder, listed] = [posix.dirname(file), own.withFolder(file)];
    const inFolder = (other: Resource) => posix.dirname(other.source.file) === folder;
    const together = (version: Resource, applying: FileApplying) =>
      applying.applied(version.source.file) &&
      placedTogether(resource, own, version, applying) &&
      (!inFolder(version) || applying.withFolder(version.source.file) === listed);
    const versions = definitions(otherSide).filter((version) => together(version, theirs));
    // Versions the base already wrote differently, put together, are alternatives, not one object
    // (kong's examples/ each write Gateway default/kong with their own listeners, istio-tutorial's
    // istiofiles/ a VirtualService per lesson, applied one file at a time): a deployment whose
    // live object depended on file order would be a broken one, and kustomize and Flux refuse
    // two documents of one object in a build. Each is then an object of its own, as written.
    const atBase = side === "base" ? [resource, ...definitions("base").filter((version) => together(version, own))] : versions;
    // An equal copy of one of them added or dropped is still no change (a new example's Gateway, the same as another's).
    if (atBase.some((version) => !sameMeaning(version, atBase[0]!))) {
      const equal = versions.filter((version) => sameMeaning(version, resource));
      return equal.length > 0 ? { versions: equal } : none;
    }
    return versions.length > 0 || listed ? { versions } : none;
  };
}
