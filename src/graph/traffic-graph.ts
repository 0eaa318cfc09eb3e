import type { ManifestSet, Resource } from "../core/resource.js";
import type { FilePlacement } from "../model/gitops-placement.js";
import {
  attachRoute,
  byFamilyKind,
  entryPointsOf,
  type Attachment,
  type EntryPoints,
  type GatewayNode,
  type ListenerSetNode,
} from "../families/index.js";
import type { DestinationRuleNode, GraphNode, GraphNodeReader, ReferenceGrantNode, RouteNode } from "../core/graph-nodes.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";
import { sameItems } from "../core/same-items.js";

/**
 * The repo-wide traffic graph of one tree (DESIGN §7): every Gateway and listener, every route
 * and the parents it attaches to, the flows of each route (their backends carry placement), ServiceExports per cluster,
 * DestinationRules per host. Built from the whole tree, so a change to a Gateway reaches routes
 * in files the PR never touched.
 */

export interface TrafficGraph {
  /** GatewayClass name → its key. */
  readonly gatewayClasses: ReadonlyMap<string, string>;
  readonly gateways: ReadonlyMap<string, GatewayNode>;
  readonly listenerSets: ReadonlyMap<string, ListenerSetNode>;
  readonly routes: ReadonlyMap<string, RouteNode>;
  readonly attachments: readonly Attachment[];
  /** Gateway key → keys of the routes attached to it (directly or through a ListenerSet). */
  readonly routesByGateway: ReadonlyMap<string, readonly string[]>;
  readonly destinationRules: ReadonlyMap<string, readonly DestinationRuleNode[]>;
  /** Namespace → the ReferenceGrants that let other namespaces reference its objects. */
  readonly referenceGrants: ReadonlyMap<string, readonly ReferenceGrantNode[]>;
  /** `namespace/name` → clusters that export it ("" for an export whose cluster is unknown). */
  readonly serviceExports: ReadonlyMap<string, readonly string[]>;
  /** Route key → its flows. */
  readonly flowsByRoute: ReadonlyMap<string, readonly Flow[]>;
  /** Every namespace a traffic resource of the tree sits in. */
  readonly namespaces: readonly string[];
  /** Labels of the Namespaces the tree defines, for selectors that admit by namespace (see EntryPoints). */
  readonly namespaceLabels: EntryPoints["namespaceLabels"];
}

/** The clusters of an export whose file's cluster is unknown. */
const UNKNOWN_CLUSTER: readonly string[] = Object.freeze([""]);

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/** The reader of a resource's node, when its kind is one. */
const graphNodeReader = byFamilyKind((family) => family.graphNodes);

/**
 * A node is a function of its resource alone, and a resource the PR leaves alone is one object in
 * both trees (the loader's cache): the graphs of one review share a memo, so each is read once and held once.
 */
export type GraphNodeMemo = Map<Resource, GraphNode>;

function nodeOf(memo: GraphNodeMemo, resource: Resource, read: GraphNodeReader): GraphNode {
  let node = memo.get(resource);
  if (!node) memo.set(resource, (node = read(resource)));
  return node;
}

/**
 * Where a route lands is a function of its node and the tree's entry points: while the next tree
 * has the same entry points (equal trees are given one object, see entryPointsOf), a route node the
 * trees share keeps its attachments (one list held for both graphs, not two).
 */
export interface AttachmentMemo {
  points?: EntryPoints;
  readonly byRoute: Map<RouteNode, readonly Attachment[]>;
}

/**
 * What the graphs of one review share: nodes, attachments, and the flow lists of the graph built
 * last (a route whose flows are all the base tree's objects keeps the base's list: one held, not two).
 */
export interface GraphMemo {
  readonly nodes: GraphNodeMemo;
  readonly attachments: AttachmentMemo;
  flowsByRoute?: ReadonlyMap<string, readonly Flow[]>;
  /** The service exports of the graph built last, and what they were read from. */
  exports?: { readonly from: readonly Resource[]; readonly placement: FilePlacement; readonly byService: ServiceExports };
}

/** `namespace/name` → clusters that export it ("" for an export whose cluster is unknown). */
type ServiceExports = ReadonlyMap<string, readonly string[]>;

export const graphMemo = (): GraphMemo => ({ nodes: new Map(), attachments: { byRoute: new Map() } });

/**
 * The nodes of a tree's resources, read into the memo ahead of its graph: read while every body is
 * held, so the bodies of what the PR leaves alone can be let go before the graphs are built.
 */
