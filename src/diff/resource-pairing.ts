import { keyIsIdentity, withKey, type ManifestSet, type Resource } from "../core/resource.js";
import { canonicalMeaning } from "../core/canonical-form.js";
import { FAMILIES } from "../families/index.js";

/**
 * Which base resource became which head resource, decided for both trees at once so that their
 * keys agree (issue 9, family 1). A resource is what is applied somewhere: its identity is
 * group/kind/namespace/name plus its cluster, and, when several files define that identity (one
 * folder per environment, overlays, example folders), its file. Within one identity, documents
 * pair as git pairs renames: same file first, then the most similar content, so a folder move
 * or a copy into a new folder is not read as the old resource rewritten. API promotions the
 * families declare (`XListenerSet` → `ListenerSet`, `gateway.networking.x-k8s.io` →
 * `gateway.networking.k8s.io`, `k8gb.absa.oss` → `k8gb.io`) keep the identity, and so does a
 * kind moved between groups that define it alike (a ServiceExport from `multicluster.x-k8s.io`
 * to `application-networking.k8s.aws`): its detectors judge the controller it moves to.
 */
export function alignResourceKeys(base: ManifestSet, head: ManifestSet): { base: ManifestSet; head: ManifestSet } {
  const identities = new Map<string, { base: Resource[]; head: Resource[] }>();
  const collect = (set: ManifestSet, side: "base" | "head") => {
    for (const resource of set.resources.values()) {
      const identity = identityOf(resource);
      let entry = identities.get(identity);
      if (!entry) identities.set(identity, (entry = { base: [], head: [] }));
      entry[side].push(resource);
    }
  };
  collect(base, "base");
  collect(head, "head");

  const baseKeys = new Map<Resource, string>();
  const headKeys = new Map<Resource, string>();
  // Definitions with no counterpart of their identity, and whether their key names their file.
  const unpaired: { readonly definition: Resource; readonly side: "base" | "head"; readonly filed: boolean }[] = [];
  for (const [identity, sides] of identities) {
    if (sides.base.length <= 1 && sides.head.length <= 1) {
      // One definition a side: the same resource wherever its file moved.
      const [before] = sides.base;
      const [after] = sides.head;
      // The loader keyed a lone definition without its file; a promoted one takes the head's key.
      const key = (after ?? before)!.key;
      if (before && before.key !== key) baseKeys.set(before, key);
      if (after && after.key !== key) headKeys.set(after, key);
      if (!before || !after) unpaired.push({ definition: (before ?? after)!, side: before ? "base" : "head", filed: false });
      continue;
    }
    // Definitions of one file in several groups (an upstream and an AWS ServiceExport side by side) keep
    // their group in the key, or a removed one would take the key of the one that stays.
    const groups = new Set([...sides.base, ...sides.head].map(ownGroup));
    for (const { before, after } of pairDefinitions(sides.base, sides.head)) {
      const definition = (after ?? before)!;
      const key = `${identity}@${definition.source.file}${groups.size > 1 ? `#${ownGroup(definition)}` : ""}`;
      if (before && before.key !== key) baseKeys.set(before, key);
      if (after && after.key !== key) headKeys.set(after, key);
      if (!before || !after) unpaired.push({ definition, side: before ? "base" : "head", filed: true });
    }
  }
  for (const { before, after } of movedToNamespaces(unpaired)) {
    const file = after.source.file;
    baseKeys.set(before, `${identityOf(before)}@${file}`);
    headKeys.set(after, `${identityOf(after)}@${file}`);
  }
  return { base: rekey(base, baseKeys), head: rekey(head, headKeys) };
}

/**
 * Definitions moved to another namespace where a file tells copies apart. A namespace is part of an
 * identity, so such a definition is removed and added, but its key names its file, and so do the
 * entries of its flows: moved to another folder too, its flows were other flows, every route removed
 * and added (aks-multi-cluster-service-mesh c3ef333769 moved its two `echoserver` VirtualServices, one
 * object written two ways, from istio/istio-installation/ to istio/yaml/ and into `istio-ingress`).
 * Of one group, kind and name, they pair as definitions of one identity do, and the two take the
 * head's file, as a definition moved within its identity does; where neither key names a file, their
 * flows are unscoped and pair as they are.
 */
