import { displayName, type ManifestSet, type Resource } from "../core/resource.js";
import { list, record, text } from "../core/json-access.js";
import type { ResourceChange } from "../core/resource-change.js";

/**
 * Who a mesh or trust change reaches (DESIGN §7): a policy in Istio's root namespace with no
 * selector is mesh-wide, one in another namespace covers that namespace, a selector narrows it to
 * the matching workloads (in every namespace when the policy sits in the root namespace), a
 * targetRef to what it names. Mesh identity and network settings are always mesh-wide.
 */
export interface MeshScope {
  readonly resource: string;
  readonly scope: "mesh-wide" | "namespace" | "workloads" | "targets";
  /** Namespaces of the repository in scope (all of them when mesh-wide). */
  readonly namespaces: readonly string[];
  /** `workloads app=reviews in every namespace`, `targets Gateway infra/public`. */
  readonly detail: string;
}

const SCOPED_POLICIES = new Set([
  "security.istio.io/PeerAuthentication",
  "security.istio.io/AuthorizationPolicy",
  "security.istio.io/RequestAuthentication",
  "networking.istio.io/Sidecar",
]);
const MESH_SETTINGS = new Set(["install.istio.io/IstioOperator", "install.istio.io/IstioValues"]);

const DEFAULT_ROOT_NAMESPACE = "istio-system";

/** meshConfig.rootNamespace from an IstioOperator or istiod values in the tree, else Istio's default. */
export function rootNamespaceOf(set: ManifestSet): string {
  for (const resource of set.resources.values()) {
    const kind = `${resource.id.group}/${resource.id.kind}`;
    if (!MESH_SETTINGS.has(kind)) continue;
    const body = record(resource.body);
    const root = kind.endsWith("IstioOperator")
      ? record(record(body.spec).meshConfig).rootNamespace
      : record(body.meshConfig).rootNamespace;
    const name = text(root);
    if (name) return name;
  }
  return DEFAULT_ROOT_NAMESPACE;
}

function scopeOf(resource: Resource, rootNamespace: string, namespaces: readonly string[]): MeshScope {
  const resourceName = displayName(resource.id);
  const kind = `${resource.id.group}/${resource.id.kind}`;
  const mesh = (detail: string): MeshScope => ({ resource: resourceName, scope: "mesh-wide", namespaces, detail });
  if (MESH_SETTINGS.has(kind)) return mesh("mesh identity and network settings: every workload of the mesh");
  const spec = record(resource.body.spec);
  const root = resource.id.namespace === rootNamespace;
  const targets = [...list(spec.targetRefs), ...(spec.targetRef === undefined ? [] : [spec.targetRef])].map(record);
  if (targets.length > 0) {
    const named = targets.map((t) => `${text(t.kind) ?? "?"} ${text(t.namespace) ?? resource.id.namespace}/${text(t.name) ?? "?"}`);
    return { resource: resourceName, scope: "targets", namespaces: [resource.id.namespace], detail: `targets ${named.join(", ")}` };
  }
  const labels = record(record(spec.selector).matchLabels);
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${text(v) ?? ""}`)
    .sort();
  const workloadLabels = record(spec.workloadSelector).labels;
  const sidecarSelector = Object.entries(record(workloadLabels))
    .map(([k, v]) => `${k}=${text(v) ?? ""}`)
    .sort();
  const chosen = selector.length ? selector : sidecarSelector;
  if (chosen.length > 0) {
    return {
      resource: resourceName,
      scope: "workloads",
      namespaces: root ? namespaces : [resource.id.namespace],
      detail: `workloads ${chosen.join(", ")} ${root ? `in every namespace (root namespace ${rootNamespace})` : `in namespace ${resource.id.namespace}`}`,
    };
  }
  if (root) return mesh(`in the root namespace ${rootNamespace}: every workload of the mesh`);
  return {
    resource: resourceName,
    scope: "namespace",
    namespaces: [resource.id.namespace],
    detail: `every workload in namespace ${resource.id.namespace}`,
  };
}

export function meshScopes(changes: readonly ResourceChange[], rootNamespace: string, namespaces: readonly string[]): MeshScope[] {
  const scopes: MeshScope[] = [];
  for (const change of changes) {
    const resource = change.head ?? change.base!;
    const kind = `${resource.id.group}/${resource.id.kind}`;
    if (SCOPED_POLICIES.has(kind) || MESH_SETTINGS.has(kind)) scopes.push(scopeOf(resource, rootNamespace, namespaces));
  }
  return scopes;
}
