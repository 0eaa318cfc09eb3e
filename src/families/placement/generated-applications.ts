import picomatch from "picomatch";
import type { Resource } from "../../core/resource.js";
import { isRecord, list, record, stringMap, text, texts, type JsonRecord } from "../../core/json-access.js";
import { selects } from "../../core/label-selector.js";
import { normalizeRepoPath, treeFolders } from "../../core/tree-folders.js";
import { flatten, pathParams, render, unfilled, type Params } from "./argo-templates.js";
import { inRenderedOutput } from "../../core/rendered-paths.js";

/**
 * The Applications an Argo CD ApplicationSet generates, where the tree alone says which: list
 * elements, the folders and files of this repository a git generator reads, and matrix and merge
 * generators of those. Each is the Application the controller writes (argo-cd applicationset
 * utils RenderTemplateParams): the template filled in with one parameter set, in the
 * ApplicationSet's namespace, with the resources finalizer where the template writes no
 * finalizers and the set does not preserve resources on deletion. What the tree cannot tell
 * (cluster Secrets, pull requests, SCM providers, plugins, cluster decisions, a Go template
 * function in a name, a path or the destination) leaves the set unlisted: its Applications are not known.
 */

/** What a generator reads of the tree: its files, and what one of them holds (JSON or YAML), undefined where it cannot be read. */
export interface GeneratorTree {
  readonly files: readonly string[];
  readonly data: (path: string) => unknown;
}

const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** The finalizers the controller gives the Applications a set generates: the template's, else the resources finalizer unless it preserves resources. */
export const generatedFinalizers = (applicationSet: Pick<Resource, "body">): readonly string[] => {
  const spec = record(applicationSet.body.spec);
  const written = texts(record(record(spec.template).metadata).finalizers);
  if (written.length > 0) return written;
  return record(spec.syncPolicy).preserveResourcesOnDeletion === true ? [] : [RESOURCES_FINALIZER];
};

/** More Applications than a review lists one by one: the set is left unlisted. */
const MAX_GENERATED = 500;

/** Go's path.Match, as the git directory generator matches folders: `*` within one segment, no braces. */
const folderMatcher = (pattern: string) =>
  picomatch(normalizeRepoPath(pattern).replace(/\*{2,}/g, "*"), { dot: true, nobrace: true, noextglob: true });

/** The git file generator's default globbing, in which `*` crosses folders (Generators-Git-File-Globbing). */
const fileMatcher = (pattern: string) => picomatch(normalizeRepoPath(pattern), { dot: true, bash: true });

/** Rendered output sits in `(rendered …)` folders of the review's own: not folders of the repository. */
const repositoryFolder = (folder: string): boolean => !inRenderedOutput(folder);

const withValues = (params: Params, values: unknown): Params => ({
  ...params,
  ...Object.fromEntries(Object.entries(stringMap(values)).map(([key, value]) => [`values.${key}`, render(value, params)])),
});

/** The repository URL as written, without the forms that name the same one (`.git`, a trailing slash). */
const repository = (url: unknown): string | undefined =>
  text(url)
    ?.replace(/\/+$/, "")
    .replace(/\.git$/, "");

/** Each entry's matcher, included or excluded: a path matched by an excluded entry is left out whatever includes it. */
const matching = (entries: unknown, matcher: (pattern: string) => (path: string) => boolean) => {
  const read = list(entries).map(record);
  const [included, excluded] = [false, true].map((exclude) =>
    read.filter((entry) => (entry.exclude === true) === exclude).map((entry) => matcher(text(entry.path) ?? "")),
  );
  return (path: string) => included!.some((matches) => matches(path)) && !excluded!.some((matches) => matches(path));
};

/** The files of the tree a parameter set was read from (a git generator's config.json), kept by the set. */
const filesOfParams = new WeakMap<Params, readonly string[]>();

const readFrom = (params: Params, files: readonly string[]): Params => {
  if (files.length > 0) filesOfParams.set(params, files);
  return params;
};

