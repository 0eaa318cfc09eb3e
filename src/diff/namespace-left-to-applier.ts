import { resourceKey, withKey, type ManifestSet, type Resource } from "../core/resource.js";
import { reachUnknown, type ClusterRegions } from "../core/gitops-delivery.js";
import { treeDeliveries } from "../model/gitops-placement.js";

/**
 * Documents whose `metadata.namespace` the PR drops, read in the namespace they were written in
 * (istio 52b0cd9441 dropped `namespace: istio-system` from a sample applied with `kubectl -n`).
 * Without one the loader reads a document in `default` (Resource.namespaceImplied), which made its
 * base object removed and a `default` one added: a DestinationRule moved out of `istio-system`
 * weakened mTLS for everything it selected. Where nothing in the tree says where it lands (no
 * kustomization gives it a namespace, which the loader applies, and no GitOps object delivers its
 * file: Flux applies it in its `targetNamespace` or `default`, Argo CD in its destination's), the
 * namespace is left to whoever applies it, and the one it was written in is the one it is applied
 * in as far as the tree tells: the same file's object of that kind and name is the same object.
 * A file some GitOps object delivers lands where that object says, so there it stays a move.
 */
export function namespacesLeftToApplier(base: ManifestSet, head: ManifestSet, clusters: ClusterRegions): ManifestSet {
  const dropped = [...head.resources.values()].filter((resource) => resource.namespaceImplied);
  if (dropped.length === 0) return head;
  const written = new Map<string, Resource[]>();
  for (const resource of base.resources.values()) {
    if (resource.namespaceImplied || resource.id.namespace === "") continue;
    const at = fileSlot(resource);
    written.set(at, [...(written.get(at) ?? []), resource]);
  }
  const identities = new Set([...head.resources.values()].map(identity));
  let delivered: ((file: string) => boolean) | undefined;
  const moves: { resource: Resource; id: Resource["id"]; target: string }[] = [];
  for (const resource of dropped) {
    const [was, ...others] = (written.get(fileSlot(resource)) ?? []).filter(
      (candidate) => candidate.id.namespace !== resource.id.namespace,
    );
    if (was === undefined || others.length > 0 || identities.has(identity(was))) continue;
    delivered ??= deliveredFiles(head, clusters);
    const id = { ...resource.id, namespace: was.id.namespace };
    if (!delivered(resource.source.file)) moves.push({ resource, id, target: identity({ id, cluster: resource.cluster }) });
  }
  // As the loader keys them: by identity, and by file too where several documents share it.
  const shared = new Map<string, number>();
  for (const { target } of moves) shared.set(target, (shared.get(target) ?? 0) + 1);
  const renamed = new Map<Resource, Resource>();
  for (const { resource, id, target } of moves) {
    const own = resource.cluster ? `${resourceKey(id)}@${resource.cluster}` : resourceKey(id);
    const key = shared.get(target)! > 1 ? `${own}@${resource.source.file}` : own;
    renamed.set(resource, withKey(resource, key, id));
  }
  if (renamed.size === 0) return head;
  const resources = new Map<string, Resource>();
  for (const resource of head.resources.values()) {
    const kept = renamed.get(resource) ?? resource;
    resources.set(kept.key, kept);
  }
  return { ...head, resources };
}

/** A document's group, kind, name and cluster in its file: what stays when only its namespace goes. */
const fileSlot = ({ id, cluster, source }: Resource): string => `${id.group}/${id.kind}/${id.name}@${cluster ?? ""}@${source.file}`;

const identity = ({ id, cluster }: { readonly id: Resource["id"]; readonly cluster?: string | undefined }): string =>
  `${resourceKey(id)}@${cluster ?? ""}`;

/** Whether some GitOps object of the tree delivers a file; every file where one delivers paths the review cannot read. */
function deliveredFiles(tree: ManifestSet, clusters: ClusterRegions): (file: string) => boolean {
  const deliveries = treeDeliveries(tree, clusters);
  if (deliveries.some(reachUnknown)) return () => true;
  return (file) => deliveries.some((delivery) => delivery.destinationOf(file) !== undefined);
}
