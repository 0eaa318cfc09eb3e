import { posix } from "node:path";
import type { SourceFile } from "../manifests/load-manifests.js";
import { isRecord, list, record, text, valueAt, type JsonRecord } from "../core/json-access.js";
import { readersOf } from "../core/kustomize-inclusion.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { FLUX_KUSTOMIZE } from "../core/flux-groups.js";
import { groupOf } from "../core/api-group.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";
import { REMOTE, accumulatorsOf, folderOf, kustomizationOf, kustomizeReading, normalize, treeOf, type Tree } from "./kustomize-tree.js";
import type { SymbolicLink } from "../detect/symlinks.js";

/**
 * What kustomize `replacements` write into the Flux Kustomizations a kustomization accumulates,
 * before Flux reads them: home-ops repositories copy each app folder's Namespace name into
 * `spec.targetNamespace` of every child Kustomization (haraldkoch/kochhaus-home's
 * components/replacements/ks.yaml, source `kind: Namespace`, target `spec.targetNamespace` with
 * `create: true`). Read as written, every release and route of those apps landed in `default`, and
 * b5af83067 "remove targetNamespace in ks.yaml" (a no-op under the replacement) moved them all.
 *
 * Only what can be told from the files is applied: a source selected once, read at a plain field
 * path (a core Namespace's name is the one kustomize's namespace transformer gives it, as that
 * transformer runs before replacements), targets selected by group, version, kind, name and
 * namespace, written at plain field paths. A replacement with a delimiter or index, a label or
 * annotation selector, a source that is not there or is there twice, is left out: the
 * Kustomization is read as written, as before. Pure: the tree in, the written fields out.
 */

/** A field a replacement writes into one Flux Kustomization: its path and the value. */
export interface ReplacedField {
  readonly path: readonly string[];
  readonly value: string | number | boolean;
}

/** A document a kustomization accumulates, with the namespace its kustomizations give it there. */
interface Accumulated {
  readonly file: string;
  readonly object: JsonRecord;
  /** The namespace the kustomizations from its file up to the one replacing apply (the outermost that sets one), if any. */
  readonly namespace: string | undefined;
}

const PLAIN_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * The fields each Flux Kustomization of the tree gets from the replacements of the kustomizations
 * accumulating it, innermost kustomization first, by its file and name. Nothing where no
 * kustomization of the tree says `replacements`.
 */
export function replacedFields(
  files: readonly SourceFile[],
  links: readonly SymbolicLink[] = [],
): (file: string, name: string) => readonly ReplacedField[] {
  const replacing = files.filter((file) => isKustomizationFile(file.path) && /\breplacements\b/.test(file.text));
  if (replacing.length === 0) return () => [];
  const fields = new Map<string, ReplacedField[]>();
  const keyOf = (file: string, name: string) => `${file}\n${name}`;
  // Through the tree's links, as kustomize reads a `resources: [vars]` that is one.
  const tree = treeOf(files, links);
  const { includedBy } = kustomizeReading(files, links);
  const accumulates = new Map<string, string[]>();
  for (const [file, includers] of includedBy)
    for (const includer of includers) accumulates.set(includer, [...(accumulates.get(includer) ?? []), file]);
  const folders = [...new Set(files.filter((file) => isKustomizationFile(file.path)).map((file) => folderOf(file.path)))];
  const documents = documentsOf(tree);
  // Inner kustomizations replace first: kustomize builds what a kustomization accumulates before running its own transformers.
  const depth = (kustomization: string) => readersOf(kustomization, includedBy).length;
  const steps = replacing.flatMap((file) =>
    accumulatorsOf(tree, folders, folderOf(file.path)).flatMap((folder) => {
      const accumulator = tree.kustomizationIn(folder);
      return accumulator === undefined ? [] : [{ accumulator, replacements: replacementsOf(tree, file.path) }];
    }),
  );
  steps.sort((a, b) => depth(b.accumulator) - depth(a.accumulator));
  for (const { accumulator, replacements } of steps) {
    const accumulated = accumulatedBy(tree, accumulator, accumulates, documents);
    for (const replacement of replacements) {
      const value = sourceValue(record(replacement).source, accumulated);
      if (value === undefined) continue;
      for (const target of list(record(replacement).targets)) {
        const { select, reject, fieldPaths, options } = record(target);
        if (record(options).delimiter !== undefined || record(options).index !== undefined) continue;
        const paths = list(fieldPaths).filter((path): path is string => typeof path === "string" && PLAIN_PATH.test(path));
        if (paths.length === 0 || paths.length !== list(fieldPaths).length) continue;
        for (const item of accumulated) {
          if (!isFluxKustomization(item.object) || selects(select, item) !== true) continue;
          if (list(reject).some((rejected) => selects(rejected, item) !== false)) continue;
          const key = keyOf(item.file, text(record(item.object.metadata).name) ?? "");
          const known = fields.get(key) ?? [];
          for (const path of paths.map((written) => written.split(".")))
            if (record(options).create === true || valueAt(item.object, path) !== undefined) known.push({ path, value });
          fields.set(key, known);
        }
      }
    }
  }
  return (file, name) => fields.get(keyOf(file, name)) ?? [];
}

/** The object with the fields written (the object itself when there are none). */
export function withFields(object: JsonRecord, fields: readonly ReplacedField[]): JsonRecord {
  let result = object;
  for (const { path, value } of fields) result = written(result, path, value);
  return result;
}