function movedToNamespaces(
  unpaired: readonly { readonly definition: Resource; readonly side: "base" | "head"; readonly filed: boolean }[],
): { before: Resource; after: Resource }[] {
  if (!unpaired.some(({ filed }) => filed)) return [];
  const byName = new Map<string, { base: Resource[]; head: Resource[]; filed: Set<Resource> }>();
  for (const { definition, side, filed } of unpaired) {
    const { kind, name } = definition.id;
    const named = `${ownGroup(definition)}/${PROMOTED_KINDS[kind] ?? kind}/${name}@${definition.cluster ?? ""}`;
    let entry = byName.get(named);
    if (!entry) byName.set(named, (entry = { base: [], head: [], filed: new Set() }));
    entry[side].push(definition);
    if (filed) entry.filed.add(definition);
  }
  return [...byName.values()].flatMap(({ base, head, filed }) =>
    base.length === 0 || head.length === 0
      ? []
      : pairDefinitions(base, head).flatMap(({ before, after }) =>
          before && after && (filed.has(before) || filed.has(after)) ? [{ before, after }] : [],
        ),
  );
}

/** Groups and kinds promoted from an experimental API to a stable one, as their families declare them. */
const PROMOTED_GROUPS: Readonly<Record<string, string>> = Object.assign({}, ...FAMILIES.map(({ promotions }) => promotions?.groups));
const PROMOTED_KINDS: Readonly<Record<string, string>> = Object.assign({}, ...FAMILIES.map(({ promotions }) => promotions?.kinds));
/** Kind → group → the group it pairs as, for kinds several groups define alike (Promotions.sharedKinds). */
const SHARED_KINDS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  FAMILIES.flatMap(({ promotions }) => {
    const shared = promotions?.sharedKinds;
    if (!shared) return [];
    const [first, ...others] = shared.groups;
    return shared.kinds.map((kind) => [kind, new Map(others.map((group) => [group, first!]))] as const);
  }),
);

export const identityOf = (resource: Resource): string => {
  const { group, kind, namespace, name } = resource.id;
  const promotedGroup = PROMOTED_GROUPS[group] ?? SHARED_KINDS.get(kind)?.get(group);
  const promotedKind = PROMOTED_KINDS[kind];
  // Nearly every key is the identity itself: that string is shared by both trees and already hashed.
  if (promotedGroup === undefined && promotedKind === undefined && keyIsIdentity(resource)) return resource.key;
  const { cluster } = resource;
  const stable = `${promotedGroup ?? group}/${promotedKind ?? kind}/${namespace}/${name}`;
  return cluster ? `${stable}@${cluster}` : stable;
};

/**
 * Whether a paired resource moved to another group that is no promotion of its own: one that
 * defines its kind alike for other controllers (Promotions.sharedKinds), which is a change.
 */
export const movedBetweenGroups = (before: Resource, after: Resource): boolean =>
  before.id.group !== after.id.group && ownGroup(before) !== ownGroup(after);

/** A resource's group, promoted: the group whose controllers read it. */
const ownGroup = (resource: Resource): string => PROMOTED_GROUPS[resource.id.group] ?? resource.id.group;

interface Pair {
  readonly before?: Resource;
  readonly after?: Resource;
}

/** Similarity below which two definitions are different resources, as git's rename detection defaults to 50 %. */
const SAME_RESOURCE = 0.5;

function pairDefinitions(before: readonly Resource[], after: readonly Resource[]): Pair[] {
  const pairs: Pair[] = [];
  const left = new Set(before);
  const right = new Set(after);
  const pair = (b: Resource, a: Resource) => {
    pairs.push({ before: b, after: a });
    left.delete(b);
    right.delete(a);
  };
  // A definition moves to another group only when its own group lost it and the other gained it: an
  // upstream and an AWS ServiceExport of one service in one file, reordered or one of them deleted, are
  // each still their own (two controllers read them), not two moves or a move and a removal.
  const groupsBefore = new Set(before.map(ownGroup));
  const groupsAfter = new Set(after.map(ownGroup));
  const sameGroup = (b: Resource, a: Resource) => ownGroup(b) === ownGroup(a);
  const mayPair = (b: Resource, a: Resource) => sameGroup(b, a) || (!groupsAfter.has(ownGroup(b)) && !groupsBefore.has(ownGroup(a)));
  // The same file first, in document order, the same group before another.
  for (const fits of [sameGroup, mayPair]) {
    for (const b of [...left]) {
      const a = [...right].find((candidate) => candidate.source.file === b.source.file && fits(b, candidate));
      if (a) pair(b, a);
    }
  }
  // Then moves and copies: the most similar content wins, greedily. Each document's leaves once.
  const leavesOf = new Map<Resource, string[]>([...left, ...right].map((resource) => [resource, leaves(resource)]));
  const candidates: { b: Resource; a: Resource; score: number; evidence: readonly number[] }[] = [];
  for (const b of left)
    for (const a of right)
      if (mayPair(b, a)) candidates.push({ b, a, score: similarity(leavesOf.get(b)!, leavesOf.get(a)!), evidence: moveEvidence(b, a) });
  candidates.sort((x, y) => y.score - x.score || compareEvidence(y.evidence, x.evidence) || byFiles(x, y));
  for (const { b, a, score } of candidates) if (score >= SAME_RESOURCE && left.has(b) && right.has(a)) pair(b, a);
  for (const b of left) pairs.push({ before: b });
  for (const a of right) pairs.push({ after: a });
  return pairs;
}

