import { record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { documentTexts, kindLine } from "../../core/document-texts.js";
import { selects } from "../../core/label-selector.js";
import { listedNames } from "../../core/removed-while-named.js";
import { sortedSet } from "../../core/canonical-values.js";
import { routesSending } from "../../core/service-routes.js";
import { agree, type ServiceName } from "../../core/declared-services.js";
import { qualifyHost, serviceOfHost } from "../../core/service-host.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import { DetectionList } from "../../core/detection-list.js";
import { blueGreenStrategy, canaryStrategy, routingTargets } from "./plans.js";

/**
 * An Argo Rollout owns the ReplicaSets it makes: removed, its pods are deleted with it. The Services
 * it runs (stable and canary, active and preview, or the host its DestinationRule's stable and
 * canary subsets split) stay behind, so routes that still send to them
 * reach no pod — unless another workload of the tree runs pods the Rollout's selector picks (a
 * move back to a Deployment, another Rollout). A Rollout over a `workloadRef` leaves the pod
 * template to that workload, whose own fate says what runs: not judged here.
 */

const WORKLOAD_KIND = kindLine(["Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

/** Whether a document of the head tree declares a workload of `namespace` whose pods `selector` picks. */
function runsPodsOf(context: DetectorContext, namespace: string, selector: JsonRecord): boolean {
  return context.head.files.some((path) => {
    const fileText = context.fileText("head", path);
    const applied = context.appliedAs("head", path);
    if (fileText === undefined || !applied || !WORKLOAD_KIND.test(fileText)) return false;
    return documentTexts(fileText).some((document) => {
      if (!WORKLOAD_KIND.test(document)) return false;
      const workload = record(context.readYaml(document));
      const own = text(record(workload.metadata).namespace) ?? applied.namespace;
      const labels = stringMap(record(record(record(workload.spec).template).metadata).labels);
      return agree(own, namespace) && selects(selector, labels);
    });
  });
}

/** A Service whose pods the Rollout runs; with `subsets`, only the DestinationRule subsets it splits them into (or the host whole). */
interface RolloutService extends ServiceName {
  readonly namespace: string;
  readonly subsets?: readonly string[];
}

/**
 * Under Istio subset-level splitting the Rollout names no Services: its stable and canary subsets
 * are of its DestinationRule's host, whose pods it runs. The rule as the head holds it, else as the
 * base did (one removed with it still had routes naming its subsets).
 */
function subsetServices(rollout: Resource, context: DetectorContext): RolloutService[] {
  const rule = record(record(record(canaryStrategy(rollout)?.trafficRouting).istio).destinationRule);
  const target = routingTargets(rollout, rollout.id.namespace).find((candidate) => candidate.kind === "DestinationRule");
  if (!target) return [];
  const named = (set: ManifestSet) =>
    [...set.resources.values()].find(
      ({ id, cluster }) =>
        id.group === target.group &&
        id.kind === target.kind &&
        id.namespace === target.namespace &&
        id.name === target.name &&
        agree(cluster, rollout.cluster),
    );
  const found = named(context.head) ?? named(context.base);
  const service = found && serviceOfHost(qualifyHost(text(spec(found).host) ?? "", found.id.namespace));
  const subsets = [text(rule.stableSubsetName), text(rule.canarySubsetName)].filter((name): name is string => name !== undefined);
  return service ? [{ ...service, subsets }] : [];
}

export const rolloutRemovalDetector: ResourceDetector = (change, context) => {
  const gone = change.base;
  if (change.head || !gone || gone.id.group !== "argoproj.io" || gone.id.kind !== "Rollout") return [];
  const body = spec(gone);
  const selector = record(body.selector);
  if (body.workloadRef !== undefined || Object.keys(selector).length === 0) return [];
  const strategy = { ...canaryStrategy(gone), ...blueGreenStrategy(gone) };
  const { namespace } = gone.id;
  const cluster = gone.cluster ? { cluster: gone.cluster } : {};
  const services: RolloutService[] = [
    ...sortedSet(
      ["stableService", "canaryService", "activeService", "previewService"].flatMap((field) => {
        const name = text(strategy[field]);
        return name === undefined ? [] : [name];
      }),
    ).map((name) => ({ name, namespace, ...cluster })),
    ...subsetServices(gone, context).map((service) => ({ ...service, ...cluster })),
  ];
  const sending = routesSending(context.head, context.routeRules, services, true)
    .map(({ route, sends }) => ({
      route,
      sends: sends.filter(
        ({ backend, service }) => !service.subsets || !backend.ref.subset || service.subsets.includes(backend.ref.subset),
      ),
    }))
    .filter(({ sends }) => sends.length > 0);
  if (sending.length === 0 || runsPodsOf(context, namespace, selector)) return [];
  const served = sortedSet(
    sending.flatMap(({ sends }) =>
      sends.map(
        ({ backend, service }) =>
          `Service ${service.namespace}/${service.name}${backend.ref.subset ? ` subset ${backend.ref.subset}` : ""}`,
      ),
    ),
  );
  const routes = sortedSet(sending.map(({ route }) => displayName(route.id)));
  const out = new DetectionList(change);
  out.add({
    class: "resource.changed",
    summary:
      `removed: its ReplicaSets and their pods are deleted with it, while ${listedNames(routes)} still send${routes.length === 1 ? "s" : ""} ` +
      `traffic to ${listedNames(served)}: no other workload of the tree runs pods its selector picks, ` +
      `so those Services are left without endpoints and their requests fail`,
    side: "base",
    path: ["spec", "selector"],
    before: served,
    after: null,
    riskFloor: "high",
  });
  return out.detections;
};
