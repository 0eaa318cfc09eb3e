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

/** A `${VAR}` (or `${VAR:=default}`, `${VAR:-default}`), its name captured. */
const VARIABLE = String.raw`\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?::?[=-][^{}]*)?\}`;
const WHOLE_VARIABLE = new RegExp(`^${VARIABLE}$`);

/** Whether a value is a whole `${…}` expression Flux substitutes (`$${VAR}` is Flux's escape for a literal). */
export const isFluxVariable = (value: unknown): boolean => typeof value === "string" && WHOLE_VARIABLE.test(value);

/** Whether a document opts out of Flux's substitution: its `${…}` is applied as written, and refused where a number goes. */
export const substitutionDisabled = (annotations: unknown): boolean =>
  typeof annotations === "object" &&
  annotations !== null &&
  (annotations as Record<string, unknown>)["kustomize.toolkit.fluxcd.io/substitute"] === "disabled";

/** A variable inside a string; `$${VAR}`, Flux's escape, is a literal. */
const IN_TEXT = String.raw`(?<!\$)${VARIABLE}`;
const VARIABLE_IN_TEXT = new RegExp(IN_TEXT, "g");
const ANY_VARIABLE = new RegExp(IN_TEXT);

/** Whether a string holds a Flux variable anywhere (`https://id.${SECRET_DOMAIN}`). */
export const holdsFluxVariable = (value: string): boolean => ANY_VARIABLE.test(value);

/**
 * Values of `template`'s Flux variables, each non-empty and the same wherever it recurs, that make
 * it read `literal` (`https://id.${SECRET_DOMAIN}` reads `https://id.nerdz.cloud` where
 * SECRET_DOMAIN is `nerdz.cloud`); undefined where no values do.
 */
export function variablesMatching(template: string, literal: string): ReadonlyMap<string, string> | undefined {
  const groups: string[] = [];
  let pattern = "";
  let last = 0;
  for (const found of template.matchAll(VARIABLE_IN_TEXT)) {
    const name = found[1]!;
    pattern += escapeRegExp(template.slice(last, found.index));
    const seen = groups.indexOf(name);
    pattern += seen >= 0 ? `\\${seen + 1}` : "(.+)";
    if (seen < 0) groups.push(name);
    last = found.index + found[0].length;
  }
  const match = new RegExp(`^${pattern}${escapeRegExp(template.slice(last))}$`, "s").exec(literal);
  return match ? new Map(groups.map((name, index) => [name, match[index + 1]!])) : undefined;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
