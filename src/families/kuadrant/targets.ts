import { sortedSet } from "../../core/canonical-values.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { list, record, spec, text, texts } from "../../core/json-access.js";
import { namedTargets, targetName, type PolicyTarget } from "../../core/policy-targets.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/** Kuadrant's API group: its policies attach to Gateway API Gateways, their listeners, and routes, by `targetRef`. */
export const KUADRANT_GROUP = "kuadrant.io";

/** The one object a Kuadrant policy names (its `targetRef`), the group Gateway API's where it says none (v1beta2 and older). */
export const targetOf = (policy: Resource | undefined): PolicyTarget | undefined =>
  policy ? namedTargets(policy, GATEWAY_API_GROUP)?.[0] : undefined;

/** Whether two sides of a policy name one object, whatever group spelling they used. */
export const sameTarget = (a: PolicyTarget | undefined, b: PolicyTarget | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.group === b.group &&
  a.kind === b.kind &&
  a.namespace === b.namespace &&
  a.name === b.name &&
  a.section === b.section;

/**
 * The hostnames a target serves in a tree: a Gateway's listeners' (one listener's, for a section),
 * a route's `spec.hostnames`. Empty where the tree does not hold the target or it names none.
 */
function hostnamesOf(tree: ManifestSet, target: PolicyTarget): string[] {
  const object = resourcesOfKind(tree, target.kind).find(
    ({ id }) => id.group === target.group && id.namespace === target.namespace && id.name === target.name,
  );
  if (!object) return [];
  if (target.kind !== "Gateway") return sortedSet(texts(spec(object).hostnames));
  const listeners = list(spec(object).listeners)
    .map(record)
    .filter((listener) => target.section === undefined || text(listener.name) === target.section);
  return sortedSet(listeners.flatMap((listener) => text(listener.hostname) ?? []));
}

/** `Gateway ingress/prod-web (api.example.com, *.example.com)`: the target with the hostnames it serves, as a reviewer reads the reach. */
export const describeTarget = (tree: ManifestSet, target: PolicyTarget | undefined): string => {
  if (!target) return "no target";
  const hosts = hostnamesOf(tree, target);
  return `${targetName(target)}${hosts.length > 0 ? ` (${hosts.join(", ")})` : ""}`;
};