/** Two parameter sets as one (a matrix's product, a merge's override), read from the files of both. */
const joined = (left: Params, right: Params | undefined): Params =>
  readFrom({ ...left, ...right }, [...new Set([...(filesOfParams.get(left) ?? []), ...((right && filesOfParams.get(right)) ?? [])])]);

/**
 * A git generator's parameter sets, read from this tree: one per folder its directories match, or
 * per object in each file its files match. One reading another repository (its URL none of the
 * template's sources name) is not this tree's to say.
 */
const gitParams = (git: JsonRecord, tree: GeneratorTree, repositories: ReadonlySet<string>): Params[] | undefined => {
  if (!repositories.has(repository(git.repoURL) ?? "")) return undefined;
  const prefix = text(git.pathParamPrefix) ?? "";
  if (list(git.directories).length > 0) {
    const wanted = matching(git.directories, folderMatcher);
    return [...treeFolders(tree.files)]
      .filter((folder) => repositoryFolder(folder) && wanted(folder))
      .sort()
      .map((folder) => withValues(pathParams(folder, prefix), git.values));
  }
  if (list(git.files).length === 0) return undefined;
  const wanted = matching(git.files, fileMatcher);
  const sets: Params[] = [];
  for (const file of tree.files.filter((path) => repositoryFolder(path) && wanted(path)).sort()) {
    const data = tree.data(file);
    if (data === undefined) return undefined;
    const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
    for (const object of Array.isArray(data) ? data : [data])
      sets.push(readFrom(withValues({ ...flatten(object), ...pathParams(folder, prefix, file) }, git.values), [file]));
  }
  return sets;
};

/** Every string of a value filled in (a matrix's second generator reads the first's parameters). */
const renderAll = (value: unknown, params: Params): unknown =>
  typeof value === "string"
    ? render(value, params)
    : Array.isArray(value)
      ? value.map((item) => renderAll(item, params))
      : isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderAll(item, params)]))
        : value;

/** One generator's parameter sets, after its post selector; undefined where the tree cannot tell them. */
const generatorParams = (generator: unknown, tree: GeneratorTree, repositories: ReadonlySet<string>): Params[] | undefined => {
  const fields = record(generator);
  const sets = unselected(fields, tree, repositories);
  return fields.selector === undefined ? sets : sets?.filter((params) => selects(fields.selector, params));
};

const unselected = (fields: JsonRecord, tree: GeneratorTree, repositories: ReadonlySet<string>): Params[] | undefined => {
  if (isRecord(fields.list))
    return fields.list.elementsYaml === undefined ? list(fields.list.elements).map((element) => flatten(element)) : undefined;
  if (isRecord(fields.git)) return gitParams(fields.git, tree, repositories);
  if (isRecord(fields.matrix)) {
    const [first, second, ...more] = list(fields.matrix.generators);
    const left = more.length === 0 && second !== undefined ? generatorParams(first, tree, repositories) : undefined;
    const product: Params[] = [];
    for (const params of left ?? []) {
      const right = generatorParams(renderAll(second, params), tree, repositories);
      if (!right) return undefined;
      product.push(...right.map((other) => joined(params, other)));
    }
    return left && product;
  }
  if (isRecord(fields.merge)) {
    const children = list(fields.merge.generators).map((child) => generatorParams(child, tree, repositories));
    if (children.length === 0 || children.some((child) => child === undefined)) return undefined;
    const keys = texts(fields.merge.mergeKeys);
    const keyOf = (params: Params) => JSON.stringify(keys.map((key) => params[key] ?? null));
    // The first generator's sets, each overridden by the later generators' set of the same merge keys.
    return children.slice(1).reduce<Params[]>((sets, child) => {
      const byKey = new Map(child!.map((params) => [keyOf(params), params]));
      return sets.map((params) => joined(params, byKey.get(keyOf(params))));
    }, children[0]!);
  }
  return undefined;
};

