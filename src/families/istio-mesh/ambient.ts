import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { list, record, text } from "../../core/json-access.js";
import { show } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { isWaypoint } from "../../core/istio-gateway-classes.js";
import { DATAPLANE_MODE, ztunnelEffect, ztunnelReading } from "../../core/ztunnel-policy.js";
import { inDryRun } from "../../core/authorization-dry-run.js";

/**
 * Istio ambient mode (research §1.3 "Ambient and topology"). In ambient
 * mode ztunnel gives every enrolled workload mTLS and L4 policy; L7 policy and routing run only in
 * the waypoint a namespace, service or ServiceEntry opts into with `istio.io/use-waypoint`.
 * Moving that enforcement point is high: adding or moving a waypoint changes which proxy serves
 * the traffic (listener.changed); dropping one leaves L7 AuthorizationPolicies unenforced
 * (access.widened); leaving ambient drops mesh mTLS (mtls.weakened).
 */

const USE_WAYPOINT = "istio.io/use-waypoint";
const USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace";
const INGRESS_USE_WAYPOINT = "istio.io/ingress-use-waypoint";
const WAYPOINT_FOR = "istio.io/waypoint-for";

/** The waypoint a resource's traffic goes through: `namespace/name`, undefined for none. */
const waypointOf = (resource: Resource | undefined): string | undefined => {
  const name = resource?.labels[USE_WAYPOINT];
  if (!resource || !name || name === "none") return undefined;
  const namespace =
    resource.labels[USE_WAYPOINT_NAMESPACE] ?? (resource.id.kind === "Namespace" ? resource.id.name : resource.id.namespace);
  return `${namespace}/${name}`;
};

/** AuthorizationPolicies of a tree bound to a waypoint Gateway by targetRefs: what it enforces (one in dry-run mode enforces nothing). */
const enforcedAt = (set: ManifestSet, waypoint: string): string[] => {
  const [namespace, name] = waypoint.split("/");
  const policies: string[] = [];
  for (const resource of set.resources.values()) {
    if (
      resource.id.group !== "security.istio.io" ||
      resource.id.kind !== "AuthorizationPolicy" ||
      resource.id.namespace !== namespace ||
      inDryRun(resource)
    )
      continue;
    const spec = record(resource.body.spec);
    const targets = [...list(spec.targetRefs), ...(spec.targetRef === undefined ? [] : [spec.targetRef])];
    if (targets.some((ref) => text(record(ref).kind) === "Gateway" && text(record(ref).name) === name))
      policies.push(displayName(resource.id));
  }
  return policies.sort();
};

const enforcedNote = (set: ManifestSet, waypoint: string): string => {
  const policies = enforcedAt(set, waypoint);
  return policies.length > 0 ? ` (${policies.join(", ")} enforced there)` : "";
};

/**
 * The namespace's AuthorizationPolicies that ztunnel will enforce with rules matching HTTP
 * attributes (core/ztunnel-policy.ts), as a note: written for sidecars, they change meaning in
 * ambient mode.
 */
const readOnEntry = (set: ManifestSet, namespace: string): string => {
  const notes: string[] = [];
  for (const resource of set.resources.values()) {
    if (resource.id.namespace !== namespace) continue;
    // The mesh root's policies are judged where they are written: here only the namespace's own.
    const reading = ztunnelReading(resource, set, "");
    if (reading)
      notes.push(
        `${displayName(resource.id)} cannot be fully evaluated by ztunnel (${reading.attributes.join(", ")}): ${ztunnelEffect(reading)}`,
      );
  }
  return notes.length === 0 ? "" : `; ${notes.sort().join("; ")} (a waypoint attached by targetRefs enforces them as written)`;
};

const subjectWord = (resource: Resource): string =>
  resource.id.kind === "Namespace" ? "the namespace's workloads" : resource.id.kind === "ServiceEntry" ? "its hosts" : "its traffic";

/**
 * Ambient labels on Namespaces, ServiceEntries and Gateways. A labelled Namespace is read only
 * while it carries such labels, so one that disappears from a tree is judged as unlabelled
 * (the labels were removed, or the namespace with its workloads was deleted).
 */
