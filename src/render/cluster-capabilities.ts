import { servedKinds } from "../manifests/kinds.js";

/**
 * What `helm template` tells a chart the cluster serves (`--api-versions`), for
 * `.Capabilities.APIVersions.Has`: every group the families read, at every version Kubernetes
 * names its APIs with, as `group/version` and `group/version/Kind` (helm's own set, the built-in
 * groups, holds no kind). Flux's helm-controller and Argo CD render against the cluster, which
 * serves the traffic APIs a repository configures: rendered without them, a chart's route gated on
 * `gateway.networking.k8s.io/v1` was left out at base and head alike, and its weight 10 → 100
 * passed as no change. Only those groups: a chart gating on another (a Prometheus
 * ServiceMonitor) renders as before.
 */

/** The version names Kubernetes APIs go by, as far as any traffic API has used them. */
const VERSIONS = ["v1", "v2", "v1alpha1", "v1alpha2", "v1alpha3", "v1beta1", "v1beta2", "v1beta3", "v2alpha1", "v2beta1", "v2beta2"];

/** The core group is served at `v1` alone (helm's own set holds it), its kinds as `v1/Service`. */
const versionsOf = (group: string): readonly string[] => (group === "" ? ["v1"] : VERSIONS.map((version) => `${group}/${version}`));

export const CLUSTER_API_VERSIONS: readonly string[] = [...servedKinds].flatMap(([group, kinds]) =>
  versionsOf(group).flatMap((version) => [version, ...kinds.map((kind) => `${version}/${kind}`)]),
);

/** Helm's flags for them, in arguments well under the kernel's bound on one (128 KiB). */
export const apiVersionFlags = (versions: readonly string[] = CLUSTER_API_VERSIONS, bound = 32_768): string[] => {
  const flags: string[] = [];
  let argument = "";
  for (const version of versions) {
    if (argument !== "" && argument.length + version.length + 1 > bound) {
      flags.push("--api-versions", argument);
      argument = "";
    }
    argument = argument === "" ? version : `${argument},${version}`;
  }
  return argument === "" ? flags : [...flags, "--api-versions", argument];
};
