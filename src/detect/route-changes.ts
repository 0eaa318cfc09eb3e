import type { Shadowing } from "../diff/precedence-changes.js";
import { entryAsClaimed, type BackendShift, type RouteDiff, type RouteVersion, type Strayed } from "../diff/route-diff.js";
import { describeFlow, describeMatch, percent, regionLabel, ruleLabel, shortLabel } from "../model/describe-flow.js";
import {
  failsEveryRequest,
  parentNotInTree,
  UNKNOWN_ENTRY,
  unscopedEntry,
  type Backend,
  type Flow,
  type RouteEntries,
  type TrafficModel,
} from "../core/traffic-model.js";
import { sortedSet } from "../core/canonical-values.js";
import type { Detection, FieldPath } from "../core/finding.js";
import { FAMILIES, FIRST_MATCH_GROUPS } from "../families/index.js";
import { mergeFlowDrafts, type FlowDraft } from "./flow-findings.js";
import { broadHeaderTests, describeBroad } from "../core/header-values.js";
import { covers, requestShapes } from "../core/match-alternatives.js";

/**
 * Findings read off the route diff: routes added, removed or re-matched, attachments, and how
 * backends and regions gain or lose traffic (DESIGN §5, route.* and backend.*).
 */

/** What a summary of backend moves reads: two rules' backends paired (a rule's two sides, or a rule and the one taking its requests). */
type Shifts = Pick<RouteDiff, "backends">;

/**
 * A backend as a summary names it: its label, with its key where another backend of the same diff
 * shows the same label (a route moved to another namespace sends `frontend:80` to another Service:
 * anthos-service-mesh-samples 57e68f2).
 */
const shiftName = (diff: Shifts, shift: BackendShift, host: string): string => {
  const label = shortLabel(shift.label, host);
  const twin = diff.backends.some((other) => other.key !== shift.key && shortLabel(other.label, host) === label);
  return twin ? `${label} (${shift.key.replace(/\|+/g, " ").trim()})` : label;
};

const shareList = (diff: Shifts, side: "before" | "after", host: string) =>
  diff.backends
    .filter((shift) => shift[side] !== undefined)
    .map((shift) => `${shiftName(diff, shift, host)} ${percent(shift[side])}`)
    .join(", ") || "no backend";

const shiftList = (diff: Shifts, host: string) =>
  diff.backends
    .filter((shift) => shift.before !== shift.after)
    .map((shift) => {
      const label = shiftName(diff, shift, host);
      if (shift.before === undefined) return `${label} new ${percent(shift.after)}`;
      if (shift.after === undefined) return `${label} ${percent(shift.before)} → removed`;
      return `${label} ${percent(shift.before)} → ${percent(shift.after)}`;
    })
    .join(", ");

/**
 * The backends that kept their shares but no longer run in `region`: a MultiClusterService whose
 * clusters changed drains a region with every weight as it was (gke-networking-recipes fb37c935).
 */
const placedElsewhere = (diff: Shifts, region: string, host: string) =>
  diff.backends
    .filter(
      ({ base, head }) =>
        base && head && base.share > 0 && base.placement.regions.includes(region) && !head.placement.regions.includes(region),
    )
    .map((shift) => `${shiftName(diff, shift, host)} now placed in ${regionLabel(shift.head!)}`)
    .join(", ");

/** Known regions that receive traffic; `unknown` and `clusterset` are not regions one can gain or drain. */
const activeRegions = (flow: Flow | undefined): Set<string> =>
  new Set((flow?.backends ?? []).filter((backend) => backend.share > 0).flatMap((backend) => backend.placement.regions));

/**
 * Clusters of a flow's backends that receive traffic; `unregioned`: only those of backends whose
 * region the policy does not name, where the cluster is all that says where traffic runs (a Gloo
 * destination's `cluster`, a file placed on a cluster the topology gives no region).
 */
const activeClusters = (flow: Flow | undefined, unregioned: boolean): Set<string> =>
  new Set(
    (flow?.backends ?? [])
      .filter((backend) => backend.share > 0 && (!unregioned || backend.placement.regions.length === 0))
      .flatMap((backend) => backend.placement.clusters),
  );

/** A cross-cluster backend whose clusters the tree does not tell (a ServiceImport with no known exporter). */
const unplacedMultiCluster = (backend: Backend): boolean => backend.placement.multiCluster && backend.placement.regions.length === 0;

const flowBackendsValue = (flow: Flow | undefined) =>
  flow?.backends
    .map((backend) => ({ backend: backend.key, share: Number(backend.share.toFixed(6)) }))
    .sort((a, b) => a.backend.localeCompare(b.backend));