/**
 * What tells which of several equally similar definitions a head one was moved from, strongest
 * first: the same document text (git's exact rename), the same apiVersion, then how many trailing
 * path parts their files share. Identical copies differ only there: gateway-api 1afb35ace1 moved
 * examples/v1beta1/ to examples/standard/ unchanged and deleted the v1alpha2 copies beside them,
 * read as v1alpha2's moved and v1beta1's deleted.
 */
const moveEvidence = (before: Resource, after: Resource): readonly number[] => [
  before.source.text === after.source.text ? 1 : 0,
  before.apiVersion === after.apiVersion ? 1 : 0,
  sharedSuffix(before.source.file, after.source.file),
];

function compareEvidence(x: readonly number[], y: readonly number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** The last resort: by head file (then the base's document order, the sort being stable). */
const byFiles = (x: { a: Resource }, y: { a: Resource }): number =>
  x.a.source.file < y.a.source.file ? -1 : x.a.source.file > y.a.source.file ? 1 : 0;

/** How many path parts, counted from the file name up, two paths share. */
function sharedSuffix(a: string, b: string): number {
  const [left, right] = [a.split("/"), b.split("/")];
  let shared = 0;
  while (shared < left.length && shared < right.length && left[left.length - 1 - shared] === right[right.length - 1 - shared]) shared++;
  return shared;
}

/**
 * The candidate whose content is most like the resource's (the first in their order on a tie): of
 * several versions of one object, the one a new version was most likely copied or edited from.
 */
export function mostSimilar(resource: Resource, candidates: readonly Resource[]): Resource | undefined {
  const own = leaves(resource);
  let best: { candidate: Resource; score: number } | undefined;
  for (const candidate of candidates) {
    const score = similarity(own, leaves(candidate));
    if (!best || score > best.score) best = { candidate, score };
  }
  return best?.candidate;
}

/** Shared share of the two documents' leaf lines (path = value), order-free: 1 for equal meaning. */
function similarity(left: readonly string[], right: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const leaf of left) counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
  let shared = 0;
  for (const leaf of right) {
    const n = counts.get(leaf) ?? 0;
    if (n > 0) {
      shared++;
      counts.set(leaf, n - 1);
    }
  }
  return (2 * shared) / Math.max(1, left.length + right.length);
}

function leaves(resource: Resource): string[] {
  const out: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item) => walk(item, `${path}[]`));
    else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) walk(item, `${path}.${key}`);
    else out.push(`${path}=${JSON.stringify(value)}`);
  };
  walk(canonicalMeaning(resource.body), "");
  return out;
}

/** `keys` holds only the keys that change: a tree none of whose keys change is itself. */
function rekey(set: ManifestSet, keys: ReadonlyMap<Resource, string>): ManifestSet {
  if (keys.size === 0) return set;
  const resources = new Map<string, Resource>();
  let same = true;
  for (const resource of set.resources.values()) {
    const key = keys.get(resource) ?? resource.key;
    let unique = key;
    // Definitions that still share a key (an experimental kind beside its promoted kind in one file) are numbered in document order.
    for (let n = 2; resources.has(unique); n++) unique = `${key}#${n}`;
    if (unique !== resource.key) same = false;
    resources.set(unique, unique === resource.key ? resource : withKey(resource, unique));
  }
  return same ? set : { ...set, resources };
}
