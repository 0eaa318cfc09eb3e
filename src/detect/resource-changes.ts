import { atomizeChangeset, diff, Operation, type IAtomicChange } from "json-diff-ts";
import { canonicalForm, writtenPath } from "../core/canonical-form.js";
import { isRecord, valueAt } from "../core/json-access.js";
import { equalData } from "../core/canonical-values.js";
import { displayName, type Resource } from "../core/resource.js";
import type { ResourceChange, VersionChange } from "../core/resource-change.js";
import type { Detection, FieldPath } from "../core/finding.js";
import { withDefaults } from "../core/field-defaults.js";
import { byFamilyKind } from "../families/index.js";

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

/** A map key in a changed field's path, as json-diff-ts writes it: bracketed where it would read as a path. */
const keyStep = (key: string) => (/[.[\]]/.test(key) ? `[${key}]` : `.${key}`);

/** Whether `short`'s items appear in `long` in order (every other item of `long` inserted among them); the positions of those others. */
function insertedAt(short: readonly unknown[], long: readonly unknown[]): number[] | undefined {
  const others: number[] = [];
  let next = 0;
  long.forEach((item, index) => {
    if (next < short.length && equalData(item, short[next])) next += 1;
    else others.push(index);
  });
  return next === short.length ? others : undefined;
}

/**
 * Ordered lists (rules, matches) whose items were inserted, removed or reordered whole: told as
 * that, not as each later position's fields shifting (a `bob` rule inserted above bookinfo's
 * `jason` rule read "end-user jason → bob; subset v2 → v3", a retarget that moved nothing; two
 * rules swapped read as their backends exchanged). Other lists are compared position by position.
 */
function wholeItemChanges(before: unknown, after: unknown, path: string): { readonly path: string; readonly fields: IAtomicChange[] }[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    if (equalData(before, after)) return [];
    const item = (type: IAtomicChange["type"], index: number, value: unknown): IAtomicChange => ({
      type,
      key: String(index),
      path: `${path}[${index}]`,
      valueType: "Object",
      ...(type === Operation.ADD ? { value } : { oldValue: value }),
    });
    const added = before.length < after.length ? insertedAt(before, after) : undefined;
    if (added) return [{ path, fields: added.map((index) => item(Operation.ADD, index, after[index])) }];
    const removed = after.length < before.length ? insertedAt(after, before) : undefined;
    if (removed) return [{ path, fields: removed.map((index) => item(Operation.REMOVE, index, before[index])) }];
    const sorted = (items: readonly unknown[]) => items.map((value) => JSON.stringify(value)).sort();
    if (before.length === after.length && equalData(sorted(before), sorted(after)))
      return [{ path, fields: [{ type: Operation.UPDATE, key: path, path, valueType: "Array", oldValue: before, value: after }] }];
    if (before.length !== after.length) return [];
    return before.flatMap((value, index) => wholeItemChanges(value, after[index], `${path}[${index}]`));
  }
  if (isRecord(before) && isRecord(after))
    return Object.keys(before).flatMap((key) => (key in after ? wholeItemChanges(before[key], after[key], `${path}${keyStep(key)}`) : []));
  return [];
}

const defaultsOf = byFamilyKind((family) => family.defaults);

/**
 * A resource's body as compared: with its kind's documented defaults written in, so that spelling
 * one out (`weight: 1`, `action: ALLOW`) or dropping it changes no field, while any other value does.
 */
type Body = Readonly<Record<string, unknown>>;

const compared = (resource: Resource): Body => {
  const defaults = defaultsOf(resource);
  return defaults ? withDefaults(resource.body, defaults) : resource.body;
};

/** The fields changed between two canonical bodies, whole list items as such (wholeItemChanges). */
function changedFields(before: unknown, after: unknown): IAtomicChange[] {
  const fields = atomizeChangeset(diff(before, after));
  const whole = wholeItemChanges(before, after, "$");
  if (whole.length === 0) return fields;
  const within = (field: IAtomicChange) =>
    whole.some(({ path }) => field.path === path || field.path.startsWith(`${path}[`) || field.path.startsWith(`${path}.`));
  return [...whole.flatMap(({ fields: items }) => items), ...fields.filter((field) => !within(field))];
}

/**
 * For a resource changed on both sides that detectors already judged: the changed fields none of
 * their detections points at, as a resource.changed detection, or nothing when all are explained.
 */
