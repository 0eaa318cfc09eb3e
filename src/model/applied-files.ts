import type { ManifestSet } from "../core/resource.js";
import { reachUnknown, type Delivery, type DeliverySource } from "../core/gitops-delivery.js";
import type { Topology } from "../policy/policy-schema.js";
import { clustersThroughLinks, type ClusterOfFile } from "./file-placement.js";
import { KUSTOMIZE_RENDER, kustomizeRenderOrigin, readersOf } from "../core/kustomize-inclusion.js";
import { resourcesOfKind } from "../core/resources-of-kind.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { archivedOf, deliveryKinds, treeDeliveries } from "./gitops-placement.js";
import { inRenderedOutput } from "../core/rendered-paths.js";

/** Whether a tree applies what a file of it holds. */
export interface AppliedFile {
  (file: string): boolean;
  /**
   * Whether the tree is known not to apply the file: some GitOps source's folder holds it, and every
   * one whose folder does is a kustomize build of a kustomization at its root (Flux's path, an Argo
   * CD source naming no plugin) that neither accumulates it nor adds a Component that does, and no
   * chart there may install it. Not applied but not known so (a gap in what is read here: a source
   * of another kind, one a GitOps object outside the tree adds, a tree without GitOps objects), the
   * file is reviewed as written.
   */
  readonly builtWithout: (file: string) => boolean;
  /**
   * Whether the tree keeps the file in an archive folder that none of its GitOps objects applies
   * (Deliveries.archived: auricom/home-ops's `.archive/` of old apps' Flux Kustomizations,
   * HelmReleases and Gateways, which no cluster ran): known not applied, as builtWithout.
   */
  readonly archived: (file: string) => boolean;
}

const ALL_APPLIED: AppliedFile = Object.assign(() => true, { builtWithout: () => false, archived: () => false });

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
 * kustomization one of its sources reads sits in the file's folder or above it, that kustomization
 * decides for that source (Delivery.sourcesOf), and a Component a source adds is read by it: Flux
 * builds the folder's kustomization, and the one it generates for a folder without one stops at
 * a subfolder holding one and lists only files named `.yaml` or `.yml`, so a file beside it that
 * it does not list, or a route renamed `.json` or `.YAML` where no kustomization lists it, is applied
 * by nothing. A kustomization's render is applied as its folder's kustomization is: a folder that a
 * delivery's path holds under a kustomization that does not list it renders nothing applied (ishioni/
 * homelab-ops: an app's folder, rendered, while its ks.yaml was commented out of the parent
 * kustomization). A tree with no such object, or one whose reach is not known (reachUnknown: an
 * ApplicationSet of a generator not read here, or a path its generators do not fill), says nothing:
 * every file of it is applied as written, as the review has it without GitOps objects.
 */
export function appliedFiles(
  set: ManifestSet,
  kustomizations: ReadonlyMap<string, string>,
  topology: Topology,
  clusterOfFile: ClusterOfFile,
): AppliedFile {
  const every = treeDeliveries(set, topology.clusters);
  if (every.length === 0 || every.some(reachUnknown)) return ALL_APPLIED;
  const appliers = deliveryAppliers(kustomizations, set.includedBy);
  const placed = placedThroughLinks(set, clusterOfFile);
  const deliveries = applying(every, appliers, kustomizations, set.includedBy, placed);
  const memo = new Map<string, boolean>();
  const applied = (file: string): boolean => {
    let known = memo.get(file);
    if (known === undefined) {
      known = placed(file) !== undefined || deliveries.some(appliers(file));
      memo.set(file, known);
    }
    return known;
  };
  let charts: ReadonlySet<string> | undefined;
  // A kustomization's `helmCharts` read a local chart's templates, which no kustomization lists.
  const inChart = (file: string, root: string): boolean => {
    charts ??= new Set(set.files.filter((path) => /(?:^|\/)Chart\.yaml$/.test(path)).map(folderOf));
    for (let at = folderOf(file); ; at = folderOf(at)) {
      if (charts.has(at)) return true;
      if (at === root || at === "") return false;
    }
  };
  const builds = (source: DeliverySource, readers: readonly string[]): boolean =>
    [source.root, ...source.components].some((folder) => {
      const kustomization = kustomizations.get(folder);
      return kustomization !== undefined && readers.includes(kustomization);
    });
  const builtWithout = (file: string): boolean => {
    if (applied(file)) return false;
    const covering = every.flatMap((delivery) => sourcesConcerning(delivery, file)).filter(({ root }) => holds(root, file));
    if (covering.length === 0) return false;
    const readers = readersOf(file, set.includedBy);
    return covering.every(
      (source) => source.kustomize && kustomizations.has(source.root) && !builds(source, readers) && !inChart(file, source.root),
    );
  };
  let archive: ((file: string) => boolean) | undefined;
  const archived = (file: string): boolean => !applied(file) && (archive ??= archivedOf(set, topology.clusters))(file);
  return Object.assign(applied, { builtWithout, archived });
}

