import { withGenerated } from "./generated-objects.js";
import { posix } from "node:path";
import { groupOf } from "../core/api-group.js";
import picomatch from "picomatch";
import type * as z from "zod";
import type { SourceFile } from "../core/source-file.js";
import { lineOf } from "./field-line.js";
import {
  canonicalApiVersion,
  istioValuesKind,
  kindSpec,
  kindSpecFor,
  mayBeTextKind,
  nearKind,
  textKindOf,
  trafficGroups,
  trafficKindNames,
  type KindSpec,
} from "./kinds.js";
import {
  displayName,
  labelsOrNone,
  NO_LABELS,
  keyIsIdentity,
  nameOfUnnamed,
  resourceKey,
  type DocumentSource,
  type InvalidManifest,
  type ManifestSet,
  type Resource,
  type ResourceId,
  type SkippedFile,
} from "../core/resource.js";
import { istioValues } from "../families/index.js";
import { stringTable, type ShareString } from "../core/string-table.js";
import { DocumentResource } from "./held-body.js";
import { flatText } from "../core/flat-text.js";
import { listItems, record, valueAt } from "../core/json-access.js";
import { isFluxVariable, substitutionDisabled, type UnresolvedField } from "../core/flux-variable.js";
import { sharedPath } from "../core/field-path.js";
import { namesSource, releaseChart, type FluxSource } from "../core/flux-release-chart.js";
import {
  nodeBudget,
  oversize,
  refusedUnread,
  parseYamlDocument,
  parseYamlStream,
  splitYamlDocuments,
  undecodable,
  type ParsedYaml,
  type YamlChunk,
} from "./yaml-documents.js";
import { FLUX_HELM, FLUX_SOURCE } from "../core/flux-groups.js";
import { lineCount, readPlaceholderLine, templateAt } from "./placeholders.js";
import { misnamed } from "./object-names.js";
import type { RepositoryLink } from "../core/repository-links.js";

/**
 * The traffic resources of one tree (DESIGN §4). Pure: file texts in, resources out. The hot path
 * parses only documents whose text names a traffic group (or may otherwise be traffic), judges them
 * by their parsed apiVersion/kind alone, and reads a file's text once per cache however many trees
 * hold it (base and head share most files). Only a traffic document can gate: a document that
 * names traffic config but is something else (a workflow, a patch, a CRD, a chart template) is
 * skipped and listed, and one that cannot be read gates only when its header declares a traffic kind.
 */

export type { SourceFile };

export interface LoadOptions {
  /** The cluster a file is applied to (policy placement), so the same resource in two clusters is two resources. */
  readonly scopeOf?: (path: string) => string | undefined;
  /** Globs of Istio Helm values files, read as mesh settings whatever their content. */
  readonly meshValues?: readonly string[];
  readonly cache?: ManifestCache;
  /** Whether the policy's `paths` review a file; the others are listed as excluded and not read. */
  readonly reviews?: (path: string) => boolean;
  /** The namespace kustomize gives a file's documents that name none (render/kustomize-tree.ts kustomizeReading). */
  readonly namespaceOf?: (path: string) => string | undefined;
  /** The kustomization that applies a file as a patch, not as resources (render/kustomize-tree.ts kustomizeReading). */
  readonly patchOf?: (path: string) => string | undefined;
  /** The kustomizations that accumulate each file (render/kustomize-tree.ts kustomizeReading), handed on to placement. */
  readonly includedBy?: ReadonlyMap<string, readonly string[]>;
  /** The tree's symbolic links, handed on to placement: GitOps objects read through them. */
  readonly links?: readonly RepositoryLink[];
  /**
   * Whether the other tree's version of a file holds a template placeholder: a chart's (or role's)
   * template listed there as not rendered is listed here too, so that its objects do not read as
   * removed or added because one side's text gained or lost a `{{` (linde/gke-multi-cluster-examples
   * a81d4882ed: a chart nothing installs stopped rendering, and its Gateway and route read as removed).
   */
  readonly templatedElsewhere?: (path: string) => boolean;
}

/** What a document of a file is, once what Flux's chart references read is settled. */
type FileRead = Exclude<DocumentRead, { readonly type: "chart-source" | "chart-release" }>;

/** What one document yields, whatever the path of its file: the unit the cache keeps. */
export type DocumentRead =
  | ({
      readonly type: "resource";
      readonly chunk: YamlChunk;
      readonly fileNamed: boolean;
      /** Its index among the items of a `kind: List` document: its body is held, as its document's text alone does not read as it. */
      readonly listItem?: number;
      /**
       * A core Namespace named as the API server refuses (`name: _`): what it is where no kustomize
       * `namespace:` (or Flux `targetNamespace`) renames it, which only its file's place tells; null,
       * nothing (a kind read for context that cannot be read, in a document naming no traffic group).
       */
      readonly unlessRenamed?: Extract<DocumentRead, { readonly type: "invalid" | "skipped" }> | null;
    } & Omit<Resource, "key" | "source">)
  | { readonly type: "values"; readonly body: Readonly<Record<string, unknown>>; readonly chunk: YamlChunk }
  /** A Flux source a HelmRelease's `chartRef` may name (an OCIRepository, a HelmChart): read for the chart it serves. */
  | { readonly type: "chart-source"; readonly source: FluxSource }
  /** A HelmRelease of a `chartRef`: which family reads it, if any, is the chart its tree's source serves (chartReleaseRead). */
  | { readonly type: "chart-release"; readonly value: Readonly<Record<string, unknown>>; readonly chunk: YamlChunk }
  | { readonly type: "invalid"; readonly line: number; readonly message: string; readonly resource?: ResourceId }
  | { readonly type: "skipped"; readonly line: number; readonly reason: string };

export interface ManifestCache {
  /** File text → its documents, for ordinary files and for declared mesh values files. */
  readonly reads: Map<string, readonly DocumentRead[]>;
  readonly valuesReads: Map<string, readonly DocumentRead[]>;
  /** The resource a document became in the other tree: equal there and here, it is one object (held once, compared at a glance). */
  readonly resources: Map<DocumentRead, Resource>;
  /** Kept for the changes that follow (the replay reviews a history commit by commit); else one change's, emptied once its trees are read. */
  readonly acrossChanges: boolean;
  /** The table the strings of every document read go through: a value repeated across both trees is mostly one string. */
  share: ShareString;
}