export const ambientLabelDetector: ResourceDetector = (change: ResourceChange, context: DetectorContext) => {
  const subject = change.head ?? change.base;
  if (!subject) return [];
  const namespace = subject.id.kind === "Namespace";
  if (!namespace && (!change.base || !change.head)) return [];
  const labels = (resource: Resource | undefined) => resource?.labels ?? {};
  const out = new DetectionList(change);
  const who = subjectWord(subject);
  const labelPath = (label: string) => ["metadata", "labels", label];

  const modeBefore = labels(change.base)[DATAPLANE_MODE];
  const modeAfter = labels(change.head)[DATAPLANE_MODE];
  if (modeBefore !== modeAfter && (modeBefore === "ambient" || modeAfter === "ambient")) {
    const leaves = modeBefore === "ambient";
    const policies = leaves || !namespace ? "" : readOnEntry(context.head, subject.id.name);
    out.add({
      class: leaves ? "mtls.weakened" : "resource.changed",
      summary: leaves
        ? `${DATAPLANE_MODE} ambient → ${show(modeAfter)}${change.head ? "" : " (label removed or namespace deleted)"}: ${who} leave the ambient mesh: no ztunnel mTLS, and AuthorizationPolicies stop applying to them`
        : `${DATAPLANE_MODE} ${show(modeBefore)} → ambient: ztunnel captures ${who}' traffic; mesh mTLS and AuthorizationPolicies start applying to them${policies}`,
      side: "head",
      path: labelPath(DATAPLANE_MODE),
      before: modeBefore,
      after: modeAfter,
      ...(leaves ? {} : { riskFloor: "high" as const }),
    });
  }

  const waypointBefore = waypointOf(change.base);
  const waypointAfter = waypointOf(change.head);
  if (waypointBefore !== waypointAfter) {
    const label =
      change.head?.labels[USE_WAYPOINT_NAMESPACE] !== change.base?.labels[USE_WAYPOINT_NAMESPACE] &&
      change.head?.labels[USE_WAYPOINT] === change.base?.labels[USE_WAYPOINT]
        ? USE_WAYPOINT_NAMESPACE
        : USE_WAYPOINT;
    if (waypointBefore && !waypointAfter) {
      out.add({
        class: "access.widened",
        summary: `no longer uses waypoint ${waypointBefore}: L7 AuthorizationPolicies and routes bound to it stop applying to ${who}${enforcedNote(context.base, waypointBefore)}`,
        side: "head",
        path: labelPath(label),
        before: waypointBefore,
      });
    } else {
      out.add({
        class: "listener.changed",
        summary: waypointBefore
          ? `L7 enforcement for ${who} moves from waypoint ${waypointBefore} to ${waypointAfter}: policies bound to the old waypoint${enforcedNote(context.base, waypointBefore)} stop applying`
          : `${who} now go through waypoint ${waypointAfter}: its L7 policies and routes start applying${enforcedNote(context.head, waypointAfter ?? "")}`,
        side: "head",
        path: labelPath(label),
        before: waypointBefore,
        after: waypointAfter,
      });
    }
  }

  const ingressBefore = labels(change.base)[INGRESS_USE_WAYPOINT] === "true";
  const ingressAfter = labels(change.head)[INGRESS_USE_WAYPOINT] === "true";
  if (ingressBefore !== ingressAfter) {
    out.add({
      class: ingressBefore ? "access.widened" : "listener.changed",
      summary: ingressBefore
        ? `${INGRESS_USE_WAYPOINT} removed: traffic from ingress gateways to ${who} bypasses the waypoint and its L7 policies`
        : `${INGRESS_USE_WAYPOINT} true: traffic from ingress gateways to ${who} goes through the waypoint and its L7 policies`,
      side: "head",
      path: labelPath(INGRESS_USE_WAYPOINT),
      before: ingressBefore,
      after: ingressAfter,
    });
  }
  return out.detections;
};

/** Waypoint Gateways (class istio-waypoint): added, removed, or serving other traffic (`istio.io/waypoint-for`). */
export const waypointDetector: ResourceDetector = (change: ResourceChange, context: DetectorContext) => {
  if (!(change.head ?? change.base) || (change.head ?? change.base)?.id.kind !== "Gateway" || !isWaypoint(change)) return [];
  const out = new DetectionList(change);
  const subject = (change.head ?? change.base) as Resource;
  const name = `${subject.id.namespace}/${subject.id.name}`;
  // Waypoints serve service-addressed traffic unless told otherwise.
  const servesOf = (resource: Resource | undefined) => resource?.labels[WAYPOINT_FOR] ?? "service";
  if (!change.base && change.head) {
    out.add({
      class: "listener.changed",
      summary: `waypoint added for ${servesOf(change.head)} traffic: namespaces, services and ServiceEntries labelled ${USE_WAYPOINT}=${subject.id.name} get its L7 policies and routes`,
      side: "head",
      path: ["spec", "gatewayClassName"],
      after: { waypoint: name, for: servesOf(change.head) },
    });
  } else if (change.base && !change.head) {
    out.add({
      class: "access.widened",
      summary: `waypoint removed: traffic of whatever still uses it loses L7 enforcement${enforcedNote(context.base, name)}`,
      side: "base",
      path: ["spec", "gatewayClassName"],
      before: { waypoint: name, for: servesOf(change.base) },
    });
  } else if (servesOf(change.base) !== servesOf(change.head)) {
    out.add({
      class: "listener.changed",
      summary: `${WAYPOINT_FOR} ${servesOf(change.base)} → ${servesOf(change.head)}: which traffic (service-addressed, workload-addressed) goes through the waypoint changes`,
      side: "head",
      path: ["metadata", "labels", WAYPOINT_FOR],
      before: servesOf(change.base),
      after: servesOf(change.head),
    });
  }
  return out.detections;
};
