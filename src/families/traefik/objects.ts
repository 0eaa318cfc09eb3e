import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/** A TraefikService nests others at most this deep (a cycle, which Traefik refuses, stops here too). */
export const TRAEFIK_SERVICE_DEPTH = 8;

const indexes = new WeakMap<ManifestSet, Map<string, ReadonlyMap<string, Resource>>>();

/**
 * A Traefik object of the tree by kind, namespace and name (the TraefikService, ServersTransport or
 * TLSOption a route names), each kind indexed once a tree.
 */
export function traefikObject(set: ManifestSet, kind: string, namespace: string, name: string): Resource | undefined {
  let byKind = indexes.get(set);
  if (!byKind) indexes.set(set, (byKind = new Map()));
  let byName = byKind.get(kind);
  if (!byName) {
    byName = new Map(resourcesOfKind(set, kind).map((one) => [`${one.id.namespace}/${one.id.name}`, one]));
    byKind.set(kind, byName);
  }
  return byName.get(`${namespace}/${name}`);
}
