import type { ManifestSet, Resource } from "../../core/resource.js";
import type { Delivery } from "../../core/gitops-delivery.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { sameItems } from "../../core/same-items.js";

/**
 * The Flux Kustomizations of a tree that reach no cluster from it: archived copies. Where the
 * tree's GitOps objects deliver one another (a root such as `cluster-apps` delivering each app's
 * Kustomization), a Flux Kustomization that none of them delivers — neither its file nor a
 * kustomization accumulating it —, that delivers no GitOps object itself (no root where delivery
 * starts, as flux bootstrap's `flux-system` delivers its own folder), and whose namespace, name and
 * path are those of a Kustomization they do deliver, is an old copy no one applies:
 * drag0n141/home-ops 9031f1810d kept home-assistant's old Kustomization under `.archive/`, still
 * naming the live app folder, and read as a delivery it "added" that folder's routes again and
 * rendered it a second time with its own variables. One applied by hand beside them (a cluster
 * folder nothing reads) is no copy, and still delivers. Keyed by file and name: the render stage
 * reads Kustomizations its parents patched, as copies.
 */
export function archivedKustomizations(set: ManifestSet, deliveryOf: (resource: Resource) => Delivery | undefined): ReadonlySet<string> {
  const deliveries = [...set.resources.values()].flatMap((resource) => deliveryOf(resource) ?? []);
  const readers = new Map<string, readonly string[]>();
  const readersOfFile = (file: string) => {
    let found = readers.get(file);
    if (!found) readers.set(file, (found = readersOf(file, set.includedBy)));
    return found;
  };
  const reads = (delivery: Delivery, file: string) => readersOfFile(file).some((reader) => delivery.destinationOf(reader));
  const deliveredByAnother = (delivery: Delivery) =>
    deliveries.some((other) => other !== delivery && reads(other, delivery.resource.source.file));
  const isFluxKustomization = ({ resource }: Delivery) => resource.id.group === FLUX_KUSTOMIZE && resource.id.kind === "Kustomization";
  const live = deliveries.filter((delivery) => isFluxKustomization(delivery) && deliveredByAnother(delivery));
  const archived = new Set<string>();
  for (const delivery of live.length > 0 ? deliveries : []) {
    const { resource } = delivery;
    if (!isFluxKustomization(delivery) || live.includes(delivery)) continue;
    const copied = live.some(
      (other) =>
        other.resource.id.namespace === resource.id.namespace &&
        other.resource.id.name === resource.id.name &&
        sameItems(other.paths, delivery.paths),
    );
    if (copied && !deliveries.some((other) => reads(delivery, other.resource.source.file))) archived.add(archiveKey(resource));
  }
  return archived;
}

export const archiveKey = (resource: Resource): string => `${resource.source.file}#${resource.id.namespace}/${resource.id.name}`;