const written = (object: JsonRecord, [first, ...rest]: readonly string[], value: ReplacedField["value"]): JsonRecord =>
  rest.length === 0 ? { ...object, [first!]: value } : { ...object, [first!]: written(record(object[first!]), rest, value) };

const isFluxKustomization = (object: JsonRecord): boolean =>
  object.kind === "Kustomization" && typeof object.apiVersion === "string" && groupOf(object.apiVersion) === FLUX_KUSTOMIZE;

const isCoreNamespace = (object: JsonRecord): boolean => object.kind === "Namespace" && object.apiVersion === "v1";

/** An object's name and namespace where the replacement runs: a core Namespace is named after the namespace applied to it. */
function identityOf({ object, namespace }: Accumulated): { readonly name: string | undefined; readonly namespace: string | undefined } {
  const metadata = record(object.metadata);
  if (isCoreNamespace(object)) return { name: namespace ?? text(metadata.name), namespace: undefined };
  return { name: text(metadata.name), namespace: namespace ?? text(metadata.namespace) };
}

/**
 * Whether a selector (`source`, `select`, `reject`) picks the object; undefined when it cannot be
 * told (a label or annotation selector). Kustomize matches names and namespaces as anchored
 * regular expressions.
 */
function selects(selector: unknown, item: Accumulated): boolean | undefined {
  const { group, version, kind, name, namespace, labelSelector, annotationSelector } = record(selector);
  if (labelSelector !== undefined || annotationSelector !== undefined) return undefined;
  const apiVersion = text(item.object.apiVersion) ?? "";
  const identity = identityOf(item);
  const matches = (pattern: unknown, value: string | undefined) => {
    if (pattern === undefined) return true;
    if (typeof pattern !== "string") return undefined;
    try {
      return new RegExp(`^(?:${pattern})$`).test(value ?? "");
    } catch {
      return pattern === value;
    }
  };
  const checks = [
    group === undefined || group === groupOf(apiVersion),
    version === undefined || version === (apiVersion.includes("/") ? apiVersion.split("/")[1] : apiVersion),
    kind === undefined || kind === item.object.kind,
    matches(name, identity.name),
    matches(namespace, identity.namespace),
  ];
  return checks.includes(undefined) ? undefined : checks.every(Boolean);
}

/** The value a replacement's source gives: one object selected, a scalar at a plain field path (`metadata.name` unless it says). */
function sourceValue(source: unknown, accumulated: readonly Accumulated[]): ReplacedField["value"] | undefined {
  if (!isRecord(source) || source.options !== undefined) return undefined;
  const picked = accumulated.map((item) => [item, selects(source, item)] as const);
  if (picked.some(([, selected]) => selected === undefined)) return undefined;
  const chosen = picked.filter(([, selected]) => selected).map(([item]) => item);
  if (chosen.length !== 1) return undefined;
  const path = source.fieldPath ?? "metadata.name";
  if (typeof path !== "string" || !PLAIN_PATH.test(path)) return undefined;
  const item = chosen[0]!;
  const identity = identityOf(item);
  const value =
    path === "metadata.name" ? identity.name : path === "metadata.namespace" ? identity.namespace : valueAt(item.object, path.split("."));
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
}

/** A kustomization's replacements, inline or read from the files its `path` entries name (a list, or one per document). */
export function replacementsOf(tree: Tree, kustomization: string): unknown[] {
  const folder = folderOf(kustomization);
  return list(record(kustomizationOf(tree, kustomization)).replacements).flatMap((entry): unknown[] => {
    const { path } = record(entry);
    if (typeof path !== "string") return [entry];
    if (REMOTE.test(path) || posix.isAbsolute(path)) return [];
    const written = tree.text.get(tree.real(normalize(posix.join(folder, path))));
    try {
      return written === undefined ? [] : loadAllAsGoYaml(written).flatMap((document) => (Array.isArray(document) ? document : [document]));
    } catch {
      return [];
    }
  });
}

/** Each file's YAML documents that are objects, read when first asked. */
function documentsOf(tree: Tree): (file: string) => readonly JsonRecord[] {
  const read = new Map<string, readonly JsonRecord[]>();
  return (file) => {
    let documents = read.get(file);
    if (!documents) {
      try {
        documents = loadAllAsGoYaml(tree.text.get(file) ?? "").filter(isRecord);
      } catch {
        documents = [];
      }
      read.set(file, documents);
    }
    return documents;
  };
}

/**
 * The documents a kustomization accumulates (`accumulates`: the files each kustomization lists, one
 * step), each with the namespace the outermost kustomization on the way that sets one gives it.
 */
function accumulatedBy(
  tree: Tree,
  accumulator: string,
  accumulates: ReadonlyMap<string, readonly string[]>,
  documents: (file: string) => readonly JsonRecord[],
): Accumulated[] {
  const accumulated: Accumulated[] = [];
  const visit = (kustomization: string, outer: string | undefined, seen: ReadonlySet<string>) => {
    // Kustomize runs an outer kustomization's namespace transformer last: the outermost that sets one decides.
    const namespace = outer ?? text(record(kustomizationOf(tree, kustomization)).namespace);
    for (const file of accumulates.get(kustomization) ?? []) {
      if (seen.has(file)) continue;
      if (isKustomizationFile(file)) visit(file, namespace, new Set([...seen, file]));
      else for (const object of documents(file)) accumulated.push({ file, object, namespace });
    }
  };
  visit(accumulator, undefined, new Set([accumulator]));
  return accumulated;
}