export function readGraphNodes(set: ManifestSet, memo: GraphMemo): void {
  set.resources.forEach((resource) => {
    const read = graphNodeReader(resource);
    if (read) nodeOf(memo.nodes, resource, read);
  });
}

/**
 * The tree's service exports: the last graph's where they were read from the same resources, placed
 * alike (a PR that leaves every ServiceExport alone: a fleet's tens of thousands, one map for both graphs).
 */
function exportsOf(from: readonly Resource[], services: readonly string[], placement: FilePlacement, memo: GraphMemo): ServiceExports {
  const last = memo.exports;
  if (last && last.placement === placement && sameItems(last.from, from)) return last.byService;
  const byService = new Map<string, readonly string[]>();
  from.forEach((resource, index) => {
    // A service exported once (nearly every one) holds its file's list of clusters itself, not a copy.
    const clusters = placement(resource.source.file).clusters;
    const clustersOf = clusters.length > 0 ? clusters : UNKNOWN_CLUSTER;
    const known = byService.get(services[index]!);
    byService.set(services[index]!, known ? [...known, ...clustersOf] : clustersOf);
  });
  memo.exports = { from, placement, byService };
  return byService;
}

/** The last graph's list where it holds the same flows, else this one. */
function sharedLists(lists: Map<string, readonly Flow[]>, previous: ReadonlyMap<string, readonly Flow[]> | undefined): void {
  if (!previous) return;
  lists.forEach((flows, key) => {
    const before = previous.get(key);
    if (before && sameItems(before, flows)) lists.set(key, before);
  });
}

function attachmentsOf(routes: Iterable<RouteNode>, points: EntryPoints, memo: AttachmentMemo): Attachment[] {
  if (memo.points !== points) {
    memo.byRoute.clear();
    memo.points = points;
  }
  const attachments: Attachment[] = [];
  for (const route of routes) {
    let landed = memo.byRoute.get(route);
    if (!landed) memo.byRoute.set(route, (landed = attachRoute(route, points)));
    attachments.push(...landed);
  }
  return attachments;
}

export function buildTrafficGraph(
  set: ManifestSet,
  model: TrafficModel,
  filePlacement: FilePlacement,
  memo: GraphMemo = graphMemo(),
): TrafficGraph {
  const gatewayClasses = new Map<string, string>();
  const points = entryPointsOf(set);
  const routes = new Map<string, RouteNode>();
  const destinationRules = new Map<string, DestinationRuleNode[]>();
  const exporting: Resource[] = [];
  const exported: string[] = [];
  const referenceGrants = new Map<string, ReferenceGrantNode[]>();
  const namespaces = new Set<string>();

  // forEach: a `for…of` over a whole tree's Map makes an iterator result per resource.
  set.resources.forEach((resource) => {
    const { id } = resource;
    if (id.namespace) namespaces.add(id.namespace);
    const read = graphNodeReader(resource);
    if (!read) return;
    const node = nodeOf(memo.nodes, resource, read);
    if (node.role === "gateway-class") gatewayClasses.set(id.name, resource.key);
    else if (node.role === "route") routes.set(resource.key, node.route);
    else if (node.role === "destination-rule") push(destinationRules, node.rule.host, node.rule);
    else if (node.role === "reference-grant") push(referenceGrants, id.namespace, node.grant);
    else {
      exporting.push(resource);
      exported.push(node.service);
    }
  });
  const serviceExports = exportsOf(exporting, exported, filePlacement, memo);

  const flowsByRoute = new Map<string, Flow[]>();
  model.flows.forEach((flow) => push(flowsByRoute, flow.resourceKey, flow));
  sharedLists(flowsByRoute, memo.flowsByRoute);
  memo.flowsByRoute = flowsByRoute;

  const attachments = attachmentsOf(routes.values(), points, memo.attachments);
  const routesByGateway = new Map<string, string[]>();
  for (const attachment of attachments) {
    if (!attachment.gateway || attachment.status === "missing" || attachment.status === "rejected") continue;
    const list = routesByGateway.get(attachment.gateway);
    if (!list) routesByGateway.set(attachment.gateway, [attachment.route]);
    else if (list[list.length - 1] !== attachment.route) list.push(attachment.route);
  }

  return {
    gatewayClasses,
    gateways: points.gateways,
    listenerSets: points.listenerSets,
    namespaceLabels: points.namespaceLabels,
    routes,
    attachments,
    routesByGateway,
    destinationRules,
    referenceGrants,
    serviceExports,
    flowsByRoute,
    namespaces: [...namespaces].sort(),
  };
}
