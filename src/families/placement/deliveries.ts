import picomatch from "picomatch";
import { posix } from "node:path";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { flag, isRecord, list, optionalRecord, record, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { sortedSet } from "../../core/canonical-values.js";
import { argoCdSite, type ClusterRegions, type Delivery, type DeliverySource, type Destination } from "../../core/gitops-delivery.js";
import type { Deliveries } from "../family.js";
import { inFluxBuild, ownFluxBuild } from "../../core/flux-build-output.js";
import { normalizeRepoPath, treeFolders } from "../../core/tree-folders.js";
import { gitSourcesOf, readsThisTree } from "./this-repository.js";
import { sourceIgnored } from "./source-ignore.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { fluxGeneratorLists, KUSTOMIZATION_NAMES } from "../../core/kustomization-files.js";
import { archiveKey, archiveOf, type Archive } from "./archived-kustomizations.js";
import { flatten, pathParams, render, unfilled, type Params } from "./argo-templates.js";
import { kubeConfigOf, remoteSite } from "../../core/flux-kubeconfig.js";
import { instanceSync, syncKustomizationSpec } from "./flux-instance.js";

/**
 * What the GitOps objects of a tree deliver where (research §1.6): an Argo CD Application or
 * ApplicationSet every file under its source paths to its destination clusters, a Flux
 * Kustomization every file under its path (or copied there by an ArtifactGenerator) to the cluster
 * of its kubeConfig (core/flux-kubeconfig.ts remoteSite), else wherever the Kustomization itself is
 * applied, and a Flux Operator FluxInstance its sync's path to the cluster it runs on
 * (flux-instance.ts). Source repositories are this repository (Argo CD `repoURL`s are not compared),
 * but for a Flux GitRepository known to be another repository's, or one Flux does not find
 * (this-repository.ts readsThisTree). Which clusters a file lands in, transitively and with the
 * policy's patterns, is the model's to compose (src/model/gitops-placement.ts).
 */

/** Argo CD's names for the cluster it runs in. */
const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";
const IN_CLUSTER_NAME = "in-cluster";

/** Whether `file` sits under `root`; a root rendered with unresolved template parts is a glob. */
const under = (root: string): ((file: string) => boolean) => {
  if (root === "") return () => true;
  if (!picomatch.scan(root).isGlob) return (file) => file === root || file.startsWith(`${root}/`);
  const matcher = picomatch([root, `${root}/**`], { dot: true });
  return (file) => matcher(file);
};

// ---------------------------------------------------------------------------------------------
// Argo CD templates

/** Whatever placeholders remain match any one path segment. */
const asGlob = (path: string): string => path.replace(/\{\{[^}]*\}\}/g, "*");

/**
 * The files under any folder a path with placeholders left may name: a placeholder stands for any
 * text, slashes too (gitops-bridge's `{{metadata.annotations.addons_repo_basepath}}` is `argocd/`).
 */
