import type { DetectorContext } from "../core/detector.js";
import type { ManifestSet } from "../core/resource.js";
import { trafficGroups, trafficKindNames } from "../manifests/kinds.js";
import { routeRules } from "../model/build-model.js";
import type { ClusterOfFile } from "../model/file-placement.js";
import { buildGitopsPlacement, deliveryOf, type FilePlacement } from "../model/gitops-placement.js";
import type { Policy } from "../policy/policy-schema.js";
import { resourceChangedDetection } from "./resource-changes.js";
import { oversize, parseYamlDocument } from "../manifests/yaml-documents.js";

/** One YAML document in a string, with the loader's bounds (size, aliases, depth, nodes). */
const readYaml = (text: string): unknown => {
  if (oversize(text)) return undefined;
  const parsed = parseYamlDocument({ line: 1, offset: 0, text });
  return parsed.ok ? parsed.value : undefined;
};

/**
 * What detectors may read beyond the resource they judge, with the stages' engines they need
 * handed in (families import no stage): every family's route rules and kinds, the placement of
 * files, the resource.changed fallback.
 */
export function detectorContext(policy: Policy, base: ManifestSet, head: ManifestSet, clusterOfFile: ClusterOfFile): DetectorContext {
  // A tree's GitOps placement is read once, not once for every GitOps object the PR changes.
  const placements = new WeakMap<ManifestSet, FilePlacement>();
  const placementOf = (set: ManifestSet): FilePlacement => {
    const known = placements.get(set);
    if (known) return known;
    const placement = buildGitopsPlacement(set, policy.topology, clusterOfFile);
    placements.set(set, placement);
    return placement;
  };
  return {
    policy,
    base,
    head,
    routeRules,
    clusterOfFile,
    resourceChanged: resourceChangedDetection,
    trafficKinds: { groups: trafficGroups, names: trafficKindNames },
    placementOf,
    deliveryOf: (resource, set) => deliveryOf(resource, set, policy.topology),
    readYaml,
  };
}
