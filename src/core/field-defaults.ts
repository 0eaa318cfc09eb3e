import { isRecord } from "./json-access.js";

/**
 * A value the API takes for a field left unset (Family.defaults): writing it out is no change.
 * `path` ends with the field; its other steps (a `*` any key or index) lead to the objects that
 * hold it. The default is `value`, or the value the document has at `sameAs` (a reference's
 * namespace is the route's own): where the document has none there, nothing is assumed.
 */
export interface FieldDefault {
  readonly path: readonly string[];
  readonly value?: unknown;
  readonly sameAs?: readonly string[];
  /** Only for the one item of its list (Istio: a lone destination takes all traffic whatever its weight). */
  readonly alone?: boolean;
}

const at = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

/**
 * `node` with `fill` applied to every object `path` (all but its last step) leads to, copied only
 * where something is filled (`siblings`: how many items share its list). Most defaults fill nothing
 * in most documents: a review fills those of every changed resource.
 */
function filled(
  node: unknown,
  path: readonly string[],
  depth: number,
  fill: (holder: Record<string, unknown>, siblings: number) => Record<string, unknown>,
  siblings = 0,
): unknown {
  if (depth === path.length - 1) return isRecord(node) ? fill(node, siblings) : node;
  const step = path[depth]!;
  if (Array.isArray(node)) {
    if (step !== "*" && !/^\d+$/.test(step)) return node;
    let copy: unknown[] | undefined;
    node.forEach((item, index) => {
      if (step !== "*" && Number(step) !== index) return;
      const next = filled(item, path, depth + 1, fill, node.length);
      if (next !== item) (copy ??= [...node])[index] = next;
    });
    return copy ?? node;
  }
  if (!isRecord(node)) return node;
  let copy: Record<string, unknown> | undefined;
  for (const key of step === "*" ? Object.keys(node) : step in node ? [step] : []) {
    const next = filled(node[key], path, depth + 1, fill);
    if (next !== node[key]) (copy ??= { ...node })[key] = next;
  }
  return copy ?? node;
}

/**
 * The document with each default written where the field is unset (null counts as unset, as the
 * API server reads it), in the order given: a default that fills a block (an HTTPRoute rule's
 * `matches`) comes before those inside it. Lists keep their order, so positions stay the written ones.
 */
export function withDefaults(document: Readonly<Record<string, unknown>>, defaults: readonly FieldDefault[]): Record<string, unknown> {
  return defaults.reduce<Record<string, unknown>>((body, { path, value, sameAs, alone }) => {
    const field = path[path.length - 1];
    const assumed = sameAs ? at(body, sameAs) : value;
    if (field === undefined || assumed === undefined) return body;
    const fill = (holder: Record<string, unknown>, siblings: number) =>
      (holder[field] ?? undefined) !== undefined || (alone && siblings !== 1) ? holder : { ...holder, [field]: assumed };
    return filled(body, path, 0, fill) as Record<string, unknown>;
  }, document);
}