/** A generator's own template, merged over the set's (its fields win). */
const mergedTemplate = (template: unknown, own: unknown): unknown =>
  isRecord(template) && isRecord(own)
    ? Object.fromEntries(
        [...new Set([...Object.keys(template), ...Object.keys(own)])].map((key) => [
          key,
          own[key] === undefined ? template[key] : mergedTemplate(template[key], own[key]),
        ]),
      )
    : (own ?? template);

/** The generator's own template, wherever its kind keeps it (`list.template`, `git.template`, ...). */
const ownTemplate = (generator: unknown): unknown =>
  Object.values(record(generator))
    .map((fields) => record(fields).template)
    .find(isRecord);

/** Whether a filled-in spec leaves where it delivers unknown: a placeholder left in a source's path or the destination. */
const unplaced = (spec: JsonRecord): boolean =>
  [spec.source, ...list(spec.sources)].some((source) => unfilled(text(record(source).path) ?? "")) ||
  Object.values(record(spec.destination)).some((value) => typeof value === "string" && unfilled(value));

/** A set's key with the Application's name in it, before any `@scope` (argoCdSite reads what follows `@`). */
const generatedKey = (applicationSet: Resource, name: string): string => {
  const at = applicationSet.key.indexOf("@");
  return at < 0 ? `${applicationSet.key}:${name}` : `${applicationSet.key.slice(0, at)}:${name}${applicationSet.key.slice(at)}`;
};

const owners = new WeakMap<Resource, Resource>();
const readBy = new WeakMap<Resource, readonly string[]>();

/** The ApplicationSet a generated Application comes from; undefined for any other object. */
export const generatingSet = (application: Resource): Resource | undefined => owners.get(application);

/** The files of the tree a generated Application's parameters were read from (a git file generator's), sorted; none for any other. */
export const generatorFiles = (application: Resource): readonly string[] => readBy.get(application) ?? [];

/**
 * The Applications a set generates from this tree, by name; undefined where the tree cannot tell
 * (an unsupported generator, a name left with a placeholder, a `templatePatch` it cannot fill in,
 * two Applications of one name, on which the controller refuses the whole set).
 */
export function generatedApplications(applicationSet: Resource, tree: GeneratorTree): readonly Resource[] | undefined {
  const spec = record(applicationSet.body.spec);
  if (spec.templatePatch !== undefined) return undefined;
  const template = record(spec.template);
  const sources = [record(template.spec).source, ...list(record(template.spec).sources)];
  const repositories = new Set(sources.flatMap((source) => repository(record(source).repoURL) ?? []));
  const finalizers = generatedFinalizers(applicationSet);
  const made = new Map<string, Resource>();
  for (const generator of list(spec.generators)) {
    const sets = generatorParams(generator, tree, repositories);
    if (!sets || made.size + sets.length > MAX_GENERATED) return undefined;
    const own = ownTemplate(generator);
    const written = own === undefined ? template : mergedTemplate(template, own);
    for (const params of sets) {
      const filled = record(renderAll(written, params));
      const metadata = record(filled.metadata);
      const name = text(metadata.name);
      if (!name || unfilled(name) || made.has(name) || unplaced(record(filled.spec))) return undefined;
      const namespace = text(metadata.namespace) ?? applicationSet.id.namespace;
      const application: Resource = {
        id: { group: "argoproj.io", kind: "Application", namespace, name },
        key: generatedKey(applicationSet, name),
        apiVersion: "argoproj.io/v1alpha1",
        family: applicationSet.family,
        labels: stringMap(metadata.labels),
        annotations: stringMap(metadata.annotations),
        body: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          metadata: { ...metadata, namespace, ...(finalizers.length > 0 ? { finalizers } : {}) },
          spec: record(filled.spec),
        },
        source: applicationSet.source,
      };
      owners.set(application, applicationSet);
      readBy.set(application, [...(filesOfParams.get(params) ?? [])].sort());
      made.set(name, application);
    }
  }
  return [...made.values()];
}
