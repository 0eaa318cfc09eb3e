import type { ResourceChange } from "../core/resource-change.js";
import type { ManifestSet, Resource } from "../core/resource.js";
import { posix } from "node:path";
import { canonicalMeaning, canonicalText } from "../core/canonical-form.js";
import { identityOf, movedBetweenGroups } from "./resource-pairing.js";

/**
 * Equal canonical text; across a kind promotion (`XListenerSet` → `ListenerSet`), equal meaning;
 * never across groups that hand it to other controllers (a ServiceExport moved to AWS's group).
 */
function sameMeaning(before: Resource, after: Resource): boolean {
  if (movedBetweenGroups(before, after)) return false;
  if (before.id.kind === after.id.kind) return canonicalText(after.body) === canonicalText(before.body);
  return JSON.stringify(canonicalMeaning(before.body)) === JSON.stringify(canonicalMeaning(after.body));
}

/**
 * Resources matched by identity (group/kind/namespace/name, never apiVersion) that were added,
 * removed or changed semantically. A cosmetic edit is not a change, and neither is a copy added
 * or removed beside an equal definition that stays (the same ServiceExport in two files of one
 * folder is applied as one object: gke-networking-recipes).
 */
export function diffResources(base: ManifestSet, head: ManifestSet): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const copyIn = redundantCopy(base, head);
  const copyOut = redundantCopy(head, base);
  // forEach: a `for…of` over a Map's entries makes an entry array and a result object per resource.
  base.resources.forEach((before, key) => {
    const after = head.resources.get(key);
    if (!after) {
      if (!copyOut(before)) changes.push({ key, base: before });
    } else if (after.source.text !== before.source.text && !sameMeaning(before, after)) changes.push({ key, base: before, head: after });
  });
  head.resources.forEach((after, key) => {
    if (!base.resources.has(key) && !copyIn(after)) changes.push({ key, head: after });
  });
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Whether a definition only one tree (`tree`) holds repeats one both trees hold unchanged, in the
 * same folder: applied together, the two are one object, so adding or dropping the copy changes nothing.
 */
function redundantCopy(other: ManifestSet, tree: ManifestSet): (resource: Resource) => boolean {
  const folder = (resource: Resource) => posix.dirname(resource.source.file);
  let byIdentity: Map<string, [string, Resource][]> | undefined;
  return (resource) => {
    // Built on the first question: most PRs add and remove nothing.
    if (!byIdentity) {
      byIdentity = new Map();
      for (const entry of tree.resources) {
        const identity = identityOf(entry[1]);
        const known = byIdentity.get(identity);
        if (known) known.push(entry);
        else byIdentity.set(identity, [entry]);
      }
    }
    return (byIdentity.get(identityOf(resource)) ?? []).some(([key, twin]) => {
      if (twin === resource || folder(twin) !== folder(resource)) return false;
      const kept = other.resources.get(key);
      return kept !== undefined && kept.source.text === twin.source.text && sameMeaning(twin, resource);
    });
  };
}
