/**
 * A field written as one Flux post-build variable (`${CANARY_WEIGHT}`, `${VAR:=10}`, `${VAR:-x}`)
 * that the tree does not resolve: an app repository's route whose weights the fleet repository's
 * Kustomization substitutes, or a Secret kept in the cluster. Its value is set at apply time, so
 * the review reads it as unknown, not as the string the file holds.
 */
export interface UnresolvedField {
  /** A FieldPath (core/finding.ts, which reads resources: named here by its shape). */
  readonly path: readonly (string | number)[];
  /** The variable as written. */
  readonly expression: string;
}

/** Whether a value is a whole `${…}` expression Flux substitutes (`$${VAR}` is Flux's escape for a literal). */
export const isFluxVariable = (value: unknown): boolean =>
  typeof value === "string" && /^\$\{[_a-zA-Z][_a-zA-Z0-9]*(?::?[=-][^{}]*)?\}$/.test(value);

/** Whether a document opts out of Flux's substitution: its `${…}` is applied as written, and refused where a number goes. */
export const substitutionDisabled = (annotations: unknown): boolean =>
  typeof annotations === "object" &&
  annotations !== null &&
  (annotations as Record<string, unknown>)["kustomize.toolkit.fluxcd.io/substitute"] === "disabled";
