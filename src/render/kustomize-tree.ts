import { posix } from "node:path";
import * as z from "zod";
import type { SourceFile } from "../core/source-file.js";
import type { SymbolicLink } from "../detect/symlinks.js";
import { linkTarget, normalizePath as normalize, realPaths } from "../core/repository-links.js";
import { loadAllAsGoYaml, loadAsGoYaml } from "../manifests/yaml-documents.js";
import { isKustomizationFile, KUSTOMIZATION_NAMES } from "../core/kustomization-files.js";
import { chartAt } from "../core/chart-source.js";
import { record } from "../core/json-access.js";

/**
 * The kustomizations of a tree as files: what each names (resources, bases, components, patches,
 * generator inputs) and reads (its closure), through the tree's symlinks. Pure, and blind to what
 * the documents are: the App's main thread reads a pull request's named inputs with it without
 * loading the families (render-plan.ts, which decides what renders, does).
 */

/** The kustomization file of a folder ("" is the repository's root), among the paths of a tree. */
export const kustomizationFileIn = (folder: string, paths: { has(path: string): boolean }): string | undefined =>
  KUSTOMIZATION_NAMES.map((name) => (folder ? `${folder}/${name}` : name)).find((path) => paths.has(path));
/** Where kustomize keeps the charts a kustomization inflates, relative to it (`helmGlobals.chartHome`, else `charts`). */
export const chartHomeOf = (fields: Record<string, unknown>): string => {
  const home = record(fields.helmGlobals).chartHome;
  return typeof home === "string" ? home : "charts";
};

/** A kustomization entry that names another repository or a URL: kustomize fetches it. */
export const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|git::|(?:github\.com|gitlab\.com|bitbucket\.org)\/)/i;

/**
 * A field left without a value (`components:` whose every entry is commented out: kubeflow/manifests'
 * example) is null, which kustomize reads as absent: so does this, rather than refusing the whole file.
 */
const absentIfNull = <T extends z.ZodType>(field: T) => field.nullish().transform((value) => value ?? undefined);

const KustomizationFile = z.looseObject({
  kind: absentIfNull(z.string()),
  namespace: absentIfNull(z.string()),
  resources: absentIfNull(z.array(z.string())),
  bases: absentIfNull(z.array(z.string())),
  components: absentIfNull(z.array(z.string())),
  helmCharts: absentIfNull(z.array(z.unknown())),
});
export type KustomizationFields = Readonly<Partial<z.infer<typeof KustomizationFile>>>;

/**
 * Every field of a kustomization (kustomize v5) that names a file it reads besides resources,
 * bases and components: patches, generator inputs, transformer and validator configs, CRDs,
 * OpenAPI schemas, replacement sources, Helm values. A string with a line break is an inline
 * patch or config, not a path; `key=path` in a generator names `path`, which may be a URL that
 * kustomize fetches (JJGadgets/Biohazard's Flux dashboards: see REMOTE).
 */
export function filesNamedBy(fields: Record<string, unknown>): string[] {
  const generated = (value: unknown): string[] =>
    (Array.isArray(value) ? value : []).flatMap((generator) => {
      if (!generator || typeof generator !== "object") return [];
      const { files, envs, env } = generator as Record<string, unknown>;
      return [
        ...strings(files).map((file) => file.slice(file.indexOf("=") + 1)),
        ...strings(envs),
        ...(typeof env === "string" ? [env] : []),
      ];
    });
  const openapi = fields.openapi && typeof fields.openapi === "object" ? (fields.openapi as Record<string, unknown>).path : undefined;
  return [
    ...patchFilesNamedBy(fields),
    ...paths(fields.replacements),
    ...strings(fields.crds),
    ...strings(fields.configurations),
    ...strings(fields.transformers),
    ...strings(fields.generators),
    ...strings(fields.validators),
    ...generated(fields.configMapGenerator),
    ...generated(fields.secretGenerator),
    ...chartValuesNamedBy(fields),
    ...(typeof openapi === "string" ? [openapi] : []),
  ].filter((path) => !path.includes("\n"));
}

/** The values files of the charts a kustomization inflates (`helmCharts`), as written. */
export const chartValuesNamedBy = (fields: Record<string, unknown>): string[] =>
  (Array.isArray(fields.helmCharts) ? fields.helmCharts : []).flatMap(valuesFilesOfChart);

/** The values files one `helmCharts` entry names (`valuesFile`, `additionalValuesFiles`), as written. */
export function valuesFilesOfChart(entry: unknown): string[] {
  if (!entry || typeof entry !== "object") return [];
  const { valuesFile, additionalValuesFiles } = entry as Record<string, unknown>;
  return [...(typeof valuesFile === "string" ? [valuesFile] : []), ...strings(additionalValuesFiles)];
}

