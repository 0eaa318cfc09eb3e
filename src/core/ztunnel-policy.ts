import type { ManifestSet, Resource } from "./resource.js";
import { list, record, spec, text } from "./json-access.js";

/**
 * What ztunnel can and cannot enforce of an Istio AuthorizationPolicy (istio.io, ambient mode, "Use
 * Layer 4 security policy"): a policy that selects workloads, or names nothing and covers its
 * namespace, is enforced by the receiving ztunnel, not by a waypoint (only `targetRefs` attach one
 * there). ztunnel reads L4 attributes alone; a rule that matches anything else — a method, a path,
 * a host, a request principal, a request header condition — makes Istio fail safe: the policy
 * becomes a DENY policy, and the connections it was written about are refused. Shared by the
 * policy's family (istio) and the namespace labels that enrol workloads in ambient (istio-mesh).
 */

const DATAPLANE_MODE = "istio.io/dataplane-mode";

/** The attributes ztunnel evaluates, by clause (Istio's table of L4-only attributes). */
const L4_SOURCE = new Set(["principals", "notPrincipals", "namespaces", "notNamespaces", "ipBlocks", "notIpBlocks"]);
const L4_OPERATION = new Set(["ports", "notPorts"]);
const L4_CONDITIONS = new Set(["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"]);

const isAuthorizationPolicy = (resource: Resource): boolean =>
  resource.id.group === "security.istio.io" && resource.id.kind === "AuthorizationPolicy";

/** Whether a policy is enforced where its workloads run (selector or namespace-wide), not attached to a waypoint. */
const enforcedByZtunnel = (policy: Resource): boolean => spec(policy).targetRef === undefined && list(spec(policy).targetRefs).length === 0;

/** The attributes of a policy's rules that only a waypoint can evaluate, as written (`to.operation.methods`), sorted. */
export function l7Attributes(policy: Resource): string[] {
  const found = new Set<string>();
  for (const rule of list(spec(policy).rules)) {
    const { from, to, when } = record(rule);
    for (const clause of list(from))
      for (const key of Object.keys(record(record(clause).source))) if (!L4_SOURCE.has(key)) found.add(`from.source.${key}`);
    for (const clause of list(to))
      for (const key of Object.keys(record(record(clause).operation))) if (!L4_OPERATION.has(key)) found.add(`to.operation.${key}`);
    for (const condition of list(when)) {
      const key = text(record(condition).key);
      if (key !== undefined && !L4_CONDITIONS.has(key)) found.add(`when ${key}`);
    }
  }
  return [...found].sort();
}

/** Namespaces a tree enrols in ambient mode (their Namespace labelled `istio.io/dataplane-mode: ambient`). */
const ambientOf = new WeakMap<ManifestSet, ReadonlySet<string>>();
export function ambientNamespaces(set: ManifestSet): ReadonlySet<string> {
  let names = ambientOf.get(set);
  if (!names) {
    const found = new Set<string>();
    for (const resource of set.resources.values())
      if (resource.id.group === "" && resource.id.kind === "Namespace" && resource.labels[DATAPLANE_MODE] === "ambient")
        found.add(resource.id.name);
    ambientOf.set(set, (names = found));
  }
  return names;
}

/**
 * The L7 attributes that make ztunnel refuse a policy's connections in this tree: empty unless the
 * policy is an ALLOW or DENY policy outside the mesh root namespace (`root`: a root policy reaches
 * sidecar namespaces too), in a namespace the tree enrols in ambient mode, enforced by ztunnel.
 */
export function failsClosedInZtunnel(policy: Resource, set: ManifestSet, root: string): string[] {
  if (!isAuthorizationPolicy(policy) || policy.id.namespace === root || !enforcedByZtunnel(policy)) return [];
  const action = text(spec(policy).action) ?? "ALLOW";
  if (action !== "ALLOW" && action !== "DENY") return [];
  return ambientNamespaces(set).has(policy.id.namespace) ? l7Attributes(policy) : [];
}
