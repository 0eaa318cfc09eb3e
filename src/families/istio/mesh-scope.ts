import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, record, text } from "../../core/json-access.js";
import type { MeshScope, MeshScopeContext, MeshScopeReader } from "../../core/mesh-scope.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../core/mesh-config.js";

/** The root namespace of a tree's mesh: a selector-less policy there is mesh-wide. */
export const rootNamespaceIn = (tree: ManifestSet, context: DetectorContext): string =>
  context.meshRootNamespace(tree) ?? DEFAULT_ROOT_NAMESPACE;

const labelsText = (labels: unknown): string[] =>
  Object.entries(record(labels))
    .map(([key, value]) => `${key}=${text(value) ?? ""}`)
    .sort();

/** What an Istio policy or proxy extension applies to, before a reader words it. */
export interface IstioReach {
  readonly scope: "targets" | "workloads" | "mesh-wide" | "namespace";
  /** The targets (`Gateway shop/web`) or the selected labels (`app=web, tier=edge`). */
  readonly named: string;
  /** Whether it sits in the root namespace, where a selector reaches every namespace. */
  readonly root: boolean;
}

/**
 * Istio's scoping of its namespace-scoped policies (PeerAuthentication, AuthorizationPolicy,
 * RequestAuthentication, Sidecar) and proxy extensions (EnvoyFilter, WasmPlugin, TrafficExtension): a targetRef
 * reaches what it names; else a selector narrows it to the matching workloads (in every namespace
 * when the policy sits in the root namespace); else it covers its namespace, or the whole mesh
 * from the root namespace.
 */
export function istioReach(resource: Resource, rootNamespace: string): IstioReach {
  const { namespace } = resource.id;
  const spec = record(resource.body.spec);
  const root = namespace === rootNamespace;
  const targets = [...list(spec.targetRefs), ...(spec.targetRef === undefined ? [] : [spec.targetRef])].map(record);
  if (targets.length > 0) {
    const named = targets.map((t) => `${text(t.kind) ?? "?"} ${text(t.namespace) ?? namespace}/${text(t.name) ?? "?"}`);
    return { scope: "targets", named: named.join(", "), root };
  }
  const selector = labelsText(record(spec.selector).matchLabels);
  // workloadLabels: the selector of Istio 1.0–1.3's EnvoyFilter.
  const chosen = selector.length ? selector : labelsText(record(spec.workloadSelector).labels ?? spec.workloadLabels);
  if (chosen.length > 0) return { scope: "workloads", named: chosen.join(", "), root };
  return { scope: root ? "mesh-wide" : "namespace", named: "", root };
}

const policyScope = (resource: Resource, context: MeshScopeContext): MeshScope => {
  const name = displayName(resource.id);
  const { namespace } = resource.id;
  const rootNamespace = context.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const { scope, named, root } = istioReach(resource, rootNamespace);
  const namespaces = root && scope !== "targets" ? context.namespaces : [namespace];
  const detail =
    scope === "targets"
      ? `targets ${named}`
      : scope === "workloads"
        ? `workloads ${named} ${root ? `in every namespace (root namespace ${rootNamespace})` : `in namespace ${namespace}`}`
        : scope === "mesh-wide"
          ? `in the root namespace ${rootNamespace}: every workload of the mesh`
          : `every workload in namespace ${namespace}`;
  return { resource: name, scope, namespaces, detail };
};

export const istioMeshScopes: Readonly<Record<string, MeshScopeReader>> = {
  PeerAuthentication: policyScope,
  AuthorizationPolicy: policyScope,
  RequestAuthentication: policyScope,
  Sidecar: policyScope,
  EnvoyFilter: policyScope,
  WasmPlugin: policyScope,
  TrafficExtension: policyScope,
};
