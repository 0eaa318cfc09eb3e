import { canonical, sameValue, show, showLabels } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import { list, numeric, record, spec, stringMap, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import type { ResourceChange } from "../../core/resource-change.js";

/**
 * What moves inference traffic (gateway-api-inference-extension: 3aa604b5 pointed 17 objectives
 * at another pool, bdf78623 turned an endpoint picker's failure mode to FailOpen, both passing as
 * "not a traffic kind"): a pool's selector and ports decide which pods serve every route to it,
 * its endpoint picker decides where each request lands and what happens when the picker is down,
 * an objective's pool and priority decide who serves a model's requests and which are shed first.
 */

/** v1 writes `selector.matchLabels`, v1alpha2 the labels themselves. */
const selectorOf = (pool: Resource): Readonly<Record<string, string>> => {
  const selector = record(spec(pool).selector);
  return stringMap(selector.matchLabels ?? selector);
};

const portsOf = (pool: Resource): number[] => {
  const v1 = list(spec(pool).targetPorts).flatMap((port) => numeric(record(port).number) ?? []);
  const alpha = numeric(spec(pool).targetPortNumber);
  return (v1.length > 0 ? v1 : alpha !== undefined ? [alpha] : []).sort((a, b) => a - b);
};

const pickerOf = (pool: Resource): Record<string, unknown> => record(spec(pool).endpointPickerRef ?? spec(pool).extensionRef);
const pickerPath = (pool: Resource): string => (spec(pool).endpointPickerRef !== undefined ? "endpointPickerRef" : "extensionRef");

/** FailClose unless written: a picker that cannot be reached then fails the request. */
const failureModeOf = (pool: Resource): string => text(pickerOf(pool).failureMode) ?? "FailClose";

const FAILURE_EFFECT: Readonly<Record<string, string>> = {
  FailOpen:
    "when the endpoint picker cannot be reached, requests are still sent to some pod of the pool, without its load- and model-aware choice",
  FailClose: "when the endpoint picker cannot be reached, requests to this pool fail",
};

function pool(change: ResourceChange & { readonly base: Resource; readonly head: Resource }, out: DetectionList): void {
  const [base, head] = [change.base, change.head];
  if (!sameValue(selectorOf(base), selectorOf(head)))
    out.add({
      class: "resource.changed",
      summary: `selector ${showLabels(selectorOf(base))} → ${showLabels(selectorOf(head))}: other pods serve every route that sends traffic to this pool`,
      side: "head",
      path: ["spec", "selector"],
      before: selectorOf(base),
      after: selectorOf(head),
      riskFloor: "high",
    });
  if (!sameValue(portsOf(base), portsOf(head)))
    out.add({
      class: "resource.changed",
      summary: `target ports ${show(portsOf(base))} → ${show(portsOf(head))}: requests reach its pods on other ports`,
      side: "head",
      path: ["spec", spec(head).targetPorts !== undefined ? "targetPorts" : "targetPortNumber"],
      before: portsOf(base),
      after: portsOf(head),
      riskFloor: "medium-high",
    });
  // v1alpha2 wrote `portNumber` (9002 when left out), v1 `port.number`; the kind is a Service unless said.
  const picker = (pool: Resource) => {
    const ref = pickerOf(pool);
    return canonical({
      group: text(ref.group) ?? "",
      kind: text(ref.kind) ?? "Service",
      name: text(ref.name),
      port: numeric(record(ref.port).number) ?? numeric(ref.portNumber) ?? 9002,
    });
  };
  if (picker(base) !== picker(head))
    out.add({
      class: "resource.changed",
      summary: `endpoint picker ${text(pickerOf(base).name) ?? "(none)"} → ${text(pickerOf(head).name) ?? "(none)"}: another service chooses the pod of every request`,
      side: "head",
      path: ["spec", pickerPath(head)],
      before: pickerOf(base),
      after: pickerOf(head),
      riskFloor: "medium-high",
    });
  const [was, now] = [failureModeOf(base), failureModeOf(head)];
  if (was !== now)
    out.add({
      class: "health.changed",
      summary: `endpoint picker failureMode ${was} → ${now}: ${FAILURE_EFFECT[now] ?? "what happens when the picker is down changes"}`,
      side: "head",
      path: ["spec", pickerPath(head), "failureMode"],
      before: was,
      after: now,
    });
}

/** An objective's priority and the field that writes it: `priority`, or `criticality` as it was first named. */
const priorityOf = (objective: Resource): { readonly field: "priority" | "criticality"; readonly value: unknown } => {
  const { priority, criticality } = spec(objective);
  return priority === undefined && criticality !== undefined
    ? { field: "criticality", value: criticality }
    : { field: "priority", value: priority };
};

const targetWeights = (model: Resource): Record<string, number> =>
  Object.fromEntries(
    list(spec(model).targetModels).map((target) => [text(record(target).name) ?? "?", numeric(record(target).weight) ?? 1]),
  );

function objective(change: ResourceChange & { readonly base: Resource; readonly head: Resource }, out: DetectionList): void {
  const [base, head] = [change.base, change.head];
  const poolOf = (resource: Resource) => text(record(spec(resource).poolRef).name);
  if (poolOf(base) !== poolOf(head))
    out.add({
      class: "resource.changed",
      summary: `pool ${show(poolOf(base))} → ${show(poolOf(head))}: its requests are served by another pool's pods`,
      side: "head",
      path: ["spec", "poolRef"],
      before: poolOf(base) ?? null,
      after: poolOf(head) ?? null,
      riskFloor: "high",
    });
  // `criticality` was renamed `priority` while the API was alpha (gateway-api-inference-extension
  // 8a7b0374): the same value under the new name sheds the same requests, whichever the objective writes.
  const [was, now] = [priorityOf(base), priorityOf(head)];
  const renamed = was.field !== now.field ? `${was.field} → ${now.field}, ` : "";
  if (!sameValue(was.value, now.value))
    out.add({
      class: "resource.changed",
      summary: `${renamed}${now.field} ${show(was.value)} → ${show(now.value)}: which requests are shed first under load changes`,
      side: "head",
      path: ["spec", now.field],
      before: was.value ?? null,
      after: now.value ?? null,
      riskFloor: "medium",
    });
  else if (renamed)
    out.add({
      class: "resource.changed",
      summary: `${renamed}the same value ${show(now.value)}: the objective's CRD must be the one that reads ${now.field}`,
      side: "head",
      path: ["spec", now.field],
      before: was.value ?? null,
      after: now.value ?? null,
    });
  // The old name's removal is the same edit, said above: not a change of its own.
  if (renamed)
    out.add({
      class: "resource.changed",
      summary: `${was.field} no longer written: the same setting is ${now.field} now`,
      side: "base",
      path: ["spec", was.field],
    });
  const [weightsBefore, weightsAfter] = [targetWeights(base), targetWeights(head)];
  if (!sameValue(weightsBefore, weightsAfter)) {
    const total = (weights: Record<string, number>) => Object.values(weights).reduce((sum, weight) => sum + weight, 0) || 1;
    const share = (weights: Record<string, number>, name: string) =>
      weights[name] === undefined ? "none" : `${Math.round((100 * weights[name]) / total(weights))}%`;
    const names = [...new Set([...Object.keys(weightsBefore), ...Object.keys(weightsAfter)])].sort();
    out.add({
      class: "backend.weight-changed",
      summary: `target models ${names.map((name) => `${name} ${share(weightsBefore, name)} → ${share(weightsAfter, name)}`).join(", ")}`,
      side: "head",
      path: ["spec", "targetModels"],
      before: weightsBefore,
      after: weightsAfter,
    });
  }
}

const INFERENCE_GROUPS = new Set(["inference.networking.k8s.io", "inference.networking.x-k8s.io"]);

/**
 * Routes of the head tree whose backendRefs name this pool (Gateway API routes send to a pool as a
 * backend, in their own namespace unless the ref says another).
 */
const routesTo = (pool: Resource, tree: ManifestSet): Resource[] =>
  [...tree.resources.values()].filter((route) =>
    list(spec(route).rules).some((rule) =>
      list(record(rule).backendRefs).some((ref) => {
        const backend = record(ref);
        return (
          text(backend.kind) === "InferencePool" &&
          INFERENCE_GROUPS.has(text(backend.group) ?? "") &&
          text(backend.name) === pool.id.name &&
          (text(backend.namespace) ?? route.id.namespace) === pool.id.namespace
        );
      }),
    ),
  );

/** A pool the PR deletes while routes still send to it: those requests have no backend left (replay-s7b variant-pool-deleted). */
function deletedPool(base: Resource, out: DetectionList, head: ManifestSet): void {
  const routes = copiesNamed(routesTo(base, head));
  if (routes.length === 0) return;
  out.add({
    class: "reference.broken",
    summary: `removed while ${routes.join(", ")} still ${routes.length === 1 ? "sends" : "send"} traffic to it: those requests have no backend`,
    side: "base",
    path: ["spec"],
    before: { routes },
  });
}

export const inferenceDetector: ResourceDetector = (change, context) => {
  if (change.base && !change.head && change.base.id.kind === "InferencePool") {
    const out = new DetectionList(change);
    deletedPool(change.base, out, context.head);
    return out.detections;
  }
  if (!change.base || !change.head) return [];
  const both = { ...change, base: change.base, head: change.head };
  const out = new DetectionList(change);
  if (change.head.id.kind === "InferencePool") pool(both, out);
  else objective(both, out);
  return out.detections;
};
