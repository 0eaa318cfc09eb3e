import type { ManifestSet, Resource } from "../../core/resource.js";
import { record, text } from "../../core/json-access.js";
import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import { repositoryKey } from "../../core/repository-url.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { normalizeRepoPath, treeFolders } from "../../core/tree-folders.js";
import { FLUX_KUSTOMIZE, FLUX_SOURCE } from "../../core/flux-groups.js";
import { instanceSync } from "./flux-instance.js";
import { sortedSet } from "../../core/canonical-values.js";

/**
 * The `namespace/name` of the source a Flux Kustomization reads, when it is a GitRepository; of a
 * FluxInstance, the GitRepository its sync generates, which it reads (flux-instance.ts).
 */
const gitSourceOf = (resource: Resource): string | undefined => {
  const sync = instanceSync(resource);
  if (sync) return sync.kind === "GitRepository" ? `${resource.id.namespace}/${sync.name}` : undefined;
  const source = record(record(resource.body.spec).sourceRef);
  if ((text(source.kind) ?? "GitRepository") !== "GitRepository") return undefined;
  return `${text(source.namespace) ?? resource.id.namespace}/${text(source.name) ?? ""}`;
};

/** Which of a tree's Flux GitRepositories (`namespace/name`) are this repository, and which another's. */
export interface ThisRepository {
  /** Known to be this repository, by the strongest evidence the tree holds and what no URL contradicts (thisRepository). */
  readonly here: ReadonlySet<string>;
  /** The keys (repositoryKey) of their URLs, where written literally. */
  readonly ours: ReadonlySet<string>;
  /** Those whose URL names another repository: their Kustomizations deliver none of this tree's files. */
  readonly foreign: ReadonlySet<string>;
  /** The GitRepositories of each name. */
  readonly named: ReadonlyMap<string, readonly Resource[]>;
}

const literal = (url: string | undefined): url is string => url !== undefined && !url.includes("${");
/** A GitRepository's URL, or a FluxInstance's sync URL (of the GitRepository it generates). */
const urlOf = (resource: Resource | undefined): string | undefined =>
  resource && (instanceSync(resource)?.url ?? text(record(resource.body.spec).url));
/** A GitRepository's `namespace/name`, or that of the one a FluxInstance's sync generates. */
const sourceKey = (resource: Resource): string => `${resource.id.namespace}/${instanceSync(resource)?.name ?? resource.id.name}`;
/** The path a Flux Kustomization applies, or the one a FluxInstance's sync does. */
const pathOf = (resource: Resource): string | undefined => {
  const sync = instanceSync(resource);
  return sync ? sync.path : text(record(resource.body.spec).path);
};
/** The name of a `namespace/name` reference. */
const nameOf = (ref: string): string => ref.slice(ref.indexOf("/") + 1);

const judged = new WeakMap<ManifestSet, ThisRepository>();

/**
 * Which GitRepositories of a tree are this repository (the "CRDs from upstream" pattern,
 * onedr0p/cluster-template 2b09fbca: GitRepository metallb-source of github.com/metallb/metallb, a
 * Kustomization of it with no path read as delivering this whole tree). The evidence, strongest
 * first: a GitRepository named `flux-system` (`flux bootstrap` names it so), or the one a FluxInstance's
 * sync generates (its cluster's bootstrap, whatever its name); one a Flux root reads,
 * a Kustomization whose path holds its own file (carpenike/k8s-gitops' k8s-gitops-kubernetes,
 * onedr0p's home-kubernetes); one any Kustomization reads a path of that this tree holds. The
 * strongest kind the tree holds with a literal URL says which URL is this repository (ours), and
 * any GitRepository of it however written is this repository (another branch of it). A weaker
 * kind does not override it: another URL is another repository even where a Kustomization reads
 * from it a path this tree also holds (a Kustomization's sourceRef moved from flux-system to
 * team-reviews of github.com/example-org/reviews-config, its path kept, was read as the same
 * delivery: one low line, while Flux prunes what it applied and applies another repository's
 * files). Only evidence makes one foreign: where no GitRepository known to be this repository has a
 * literal URL (flux-system's is a `${GIT_REPOSITORY_URL}` substitution), every one is taken to be
 * this repository (such a tree's new GitRepository of this repository read as another's, and the
 * delivery to a staging cluster added through it passed as two low lines).
 */