const flowsByRoute = (model: TrafficModel): Map<string, Flow[]> => {
  const byRoute = new Map<string, Flow[]>();
  for (const flow of model.flows.values()) {
    const flows = byRoute.get(flow.resourceKey);
    if (flows) flows.push(flow);
    else byRoute.set(flow.resourceKey, [flow]);
  }
  return byRoute;
};

/** Where each family says which entry points a route attaches to (Gateway API: parentRefs), by API group. */
const ATTACHMENT_FIELD: Readonly<Record<string, FieldPath>> = Object.fromEntries(
  FAMILIES.flatMap(({ attachmentFields }) => Object.entries(attachmentFields ?? {})),
);

/**
 * What a reader is told of a finding on versions of one object the route diff judged as an edit
 * (RouteVersion): which file's version was compared with which, as the resource diff says it
 * (detect/object-versions.ts).
 */
const versionNote = ({ file, baseFile }: RouteVersion): string =>
  ` (${file} writes another version of it beside ${baseFile}'s, judged against that one: one object where both are applied, whichever file comes last holds)`;

/**
 * A route resource whose entries differ base→head is attached or detached there. Its entries are
 * where it lands, so a route that a listener stops admitting is detached even though it still
 * names that Gateway: its traffic stops. So is a version of an object a file adds beside the base's,
 * applied with it as one (RouteVersion.together), judged against that version: envoyproxy/gateway
 * 8fa767a980's admission-control.yaml writing HTTPRoute example-route on Gateway eg beside
 * http-routing.yaml's on example-gateway.
 */
function attachmentChanges(
  base: TrafficModel,
  head: TrafficModel,
  versions: readonly RouteVersion[],
): { detections: Detection[]; moved: Set<string> } {
  const detections: Detection[] = [];
  const moved = new Set<string>();
  // Each tree's flows by route, indexed only when a route's entries changed.
  const byRoute: { base?: Map<string, Flow[]>; head?: Map<string, Flow[]> } = {};
  const asWritten = (entry: string) => entry;
  /** `claimed`: each side's entries as claimed, where the two sides are versions in two files (entryAsClaimed). */
  const compare = (
    [key, baseKey]: readonly [string, string],
    { resource, entries: headEntries }: RouteEntries,
    baseEntries: readonly string[],
    claimed: { readonly base: (entry: string) => string; readonly head: (entry: string) => string } = { base: asWritten, head: asWritten },
    note = "",
  ) => {
    const [now, was] = [headEntries.map(claimed.head), baseEntries.map(claimed.base)];
    // A route gaining its first parentRefs is attached, not also detached from the unknown entry.
    const attached = headEntries.filter((_, at) => !was.includes(now[at]!) && now[at] !== UNKNOWN_ENTRY);
    const detached = baseEntries.filter((_, at) => !now.includes(was[at]!) && was[at] !== UNKNOWN_ENTRY);
    if (attached.length === 0 && detached.length === 0) return;
    // Its rules under the unknown entry are the same rules now attached (or detached): not routes added or removed.
    const unknown = was.includes(UNKNOWN_ENTRY) !== now.includes(UNKNOWN_ENTRY);
    for (const entry of [...attached, ...(unknown ? headEntries.filter((_, at) => now[at] === UNKNOWN_ENTRY) : [])])
      moved.add(`${key}|${entry}`);
    for (const entry of [...detached, ...(unknown ? baseEntries.filter((_, at) => was[at] === UNKNOWN_ENTRY) : [])])
      moved.add(`${baseKey}|${entry}`);
    // An entry its rules reach only as written (a parent the tree does not hold) is named, not
    // attached to — where the route was on a parent the tree holds: one whose parents all live
    // elsewhere moves between names alike.
    const wasFlows = (byRoute.base ??= flowsByRoute(base)).get(baseKey) ?? [];
    const routeFlows = (byRoute.head ??= flowsByRoute(head)).get(key) ?? [];
    const backends = [...wasFlows, ...routeFlows].flatMap((f) => f.backends);
    const heldBefore = wasFlows.some((f) => unscopedEntry(f.entry) !== UNKNOWN_ENTRY && !parentNotInTree(f.unverified));
    const missing = (entry: string) => {
      const at = routeFlows.filter((f) => f.entry === entry);
      return heldBefore && at.length > 0 && at.every((f) => parentNotInTree(f.unverified));
    };
    const [named, joined] = [attached.filter(missing).map(claimed.head), attached.filter((entry) => !missing(entry)).map(claimed.head)];
    const parts = [
      ...(joined.length ? [`attached to ${joined.join(", ")}`] : []),
      ...(named.length ? [`now names ${named.join(", ")}, which the repository does not hold`] : []),
      ...(detached.length ? [`detached from ${detached.map(claimed.base).join(", ")}`] : []),
    ];
    detections.push({
      class: "route.attachment-changed",
      summary: `${resource.kind} ${resource.namespace}/${resource.name}: ${parts.join("; ")}${note}`,
      resource,
      resourceKey: key,
      side: "head",
      path: ATTACHMENT_FIELD[resource.group] ?? ["spec", "parentRefs"],
      before: baseEntries,
      after: headEntries,
      lands: {
        clusters: sortedSet(backends.flatMap((b) => b.placement.clusters)),
        regions: sortedSet(backends.flatMap((b) => b.placement.regions)),
      },
    });
  };
  for (const [resourceKey, route] of head.routes) {
    const baseEntries = base.routes.get(resourceKey)?.entries;
    if (baseEntries) compare([resourceKey, resourceKey], route, baseEntries);
  }
  // Versions not known to be applied as one are judged as one only where they contend, on one entry.
  for (const version of versions) {
    const [route, was] = [head.routes.get(version.key), base.routes.get(version.baseKey)];
    if (!route || !was || !version.together) continue;
    const claimed = {
      base: (entry: string) => entryAsClaimed(entry, version.baseFile),
      head: (entry: string) => entryAsClaimed(entry, version.file),
    };
    compare([version.key, version.baseKey], route, was.entries, claimed, versionNote(version));
  }
  return { detections, moved };
}

