import { posix } from "node:path";

/** A file and the sites its tree's placement puts it on (FileClusters.sites; none where placement does not say). */
export interface PlacedFile {
  readonly file: string;
  readonly sites: (file: string) => readonly string[];
}

/**
 * Whether two definitions are put where they meet, one replacing or combining with the other: the
 * same clusters, or, where placement does not say, one folder. A folder may be a cluster of its own
 * (gke-1/, gke-2/): a copy there may be that cluster's object, so only files of one folder are
 * surely applied together. The resource diff asks it of two versions of one object; a family of
 * two policies that select the same workloads, or of a policy and the one it inherits from.
 */
export function sharePlace(one: PlacedFile, other: PlacedFile): boolean {
  const [here, there] = [one.sites(one.file), other.sites(other.file)];
  if (here.length === 0 || there.length === 0) return posix.dirname(one.file) === posix.dirname(other.file);
  return there.some((cluster) => here.includes(cluster));
}
