import type { ManifestSet } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import type { MeshScope } from "../core/mesh-scope.js";
import { byFamilyKind } from "../families/index.js";
import { readYamlText } from "../manifests/yaml-documents.js";

const meshConfigOf = byFamilyKind((family) => family.meshConfigs);
const meshScope = byFamilyKind((family) => family.meshScopes);

/** The MeshConfigs a tree sets (IstioOperator, istiod values, Sail's Istio, istiod's mesh ConfigMap), in tree order. */
export function meshConfigsOf(set: ManifestSet): Readonly<Record<string, unknown>>[] {
  const configs: Readonly<Record<string, unknown>>[] = [];
  for (const resource of set.resources.values()) {
    const config = meshConfigOf(resource)?.(resource, readYamlText);
    if (config) configs.push(config);
  }
  return configs;
}

const rootNamespaceOfConfig = (config: Readonly<Record<string, unknown>>): string | undefined =>
  typeof config.rootNamespace === "string" && config.rootNamespace ? config.rootNamespace : undefined;

/** The root namespace the first of a tree's MeshConfigs that sets one names. */
export const firstRootNamespace = (configs: readonly Readonly<Record<string, unknown>>[]): string | undefined =>
  configs.map(rootNamespaceOfConfig).find((root) => root !== undefined);

/** The mesh's root namespace as the tree configures it (the first setting found), if it does: read up to that setting only. */
export function rootNamespaceOf(set: ManifestSet): string | undefined {
  for (const resource of set.resources.values()) {
    const config = meshConfigOf(resource)?.(resource, readYamlText);
    const root = config && rootNamespaceOfConfig(config);
    if (root) return root;
  }
  return undefined;
}

/** The scope of every changed resource whose family says whom it reaches (its `meshScopes`). */
export function meshScopes(
  changes: readonly ResourceChange[],
  rootNamespace: string | undefined,
  namespaces: readonly string[],
): MeshScope[] {
  const scopes: MeshScope[] = [];
  for (const change of changes) {
    const resource = change.head ?? change.base!;
    const reader = meshScope(resource);
    if (reader) scopes.push(reader(resource, { rootNamespace, namespaces }));
  }
  return scopes;
}
