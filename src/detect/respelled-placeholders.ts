import { equalData } from "../core/canonical-values.js";
import { substitutionDisabled } from "../core/flux-variable.js";
import { isRecord } from "../core/json-access.js";
import type { Detection } from "../core/finding.js";
import type { ResourceChange } from "../core/resource-change.js";

/**
 * Placeholders a sample or an install guide leaves for its reader to fill (`<CLUSTER_NAME>`,
 * `$CLUSTER_NAME`, `<cluster-name>`): respelled, they still ask for the same value, so a finding
 * whose whole before → after is such a respelling (gloo-mesh-use-cases 7d0f8c8b77's `trustDomain
 * <CLUSTER_NAME> → $CLUSTER_NAME`, six times critical) is no change. A placeholder filled with a
 * value, or one asking for another name, still is. A `{{ }}` one never gets here: its document is an
 * unrendered template, which the review refuses (manifests/placeholders.ts). `${NAME}` is Flux's
 * post-build variable, the one spelling Flux substitutes (its envsubst reads `${` alone), so it is
 * a placeholder here only in a document that turns Flux's substitution off: elsewhere a Flux
 * Kustomization, in this tree or one delivering it, may fill it where it would leave the others as
 * written.
 */
const SPELLINGS: readonly RegExp[] = [/^<([A-Za-z_][\w.-]*)>$/, /^\$([A-Za-z_]\w*)$/];
const FLUX_VARIABLE = /^\$\{([A-Za-z_]\w*)\}$/;

/** The name a value wholly stands for as a placeholder, case and separators aside; undefined for any other value. */
function placeholderName(value: string, fluxLiteral: boolean): string | undefined {
  const name = [...SPELLINGS, ...(fluxLiteral ? [FLUX_VARIABLE] : [])].map((spelling) => spelling.exec(value)?.[1]).find(Boolean);
  return name?.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** Whether a detection's before and after differ, and only by placeholders respelled. */
export function onlyPlaceholdersRespelled(change: ResourceChange, detection: Detection): boolean {
  if (detection.before === undefined || detection.after === undefined) return false;
  const fluxLiteral = { base: substitutionDisabled(change.base?.annotations), head: substitutionDisabled(change.head?.annotations) };
  let respelled = false;
  const alike = (before: unknown, after: unknown): boolean => {
    if (typeof before === "string" && typeof after === "string") {
      if (before === after) return true;
      const name = placeholderName(before, fluxLiteral.base);
      if (name === undefined || name !== placeholderName(after, fluxLiteral.head)) return false;
      respelled = true;
      return true;
    }
    if (Array.isArray(before) && Array.isArray(after))
      return before.length === after.length && before.every((item, index) => alike(item, after[index]));
    if (isRecord(before) && isRecord(after))
      return [...new Set([...Object.keys(before), ...Object.keys(after)])].every((key) => alike(before[key], after[key]));
    return equalData(before, after);
  };
  return alike(detection.before, detection.after) && respelled;
}
