import type { Resource } from "./resource.js";

/**
 * The shapes of GitOps placement: which clusters a file lands in (src/model/gitops-placement.ts
 * composes it), and what one delivering object (Argo CD Application or ApplicationSet, Flux
 * Kustomization) sends where (the placement family reads them, through its `deliveries` slot).
 * Detectors of the placement family receive both through their context.
 */

/** The policy's clusters (`topology.clusters`): cluster name → region. */
export type ClusterRegions = Readonly<Record<string, string>>;

export interface FileClusters {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
  /**
   * Where the file lands, as far as telling whether two files land on one cluster needs: its
   * clusters, and, for an object that delivers to wherever it is applied itself (a Flux
   * Kustomization without a kubeConfig) whose own file lands in no cluster the tree names, that
   * object (`where <kind> <namespace>/<name> is applied`): what it delivers lands on one cluster,
   * unnamed. None where nothing places the file.
   */
  readonly sites?: readonly string[];
}

export type FilePlacement = (path: string) => FileClusters;

/**
 * `sgp-1 (region sgp), jkt-1`: clusters with their regions by the policy's topology where it names
 * them; the regions alone where a placement names no cluster; undefined where it names neither.
 */
export const describeClusters = ({ clusters, regions }: FileClusters, byCluster: ClusterRegions): string | undefined => {
  if (clusters.length > 0)
    return clusters.map((cluster) => (byCluster[cluster] ? `${cluster} (region ${byCluster[cluster]})` : cluster)).join(", ");
  return regions.length > 0 ? `region ${regions.join(", ")}` : undefined;
};

/** Where a placement delivers each file (FileClusters.sites); none where nothing places it. */
export const fileSites =
  (placement: FilePlacement) =>
  (file: string): readonly string[] =>
    placement(file).sites ?? [];

const UNNAMED = "where ";
const ARGO_CD = `${UNNAMED}Argo CD runs`;

/**
 * The site of an object that delivers to wherever it is applied itself, where nothing places its
 * own file (FileClusters.sites). Told apart by its key, not its name: every cluster Flux bootstraps
 * has a root Kustomization flux-system/flux-system (`clusters/prod/flux-system/gotk-sync.yaml`,
 * `clusters/staging/…`), each keyed by its file when a tree holds several.
 */
export const unnamedSite = (resource: Resource): string => `${UNNAMED}${resource.key} is applied`;

/**
 * The site of Argo CD's own cluster, which an Application's in-cluster destination names, where
 * nothing places the Application's file: one for every Application of one Argo CD, which holds
 * each identity once, so Applications of one identity in several files (per-cluster Argo CDs:
 * `clusters/prod/apps/web.yaml` and `clusters/staging/apps/web.yaml`, both argocd/web) are in as
 * many clusters, told apart by their files (the scope of their keys).
 */
export const argoCdSite = (resource: Resource): string => {
  const at = resource.key.indexOf("@");
  return `${ARGO_CD}${at < 0 ? "" : ` (${resource.key.slice(at + 1)})`}`;
};

/**
 * Whether a site is Argo CD's own cluster told apart by nothing (argoCdSite of an Application whose
 * identity the tree holds once): where a tree runs several Argo CDs, which one that is the site
 * does not say.
 */
export const unscopedArgoCdSite = (site: string): boolean => site === ARGO_CD;

export const isNamedCluster = (site: string): boolean => !site.startsWith(UNNAMED);

/**
 * Whether files placed at these sites may land on one cluster: a site both share, or one the tree
 * does not name on either side (a Flux Kustomization applied wherever its bootstrap applies it may
 * be on any cluster, most often the one its neighbours are on). Apart on named clusters none of
 * which both share, and at the unnamed sites of two copies of one object: a cluster holds one
 * flux-system/flux-system, so `clusters/prod/…/gotk-sync.yaml` and `clusters/staging/…` bootstrap
 * two clusters (and one Argo CD a cluster, per-cluster Argo CDs each in-cluster).
 */
export const sitesMeet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === 0 || b.length === 0
    ? !a.every(isNamedCluster) || !b.every(isNamedCluster)
    : a.some((x) => b.some((y) => x === y || ((!isNamedCluster(x) || !isNamedCluster(y)) && !copiesApart(x, y))));

