import type { Detection } from "../core/finding.js";
import { displayName, type ManifestSet } from "../core/resource.js";
import { groupOf } from "../core/api-group.js";

/**
 * The API versions each well-known traffic group has served (upstream CRDs and built-in APIs): a
 * resource moved to another version of its group is applied only if the cluster serves that one.
 * A typo (`v2`) or a version the project never shipped fails the apply, and a GitOps tool stops
 * applying the whole set it belongs to; the review pairs resources across versions (identity
 * ignores them), so such a bump read as no change at all. Groups not listed are not judged.
 */
const SERVED: Readonly<Record<string, readonly string[]>> = {
  "gateway.networking.k8s.io": ["v1alpha2", "v1alpha3", "v1beta1", "v1"],
  "networking.istio.io": ["v1alpha3", "v1beta1", "v1"],
  "security.istio.io": ["v1beta1", "v1"],
  "telemetry.istio.io": ["v1alpha1", "v1"],
  "extensions.istio.io": ["v1alpha1"],
  "install.istio.io": ["v1alpha1"],
  "multicluster.x-k8s.io": ["v1alpha1", "v1beta1"],
  "cert-manager.io": ["v1alpha2", "v1alpha3", "v1beta1", "v1"],
  "networking.k8s.io": ["v1beta1", "v1"],
  "flagger.app": ["v1beta1"],
  "argoproj.io": ["v1alpha1"],
  "kustomize.toolkit.fluxcd.io": ["v1beta1", "v1beta2", "v1"],
  "helm.toolkit.fluxcd.io": ["v2beta1", "v2beta2", "v2"],
};

/** A resource the PR moves to a version its group never served: high, on its `apiVersion` line. */
export function unservedVersionDetections(base: ManifestSet, head: ManifestSet): Detection[] {
  const found: Detection[] = [];
  head.resources.forEach((after, key) => {
    const before = base.resources.get(key);
    if (!before || before.apiVersion === after.apiVersion) return;
    const group = groupOf(after.apiVersion);
    const version = group ? after.apiVersion.slice(group.length + 1) : after.apiVersion;
    const served = SERVED[group];
    if (!served || served.includes(version)) return;
    found.push({
      class: "resource.changed",
      summary: `${displayName(after.id)}: apiVersion ${before.apiVersion} → ${after.apiVersion}: ${group} serves no ${version} (${served.join(", ")}), so the apply fails, and a GitOps tool stops applying what it delivers with it`,
      resource: after.id,
      resourceKey: key,
      side: "head",
      path: ["apiVersion"],
      before: before.apiVersion,
      after: after.apiVersion,
      riskFloor: "high",
    });
  });
  return found;
}
