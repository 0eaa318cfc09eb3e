import { posix } from "node:path";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { isRecord, list, record, text } from "../core/json-access.js";
import { kindSpecFor } from "../manifests/kinds.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";
import { folderOf, normalize, REMOTE } from "./kustomize-tree.js";

/**
 * The ConfigMaps and Secrets a kustomization generates (`configMapGenerator`, `secretGenerator`)
 * that no traffic config reads. Such an object reaches traffic only through what reads it: a Flux
 * HelmRelease's `valuesFrom`, a Flux Kustomization's `postBuild.substituteFrom`, kustomize copying
 * its data into another object (`replacements`, `vars`, a transformer plugin), a family that reads
 * the object itself (istiod's mesh ConfigMap), or kustomize writing a Secret's hashed name into
 * Ingresses (its built-in name references: `spec/tls/secretName`, auth annotations; a ConfigMap's
 * reach only workloads). A generator none of those reads makes no traffic input of its files, and
 * one fetched from a URL keeps nothing of traffic offline (h3mmy/bloopySphere 3ce734cc59: a
 * variable renamed in an SNMP exporter's config blocked as a root a Grafana dashboard's remote JSON
 * kept offline).
 */

/**
 * What may read the data of an object: of this kind, by a name that holds the object's (a
 * `namePrefix` or hash suffix kustomize adds); a kind or name left out may be any.
 */
export interface DataReader {
  readonly kind?: string;
  readonly name?: string;
}

/**
 * A reader of what a source names: a name or kind holding a Flux variable (`${APP}-values`, which
 * Flux substitutes after the build, per cluster) may be any.
 */
const readerOf = (kind: unknown, name: unknown): DataReader => {
  const known = (value: unknown) => (typeof value === "string" && !value.includes("${") ? value : undefined);
  const [pinnedKind, pinnedName] = [known(kind), known(name)];
  return { ...(pinnedKind !== undefined ? { kind: pinnedKind } : {}), ...(pinnedName !== undefined ? { name: pinnedName } : {}) };
};

/** Whether one of these readers may read the object of this kind and name. */
export const readsObject = (readers: readonly DataReader[], kind: string, name: string): boolean =>
  readers.some(
    (reader) => (reader.kind === undefined || reader.kind === kind) && (reader.name === undefined || reader.name.includes(name)),
  );

/** The ConfigMaps and Secrets the HelmReleases (`valuesFrom`) and Flux Kustomizations (`substituteFrom`, when asked) of these texts read. */
export function dataSourcesIn(texts: Iterable<string | undefined>, { substitutions = false } = {}): DataReader[] {
  const sources: DataReader[] = [];
  for (const written of texts) {
    if (!written?.includes("valuesFrom") && !(substitutions && written?.includes("substituteFrom"))) continue;
    let documents: unknown[];
    try {
      documents = loadAllAsGoYaml(written);
    } catch {
      continue;
    }
    for (const document of documents) {
      if (!isRecord(document)) continue;
      const spec = record(document.spec);
      const read =
        document.kind === "HelmRelease"
          ? list(spec.valuesFrom)
          : substitutions && document.kind === "Kustomization"
            ? list(record(spec.postBuild).substituteFrom)
            : [];
      for (const source of read) {
        const { kind, name } = record(source);
        if (typeof kind === "string" && typeof name === "string") sources.push(readerOf(kind, name));
      }
    }
  }
  return sources;
}

/** Reads anything: a copy whose source cannot be told. */
const ANY: DataReader = {};

/** Builtin transformers that copy nothing from one object into another (they set names, labels, images, counts, or patch). */
const NON_COPYING =
  /^(?:PrefixSuffix|Prefix|Suffix|Label|Annotations|Namespace|ImageTag|ReplicaCount|Patch|PatchStrategicMerge|PatchJson6902|SortOrder)Transformer$/;

