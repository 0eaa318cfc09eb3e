import { equalData } from "../core/canonical-values.js";
import { holdsFluxVariable, substitutionDisabled, variablesMatching } from "../core/flux-variable.js";
import { isRecord, valueAt } from "../core/json-access.js";
import { CHANGE_CLASSES } from "../core/change-classes.js";
import { atLeast, maxRisk } from "../core/risk-level.js";
import type { Detection, FieldPath } from "../core/finding.js";
import { displayName, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import { showPath } from "./resource-changes.js";
import type { UnknownValues } from "../render/flux-substitution.js";

/**
 * A field written as a Flux variable the tree does not resolve (Resource.unresolved) on one side
 * and otherwise on the other — another variable, a literal, or unset — changes to or from a value
 * the review cannot know: `weight: ${CANARY_WEIGHT}` → `weight: 100` may move all of a route's
 * traffic or none, and a value only the cluster's Secret holds may drain a backend. High, as a
 * render that cannot be done is: what it does is unknown, not nothing. The families judge the rest
 * of the resource, reading the unresolved field as unset. So is a resource added or removed with
 * such a field (a PeerAuthentication `payments/default` added with `mode: ${MTLS_MODE}` read as an
 * unset mode passed low, where the Secret's DISABLE turns mTLS off namespace-wide), and one keeping
 * it whose spec changes elsewhere (its selector removed, the unknown mode now applies to the whole
 * namespace), unless the families already rate that resource high or above. A label or annotation
 * edited beside it changes nothing it applies.
 */
export function unresolvedValueDetections(changes: readonly ResourceChange[], judged: readonly Detection[]): Detection[] {
  const found: Detection[] = [];
  for (const { key, base, head } of changes) {
    if (!base?.unresolved && !head?.unresolved) continue;
    if (!base || !head) {
      found.push(...addedOrRemoved(key, (head ?? base)!, head ? "head" : "base"));
      continue;
    }
    const edited = found.length;
    const paths = new Map<string, FieldPath>();
    for (const { path } of [...(base.unresolved ?? []), ...(head.unresolved ?? [])]) paths.set(JSON.stringify(path), path);
    for (const path of paths.values()) {
      const [before, after] = [written(base, path), written(head, path)];
      if (equalData(before, after)) continue;
      found.push({
        class: "resource.changed",
        summary: `${displayName(head.id)}: ${showPath(path)}: ${show(before)} → ${show(after)}: the value Flux substitutes for ${variablesOf(base, head, path)} is not in this tree, so what this changes is unknown`,
        resource: head.id,
        resourceKey: key,
        side: "head",
        path,
        before,
        after,
        riskFloor: "high",
      });
    }
    // A variable edited above already rates the resource high.
    if (found.length > edited || equalData(specOf(base), specOf(head)) || ratedHigh(judged, key)) continue;
    for (const { path, expression } of head.unresolved?.filter((field) => base.unresolved?.some((other) => equalData(other, field))) ?? [])
      found.push({
        class: "resource.changed",
        summary: `${displayName(head.id)}: applies an unknown ${showPath(path)} (${expression}, a value this tree does not hold) to its changed spec: what it now does is unknown`,
        resource: head.id,
        resourceKey: key,
        side: "head",
        path,
        riskFloor: "high",
      });
  }
  return found;
}

function addedOrRemoved(key: string, resource: Resource, side: "base" | "head"): Detection[] {
  return (resource.unresolved ?? []).map(({ path, expression }) => ({
    class: "resource.changed",
    summary: `${displayName(resource.id)} ${side === "head" ? "added" : "removed"}: ${showPath(path)} is ${expression}, a value this tree does not hold: what it ${side === "head" ? "applies" : "applied"} is unknown`,
    resource: resource.id,
    resourceKey: key,
    side,
    path,
    ...(side === "head" ? { after: expression } : { before: expression }),
    riskFloor: "high",
  }));
}

/** What a resource applies: its body without the metadata a label or annotation edit changes. */
const specOf = ({ body }: Resource): unknown => {
  const { metadata: _metadata, ...rest } = body as Record<string, unknown>;
  return rest;
};

const ratedHigh = (judged: readonly Detection[], key: string): boolean =>
  judged.some(
    (detection) =>
      detection.resourceKey === key && atLeast(maxRisk([CHANGE_CLASSES[detection.class].risk, detection.riskFloor ?? "none"]), "high"),
  );

/** A field as the document writes it: its variable, else its value. */
const written = (resource: Resource, path: FieldPath): unknown =>
  resource.unresolved?.find((field) => equalData(field.path, path))?.expression ?? valueAt(resource.body, path);

const variablesOf = (base: Resource, head: Resource, path: FieldPath): string =>
  [base, head]
    .flatMap((resource) => resource.unresolved?.filter((field) => equalData(field.path, path)).map((field) => field.expression) ?? [])
    .join(" and ");

const show = (value: unknown): string => (value === undefined ? "(unset)" : typeof value === "string" ? value : JSON.stringify(value));

/**
 * A trust finding whose values differ only where one holds a Flux variable the tree does not resolve
 * and the other a literal it may stand for: `oidc.provider.issuer https://id.${SECRET_DOMAIN}` →
 * `https://id.nerdz.cloud`, the variable's value in a SOPS-encrypted Secret (gavinmcfall/home-ops
 * 91e7f4fd19, 3ab03f3adc and their reverses, each critical). Whether the CA, issuer or validation
 * changed cannot be told, only that it may: the high `resource.changed` of a value the tree does not
 * hold, as for typed fields above. Only where the value may be one the tree does not show
 * (`unknownValues` of the file holding the variable, render/flux-substitution.ts): a Kustomization
 * applying it substitutes from a source the tree does not hold, or none of the tree applies it (an
 * app repository substituted where it is delivered from; were it applied unsubstituted, the literal
 * `${VAR}` names no issuer, CA or host there is, which fails closed). A Kustomization that applies it
 * with no `postBuild` applies `https://id.${SECRET_DOMAIN}` as written, never the old value (reviewer
 * c5): judged as found, as are a variable replaced by another, a literal by another, and a literal
 * the variable cannot stand for (`https://id.${SECRET_DOMAIN}` → `https://id.`, a variable left empty).
 */
export function withUnresolvedTrust(
  change: ResourceChange,
  detection: Detection,
  unknownValues: (side: "base" | "head", file: string) => UnknownValues | undefined,
): Detection {
  if (detection.class !== "trust.changed" || detection.before === undefined || detection.after === undefined) return detection;
  if ([change.base, change.head].some((resource) => resource && substitutionDisabled(resource.annotations))) return detection;
  const bound = new Map<string, string>();
  if (!alikeOnceSubstituted(detection.before, detection.after, bound) || bound.size === 0) return detection;
  const reasons: (UnknownValues | undefined)[] = (["base", "head"] as const)
    .filter((side) => holdsFluxVariable(JSON.stringify(side === "base" ? detection.before : detection.after)))
    .map((side) => {
      const resource = change[side];
      return resource && unknownValues(side, resource.source.file);
    });
  if (reasons.some((reason) => reason === undefined)) return detection;
  const values = [...bound].map(([name, value]) => `\${${name}} is ${value}`).join(" and ");
  const why = reasons.includes("undelivered")
    ? "no Flux Kustomization of this tree applies the file (an app repository's values are substituted where it is delivered from)"
    : "the value Flux substitutes is not in this tree";
  return {
    ...detection,
    class: "resource.changed",
    riskFloor: "high",
    summary: `${detection.summary} — unless ${values}: ${why}, so the two may be equal`,
  };
}

/**
 * Whether two values read alike once the variables one side holds take values (`bound`: each
 * non-empty and the same throughout); false where they differ whatever the values, or where both
 * sides of a string hold variables.
 */
function alikeOnceSubstituted(before: unknown, after: unknown, bound: Map<string, string>): boolean {
  if (typeof before === "string" && typeof after === "string") {
    if (before === after) return true;
    const [template, literal] = holdsFluxVariable(before) ? [before, after] : [after, before];
    const values = holdsFluxVariable(literal) ? undefined : variablesMatching(template, literal);
    if (!values || values.size === 0) return false;
    for (const [name, value] of values) {
      if ((bound.get(name) ?? value) !== value) return false;
      bound.set(name, value);
    }
    return true;
  }
  if (Array.isArray(before) && Array.isArray(after))
    return before.length === after.length && before.every((item, index) => alikeOnceSubstituted(item, after[index], bound));
  if (isRecord(before) && isRecord(after))
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].every((key) =>
      alikeOnceSubstituted(before[key], after[key], bound),
    );
  return equalData(before, after);
}