function thisRepository(set: ManifestSet): ThisRepository {
  const known = judged.get(set);
  if (known) return known;
  const written = new Map<string, string | undefined>();
  const named = new Map<string, Resource[]>();
  // A FluxInstance syncing a GitRepository generates one: its cluster's bootstrap, as `flux bootstrap`'s flux-system.
  const syncs = resourcesOfKind(set, "FluxInstance").filter((resource) => instanceSync(resource)?.kind === "GitRepository");
  for (const resource of [...resourcesOfKind(set, "GitRepository").filter(({ id }) => id.group === FLUX_SOURCE), ...syncs]) {
    const name = nameOf(sourceKey(resource));
    written.set(sourceKey(resource), urlOf(resource));
    named.set(name, [...(named.get(name) ?? []), resource]);
  }
  const bootstrap = sortedSet([...[...written.keys()].filter((key) => key.endsWith("/flux-system")), ...syncs.map(sourceKey)]);
  const [roots, readers] = [new Set<string>(), new Set<string>()];
  if (written.size > 0)
    for (const resource of [...resourcesOfKind(set, "Kustomization").filter(({ id }) => id.group === FLUX_KUSTOMIZE), ...syncs]) {
      const source = gitSourceOf(resource);
      const path = normalizeRepoPath(pathOf(resource) ?? "");
      if (source === undefined || path === "" || !treeFolders(set.files).has(path)) continue;
      // Looked up where the tree defines none, it was meant to read those of its name (readsThisTree).
      const meant = written.has(source) ? [source] : (named.get(nameOf(source)) ?? []).map(sourceKey);
      const root = resource.source.file.startsWith(`${path}/`);
      for (const key of meant) (root ? roots : readers).add(key);
    }
  const keyOf = (key: string) => (literal(written.get(key)) ? [repositoryKey(written.get(key)!)] : []);
  const evidence = [bootstrap, [...roots], [...roots, ...readers]];
  const ours = new Set(evidence.find((keys) => keys.some((key) => keyOf(key).length > 0))?.flatMap(keyOf) ?? []);
  const here = new Set(evidence.flat().filter((key) => keyOf(key).every((url) => ours.has(url))));
  const foreign = new Set(ours.size === 0 ? [] : [...written.keys()].filter((key) => keyOf(key).some((url) => !ours.has(url))));
  const found = { here, ours, foreign, named };
  judged.set(set, found);
  return found;
}

/** A Flux Kustomization's GitRepository that Flux does not find, as its tree defines that name in other namespaces only. */
export interface MisplacedSource {
  /** The `namespace/name` Flux looks the source up by. */
  readonly ref: string;
  /** The namespaces the tree defines a GitRepository of that name in. */
  readonly definedIn: readonly string[];
}

/**
 * The GitRepositories of a tree of the name a Kustomization's sourceRef gives, those of them where
 * Flux looks it up, and those it is read as (readsThisTree): the ones found, else every one of the name.
 */
const lookup = (
  ref: string,
  set: ManifestSet,
): { readonly named: readonly Resource[]; readonly found: readonly Resource[]; readonly read: readonly Resource[] } => {
  const named = thisRepository(set).named.get(nameOf(ref)) ?? [];
  const found = named.filter((source) => sourceKey(source) === ref);
  return { named, found, read: found.length > 0 ? found : named };
};

/**
 * Where a Flux Kustomization's `sourceRef` names a GitRepository the tree defines, but not in the
 * namespace Flux looks in (the sourceRef's, else the Kustomization's own): the namespace slip
 * (carpenike/k8s-gitops f1797791fd: Kustomization cilium-config given `namespace: kube-system`, its
 * sourceRef naming k8s-gitops-kubernetes without the flux-system it is defined in; fixed two
 * commits later). kustomize-controller finds no source and fails the reconcile. A source the tree
 * never defines is not one: `flux bootstrap` creates flux-system out of the tree (gotk-sync.yaml
 * not committed). Nor where the tree does not say the namespaces: the Kustomization's, where its
 * sourceRef gives none, or any definition's of that name, which lands wherever it is applied
 * (Resource.namespaceImplied).
 */
export function misplacedSource(resource: Resource, set: ManifestSet): MisplacedSource | undefined {
  const ref = gitSourceOf(resource);
  const written = text(record(record(resource.body.spec).sourceRef).namespace) !== undefined || !resource.namespaceImplied;
  if (ref === undefined || !written) return undefined;
  const sources = lookup(ref, set);
  if (sources.named.length === 0 || sources.found.length > 0 || sources.named.some((source) => source.namespaceImplied)) return undefined;
  return { ref, definedIn: [...new Set(sources.named.map((source) => source.id.namespace))].sort() };
}

