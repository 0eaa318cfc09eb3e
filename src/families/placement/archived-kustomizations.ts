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
 * folder nothing reads) is no copy, and still delivers. Nor is a copy kept outside an archive
 * folder (see `inArchiveFolder`): a cluster this tree does not bootstrap (a Flux Operator
 * FluxInstance syncing `clusters/staging`, or a root kept in another repository) applies its own
 * `flux-system/infra` of the same path as the one the tree's root delivers, and deleting it, read as
 * a copy's, passed low while staging pruned its Gateway. Keyed by file and name: the render stage
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
  const copies = (live.length > 0 ? deliveries : []).filter(
    (delivery) =>
      isFluxKustomization(delivery) &&
      !live.includes(delivery) &&
      inArchiveFolder(delivery.resource.source.file) &&
      live.some(
        (other) =>
          other.resource.id.namespace === delivery.resource.id.namespace &&
          other.resource.id.name === delivery.resource.id.name &&
          sameItems(other.paths, delivery.paths),
      ) &&
      !deliveries.some((other) => reads(delivery, other.resource.source.file)),
  );
  if (copies.length === 0) return new Set();
  const copied = new Set(copies.map(({ resource }) => resource));
  const delivered = (file: string) => deliveries.some((delivery) => reads(delivery, file));
  const rootsBeside = undeliveredFluxByFolder(set, delivered);
  const besideARoot = (file: string) => (rootsBeside.get(folderOf(file)) ?? []).some((other) => !copied.has(other));
  return new Set(copies.filter(({ resource }) => !besideARoot(resource.source.file)).map(({ resource }) => archiveKey(resource)));
}

const ARCHIVE_FOLDER = /^(?:\..+|archive|archived|deprecated)$/i;
const CLUSTER_FOLDER = /(?:^|\/)clusters\/[^/]+(?:\/|$)/;

/**
 * A file kept where no one means it to be applied: under a dot folder (`.archive/`, `.old/`) or a
 * folder named archive, archived or deprecated, and not in a `clusters/<name>/` folder (where a
 * cluster's root lives). The name is the owner's word only: Flux's generated kustomization (a path
 * without a kustomization.yaml) and an Argo CD directory source with `recurse` both walk dot folders
 * like any other (fluxcd/pkg kustomize_generator.go, argo-cd repository.go findManifests), so the
 * copy is also one none of the tree's roots reads.
 */
export function inArchiveFolder(file: string): boolean {
  const folder = folderOf(file);
  return !CLUSTER_FOLDER.test(folder) && folder.split("/").some((segment) => ARCHIVE_FOLDER.test(segment));
}

const folderOf = (file: string): string => file.slice(0, Math.max(0, file.lastIndexOf("/")));

const isFlux = ({ id }: Resource) => id.group.endsWith(".fluxcd.io") || id.group === "fluxcd.controlplane.io";

/**
 * The Flux objects of each folder that nothing in the tree delivers: a folder holding a FluxInstance
 * or ResourceSet (Flux Operator), a GitRepository or a HelmRelease none applies is a cluster's root
 * kept where this tree does not bootstrap it, and a Kustomization beside them is that cluster's.
 */
function undeliveredFluxByFolder(set: ManifestSet, delivered: (file: string) => boolean): ReadonlyMap<string, readonly Resource[]> {
  const byFolder = new Map<string, Resource[]>();
  for (const resource of set.resources.values()) {
    if (!isFlux(resource) || !inArchiveFolder(resource.source.file) || delivered(resource.source.file)) continue;
    const folder = folderOf(resource.source.file);
    const known = byFolder.get(folder);
    if (known) known.push(resource);
    else byFolder.set(folder, [resource]);
  }
  return byFolder;
}

export const archiveKey = (resource: Resource): string => `${resource.source.file}#${resource.id.namespace}/${resource.id.name}`;