/** The share of a flow's requests that something serves: a backend, a redirect, a direct response that is no error. */
const servedShare = (flow: Flow): number =>
  flow.backends.reduce((sum, backend) => sum + (failsEveryRequest(backend) ? 0 : backend.share), 0);

/**
 * The share of a flow new backends take at which the move is a cutover, not a canary's first step:
 * the backends that served the flow no longer carry most of it. `reviews-v1 100% → reviews-v3 100%`
 * (Istio bookinfo) moves every request to a backend that served none, at least what 90/10 → 80/20
 * between existing backends is rated, so each new backend is backend.weight-changed; below it,
 * v1 100% → v1 90%, v2 10% starts a canary: backend.added.
 */
const CUTOVER_SHARE = 0.5;

function backendDrafts(diff: Shifts, base: Flow, head: Flow): FlowDraft[] {
  const draft = (
    detection: Omit<FlowDraft["detection"], "resource" | "resourceKey" | "side" | "before" | "after">,
    detail: string,
    within?: string,
  ): FlowDraft => ({
    detection: {
      ...detection,
      resource: head.resource,
      resourceKey: head.resourceKey,
      side: "head",
      before: flowBackendsValue(base),
      after: flowBackendsValue(head),
    },
    flow: head,
    baseFlow: base,
    what: describeFlow(head),
    // A flow for any host (a mesh route to a Service, a delegate whose root is elsewhere) is named by where it enters.
    showEntry: head.entry === UNKNOWN_ENTRY || head.host === "*",
    detail,
    ...(within === undefined ? {} : { within }),
  });
  if (servedShare(head) === 0 && servedShare(base) > 0) {
    const errors = sortedSet(head.backends.flatMap((backend) => (failsEveryRequest(backend) ? [String(backend.answers)] : [])));
    return [
      draft(
        { class: "backend.all-removed", path: head.path },
        `no backend receives traffic any more (${shiftList(diff, head.host) || shareList(diff, "after", head.host)}): ${errors.length > 0 ? `the proxy answers every request with ${errors.join(", ")}` : "requests fail"}`,
      ),
    ];
  }
  const drafts: FlowDraft[] = [];
  const baseRegions = activeRegions(base);
  const headRegions = activeRegions(head);
  // A rule that now redirects its requests sends none to a backend: nothing gains a share, and the
  // redirect taking the backends' place is the family's redirect check's to name
  // (core/redirect-changes.ts: route.match-changed). Where traffic no longer runs is still said.
  const redirected = head.backends.length > 0 && head.backends.every((backend) => backend.redirects);
  const added = redirected ? [] : diff.backends.filter((shift) => shift.before === undefined && (shift.after ?? 0) > 0);
  const newShare = added.reduce((sum, shift) => sum + (shift.after ?? 0), 0);
  const cutover = newShare >= CUTOVER_SHARE ? `, taken from the backends that served the flow: a cutover, not a canary's first step` : "";
  const baseHadClusterset = base.backends.some((backend) => backend.share > 0 && unplacedMultiCluster(backend));
  const baseClusters = activeClusters(base, false);
  const gained = new Set<string>();
  for (const shift of added) {
    const backend = shift.head!;
    const newRegions = backend.placement.regions.filter((region) => !baseRegions.has(region));
    const newClusters =
      backend.placement.regions.length === 0 ? backend.placement.clusters.filter((cluster) => !baseClusters.has(cluster)) : [];
    const crossCluster = unplacedMultiCluster(backend) && !baseHadClusterset;
    const isNewRegion = newRegions.length > 0 || newClusters.length > 0 || crossCluster;
    for (const region of newRegions) gained.add(region);
    for (const cluster of newClusters) gained.add(`cluster ${cluster}`);
    const reach =
      newRegions.length > 0
        ? `in new region ${newRegions.join(", ")} `
        : newClusters.length > 0
          ? `in new cluster ${newClusters.join(", ")} (its region unknown) `
          : crossCluster
            ? "across the cluster set "
            : "";
    const moved = isNewRegion ? "" : cutover;
    drafts.push(
      draft(
        { class: isNewRegion ? "backend.region-added" : moved ? "backend.weight-changed" : "backend.added", path: backend.path },
        `${shiftName(diff, shift, head.host)} ${reach}receives ${percent(shift.after)}${moved} (${shiftList(diff, head.host)})`,
        shift.key,
      ),
    );
  }
  // A backend whose clusters are no longer listed (a MultiClusterService naming none) runs in every
  // member cluster: it may reach any region, so the regions it ran in are not drained.
  const spread = diff.backends.filter(
    ({ base, head }) => base && head && base.share > 0 && head.share > 0 && unplacedMultiCluster(head) && !unplacedMultiCluster(base),
  );
  for (const shift of baseHadClusterset ? [] : spread) {
    drafts.push(
      draft(
        { class: "backend.region-added", path: shift.head!.path },
        `${shiftName(diff, shift, head.host)} now runs across the cluster set (was ${regionLabel(shift.base!)}) with ${percent(shift.after)} of the traffic`,
        shift.key,
      ),
    );
  }
  for (const shift of diff.backends) {
    if (!shift.base || !shift.head || shift.head.share === 0) continue;
    const newRegions = shift.head.placement.regions.filter((region) => !baseRegions.has(region) && !gained.has(region));
    if (newRegions.length === 0) continue;
    for (const region of newRegions) gained.add(region);
    // A backend that was there at weight 0 reached its region in name only: say so, not "(was sgp)".
    const idle = shift.base.share === 0;
    const was =
      idle && regionLabel(shift.base) === regionLabel(shift.head)
        ? "at weight 0"
        : `${regionLabel(shift.base)}${idle ? " at weight 0" : ""}`;
    // Still in the regions it ran in (a third cluster exporting a ServiceImport): its share spreads over all of them.
    const also =
      !idle &&
      shift.base.placement.regions.length > 0 &&
      shift.base.placement.regions.every((region) => shift.head!.placement.regions.includes(region));
    drafts.push(
      draft(
        { class: "backend.region-added", path: shift.head.path },
        also
          ? `${shiftName(diff, shift, head.host)} now also reaches ${newRegions.join(", ")} (was ${was}): its ${percent(shift.after)} of the traffic spreads over ${regionLabel(shift.head)}`
          : `${shiftName(diff, shift, head.host)} now reaches ${newRegions.join(", ")} (was ${was}) with ${percent(shift.after)} of the traffic`,
        shift.key,
      ),
    );
  }
  // A backend newly across the cluster set, its clusters unknown (a Gloo VirtualDestination whose
  // selector names no cluster, gloo-d05), may run in any region: none is known drained.
  const anywhere = !baseHadClusterset && head.backends.some((backend) => backend.share > 0 && unplacedMultiCluster(backend));
  const drained = [...baseRegions]
    .filter((region) => !anywhere && !headRegions.has(region) && !spread.some((shift) => shift.base!.placement.regions.includes(region)))
    .sort();
  for (const region of drained) {
    drafts.push(
      draft(
        { class: "backend.region-removed", path: head.path },
        `region ${region} no longer receives traffic (${shiftList(diff, head.host) || placedElsewhere(diff, region, head.host)})`,
        `region ${region}`,
      ),
    );
  }
  const headClusters = activeClusters(head, false);
  const drainedClusters = [...activeClusters(base, true)].filter((cluster) => !anywhere && !headClusters.has(cluster)).sort();
  for (const cluster of drainedClusters) {
    drafts.push(
      draft(
        { class: "backend.region-removed", path: head.path },
        `cluster ${cluster} (its region unknown) no longer receives traffic (${shiftList(diff, head.host)})`,
        `cluster ${cluster}`,
      ),
    );
  }
  const sharesMoved = !redirected && diff.backends.some((shift) => (shift.before ?? 0) !== (shift.after ?? 0));
  if (sharesMoved && gained.size === 0 && added.length === 0 && drained.length === 0 && drainedClusters.length === 0) {
    // Weights a controller owns are put back at once (Argo Rollouts' GitOps guidance): the edit moves no request.
    const owner = base.weightsSetBy !== undefined && base.weightsSetBy === head.weightsSetBy ? head.weightsSetBy : undefined;
    drafts.push(
      owner
        ? draft(
            { class: "resource.changed", path: head.path },
            `${shiftList(diff, head.host)} as written, but ${owner} sets these weights at run time and puts them back to its current step's`,
          )
        : draft({ class: "backend.weight-changed", path: head.path }, shiftList(diff, head.host)),
    );
  }
  return drafts;
}