export const createManifestCache = (options: { readonly acrossChanges?: boolean } = {}): ManifestCache => ({
  reads: new Map(),
  valuesReads: new Map(),
  resources: new Map(),
  acrossChanges: options.acrossChanges ?? false,
  share: stringTable(),
});

/**
 * Empties one change's cache once both trees are read: the resources keep what they need, and
 * the documents read (a tenth of a large review's memory) are garbage from then on.
 */
export function releaseReads(cache: ManifestCache): void {
  if (cache.acrossChanges) return;
  cache.reads.clear();
  cache.valuesReads.clear();
  cache.resources.clear();
  cache.share = stringTable();
}

/** Files the review reads: YAML, and JSON, which is YAML 1.2 flow syntax (`kubectl apply -f` takes both). */
export const isManifestPath = (path: string): boolean => /\.(?:ya?ml|json)$/i.test(path);

/** Flux source-controller's ignore file, read in every folder of a GitRepository's checkout. */
export const isSourceIgnoreFile = (path: string): boolean => /(?:^|\/)\.sourceignore$/.test(path);

/** What the loader does with one file: leave it out (the policy's `paths`), list it as an unrendered chart template, or read its documents. */
type FilePlan =
  | { readonly type: "excluded" }
  | { readonly type: "template"; readonly line: number; readonly tool: string }
  | { readonly type: "patch"; readonly kustomization: string }
  | { readonly type: "read"; readonly asValues: boolean };

/** The plan of each file of a tree; undefined for files that are not manifests. */
function filePlanner(files: readonly SourceFile[], options: LoadOptions): (file: SourceFile) => FilePlan | undefined {
  const isMeshValues = options.meshValues?.length ? picomatch([...options.meshValues], { dot: true }) : () => false;
  const templateTool = templateTools(files);
  return (file) => {
    if (!isManifestPath(file.path)) return undefined;
    if (options.reviews && !options.reviews(file.path)) return { type: "excluded" };
    const asValues = isMeshValues(file.path);
    const kustomization = asValues ? undefined : options.patchOf?.(file.path);
    if (kustomization !== undefined) return { type: "patch", kustomization };
    const tool = asValues ? undefined : templateTool(file.path);
    if (tool === undefined) return { type: "read", asValues };
    const template = templateAt(file.text);
    if (template !== -1) return { type: "template", line: 1 + lineCount(file.text, template), tool };
    return options.templatedElsewhere?.(file.path) ? { type: "template", line: 1, tool } : { type: "read", asValues };
  };
}

/** A file text the loader will read, and how. */
export interface PendingRead {
  readonly text: string;
  readonly asValues: boolean;
}

/**
 * The texts loadManifests would read for these trees and the cache does not hold yet, each once:
 * what an adapter may read ahead (on other threads) with readDocuments and store with cacheReads.
 */
export function pendingReads(
  trees: readonly (readonly SourceFile[])[],
  options: LoadOptions & { readonly cache: ManifestCache },
): PendingRead[] {
  const pending = { reads: new Map<string, PendingRead>(), valuesReads: new Map<string, PendingRead>() };
  for (const files of trees) {
    const plan = filePlanner(files, options);
    for (const file of files) {
      const step = plan(file);
      if (step?.type !== "read") continue;
      const kind = step.asValues ? "valuesReads" : "reads";
      if (!options.cache[kind].has(file.text)) pending[kind].set(file.text, { text: file.text, asValues: step.asValues });
    }
  }
  return [...pending.reads.values(), ...pending.valuesReads.values()];
}

/** Stores documents read elsewhere (readDocuments on another thread) as loadManifests would have read them. */
export function cacheReads(cache: ManifestCache, read: PendingRead, documents: readonly DocumentRead[]): void {
  (read.asValues ? cache.valuesReads : cache.reads).set(read.text, documents);
}

export function loadManifests(files: readonly SourceFile[], options: LoadOptions = {}): ManifestSet {
  const cache = options.cache ?? createManifestCache();
  const plan = filePlanner(files, options);
  const paths: string[] = [];
  const invalid: InvalidManifest[] = [];
  const skipped: SkippedFile[] = [];
  const excluded: string[] = [];
  const found: Found[] = [];
  // The Flux sources of the tree, gathered once a HelmRelease of a chartRef asks: from every file the
  // render stage finds them in (render-plan.ts fluxSources), those the policy's paths leave out too,
  // so that what it leaves to a family that family reads.
  let sources: FluxSource[] | undefined;
  const chartSources = (): readonly FluxSource[] =>
    (sources ??= files.flatMap((file) =>
      isManifestPath(file.path) && file.text.includes(FLUX_SOURCE)
        ? cachedRead(cache.reads, file.text, false, cache.share).flatMap((read) => (read.type === "chart-source" ? [read.source] : []))
        : [],
    ));

  for (const file of files) {
    const step = plan(file);
    if (!step) continue;
    if (step.type === "excluded") {
      excluded.push(file.path);
      continue;
    }
    paths.push(file.path);
    if (step.type === "template") {
      skipped.push({ file: file.path, line: step.line, reason: `${step.tool} template: not rendered` });
      continue;
    }
    if (step.type === "patch") {
      // Listed only where it patches traffic config: a Deployment's patch is no reviewer's concern here.
      const traffic = cachedRead(cache.reads, file.text, false, cache.share).find(
        (read): read is FileRead => read.type === "resource" || read.type === "values" || read.type === "invalid",
      );
      if (traffic) {
        const line = traffic.type === "values" || traffic.type === "resource" ? traffic.chunk.line : traffic.line;
        skipped.push({ file: file.path, line, reason: `kustomize patch of ${step.kustomization}: applied only through it` });
      }
      continue;
    }
    const { asValues } = step;
    const reads = cachedRead(asValues ? cache.valuesReads : cache.reads, file.text, asValues, cache.share).flatMap((read): FileRead[] =>
      read.type === "chart-source" ? [] : read.type === "chart-release" ? chartReleaseRead(read, chartSources) : [read],
    );
    const cluster = options.scopeOf?.(file.path);
    const kustomized = options.namespaceOf?.(file.path);
    let firstSkip: Extract<DocumentRead, { type: "skipped" }> | undefined;
    let declares = false;
    // Where each identity of this file sits in `found`: kubectl applies a file's documents in order, so a repeat replaces it.
    const defined = new Map<string, number>();
    for (const document of reads) {
      const read =
        document.type === "resource" && document.unlessRenamed !== undefined && kustomized === undefined
          ? document.unlessRenamed
          : document;
      if (read === null) continue;
      if (read.type === "skipped") {
        firstSkip ??= read;
        continue;
      }
      declares = true;
      if (read.type === "invalid") {
        invalid.push({ file: file.path, line: read.line, message: read.message, ...(read.resource ? { resource: read.resource } : {}) });
        continue;
      }
      const unnamed = read.type === "resource" && !read.fileNamed && read.id.namespace !== "" && !namesNamespace(read.body);
      const id =
        read.type === "values"
          ? valuesId(file.path)
          : read.fileNamed
            ? { ...read.id, name: nameOfUnnamed(file.path) }
            : kustomized !== undefined && renamedByNamespace(read.id)
              ? { ...read.id, name: kustomized }
              : unnamed && kustomized !== undefined
                ? { ...read.id, namespace: kustomized }
                : read.id;
      const entry: Found = {
        file: file.path,
        baseKey: identityKey(id, cluster, cache.resources.get(read)),
        id,
        read,
        ...(cluster ? { cluster } : {}),
        ...(unnamed && kustomized === undefined ? { namespaceImplied: true as const } : {}),
        ...(asValues ? { asValues: true as const } : {}),
      };
      const earlier = read.type === "resource" && !read.fileNamed ? defined.get(entry.baseKey) : undefined;
      if (earlier === undefined) {
        defined.set(entry.baseKey, found.length);
        found.push(entry);
        continue;
      }
      const nameLine = (chunk: YamlChunk) => lineOf(sourceOf(chunk), ["metadata", "name"]);
      invalid.push({
        file: file.path,
        line: nameLine(found[earlier]!.read.chunk),
        message: `${displayName(id)}: defined twice in this file: kubectl applies the later document (line ${nameLine(read.chunk)}), which this review uses`,
        resource: id,
      });
      found[earlier] = entry;
    }
    // A file that holds traffic config is reviewed; one that only names it is listed as skipped.
    if (!declares && firstSkip) skipped.push({ file: file.path, line: firstSkip.line, reason: firstSkip.reason });
  }
  const includedBy = options.includedBy?.size ? { includedBy: options.includedBy } : {};
  const ignoring = files.filter((file) => isSourceIgnoreFile(file.path));
  const sourceIgnores = ignoring.length > 0 ? { sourceIgnores: new Map(ignoring.map((file) => [file.path, file.text])) } : {};
  const links = options.links?.length ? { links: options.links } : {};
  return {
    resources: withGenerated(keyResources(found, cache.resources)),
    invalid,
    files: paths,
    skipped,
    excluded,
    ...includedBy,
    ...sourceIgnores,
    ...links,
  };
}

