import type { ManifestSet, Resource } from "../../core/resource.js";
import type { Delivery } from "../../core/gitops-delivery.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";

/** What a tree keeps in archive folders for no one to apply (archiveOf). */
export interface Archive {
  /** Its Flux Kustomizations, by archiveKey: they deliver nothing. */
  readonly kustomizations: ReadonlySet<string>;
  /** Whether it holds a file: one of its archive folders holds the file, and no GitOps object but those Kustomizations reads it. */
  readonly holds: (file: string) => boolean;
}

const NO_ARCHIVE: Archive = { kustomizations: new Set(), holds: () => false };

/**
 * The Flux Kustomizations of a tree that reach no cluster from it, and the files kept with them.
 * A Flux Kustomization in an archive folder (see `inArchiveFolder`) that no GitOps object of the
 * tree delivers — neither its file nor a kustomization accumulating it — is kept there for no one
 * to apply: drag0n141/home-ops 9031f1810d kept home-assistant's old Kustomization under
 * `.archive/`, still naming the live app folder, and read as a delivery it "added" that folder's
 * routes again and rendered it a second time with its own variables; auricom/home-ops 882542eaad
 * deleted an `.archive/` of 60 such Kustomizations, naming app folders long gone, with the apps'
 * HelmReleases and old Gateways beside them, and each was read as applied: 85 high findings for
 * files no cluster ran. So is one that delivers only such Kustomizations (an archived cluster's
 * root with its apps), but not one that delivers a GitOps object outside them: that is where a
 * cluster's delivery starts. Nor one beside a cluster's root nothing here delivers (a FluxInstance,
 * ResourceSet or GitRepository in its folder: flux bootstrap's gotk-sync.yaml, a Flux Operator
 * syncing `.old/staging`), nor one in a `clusters/<name>/` folder: a cluster this tree does not
 * bootstrap applies its own `flux-system/infra`, and deleting it, read as an archive's, passed low
 * while staging pruned its Gateway. An archive folder holding such Kustomizations is the owner's
 * word that what it holds is not applied: a file there that no other GitOps object reads is held
 * by the archive (`holds`), unless a folder on its way down from the archive folder holds a root
 * that stays (what a FluxInstance syncs). Elsewhere a file no delivery reads may be applied by
 * hand, and is reviewed as written. Kustomizations are keyed by file and name: the render stage
 * reads Kustomizations its parents patched, as copies.
 */
export function archiveOf(set: ManifestSet, deliveryOf: (resource: Resource) => Delivery | undefined): Archive {
  const deliveries = [...set.resources.values()].flatMap((resource) => deliveryOf(resource) ?? []);
  const archived = deliveries.filter(
    ({ resource }) => resource.id.group === FLUX_KUSTOMIZE && resource.id.kind === "Kustomization" && inArchiveFolder(resource.source.file),
  );
  if (archived.length === 0) return NO_ARCHIVE;
  const readers = new Map<string, readonly string[]>();
  const readersOfFile = (file: string) => {
    let found = readers.get(file);
    if (!found) readers.set(file, (found = readersOf(file, set.includedBy)));
    return found;
  };
  const reads = (delivery: Delivery, file: string) => readersOfFile(file).some((reader) => delivery.destinationOf(reader));
  const readBy = (file: string, by: (delivery: Delivery) => boolean) =>
    deliveries.some((delivery) => by(delivery) && reads(delivery, file));
  const inArchive = new Set(archived.map(({ resource }) => resource));
  const rootsBeside = undeliveredFluxByFolder(set, (file) => readBy(file, () => true));
  const rootIn = (folder: string) => (rootsBeside.get(folder) ?? []).some((other) => !inArchive.has(other));
  // Until none is left that a delivery outside the archive reads.
  let kept = archived.filter(
    (delivery) =>
      !rootIn(folderOf(delivery.resource.source.file)) &&
      !deliveries.some((other) => !inArchive.has(other.resource) && reads(delivery, other.resource.source.file)),
  );
  for (let dropped = true; dropped;) {
    const next = kept.filter(
      ({ resource }) => !readBy(resource.source.file, (other) => other.resource !== resource && !kept.includes(other)),
    );
    dropped = next.length < kept.length;
    kept = next;
  }
  if (kept.length === 0) return NO_ARCHIVE;
  const keeps = new Set(kept);
  const archives = new Set(kept.map(({ resource }) => archiveFolderOf(resource.source.file)));
  // A root that stays in an archive folder, and what a FluxInstance there syncs below it.
  const stays = new Set([
    ...[...rootsBeside.keys()].filter(rootIn),
    ...archived
      .filter((delivery) => !keeps.has(delivery) && !readBy(delivery.resource.source.file, (other) => other !== delivery))
      .map(({ resource }) => folderOf(resource.source.file)),
  ]);
  const underAStayingRoot = (file: string, archive: string) => {
    for (let folder = folderOf(file); folder.length >= archive.length; folder = folderOf(folder)) if (stays.has(folder)) return true;
    return false;
  };
  return {
    kustomizations: new Set(kept.map(({ resource }) => archiveKey(resource))),
    holds: (file) => {
      const archive = archiveFolderOf(file);
      return (
        archive !== undefined &&
        archives.has(archive) &&
        !underAStayingRoot(file, archive) &&
        !readBy(file, (delivery) => !keeps.has(delivery))
      );
    },
  };
}

const ARCHIVE_FOLDER = /^(?:\..+|archive|archived|deprecated)$/i;
const CLUSTER_FOLDER = /(?:^|\/)clusters\/[^/]+(?:\/|$)/;

/**
 * A file kept where no one means it to be applied: under a dot folder (`.archive/`, `.old/`) or a
 * folder named archive, archived or deprecated, and not in a `clusters/<name>/` folder (where a
 * cluster's root lives). The name is the owner's word only: Flux's generated kustomization (a path
 * without a kustomization.yaml) and an Argo CD directory source with `recurse` both walk dot folders
 * like any other (fluxcd/pkg kustomize_generator.go, argo-cd repository.go findManifests), so what
 * archiveOf takes as kept there is also what none of the tree's other GitOps objects reads.
 */
export const inArchiveFolder = (file: string): boolean => archiveFolderOf(file) !== undefined;

/** The outermost archive folder holding a file (`.archive` for `.archive/kubernetes/app/ks.yaml`), where `inArchiveFolder` holds. */
function archiveFolderOf(file: string): string | undefined {
  const folder = folderOf(file);
  if (CLUSTER_FOLDER.test(folder)) return undefined;
  const segments = folder.split("/");
  const at = segments.findIndex((segment) => ARCHIVE_FOLDER.test(segment));
  return at === -1 ? undefined : segments.slice(0, at + 1).join("/");
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