const anyFilling = (path: string): ((file: string) => boolean) => {
  const pattern = normalizeRepoPath(path)
    .split(/\{\{[^}]*\}\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const matcher = new RegExp(`^${pattern}(?:/.*)?$`, "s");
  return (file) => matcher.test(file);
};

const selectorText = (selector: unknown): string => {
  const fields = record(selector);
  const parts = [
    ...Object.entries(stringMap(fields.matchLabels)).map(([key, value]) => `${key}=${value}`),
    ...list(fields.matchExpressions).map((expression) => {
      const { key, operator, values } = record(expression);
      return `${text(key) ?? ""} ${text(operator) ?? ""} (${list(values).map(String).join(", ")})`;
    }),
  ];
  return parts.length === 0 ? "" : ` matching ${parts.sort().join(", ")}`;
};

/**
 * The cluster generator iterates over Argo CD cluster Secrets, which live in the Argo CD cluster,
 * not in the repository: its clusters are one symbolic label naming the selector.
 */
const clusterGeneratorParams = (generator: JsonRecord): Params => {
  const label = `all Argo CD clusters${selectorText(generator.selector)}`;
  return { ...flatten(generator.values, "values."), name: label, nameNormalized: label, server: label };
};

/** A git directory generator yields one parameter set per directory; for a file, the directory holding it. */
const directoryParams = (glob: string, file: string | undefined): Params | undefined => {
  const normal = normalizeRepoPath(glob);
  let directory: string | undefined;
  if (file === undefined) directory = normal;
  else {
    const matcher = picomatch(normal, { dot: true });
    const segments = file.split("/").slice(0, -1);
    for (let depth = segments.length; depth > 0 && directory === undefined; depth--) {
      const candidate = segments.slice(0, depth).join("/");
      if (matcher(candidate)) directory = candidate;
    }
  }
  return directory === undefined ? undefined : pathParams(directory);
};

/** Parameter sets of one generator (for a given file when the parameters depend on it); unsupported generators yield none. */
const generatorParams = (generator: unknown, file: string | undefined): Params[] => {
  const fields = record(generator);
  if (isRecord(fields.list)) return list(fields.list.elements).map((element) => flatten(element));
  if (isRecord(fields.clusters)) return [clusterGeneratorParams(fields.clusters)];
  if (isRecord(fields.git)) {
    const directories = list(fields.git.directories).map(record);
    const excluded = directories.filter((entry) => entry.exclude === true).map((entry) => normalizeRepoPath(text(entry.path) ?? ""));
    if (file !== undefined && excluded.some((glob) => directoryParams(glob, file) !== undefined)) return [];
    return directories
      .filter((entry) => entry.exclude !== true)
      .flatMap((entry) => {
        const params = directoryParams(text(entry.path) ?? "", file);
        return params ? [params] : [];
      });
  }
  if (isRecord(fields.matrix)) {
    const [first, second] = list(fields.matrix.generators).map((child) => generatorParams(child, file));
    return (first ?? []).flatMap((left) => (second ?? [{}]).map((right) => ({ ...left, ...right })));
  }
  return [];
};

const destinationCluster = (destination: unknown, params: Params): string | undefined => {
  const fields = record(destination);
  const name = text(fields.name);
  if (name) return render(name, params);
  const server = text(fields.server);
  if (!server) return undefined;
  const rendered = render(server, params);
  return rendered === IN_CLUSTER_SERVER ? IN_CLUSTER_NAME : rendered;
};

/**
 * Where an Application's cluster is: a named one, or, for the cluster Argo CD runs in (in-cluster),
 * where the Application itself is applied, as a Flux Kustomization without a kubeConfig — the
 * cluster its own file lands in, else Argo CD's own (argoCdSite). Each cluster may run its own Argo
 * CD: `clusters/prod/apps/web.yaml` and `clusters/staging/apps/web.yaml`, both argocd/web to
 * in-cluster, are two clusters, and a route moved from one's path to the other's is pruned in prod.
 * Where the policy names `in-cluster` (`topology.clusters`), that is the one cluster it is.
 */
const clusterDestination = (cluster: string, resource: Resource, clusters: ClusterRegions): Destination =>
  cluster === IN_CLUSTER_NAME && clusters[IN_CLUSTER_NAME] === undefined
    ? { whereApplied: true, unplaced: argoCdSite(resource) }
    : { clusters: [cluster] };

/** Path sources of an Application spec, each with how Argo CD reads its folder; chart sources have none. */
const pathSources = (spec: JsonRecord): { path: string; source: JsonRecord }[] =>
  [spec.source, ...list(spec.sources)].flatMap((source) => {
    const path = text(record(source).path);
    return path === undefined ? [] : [{ path, source: record(source) }];
  });

/** What tells Argo CD a folder is a kustomization or a chart, not a directory of manifests. */
const TOOL_FILES = new Set([...KUSTOMIZATION_NAMES, "Chart.yaml"]);

/** The folders of a tree that hold a kustomization or a chart, or a kustomization's render (which took its place). */
const toolFoldersOf = (files: readonly string[]): ReadonlySet<string> => {
  const found = new Set<string>();
  for (const file of files) {
    const rendered = file.indexOf("/(rendered");
    const at = rendered >= 0 ? rendered : file.lastIndexOf("/");
    if (rendered >= 0 || TOOL_FILES.has(file.slice(at + 1))) found.add(at < 0 ? "" : file.slice(0, at));
  }
  return found;
};

/** The files Argo CD's repo server reads from a directory source, by name as written (its `manifestFile` pattern): not `.YAML`. */
const DIRECTORY_SOURCE_FILE = /\.(?:ya?ml|json|jsonnet)$/;

/**
 * The files of a path source Argo CD applies. A directory source (the `directory` field, or a
 * folder holding no kustomization and no chart) reads the folder's own files only unless
 * `directory.recurse`, and of them those named as manifests (DIRECTORY_SOURCE_FILE) that `include`
 * matches and `exclude` does not — globs over the path from the folder in which `*` crosses
 * folders, as Argo CD's glob has it (a route moved into `routes/` under a source that does not
 * recurse, renamed `.yml` under `include: '*.yaml'`, or renamed `.YAML`, is pruned). A
 * kustomization, a chart or a plugin reads what its tool reads: every file under it stands, its
 * kustomizations deciding (model/applied-files.ts).
 */
const readsOfSource = (root: string, source: JsonRecord, toolFolders: () => ReadonlySet<string>): ((file: string) => boolean) => {
  const inside = under(root);
  if (picomatch.scan(root).isGlob || ["helm", "kustomize", "plugin"].some((tool) => source[tool] !== undefined)) return inside;
  const directory = optionalRecord(source.directory);
  if (!directory && toolFolders().has(root)) return inside;
  const folder = root === "" ? "" : `${root}/`;
  // A pattern an ApplicationSet fills in per application is not known here: it filters nothing.
  const glob = (pattern: unknown) => {
    const written = text(pattern);
    return written && !written.includes("{{") ? picomatch(written, { bash: true, dot: true }) : undefined;
  };
  const [include, exclude] = [glob(directory?.include), glob(directory?.exclude)];
  const recurse = flag(directory?.recurse) === true;
  return (file) => {
    if (!inside(file) || file === root) return false;
    const relative = file.slice(folder.length);
    return (
      (recurse || !relative.includes("/")) &&
      DIRECTORY_SOURCE_FILE.test(relative) &&
      (!include || include(relative)) &&
      !exclude?.(relative)
    );
  };
};

/**
 * The folders the Components a kustomize build adds name, each relative to the folder it builds
 * (Flux `spec.components`, Argo CD `kustomize.components`, which it adds with `kustomize edit add
 * component`); a remote one joined so names no folder of the tree.
 */
const componentFolders = (root: string, entries: unknown): string[] =>
  list(entries).flatMap((entry) => (typeof entry === "string" ? [normalizeRepoPath(posix.normalize(posix.join(root || ".", entry)))] : []));

/** A source, with whether its folder holds a file. */
interface HeldSource {
  readonly source: DeliverySource;
  readonly holds: (file: string) => boolean;
}

const held = (source: DeliverySource): HeldSource => ({ source, holds: under(source.root) });

/** One source of an Argo CD Application (DeliverySource): a kustomize build where it names no plugin, Helm or directory and its path is no glob. */
const argoSource = (root: string, source: JsonRecord, toolFolders: () => ReadonlySet<string>): HeldSource =>
  held({
    root,
    reads: readsOfSource(root, source, toolFolders),
    kustomize: !picomatch.scan(root).isGlob && !["helm", "plugin", "directory"].some((tool) => source[tool] !== undefined),
    components: componentFolders(root, optionalRecord(source.kustomize)?.components),
  });

/** The sources a file concerns (Delivery.sourcesOf): those whose folder holds it, or that add its folder as a Component. */
const concerning = (sources: readonly HeldSource[], file: string): DeliverySource[] => {
  const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  return sources.flatMap(({ source, holds }) => (holds(file) || source.components.includes(folder) ? [source] : []));
};

/**
 * The rendered output of an Application's helm sources sits beside the Application, in
 * `(rendered <name>)` (or `(rendered <name>#<source>)`) folders (render/render-plan.ts): it lands
 * where the Application delivers.
 */
const renderedFromApplication = (resource: Resource, name = resource.id.name): ((file: string) => boolean) => {
  const folder = resource.source.file.includes("/") ? resource.source.file.slice(0, resource.source.file.lastIndexOf("/") + 1) : "";
  const prefix = `${folder}(rendered ${name}`;
  return (file) => file.startsWith(prefix) && (file[prefix.length] === ")" || file[prefix.length] === "#");
};

const applicationDelivery = (
  resource: Resource,
  toolFolders: () => ReadonlySet<string>,
  clusters: ClusterRegions,
): Delivery | undefined => {
  const spec = record(resource.body.spec);
  const cluster = destinationCluster(spec.destination, {});
  const sources = pathSources(spec).map(({ path, source }) => argoSource(normalizeRepoPath(path), source, toolFolders));
  const paths = sources.map(({ source }) => source.root);
  if (!cluster || paths.length === 0) return undefined;
  const contains = [...sources.map(({ source }) => source.reads), renderedFromApplication(resource)];
  const destination = clusterDestination(cluster, resource, clusters);
  return {
    resource,
    paths,
    destinationOf: (file) => (contains.some((inside) => inside(file)) ? destination : undefined),
    destinations: [destination],
    sourcesOf: (file) => concerning(sources, file),
  };
};

const applicationSetDelivery = (
  resource: Resource,
  toolFolders: () => ReadonlySet<string>,
  clusters: ClusterRegions,
): Delivery | undefined => {
  const spec = record(resource.body.spec);
  const template = record(record(spec.template).spec);
  const templateSources = pathSources(template);
  if (templateSources.length === 0) return undefined;
  const named = text(record(record(spec.template).metadata).name) ?? "";
  const targets = (file: string | undefined) =>
    list(spec.generators)
      .flatMap((generator) => generatorParams(generator, file))
      .flatMap((params) => {
        const cluster = destinationCluster(template.destination, params);
        // What the render stage makes of this Application's charts sits beside the set, under its name (render-plan.ts generatedRoots).
        const rendered = renderedFromApplication(resource, render(named, params));
        return templateSources.map(({ path, source }) => {
          const filled = render(path, params);
          return {
            written: path,
            filled,
            path: normalizeRepoPath(asGlob(filled)),
            source,
            cluster,
            rendered,
            unresolved: unfilled(filled),
          };
        });
      });
  // A path its generators leave a placeholder in (a cluster Secret's annotation, a Go template
  // function) may name any folder its glob matches, or none: it places no file (Delivery.unresolved).
  const resolved = (file: string | undefined) => targets(file).filter((target) => !target.unresolved);
  const unfilledTargets = targets(undefined).filter((target) => target.unresolved);
  const globs = unfilledTargets.map((target) => anyFilling(target.filled));
  const unresolved =
    unfilledTargets.length === 0
      ? undefined
      : {
          paths: sortedSet(unfilledTargets.map((target) => target.written)),
          mayRead: (file: string) => globs.some((inside) => inside(file)),
        };
  // Each rendered path's source made once: the same targets come back for every file of a folder.
  const made = new Map<JsonRecord, Map<string, HeldSource>>();
  const sourceOf = (path: string, source: JsonRecord) => {
    const ofSource = made.get(source) ?? made.set(source, new Map()).get(source)!;
    return ofSource.get(path) ?? ofSource.set(path, argoSource(path, source, toolFolders)).get(path)!;
  };
  // Generated Applications of one cluster only go where one Application would; those of several keep in-cluster as a name.
  const destination = (named: readonly string[]): Destination =>
    named.length === 1 ? clusterDestination(named[0]!, resource, clusters) : { clusters: named };
  return {
    resource,
    paths: sortedSet(targets(undefined).map((target) => target.path)),
    destinations: [destination(sortedSet(targets(undefined).flatMap((target) => target.cluster ?? [])))],
    destinationOf: (file) => {
      const clusters = resolved(file).flatMap((target) =>
        target.cluster && (sourceOf(target.path, target.source).source.reads(file) || target.rendered(file)) ? [target.cluster] : [],
      );
      return clusters.length === 0 ? undefined : destination(sortedSet(clusters));
    },
    // Each generated Application's source apart: Argo CD renders them one by one.
    sourcesOf: (file) =>
      concerning(
        resolved(file).flatMap((target) => (target.cluster ? [sourceOf(target.path, target.source)] : [])),
        file,
      ),
    ...(unresolved ? { unresolved } : {}),
  };
};

// ---------------------------------------------------------------------------------------------
// Flux

interface CopyRule {
  readonly matches: (file: string) => boolean;
  /** Repository prefix replaced by `to` in the artifact. */
  readonly from: string;
  readonly to: string;
}

const ALIAS = /^@([^/]*)\/?/;
const stripAlias = (path: string): string => path.replace(ALIAS, "");

/**
 * The folder of the repository an OCI artifact's paths start from. Flux reads a Kustomization's
 * path, and an ArtifactGenerator its `copy` paths, from the root of the artifact its source holds;
 * an OCIRepository's artifact is pushed from a folder of the repository (`flux push artifact
 * --path=./kubernetes`) that the tree does not name. It is taken to be the nearest folder above the
 * file that names the path under which the path exists (xunholy/k8s-gitops: `./apps/base/…` and
 * `./clusters/cluster-00` under `kubernetes/`); undefined where none holds it (another repository's artifact).
 */
const artifactRoot = (declaredIn: string, path: string, folders: () => ReadonlySet<string>): string | undefined => {
  if (path === "") return undefined;
  for (let at = declaredIn.lastIndexOf("/"); ; at = declaredIn.lastIndexOf("/", at - 1)) {
    const root = at > 0 ? declaredIn.slice(0, at) : "";
    if (folders().has(root ? `${root}/${path}` : path)) return root;
    if (at <= 0) return undefined;
  }
};

const joinPath = (root: string, path: string): string => (root && path ? `${root}/${path}` : root || path);

/** ArtifactGenerator `copy` rules of the artifact a Kustomization reads, keyed `namespace/name`. */
const artifactCopies = (set: ManifestSet, folders: () => ReadonlySet<string>): Map<string, CopyRule[]> => {
  const artifacts = new Map<string, CopyRule[]>();
  for (const resource of set.resources.values()) {
    if (resource.id.kind !== "ArtifactGenerator") continue;
    const spec = record(resource.body.spec);
    // A source's paths are the repository's own, but an OCIRepository's start where its artifact was pushed from.
    const fromOci = new Set(
      list(spec.sources).flatMap((source) => (text(record(source).kind) === "OCIRepository" ? [text(record(source).alias) ?? ""] : [])),
    );
    for (const artifact of list(spec.artifacts)) {
      const name = text(record(artifact).name);
      if (!name) continue;
      const rules = list(record(artifact).copy).flatMap((rule): CopyRule[] => {
        const written = text(record(rule).from) ?? "";
        const scan = picomatch.scan(stripAlias(written));
        const base = normalizeRepoPath(scan.isGlob ? scan.base : stripAlias(written));
        const root = fromOci.has(ALIAS.exec(written)?.[1] ?? "") ? artifactRoot(resource.source.file, base, folders) : "";
        if (root === undefined) return [];
        const prefix = joinPath(root, base);
        const matcher = scan.isGlob ? picomatch(joinPath(root, normalizeRepoPath(stripAlias(written))), { dot: true }) : under(prefix);
        return [{ matches: matcher, from: prefix, to: normalizeRepoPath(stripAlias(text(record(rule).to) ?? "")) }];
      });
      artifacts.set(`${resource.id.namespace}/${name}`, [...(artifacts.get(`${resource.id.namespace}/${name}`) ?? []), ...rules]);
    }
  }
  return artifacts;
};

/** A Flux Kustomization's delivery, from its spec: its own, or the one a FluxInstance's sync generates (flux-instance.ts). */
const kustomizationDelivery = (
  resource: Resource,
  spec: JsonRecord,
  artifacts: Map<string, CopyRule[]>,
  clusters: ClusterRegions,
  folders: () => ReadonlySet<string>,
  thisTree: (resource: Resource) => boolean,
  leftOut: (resource: Resource) => (file: string) => boolean,
): Delivery | undefined => {
  if (!thisTree(resource)) return undefined;
  const path = normalizeRepoPath(text(spec.path) ?? "");
  const source = record(spec.sourceRef);
  const sourceKind = text(source.kind) ?? "GitRepository";
  const remote = kubeConfigOf(spec, resource.id.namespace);
  const destination: Destination = remote ? { clusters: [remoteSite(remote, clusters)] } : { whereApplied: true };
  if (sourceKind === "GitRepository" || sourceKind === "OCIRepository") {
    const artifact = sourceKind === "OCIRepository" ? artifactRoot(resource.source.file, path, folders) : "";
    if (artifact === undefined) return undefined;
    const root = joinPath(artifact, path);
    const inside = under(root);
    // Another Kustomization's own build of the folder (core/flux-build-output.ts) lands where that one
    // delivers; its build for one of its sites, there alone.
    const ref = { file: resource.source.file, namespace: resource.id.namespace, name: resource.id.name };
    const destinationOf = (file: string): Destination | undefined => {
      if (!inside(file)) return undefined;
      if (!inFluxBuild(file)) return destination;
      const own = ownFluxBuild(file, ref);
      return own?.site !== undefined && "whereApplied" in destination ? { ...destination, only: own.site } : own && destination;
    };
    const own = held({
      root,
      reads: (file) => destinationOf(file) !== undefined,
      kustomize: true,
      components: componentFolders(root, spec.components),
    });
    return {
      resource,
      paths: [root],
      destinationOf,
      destinations: [destination],
      generatedListing: fluxGeneratorLists,
      sourcesOf: (file) => concerning([own], file),
      ...(sourceKind === "GitRepository" ? { leavesOut: leftOut(resource) } : {}),
    };
  }
  if (sourceKind !== "ExternalArtifact") return undefined;
  const root = path;
  const inside = under(root);
  const rules = artifacts.get(`${text(source.namespace) ?? resource.id.namespace}/${text(source.name) ?? ""}`) ?? [];
  if (rules.length === 0) return undefined;
  const join = (...parts: string[]) =>
    parts
      .map((part) => part.replace(/^\/+|\/+$/g, ""))
      .filter(Boolean)
      .join("/");
  const artifactPath = (rule: CopyRule, file: string) => join(rule.to, file.slice(rule.from.length));
  // The repository paths that end up under the Kustomization's path: inside one copied tree, or whole trees.
  const repoPaths = (rule: CopyRule): string[] =>
    under(rule.to)(root) ? [join(rule.from, root.slice(rule.to.length))] : under(root)(rule.to) ? [rule.from] : [];
  return {
    resource,
    paths: sortedSet(rules.flatMap(repoPaths)),
    destinations: [destination],
    destinationOf: (file) => (rules.some((rule) => rule.matches(file) && inside(artifactPath(rule, file))) ? destination : undefined),
    generatedListing: fluxGeneratorLists,
  };
};

// ---------------------------------------------------------------------------------------------

/**
 * The placement family's `deliveries`: Argo CD Applications and ApplicationSets, Flux Kustomizations
 * (with the ArtifactGenerators they read), and the Flux Operator's FluxInstances, by the
 * Kustomization their sync generates.
 */
export const gitopsDeliveries: Deliveries = {
  kinds: ["Application", "ApplicationSet", "Kustomization", "ArtifactGenerator", "GitRepository", "FluxInstance"],
  read: (set, clusters) => {
    const delivery = treeReader(set, clusters);
    let archive: Archive | undefined;
    return (resource) => {
      const found = delivery(resource);
      if (!found || resource.id.group !== FLUX_KUSTOMIZE) return found;
      archive ??= treeArchive(set, clusters, delivery);
      return archive.kustomizations.has(archiveKey(resource)) ? undefined : found;
    };
  },
  archived: (set, clusters) => {
    let archive: Archive | undefined;
    return (file) => (archive ??= treeArchive(set, clusters, treeReader(set, clusters))).holds(file);
  },
};

/** What each GitOps object of a tree delivers, archived or not. */
function treeReader(set: ManifestSet, clusters: ClusterRegions): (resource: Resource) => Delivery | undefined {
  const foldersOnce = () => treeFolders(set.files);
  const artifacts = artifactCopies(set, foldersOnce);
  let toolFolders: ReadonlySet<string> | undefined;
  const toolFoldersOnce = () => (toolFolders ??= toolFoldersOf(set.files));
  return (resource) => {
    const { group, kind } = resource.id;
    if (group === "argoproj.io" && kind === "Application") return applicationDelivery(resource, toolFoldersOnce, clusters);
    if (group === "argoproj.io" && kind === "ApplicationSet") return applicationSetDelivery(resource, toolFoldersOnce, clusters);
    // A FluxInstance applies its sync's path as the Kustomization it generates would.
    const sync = instanceSync(resource);
    const spec = group === FLUX_KUSTOMIZE && kind === "Kustomization" ? record(resource.body.spec) : sync && syncKustomizationSpec(sync);
    if (!spec) return undefined;
    return kustomizationDelivery(
      resource,
      spec,
      artifacts,
      clusters,
      foldersOnce,
      (kustomization) => readsThisTree(kustomization, set),
      (kustomization) => artifactLeavesOut(kustomization, set),
    );
  };
}

/**
 * What the GitRepository a Flux Kustomization reads leaves out of its artifact (source-ignore.ts).
 * Where the tree defines several of its name, a file any of them leaves out is left out: a rule
 * added to one is not passed for another copy's sake. One the tree does not define (flux-system
 * created by `flux bootstrap`) ignores what the tree's `.sourceignore` files say.
 */
function artifactLeavesOut(kustomization: Resource, set: ManifestSet): (file: string) => boolean {
  const sources = gitSourcesOf(kustomization, set);
  const ignores = sources.length > 0 ? sortedSet(sources.map((source) => text(record(source.body.spec).ignore) ?? "")) : [""];
  const rules = ignores.map((ignore) => ignoreRulesOf(set, ignore));
  return rules.length === 1 ? rules[0]! : (file) => rules.some((ignored) => ignored(file));
}

/** One matcher for each `spec.ignore` of a tree, each file matched once: every Kustomization of a source asks of every file it delivers. */
const ignoreRules = new WeakMap<ManifestSet, Map<string, (file: string) => boolean>>();
function ignoreRulesOf(set: ManifestSet, ignore: string): (file: string) => boolean {
  const byIgnore = ignoreRules.get(set) ?? ignoreRules.set(set, new Map()).get(set)!;
  let known = byIgnore.get(ignore);
  if (!known) {
    const ignored = sourceIgnored(set.sourceIgnores, ignore);
    const memo = new Map<string, boolean>();
    known = (file) => memo.get(file) ?? memo.set(file, ignored(file)).get(file)!;
    byIgnore.set(ignore, known);
  }
  return known;
}

/** A tree's archive, read once for both the deliveries and the stages asking what it holds. */
const archives = new WeakMap<ManifestSet, { readonly clusters: ClusterRegions; readonly archive: Archive }>();
function treeArchive(set: ManifestSet, clusters: ClusterRegions, delivery: (resource: Resource) => Delivery | undefined): Archive {
  const known = archives.get(set);
  if (known?.clusters === clusters) return known.archive;
  const archive = archiveOf(set, delivery);
  archives.set(set, { clusters, archive });
  return archive;
}