const ruleName = ruleLabel;

/** `v1`, or `v1 90%, v2 10%` when the rule splits. */
const receivers = (flow: Flow) => {
  const active = flow.backends.filter((backend) => backend.share > 0);
  if (active.length === 1) return shortLabel(active[0]!.label, flow.host);
  return active.map((backend) => `${shortLabel(backend.label, flow.host)} ${percent(backend.share)}`).join(", ") || "no backend";
};

/**
 * `catch-all now evaluated before /api: /api requests go to v1`. A rule it takes every request of,
 * sending them to other backends, serves nothing any more: that rule's route is gone though its text
 * stays (an Istio VirtualService's `/v2 → api-v2` moved below the catch-all), high as the Gateway API
 * rule reordered so that another takes all its requests is (displacedRule). Where it takes only some,
 * or sends them where that rule did, medium-high.
 */
function shadowingDraft({ rule, shadowed, orderUnknown }: Shadowing): FlowDraft {
  const names = shadowed.map(({ flow }) => ruleName(flow)).join(", ");
  const some = shadowed.every(({ covered }) => covered) ? "" : "some ";
  const receiving = backendShares(rule);
  const emptied = shadowed.filter(({ flow, covered }) => covered && backendShares(flow) !== receiving).map(({ flow }) => ruleName(flow));
  const ended =
    emptied.length === 0 ? "" : `: the ${emptied.join(", ")} rule${emptied.length > 1 ? "s serve" : " serves"} nothing any more`;
  return {
    detection: {
      class: "route.match-changed",
      resource: rule.resource,
      resourceKey: rule.resourceKey,
      side: "head",
      path: rule.path,
      before: [...shadowed.map(({ flow }) => flow.match), rule.match],
      after: [rule.match, ...shadowed.map(({ flow }) => flow.match)],
      ...(emptied.length > 0 ? { riskFloor: "high" as const } : {}),
    },
    flow: rule,
    what: rule.host,
    showEntry: true,
    detail: `${ruleName(rule)} now ${orderUnknown ? "may be " : ""}evaluated before ${names}${orderUnknown ? " (their order is not known: a Flux variable in a rule, or ranks tied)" : ""}: ${some}${names} requests go to ${receivers(rule)}${ended}`,
  };
}

