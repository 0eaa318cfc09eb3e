import { equalData } from "../core/canonical-values.js";
import { resourceKey, type Resource } from "../core/resource.js";
import { byFamilyKind, type GeneratedObject } from "../families/index.js";
import { kindSpec } from "./kinds.js";

/**
 * The objects controllers write for a tree's resources (Family.generates), added to the tree as
 * the family of their kind reads them: an AIGatewayRoute's HTTPRoute is a Gateway API route,
 * attached, ranked and targeted by policies as one. Each sits in its resource's document and
 * cluster, keyed as that resource is (its `@cluster`, `@file` or `#n` kept), so it pairs between
 * the trees as its resource does.
 */
const generatorOf = byFamilyKind((family) => family.generates);

/**
 * The objects last made of each resource: one the PR leaves alone, in a tree whose other objects
 * make it the same, is one object in both trees, as the loader keeps its resource.
 */
const madeOf = new WeakMap<Resource, readonly Resource[]>();

export function withGenerated(resources: Map<string, Resource>): Map<string, Resource> {
  let added: Map<string, Resource> | undefined;
  resources.forEach((resource) => {
    const generate = generatorOf(resource);
    if (!generate) return;
    const made = generatedBy(resource, generate(resource, resources));
    for (const object of made) {
      // An object written under the same identity is the one the tree says: the controller's would conflict with it.
      if (resources.has(object.key) || added?.has(object.key)) continue;
      (added ??= new Map()).set(object.key, object);
    }
  });
  return added ? new Map([...resources, ...added]) : resources;
}

function generatedBy(resource: Resource, objects: readonly GeneratedObject[]): readonly Resource[] {
  const scope = resource.key.slice(resourceKey(resource.id).length);
  const made = objects.flatMap((object): Resource[] => {
    const spec = kindSpec(object.group, object.kind);
    const parsed = spec?.schema.safeParse(object.body);
    if (!spec || !parsed?.success) return [];
    const id = { group: spec.group, kind: spec.kind, namespace: resource.id.namespace, name: object.name };
    return [
      {
        id,
        key: `${resourceKey(id)}${scope}`,
        apiVersion: object.apiVersion,
        family: spec.family,
        labels: resource.labels,
        annotations: resource.annotations,
        body: parsed.data as Resource["body"],
        source: resource.source,
        generatedFrom: resource.key,
        ...(resource.cluster ? { cluster: resource.cluster } : {}),
        ...(resource.namespaceImplied ? { namespaceImplied: true as const } : {}),
      },
    ];
  });
  const before = madeOf.get(resource);
  if (before && before.length === made.length && before.every((object, i) => sameObject(object, made[i]!))) return before;
  madeOf.set(resource, made);
  return made;
}

const sameObject = (a: Resource, b: Resource): boolean => a.key === b.key && a.apiVersion === b.apiVersion && equalData(a.body, b.body);
