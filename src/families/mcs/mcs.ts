import type { Resource } from "../../core/resource.js";
import { canonical, sameValue, sortedByCanonical } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { list, record, text } from "../../core/json-access.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/**
 * Multi-Cluster Services (research §1.2): a ServiceExport is a cluster joining or leaving the
 * ClusterSet's backends for a service; a ServiceImport is written by the MCS controller, so a
 * hand edit is suspicious whatever it changes.
 */

/** Other exports of the same service left in the head tree (another cluster's folder, or another API group). */
const remainingExporters = (gone: Resource, context: DetectorContext): number =>
  resourcesOfKind(context.head, "ServiceExport").filter(
    (candidate) => candidate.key !== gone.key && candidate.id.namespace === gone.id.namespace && candidate.id.name === gone.id.name,
  ).length;

/** Who reads each group's exports and imports: moving one between groups hands it to another controller. */
const READERS: Readonly<Record<string, string>> = {
  "multicluster.x-k8s.io": "the cluster's MCS implementation (Cilium, Submariner, the AWS controller before v1.0)",
  "net.gke.io": "GKE's multi-cluster Services",
  "application-networking.k8s.aws": "the AWS Gateway API controller for VPC Lattice (v1.0 on)",
};

/** The groups a paired object moved between (family index: sharedKinds), when it did. */
const movedGroups = ({ base, head }: ResourceChange): { from: string; to: string; readers: string } | undefined =>
  base && head && base.id.group !== head.id.group
    ? {
        from: base.id.group,
        to: head.id.group,
        readers: `now read by ${READERS[head.id.group] ?? head.id.group} in place of ${READERS[base.id.group] ?? base.id.group}`,
      }
    : undefined;

const serviceExport = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const moved = movedGroups(change);
  if (moved) {
    // Not a promotion: each group is served by its own controllers, and the export goes from one to
    // the other (aws-application-networking-k8s #475 calls the move breaking). DESIGN §5 rates an
    // export added or removed, and an object handed to another controller (a Gateway's class), high;
    // only the controller moving with it in the same rollout, which the tree does not show, keeps
    // this cluster's endpoints where they were.
    out.add({
      class: "export.changed",
      summary: `moved from ${moved.from} to ${moved.to}: ${moved.readers}: unless the controller changes with it, this cluster's endpoints leave one ClusterSet and join the other`,
      side: "head",
      path: [],
      before: { group: moved.from },
      after: { group: moved.to },
    });
  } else if (change.head && !change.base) {
    out.add({
      class: "export.changed",
      summary: "added: this cluster's endpoints join the service's backends in every importing cluster",
      side: "head",
      path: [],
      after: { exported: true },
    });
  } else if (change.base && !change.head) {
    const others = remainingExporters(change.base, context);
    out.add({
      class: "export.changed",
      summary:
        others === 0
          ? "removed: this cluster's endpoints leave the ClusterSet, and no other ServiceExport of it remains in this repository: if this was the last exporter, the ServiceImport goes empty"
          : `removed: this cluster's endpoints leave the ClusterSet (${others === 1 ? "1 other ServiceExport of it remains" : `${others} other ServiceExports of it remain`})`,
      side: "base",
      path: [],
      before: { exported: true },
      ...(others === 0 ? { riskFloor: "critical" as const } : {}),
    });
  }
};

const AWS_LATTICE = "application-networking.k8s.aws";
const PORT_ANNOTATION = `${AWS_LATTICE}/port`;

/** The ports an AWS export exports, by port: its list, else the annotation's one port as HTTP; undefined when neither says. */
function portsOf(resource: Resource): Map<string, { routeType: string; index: number }> | undefined {
  const listed = list(record(resource.body.spec).exportedPorts).map((item, index) => {
    const port = record(item);
    return [String(port.port), { routeType: text(port.routeType) ?? "?", index }] as const;
  });
  if (listed.length > 0) return new Map(listed);
  const annotated = resource.annotations[PORT_ANNOTATION];
  return annotated === undefined ? undefined : new Map([[annotated.trim(), { routeType: "HTTP", index: 0 }]]);
}

/**
 * The AWS controller's exports (application-networking.k8s.aws) name the ports other clusters
 * reach and the route type each serves (HTTP, GRPC, TLS); without them it exports one port, as
 * HTTP, from an annotation. A port leaving the list is a port the importers lose.
 */
function exportedPorts(change: ResourceChange, out: DetectionList): void {
  if (!change.base || !change.head || change.head.id.group !== AWS_LATTICE) return;
  const [before, after] = [portsOf(change.base), portsOf(change.head)];
  // Unknown on a side (neither list nor annotation): the generic field lines say what changed.
  if (!before || !after) return;
  for (const [port, { routeType, index }] of before) {
    const now = after.get(port);
    if (!now)
      out.add({
        class: "export.changed",
        summary: `port ${port} (${routeType}) no longer exported: importing clusters lose it`,
        side: "base",
        path: ["spec", "exportedPorts", index],
        before: { port, routeType },
        after: null,
      });
    else if (now.routeType !== routeType)
      out.add({
        class: "export.changed",
        summary: `port ${port} exported as ${routeType} → ${now.routeType}: importers' routes of the old type stop matching it`,
        side: "head",
        path: ["spec", "exportedPorts", now.index, "routeType"],
        before: routeType,
        after: now.routeType,
      });
  }
  for (const [port, { routeType, index }] of after)
    if (!before.has(port))
      out.add({
        class: "export.changed",
        summary: `port ${port} (${routeType}) now exported: importing clusters reach it`,
        side: "head",
        path: ["spec", "exportedPorts", index],
        before: null,
        after: { port, routeType },
      });
}

/** Port lists have no order. */
const importSpec = (resource: Resource | undefined): unknown => {
  if (!resource) return undefined;
  const spec = record(resource.body.spec);
  const normal = { ...spec, ...(Array.isArray(spec.ports) ? { ports: sortedByCanonical(list(spec.ports)) } : {}) };
  return JSON.parse(canonical(normal)) as unknown;
};

const serviceImport = (change: ResourceChange, out: DetectionList): void => {
  const moved = movedGroups(change);
  if (moved)
    out.add({
      class: "resource.changed",
      summary: `moved from ${moved.from} to ${moved.to}: ${moved.readers}: routes reach its backends only where that controller runs`,
      side: "head",
      path: [],
      before: { group: moved.from },
      after: { group: moved.to },
      riskFloor: "medium",
    });
  const before = importSpec(change.base);
  const after = importSpec(change.head);
  if (sameValue(before, after)) return;
  const what = !change.base ? "added by hand" : !change.head ? "removed by hand" : "spec edited";
  out.add({
    class: "resource.changed",
    summary: `${what}: ServiceImports are normally controller-written from the ClusterSet's ServiceExports, so a hand edit can point importers at the wrong endpoints`,
    side: change.head ? "head" : "base",
    path: ["spec"],
    before,
    after,
    riskFloor: "medium",
  });
};

export const mcsDetector: ResourceDetector = (change, context) => {
  const kind = (change.head ?? change.base)?.id.kind;
  if (kind !== "ServiceExport" && kind !== "ServiceImport") return [];
  const out = new DetectionList(change);
  if (kind === "ServiceExport") {
    serviceExport(change, out, context);
    exportedPorts(change, out);
  } else serviceImport(change, out);
  return out.detections;
};
