import type { ManifestSet, Resource } from "../../core/resource.js";
import { namespaceCopies, type PlacedTrees } from "../../core/namespace-copies.js";
import { show } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { DATAPLANE_MODE } from "../../core/ztunnel-policy.js";

/**
 * Sidecar enrolment of a namespace (research §1.3): `istio-injection=enabled` or an
 * `istio.io/rev` revision label makes the injector add Envoy to every pod started there. Taking
 * it away is mTLS weakened for the namespace: pods restarted afterwards run without a proxy, so
 * they send plaintext, STRICT peers refuse them and AuthorizationPolicies no longer guard them.
 * A revision change moves the namespace to another control plane on the next restart.
 */

const INJECTION = "istio-injection";
const REVISION = "istio.io/rev";

/** The control plane a namespace's pods are injected by: a revision, "default", or none. */
const injectedBy = (resource: Resource | undefined): string | undefined => {
  const labels = resource?.labels ?? {};
  // istio-injection wins over istio.io/rev when both are set (Istio's injector webhooks select so).
  if (labels[INJECTION] === "disabled") return undefined;
  if (labels[INJECTION] === "enabled") return "default";
  return labels[REVISION];
};

const labelPath = (resource: Resource | undefined): string[] => [
  "metadata",
  "labels",
  resource?.labels[INJECTION] !== undefined ? INJECTION : REVISION,
];

/** A copy of the namespace `of` is, in another file of a side, injected as `like` is. */
const copyLike = (side: ManifestSet, of: Resource, like: Resource | undefined, trees: PlacedTrees): Resource | undefined =>
  namespaceCopies(side, of, trees).find((copy) => injectedBy(copy) === injectedBy(like));

export const sidecarInjectionDetector: ResourceDetector = (change: ResourceChange, context: DetectorContext) => {
  const subject = change.head ?? change.base;
  if (subject?.id.kind !== "Namespace" || subject.id.group !== "") return [];
  // A Namespace read only for its mesh labels vanishes from the tree when they go, so a removed one is
  // judged by the copies the head still applies where it was: written in another file as its labels
  // went, or kept beside it (anthos-service-mesh-workshop 98481cb7c2 deleted
  // prod/namespaces/03_namespace-*.yaml while prod/app/namespaces/ kept each with istio-injection=enabled:
  // nothing changed). With no copy left it is no longer applied: most likely deleted with its
  // workloads (bank-of-anthos 90fa12d7b2 dropped namespace.yaml from an overlay's resources: its
  // render stayed, the Namespace did not, and "sidecar injection off" was the wrong news).
  const head = change.head ?? copyLike(context.head, subject, change.base, context) ?? namespaceCopies(context.head, subject, context)[0];
  // An added copy changes nothing where the base already applied the namespace so; one that differs
  // is judged as new (a copy it replaces is judged by that copy's removal, above).
  const base = change.base ?? copyLike(context.base, subject, change.head, context);
  const before = injectedBy(base);
  const after = injectedBy(head);
  if (before === after) return [];
  const out = new DetectionList(change);
  const name = subject.id.name;
  if (before && !after) {
    if (head?.labels[DATAPLANE_MODE] === "ambient") {
      // Istio's documented migration: ztunnel carries the pods' traffic over mTLS (HBONE), so this
      // is no plaintext; what changes is where L7 policy applies (only through a waypoint).
      out.add({
        class: "resource.changed",
        summary: `sidecar injection off, ambient on (${labelsText(base)} → ${DATAPLANE_MODE}=ambient): pods of namespace ${name} move from sidecars to ztunnel on restart: mTLS stays, L7 routing and AuthorizationPolicies apply only through a waypoint`,
        side: "head",
        path: ["metadata", "labels", DATAPLANE_MODE],
        before,
        after: "ambient",
        riskFloor: "high",
      });
    } else if (head) {
      out.add({
        class: "mtls.weakened",
        summary: `sidecar injection off (${labelsText(base)} → ${labelsText(head)}): pods of namespace ${name} restarted from now on run without a sidecar: plaintext, refused by STRICT peers, outside AuthorizationPolicies`,
        side: "head",
        path: labelPath(head),
        before,
        after: after ?? null,
      });
    } else {
      out.add({
        class: "resource.changed",
        summary: `removed from the repository with its sidecar injection (${labelsText(base)}): most likely deleted with its workloads; if the namespace stays, its pods lose the sidecar on restart`,
        side: "base",
        path: labelPath(base),
        before,
      });
    }
  } else if (!before && after) {
    out.add({
      class: "resource.changed",
      summary: `sidecar injection on (${labelsText(head)}): pods of namespace ${name} join the mesh on restart, under its mTLS and AuthorizationPolicies`,
      side: "head",
      path: labelPath(head),
      after,
    });
  } else {
    out.add({
      class: "resource.changed",
      summary: `injected by control plane ${show(before)} → ${show(after)}: pods of namespace ${name} move to the other revision's proxies and config on restart`,
      side: "head",
      path: labelPath(head),
      before,
      after,
      riskFloor: "medium",
    });
  }
  return out.detections;
};

const labelsText = (resource: Resource | undefined): string => {
  const labels = resource?.labels ?? {};
  const shown = [INJECTION, REVISION].filter((label) => labels[label] !== undefined).map((label) => `${label}=${labels[label]}`);
  return shown.length > 0 ? shown.join(", ") : "no injection label";
};
