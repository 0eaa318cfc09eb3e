import { showLabels } from "../../core/canonical-values.js";
import { isRecord, list, record, spec, stringMap, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
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
 * The objects a policy's targets reach in a tree, by the names targetsOf gives them (`Gateway
 * networking/internal`): those it names, and those a selector selects among the tree's objects of
 * its group and kind in the policy's namespace, by their labels as applied (`labelsOf`: Flux's
 * commonMetadata over their own). Undefined where the tree cannot tell: a selector of a kind the
 * namespace holds no object of there (they are made elsewhere).
 */
export function reachedTargets(
  policy: Resource,
  tree: ManifestSet,
  labelsOf: (object: Resource) => Labels,
): ReadonlySet<string> | undefined {
  const namespace = policy.id.namespace;
  const reached = new Set(targetsOf(policy).flatMap((target) => (target.ref ? [target.name] : [])));
  for (const selector of list(spec(policy).targetSelectors).map(record)) {
    const kind = text(selector.kind) ?? "?";
    const group = text(selector.group) ?? GATEWAY_API_GROUP;
    const candidates = resourcesOfKind(tree, kind).filter(({ id }) => id.group === group && id.namespace === namespace);
    if (candidates.length === 0) return undefined;
    for (const object of candidates) if (selects(selector, labelsOf(object))) reached.add(`${kind} ${namespace}/${object.id.name}`);
  }
  return reached;
}