const backendShares = (flow: Flow): string =>
  flow.backends.map((backend) => `${shortLabel(backend.label, flow.host)} ${percent(backend.share)}`).join(", ") || "no backend";

/**
 * A new rule whose header tests leave nearly every request in (broadHeaderTests), beside a rule that
 * already served its entry, host and path testing nothing more: it captures those requests from that
 * rule (a header test outranks none in Gateway API; a first-match rule does where it comes first), so
 * it moves that rule's traffic. Said as the end of the finding's summary; undefined when it moves none.
 */
function capturedByAnyValue(flow: Flow, base: TrafficModel, head: TrafficModel): string | undefined {
  const tests = broadHeaderTests(flow.match);
  if (!tests || flow.shadowedBy !== undefined) return undefined;
  const firstMatch = FIRST_MATCH_GROUPS.has(flow.resource.group);
  const served = [...head.flows.values()].filter(
    (other) =>
      base.flows.has(other.key) &&
      other.shadowedBy === undefined &&
      other.entry === flow.entry &&
      other.host === flow.host &&
      other.match === other.pathMatch &&
      other.pathMatch === flow.pathMatch &&
      !(firstMatch && other.resourceKey === flow.resourceKey && other.precedence < flow.precedence),
  );
  if (served.length === 0) return undefined;
  const from = served.map((other) => `${other.match} → ${backendShares(other)}`).join("; ");
  return `: ${describeBroad(tests)} is taken from the rule already serving this path (${from})`;
}

/**
 * For a rule added to a first-match resource, the rules of the base that now come after it on the
 * same entry and host and whose every request it takes, sending them elsewhere: inserted above
 * them, a broader rule (`/api` above `/api/admin`) ends those routes without touching them. A rule
 * that carves a subset out of a later one (a header canary above the catch-all) takes only its own
 * requests, which `route.added` already names.
 */
function rulesTakenOver(flow: Flow, base: TrafficModel, byResource: () => ReadonlyMap<string, readonly Flow[]>): readonly Flow[] {
  if (!FIRST_MATCH_GROUPS.has(flow.resource.group) || flow.shadowedBy !== undefined) return [];
  const shapes = requestShapes(flow.match);
  const receiving = backendShares(flow);
  return (byResource().get(flow.resourceKey) ?? []).filter(
    (later) =>
      later.entry === flow.entry &&
      later.host === flow.host &&
      later.precedence > flow.precedence &&
      later.shadowedBy === undefined &&
      base.flows.has(later.key) &&
      backendShares(later) !== receiving &&
      requestShapes(later.match).every((shape) => shapes.some((earlier) => covers(earlier, shape))),
  );
}

