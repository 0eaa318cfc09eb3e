import type { ResourceChange } from "../core/resource-change.js";
import type { ManifestSet, Resource } from "../core/resource.js";
import { canonicalMeaning, canonicalText } from "../core/canonical-form.js";

/** Equal canonical text; across a kind promotion (`XListenerSet` → `ListenerSet`), equal meaning. */
function sameMeaning(before: Resource, after: Resource): boolean {
  if (before.id.kind === after.id.kind) return canonicalText(after.body) === canonicalText(before.body);
  return JSON.stringify(canonicalMeaning(before.body)) === JSON.stringify(canonicalMeaning(after.body));
}

/**
 * Resources matched by identity (group/kind/namespace/name, never apiVersion) that were added,
 * removed or changed semantically. A cosmetic edit is not a change.
 */
export function diffResources(base: ManifestSet, head: ManifestSet): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const [key, before] of base.resources) {
    const after = head.resources.get(key);
    if (!after) changes.push({ key, base: before });
    else if (after.source.text !== before.source.text && !sameMeaning(before, after)) changes.push({ key, base: before, head: after });
  }
  for (const [key, after] of head.resources) if (!base.resources.has(key)) changes.push({ key, head: after });
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