/** The files of the repository a kustomization names (filesNamedBy), without what it fetches. */
export const localFilesNamedBy = (fields: Record<string, unknown>): string[] => filesNamedBy(fields).filter((path) => !REMOTE.test(path));

/** The patch files a kustomization names, as written (a string with a line break is an inline patch, not a path). */
export const patchFilesNamedBy = (fields: Record<string, unknown>): string[] =>
  [...strings(fields.patchesStrategicMerge), ...paths(fields.patches), ...paths(fields.patchesJson6902)].filter(
    (path) => !path.includes("\n"),
  );

/** What a kustomization accumulates: its resources, bases and components, as written. */
export const resourceEntries = (fields: KustomizationFields): string[] => [
  ...(fields.resources ?? []),
  ...(fields.bases ?? []),
  ...(fields.components ?? []),
];

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);

/** A list's entries that name a file: a string, or an object's `path`. */
const paths = (value: unknown): string[] =>
  (Array.isArray(value) ? value : []).flatMap((item) =>
    typeof item === "string" ? [item] : item && typeof item === "object" && typeof item.path === "string" ? [item.path] : [],
  );

export { normalizePath as normalize } from "../core/repository-links.js";

export const folderOf = (file: string): string => (file.includes("/") ? posix.dirname(file) : "");

export const insideFolder = (folder: string) => (file: string) => folder === "" || file.startsWith(`${folder}/`);

export interface Tree {
  readonly files: readonly SourceFile[];
  readonly text: ReadonlyMap<string, string>;
  readonly kustomizationIn: (folder: string) => string | undefined;
  readonly filesUnder: (folder: string) => string[];
  /** A path as it really is in the repository, through its symlinks (kustomize evaluates them). */
  readonly real: (path: string) => string;
  /** The repository's files that links inside a folder lead to (a chart's `crds -> ../../config/crd/bases`). */
  readonly linkedUnder: (folder: string) => string[];
}

export function treeOf(files: readonly SourceFile[], links: readonly SymbolicLink[] = []): Tree {
  const text = new Map(files.map((file) => [file.path, file.text]));
  const paths = [...text.keys()].sort();
  return {
    files,
    text,
    kustomizationIn: (folder) => kustomizationFileIn(folder, text),
    filesUnder: (folder) => paths.filter(insideFolder(folder)),
    real: realPaths(links),
    linkedUnder: (folder) =>
      links.flatMap((link) => {
        const target = insideFolder(folder)(link.path) ? linkTarget(link) : undefined;
        return target === undefined ? [] : text.has(target) ? [target] : paths.filter(insideFolder(target));
      }),
  };
}

/**
 * A kustomization's fields, parsed once per text: planning reads each kustomization again for every
 * closure that reaches it (each root's, each candidate root's), on both trees, which share most
 * texts. Bounded, as the App's process plans one review after another.
 */
const parsedFields = new Map<string, KustomizationFields | null>();
const PARSED_FIELDS = 4_096;

/** A kustomization's fields, or undefined when its text is no kustomization one can read (planning reads none there). */
export function readKustomization(text: string | undefined): KustomizationFields | undefined {
  const key = text ?? "";
  const known = parsedFields.get(key);
  if (known !== undefined) return known ?? undefined;
  let fields: KustomizationFields | null;
  try {
    const value: unknown = loadAsGoYaml(key);
    fields = value == null ? {} : (KustomizationFile.safeParse(value).data ?? null);
  } catch {
    fields = null;
  }
  if (parsedFields.size >= PARSED_FIELDS) parsedFields.clear();
  parsedFields.set(key, fields);
  return fields ?? undefined;
}

export const kustomizationFields = (text: string | undefined): KustomizationFields => readKustomization(text) ?? {};

export const kustomizationOf = (tree: Pick<Tree, "text">, file: string) => kustomizationFields(tree.text.get(file));

/**
 * A kustomization with nothing in it but its apiVersion, kind and comments (a tutorial's starting
 * point), or fields left without a value (`resources:` awaiting its first entry, a template's
 * skeleton: eks-multi-cluster-gitops): kustomize refuses to build it ("kustomization.yaml is
 * empty"), and it holds nothing to apply either way.
 */
export function isEmptyKustomization(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const [value, ...more]: unknown[] = loadAllAsGoYaml(text);
    const bare =
      value == null ||
      (typeof value === "object" &&
        Object.entries(value).every(([key, field]) => key === "apiVersion" || key === "kind" || field === null));
    return more.length === 0 && bare;
  } catch {
    return false;
  }
}