/**
 * The GitOps objects of a tree that deliver (see applying): the render stage plans as roots only
 * the folders these deliver, as the review applies only their files. A Flux Kustomization in a
 * folder its parent kustomization does not list delivers nothing until the PR lists it
 * (mirceanton/home-ops e8df4fb933: `./blackbox-exporter` added to the parent kustomization, its
 * app-template release with a route applied for the first time, planned alike at both sides and
 * never rendered: one low line).
 */
export function deliveringObjects(
  set: ManifestSet,
  kustomizations: ReadonlyMap<string, string>,
  topology: Topology,
  clusterOfFile: ClusterOfFile,
): readonly Delivery[] {
  const appliers = deliveryAppliers(kustomizations, set.includedBy);
  return applying(treeDeliveries(set, topology.clusters), appliers, kustomizations, set.includedBy, placedThroughLinks(set, clusterOfFile));
}

/** A cluster the policy's patterns give the file at any path the tree's links show it at (clustersThroughLinks). */
const placedThroughLinks = (set: ManifestSet, clusterOfFile: ClusterOfFile): ClusterOfFile => {
  if (!set.links?.length) return clusterOfFile;
  const clusters = clustersThroughLinks(clusterOfFile, set.links);
  return (file) => clusters(file)[0];
};

const holds = (root: string, file: string): boolean => root === "" || file.startsWith(`${root}/`);

/** A delivery's sources a file concerns (Delivery.sourcesOf); where it does not say, one of a build not known, reading what it delivers. */
const sourcesConcerning = (delivery: Delivery, file: string): readonly DeliverySource[] =>
  delivery.sourcesOf?.(file) ?? [
    { root: "", reads: (other) => delivery.destinationOf(other) !== undefined, kustomize: false, components: [] },
  ];

/**
 * The GitOps objects that deliver: a root (no other's path holds its file, as `flux bootstrap`'s
 * flux-system, or one the policy places; a path whose source leaves the file out of its artifact
 * does not hold it), or one another that delivers applies. One in a file the
 * others' paths hold but do not apply delivers nothing (ishioni/homelab-ops fb4ca12b99: an app's
 * ks.yaml commented out of its parent kustomization, `# - ./hass-proxy/ks.yaml`, its folder's
 * routes read as delivered all the same). Nor is one a root whose file a kustomization above leaves
 * out (leftOutAbove): whatever syncs the tree from outside it (a Flux Operator's FluxInstance synced
 * by Helm, flux-system not committed) builds that kustomization, not the folder below it; but one
 * whose own path holds its file is the sync itself, applied where it was bootstrapped.
 */
function applying(
  every: readonly Delivery[],
  appliers: (file: string) => (delivery: Delivery) => boolean,
  kustomizations: ReadonlyMap<string, string>,
  includedBy: ReadonlyMap<string, readonly string[]> | undefined,
  clusterOfFile: ClusterOfFile,
): readonly Delivery[] {
  const leftOut = leftOutAbove(kustomizations, includedBy);
  const held = every.map((delivery) => {
    const file = delivery.resource.source.file;
    const root =
      clusterOfFile(file) !== undefined ||
      (every.every((other) => other === delivery || !other.destinationOf(file) || other.leavesOut?.(file) === true) &&
        (delivery.destinationOf(file) !== undefined || !leftOut(file)));
    return { delivery, root, by: root ? () => true : appliers(file) };
  });
  // Dropping one may leave those only it applied without a deliverer: until none is dropped.
  let live = held;
  for (let dropped = true; dropped;) {
    const next = live.filter(({ delivery, root, by }) => root || live.some((other) => other.delivery !== delivery && by(other.delivery)));
    dropped = next.length < live.length;
    live = next;
  }
  return live.length === every.length ? every : live.map(({ delivery }) => delivery);
}

/**
 * Whether a file sits where no build from a folder above reaches it: the file and every
 * kustomization accumulating it (a render, its kustomization) have a kustomization in a folder above
 * them (a plain file: in its own folder too), so Flux, building any folder above, builds that one and
 * not them (mirceanton/home-ops: apps/monitoring-system/blackbox-exporter, not listed by
 * apps/monitoring-system's kustomization, under a FluxInstance syncing `apps/` from a Helm release).
 * A sync pointed at the folder itself or one between would apply it, but a cluster's root is not
 * one app's folder.
 */
function leftOutAbove(
  kustomizations: ReadonlyMap<string, string>,
  includedBy: ReadonlyMap<string, readonly string[]> | undefined,
): (file: string) => boolean {
  const underAnother = (reader: string): boolean => {
    const own = kustomizations.get(folderOf(reader)) === reader;
    for (let at: string | undefined = own ? parentOf(folderOf(reader)) : folderOf(reader); at !== undefined; at = parentOf(at)) {
      const kustomization = kustomizations.get(at);
      if (kustomization !== undefined && kustomization !== reader) return true;
    }
    return false;
  };
  return (file) => readersOf(kustomizeRenderOrigin(file) ?? file, includedBy).every(underAnother);
}

