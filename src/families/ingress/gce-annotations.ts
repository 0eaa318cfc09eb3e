import type { DetectionList } from "../../core/detection-list.js";
import type { Resource } from "../../core/resource.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import type { RiskLevel } from "../../core/risk-level.js";
import { STATIC_ADDRESS_KEYS } from "./gke-ingress.js";

/**
 * What GKE's Ingress controller reads off an Ingress's annotations, beyond plain HTTP
 * (access-annotations.ts): the static address clients and DNS reach it at, the certificates its
 * load balancer serves, and the FrontendConfig that holds its SSL policy and HTTPS redirect. Each
 * was a low annotation line, while the same settings on a MultiClusterIngress or in the
 * FrontendConfig itself were judged.
 */
/** Each annotation GKE reads, what another value (or none) does, and how it is judged. */
const SETTINGS: readonly {
  readonly key: string;
  readonly class: ChangeClassId;
  readonly unset: string;
  readonly effect: (was: string) => string;
  readonly riskFloor?: RiskLevel;
}[] = [
  ...STATIC_ADDRESS_KEYS.map((key) => ({
    key,
    class: "listener.changed" as const,
    unset: "(unset: an ephemeral address)",
    effect: () => "its load balancer answers at another address, and clients or DNS records of the old one stop reaching its hosts",
  })),
  {
    key: "ingress.gcp.kubernetes.io/pre-shared-cert",
    class: "trust.changed",
    unset: "(unset)",
    effect: () => "the certificates its load balancer serves change",
  },
  {
    key: "networking.gke.io/v1beta1.FrontendConfig",
    class: "resource.changed",
    unset: "(unset)",
    effect: (was) => `the SSL policy and HTTPS redirect of FrontendConfig ${was} no longer apply to its load balancer`,
    riskFloor: "medium-high",
  },
];

export function gceBehaviour(base: Resource, head: Resource, out: DetectionList): void {
  const [before, after] = [base.annotations, head.annotations];
  for (const { key, class: changeClass, unset, effect, riskFloor } of SETTINGS) {
    const was = before[key];
    if (was === undefined || was.trim() === after[key]?.trim()) continue;
    out.add({
      class: changeClass,
      summary: `${key} ${was} → ${after[key] ?? unset}: ${effect(was)}`,
      side: "head",
      path: ["metadata", "annotations", key],
      before: was,
      after: after[key] ?? null,
      ...(riskFloor ? { riskFloor } : {}),
    });
  }
}
