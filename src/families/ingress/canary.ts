import { numeric } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { RuleShape, WeightedRef } from "../../core/route-rules.js";
import type { DetectionList } from "../../core/detection-list.js";
import { show } from "../../core/canonical-values.js";
import { takesAnyHeaderValue } from "../../core/header-values.js";

/**
 * ingress-nginx canaries: an Ingress annotated `nginx.ingress.kubernetes.io/canary: "true"` serves
 * no host of its own; the controller merges it into the main Ingress with the same host and path,
 * and `canary-weight` (of `canary-weight-total`, 100 by default) of that path's requests go to the
 * canary's backend instead. So a weight edit on the canary moves traffic off the main Ingress's
 * backend, and adding a canary gives the path a new backend (it was a low annotation line).
 * Requests a `canary-by-header` or `canary-by-cookie` sends there come on top of the weight; the
 * flow says so instead of guessing their share. One canary is honoured per host and path: the first
 * by namespace and name.
 */
const ANNOTATION = "nginx.ingress.kubernetes.io/canary";
const WEIGHT = `${ANNOTATION}-weight`;
const WEIGHT_TOTAL = `${ANNOTATION}-weight-total`;
const BY_REQUEST = [`${ANNOTATION}-by-header`, `${ANNOTATION}-by-cookie`] as const;

export const isCanary = (resource: Resource): boolean => resource.annotations[ANNOTATION]?.trim() === "true";

/** Where a rule serves: its host and path, as the controller merges canaries (the entry is the controller). */
const placeOf = (rule: RuleShape): string => `${rule.entry}\0${rule.host}\0${rule.ruleId}`;

export interface CanaryRule {
  readonly resource: Resource;
  readonly rule: RuleShape;
}

const indexes = new WeakMap<ManifestSet, Map<string, CanaryRule>>();

/** The tree's canaries by the host and path they join, read once per tree. */
export function canariesOf(set: ManifestSet, rulesOf: (resource: Resource) => RuleShape[]): ReadonlyMap<string, CanaryRule> {
  let index = indexes.get(set);
  if (!index) {
    index = new Map();
    const canaries = [...set.resources.values()].filter(isCanary).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const resource of canaries)
      for (const rule of rulesOf(resource)) if (!index.has(placeOf(rule))) index.set(placeOf(rule), { resource, rule });
    indexes.set(set, index);
  }
  return index;
}

/** The main Ingress's rule with its canary's backend beside it, weighted as the controller splits them. */
export function withCanary(rule: RuleShape, canaries: ReadonlyMap<string, CanaryRule>): RuleShape {
  const canary = canaries.get(placeOf(rule));
  if (!canary) return rule;
  const { annotations } = canary.resource;
  const total = Math.max(1, numeric(annotations[WEIGHT_TOTAL]) ?? 100);
  const weight = Math.min(total, Math.max(0, numeric(annotations[WEIGHT]) ?? 0));
  const byRequest = BY_REQUEST.filter((name) => annotations[name] !== undefined).map((name) => name.slice(ANNOTATION.length + 1));
  const name = `${canary.resource.id.namespace}/${canary.resource.id.name}`;
  // A flow's paths point into its own resource's document: the canary's backend is shown at the main rule.
  const reweigh = (backends: readonly WeightedRef[], share: number, label: (backend: WeightedRef) => string): WeightedRef[] =>
    backends.map((backend) => ({ ...backend, weight: share, label: label(backend), path: rule.path }));
  return {
    ...rule,
    backends: [
      ...rule.backends.map((backend) => ({ ...backend, weight: total - weight })),
      ...reweigh(
        canary.rule.backends,
        weight,
        (backend) =>
          `${backend.label} (canary Ingress ${name}${byRequest.length > 0 ? `; plus the requests its canary-${byRequest.join(" or canary-")} selects` : ""})`,
      ),
    ],
  };
}

const BY_HEADER = `${ANNOTATION}-by-header`;
const SELECTION = [BY_HEADER, `${BY_HEADER}-value`, `${BY_HEADER}-pattern`, `${ANNOTATION}-by-cookie`] as const;

/**
 * Whether a canary's header selection takes every request carrying its header: a
 * `canary-by-header-pattern` (ingress-nginx matches it anywhere in the value) taking any value,
 * with no `canary-by-header-value` before it.
 */
const selectsEveryCarrier = ({ annotations }: Resource): boolean => {
  const pattern = annotations[`${BY_HEADER}-pattern`];
  return (
    annotations[BY_HEADER] !== undefined &&
    annotations[`${BY_HEADER}-value`] === undefined &&
    pattern !== undefined &&
    takesAnyHeaderValue({ regex: pattern }, "anywhere")
  );
};

/**
 * A canary Ingress's requests chosen by header or cookie go to its backend whatever its weight:
 * a selection that now takes every request carrying the header moves them all (high); another
 * selection changes which requests go (a match change). Both were low annotation lines.
 */
export function canarySelection(base: Resource, head: Resource, out: DetectionList): void {
  if (!isCanary(head)) return;
  const changed = SELECTION.filter((name) => base.annotations[name] !== head.annotations[name]);
  if (changed.length === 0) return;
  const path = ["metadata", "annotations", changed[0]!];
  const selection = (resource: Resource) =>
    Object.fromEntries(SELECTION.flatMap((name) => (resource.annotations[name] === undefined ? [] : [[name, resource.annotations[name]]])));
  if (selectsEveryCarrier(head) && !selectsEveryCarrier(base)) {
    out.add({
      class: "backend.weight-changed",
      summary: `canary-by-header-pattern ${head.annotations[`${BY_HEADER}-pattern`]} takes any value of ${head.annotations[BY_HEADER]}: every request carrying it goes to the canary's backend, whatever its weight`,
      side: "head",
      path,
      before: selection(base),
      after: selection(head),
      riskFloor: "high",
    });
    return;
  }
  out.add({
    class: "route.match-changed",
    summary: `the requests the canary takes by header or cookie change: ${changed.map((name) => `${name.slice(ANNOTATION.length + 1)} ${show(base.annotations[name])} → ${show(head.annotations[name])}`).join("; ")}`,
    side: "head",
    path,
    before: selection(base),
    after: selection(head),
  });
}