/**
 * What the kustomizations (and Components) of a tree copy data from: the sources of their
 * `replacements` (inline, in a file, or in a `ReplacementTransformer`) and `vars`, any object for
 * one whose source cannot be read, a transformer plugin, or a remote Component (which acts on what
 * the kustomization including it accumulates). Kustomize acts on what a kustomization accumulates
 * (a base's generator for an overlay's replacement, the including kustomization's for a
 * Component's, a Flux Kustomization's `spec.components` alike): every one of the tree is read, so
 * none of a build is missed.
 */
function copiedFrom(texts: ReadonlyMap<string, string>): DataReader[] {
  const readers: DataReader[] = [];
  const documentsAt = (folder: string, entry: string): unknown[] | undefined => {
    const written = entry.includes("\n") ? entry : REMOTE.test(entry) ? undefined : texts.get(normalize(posix.join(folder, entry)));
    try {
      return written === undefined ? undefined : loadAllAsGoYaml(written);
    } catch {
      return undefined;
    }
  };
  const replaced = (folder: string, replacements: unknown): DataReader[] =>
    list(replacements).flatMap((replacement): DataReader[] => {
      const { path, source } = record(replacement);
      if (typeof path === "string") {
        const documents = documentsAt(folder, path);
        return documents ? documents.flatMap((document) => replaced(folder, Array.isArray(document) ? document : [document])) : [ANY];
      }
      return isRecord(source) && typeof source.name === "string" ? [readerOf(source.kind, source.name)] : [ANY];
    });
  for (const [path, written] of texts) {
    if (!isKustomizationFile(path) || !/\b(?:replacements|vars|transformers|components)\b/.test(written)) continue;
    let fields: Record<string, unknown>;
    try {
      fields = record(loadAllAsGoYaml(written)[0]);
    } catch {
      continue;
    }
    const folder = folderOf(path);
    readers.push(...replaced(folder, fields.replacements));
    for (const variable of list(fields.vars)) {
      const { kind, name } = record(record(variable).objref);
      readers.push(typeof name === "string" ? readerOf(kind, name) : ANY);
    }
    for (const entry of list(fields.transformers)) {
      const documents = typeof entry === "string" ? documentsAt(folder, entry) : undefined;
      if (!documents) readers.push(ANY);
      for (const document of documents ?? []) {
        const { apiVersion, kind } = record(document);
        if (apiVersion === "builtin" && kind === "ReplacementTransformer") readers.push(...replaced(folder, record(document).replacements));
        else if (apiVersion !== "builtin" || typeof kind !== "string" || !NON_COPYING.test(kind)) readers.push(ANY);
      }
    }
    if (list(fields.components).some((entry) => typeof entry === "string" && REMOTE.test(entry))) readers.push(ANY);
  }
  return readers;
}

/** Each tree's readers of generated objects (data sources, substitutions too, and what kustomize copies from), read once. */
const readByTree = new WeakMap<ReadonlyMap<string, string>, readonly DataReader[]>();

const readIn = (texts: ReadonlyMap<string, string>): readonly DataReader[] => {
  let read = readByTree.get(texts);
  if (!read) readByTree.set(texts, (read = [...sourcesIn(texts), ...copiedFrom(texts)]));
  return read;
};

/** Each tree's readers from the cluster (`valuesFrom`, `substituteFrom`), read once. */
const sourcesByTree = new WeakMap<ReadonlyMap<string, string>, readonly DataReader[]>();

const sourcesIn = (texts: ReadonlyMap<string, string>): readonly DataReader[] => {
  let read = sourcesByTree.get(texts);
  if (!read) sourcesByTree.set(texts, (read = dataSourcesIn(texts.values(), { substitutions: true })));
  return read;
};

const GENERATORS = [
  ["configMapGenerator", "ConfigMap"],
  ["secretGenerator", "Secret"],
] as const;

/**
 * Whether a family reads the object a generator makes, as it reads one written out (parsedTraits in
 * load-manifests.ts): by its name and keys, those of its files, literals and env files alike
 * (istiod's mesh ConfigMap `istio` with its `mesh`). One whose name is not written may be any.
 */
