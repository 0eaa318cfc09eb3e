import type { Resource } from "../../core/resource.js";
import { canonical, sameValue, sortedByCanonical } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { list, record } from "../../core/json-access.js";

/**
 * Multi-Cluster Services (research §1.2): a ServiceExport is a cluster joining or leaving the
 * ClusterSet's backends for a service; a ServiceImport is written by the MCS controller, so a
 * hand edit is suspicious whatever it changes.
 */

/** Other exports of the same service left in the head tree (another cluster's folder, or the other API group). */
const remainingExporters = (gone: Resource, context: DetectorContext): number =>
  [...context.head.resources.values()].filter(
    (candidate) =>
      candidate.key !== gone.key &&
      candidate.id.kind === "ServiceExport" &&
      candidate.id.namespace === gone.id.namespace &&
      candidate.id.name === gone.id.name,
  ).length;

const serviceExport = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (change.head && !change.base) {
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

/** Port lists have no order. */
const importSpec = (resource: Resource | undefined): unknown => {
  if (!resource) return undefined;
  const spec = record(resource.body.spec);
  const normal = { ...spec, ...(Array.isArray(spec.ports) ? { ports: sortedByCanonical(list(spec.ports)) } : {}) };
  return JSON.parse(canonical(normal)) as unknown;
};

const serviceImport = (change: ResourceChange, out: DetectionList): void => {
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
  if (kind === "ServiceExport") serviceExport(change, out, context);
  else serviceImport(change, out);
  return out.detections;
};