/**
 * Whether kustomize's namespace transformer names the object after the namespace it applies: it
 * sets the name of every core Namespace it transforms (kustomize v5's `metadata/name` field spec
 * for `kind: Namespace`, apiVersion v1; Flux's `targetNamespace` is that transformer's namespace),
 * which home-ops repositories write as `name: _` (mirceanton/home-ops d9c3f7a362: read as
 * written, `development` → `_` was the namespace removed under its apps).
 */
const renamedByNamespace = (id: ResourceId): boolean => id.group === "" && id.kind === "Namespace";

/** Whether a document says its namespace itself (a namespaced kind without one lands in the namespace it is applied to). */
const namesNamespace = (body: Readonly<Record<string, unknown>>): boolean => {
  const metadata = body.metadata;
  return typeof metadata === "object" && metadata !== null && typeof (metadata as Record<string, unknown>).namespace === "string";
};

/**
 * The tool whose template a path is, if any: under `templates/` of a Helm chart in the tree (beside
 * a Chart.yaml or the chart's values.yaml), or of an Ansible role (`roles/<role>/templates/` beside
 * the role's `tasks/`: Jinja, kiali/demos abb95ab6). The tool renders it, so its text is not the
 * YAML that reaches a cluster.
 */
const CHART_MARKER = /^(?:Chart[\w.-]*|values)\.ya?ml$/;
const ROLE_TASKS = /^((?:.*\/)?roles\/[^/]+)\/tasks\//;

function templateTools(files: readonly SourceFile[]): (path: string) => string | undefined {
  // A generated Chart.yaml (Chart-template.yaml) or a values.yaml marks a chart folder as well.
  const charts = new Set(files.filter((file) => CHART_MARKER.test(posix.basename(file.path))).map((file) => posix.dirname(file.path)));
  const roles = new Set(files.flatMap((file) => ROLE_TASKS.exec(file.path)?.[1] ?? []));
  if (charts.size === 0 && roles.size === 0) return () => undefined;
  return (path) => {
    for (let folder = posix.dirname(path); folder !== "." && folder !== "/"; folder = posix.dirname(folder)) {
      if (posix.basename(folder) !== "templates") continue;
      const owner = posix.dirname(folder);
      if (charts.has(owner)) return "Helm chart";
      if (roles.has(owner)) return "Ansible role";
    }
    return undefined;
  };
}

/**
 * Keys stay `group/kind/namespace/name[@cluster]` unless the same key is declared in several
 * files: then each carries its file, so base and head pair file by file. A file repeats a key only
 * for documents named by their file (two unnamed IstioOperators): those are numbered in order, as
 * pair-by-identity numbers repeated identities; any other repeat was replaced by the later document.
 * Nearly every tree declares each key in one file: its resources are keyed in one pass, and only a
 * tree where two files share a key is keyed again knowing which keys are shared.
 */
function keyResources(found: readonly Found[], made: ManifestCache["resources"]): Map<string, Resource> {
  return keyedAlone(found, made) ?? keyedByFile(found, made);
}

/** The resources keyed as declared, or undefined as soon as a second file declares a key. */
function keyedAlone(found: readonly Found[], made: ManifestCache["resources"]): Map<string, Resource> | undefined {
  const resources = new Map<string, Resource>();
  for (const entry of found) {
    let unique = entry.baseKey;
    for (let n = 2; ; n++) {
      const taken = resources.get(unique);
      if (!taken) break;
      if (taken.source.file !== entry.file) return undefined;
      unique = `${entry.baseKey}#${n}`;
    }
    const resource = reusedResource(entry, unique, made);
    resources.set(resource.key, resource);
  }
  return resources;
}