/**
 * The regions the rules a new rule takes over (rulesTakenOver) sent to and it does not: their
 * requests drain from there as if their backends had moved (a new `/api` rule to the replica
 * above the `/api/orders` rules that sent writes to the primary's region), though those rules are
 * untouched and their flows show no diff.
 */
function regionsTakenFrom(endedRules: readonly Flow[], flow: Flow): FlowDraft[] {
  const receiving = activeRegions(flow);
  return endedRules.flatMap((later) =>
    [...activeRegions(later)]
      .filter((region) => !receiving.has(region))
      .sort()
      .map((region) => ({
        flow,
        baseFlow: later,
        what: describeFlow(later),
        showEntry: true,
        within: `region ${region}`,
        detection: {
          resource: flow.resource,
          resourceKey: flow.resourceKey,
          path: flow.path,
          class: "backend.region-removed" as const,
          side: "head" as const,
        },
        detail: `region ${region} no longer receives traffic: new rule ${ruleName(flow)} comes first and takes every request (→ ${backendShares(flow)})`,
      })),
  );
}

/**
 * Requests a rule gave up (removed, or its match renamed) that now fall through to another rule,
 * judged as the mirror of a new rule inserted ahead (regionsTakenFrom): a region they reached that
 * the taker does not is drained (mcg `/east` removed, its requests falling to the catch-all's
 * store-west), a region the taker adds is gained (`/west` removed into a 50/50 split). Other moves
 * stay the route.match-changed finding's; a taker in the same regions adds nothing.
 */
function regionsFallenTo(
  shifts: Shifts,
  lost: Flow,
  taker: Flow,
  at: { readonly side: "base" | "head"; readonly path: FieldPath },
  how: string,
): FlowDraft[] {
  return backendDrafts(shifts, lost, taker)
    .filter(({ detection }) => detection.class === "backend.region-added" || detection.class === "backend.region-removed")
    .map((draft) => ({
      ...draft,
      flow: lost,
      baseFlow: taker,
      what: describeFlow(lost),
      showEntry: true,
      detection: { ...draft.detection, resource: lost.resource, resourceKey: lost.resourceKey, ...at },
      detail: `${how}: ${draft.detail}`,
    }));
}

/**
 * For a rule of a first-match resource (an Istio VirtualService), the rule of the same resource,
 * entry and host before it that takes every request it matches: then it serves none (istioctl's
 * IST0130, a rule after a catch-all). `byResource`: the head's flows by resource, built once.
 */
function unreachableBehind(flow: Flow, byResource: () => ReadonlyMap<string, readonly Flow[]>): Flow | undefined {
  if (!FIRST_MATCH_GROUPS.has(flow.resource.group)) return undefined;
  const shapes = requestShapes(flow.match);
  return byResource()
    .get(flow.resourceKey)
    ?.find(
      (other) =>
        other.entry === flow.entry &&
        other.host === flow.host &&
        other.precedence < flow.precedence &&
        shapes.every((shape) => requestShapes(other.match).some((earlier) => covers(earlier, shape))),
    );
}

/**
 * For a rule removed from a first-match resource, the rule before it at base that took every
 * request it matched (unreachableBehind on the base) and that still takes them all at head, the
 * same rule of the same resource with the same match: the removed rule served nothing, so its
 * requests go where they went (istioctl's IST0130 rule, deleted). None where that rule is removed or
 * narrowed too: the removed rule's requests then reach other rules, or none.
 */
function hiddenBehind(flow: Flow, head: TrafficModel, baseByResource: () => ReadonlyMap<string, readonly Flow[]>): Flow | undefined {
  const behind = unreachableBehind(flow, baseByResource);
  if (!behind || behind.shadowedBy !== undefined) return undefined;
  const still = head.flows.get(behind.key);
  if (!still || still.resourceKey !== behind.resourceKey || still.shadowedBy !== undefined) return undefined;
  const shapes = requestShapes(still.match);
  return requestShapes(flow.match).every((shape) => shapes.some((earlier) => covers(earlier, shape))) ? still : undefined;
}

/**
 * The rule that served a key at base and, still in the head unchanged (the same backends, split the
 * same way), is shadowed there by another rule of its resource that now takes the same requests:
 * a canary rule whose header test was dropped ties with the rule after it and, first in the list,
 * takes all of its path. Undefined where the serving rule is the same, or the base held that twin
 * shadowed already.
 */
