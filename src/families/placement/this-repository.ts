import type { ManifestSet, Resource } from "../../core/resource.js";
import { record, text } from "../../core/json-access.js";
import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import { repositoryKey } from "../../core/repository-url.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { normalizeRepoPath, treeFolders } from "../../core/tree-folders.js";
import { FLUX_KUSTOMIZE, FLUX_SOURCE } from "../../core/flux-groups.js";

/** The `namespace/name` of the source a Flux Kustomization reads, when it is a GitRepository. */
export const gitSourceOf = (resource: Resource): string | undefined => {
  const source = record(record(resource.body.spec).sourceRef);
  if ((text(source.kind) ?? "GitRepository") !== "GitRepository") return undefined;
  return `${text(source.namespace) ?? resource.id.namespace}/${text(source.name) ?? ""}`;
};

/** Which of a tree's Flux GitRepositories (`namespace/name`) are this repository, and which another's. */
export interface ThisRepository {
  /** Known to be this repository: `flux-system`, and those a Kustomization reads a path of that this tree holds. */
  readonly here: ReadonlySet<string>;
  /** The keys (repositoryKey) of their URLs, where written literally. */
  readonly ours: ReadonlySet<string>;
  /** Those whose URL names another repository: their Kustomizations deliver none of this tree's files. */
  readonly foreign: ReadonlySet<string>;
}

const literal = (url: string | undefined): url is string => url !== undefined && !url.includes("${");
const urlOf = (resource: Resource | undefined): string | undefined => text(record(resource?.body.spec).url);
const sourceKey = (resource: Resource): string => `${resource.id.namespace}/${resource.id.name}`;

const judged = new WeakMap<ManifestSet, ThisRepository>();

/**
 * Which GitRepositories of a tree are this repository (the "CRDs from upstream" pattern,
 * onedr0p/cluster-template 2b09fbca: GitRepository metallb-source of github.com/metallb/metallb, a
 * Kustomization of it with no path read as delivering this whole tree). This repository is a
 * GitRepository named `flux-system` (`flux bootstrap` names it so), or one a Kustomization reads a
 * path of that this tree holds, and any other of the same URL however written (another branch of
 * it). Another GitRepository whose URL names another repository is foreign. Only evidence makes one
 * foreign: where no GitRepository known to be this repository has a literal URL (flux-system's is a
 * `${GIT_REPOSITORY_URL}` substitution), every one is taken to be this repository (such a tree's
 * new GitRepository of this repository read as another's, and the delivery to a staging cluster
 * added through it passed as two low lines).
 */
export function thisRepository(set: ManifestSet): ThisRepository {
  const known = judged.get(set);
  if (known) return known;
  const urls = new Map<string, string | undefined>();
  for (const resource of resourcesOfKind(set, "GitRepository"))
    if (resource.id.group === FLUX_SOURCE) urls.set(sourceKey(resource), urlOf(resource));
  const here = new Set([...urls.keys()].filter((key) => key.endsWith("/flux-system")));
  if (urls.size > 0)
    for (const resource of resourcesOfKind(set, "Kustomization")) {
      if (resource.id.group !== FLUX_KUSTOMIZE) continue;
      const source = gitSourceOf(resource);
      const path = normalizeRepoPath(text(record(resource.body.spec).path) ?? "");
      if (source !== undefined && urls.has(source) && path !== "" && treeFolders(set.files).has(path)) here.add(source);
    }
  const ours = new Set([...here].flatMap((key) => (literal(urls.get(key)) ? [repositoryKey(urls.get(key)!)] : [])));
  const foreign =
    ours.size === 0
      ? new Set<string>()
      : new Set([...urls].flatMap(([key, url]) => (!here.has(key) && literal(url) && !ours.has(repositoryKey(url)) ? [key] : [])));
  const found = { here, ours, foreign };
  judged.set(set, found);
  return found;
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