function keyedByFile(found: readonly Found[], made: ManifestCache["resources"]): Map<string, Resource> {
  // The one file that declares a key, or null when several do.
  const fileOfKey = new Map<string, string | null>();
  for (const { file, baseKey } of found) {
    const known = fileOfKey.get(baseKey);
    if (known === undefined) fileOfKey.set(baseKey, file);
    else if (known !== file) fileOfKey.set(baseKey, null);
  }
  const resources = new Map<string, Resource>();
  for (const entry of found) {
    const { file, baseKey } = entry;
    const key = fileOfKey.get(baseKey) === null ? `${baseKey}@${file}` : baseKey;
    let unique = key;
    for (let n = 2; resources.has(unique); n++) unique = `${key}#${n}`;
    const resource = reusedResource(entry, unique, made);
    resources.set(resource.key, resource);
  }
  return resources;
}

/**
 * The resource the other tree made of the same document under the same key, in the same file and
 * scope (keyed by that tree's string: one key string for both trees, not one each), else a new one.
 */
function reusedResource(entry: Found, key: string, made: ManifestCache["resources"]): Resource {
  const earlier = made.get(entry.read);
  if (
    earlier &&
    earlier.key === key &&
    earlier.source.file === entry.file &&
    earlier.cluster === entry.cluster &&
    earlier.namespaceImplied === entry.namespaceImplied
  )
    return earlier;
  const resource = toResource(entry, key);
  made.set(entry.read, resource);
  return resource;
}

/**
 * `group/kind/namespace/name[@cluster]`. The other tree's resource of the same document holds that
 * string as its key unless several documents shared it there (Resource.key): that string again is
 * one string for both trees, hashed once, instead of a new one a side.
 */
function identityKey(id: ResourceId, cluster: string | undefined, earlier: Resource | undefined): string {
  if (earlier?.id === id && earlier.cluster === cluster && keyIsIdentity(earlier)) return earlier.key;
  return flatText(resourceKey(id) + (cluster ? `@${cluster}` : ""));
}

/** A document read, placed in its file, before keys are known. */
interface Found {
  readonly file: string;
  readonly baseKey: string;
  readonly id: ResourceId;
  readonly read: Extract<DocumentRead, { type: "resource" | "values" }>;
  readonly cluster?: string;
  readonly namespaceImplied?: true;
  /** Its file is read as mesh values (policy `meshValues`): a document read so is read so again. */
  readonly asValues?: true;
}

const valuesId = (file: string): ResourceId => ({ group: istioValuesKind.group, kind: istioValuesKind.kind, namespace: "", name: file });

function toResource({ read, file, id, cluster, namespaceImplied, asValues }: Found, key: string): Resource {
  const source = { file, line: read.chunk.line, text: read.chunk.text };
  const placed = { ...(cluster ? { cluster } : {}), ...(namespaceImplied ? { namespaceImplied } : {}) };
  if (read.type === "resource" && read.listItem !== undefined) {
    const { id: _id, chunk: _chunk, fileNamed: _fileNamed, listItem, type: _type, ...fields } = read;
    return { ...fields, id, source: { ...source, within: ["items", listItem] }, key, ...placed };
  }
  // A Namespace kustomize renames is compared as applied: `development` → `_` under `namespace: development` changes nothing.
  if (read.type === "resource" && id.name !== read.id.name && renamedByNamespace(id)) {
    const { id: _id, chunk: _chunk, fileNamed: _fileNamed, unlessRenamed: _refused, type: _type, body, ...fields } = read;
    return { ...fields, id, body: { ...body, metadata: { ...record(body.metadata), name: id.name } }, source, key, ...placed };
  }
  if (read.type === "resource")
    return new (asValues ? LoadedValuesFileResource : LoadedResource)(
      {
        id,
        apiVersion: read.apiVersion,
        family: read.family,
        labels: read.labels,
        annotations: read.annotations,
        source,
        key,
        ...placed,
        ...(read.unresolved ? { unresolved: read.unresolved } : {}),
      },
      read.body,
    );
  // A values file has no apiVersion of its own.
  return {
    id,
    apiVersion: "",
    family: istioValuesKind.family,
    labels: NO_LABELS,
    annotations: NO_LABELS,
    body: read.body,
    source,
    key,
    ...placed,
  };
}

/** A resource of a document read here, which reads its document again for a body it let go of. */
class LoadedResource extends DocumentResource {
  /** Whether its file was read as mesh values, which read a `{{` in a resource's strings as data. */
  protected get asValues(): boolean {
    return false;
  }

  protected readAgain(source: DocumentSource): Readonly<Record<string, unknown>> {
    const chunk = { line: source.line, offset: 0, text: source.text };
    const step = triageDocument(chunk, this.asValues);
    const read =
      step.type === "parse"
        ? interpretDocument(chunk, parseYamlDocument(chunk, undefined, nodeBudget()), this.asValues, step.template, (text) => text)
        : undefined;
    // The reading is a function of the text: a document once read as a resource always is one, a
    // HelmRelease of a chartRef the one of its family (chartReleaseRead).
    const spec = read?.type === "chart-release" ? textKindOf(this.id.group, this.id.kind, this.family) : undefined;
    const again = read?.type === "chart-release" && spec ? readResource(read.value, spec, read.chunk) : read;
    if (again?.type !== "resource") throw new Error(`${source.file}:${source.line}: the document no longer reads as a resource`);
    return again.body;
  }
}

/**
 * A resource of a file the policy reads as mesh values: christian-posta/istio-demos c4863e5's
 * `values-istio-multicluster-gateways.yaml`, an IstioOperator whose values hold a `{{ }}` for istiod,
 * read again as a plain file refused that as a template, and the review died.
 */
class LoadedValuesFileResource extends LoadedResource {
  protected override get asValues(): boolean {
    return true;
  }
}

function cachedRead(
  cache: Map<string, readonly DocumentRead[]>,
  text: string,
  asValues: boolean,
  share: ShareString,
): readonly DocumentRead[] {
  let reads = cache.get(text);
  if (!reads) {
    reads = readDocuments(text, asValues, share);
    cache.set(text, reads);
  }
  return reads;
}

/** Share of a file's text that must be parsed for one whole-file parser call to be the cheaper way. */
const STREAM_SHARE = 0.7;

/**
 * The documents of one file text: the unit of work an adapter may hand to another thread. Their
 * values' strings go through `share`: the review's table (a worker thread shares none, as what it
 * sends is copied anyway; the review shares what arrives).
 */
