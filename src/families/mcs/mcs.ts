import type { Resource } from "../../core/resource.js";
import { canonical, sameValue, sortedByCanonical, sortedSet } from "../../core/canonical-values.js";
import { DetectionList, type Side } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { list, record, text } from "../../core/json-access.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { describeClusters, type FileClusters } from "../../core/gitops-delivery.js";

/**
 * Multi-Cluster Services (research §1.2): a ServiceExport is a cluster joining or leaving the
 * ClusterSet's backends for a service; a ServiceImport is written by the MCS controller, so a
 * hand edit is suspicious whatever it changes, and one added brings the exporting clusters'
 * endpoints to the clients and routes of the cluster it lands in (DESIGN §5: backend.region-added
 * includes a ServiceImport and a new ServiceExport).
 */

/** Where one tree applies an object: its clusters and their regions (the policy's patterns, Argo CD and Flux objects). */
const placedIn = (resource: Resource, context: DetectorContext, tree: Side): FileClusters =>
  context.placementOf(context[tree])(resource.source.file);

/** The exports of a service in one tree, each with where that tree applies it. */
const exportersIn = (service: Resource, context: DetectorContext, tree: Side) =>
  (context.serviceExporters(context[tree]).get(`${service.id.namespace}/${service.id.name}`) ?? []).map((exporter) => ({
    exporter,
    placed: placedIn(exporter, context, tree),
  }));

/** The regions of every export, when the tree places each in one: else undefined, as some export runs where it does not say. */
const regionsOf = (exports: readonly { placed: FileClusters }[]): string[] | undefined =>
  exports.length > 0 && exports.every(({ placed }) => placed.regions.length > 0)
    ? sortedSet(exports.flatMap(({ placed }) => placed.regions))
    : undefined;

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

/** Whether a route of the head tree sends to the service's ServiceImport: the route diff then names the regions its flows gain. */
const routedTo = (service: Resource, context: DetectorContext): boolean =>
  [...context.head.resources.values()].some((resource) =>
    context
      .routeRules(resource, context.head)
      .some((rule) =>
        rule.backends.some(
          ({ ref }) => ref.kind === "ServiceImport" && ref.namespace === service.id.namespace && ref.name === service.id.name,
        ),
      ),
  );

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
    const placed = placedIn(change.head, context, "head");
    const where = describeClusters(placed, context.policy.topology.clusters);
    // Beside exports the base tree places, a region none of them runs in is a region the service's
    // backends gain: backend.region-added, unless a route's flows to its ServiceImport say so already.
    const before = regionsOf(exportersIn(change.head, context, "base")) ?? [];
    const gained = before.length > 0 ? placed.regions.filter((region) => !before.includes(region)) : [];
    out.add(
      gained.length > 0
        ? {
            class: routedTo(change.head, context) ? "export.changed" : "backend.region-added",
            summary: `added in ${where}: the service's backends gain region ${gained.join(", ")} beside ${before.join(", ")}, in every importing cluster`,
            side: "head",
            path: [],
            after: { exported: true, regions: placed.regions },
          }
        : {
            class: "export.changed",
            summary: `added${where ? ` in ${where}` : ""}: this cluster's endpoints join the service's backends in every importing cluster`,
            side: "head",
            path: [],
            after: { exported: true },
          },
    );
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

const CONTROLLER_WRITTEN = "ServiceImports are normally controller-written from the ClusterSet's ServiceExports";

/**
 * A ServiceImport written into the tree: clients and routes of the cluster it lands in now reach
 * the endpoints of every cluster exporting the service, named where the tree places its exports.
 * Only where the tree places them all in the import's own region does it gain no region.
 */
const importAdded = (added: Resource, out: DetectionList, context: DetectorContext): void => {
  const exports = exportersIn(added, context, "head");
  const regions = regionsOf(exports);
  const placed = placedIn(added, context, "head");
  const own = placed.regions;
  const after = importSpec(added);
  if (regions && own.length > 0 && regions.every((region) => own.includes(region))) {
    out.add({
      class: "resource.changed",
      summary: `added by hand, its exporters in its own region ${own.join(", ")}: ${CONTROLLER_WRITTEN}, so a hand edit can point importers at the wrong endpoints`,
      side: "head",
      path: ["spec"],
      after,
      riskFloor: "medium",
    });
    return;
  }
  const where = describeClusters(placed, context.policy.topology.clusters);
  const exporters =
    exports.length === 0
      ? "no ServiceExport of it in this repository: those of whichever clusters of the ClusterSet export it"
      : `exported from ${exports.map((one) => describeClusters(one.placed, context.policy.topology.clusters) ?? one.exporter.source.file).join("; ")}`;
  out.add({
    class: "backend.region-added",
    summary: `added by hand${where ? ` in ${where}` : ""}: its clients and routes reach the endpoints of every cluster exporting ${added.id.namespace}/${added.id.name} (${exporters}); ${CONTROLLER_WRITTEN}`,
    side: "head",
    path: ["spec"],
    after,
    lands: {
      clusters: sortedSet(exports.flatMap((one) => one.placed.clusters)),
      regions: sortedSet(exports.flatMap((one) => one.placed.regions)),
    },
  });
};

const serviceImport = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
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
  if (!change.base && change.head) {
    importAdded(change.head, out, context);
    return;
  }
  const before = importSpec(change.base);
  const after = importSpec(change.head);
  if (sameValue(before, after)) return;
  out.add({
    class: "resource.changed",
    summary: `${change.head ? "spec edited" : "removed by hand"}: ${CONTROLLER_WRITTEN}, so a hand edit can point importers at the wrong endpoints`,
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
  } else serviceImport(change, out, context);
  return out.detections;
};