function displacedRule(before: Flow, after: Flow, base: TrafficModel, head: TrafficModel): Flow | undefined {
  if (before.resourceKey !== after.resourceKey || backendShares(before) === backendShares(after)) return undefined;
  const twin = (model: TrafficModel) => {
    for (let n = 2; ; n++) {
      const shadowed = model.flows.get(`${before.key}#${n}`);
      if (!shadowed) return undefined;
      if (shadowed.resourceKey === before.resourceKey && backendShares(shadowed) === backendShares(before)) return shadowed;
    }
  };
  return twin(base) ? undefined : twin(head);
}

/**
 * Where a rule's given-up requests now go: `/east now falls through to catch-all`, `the rest of
 * /east …` when the rule still takes some of it, `/b now has a rule of its own` when a path is
 * split out of a rule into a new one.
 */
function strayedTo({ match, partly, to }: Strayed): string {
  const what = `${partly ? "the rest of " : ""}${describeMatch(match)}`;
  return to.match === match ? `${what} now has a rule of its own` : `${what} now falls through to ${ruleName(to)}`;
}

/** `2` for `spec.rules[1]`: two rules of one match are told apart by place. */
const ruleIndexOf = (flow: Flow): string => {
  const index = flow.path.findLast((step) => typeof step === "number");
  return index === undefined ? ruleName(flow) : String(index + 1);
};