function readByFamily(
  kind: string,
  generator: Readonly<Record<string, unknown>>,
  folder: string,
  trees: readonly ReadonlyMap<string, string>[],
): boolean {
  const name = text(generator.name);
  if (name === undefined) return true;
  const keyOf = (entry: string, file: boolean) => {
    const at = entry.indexOf("=");
    return at >= 0 ? entry.slice(0, at) : file ? posix.basename(entry) : entry;
  };
  const envs = [...list(generator.envs), generator.env].flatMap((entry) => text(entry) ?? []);
  const keys = [
    ...list(generator.files).map((entry) => keyOf(text(entry) ?? "", true)),
    ...list(generator.literals).map((entry) => keyOf(text(entry) ?? "", false)),
    ...envs.flatMap((env) =>
      trees.flatMap((texts) => (texts.get(posix.join(folder, env)) ?? "").split("\n").map((line) => keyOf(line.trim(), false))),
    ),
  ];
  return kindSpecFor("", kind, [`name: ${name}`, ...keys.map((key) => `${key}: |`)].join("\n")) !== undefined;
}

/**
 * The generators of a kustomization, by field, with whether each one's object is read (an entry
 * that is no generator is).
 */
const generatorsOf = (fields: Readonly<Record<string, unknown>>, read: (kind: string, generator: Record<string, unknown>) => boolean) =>
  GENERATORS.map(([field, kind]) => {
    const generators = list(fields[field]);
    return { field, generators, reading: generators.filter((generator) => !isRecord(generator) || read(kind, generator)) };
  });

/**
 * Whether a kustomization generates an object that may reach traffic config outside its own build:
 * one a family reads itself (istiod's mesh ConfigMap: a trust domain or egress policy edited in
 * `mesh.yaml` passed unrendered as no change), or one a HelmRelease's `valuesFrom` or a Flux
 * substitution reads from the cluster. What kustomize copies or renames within a build acts on the
 * documents of that build alone: where those hold no traffic config, neither does the copy.
 */
export function generatesReadObject(
  fields: Readonly<Record<string, unknown>>,
  /** The kustomization's folder, which its generators' paths are relative to. */
  folder: string,
  texts: ReadonlyMap<string, string>,
): boolean {
  const read = (kind: string, generator: Record<string, unknown>) =>
    readByFamily(kind, generator, folder, [texts]) || readsObject(sourcesIn(texts), kind, text(generator.name) ?? "");
  return generatorsOf(fields, read).some(({ reading }) => reading.length > 0);
}

/**
 * A kustomization's fields without the generators whose object nothing in `trees` (base and head)
 * reads as traffic config: what is left names every file that may reach the traffic output. A
 * reader is matched by the generator's name anywhere in its own (a `namePrefix` or hash suffix
 * kustomize adds), in any namespace; a kustomization with `configurations` (name references of its
 * own) keeps them all.
 */
export function withoutUnreadGenerators(
  fields: Readonly<Record<string, unknown>>,
  /** The kustomization's folder, which its generators' paths are relative to. */
  folder: string,
  trees: readonly ReadonlyMap<string, string>[],
): Readonly<Record<string, unknown>> {
  if (fields.configurations !== undefined && fields.configurations !== null) return fields;
  const hashed = (generator: Record<string, unknown>) =>
    (record(generator.options).disableNameSuffixHash ?? record(fields.generatorOptions).disableNameSuffixHash) !== true;
  const read = (kind: string, generator: Record<string, unknown>): boolean =>
    readByFamily(kind, generator, folder, trees) ||
    (kind === "Secret" && hashed(generator)) ||
    trees.some((texts) => readsObject(readIn(texts), kind, text(generator.name) ?? ""));
  const pruned = generatorsOf(fields, read).flatMap(({ field, generators, reading }) =>
    reading.length === generators.length ? [] : [[field, reading] as const],
  );
  return pruned.length === 0 ? fields : { ...fields, ...Object.fromEntries(pruned) };
}
