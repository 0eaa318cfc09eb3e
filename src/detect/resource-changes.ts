import { atomizeChangeset, diff, type IAtomicChange } from "json-diff-ts";
import { canonicalForm } from "../core/canonical-form.js";
import { displayName, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import type { Detection, FieldPath } from "../core/finding.js";

/**
 * resource.changed (low): the fallback for a traffic resource that was added, removed or changed
 * in a way no detector classified more specifically — including the fields a detector left
 * unexplained on a resource it did judge, so no semantic edit goes unlisted (and an approval of
 * the other findings does not silently cover it). The summary names the changed fields.
 */
const MAX_FIELDS = 3;

/** A value on one line of a summary: an inline patch's or script's line breaks shown as ⏎. */
const show = (value: unknown): string => {
  const text = typeof value === "string" ? value.replace(/\r?\n/g, "⏎") : JSON.stringify(value);
  return text === undefined ? "∅" : text.length > 40 ? `${text.slice(0, 37)}…` : text;
};

/** `$.spec.rules[0].timeouts.request`, `$.metadata.annotations[a.b/c]` → path segments. */
const toPath = (jsonPath: string): FieldPath =>
  [...jsonPath.matchAll(/\.([^.[\]]+)|\[([^\]]*)\]/g)].map(([, key, bracketed]) =>
    key !== undefined ? key : /^\d+$/.test(bracketed ?? "") ? Number(bracketed) : (bracketed ?? ""),
  );

/**
 * What a detection explains: the block its field sits in (a finding at `spec.strategy.type` speaks
 * for `spec.strategy.primaryGeoTag` too), never less specific than a top-level field of `spec`,
 * and compared up to the first list index: lists are paired by identity, not position, so
 * positions on either side differ.
 */
const upToFirstIndex = (path: FieldPath): FieldPath => {
  const index = path.findIndex((segment) => typeof segment === "number");
  return index < 0 ? path : path.slice(0, index);
};
const explainedBlock = (path: FieldPath): FieldPath => {
  const prefix = upToFirstIndex(path);
  return prefix.length >= 3 ? prefix.slice(0, -1) : prefix;
};
const explains = (explained: FieldPath, field: FieldPath): boolean => {
  const block = explainedBlock(explained);
  const fieldPrefix = upToFirstIndex(field);
  return block.every((segment, i) => fieldPrefix[i] === segment);
};

/**
 * A block added or removed whole (`spec.portLevelMtls` where there was none) with a detection
 * inside it (`spec.portLevelMtls.5432.mode`): its entries, one level down at a time, so that the
 * explained entry is not listed again and the others still are.
 */
function opened(field: IAtomicChange, blocks: readonly FieldPath[]): IAtomicChange[] {
  const value: unknown = field.type === "ADD" ? field.value : field.type === "REMOVE" ? field.oldValue : undefined;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [field];
  const path = toPath(field.path);
  const inside = blocks.some((block) => block.length > path.length && path.every((segment, i) => block[i] === segment));
  if (!inside) return [field];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    opened(
      {
        ...field,
        key,
        // A map's key stays a name (`.5432`, not `[5432]`, which reads as a list position).
        path: `${field.path}${/[.[\]]/.test(key) ? `[${key}]` : `.${key}`}`,
        ...(field.type === "ADD" ? { value: child } : { oldValue: child }),
      },
      blocks,
    ),
  );
}

/**
 * For a resource changed on both sides that detectors already judged: the changed fields none of
 * their detections points at, as a resource.changed detection, or nothing when all are explained.
 */
export function unexplainedChangeDetection(change: ResourceChange, explainedPaths: readonly FieldPath[]): Detection | undefined {
  if (!change.base || !change.head) return undefined;
  const blocks = explainedPaths.map(explainedBlock);
  const fields = atomizeChangeset(diff(canonicalForm(change.base.body), canonicalForm(change.head.body)))
    .flatMap((field) => opened(field, blocks))
    .filter((field) => !explainedPaths.some((explained) => explains(explained, toPath(field.path))));
  if (fields.length === 0) return undefined;
  return fieldsDetection(change.head, fields, {
    before: fields.map((f) => [f.path, f.oldValue ?? null]),
    after: fields.map((f) => [f.path, f.value ?? null]),
  });
}

function fieldsDetection(resource: Resource, fields: readonly IAtomicChange[], values: { before: unknown; after: unknown }): Detection {
  const described = fields.slice(0, MAX_FIELDS).map((field) => {
    const path = field.path.replace(/^\$\.?/, "");
    if (field.type === "ADD") return `${path} added (${show(field.value)})`;
    if (field.type === "REMOVE") return `${path} removed`;
    return `${path}: ${show(field.oldValue)} → ${show(field.value)}`;
  });
  const more = fields.length > MAX_FIELDS ? ` and ${fields.length - MAX_FIELDS} more` : "";
  return {
    class: "resource.changed",
    summary: `${displayName(resource.id)}: ${described.join("; ")}${more}`,
    resource: resource.id,
    side: "head",
    path: fields[0] ? toPath(fields[0].path) : [],
    ...values,
  };
}

export function resourceChangedDetection(change: ResourceChange): Detection {
  const resource = (change.head ?? change.base)!;
  const name = displayName(resource.id);
  if (!change.base)
    return {
      class: "resource.changed",
      summary: `${name} added`,
      resource: resource.id,
      side: "head",
      path: [],
      after: canonicalForm(resource.body),
    };
  if (!change.head)
    return {
      class: "resource.changed",
      summary: `${name} removed`,
      resource: resource.id,
      side: "base",
      path: [],
      before: canonicalForm(change.base.body),
    };
  const before = canonicalForm(change.base.body);
  const after = canonicalForm(change.head.body);
  return fieldsDetection(change.head, atomizeChangeset(diff(before, after)), { before, after });
}