/**
 * Whether a Flux Kustomization reads this tree's files, as far as the tree tells: not where its
 * GitRepository is another repository's. One Flux does not find where it looks (misplacedSource,
 * or a Kustomization whose namespace the tree does not say) is read as the GitRepositories the
 * tree defines of that name, which it was meant to read: the slip changes nothing Flux applied (it
 * fails before building, and prunes nothing), and the placement detector judges what it stops.
 * Taken for this repository instead, upstream CRDs (a Kustomization of another repository's
 * source, with no path) moved to kube-system delivered this whole tree (carpenike/k8s-gitops
 * de9751ec: every render root of the tree placed anew, 146 high findings). Only a name the tree
 * never defines is taken for this repository, as `flux bootstrap` creates flux-system.
 */
export const readsThisTree = (resource: Resource, set: ManifestSet): boolean => {
  const ref = gitSourceOf(resource);
  if (ref === undefined) return true;
  const { read } = lookup(ref, set);
  const { foreign } = thisRepository(set);
  return read.length === 0 || read.some((source) => !foreign.has(sourceKey(source)));
};

/** The GitRepositories of its tree a Flux Kustomization reads (readsThisTree's lookup); none for a source of another kind, or one the tree does not define. */
export const gitSourcesOf = (resource: Resource, set: ManifestSet): readonly Resource[] => {
  const ref = gitSourceOf(resource);
  return ref === undefined ? [] : lookup(ref, set).read;
};

/** A GitRepository a Flux Kustomization reads that its tree judges another repository's. */
export interface ForeignSource {
  /** The `namespace/name` its sourceRef gives. */
  readonly ref: string;
  /** The URLs of the GitRepositories it reads, as written. */
  readonly urls: readonly string[];
  /** The keys (repositoryKey) of this repository's URLs, by the same tree. */
  readonly ours: readonly string[];
}

/** The GitRepository of a Flux Kustomization that reads none of its tree (readsThisTree), as the tree judges it. */
export function foreignSource(resource: Resource, set: ManifestSet): ForeignSource | undefined {
  const ref = gitSourceOf(resource);
  if (ref === undefined || readsThisTree(resource, set)) return undefined;
  const urls = lookup(ref, set).read.flatMap((source) => urlOf(source) ?? []);
  return { ref, urls: [...new Set(urls)].sort(), ours: [...thisRepository(set).ours].sort() };
}

/**
 * Each tree judges from its own evidence which GitRepositories are this repository, so a PR could
 * make the head read this repository as another's: flux-system's URL pointed elsewhere (or the
 * GitRepository renamed to one of another URL) turns every other GitRepository of this repository
 * foreign, and the deliveries the PR adds through them are placed nowhere. What the base knew to be
 * this repository is not unlearnt by the head alone: a GitRepository the head reads as another
 * repository's under a URL the base knew as this one's, and this repository's own source pointed
 * at another repository (the clusters sync that one instead), are route.attachment-changed (high,
 * as a Flux Kustomization's moved path is): what this repository delivers is attached elsewhere.
 */
export const thisRepositoryDetector: ResourceDetector = (change, context) => {
  const resource = change.head ?? change.base;
  if (!resource || resource.id.group !== FLUX_SOURCE || resource.id.kind !== "GitRepository") return [];
  const [before, after] = [thisRepository(context.base), thisRepository(context.head)];
  const key = sourceKey(resource);
  const out = new DetectionList(change);
  const [was, now] = [urlOf(change.base), urlOf(change.head)];
  if (change.head && after.foreign.has(key) && literal(now) && before.ours.has(repositoryKey(now)))
    out.add({
      class: "route.attachment-changed",
      summary: `${now} is this repository by the base tree (${[...before.here].join(", ")}), but the head reads it as another repository's, so what Kustomizations of it deliver is not placed: review them as this repository's`,
      side: "head",
      path: ["spec", "url"],
      after: now,
    });
  if (change.base && before.here.has(key) && literal(was) && after.ours.size > 0 && !after.ours.has(repositoryKey(was)))
    out.add({
      class: "route.attachment-changed",
      summary: `this repository's source ${was} → ${change.head ? (now ?? "(none)") : "(removed)"}, while the head names ${[...after.here].join(", ")} this repository: its Kustomizations deliver another repository's files to their clusters, and GitRepositories of ${was} read as another repository's`,
      side: change.head ? "head" : "base",
      path: ["spec", "url"],
      before: was,
      ...(now === undefined ? {} : { after: now }),
    });
  return out.detections;
};