/** The repository path a kustomization's local entry names, through the tree's symlinks. */
const entryTarget = (tree: Tree, folder: string, entry: string): string => tree.real(normalize(posix.join(folder, entry)));

/**
 * The files an entry that is no kustomization names: the file itself, or all of a folder without a
 * kustomization (kustomize refuses it: all of it, so nothing in it is reviewed twice).
 */
const filesAt = (tree: Tree, target: string): string[] => (tree.text.has(target) ? [target] : tree.filesUnder(target));

/** The chart a `helmCharts` entry pulls (`<repo>/<name>`), when it names a remote repository; kustomize reads one without from its chartHome. */
export function pulledChart(entry: unknown): string | undefined {
  if (!entry || typeof entry !== "object") return undefined;
  const { repo, name } = entry as Record<string, unknown>;
  return typeof repo === "string" && typeof name === "string" && REMOTE.test(repo) ? chartAt(repo, name) : undefined;
}

/** An entry of a kustomization that names a path the tree does not hold: kustomize fails the build on it. */
export interface MissingEntry {
  /** The kustomization file that lists it. */
  readonly kustomization: string;
  /** As written there. */
  readonly entry: string;
  /** The repository path it names. */
  readonly path: string;
}

/**
 * What a kustomization reads: its folders (itself, then its local bases and components,
 * transitively), the files it names in them or beside them (resources, patches, generator
 * inputs: see filesNamedBy), and its remote references: as the review names them (`remote`), and
 * as the policy's `render.trusted` globs match them (`sources`: each remote resource as written,
 * each chart its `helmCharts` pull as `<repo>/<name>`), unless one cannot be named so.
 * `local`: its kustomizations whose own build reads nothing remote (no Component, which acts on
 * what the kustomization including it accumulates): they act on their own objects alone.
 * `transforming`: the local files the other kustomizations name otherwise than as resources
 * (patches, generator inputs, a chart's values) and the files of the chart homes of those that
 * inflate charts, which may act on remote objects; or undefined when something remote is not a
 * whole resource (see RenderRoot.remoteResourcesOnly).
 */
export function kustomizeClosure(
  tree: Tree,
  folder: string,
  /**
   * A kustomization's fields as far as they may act on the documents of others: without the
   * generators whose object nothing reads (unread-generators.ts), whose files, local or fetched,
   * add that object whole as a resource does. All of them by default.
   */
  acting: (fields: KustomizationFields, folder: string) => Readonly<Record<string, unknown>> = (fields) => fields,
): {
  folders: string[];
  files: string[];
  remote: string[];
  sources: string[] | undefined;
  local: string[];
  transforming: string[] | undefined;
  missing: MissingEntry[];
} {
  const folders: string[] = [];
  const missing: MissingEntry[] = [];
  const files = new Set<string>();
  const remote: string[] = [];
  let sources: string[] | undefined = [];
  /** Of each kustomization: whether its build reads something remote, and the local files it names otherwise than as resources. */
  const read = new Map<string, { remote: boolean; transforming: string[] }>();
  // Something remote that is no whole resource (a remote patch) may act on anything.
  let wholeOnly = true;
  const visit = (current: string): boolean => {
    const file = tree.kustomizationIn(current);
    if (folders.includes(current)) return file !== undefined && read.get(file)?.remote === true;
    folders.push(current);
    if (!file) return false;
    files.add(file);
    const own = { remote: false, transforming: [] as string[] };
    read.set(file, own);
    const fields = kustomizationOf(tree, file);
    const charts = fields.helmCharts ?? [];
    if (charts.length > 0) {
      remote.push(`helmCharts in ${file} (kustomize --enable-helm pulls charts)`);
      const pulled = charts.map(pulledChart);
      sources = sources && pulled.every((chart) => chart !== undefined) ? [...sources, ...(pulled as string[])] : undefined;
      own.remote = true;
      // A chart renders from its chart home and its values alone, not from the resources beside it,
      // and adds its objects whole, as a remote resource does (sholdee/home-ops 1ebe408c27: a
      // BackendTrafficPolicy's keepalive added beside Grafana's chart was high, as a render that cannot
      // be done). What feeds it is what may change them: its values files (named below) and the
      // files of its chart home, where kustomize finds a chart before it pulls one.
      own.transforming.push(...tree.filesUnder(entryTarget(tree, current, chartHomeOf(fields))));
    }
    const wholeResources = new Set([...(fields.resources ?? []), ...(fields.bases ?? [])]);
    const transformers = new Set(filesNamedBy(acting(fields, current)));
    const entries: [string, boolean][] = [
      ...resourceEntries(fields).map((entry): [string, boolean] => [entry, wholeResources.has(entry)]),
      ...filesNamedBy(fields).map((entry): [string, boolean] => [entry, !transformers.has(entry)]),
    ];
    for (const [entry, resource] of entries) {
      if (REMOTE.test(entry)) {
        remote.push(entry);
        sources = sources && [...sources, entry];
        own.remote = true;
        wholeOnly &&= resource;
        continue;
      }
      const target = entryTarget(tree, current, entry);
      if (tree.kustomizationIn(target)) {
        own.remote = visit(target) || own.remote;
        continue;
      }
      const named = filesAt(tree, target);
      if (named.length === 0) missing.push({ kustomization: file, entry, path: target });
      for (const path of named) {
        files.add(path);
        if (!resource) own.transforming.push(path);
      }
    }
    return own.remote;
  };
  visit(folder);
  const local = [...read].filter(([file, own]) => !own.remote && kustomizationOf(tree, file).kind !== "Component").map(([file]) => file);
  const transforming = wholeOnly ? [...read].filter(([file]) => !local.includes(file)).flatMap(([, own]) => own.transforming) : undefined;
  return { folders, files: [...files].sort(), remote, sources, local: local.sort(), transforming, missing };
}

