import type { DetectionList } from "../../core/detection-list.js";
import type { Resource } from "../../core/resource.js";

/**
 * What GKE's Ingress controller reads off an Ingress's annotations, beyond plain HTTP
 * (access-annotations.ts): the static address clients and DNS reach it at, the certificates its
 * load balancer serves, and the FrontendConfig that holds its SSL policy and HTTPS redirect. Each
 * was a low annotation line, while the same settings on a MultiClusterIngress or in the
 * FrontendConfig itself were judged.
 */
const ADDRESSES = ["kubernetes.io/ingress.global-static-ip-name", "kubernetes.io/ingress.regional-static-ip-name"];
const CERTIFICATES = "ingress.gcp.kubernetes.io/pre-shared-cert";
const FRONTEND_CONFIG = "networking.gke.io/v1beta1.FrontendConfig";
const path = (key: string) => ["metadata", "annotations", key];

export function gceBehaviour(base: Resource, head: Resource, out: DetectionList): void {
  const [before, after] = [base.annotations, head.annotations];
  const changed = (key: string) => before[key]?.trim() !== after[key]?.trim();
  for (const key of ADDRESSES.filter((address) => before[address] !== undefined && changed(address)))
    out.add({
      class: "listener.changed",
      summary: `${key} ${before[key]} → ${after[key] ?? "(unset: an ephemeral address)"}: its load balancer answers at another address, and clients or DNS records of the old one stop reaching its hosts`,
      side: "head",
      path: path(key),
      before: before[key],
      after: after[key] ?? null,
    });
  if (before[CERTIFICATES] !== undefined && changed(CERTIFICATES))
    out.add({
      class: "trust.changed",
      summary: `${CERTIFICATES} ${before[CERTIFICATES]} → ${after[CERTIFICATES] ?? "(unset)"}: the certificates its load balancer serves change`,
      side: "head",
      path: path(CERTIFICATES),
      before: before[CERTIFICATES],
      after: after[CERTIFICATES] ?? null,
    });
  if (before[FRONTEND_CONFIG] !== undefined && changed(FRONTEND_CONFIG))
    out.add({
      class: "resource.changed",
      summary: `${FRONTEND_CONFIG} ${before[FRONTEND_CONFIG]} → ${after[FRONTEND_CONFIG] ?? "(unset)"}: the SSL policy and HTTPS redirect of FrontendConfig ${before[FRONTEND_CONFIG]} no longer apply to its load balancer`,
      side: "head",
      path: path(FRONTEND_CONFIG),
      before: before[FRONTEND_CONFIG],
      after: after[FRONTEND_CONFIG] ?? null,
      riskFloor: "medium-high",
    });
}
