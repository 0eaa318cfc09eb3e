import type { FieldPath } from "./finding.js";
import { isRecord } from "./json-access.js";
import type { DocumentSource } from "./resource.js";

/** Later wins, mappings merged key by key, anything else replaced: how Flux and Helm merge a release's values. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over))
    merged[key] = isRecord(value) && isRecord(merged[key]) ? mergeValues(merged[key] as Record<string, unknown>, value) : value;
  return merged;
}

/**
 * One source of a release's values (a values file, a `valuesFrom` ConfigMap, an Argo CD
 * parameter), and where a finding about a value it sets points: its document, and in it the
 * mapping the values are (`path`), or, with `inText`, the field holding them as text (a
 * ConfigMap's `values.yaml` key, the `value` of a parameter): a finding points at that line.
 */
export interface ValuesLayer {
  readonly values: Readonly<Record<string, unknown>>;
  /** The document; undefined: the release's own. */
  readonly at?: DocumentSource;
  readonly path: FieldPath;
  readonly inText?: true;
}

/** Where in its document a layer writes the value at `field` of the values. */
export const layerPath = (layer: ValuesLayer, field: FieldPath): FieldPath => (layer.inText ? layer.path : [...layer.path, ...field]);