/**
 * The kustomizations among `folders` whose accumulated objects the transformers of `folder`'s
 * (replacements, plugins) act on: its own, or a Component's includers' (through Components that
 * include it in turn), as kustomize runs a Component inside the kustomization listing it in
 * `components` (a Flux Kustomization's `spec.components` alike). A Component no one of them
 * includes acts on itself.
 */
export function accumulatorsOf(tree: Tree, folders: readonly string[], folder: string): string[] {
  const seen = new Set<string>();
  const kindIn = (current: string) => kustomizationOf(tree, tree.kustomizationIn(current) ?? "").kind;
  const including = (current: string): string[] => {
    if (seen.has(current)) return [];
    seen.add(current);
    if (kindIn(current) !== "Component") return [current];
    const includers = folders.filter((other) =>
      (kustomizationOf(tree, tree.kustomizationIn(other) ?? "").components ?? []).some(
        (entry) => !REMOTE.test(entry) && entryTarget(tree, other, entry) === current,
      ),
    );
    return includers.length > 0 ? includers.flatMap(including) : [current];
  };
  return [...new Set(including(folder))];
}

/**
 * Files the tree's kustomizations name that the sources do not read as reviewed files (a
 * `configMapGenerator`'s `redis.conf`, a `secretGenerator`'s certificate): kustomize fails without
 * them, so each source reads these too, by repository path. A path leading out of the repository
 * (or absolute) is not one.
 */
export function namedRenderInputs(files: readonly SourceFile[]): string[] {
  const tree = treeOf(files);
  const named = new Set<string>();
  for (const file of files) {
    if (!isKustomizationFile(file.path)) continue;
    // An absolute path is the machine's file, not the repository's.
    for (const entry of localFilesNamedBy(kustomizationOf(tree, file.path)).filter((named) => !posix.isAbsolute(named))) {
      const path = normalize(posix.join(folderOf(file.path), entry));
      if (path !== "" && path !== ".." && !path.startsWith("../") && !tree.text.has(path)) named.add(path);
    }
  }
  return [...named].sort();
}

/** How kustomize reads the files of a tree that it reads as written (see kustomizeReading). */
export interface KustomizeReading {
  /**
   * The namespace kustomize gives the documents of each file its kustomizations list, where every
   * kustomization that reaches the file says the same: the `namespace:` of the outermost one on
   * the way that sets it (kustomize applies the outer transformer last). A file no root reaches,
   * or that roots place in different namespaces (a base shared by a staging and a production
   * overlay), has none. For the files the review reads as written, whose resources would otherwise
   * sit in "default": kubeflow's Gateway kubeflow/kubeflow-gateway, written without a namespace
   * under `namespace: kubeflow`, was "missing" for every VirtualService naming it.
   */
  readonly namespaces: ReadonlyMap<string, string>;
  /**
   * Patch files (`patches`, `patchesStrategicMerge`, `patchesJson6902`) by the kustomization that
   * names them, unless a kustomization also lists them as resources: a patch is applied only
   * through its kustomization, so its documents are no objects of their own (kubeflow/manifests: a
   * `$patch: delete` Gateway read as an invalid Gateway, a selector patch as a second Gateway).
   */
  readonly patches: ReadonlyMap<string, string>;
  /**
   * The kustomization files that accumulate each file as a resource (`resources`, `bases`,
   * `components`; a folder with a kustomization as that kustomization's file), one step each: a
   * base lands wherever the overlays that list it land (model/gitops-placement.ts), which a Flux
   * Kustomization's or Argo CD Application's path alone does not say.
   */
  readonly includedBy: ReadonlyMap<string, readonly string[]>;
  /**
   * The files kustomizations read other than as resources (filesNamedBy: patches, generator inputs,
   * Helm values, replacement sources): a build reads them, though none accumulates them.
   */
  readonly inputs: ReadonlySet<string>;
}