/** `reordered`: the rules the PR ranks ahead of others they may take requests from (precedenceChanges). */
export function routeChangeDetections(
  diffs: readonly RouteDiff[],
  base: TrafficModel,
  head: TrafficModel,
  reordered: readonly Shadowing[],
  versions: readonly RouteVersion[] = [],
): Detection[] {
  const [baseModel, headModel] = [base, head];
  const { detections, moved } = attachmentChanges(base, head, versions);
  // Each tree's flows by resource, built once where a rule's neighbours are asked for.
  const byTree: { base?: Map<string, Flow[]>; head?: Map<string, Flow[]> } = {};
  const byResource = () => (byTree.head ??= flowsByRoute(head));
  const baseByResource = () => (byTree.base ??= flowsByRoute(base));
  const drafts: FlowDraft[] = [];
  const ofFlow = (flow: Flow, what: string) => ({
    flow,
    what,
    showEntry: true,
    detection: { resource: flow.resource, resourceKey: flow.resourceKey, path: flow.path },
  });
  const draftsOf = (diff: RouteDiff): void => {
    const flow = (diff.head ?? diff.base)!;
    // Requests handled otherwise on the same backends are their family's to judge (handling-moves.ts).
    if (diff.status === "rehandled" || moved.has(`${flow.resourceKey}|${flow.entry}`)) return;
    if (diff.status === "added") {
      const common = ofFlow(flow, describeFlow(flow));
      const behind = unreachableBehind(flow, byResource);
      if (behind) {
        drafts.push({
          ...common,
          detection: { ...common.detection, class: "resource.changed", side: "head", after: { match: flow.match } },
          detail: `new rule serves no request: ${ruleName(behind)} before it takes every request it matches`,
        });
        return;
      }
      const taken = capturedByAnyValue(flow, base, head);
      const endedRules = rulesTakenOver(flow, base, byResource);
      const ended =
        endedRules.length > 0
          ? `; it comes first and takes every request of ${endedRules.map((later) => `${ruleName(later)} (was → ${backendShares(later)})`).join(", ")}`
          : "";
      const floor = taken ? ("high" as const) : endedRules.length > 0 ? ("medium-high" as const) : undefined;
      drafts.push({
        ...common,
        detection: {
          ...common.detection,
          class: "route.added",
          side: "head",
          after: { match: flow.match, backends: flowBackendsValue(flow) },
          ...(floor ? { riskFloor: floor } : {}),
        },
        detail: `new rule → ${shareList(diff, "after", flow.host)}${flow.plan ? `; ${flow.plan}` : ""}${taken ?? ""}${ended}`,
      });
      drafts.push(...regionsTakenFrom(endedRules, flow));
    } else if (diff.status === "removed") {
      const common = ofFlow(flow, describeFlow(flow));
      const hidden = hiddenBehind(flow, head, baseByResource);
      const fallback = diff.fallback;
      if (hidden) {
        drafts.push({
          ...common,
          detection: { ...common.detection, class: "resource.changed", side: "base", before: { match: flow.match } },
          detail: `removed rule served no request: ${ruleName(hidden)} before it took every request it matches, and still does (→ ${backendShares(hidden)})`,
        });
      } else if (!fallback) {
        drafts.push({
          ...common,
          detection: {
            ...common.detection,
            class: "route.removed",
            side: "base",
            before: { match: flow.match, backends: flowBackendsValue(flow) },
          },
          detail: `no longer served (was → ${shareList(diff, "before", flow.host)})`,
        });
      } else {
        drafts.push({
          ...common,
          detection: {
            ...common.detection,
            class: "route.match-changed",
            side: "base",
            before: { match: flow.match, backends: flowBackendsValue(flow) },
            after: { match: fallback.match, backends: flowBackendsValue(fallback) },
          },
          detail: `rule removed: its requests now fall through to ${ruleName(fallback)} → ${backendShares(fallback)} (were → ${shareList(diff, "before", flow.host)})`,
        });
        const at = { side: "base" as const, path: flow.path };
        drafts.push(...regionsFallenTo(diff, flow, fallback, at, `rule removed, its requests fall through to ${ruleName(fallback)}`));
      }
    } else {
      const base = diff.base!;
      const head = diff.head!;
      if (diff.status === "match-changed") {
        const common = ofFlow(head, head.host);
        // Header tests that leave nearly every request in (`user-agent` ~ `.*`, without `x-canary`
        // = `true`): a canary-by-header rule widened so takes the traffic of the rules after it.
        const broad = broadHeaderTests(head.match);
        const widened = broad !== undefined && broadHeaderTests(base.match) === undefined;
        const strayed = diff.strayed ?? [];
        const landings = strayed.map((stray) => `; ${strayedTo(stray)} → ${backendShares(stray.to)}`);
        drafts.push({
          ...common,
          baseFlow: base,
          detection: {
            ...common.detection,
            class: "route.match-changed",
            side: "head",
            before: base.match,
            after: head.match,
            ...(widened ? { riskFloor: "high" as const } : {}),
          },
          detail: `rule now captures ${head.match} (was ${base.match})${widened ? `: ${describeBroad(broad)} is captured` : ""}${landings.join("")}`,
        });
        for (const stray of strayed) {
          const { match, to, backends } = stray;
          drafts.push(...regionsFallenTo({ backends }, { ...base, match }, to, { side: "head", path: head.path }, strayedTo(stray)));
        }
        // What it no longer matches and no other rule takes is no longer served at all.
        if (diff.unserved) {
          const them = diff.unserved.length === 1 ? "it" : "them";
          const lost = diff.unserved.map(({ match, partly }) => `${partly ? "the rest of " : ""}${match}`);
          drafts.push({
            ...common,
            baseFlow: base,
            detection: {
              ...common.detection,
              class: "route.removed",
              side: "base",
              before: { match: diff.unserved.map(({ match }) => match) },
            },
            detail: `${lost.join(", ")} no longer served: the rule no longer matches ${them} and no other rule takes ${them} (was → ${shareList(diff, "before", base.host)})`,
          });
        }
      }
      const displaced = diff.status === "changed" ? displacedRule(base, head, baseModel, headModel) : undefined;
      if (displaced) {
        // An existing rule widened onto the path is a match change (high, as a header test that takes
        // any value); a new rule inserted ahead of it, as in a first-match resource (rulesTakenOver).
        const existing = [...baseModel.flows.values()].some(
          (other) =>
            other.resourceKey === head.resourceKey &&
            other.entry === head.entry &&
            other.host === head.host &&
            backendShares(other) === backendShares(head),
        );
        const common = ofFlow(head, describeFlow(head));
        drafts.push({
          ...common,
          baseFlow: base,
          detection: {
            ...common.detection,
            class: existing ? "route.match-changed" : "route.added",
            side: "head",
            before: { rule: base.path, backends: flowBackendsValue(base) },
            after: { rule: head.path, backends: flowBackendsValue(head) },
            riskFloor: existing ? "high" : "medium-high",
          },
          detail: `now served by ${existing ? "" : "new "}rule ${ruleIndexOf(head)} (→ ${backendShares(head)}), which ranks first and takes every request of rule ${ruleIndexOf(displaced)} (was → ${backendShares(base)})${existing ? ": its match widened, or the rules were reordered" : ""}`,
        });
      }
      // A rule that may not be the one serving says so: the change reaches traffic only if it is.
      const unsure = head.orderUnknown
        ? ` (if this rule serves: ${head.shadowedBy} is ranked first by name alone, and which serves depends on which was created first)`
        : "";
      drafts.push(...backendDrafts(diff, base, head).map((draft) => (unsure ? { ...draft, detail: `${draft.detail}${unsure}` } : draft)));
    }
  };
  for (const diff of diffs) {
    const from = drafts.length;
    draftsOf(diff);
    // Versions of one object judged as an edit say which files' versions were compared.
    if (diff.version)
      for (let at = from; at < drafts.length; at++)
        drafts[at] = { ...drafts[at]!, detail: `${drafts[at]!.detail}${versionNote(diff.version)}` };
  }
  for (const change of reordered) {
    if (!moved.has(`${change.rule.resourceKey}|${change.rule.entry}`)) drafts.push(shadowingDraft(change));
  }
  return [...detections, ...mergeFlowDrafts(drafts)];
}
