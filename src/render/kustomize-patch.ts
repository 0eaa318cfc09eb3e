import { isRecord, record, stringMap, text, type JsonRecord } from "../core/json-access.js";
import { sameValue } from "../core/canonical-values.js";
import { selectorOfText, selects } from "../core/label-selector.js";
import { loadAllAsGoYaml } from "../manifests/yaml-documents.js";

/**
 * One kustomize `patches` entry (an inline `patch`, and the `target` it selects) applied to one
 * object, as kustomize applies it, for the objects the review must read before any render: the
 * Flux Kustomizations another one delivers and patches (onedr0p/cluster-template's `cluster-apps`
 * gives every app's Kustomization `postBuild.substituteFrom` its cluster-settings ConfigMap and
 * cluster-secrets Secret, so an app's own `postBuild` does not leave `${SECRET_DOMAIN}` empty).
 * Pure: the object in, the patched object out; the same object where the entry does not select it;
 * undefined where what it does cannot be told (an unreadable patch, a selector or an operation
 * kustomize would refuse), which the caller reads as unknown.
 */
export function patchedObject(object: JsonRecord, entry: unknown): JsonRecord | undefined {
  const target = record(entry).target;
  const selected = target === undefined ? undefined : targets(target, object);
  if (selected === false) return object;
  const written = text(record(entry).patch);
  if (written === undefined || (target !== undefined && selected === undefined)) return undefined;
  let documents: unknown[];
  try {
    documents = loadAllAsGoYaml(written).filter((document) => document != null);
  } catch {
    return undefined;
  }
  const [first] = documents;
  // kustomize reads a list as JSON 6902 operations, which only a target places.
  if (documents.length === 1 && Array.isArray(first)) return selected ? operated(object, first) : undefined;
  if (!documents.every(isRecord)) return undefined;
  let patched = object;
  for (const patch of documents) {
    // Without a target a strategic-merge patch names its object; with one, it takes the object's kind and name.
    if (!selected && !namesObject(patch, object)) continue;
    const result = merged(patched, patch);
    // `$patch: delete` of the whole object drops it from the build: not an object to read.
    if (!isRecord(result)) return undefined;
    patched = { ...result, apiVersion: object.apiVersion, kind: object.kind, metadata: { ...record(result.metadata), ...naming(object) } };
  }
  return patched;
}

const naming = (object: JsonRecord): JsonRecord => {
  const { name, namespace } = record(object.metadata);
  return { name, ...(namespace !== undefined ? { namespace } : {}) };
};

/**
 * Whether a `target` selects the object: group, version, kind, name and namespace are regular
 * expressions matched whole (kustomize's `^(?:…)$`), labels and annotations selectors as kubectl's
 * `-l`. Undefined when one of them cannot be read.
 */
function targets(target: unknown, object: JsonRecord): boolean | undefined {
  const selector = record(target);
  const [group, version] = groupVersion(object);
  const metadata = record(object.metadata);
  const fields: [unknown, string][] = [
    [selector.group, group],
    [selector.version, version],
    [selector.kind, text(object.kind) ?? ""],
    [selector.name, text(metadata.name) ?? ""],
    [selector.namespace, text(metadata.namespace) ?? ""],
  ];
  let unknown = false;
  for (const [pattern, value] of fields) {
    if (pattern === undefined || pattern === "") continue;
    if (typeof pattern !== "string") return undefined;
    try {
      if (!new RegExp(`^(?:${pattern})$`).test(value)) return false;
    } catch {
      unknown = true;
    }
  }
  for (const [written, values] of [
    [selector.labelSelector, metadata.labels],
    [selector.annotationSelector, metadata.annotations],
  ] as const) {
    if (written === undefined || written === "") continue;
    const parsed = typeof written === "string" ? selectorOfText(written) : undefined;
    if (!parsed) unknown = true;
    else if (!selects(parsed, stringMap(values))) return false;
  }
  return unknown ? undefined : true;
}

