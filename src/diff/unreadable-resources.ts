import type { InvalidManifest, ManifestSet, Resource } from "../core/resource.js";

/**
 * What a head file that cannot be read (refused as too big, a document that does not parse or
 * validate) declares is unknown, not removed: its manifest.invalid finding blocks the PR, and
 * reading its base resources as removed added findings that were not true (kubeflow/manifests
 * 1ad5eee: a CRD bundle grew past the size bound, and its Namespace, Issuer and Certificates were
 * reported removed, "while a VirtualService stays in it"). A base resource missing from the head
 * stays as it was where an unreadable document of its file at head names it, or names nothing —
 * one the PR broke (`isNew`): a document already unreadable at base blocks nothing, and carrying
 * resources past it would hide their removal.
 */
export function keepUnreadable(
  sets: { readonly base: ManifestSet; readonly head: ManifestSet },
  isNew: (item: InvalidManifest) => boolean,
): {
  readonly base: ManifestSet;
  readonly head: ManifestSet;
} {
  const { base, head } = sets;
  if (head.invalid.length === 0) return sets;
  const unreadable = new Map<string, InvalidManifest[]>();
  for (const item of head.invalid) if (isNew(item)) unreadable.set(item.file, [...(unreadable.get(item.file) ?? []), item]);
  const kept: [string, Resource][] = [];
  base.resources.forEach((resource, key) => {
    const items = unreadable.get(resource.source.file);
    if (!items || head.resources.has(key)) return;
    const { group, kind, name } = resource.id;
    if (items.some(({ resource: named }) => !named || (named.group === group && named.kind === kind && named.name === name)))
      kept.push([key, resource]);
  });
  if (kept.length === 0) return sets;
  return { base, head: { ...head, resources: new Map([...head.resources, ...kept]) } };
}