export function readDocuments(text: string, asValues: boolean, share: ShareString): DocumentRead[] {
  const big = oversize(text);
  const refused = big === undefined ? undecodable(text) : { line: 1, message: big };
  if (refused) {
    // Too big to parse, or not UTF-8, but its header lines still say whether it is meant as traffic config; too big to read, nothing does.
    if (asValues || refusedUnread(refused.message) || splitYamlDocuments(text).some((chunk) => declaresTraffic(chunk.text)))
      return [{ type: "invalid", ...refused }];
    return namesTrafficGroup(text)
      ? [{ type: "skipped", line: 1, reason: `${refused.message}, and no document in it declares a traffic kind` }]
      : [];
  }
  const chunks = splitYamlDocuments(text);
  const triage = chunks.map((chunk) => triageDocument(chunk, asValues));
  const parsedBytes = chunks.reduce((sum, chunk, i) => sum + (triage[i]?.type === "parse" ? chunk.text.length : 0), 0);
  // One parser call for the whole file when most of it must be parsed anyway.
  // One alias budget for the whole file, whichever way its documents are parsed.
  const budget = nodeBudget();
  const stream = parsedBytes > STREAM_SHARE * text.length ? parseYamlStream(text, chunks, undefined, budget) : undefined;
  const reads: DocumentRead[] = [];
  let valuesPending = asValues;
  chunks.forEach((chunk, i) => {
    const step = triage[i];
    if (!step || step.type === "skip") return;
    const parsed = stream?.[i] ?? parseYamlDocument(chunk, undefined, budget);
    const items = asValues ? undefined : parsed.ok ? listItems(parsed.value) : undefined;
    if (items) {
      // kubectl applies a List's items, each as the object it is.
      items.forEach((item, index) => {
        const read = interpretDocument(chunk, { ok: true, value: item }, false, step.template, share, index);
        if (read) reads.push(read.type === "resource" ? { ...read, listItem: index } : read);
      });
      return;
    }
    const read = interpretDocument(chunk, parsed, valuesPending, step.template, share);
    if (!read) return;
    if (read.type === "values") valuesPending = false;
    reads.push(read);
  });
  return reads;
}

const groupPattern = (groups: readonly string[]): RegExp =>
  new RegExp(groups.map((group) => (group.includes(".") ? group.replace(/[.]/g, "\\.") : `\\b${group}/`)).join("|"));

/**
 * Any traffic group named anywhere in a text, in any position: the fast path's one question. A
 * group without a dot is an everyday word (`extensions`): it counts only as an apiVersion's group.
 */
const TRAFFIC_GROUP = groupPattern([...trafficGroups]);

/**
 * The groups whose every mention is worth a skipped line: a group without a dot is an old core
 * group (`extensions/v1beta1`) whose Deployments and DaemonSets are nobody's traffic config.
 */
const LISTED_GROUP = groupPattern([...trafficGroups].filter((group) => group.includes(".")));

/**
 * Double-quoted escapes that spell characters (`\x2e`, `\u002e`) or join lines (`\` at a line
 * end): the ways a parsed string can hold a group its text does not show.
 */
const SPELLING_ESCAPE = /\\(?:[xuU]|\r?\n)/;

/** Words that make a document without apiVersion/kind Istio values (see holdsMeshValues). */
const MESH_VALUES_WORD = /\b(?:meshID|network|multiCluster|trustDomain|meshConfig)\b/;

/**
 * Whether a document's text may declare traffic config however its header lines read. A tag, an
 * anchor, a quoted key or a flow mapping changes how `kind:` looks, and a multi-line string can
 * show a fake `kind:` line, but none of them can hide the group the apiVersion names: so only
 * text without any traffic group (or traffic kind name, core Namespace mesh labels, mesh values)
 * is skipped.
 */
function mayMatter(text: string): boolean {
  return (
    mentionsTrafficGroup(text) ||
    trafficKindNames.has(kindShown(text) ?? "") ||
    mayBeTextKind(text) ||
    MESH_VALUES_WORD.test(text) ||
    FLUX_CHART_DOCUMENT.test(text)
  );
}

