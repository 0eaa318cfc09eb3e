import { sameItems } from "../../core/same-items.js";
import { showLabels } from "../../core/canonical-values.js";
import { isRecord, list, record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import { fileSites, sitesMeet } from "../../core/gitops-delivery.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { selects, type Labels } from "../../core/label-selector.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/** Envoy Gateway's policies attach as Gateway API's policy attachment model says: local references and label selectors. */
export const ENVOY_GATEWAY_GROUP = "gateway.envoyproxy.io";

export interface Target {
  /** `HTTPRoute shop/web`, `Gateway infra/public:https`, `HTTPRoute labelled app=web`. */
  readonly name: string;
  readonly kind: string;
  /** Set for a route or Gateway named outright (a listener by its section): what the tree can look up. */
  readonly ref?: { readonly namespace: string; readonly name: string; readonly section?: string };
}

/** targetRef (older API), targetRefs and targetSelectors: references are local to the policy's namespace. */
export function targetsOf(policy: Resource | undefined): Target[] {
  if (!policy) return [];
  const fields = spec(policy);
  const namespace = policy.id.namespace;
  const named = [...(isRecord(fields.targetRef) ? [fields.targetRef] : []), ...list(fields.targetRefs).map(record)].map((ref): Target => {
    // Gateway API's kinds are written plainly; a target of another group (an Envoy Gateway Backend, or
    // a misspelt group, which resolves nothing) names it, so a group changed is a target changed.
    const group = text(ref.group) ?? GATEWAY_API_GROUP;
    const kind = group === GATEWAY_API_GROUP ? (text(ref.kind) ?? "?") : `${text(ref.kind) ?? "?"}.${group}`;
    const name = text(ref.name) ?? "?";
    const section = text(ref.sectionName);
    // A GatewayClass (EnvoyPatchPolicy's other target) has no namespace.
    return {
      name: kind === "GatewayClass" ? `${kind} ${name}` : `${kind} ${namespace}/${name}${section ? `:${section}` : ""}`,
      kind,
      ref: { namespace, name, ...(section ? { section } : {}) },
    };
  });
  const selected = list(fields.targetSelectors).map((selector): Target => {
    const kind = text(record(selector).kind) ?? "?";
    const labels = stringMap(record(selector).matchLabels);
    // A selector without labels selects every resource of its kind in the namespace.
    if (Object.keys(labels).length === 0) return { name: `every ${kind} of ${namespace}`, kind };
    return { name: `${kind} of ${namespace} labelled ${showLabels(labels)}`, kind };
  });
  return [...named, ...selected];
}

/** The targets as a reviewer reads them: `Gateway infra/public, HTTPRoute shop/web`. */
export const targetNames = (policy: Resource | undefined): string => {
  const names = targetsOf(policy).map((target) => target.name);
  return names.length > 0 ? names.join(", ") : "no target";
};

/**
 * An object's labels as a selector reads them in the cluster: those the Flux Kustomization applying
 * it sets (`spec.commonMetadata.labels`) over its own.
 */
export const appliedLabels =
  (context: DetectorContext, side: "base" | "head") =>
  (object: Resource): Labels => {
    const common = context.commonLabels(side, object.source.file);
    return common ? { ...object.labels, ...common } : object.labels;
  };

/** A targetSelector's `namespaces` (Envoy Gateway 1.8) other than `Same`: it picks objects of other namespaces too. */
const beyondItsNamespace = (selector: JsonRecord): boolean => (text(record(selector.namespaces).from) ?? "Same") !== "Same";

/**
 * Whether a policy's targetSelector picks an object with these labels: one of its group (Gateway
 * API's unless it says) and kind, in the policy's namespace or, for a selector that reaches others,
 * any (the namespaces' labels and the ReferenceGrants it also needs are not read).
 */
export const selectorPicks = (selector: unknown, policy: Resource, object: Resource, labels: Labels): boolean => {
  const fields = record(selector);
  return (
    object.id.kind === text(fields.kind) &&
    object.id.group === (text(fields.group) ?? GATEWAY_API_GROUP) &&
    (object.id.namespace === policy.id.namespace || beyondItsNamespace(fields)) &&
    selects(fields, labels)
  );
};

/**
 * The objects a policy's targets reach in one tree, by the names targetsOf gives them (`Gateway
 * networking/internal`): those it names, and those a selector picks among the tree's objects of its
 * group and kind in the policy's namespace, by their labels as applied. Undefined where the tree
 * cannot tell it holds every object a selector may pick: where it holds none of them there (they
 * are made elsewhere), where something there makes objects the review does not read (a HelmRelease:
 * reviewer's c13, whose chart may make a Gateway of that label), where one of them may be on
 * another cluster than the policy or only on some of its clusters, or where the selector reaches
 * other namespaces.
 */
export function reachedTargets(policy: Resource, side: "base" | "head", context: DetectorContext): ReadonlySet<string> | undefined {
  const { namespace } = policy.id;
  const tree = context[side];
  const reached = new Set(targetsOf(policy).flatMap((target) => (target.ref ? [target.name] : [])));
  const selectors = list(spec(policy).targetSelectors).map(record);
  if (selectors.length === 0) return reached;
  if (selectors.some(beyondItsNamespace) || context.madeUnread(side, namespace)) return undefined;
  const placed = fileSites(context.placementOf(tree));
  const sitesOf = (object: Resource) => placed(object.source.file);
  const own = sitesOf(policy);
  const key = (sites: readonly string[]) => [...sites].sort().join("\n");
  // Objects of another cluster are none of its targets; one that may or may not be on its cluster
  // (a file nothing places, one delivered to more clusters than the policy) leaves the set unknown.
  const apart = (object: Resource) => {
    const sites = sitesOf(object);
    if (key(sites) === key(own)) return false;
    if (sites.length === 0 || own.length === 0 || sitesMeet(sites, own)) return undefined;
    return true;
  };
  const labelsOf = appliedLabels(context, side);
  for (const selector of selectors) {
    const kind = text(selector.kind) ?? "?";
    const group = text(selector.group) ?? GATEWAY_API_GROUP;
    const candidates = resourcesOfKind(tree, kind).filter((object) => object.id.group === group && object.id.namespace === namespace);
    const here = candidates.filter((object) => apart(object) === false);
    if (here.length === 0 || candidates.some((object) => apart(object) === undefined)) return undefined;
    for (const object of here) if (selects(selector, labelsOf(object))) reached.add(`${kind} ${namespace}/${object.id.name}`);
  }
  return reached;
}

/**
 * Whether a policy's targets, written otherwise on the two sides, reach the same objects in the tree
 * (reachedTargets, both known and not empty): mchestr/home-cluster 4ada4a8fe3 rewrote a selector of
 * `app.kubernetes.io/name: envoy`, which its Kustomization's commonMetadata gives every Gateway of
 * the namespace, as every Gateway there. Such a policy is judged target by target as before.
 */
export function reachesAlike(base: Resource, head: Resource, context: DetectorContext): boolean {
  const [before, after] = [reachedTargets(base, "base", context), reachedTargets(head, "head", context)];
  return before !== undefined && after !== undefined && before.size > 0 && sameItems([...before].sort(), [...after].sort());
}
