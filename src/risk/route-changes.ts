import { precedenceChanges, type Shadowing } from "../diff/precedence-changes.js";
import type { RouteDiff } from "../diff/route-diff.js";
import { regionLabel } from "../diff/route-diff.js";
import { describeFlow, describeMatch, percent, shortLabel } from "../model/describe-flow.js";
import type { Backend, Flow, TrafficModel } from "../model/traffic-model.js";
import type { Detection } from "./finding.js";

/**
 * Findings read off the route diff: routes added, removed or re-matched, attachments, and how
 * backends and regions gain or lose traffic (DESIGN §5, route.* and backend.*).
 */

const shareList = (diff: RouteDiff, side: "before" | "after", host: string) =>
  diff.backends
    .filter((shift) => shift[side] !== undefined)
    .map((shift) => `${shortLabel(shift.label, host)} ${percent(shift[side])}`)
    .join(", ") || "no backend";

const shiftList = (diff: RouteDiff, host: string) =>
  diff.backends
    .filter((shift) => shift.before !== shift.after)
    .map((shift) => {
      const label = shortLabel(shift.label, host);
      if (shift.before === undefined) return `${label} new ${percent(shift.after)}`;
      if (shift.after === undefined) return `${label} ${percent(shift.before)} → removed`;
      return `${label} ${percent(shift.before)} → ${percent(shift.after)}`;
    })
    .join(", ");

/** Known regions that receive traffic; `unknown` and `clusterset` are not regions one can gain or drain. */
const activeRegions = (flow: Flow | undefined): Set<string> =>
  new Set((flow?.backends ?? []).filter((backend) => backend.share > 0).flatMap((backend) => backend.placement.regions));

/** A cross-cluster backend whose clusters the tree does not tell (a ServiceImport with no known exporter). */
const unplacedMultiCluster = (backend: Backend): boolean => backend.placement.multiCluster && backend.placement.regions.length === 0;

const flowBackendsValue = (flow: Flow | undefined) =>
  flow?.backends.map((backend) => ({ backend: backend.key, share: Number(backend.share.toFixed(6)) })).sort((a, b) => a.backend.localeCompare(b.backend));

/** Where each family says which entry points a route attaches to (Gateway API: parentRefs). */
const ATTACHMENT_FIELD: Readonly<Record<string, readonly string[]>> = {
  "networking.istio.io": ["spec", "gateways"],
  "networking.gloo.solo.io": ["spec", "virtualGateways"],
  "networking.x-k8s.io": ["metadata", "labels"],
};

/**
 * A route resource whose entries differ base→head is attached or detached there. Its entries are
 * where it lands, so a route that a listener stops admitting is detached even though it still
 * names that Gateway: its traffic stops.
 */
function attachmentChanges(base: TrafficModel, head: TrafficModel): { detections: Detection[]; moved: Set<string> } {
  const detections: Detection[] = [];
  const moved = new Set<string>();
  for (const [resourceKey, { resource, entries: headEntries }] of head.routes) {
    const baseEntries = base.routes.get(resourceKey)?.entries;
    if (!baseEntries) continue;
    const attached = headEntries.filter((entry) => !baseEntries.includes(entry));
    const detached = baseEntries.filter((entry) => !headEntries.includes(entry));
    if (attached.length === 0 && detached.length === 0) continue;
    for (const entry of [...attached, ...detached]) moved.add(`${resourceKey}|${entry}`);
    const parts = [...(attached.length ? [`attached to ${attached.join(", ")}`] : []), ...(detached.length ? [`detached from ${detached.join(", ")}`] : [])];
    detections.push({
      class: "route.attachment-changed",
      summary: `${resource.kind} ${resource.namespace}/${resource.name}: ${parts.join("; ")}`,
      resource,
      resourceKey,
      side: "head",
      path: ATTACHMENT_FIELD[resource.group] ?? ["spec", "parentRefs"],
      before: baseEntries,
      after: headEntries,
    });
  }
  return { detections, moved };
}

