import type { RouteDiff } from "../diff/route-diff.js";
import { lineOf } from "../manifests/field-line.js";
import { displayName, type ManifestSet, type ResourceId } from "../core/resource.js";
import type { PolicyTarget } from "../core/policy-targets.js";
import { describeFlow } from "../model/describe-flow.js";
import type { FilePlacement } from "../model/gitops-placement.js";
import { servedFlows, type Flow, type TrafficModel } from "../core/traffic-model.js";
import type { Topology } from "../policy/policy-schema.js";
import type { ResourceChange } from "../core/resource-change.js";
import { meshScopes, rootNamespaceOf } from "./mesh-scope.js";
import type { MeshScope } from "../core/mesh-scope.js";
import type { GraphIssue, IssueComparison } from "./reference-checks.js";
import { byFamilyKind, type GatewayNode } from "../families/index.js";
import type { TrafficGraph } from "./traffic-graph.js";

/**
 * What a PR reaches (DESIGN §7), as plain data for every report: hostnames, the Gateways it
 * touches with every route attached to them anywhere in the repository, the clusters and regions
 * that receive the change, traffic share per region per flow, services gaining or losing regions,
 * mesh/trust scope, and the graph's reference issues split into introduced / existing / fixed.
 */

/** One tree as the earlier stages leave it. */
export interface TreeAnalysis {
  readonly manifests: ManifestSet;
  /** Which clusters (and regions) each file lands in: policy path patterns plus Argo CD / Flux. */
  readonly placement: FilePlacement;
  readonly model: TrafficModel;
}

export interface GraphSide extends TreeAnalysis {
  readonly graph: TrafficGraph;
}

export interface GatewayImpact {
  readonly gateway: string;
  readonly change: "added" | "removed" | "changed";
  /** What reached it when it was not edited itself: `GatewayClass gke-l7-mc changed`. */
  readonly via?: string;
  readonly file: string;
  readonly line: number;
  readonly routesAttached: number;
  /** Routes attached at base or head, wherever their files are. */
  readonly routes: readonly string[];
  /** Attached at head, not at base: routes the PR attaches (added, or moved onto it). */
  readonly attached: readonly string[];
  /** Attached at base, no longer at head. */
  readonly detached: readonly string[];
}

export interface ShareShift {
  readonly flow: string;
  readonly entry: string;
  /** Percent of the flow's traffic per region. */
  readonly regions: readonly { readonly region: string; readonly before: number; readonly after: number }[];
}

export interface ServiceRegions {
  readonly service: string;
  readonly gained: readonly string[];
  readonly lost: readonly string[];
}

export interface IssueView {
  readonly class: GraphIssue["class"];
  readonly summary: string;
  readonly file: string;
  readonly line: number;
}

export interface BlastRadius {
  readonly hostnames: readonly string[];
  readonly gateways: readonly GatewayImpact[];
  /** Distinct routes attached to the touched Gateways. */
  readonly routesAttached: number;
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
  readonly shareShift: readonly ShareShift[];
  readonly services: readonly ServiceRegions[];
  readonly meshScope: readonly MeshScope[];
  readonly issues: {
    readonly introduced: readonly IssueView[];
    readonly existing: readonly IssueView[];
    readonly fixed: readonly IssueView[];
  };
  /** References the tree cannot judge (their referents live elsewhere): a limitation, not a finding. */
  readonly unchecked: readonly string[];
}