export function unexplainedChangeDetection(change: ResourceChange, explainedPaths: readonly FieldPath[]): Detection | undefined {
  if (!change.base || !change.head) return undefined;
  const blocks = explainedPaths.map(explainedBlock);
  const bodies = { base: compared(change.base), head: compared(change.head) };
  const fields = changedFields(canonicalForm(bodies.base), canonicalForm(bodies.head))
    .flatMap((field) => opened(field, blocks))
    .filter((field) => !explainedPaths.some((explained) => explains(explained, toPath(field.path))));
  if (fields.length === 0) return undefined;
  // Normalised, as the fingerprint wants them: an approval outlives a reordering of the lists.
  return fieldsDetection(change, bodies, fields, {
    before: fields.map((f) => [f.path, f.oldValue ?? null]),
    after: fields.map((f) => [f.path, f.value ?? null]),
  });
}

/** A changed field as the reader sees it: where it is written on the side it describes (the base's for one removed), its values as written. */
interface WrittenField {
  readonly type: IAtomicChange["type"];
  readonly path: FieldPath;
  readonly side: "base" | "head";
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * Canonical form sorts unordered lists and turns weights into shares: what it compares is named back
 * at the positions and with the values written, so a finding points at the listener it means and
 * shows `weight: 50`, not a fraction.
 */
function asWritten(field: IAtomicChange, bodies: { readonly base: Body; readonly head: Body }): WrittenField {
  const canonicalPath = toPath(field.path);
  const side = field.type === "REMOVE" ? "base" : "head";
  // From the bodies as compared: a default written in can change how a list sorts (never its order),
  // and a field left out reads as its default (`weight: 1 → 0`, not a share of the split).
  const path = writtenPath(bodies[side], canonicalPath);
  const written = (body: Body, value: unknown) => valueAt(body, writtenPath(body, canonicalPath)) ?? value;
  const before = field.type === "ADD" ? undefined : written(bodies.base, field.oldValue);
  const after = field.type === "REMOVE" ? undefined : written(bodies.head, field.value);
  return { type: field.type, path, side, before, after };
}

/** `spec.listeners[2].tls.mode`, `metadata.annotations[a.b/c]`: a map's key that would read as a path stays bracketed. */
export const showPath = (path: FieldPath): string =>
  path
    .map((segment, index) => (typeof segment === "number" || /[.[\]]/.test(segment) ? `[${segment}]` : `${index > 0 ? "." : ""}${segment}`))
    .join("");

/** A changed field as an edit: what it was, what it is. */
const asEdit = (field: WrittenField): string => {
  const path = showPath(field.path);
  if (field.type === "ADD") return `${path} added (${show(field.after)})`;
  if (field.type === "REMOVE") return `${path} removed`;
  if (Array.isArray(field.before) && Array.isArray(field.after)) return `${path} reordered`;
  return `${path}: ${show(field.before)} → ${show(field.after)}`;
};

/** A field in which the version that stays differs from one dropped: what it writes there. */
const asWrittenThere = (field: WrittenField): string => {
  const path = showPath(field.path);
  if (field.type === "REMOVE") return `no ${path}`;
  if (Array.isArray(field.before) && Array.isArray(field.after)) return `${path} in another order`;
  return `${path} ${show(field.after)}`;
};

function fieldsDetection(
  change: { readonly base: Resource; readonly head: Resource; readonly version?: VersionChange },
  /** Both bodies as compared (with their documented defaults): where the changed fields are named. */
  bodies: { readonly base: Body; readonly head: Body },
  changed: readonly IAtomicChange[],
  values: { before: unknown; after: unknown },
): Detection {
  const resource = change.head;
  const fields = changed.slice(0, MAX_FIELDS).map((field) => asWritten(field, bodies));
  const more = changed.length > MAX_FIELDS ? ` and ${changed.length - MAX_FIELDS} more` : "";
  // A version dropped while another stays is no edit of that one's fields: the object may now be
  // as it writes them (a-mesh.yaml's labels read "metadata.labels added" when z-strict.yaml went).
  const described =
    change.version === "removed"
      ? `may now be as ${change.head.source.file} writes it, with ${fields.map(asWrittenThere).join("; ")}${more}`
      : `${fields.map(asEdit).join("; ")}${more}`;
  const first = fields[0];
  return {
    class: "resource.changed",
    summary: `${displayName(resource.id)}: ${described}`,
    resource: resource.id,
    side: first?.side ?? "head",
    path: first?.path ?? [],
    ...values,
  };
}

/** The resource.changed fallback; nothing for a change of spelling only (a documented default written out or left out). */
export function resourceChangedDetection(change: ResourceChange): Detection | undefined {
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
  const bodies = { base: compared(change.base), head: compared(change.head) };
  const before = canonicalForm(bodies.base);
  const after = canonicalForm(bodies.head);
  const fields = changedFields(before, after);
  return fields.length === 0 ? undefined : fieldsDetection(change, bodies, fields, { before, after });
}
