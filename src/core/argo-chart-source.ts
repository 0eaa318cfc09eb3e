import type { FieldPath } from "./finding.js";
import { list, record, text, type JsonRecord } from "./json-access.js";

/**
 * The source of an Argo CD Application that installs a Helm chart `installs` accepts, by the chart's
 * name: `spec.source`, or one of a multi-source Application's `spec.sources`, with where it is written.
 */
export function chartSourceOf(
  body: JsonRecord,
  installs: (chart: string) => boolean,
): { readonly source: JsonRecord; readonly path: FieldPath } | undefined {
  const spec = record(body.spec);
  if (installs(text(record(spec.source).chart) ?? "")) return { source: record(spec.source), path: ["spec", "source"] };
  const index = list(spec.sources).findIndex((source) => installs(text(record(source).chart) ?? ""));
  return index < 0 ? undefined : { source: record(list(spec.sources)[index]), path: ["spec", "sources", index] };
}