function backendDetections(diff: RouteDiff, base: Flow, head: Flow): Detection[] {
  const where = describeFlow(head);
  const common = { resource: head.resource, resourceKey: head.resourceKey, side: "head" as const, before: flowBackendsValue(base), after: flowBackendsValue(head) };
  const headTotal = head.backends.reduce((sum, backend) => sum + backend.share, 0);
  const baseTotal = base.backends.reduce((sum, backend) => sum + backend.share, 0);
  if (headTotal === 0 && baseTotal > 0) {
    return [{ ...common, class: "backend.all-removed", path: head.path, summary: `${where}: no backend receives traffic any more (${shiftList(diff, head.host) || shareList(diff, "after", head.host)}): requests fail` }];
  }
  const detections: Detection[] = [];
  const baseRegions = activeRegions(base);
  const headRegions = activeRegions(head);
  const added = diff.backends.filter((shift) => shift.before === undefined && (shift.after ?? 0) > 0);
  const baseHadClusterset = base.backends.some((backend) => backend.share > 0 && unplacedMultiCluster(backend));
  const gained = new Set<string>();
  for (const shift of added) {
    const backend = shift.head!;
    const newRegions = backend.placement.regions.filter((region) => !baseRegions.has(region));
    const crossCluster = unplacedMultiCluster(backend) && !baseHadClusterset;
    const isNewRegion = newRegions.length > 0 || crossCluster;
    for (const region of newRegions) gained.add(region);
    const reach = newRegions.length > 0 ? `in new region ${newRegions.join(", ")} ` : crossCluster ? "across the cluster set " : "";
    detections.push({
      ...common,
      class: isNewRegion ? "backend.region-added" : "backend.added",
      path: backend.path,
      summary: `${where}: ${shortLabel(shift.label, head.host)} ${reach}receives ${percent(shift.after)} (${shiftList(diff, head.host)})`,
    });
  }
  for (const shift of diff.backends) {
    if (!shift.base || !shift.head || shift.head.share === 0) continue;
    const newRegions = shift.head.placement.regions.filter((region) => !baseRegions.has(region) && !gained.has(region));
    if (newRegions.length === 0) continue;
    for (const region of newRegions) gained.add(region);
    detections.push({
      ...common,
      class: "backend.region-added",
      path: shift.head.path,
      summary: `${where}: ${shortLabel(shift.label, head.host)} now reaches ${newRegions.join(", ")} (was ${regionLabel(shift.base)}) with ${percent(shift.after)} of the traffic`,
    });
  }
  const drained = [...baseRegions].filter((region) => !headRegions.has(region)).sort();
  for (const region of drained) {
    detections.push({
      ...common,
      class: "backend.region-removed",
      path: head.path,
      summary: `${where}: region ${region} no longer receives traffic (${shiftList(diff, head.host)})`,
    });
  }
  const sharesMoved = diff.backends.some((shift) => (shift.before ?? 0) !== (shift.after ?? 0));
  if (sharesMoved && gained.size === 0 && added.length === 0 && drained.length === 0) {
    detections.push({ ...common, class: "backend.weight-changed", path: head.path, summary: `${where}: ${shiftList(diff, head.host)}` });
  }
  return detections;
}

const ruleName = (flow: Flow) => (flow.match === "*" ? "" : describeMatch(flow.match)) || "catch-all";

/** `v1`, or `v1 90%, v2 10%` when the rule splits. */
const receivers = (flow: Flow) => {
  const active = flow.backends.filter((backend) => backend.share > 0);
  if (active.length === 1) return shortLabel(active[0]!.label, flow.host);
  return active.map((backend) => `${shortLabel(backend.label, flow.host)} ${percent(backend.share)}`).join(", ") || "no backend";
};

/** `catch-all now evaluated before /api: /api requests go to v1`. */
function shadowingDetection({ rule, shadowed }: Shadowing): Detection {
  const names = shadowed.map(({ flow }) => ruleName(flow)).join(", ");
  const some = shadowed.every(({ covered }) => covered) ? "" : "some ";
  return {
    class: "route.match-changed",
    summary: `${rule.host} via ${rule.entry}: ${ruleName(rule)} now evaluated before ${names}: ${some}${names} requests go to ${receivers(rule)}`,
    resource: rule.resource,
    resourceKey: rule.resourceKey,
    side: "head",
    path: rule.path,
    before: [...shadowed.map(({ flow }) => flow.match), rule.match],
    after: [rule.match, ...shadowed.map(({ flow }) => flow.match)],
  };
}

export function routeChangeDetections(diffs: readonly RouteDiff[], base: TrafficModel, head: TrafficModel): Detection[] {
  const { detections, moved } = attachmentChanges(base, head);
  for (const diff of diffs) {
    const flow = (diff.head ?? diff.base)!;
    if (moved.has(`${flow.resourceKey}|${flow.entry}`)) continue;
    const where = `${describeFlow(flow)} via ${flow.entry}`;
    if (diff.status === "added") {
      detections.push({ class: "route.added", summary: `${where}: new rule → ${shareList(diff, "after", flow.host)}`, resource: flow.resource, resourceKey: flow.resourceKey, side: "head", path: flow.path, after: { match: flow.match, backends: flowBackendsValue(flow) } });
    } else if (diff.status === "removed") {
      detections.push({ class: "route.removed", summary: `${where}: no longer served (was → ${shareList(diff, "before", flow.host)})`, resource: flow.resource, resourceKey: flow.resourceKey, side: "base", path: flow.path, before: { match: flow.match, backends: flowBackendsValue(flow) } });
    } else {
      const base = diff.base!;
      const head = diff.head!;
      if (diff.status === "match-changed") {
        detections.push({ class: "route.match-changed", summary: `${head.host} via ${head.entry}: rule now captures ${head.match} (was ${base.match})`, resource: head.resource, resourceKey: head.resourceKey, side: "head", path: [...head.path], before: base.match, after: head.match });
      }
      detections.push(...backendDetections(diff, base, head));
    }
  }
  for (const change of precedenceChanges(base, head)) {
    if (!moved.has(`${change.rule.resourceKey}|${change.rule.entry}`)) detections.push(shadowingDetection(change));
  }
  return detections;
}
