import { posix } from "node:path";
import { sitesMeet } from "./gitops-delivery.js";
import { kustomizeRenderOrigin, readersOf } from "./kustomize-inclusion.js";

/** Where a tree applies its files, as far as telling two copies of one object apart needs. */
export interface FileSiting {
  /** The sites GitOps delivers a file to (FileClusters.sites); none where nothing places it. */
  readonly sites: (file: string) => readonly string[];
  /** The kustomizations that accumulate each file (ManifestSet.includedBy). */
  readonly includedBy?: ReadonlyMap<string, readonly string[]> | undefined;
}

/**
 * Whether two files that each write one object (its identity in both) are known to be applied
 * apart, each as its tree places it (the same tree, or the base's and the head's): in two folders,
 * and either placed by GitOps where they cannot meet, or each built by kustomizations that do not
 * build the other (families.md: a copy in another folder is an object of its own, as folders are
 * clusters in many repositories; rollouts-demo's example roots each keep a Service of one name).
 * Copies loose in sibling folders of a tree with no GitOps objects and no kustomization are both
 * applied by `kubectl apply -R -f apps/`, the last one winning, and a loose copy beside one a
 * kustomization builds contends too: nothing says it is not applied.
 */
export function filesApart(a: string, b: string, placed: FileSiting, placedB: FileSiting = placed): boolean {
  if (a === b || buildFolder(a) === buildFolder(b)) return false;
  const [here, there] = [placed.sites(a), placedB.sites(b)];
  if (here.length > 0 && there.length > 0) return !sitesMeet(here, there);
  const builds = kustomizationsBuilding(a, placed.includedBy);
  const others = kustomizationsBuilding(b, placedB.includedBy);
  return builds.length > 0 && others.length > 0 && !others.some((kustomization) => builds.includes(kustomization));
}

/** The folder a file is applied from: a render's is its root's (`apps/prod/(rendered)/kustomization.yaml` → `apps/prod`). */
export const buildFolder = (file: string): string => posix.dirname(file.replace(/\/\(rendered[^)]*\)\/[^/]*$/, "/kustomization.yaml"));

/** The kustomizations whose build holds a file: a kustomize render's own and those accumulating it, or those accumulating a file as written. */
const kustomizationsBuilding = (file: string, includedBy: ReadonlyMap<string, readonly string[]> | undefined): string[] => {
  const origin = kustomizeRenderOrigin(file);
  return origin !== undefined ? readersOf(origin, includedBy) : readersOf(file, includedBy).slice(1);
};

/** An object as far as where it is applied goes: its cluster (the policy's placement), when known, and its file. */
export interface Placed {
  readonly cluster?: string | undefined;
  readonly file: string;
}

/**
 * Whether two objects are surely applied to one cluster: both on the same cluster the policy
 * names, or, where either's is unknown, written in the same folder. Folders are often clusters or
 * environments (`staging/` and `prod/`, each with its own FrontendConfig), so a copy in another one
 * does not stand in for the other.
 */
export const appliedTogether = (a: Placed, b: Placed): boolean =>
  a.cluster !== undefined && b.cluster !== undefined ? a.cluster === b.cluster : posix.dirname(a.file) === posix.dirname(b.file);