/** A HelmRelease of a `chartRef`, or a source one may name: what a release installs is read off both (chartReleaseRead). */
const FLUX_CHART_DOCUMENT = /\bchartRef\b|\bkind["']?[ \t]*:[ \t]*["']?(?:OCIRepository|HelmChart)\b/;

// Top-level `kind:` lines, however written: a name for messages and a hint to parse, never trusted.
const KIND_LINE = /^["']?kind["']?[ \t]*:[ \t]*(.*)$/gm;
const ONE_WORD = /^["']?([A-Za-z][\w.-]*)["']?[ \t]*(?:#.*)?\r?$/;

/** The kind a document shows when exactly one top-level line names it with one plain word. */
function kindShown(text: string): string | undefined {
  const lines = [...text.matchAll(KIND_LINE)];
  return lines.length === 1 ? ONE_WORD.exec(lines[0]?.[1] ?? "")?.[1] : undefined;
}

/** Whether the text may name a traffic group, even spelled with escapes: the test for parsing a document. */
const mentionsTrafficGroup = (text: string): boolean => TRAFFIC_GROUP.test(text) || SPELLING_ESCAPE.test(text);

/** Whether the text names a traffic group as written: what makes a skipped document worth listing. */
const namesTrafficGroup = (text: string): boolean => LISTED_GROUP.test(text);

// Top-level `apiVersion:`/`kind:` entries, in block style (column 0), in a flow mapping (`{kind: X, ...}`),
// or quoted and indented as pretty-printed JSON writes them (`  "kind": "HTTPRoute",`).
const HEADER_ENTRY = /(?:^|^[ \t]+(?=")|[{,][ \t]*)["']?(apiVersion|kind)["']?[ \t]*:[ \t]*([^,}#\r\n]*)/gm;
// `apiVersion:`/`kind:` entries at any indentation, a sequence item's first (`  - kind: X`) too.
const ITEM_HEADER_ENTRY = /^[ \t]*(?:-[ \t]+)?["']?(apiVersion|kind)["']?[ \t]*:[ \t]*([^,}#\r\n]*)/gm;
const DOUBLE_QUOTED_ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))/g;

/** A header value as written: without a `!!str` tag, quotes, or the escapes a double-quoted string spells characters with. */
function headerValue(written: string): string {
  const value = written.trim().replace(/^!!str[ \t]+/, "");
  const quote = value.charAt(0);
  if (quote !== '"' && quote !== "'") return value;
  const inner = value.slice(1, value.endsWith(quote) ? -1 : undefined);
  return quote === "'"
    ? inner
    : inner.replace(DOUBLE_QUOTED_ESCAPE, (_, hex?: string, unicode?: string) => String.fromCharCode(parseInt(hex ?? unicode ?? "0", 16)));
}

/**
 * Whether a document that cannot be read is clearly meant as traffic config: its header names a
 * traffic kind of a traffic group (or a traffic kind under a templated apiVersion). What does not
 * declare one is not traffic config however often it mentions a group (a workflow, a CRD).
 */
function declaresTraffic(text: string): boolean {
  const apiVersions: string[] = [];
  const kinds: string[] = [];
  for (const [, key, written] of text.matchAll(HEADER_ENTRY)) (key === "kind" ? kinds : apiVersions).push(headerValue(written ?? ""));
  // A List's items are applied each as the object it is: their headers are indented under `items:`.
  if (kinds.some((kind) => kind.endsWith("List")))
    for (const [, key, written] of text.matchAll(ITEM_HEADER_ENTRY))
      (key === "kind" ? kinds : apiVersions).push(headerValue(written ?? ""));
  return kinds.some((kind) =>
    apiVersions.some((apiVersion) => {
      const spec = kindSpecFor(groupOf(apiVersion), kind, text);
      return (spec !== undefined && !spec.context) || (apiVersion.includes("{{") && trafficKindNames.has(kind));
    }),
  );
}

type Triage = { readonly type: "skip" } | { readonly type: "parse"; readonly template?: number };

/**
 * What a document needs, from its text alone: most non-traffic documents are never parsed. One
 * holding `{{` is parsed all the same: its parsed kind, and where its placeholders sit, decide
 * (placeholders.ts); a workflow's `${{ }}` is nobody's traffic config.
 */
function triageDocument(chunk: YamlChunk, asValues: boolean): Triage {
  if (!asValues && !mayMatter(chunk.text)) return { type: "skip" };
  // `{{` is rare and found by indexOf; the kind a document shows costs a scan of its lines, so it is asked only then.
  const template = asValues ? -1 : templateAt(chunk.text);
  if (template === -1 || ownsTemplates(chunk.text)) return { type: "parse" };
  return { type: "parse", template: chunk.line + lineCount(chunk.text, template) };
}

const templateRefusal = (what: string, line: number): DocumentRead => ({
  type: "invalid",
  line,
  message: `${what}: template: render it before review ("{{" at line ${line})`,
});

/** Kinds whose own fields hold `{{ }}` (ApplicationSet): their placeholders are data, checked after parsing. */
const ownsTemplates = (text: string): boolean => {
  const kind = kindShown(text);
  return kind !== undefined && [...trafficGroups].some((group) => kindSpec(group, kind)?.ownTemplates === true);
};

/**
 * `template`: the line of the document's first `{{`, if it holds one (and its kind does not own
 * templates); `item`: the index of the object among a `kind: List`'s items.
 */
function interpretDocument(
  chunk: YamlChunk,
  parsed: ParsedYaml,
  asValues: boolean,
  template: number | undefined,
  share: ShareString,
  item?: number,
): DocumentRead | undefined {
  // Named only in refusals: most documents are read without one.
  const what = () => kindShown(chunk.text) ?? (asValues ? "Istio values" : "traffic document");
  if (!parsed.ok) {
    // A traffic document that does not parse with its placeholders is a template to render before review.
    if (!asValues && template !== undefined && declaresTraffic(chunk.text)) return templateRefusal(what(), template);
    if (asValues || declaresTraffic(chunk.text)) return { type: "invalid", line: parsed.line, message: `${what()}: ${parsed.message}` };
    const problem = template === undefined ? parsed.message : `unrendered template ("{{" at line ${template})`;
    return skip(chunk, parsed.line, `${problem}; declares no traffic kind`);
  }
  const value = parsed.value;
  if (!isMapping(value)) {
    if (value === null) return undefined;
    const found = Array.isArray(value) ? "a sequence" : "a scalar";
    if (asValues) return { type: "invalid", line: chunk.line, message: `${what()}: expected a mapping, found ${found}` };
    // kubectl and kustomize read a document as one object: a sequence of traffic objects (a List
    // without its header) is refused, and the objects it meant stay as they were, not removed.
    const object = Array.isArray(value) ? value.find(isTrafficObject) : undefined;
    if (object)
      return {
        type: "invalid",
        line: chunk.line,
        message: `a sequence of objects (${String(object.kind)} first), not one object: kubectl and kustomize refuse it (a \`kind: List\` holds several)`,
      };
    return skip(chunk, chunk.line, `not a Kubernetes object: ${found}${Array.isArray(value) ? " (a JSON patch?)" : ""}`);
  }
  settleValues(value, share);
  // Only the parsed apiVersion and kind are trusted: they are what Kubernetes reads.
  const { apiVersion, kind } = value;
  if (typeof apiVersion === "string" && typeof kind === "string") {
    const group = groupOf(apiVersion);
    const spec = kindSpecFor(group, kind, parsedTraits(value));
    if (!spec) {
      // Its header is the placeholder (`apiVersion: {{ .Values.apiVersion }}`): what it is depends on the render.
      if (template !== undefined && declaresTraffic(chunk.text)) return templateRefusal(what(), template);
      const meant = trafficGroups.has(group) ? nearKind(group, kind) : undefined;
      if (meant)
        return {
          type: "invalid",
          line: lineOf(sourceOf(chunk), ["kind"]),
          message: `kind ${JSON.stringify(kind)} is not a kind of ${group} (${meant}?): kubectl and Flux refuse the apply`,
        };
      return (
        (template === undefined ? fluxChartDocument(group, kind, value, chunk) : undefined) ??
        skip(chunk, chunk.line, `not a traffic kind: ${kind} (${apiVersion})`)
      );
    }
    // A placeholder the review would read cannot be reviewed until rendered; one in another tool's data is that tool's.
    // A kind read only for what others need (a Namespace's labels) never gates: unreadable, it is not read.
    const placeholder =
      template === undefined || spec.ownTemplates
        ? undefined
        : readPlaceholderLine(chunk, spec.dataFields, item === undefined ? [] : ["items", item]);
    if (placeholder !== undefined)
      return spec.context ? skip(chunk, placeholder, `${kind}: template, not read`) : templateRefusal(kind, placeholder);
    const read = readResource(value, spec, chunk);
    if (!spec.context) return read;
    if (read.type === "invalid") return skip(chunk, read.line, read.message);
    if (read.type !== "resource" || !read.unlessRenamed || read.unlessRenamed.type !== "invalid") return read;
    // Where nothing renames it, unread as any unreadable document of a kind read for context.
    const unread = skip(chunk, read.unlessRenamed.line, read.unlessRenamed.message);
    return { ...read, unlessRenamed: unread?.type === "skipped" ? unread : null };
  }
  if (typeof apiVersion === "string" && trafficGroups.has(groupOf(apiVersion))) {
    return { type: "invalid", line: lineOf(sourceOf(chunk), ["kind"]), message: `${apiVersion}: kind: required, expected string` };
  }
  // An object of a traffic kind that lost its apiVersion: kubectl refuses it, so what it was stays.
  if (
    apiVersion === undefined &&
    typeof kind === "string" &&
    trafficKindNames.has(kind) &&
    isMapping(value.metadata) &&
    isMapping(value.spec)
  )
    return { type: "invalid", line: chunk.line, message: `${kind}: apiVersion: required, expected string` };
  if (asValues || holdsMeshValues(value)) return readValues(value, chunk);
  return skip(chunk, chunk.line, "not a Kubernetes object: no apiVersion and kind");
}

/** A Flux source a `chartRef` may name, or a HelmRelease of a `chartRef`, as read for what the release installs; undefined for anything else. */
function fluxChartDocument(group: string, kind: string, value: Record<string, unknown>, chunk: YamlChunk): DocumentRead | undefined {
  const metadata = isMapping(value.metadata) ? value.metadata : {};
  if (group === FLUX_SOURCE && (kind === "OCIRepository" || kind === "HelmChart") && typeof metadata.name === "string") {
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    return { type: "chart-source", source: { kind, name: metadata.name, namespace, spec: value.spec } };
  }
  if (group === FLUX_HELM && kind === "HelmRelease" && isMapping(value.spec) && isMapping(value.spec.chartRef))
    return { type: "chart-release", value, chunk };
  return undefined;
}

/** The resource each HelmRelease of a chartRef was read as, by the family reading it: one object however many trees resolve it alike. */
const chartReleases = new WeakMap<DocumentRead, Map<string, DocumentRead>>();

/**
 * A HelmRelease of a `chartRef` read as the family that reads releases of the chart its source
 * serves (core/flux-release-chart.ts: the one function the render stage also leaves that family's
 * judged values out of its fingerprint by), told by the `chart:` a `chart.spec` would write; nothing
 * where no family reads it (app-template's), or its tree does not say the chart. Like a kind read
 * for context, one its family cannot read is not read and never gates.
 */
function chartReleaseRead(read: Extract<DocumentRead, { type: "chart-release" }>, sources: () => readonly FluxSource[]): FileRead[] {
  const metadata = isMapping(read.value.metadata) ? read.value.metadata : {};
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  const { name } = releaseChart(read.value.spec, (ref) => sources().filter((source) => namesSource(ref, namespace, source)));
  const spec = name === undefined ? undefined : kindSpecFor(FLUX_HELM, "HelmRelease", `chart: ${name}`);
  if (!spec || spec.context) return [];
  let byFamily = chartReleases.get(read);
  if (!byFamily) chartReleases.set(read, (byFamily = new Map()));
  let resource = byFamily.get(spec.family);
  if (!resource) byFamily.set(spec.family, (resource = readResource(read.value, spec, read.chunk)));
  return resource.type === "resource" ? [resource] : [];
}

/** An object of a traffic kind, read apart from its document (an item of a sequence). */
const isTrafficObject = (item: unknown): item is Record<string, unknown> => {
  if (!isMapping(item) || typeof item.apiVersion !== "string" || typeof item.kind !== "string") return false;
  const spec = kindSpecFor(groupOf(item.apiVersion), item.kind, parsedTraits(item));
  return spec !== undefined && !spec.context;
};

/** A document that is not traffic config: listed when it names a traffic group, else not worth a line. */
const skip = (chunk: YamlChunk, line: number, reason: string): DocumentRead | undefined =>
  namesTrafficGroup(chunk.text) ? { type: "skipped", line, reason } : undefined;

/**
 * What marks a core document as traffic config, from its parsed value: its label keys, one a line
 * (a mesh Namespace), its `type:` (an ExternalName Service), and a ConfigMap's name and string keys
 * (istiod's `istio` and its `mesh`).
 */
function parsedTraits(value: Record<string, unknown>): string {
  const labels = isMapping(value.metadata) ? value.metadata.labels : undefined;
  const type = isMapping(value.spec) && typeof value.spec.type === "string" ? `\ntype: ${value.spec.type}` : "";
  const chartSpec =
    isMapping(value.spec) && isMapping(value.spec.chart) && isMapping(value.spec.chart.spec) ? value.spec.chart.spec : undefined;
  const chart = typeof chartSpec?.chart === "string" ? `\nchart: ${chartSpec.chart}` : "";
  const kind = typeof value.kind === "string" ? `\nkind: ${value.kind}` : "";
  // A ConfigMap's name and its documents by key (istiod's `istio` and its `mesh`), as its text shows them.
  const configMap =
    value.kind === "ConfigMap" && isMapping(value.data) && isMapping(value.metadata) && typeof value.metadata.name === "string"
      ? `\nname: ${value.metadata.name}${Object.entries(value.data)
          .flatMap(([key, data]) => (typeof data === "string" ? [`\n${key}: |`] : []))
          .join("")}`
      : "";
  return (isMapping(labels) ? Object.keys(labels).join("\n") : "") + type + chart + kind + configMap;
}

const sourceOf = (chunk: YamlChunk) => ({ file: "", line: chunk.line, text: chunk.text });

/** The name a document named by its file is validated with; its identity takes the file's path instead. */
const FILE_NAMED = "(named by its file)";

function readResource(value: Record<string, unknown>, spec: KindSpec, chunk: YamlChunk): DocumentRead {
  const metadata = isMapping(value.metadata) ? value.metadata : undefined;
  const fileNamed = spec.fileNamed && (typeof metadata?.name !== "string" || metadata.name === "");
  const validate = (input: Record<string, unknown>) =>
    spec.schema.safeParse(fileNamed ? { ...input, metadata: { ...metadata, name: FILE_NAMED } } : input);
  let result = validate(value);
  // A typed field that only a Flux variable the tree does not resolve fails (`weight: ${CANARY_WEIGHT}`
  // in an app repository whose fleet repository substitutes it) is unknown, not invalid: read as
  // unset, and kept as written (Resource.unresolved) so that an edit of it is still judged.
  const unresolved =
    result.success || substitutionDisabled(metadata?.annotations) ? undefined : unresolvedFields(value, result.error.issues);
  if (unresolved) {
    const unset = validate(withoutFields(value, unresolved));
    if (unset.success) result = unset;
  }
  if (!result.success) {
    const id = partialId(value, spec);
    const where = id ? displayName(id) : `${spec.kind} (unnamed)`;
    return {
      type: "invalid",
      line: lineOf({ file: "", line: chunk.line, text: chunk.text }, result.error.issues[0]?.path.filter(isPathStep) ?? []),
      message: `${where}: ${describeIssues(result.error.issues)}`,
      ...(id ? { resource: id } : {}),
    };
  }
  const object = result.data;
  const wrongName = spec.fileNamed || spec.toolFile ? undefined : misnamed(spec.group, spec.kind, object.metadata, spec.namespaced);
  // Named as the API server refuses: the object the file held stays as it was (no resource is named,
  // so its base resource is kept, not read as renamed or removed: diff/unreadable-resources.ts).
  const refused = wrongName && {
    type: "invalid" as const,
    line: lineOf(sourceOf(chunk), ["metadata", wrongName.field]),
    message: `${displayName(identity(object.metadata.name, object.metadata.namespace, spec))}: ${wrongName.message}`,
  };
  if (refused && !(wrongName.field === "name" && renamedByNamespace(identity(object.metadata.name, undefined, spec)))) return refused;
  // The schema's output is a fresh object: its header takes equal strings held once for the whole kind, not once a document.
  Object.assign(object, { kind: spec.kind, apiVersion: canonicalApiVersion(spec, object.apiVersion) });
  const { labels, annotations } = object.metadata;
  return {
    type: "resource",
    id: identity(fileNamed ? "" : object.metadata.name, object.metadata.namespace, spec),
    apiVersion: object.apiVersion,
    family: spec.family,
    labels: labelsOrNone(labels),
    annotations: labelsOrNone(annotations),
    body: fileNamed ? withoutStandInName(object, metadata) : object,
    chunk,
    fileNamed,
    ...(unresolved ? { unresolved } : {}),
    ...(refused ? { unlessRenamed: refused } : {}),
  };
}

/** The fields behind a schema's issues when each is a Flux variable written where a number, boolean or enum goes; undefined when any is not. */
function unresolvedFields(value: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): UnresolvedField[] | undefined {
  const fields: UnresolvedField[] = [];
  for (const issue of issues) {
    const path = issue.path.filter(isPathStep);
    const written = valueAt(value, path);
    // A list item cannot be left out without moving the items after it.
    if (path.length !== issue.path.length || typeof path.at(-1) !== "string" || typeof written !== "string" || !isFluxVariable(written))
      return undefined;
    fields.push({ path: sharedPath(path), expression: written });
  }
  return fields.length > 0 ? fields : undefined;
}

/** A copy of `value` without the fields. */
function withoutFields(value: Record<string, unknown>, fields: readonly UnresolvedField[]): Record<string, unknown> {
  const copy = structuredClone(value);
  for (const { path } of fields) {
    const parent = valueAt(copy, path.slice(0, -1));
    if (isMapping(parent)) delete parent[path.at(-1) as string];
  }
  return copy;
}

/** The body as the file says it: the stand-in name was only for the schema. */
function withoutStandInName(object: Record<string, unknown>, metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const { metadata: _standIn, ...rest } = object;
  return metadata ? { ...rest, metadata } : rest;
}

function readValues(value: Record<string, unknown>, chunk: YamlChunk): DocumentRead {
  const result = istioValues.safeParse(value);
  if (result.success) return { type: "values", body: result.data, chunk };
  return {
    type: "invalid",
    line: lineOf({ file: "", line: chunk.line, text: chunk.text }, result.error.issues[0]?.path.filter(isPathStep) ?? []),
    message: `Istio values: ${describeIssues(result.error.issues)}`,
  };
}

const identity = (name: string, namespace: string | undefined, spec: KindSpec): ResourceId => ({
  group: spec.group,
  kind: spec.kind,
  namespace: spec.namespaced ? namespace || "default" : "",
  name,
});

/** The identity of a resource that failed its schema, when its metadata still names it. */
function partialId(value: Record<string, unknown>, spec: KindSpec): ResourceId | undefined {
  const metadata = value.metadata;
  if (!isMapping(metadata) || typeof metadata.name !== "string" || !metadata.name) return undefined;
  return identity(metadata.name, typeof metadata.namespace === "string" ? metadata.namespace : undefined, spec);
}

/** Top-level `global.meshID|network|multiCluster`, or a `meshConfig` mapping. */
function holdsMeshValues(value: Record<string, unknown>): boolean {
  const { global, meshConfig } = value;
  return (
    (isMapping(global) && ("meshID" in global || "network" in global || "multiCluster" in global)) ||
    // istiod's MeshConfig: no other chart's values hold one, and it carries mTLS, egress and authz settings.
    isMapping(meshConfig)
  );
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const isPathStep = (step: PropertyKey): step is string | number => typeof step !== "symbol";

/** `spec.rules[0].backendRefs[1].weight: expected number, received string`, for the first few issues. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
  return shown.join("; ") + (issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : "");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: /, "").replace(/\bexpected int\b/, "expected integer");
  return issue.code === "invalid_type" && message.endsWith("received undefined")
    ? `required, ${message.replace(/, received undefined$/, "")}`
    : message;
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const step of path) {
    if (typeof step === "number") text += `[${step}]`;
    else if (typeof step === "string" && /^[A-Za-z_$][\w$-]*$/.test(step)) text += text ? `.${step}` : step;
    else text += `[${JSON.stringify(String(step))}]`;
  }
  return text || "(document)";
}

/**
 * Kubernetes reads a null field as an absent one (`namespace:` with no value); so does the schema.
 * Sequences keep their items: a null there is data. The same walk puts every string through the
 * review's string table (core/string-table.ts).
 */
function settleValues(node: unknown, share: ShareString): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (typeof item === "string") node[i] = share(item);
      else settleValues(item, share);
    }
  } else if (isMapping(node)) {
    for (const key of Object.keys(node)) {
      const item = node[key];
      if (item === null) delete node[key];
      else if (typeof item === "string") node[key] = share(item);
      else settleValues(item, share);
    }
  }
}
