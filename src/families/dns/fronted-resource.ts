import { declares } from "../../core/declared-identities.js";
import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import { record, spec, text } from "../../core/json-access.js";
import type { ManifestSet } from "../../core/resource.js";

/**
 * A resource a k8gb Gslb fronts by name (`resourceRef`: an Ingress, an HTTPRoute, an Istio
 * VirtualService) removed while the Gslb stays: k8gb finds nothing to serve the global name from,
 * so its DNS records stop answering — renaming the route alone does it. Run on the fronted kinds'
 * changes (`detectsOn`); a Gslb selecting by labels is not judged here.
 */

/** Gslbs of a tree by the resource they front by name: `kind/namespace/name`. */
const frontsOf = new WeakMap<ManifestSet, ReadonlyMap<string, readonly string[]>>();
function gslbsFronting(tree: ManifestSet): ReadonlyMap<string, readonly string[]> {
  let index = frontsOf.get(tree);
  if (!index) {
    const found = new Map<string, string[]>();
    for (const resource of tree.resources.values()) {
      if (resource.id.kind !== "Gslb" || resource.family !== "dns") continue;
      const ref = record(spec(resource).resourceRef);
      const [kind, name] = [text(ref.kind), text(ref.name)];
      if (!kind || !name) continue;
      const key = `${kind}/${text(ref.namespace) ?? resource.id.namespace}/${name}`;
      found.set(key, [...new Set([...(found.get(key) ?? []), `Gslb ${resource.id.namespace}/${resource.id.name}`])]);
    }
    frontsOf.set(tree, (index = found));
  }
  return index;
}

export const frontedResourceRemoved: ResourceDetector = (change, context) => {
  const removed = change.base;
  if (!removed || change.head || declares(context.head, removed.id)) return [];
  const gslbs = gslbsFronting(context.head).get(`${removed.id.kind}/${removed.id.namespace}/${removed.id.name}`);
  if (!gslbs) return [];
  const out = new DetectionList(change);
  out.add({
    class: "reference.broken",
    summary: `removed while ${gslbs.join(", ")} still ${gslbs.length === 1 ? "fronts" : "front"} it (resourceRef): k8gb finds nothing to serve the global name from, and its DNS records stop answering`,
    side: "base",
    path: ["metadata", "name"],
    before: [...gslbs],
  });
  return out.detections;
};