export interface BlastRadiusInput {
  readonly base: GraphSide;
  readonly head: GraphSide;
  readonly routeDiffs: readonly RouteDiff[];
  readonly changes: readonly ResourceChange[];
  readonly topology: Topology;
  readonly issues: IssueComparison;
  readonly unchecked: readonly string[];
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const pct = (share: number): number => Number((share * 100).toFixed(2));
const EPSILON = 1e-9;

const gatewayRole = byFamilyKind((family) => family.gatewayRoles);
const policyTargetsOf = byFamilyKind((family) => family.policyTargets);

interface Touch {
  readonly key: string;
  readonly change: GatewayImpact["change"];
  readonly via?: string;
}

/** What the changed policies attached by name (Family.policyTargets) reach: the Gateways and the routes they name, on either side. */
interface PolicyReach {
  readonly gateways: readonly Touch[];
  readonly routes: ReadonlySet<string>;
}

const identity = (id: ResourceId): string => `${id.group}/${id.kind}/${id.namespace}/${id.name}`;

/**
 * A Kuadrant DNSPolicy or AuthPolicy, an Envoy Gateway SecurityPolicy reaches the Gateway or route
 * it names: the Gateway with every route attached, the route with its flows. Gateways and routes
 * are indexed by identity once a review, and only when a changed policy names one.
 */
function policyReach(input: BlastRadiusInput): PolicyReach {
  const named: { readonly target: PolicyTarget; readonly via: string }[] = [];
  for (const change of input.changes) {
    const verb = !change.base ? "added" : !change.head ? "removed" : "changed";
    for (const policy of [change.base, change.head]) {
      if (!policy) continue;
      for (const target of policyTargetsOf(policy)?.(policy) ?? []) named.push({ target, via: `${displayName(policy.id)} ${verb}` });
    }
  }
  if (named.length === 0) return { gateways: [], routes: new Set() };
  const index = new Map<string, string[]>();
  const put = (id: ResourceId, key: string) => {
    const keys = index.get(identity(id)) ?? [];
    if (!keys.includes(key)) index.set(identity(id), [...keys, key]);
  };
  for (const side of [input.base, input.head]) {
    for (const gateway of side.graph.gateways.values()) put(gateway.id, gateway.key);
    for (const route of side.graph.routes.values()) put(route.id, route.key);
  }
  const gateways: Touch[] = [];
  const routes = new Set<string>();
  for (const { target, via } of named)
    for (const key of index.get(identity(target)) ?? []) {
      if (target.kind === "Gateway") gateways.push({ key, change: "changed", via });
      else routes.add(key);
    }
  return { gateways, routes };
}

function touchedGateways(input: BlastRadiusInput, policies: PolicyReach): Touch[] {
  const touches = new Map<string, Touch>();
  const add = (touch: Touch) => {
    if (!touches.has(touch.key)) touches.set(touch.key, touch);
  };
  const verb = (change: ResourceChange) => (!change.base ? "added" : !change.head ? "removed" : "changed");
  const allGateways = (): GatewayNode[] => [...input.head.graph.gateways.values(), ...input.base.graph.gateways.values()];
  for (const change of input.changes) {
    const resource = (change.head ?? change.base)!;
    const { id } = resource;
    const role = gatewayRole(resource);
    if (role === "gateway") add({ key: change.key, change: verb(change) });
    else if (role === "listener-set") {
      const set = input.head.graph.listenerSets.get(change.key) ?? input.base.graph.listenerSets.get(change.key);
      const parent = allGateways().find(
        (g) => g.api === "gateway-api" && g.id.namespace === set?.parent.namespace && g.id.name === set.parent.name,
      );
      if (parent) add({ key: parent.key, change: "changed", via: `${displayName(id)} ${verb(change)}` });
    } else if (role === "gateway-class") {
      for (const gateway of allGateways())
        if (gateway.className === id.name) add({ key: gateway.key, change: "changed", via: `${displayName(id)} ${verb(change)}` });
    }
  }
  for (const touch of policies.gateways) add(touch);
  return [...touches.values()];
}

const routeName = (side: GraphSide, key: string): string => {
  const route = side.graph.routes.get(key);
  return route ? displayName(route.id) : key;
};

function gatewayImpact(input: BlastRadiusInput, touch: Touch): GatewayImpact {
  const { base, head } = input;
  const before = base.graph.routesByGateway.get(touch.key) ?? [];
  const after = head.graph.routesByGateway.get(touch.key) ?? [];
  const [beforeSet, afterSet] = [new Set(before), new Set(after)];
  const routes = sorted([...after.map((key) => routeName(head, key)), ...before.map((key) => routeName(base, key))]);
  const resource = head.manifests.resources.get(touch.key) ?? base.manifests.resources.get(touch.key);
  return {
    gateway: resource ? displayName(resource.id) : touch.key,
    change: touch.change,
    ...(touch.via ? { via: touch.via } : {}),
    file: resource?.source.file ?? "",
    line: resource?.source.line ?? 0,
    routesAttached: routes.length,
    routes,
    attached: sorted(after.filter((key) => !beforeSet.has(key)).map((key) => routeName(head, key))),
    detached: sorted(before.filter((key) => !afterSet.has(key)).map((key) => routeName(base, key))),
  };
}

/** Flows the change reaches on one side: diffed flows, flows behind touched Gateways, flows to changed DestinationRule hosts or exports. */
function affectedFlows(
  side: GraphSide,
  input: BlastRadiusInput,
  touches: readonly Touch[],
  { hosts, exports }: Referents,
  policyRoutes: ReadonlySet<string>,
): Flow[] {
  const flows = new Set<Flow>();
  const addRoute = (key: string) => {
    for (const flow of side.graph.flowsByRoute.get(key) ?? []) flows.add(flow);
  };
  for (const diff of input.routeDiffs) {
    const flow = side === input.head ? diff.head : diff.base;
    if (flow) flows.add(flow);
  }
  for (const touch of touches) for (const route of side.graph.routesByGateway.get(touch.key) ?? []) addRoute(route);
  for (const route of policyRoutes) addRoute(route);
  if (hosts.size > 0 || exports.size > 0) {
    for (const route of side.graph.routes.values()) {
      const reached = route.destinations.some(
        (d) => (d.host !== undefined && hosts.has(d.host)) || (d.kind === "ServiceImport" && exports.has(`${d.namespace}/${d.name}`)),
      );
      if (reached) addRoute(route.key);
    }
  }
  return [...flows];
}

/** Hosts and exported services the changed resources name (each family's `referents`). */
interface Referents {
  readonly hosts: ReadonlySet<string>;
  readonly exports: ReadonlySet<string>;
}

const referentsOf = byFamilyKind((family) => family.referents);

function changedReferents(changes: readonly ResourceChange[]): Referents {
  const hosts = new Set<string>();
  const exports = new Set<string>();
  for (const change of changes) {
    for (const resource of [change.base, change.head]) {
      const named = resource && referentsOf(resource)?.(resource);
      for (const host of named?.hosts ?? []) hosts.add(host);
      for (const name of named?.exports ?? []) exports.add(name);
    }
  }
  return { hosts, exports };
}

/** `reviews.bookinfo.svc.cluster.local` → `reviews.bookinfo`; TLS/TCP section suffixes dropped. */
const hostnameOf = (host: string): string => host.replace(/ \((?:tls|tcp)\)$/, "").replace(/\.svc\.cluster\.local$/, "");

function shareShifts(diffs: readonly RouteDiff[]): ShareShift[] {
  return diffs
    .filter((diff) => diff.regions.some((r) => Math.abs(r.before - r.after) > EPSILON))
    .map((diff) => {
      const flow = (diff.head ?? diff.base)!;
      return {
        flow: describeFlow(flow),
        entry: flow.entry,
        regions: diff.regions
          .filter((r) => r.before > EPSILON || r.after > EPSILON)
          .map((r) => ({ region: r.region, before: pct(r.before), after: pct(r.after) })),
      };
    });
}

/** Regions each service receives traffic in, over every flow of the tree. */
function serviceRegions(model: TrafficModel, services: ReadonlySet<string>): Map<string, Set<string>> {
  const regions = new Map<string, Set<string>>();
  for (const flow of servedFlows(model)) {
    for (const backend of flow.backends) {
      if (backend.share <= EPSILON || !services.has(backend.service)) continue;
      const set = regions.get(backend.service) ?? new Set<string>();
      for (const region of backend.placement.regions) set.add(region);
      regions.set(backend.service, set);
    }
  }
  return regions;
}

/**
 * The services a flow of one model but not the other sends to. The head shares the base's equal
 * flows (one object, shadowing included), so a service no such flow names is sent to by the same
 * flows on both sides, in the same regions: the tree-wide tables are built for these alone (on a
 * large tree, tens of thousands of services and region sets a side that could not shift).
 */
function servicesOfChangedFlows(base: TrafficModel, head: TrafficModel): Set<string> {
  const services = new Set<string>();
  const differing = (model: TrafficModel, other: TrafficModel) => {
    const kept = new Set<Flow>();
    other.flows.forEach((flow) => kept.add(flow));
    model.flows.forEach((flow) => {
      if (!kept.has(flow)) for (const backend of flow.backends) services.add(backend.service);
    });
  };
  differing(base, head);
  differing(head, base);
  return services;
}

function servicesShifting(base: TrafficModel, head: TrafficModel): ServiceRegions[] {
  const candidates = servicesOfChangedFlows(base, head);
  const before = serviceRegions(base, candidates);
  const after = serviceRegions(head, candidates);
  const shifts: ServiceRegions[] = [];
  for (const service of sorted([...before.keys(), ...after.keys()])) {
    const was = before.get(service) ?? new Set<string>();
    const now = after.get(service) ?? new Set<string>();
    const gained = sorted([...now].filter((r) => !was.has(r)));
    const lost = sorted([...was].filter((r) => !now.has(r)));
    if (gained.length || lost.length) shifts.push({ service, gained, lost });
  }
  return shifts;
}

function issueViews(issues: readonly GraphIssue[], set: ManifestSet): IssueView[] {
  return issues.map((issue) => {
    const subject = issue.subjects[0]!;
    const resource = set.resources.get(subject.key);
    return {
      class: issue.class,
      summary: issue.summary,
      file: resource?.source.file ?? "",
      line: resource ? lineOf(resource.source, subject.path) : 0,
    };
  });
}

export function blastRadiusOf(input: BlastRadiusInput): BlastRadius {
  const { base, head, topology } = input;
  const policies = policyReach(input);
  const touches = touchedGateways(input, policies);
  const gateways = touches.map((touch) => gatewayImpact(input, touch)).sort((a, b) => a.gateway.localeCompare(b.gateway));
  const referents = changedReferents(input.changes);
  const flows = [
    ...affectedFlows(base, input, touches, referents, policies.routes),
    ...affectedFlows(head, input, touches, referents, policies.routes),
  ];

  const clusters = new Set<string>();
  const regions = new Set<string>();
  for (const change of input.changes) {
    if (change.base) for (const cluster of base.placement(change.base.source.file).clusters) clusters.add(cluster);
    if (change.head) for (const cluster of head.placement(change.head.source.file).clusters) clusters.add(cluster);
  }
  for (const flow of flows) {
    for (const backend of flow.backends) {
      for (const cluster of backend.placement.clusters) clusters.add(cluster);
      for (const region of backend.placement.regions) regions.add(region);
    }
  }
  for (const cluster of clusters) {
    const region = topology.clusters[cluster];
    if (region) regions.add(region);
  }

  const hostnames = new Set(flows.map((flow) => hostnameOf(flow.host)).filter((host) => host !== "*"));
  for (const host of referents.hosts) hostnames.add(hostnameOf(host));

  const attached = new Set(gateways.flatMap((gateway) => gateway.routes));
  return {
    hostnames: sorted(hostnames),
    gateways,
    routesAttached: attached.size,
    clusters: sorted(clusters),
    regions: sorted(regions),
    shareShift: shareShifts(input.routeDiffs),
    services: servicesShifting(base.model, head.model),
    meshScope: meshScopes(input.changes, rootNamespaceOf(head.manifests), head.graph.namespaces),
    issues: {
      introduced: issueViews(input.issues.introduced, head.manifests),
      existing: issueViews(input.issues.existing, head.manifests),
      fixed: issueViews(input.issues.fixed, base.manifests),
    },
    unchecked: input.unchecked,
  };
}