const NO_KUSTOMIZATION: KustomizeReading = { namespaces: new Map(), patches: new Map(), includedBy: new Map(), inputs: new Set() };

/** A tree's reading without symlinks, once: the render stage's GitOps objects and Flux Kustomizations ask for it each. */
const readings = new WeakMap<readonly SourceFile[], KustomizeReading>();

export function kustomizeReading(files: readonly SourceFile[], links: readonly SymbolicLink[] = []): KustomizeReading {
  if (links.length > 0) return readingOf(files, links);
  let reading = readings.get(files);
  if (!reading) readings.set(files, (reading = readingOf(files, links)));
  return reading;
}

function readingOf(files: readonly SourceFile[], links: readonly SymbolicLink[]): KustomizeReading {
  // Rendered output is no kustomization: its documents carry the namespaces kustomize gave them.
  const written = files.filter((file) => !file.path.includes("(rendered)/"));
  if (!written.some((file) => isKustomizationFile(file.path))) return NO_KUSTOMIZATION;
  const tree = treeOf(written, links);
  const seen = new Map<string, Set<string | undefined>>();
  const record = (file: string, namespace: string | undefined) => {
    const known = seen.get(file) ?? new Set<string | undefined>();
    known.add(namespace);
    seen.set(file, known);
  };
  // Each kustomization read once: its fields, and the local entries it lists.
  const folders = [...new Set(written.filter((file) => isKustomizationFile(file.path)).map((file) => folderOf(file.path)))];
  const listed = new Map(
    folders.map((folder) => {
      const fields = kustomizationOf(tree, tree.kustomizationIn(folder)!);
      const entries = resourceEntries(fields).filter((entry) => !REMOTE.test(entry));
      return [folder, { fields, targets: entries.map((entry) => entryTarget(tree, folder, entry)) }] as const;
    }),
  );
  const included = new Set([...listed.values()].flatMap(({ targets }) => targets));
  const visit = (folder: string, outer: string | undefined, path: readonly string[]): void => {
    const own = listed.get(folder);
    if (!own || path.includes(folder)) return;
    const namespace = outer ?? own.fields.namespace;
    for (const target of own.targets) {
      if (tree.kustomizationIn(target)) visit(target, namespace, [...path, folder]);
      else for (const file of filesAt(tree, target)) record(file, namespace);
    }
  };
  // The roots: kustomizations no other one lists (a Component is only ever included).
  for (const folder of folders) if (!included.has(folder) && listed.get(folder)!.fields.kind !== "Component") visit(folder, undefined, []);
  const namespaces = new Map<string, string>();
  for (const [file, known] of seen) {
    const [only, ...others] = [...known];
    if (others.length === 0 && only !== undefined) namespaces.set(file, only);
  }
  const includedBy = new Map<string, string[]>();
  for (const [folder, { targets }] of listed) {
    const includer = tree.kustomizationIn(folder)!;
    for (const target of targets) {
      const nested = tree.kustomizationIn(target);
      for (const file of nested ? [nested] : filesAt(tree, target)) {
        const known = includedBy.get(file);
        if (!known) includedBy.set(file, [includer]);
        else if (!known.includes(includer)) known.push(includer);
      }
    }
  }
  const patches = new Map<string, string>();
  const inputs = new Set<string>();
  for (const [folder, { fields }] of listed) {
    for (const entry of patchFilesNamedBy(fields)) {
      if (REMOTE.test(entry) || posix.isAbsolute(entry)) continue;
      const file = entryTarget(tree, folder, entry);
      if (tree.text.has(file) && !includedBy.has(file) && !patches.has(file)) patches.set(file, tree.kustomizationIn(folder)!);
    }
    for (const entry of localFilesNamedBy(fields)) if (!posix.isAbsolute(entry)) inputs.add(entryTarget(tree, folder, entry));
  }
  return { namespaces, patches, includedBy, inputs };
}
