import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, record, text } from "../../core/json-access.js";
import type { MeshScope, MeshScopeContext, MeshScopeReader } from "../../core/mesh-scope.js";

/** Istio's root namespace when no IstioOperator or istiod values in the tree name another. */
const DEFAULT_ROOT_NAMESPACE = "istio-system";

/** The root namespace of a tree's mesh: a selector-less policy there is mesh-wide. */
export const rootNamespaceIn = (tree: ManifestSet, context: DetectorContext): string =>
  context.meshRootNamespace(tree) ?? DEFAULT_ROOT_NAMESPACE;

const labelsText = (labels: unknown): string[] =>
  Object.entries(record(labels))
    .map(([key, value]) => `${key}=${text(value) ?? ""}`)
    .sort();

/**
 * Istio's scoping of its namespace-scoped policies (PeerAuthentication, AuthorizationPolicy,
 * RequestAuthentication, Sidecar) and proxy extensions (EnvoyFilter, WasmPlugin): a policy in the
 * root namespace with no selector is mesh-wide, one in another namespace covers that namespace, a
 * selector narrows it to the matching workloads (in every namespace when the policy sits in the
 * root namespace), a targetRef to what it names.
 */
const policyScope = (resource: Resource, context: MeshScopeContext): MeshScope => {
  const name = displayName(resource.id);
  const { namespace } = resource.id;
  const rootNamespace = context.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const spec = record(resource.body.spec);
  const root = namespace === rootNamespace;
  const targets = [...list(spec.targetRefs), ...(spec.targetRef === undefined ? [] : [spec.targetRef])].map(record);
  if (targets.length > 0) {
    const named = targets.map((t) => `${text(t.kind) ?? "?"} ${text(t.namespace) ?? namespace}/${text(t.name) ?? "?"}`);
    return { resource: name, scope: "targets", namespaces: [namespace], detail: `targets ${named.join(", ")}` };
  }
  const selector = labelsText(record(spec.selector).matchLabels);
  // workloadLabels: the selector of Istio 1.0–1.3's EnvoyFilter.
  const chosen = selector.length ? selector : labelsText(record(spec.workloadSelector).labels ?? spec.workloadLabels);
  if (chosen.length > 0) {
    return {
      resource: name,
      scope: "workloads",
      namespaces: root ? context.namespaces : [namespace],
      detail: `workloads ${chosen.join(", ")} ${root ? `in every namespace (root namespace ${rootNamespace})` : `in namespace ${namespace}`}`,
    };
  }
  if (root) {
    return {
      resource: name,
      scope: "mesh-wide",
      namespaces: context.namespaces,
      detail: `in the root namespace ${rootNamespace}: every workload of the mesh`,
    };
  }
  return { resource: name, scope: "namespace", namespaces: [namespace], detail: `every workload in namespace ${namespace}` };
};

export const istioMeshScopes: Readonly<Record<string, MeshScopeReader>> = {
  PeerAuthentication: policyScope,
  AuthorizationPolicy: policyScope,
  RequestAuthentication: policyScope,
  Sidecar: policyScope,
  EnvoyFilter: policyScope,
  WasmPlugin: policyScope,
};