const groupVersion = (object: JsonRecord): [string, string] => {
  const apiVersion = text(object.apiVersion) ?? "";
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
};

/** A strategic-merge patch without a target names its object by group, kind, name, and namespace when it gives one. */
function namesObject(patch: JsonRecord, object: JsonRecord): boolean {
  const [metadata, own] = [record(patch.metadata), record(object.metadata)];
  return (
    groupVersion(patch)[0] === groupVersion(object)[0] &&
    patch.kind === object.kind &&
    metadata.name === own.name &&
    (metadata.namespace === undefined || metadata.namespace === own.namespace)
  );
}

/**
 * A strategic merge as kustomize makes it for a custom resource, whose schema it does not know:
 * maps merge key by key, `null` removes a key, `$patch: delete` and `$patch: replace` remove or
 * replace a map, and a list replaces the list (no merge key is known).
 */
function merged(value: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, unknown> = patch.$patch === "replace" || !isRecord(value) ? {} : { ...value };
  for (const [key, item] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    const next = item === null ? undefined : merged(out[key], item);
    if (next === undefined) delete out[key];
    else out[key] = next;
  }
  return out;
}

/** JSON 6902 operations applied in order; undefined when one fails, as kustomize's build then does. */
function operated(object: JsonRecord, operations: readonly unknown[]): JsonRecord | undefined {
  let document: unknown = structuredClone(object);
  for (const operation of operations) {
    const { op, path, from, value } = record(operation);
    const at = pointer(path);
    const source = op === "move" || op === "copy" ? pointer(from) : undefined;
    const moving = source === undefined ? undefined : valueAt(document, source);
    if (at === undefined || ((op === "add" || op === "replace") && value === undefined)) return undefined;
    if (op === "add") document = added(document, at, value);
    else if (op === "remove") document = removed(document, at);
    else if (op === "replace") document = valueAt(document, at) === undefined ? undefined : added(removed(document, at), at, value);
    else if (op === "move") document = moving === undefined ? undefined : added(removed(document, source!), at, moving);
    else if (op === "copy") document = moving === undefined ? undefined : added(document, at, structuredClone(moving));
    else if (op === "test") document = sameValue(valueAt(document, at), value) ? document : undefined;
    else return undefined;
    if (document === undefined) return undefined;
  }
  return isRecord(document) ? document : undefined;
}

/** A JSON pointer's steps (`~1` a slash, `~0` a tilde); undefined for what is none. */
function pointer(path: unknown): string[] | undefined {
  if (typeof path !== "string" || (path !== "" && !path.startsWith("/"))) return undefined;
  return path === ""
    ? []
    : path
        .slice(1)
        .split("/")
        .map((step) => step.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function valueAt(document: unknown, steps: readonly string[]): unknown {
  let current = document;
  for (const step of steps) {
    if (Array.isArray(current)) current = /^(0|[1-9]\d*)$/.test(step) ? current[Number(step)] : undefined;
    else if (isRecord(current) && Object.hasOwn(current, step)) current = current[step];
    else return undefined;
  }
  return current;
}

/** The document with `value` at `steps` (a list's `-` appends); undefined when the place is not there. */
function added(document: unknown, steps: readonly string[], value: unknown): unknown {
  if (steps.length === 0) return value;
  const parent = valueAt(document, steps.slice(0, -1));
  const last = steps[steps.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : /^(0|[1-9]\d*)$/.test(last) ? Number(last) : -1;
    if (index < 0 || index > parent.length) return undefined;
    parent.splice(index, 0, value);
  } else if (isRecord(parent)) (parent as Record<string, unknown>)[last] = value;
  else return undefined;
  return document;
}

/** The document without what is at `steps`; undefined when nothing is. */
function removed(document: unknown, steps: readonly string[]): unknown {
  const parent = valueAt(document, steps.slice(0, -1));
  const last = steps[steps.length - 1];
  if (last === undefined || valueAt(document, steps) === undefined) return undefined;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return document;
}
