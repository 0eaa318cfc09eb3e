import type { ManifestSet } from "../core/resource.js";
import type { Delivery } from "../core/gitops-delivery.js";
import type { Topology } from "../policy/policy-schema.js";
import type { ClusterOfFile } from "./file-placement.js";
import { readersOf } from "../core/kustomize-inclusion.js";
import { resourcesOfKind } from "../core/resources-of-kind.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { deliveriesOf, deliveryKinds } from "./gitops-placement.js";

/** Whether a tree applies what a file of it holds. */
export type AppliedFile = (file: string) => boolean;

const folderOf = (path: string): string => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "");

/** The kustomization file of each folder that holds one, from a tree's paths as committed (a render takes their place in the review). */
export function kustomizationsOf(paths: readonly string[]): ReadonlyMap<string, string> {
  return new Map(paths.filter(isKustomizationFile).map((path) => [folderOf(path), path]));
}

/**
 * Which files a tree applies, as its GitOps objects say (research §1.6): a file an Argo CD
 * Application or ApplicationSet or a Flux Kustomization reads (model/gitops-placement.ts's
 * deliveries, an Argo CD directory source's `recurse`, `include` and `exclude` kept), or one a
 * kustomization it reads accumulates, or one the policy's `topology.placements` place. Where a
 * kustomization it reads sits in the file's folder or above it, that kustomization decides: Flux
 * builds the folder's kustomization, and the one it generates for a folder without one stops at
 * a subfolder holding one and lists only files named `.yaml` or `.yml`, so a file beside it that
 * it does not list, or a route renamed `.json` or `.YAML` where no kustomization lists it, is applied
 * by nothing. A kustomization's render is applied where its folder is. A tree with no such object, or one whose
 * reach is not known (an ApplicationSet of a generator not read here), says nothing: every file of
 * it is applied as written, as the review has it without GitOps objects.
 */
export function appliedFiles(
  set: ManifestSet,
  kustomizations: ReadonlyMap<string, string>,
  topology: Topology,
  clusterOfFile: ClusterOfFile,
): AppliedFile {
  const deliveryOf = deliveriesOf(set, topology.clusters);
  const deliveries: Delivery[] = deliveryKinds.flatMap((kind) =>
    resourcesOfKind(set, kind).flatMap((resource) => deliveryOf(resource) ?? []),
  );
  if (deliveries.length === 0 || deliveries.some((delivery) => delivery.paths.length === 0)) return () => true;
  const appliers = deliveryAppliers(kustomizations, set.includedBy);
  const memo = new Map<string, boolean>();
  return (file) => {
    let applied = memo.get(file);
    if (applied === undefined) {
      applied = clusterOfFile(file) !== undefined || deliveries.some(appliers(file));
      memo.set(file, applied);
    }
    return applied;
  };
}

/**
 * For a file, whether a delivery applies it (see appliedFiles): it reads the file itself, or a
 * kustomization accumulating it, and no kustomization it reads in that file's folder or above
 * decides otherwise. A file a delivery's path holds beside a kustomization that does not list it
 * (samip5/k8s-cluster's overlays/<cluster>/github/ingress.yaml) is applied by none.
 */
export function deliveryAppliers(
  kustomizations: ReadonlyMap<string, string>,
  includedBy: ReadonlyMap<string, readonly string[]> | undefined,
): (file: string) => (delivery: Delivery) => boolean {
  /** Whether a kustomization `delivery` reads sits in `folder` or above it. */
  const underKustomization = (delivery: Delivery, folder: string): boolean => {
    for (let at: string | undefined = folder; at !== undefined; at = at === "" ? undefined : folderOf(at)) {
      const kustomization = kustomizations.get(at);
      if (kustomization && delivery.destinationOf(kustomization)) return true;
    }
    return false;
  };
  /**
   * Read by a delivery itself, not through a kustomization (a kustomization's own file through the
   * ones above it), and listed by the kustomization Flux generates there: a folder's kustomization
   * is taken whole, any other file by its name.
   */
  const readDirectly = (delivery: Delivery, file: string): boolean => {
    if (delivery.destinationOf(file) === undefined) return false;
    if (file.includes("(rendered")) return true;
    const folder = folderOf(file);
    const folderKustomization = isKustomizationFile(file) && kustomizations.get(folder) === file;
    const above = folderKustomization ? (folder === "" ? undefined : folderOf(folder)) : folder;
    return (
      (above === undefined || !underKustomization(delivery, above)) && (folderKustomization || delivery.generatedListing?.(file) !== false)
    );
  };
  return (file) => {
    const readers = readersOf(file, includedBy);
    return (delivery) => readers.some((reader) => readDirectly(delivery, reader));
  };
}

/**
 * Whether a tree applies a file with the rest of its folder: where the folder holds a kustomization,
 * whether that kustomization accumulates it (Flux and `kubectl apply -k` build the kustomization, so
 * a file beside it that it does not list is not applied with those it lists); where it holds none, yes.
 */
export function listedWithFolder(
  kustomizations: ReadonlyMap<string, string>,
  includedBy: ReadonlyMap<string, readonly string[]>,
): (file: string) => boolean {
  return (file) => {
    const kustomization = kustomizations.get(folderOf(file));
    return kustomization === undefined || kustomization === file || readersOf(file, includedBy).includes(kustomization);
  };
}