/** Two unnamed sites of one object written in several files (or scoped to several clusters): each where one copy is applied. */
const copiesApart = (x: string, y: string): boolean =>
  x !== y && !isNamedCluster(x) && !isNamedCluster(y) && siteObject(x) === siteObject(y);

/** An unnamed site without the scope its object's key or Argo CD's site carries (`@clusters/prod/…`, `(clusters/prod/…)`). */
const siteObject = (site: string): string => site.replace(/@.* is applied$/, " is applied").replace(/ \(.*\)$/, "");

/**
 * Where a delivering object sends a file: named clusters, or wherever the object itself is applied
 * (Flux, no kubeConfig; Argo CD, its in-cluster destination): there, `unplaced` (unnamedSite where
 * unset) where nothing places the object's own file.
 */
export type Destination =
  | { readonly clusters: readonly string[] }
  | {
      readonly whereApplied: true;
      readonly unplaced?: string;
      /** One of those sites alone, by its siteLabel (core/flux-build-output.ts): a Kustomization's own build for one of its clusters. */
      readonly only?: string;
    };

/**
 * One folder a delivering object reads on its own (a Flux Kustomization's path, one source of an
 * Argo CD Application): Argo CD renders each source of a multi-source Application, and each
 * Application an ApplicationSet generates, by itself, so a kustomization one of them builds does
 * not decide what another reads as a directory (`sources: [{path: apps/prod}, {path:
 * apps/prod/extra}]` applies apps/prod/extra/route.yaml whatever apps/prod's kustomization lists).
 */
export interface DeliverySource {
  /** The folder, a repository path (a glob where an ApplicationSet leaves a placeholder). */
  readonly root: string;
  /** Whether it reads the file (an Argo CD directory source's `recurse`, `include` and `exclude` kept). */
  readonly reads: (file: string) => boolean;
  /**
   * Whether what it applies is kustomize's build of the kustomization at its root, where one sits
   * there: Flux's always; Argo CD's unless the source names a plugin, Helm or a directory, or its
   * path is a glob. A plugin's output is its own: what it reads is not known.
   */
  readonly kustomize: boolean;
  /** The Components it adds to that build (Flux `spec.components`, Argo CD `kustomize.components`), as folders of the repository. */
  readonly components: readonly string[];
}

/** One GitOps object that delivers repository paths to clusters. */
export interface Delivery {
  readonly resource: Resource;
  /** The repository paths it reads, as rendered for reviewers (`apps/production`, `apps/*`). */
  readonly paths: readonly string[];
  /** Where a file lands through this object; undefined when the object does not read it. */
  readonly destinationOf: (file: string) => Destination | undefined;
  /** Where it delivers whatever the file (git directory generators render their globs). */
  readonly destinations: readonly Destination[];
  /**
   * Of the files it reads where no kustomization decides, whether it applies this one; each where
   * absent. Flux generates a kustomization for such a folder (model/applied-files.ts) that lists files
   * by name alone (kustomization-files.ts fluxGeneratorLists).
   */
  readonly generatedListing?: (file: string) => boolean;
  /**
   * Its sources a file concerns: those whose folder holds it, and those that add its folder as a
   * Component. Where absent, one source reading every file it delivers, of a build not known.
   */
  readonly sourcesOf?: (file: string) => readonly DeliverySource[];
  /**
   * Whether what it fetches leaves the file out, though its paths hold it (a Flux GitRepository's
   * `.sourceignore` and `spec.ignore`): no build of it reads the file. Nothing is left out where absent.
   */
  readonly leavesOut?: (file: string) => boolean;
  /**
   * Its source paths as written that its generators leave a placeholder in (an ApplicationSet's
   * `{{metadata.annotations.addons_repo_path}}`, filled from a cluster Secret the repository does not
   * hold), and whether a file is under a folder one of them may name (a placeholder standing for
   * any text, slashes too; `paths` holds them as globs): such a path places no file (destinationOf,
   * sourcesOf), and the object's reach is not known (reachUnknown). None where absent.
   */
  readonly unresolved?: { readonly paths: readonly string[]; readonly mayRead: (file: string) => boolean };
}

/**
 * Whether what a delivery applies is not known: it names no path (an ApplicationSet of a generator
 * not read here), or one its generators do not fill in. A tree holding one says nothing of which of
 * its files are applied: each is, as written.
 */
export const reachUnknown = (delivery: Delivery): boolean => delivery.paths.length === 0 || delivery.unresolved !== undefined;