const parentOf = (folder: string): string | undefined => (folder === "" ? undefined : folderOf(folder));

/**
 * Whether two trees hold the same GitOps objects (the same documents, by key) and their
 * kustomizations accumulate the same files: then appliedFiles says the same of every file left
 * where it was, which is applied on both sides or on neither. An unchanged document is one
 * resource in both trees: most PRs compare no text here.
 */
export function appliesAlike(base: ManifestSet, head: ManifestSet): boolean {
  const sameDeliveries = deliveryKinds.every((kind) => {
    const after = resourcesOfKind(head, kind);
    if (resourcesOfKind(base, kind).length !== after.length) return false;
    return after.every((resource) => {
      const before = base.resources.get(resource.key);
      return before === resource || before?.source.text === resource.source.text;
    });
  });
  return sameDeliveries && sameInclusion(base.includedBy, head.includedBy) && sameTexts(base.sourceIgnores, head.sourceIgnores);
}

const sameTexts = (base: ReadonlyMap<string, string> | undefined, head: ReadonlyMap<string, string> | undefined): boolean =>
  (base?.size ?? 0) === (head?.size ?? 0) && [...(head ?? [])].every(([path, text]) => base?.get(path) === text);

function sameInclusion(
  base: ReadonlyMap<string, readonly string[]> | undefined,
  head: ReadonlyMap<string, readonly string[]> | undefined,
): boolean {
  if (base === head) return true;
  if (!base || !head || base.size !== head.size) return false;
  for (const [file, includers] of head) {
    const before = base.get(file);
    if (!before || before.length !== includers.length || before.some((includer, i) => includer !== includers[i])) return false;
  }
  return true;
}

/**
 * For a file, whether a delivery applies it (see appliedFiles): one of its sources reads the file
 * itself, or a kustomization accumulating it, and no kustomization that source reads in that
 * file's folder or above decides otherwise, or a source adds the Component accumulating it. A file
 * a delivery's path holds beside a kustomization that does not list it (samip5/k8s-cluster's
 * overlays/<cluster>/github/ingress.yaml) is applied by none; one a second source of an Argo CD
 * Application reads as a directory below the first's kustomization (`sources: [{path: apps/prod},
 * {path: apps/prod/extra}]`) is applied by that source.
 */
export function deliveryAppliers(
  kustomizations: ReadonlyMap<string, string>,
  includedBy: ReadonlyMap<string, readonly string[]> | undefined,
): (file: string) => (delivery: Delivery) => boolean {
  /** Whether a kustomization `source` reads sits in `folder` or above it. */
  const underKustomization = (source: DeliverySource, folder: string): boolean => {
    for (let at: string | undefined = folder; at !== undefined; at = at === "" ? undefined : folderOf(at)) {
      const kustomization = kustomizations.get(at);
      if (kustomization && source.reads(kustomization)) return true;
    }
    return false;
  };
  /**
   * Read by a source of a delivery itself, not through a kustomization (a kustomization's own file
   * through the ones above it), and listed by the kustomization Flux generates there: a folder's
   * kustomization is taken whole, any other file by its name. A Component's kustomization is read
   * by the build that adds it, wherever it sits.
   */
  const readDirectly = (delivery: Delivery, file: string): boolean => {
    const folder = folderOf(file);
    const folderKustomization = isKustomizationFile(file) && kustomizations.get(folder) === file;
    // Asked for every file of every delivery: a file's sources are read only past the cheap tests.
    if (folderKustomization && sourcesConcerning(delivery, file).some((source) => source.components.includes(folder))) return true;
    if (delivery.destinationOf(file) === undefined) return false;
    // A Helm release's render, beside what installs it.
    if (inRenderedOutput(file)) return true;
    if (!folderKustomization && delivery.generatedListing?.(file) === false) return false;
    const above = folderKustomization ? (folder === "" ? undefined : folderOf(folder)) : folder;
    return (
      above === undefined || sourcesConcerning(delivery, file).some((source) => source.reads(file) && !underKustomization(source, above))
    );
  };
  /** The kustomization a file renders, where it is a kustomize render's output. */
  const renderedFrom = (file: string): string | undefined => {
    const render = KUSTOMIZE_RENDER.exec(file);
    return render ? kustomizations.get(file.slice(0, render.index)) : undefined;
  };
  return (file) => {
    const origin = renderedFrom(file);
    const readers = readersOf(origin ?? file, includedBy);
    // A Flux Kustomization's own build is delivered by that Kustomization alone (its destinationOf).
    // A file its source leaves out is in none of its builds.
    return (delivery) =>
      (origin === undefined || delivery.destinationOf(file) !== undefined) &&
      readers.some((reader) => readDirectly(delivery, reader)) &&
      (origin !== undefined || delivery.leavesOut?.(file) !== true);
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
