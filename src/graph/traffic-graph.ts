import type { ManifestSet, Resource, ResourceId } from "../core/resource.js";
import type { FilePlacement } from "../model/gitops-placement.js";
import {
  attachRoute,
  entryPointsOf,
  gatewayApiAttachingRoute,
  GATEWAY_API_GROUPS,
  GATEWAY_ROUTE_KINDS,
  scoped,
  type AttachingRoute,
  type GatewayNode,
  type ListenerSetNode,
  type Attachment,
  type ParentRefNode,
} from "../families/index.js";
import { qualifyHost } from "../core/service-host.js";
import { list, nonEmptyTexts, record, text, type JsonRecord } from "../core/json-access.js";
import type { Flow, Placement, TrafficModel } from "../core/traffic-model.js";
import type { FieldPath } from "../core/finding.js";

/**
 * The repo-wide traffic graph of one tree (DESIGN §7): every Gateway and listener, every route
 * and the parents it attaches to, every backend with its placement, ServiceExports per cluster,
 * DestinationRules per host. Built from the whole tree, so a change to a Gateway reaches routes
 * in files the PR never touched.
 */

/** A backend a route names: Gateway API backendRef, or an Istio destination (route or mirror). */
export interface DestinationRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Istio: the fully qualified destination host and its subset. */
  readonly host?: string;
  readonly subset?: string;
  readonly path: FieldPath;
}

export interface RouteNode extends AttachingRoute {
  readonly destinations: readonly DestinationRef[];
  /** VirtualService exportTo (empty = every namespace). */
  readonly exportTo: readonly string[];
}

export interface DestinationRuleNode {
  readonly key: string;
  readonly id: ResourceId;
  readonly host: string;
  readonly subsets: readonly string[];
  /** Where locality failover is configured, when it is. */
  readonly failoverAt?: FieldPath;
  readonly outlierDetection: boolean;
}

export interface BackendNode {
  readonly key: string;
  readonly label: string;
  readonly service: string;
  readonly placement: Placement;
  /** Keys of the flows that send traffic to it. */
  readonly flows: readonly string[];
}

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
  /** `namespace/name` → clusters that export it ("" for an export whose cluster is unknown). */
  readonly serviceExports: ReadonlyMap<string, readonly string[]>;
  readonly backends: ReadonlyMap<string, BackendNode>;
  /** Route key → its flows. */
  readonly flowsByRoute: ReadonlyMap<string, readonly Flow[]>;
  /** Every namespace a traffic resource of the tree sits in. */
  readonly namespaces: readonly string[];
}

const ISTIO_NETWORKING = "networking.istio.io";
const LEGACY_GATEWAY_API = "networking.x-k8s.io";
const SCOPE_SUFFIX = / \[[^\]]*\]$/;

/** A flow's entry without the ` [cluster]` suffix the model adds to scoped resources. */
export const unscopedEntry = (entry: string): string => entry.replace(SCOPE_SUFFIX, "");

const routeNode = (
  resource: Resource,
  api: RouteNode["api"],
  edges: Pick<RouteNode, "hostnames" | "parents" | "destinations" | "exportTo">,
): RouteNode => ({
  key: resource.key,
  id: resource.id,
  api,
  ...scoped(resource.key),
  ...edges,
});

function gatewayApiRoute(resource: Resource): RouteNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  list(spec.rules).forEach((rule, ruleIndex) => {
    list(record(rule).backendRefs).forEach((item, index) => {
      const ref = record(item);
      destinations.push({
        kind: text(ref.kind) ?? "Service",
        namespace: text(ref.namespace) ?? namespace,
        name: text(ref.name) ?? "?",
        path: ["spec", "rules", ruleIndex, "backendRefs", index],
      });
    });
  });
  return { ...gatewayApiAttachingRoute(resource), destinations, exportTo: [] };
}

/**
 * A legacy (networking.x-k8s.io v1alpha1) route: Gateways select it by label, so its attachment
 * lives in the model's flows; the graph keeps its backends (forwardTo) for the reference checks.
 */
function legacyRoute(resource: Resource): RouteNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const destinations: DestinationRef[] = [];
  list(spec.rules).forEach((rule, ruleIndex) => {
    list(record(rule).forwardTo).forEach((item, index) => {
      const forward = record(item);
      const ref = record(forward.backendRef);
      const serviceName = text(forward.serviceName);
      const path = ["spec", "rules", ruleIndex, "forwardTo", index];
      if (serviceName) destinations.push({ kind: "Service", namespace, name: serviceName, path });
      else destinations.push({ kind: text(ref.kind) ?? "Service", namespace, name: text(ref.name) ?? "?", path: [...path, "backendRef"] });
    });
  });
  return routeNode(resource, "gateway-api", { hostnames: nonEmptyTexts(spec.hostnames), parents: [], destinations, exportTo: [] });
}

function virtualService(resource: Resource): RouteNode {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const gateways = list(spec.gateways).map(text);
  const parents: ParentRefNode[] = (gateways.length ? gateways : ["mesh"]).map((gateway, index) => {
    const name = gateway ?? "?";
    const [ns, short] = name.includes("/") ? [name.slice(0, name.indexOf("/")), name.slice(name.indexOf("/") + 1)] : [namespace, name];
    return {
      group: ISTIO_NETWORKING,
      kind: name === "mesh" ? "mesh" : "Gateway",
      namespace: name === "mesh" ? "" : ns,
      name: short,
      entry: name === "mesh" ? "mesh" : `Gateway ${ns}/${short}`,
      path: gateways.length ? ["spec", "gateways", index] : ["spec"],
    };
  });
  const destinations: DestinationRef[] = [];
  const destination = (value: unknown, path: FieldPath) => {
    const target = record(value);
    const host = text(target.host);
    if (!host) return;
    const subset = text(target.subset);
    destinations.push({ kind: "Host", namespace, name: host, host: qualifyHost(host, namespace), ...(subset ? { subset } : {}), path });
  };
  for (const section of ["http", "tls", "tcp"] as const) {
    list(spec[section]).forEach((item, ruleIndex) => {
      const rule = record(item);
      const rulePath = ["spec", section, ruleIndex];
      list(rule.route).forEach((route, index) => destination(record(route).destination, [...rulePath, "route", index, "destination"]));
      if (rule.mirror !== undefined) destination(rule.mirror, [...rulePath, "mirror"]);
      list(rule.mirrors).forEach((mirror, index) =>
        destination(record(mirror).destination, [...rulePath, "mirrors", index, "destination"]),
      );
    });
  }
  return routeNode(resource, "istio", {
    hostnames: nonEmptyTexts(spec.hosts),
    parents,
    destinations,
    exportTo: nonEmptyTexts(spec.exportTo),
  });
}

/** Where a traffic policy turns locality failover on: explicit failover or failoverPriority. */
function failoverIn(policy: JsonRecord, path: FieldPath): FieldPath | undefined {
  const locality = record(record(policy.loadBalancer).localityLbSetting);
  if (list(locality.failover).length > 0 || list(locality.failoverPriority).length > 0)
    return [...path, "loadBalancer", "localityLbSetting"];
  for (const [index, setting] of list(policy.portLevelSettings).entries()) {
    const found = failoverIn(record(setting), [...path, "portLevelSettings", index]);
    if (found) return found;
  }
  return undefined;
}

const hasOutlierDetection = (policy: JsonRecord): boolean =>
  policy.outlierDetection !== undefined || list(policy.portLevelSettings).some((setting) => record(setting).outlierDetection !== undefined);

function destinationRule(resource: Resource): DestinationRuleNode {
  const spec = record(resource.body.spec);
  const subsets = list(spec.subsets).map(record);
  const policies: [JsonRecord, FieldPath][] = [
    [record(spec.trafficPolicy), ["spec", "trafficPolicy"]],
    ...subsets.map((subset, index): [JsonRecord, FieldPath] => [record(subset.trafficPolicy), ["spec", "subsets", index, "trafficPolicy"]]),
  ];
  const failoverAt = policies.map(([policy, path]) => failoverIn(policy, path)).find((path) => path !== undefined);
  return {
    key: resource.key,
    id: resource.id,
    host: qualifyHost(text(spec.host) ?? "?", resource.id.namespace),
    subsets: subsets.map((subset) => text(subset.name)).filter((name): name is string => !!name),
    ...(failoverAt ? { failoverAt } : {}),
    outlierDetection: policies.some(([policy]) => hasOutlierDetection(policy)),
  };
}

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/**
 * Route and DestinationRule nodes are functions of their resource alone, and a resource the PR
 * leaves alone is one object in both trees (the loader's cache): the graphs of one review share a
 * memo, so each is read once and held once.
 */
export type GraphNodeMemo = Map<Resource, RouteNode | DestinationRuleNode>;

function nodeOf<T extends RouteNode | DestinationRuleNode>(memo: GraphNodeMemo, resource: Resource, read: (resource: Resource) => T): T {
  let node = memo.get(resource) as T | undefined;
  if (!node) memo.set(resource, (node = read(resource)));
  return node;
}

export function buildTrafficGraph(
  set: ManifestSet,
  model: TrafficModel,
  filePlacement: FilePlacement,
  memo: GraphNodeMemo = new Map(),
): TrafficGraph {
  const gatewayClasses = new Map<string, string>();
  const points = entryPointsOf(set);
  const routes = new Map<string, RouteNode>();
  const destinationRules = new Map<string, DestinationRuleNode[]>();
  const serviceExports = new Map<string, string[]>();
  const namespaces = new Set<string>();

  for (const resource of set.resources.values()) {
    const { id } = resource;
    if (id.namespace) namespaces.add(id.namespace);
    const gatewayApi = GATEWAY_API_GROUPS.has(id.group);
    if (gatewayApi && id.kind === "GatewayClass") gatewayClasses.set(id.name, resource.key);
    else if (gatewayApi && GATEWAY_ROUTE_KINDS.has(id.kind)) routes.set(resource.key, nodeOf(memo, resource, gatewayApiRoute));
    else if (id.group === LEGACY_GATEWAY_API && GATEWAY_ROUTE_KINDS.has(id.kind))
      routes.set(resource.key, nodeOf(memo, resource, legacyRoute));
    else if (id.group === ISTIO_NETWORKING && id.kind === "VirtualService")
      routes.set(resource.key, nodeOf(memo, resource, virtualService));
    else if (id.group === ISTIO_NETWORKING && id.kind === "DestinationRule") {
      const rule = nodeOf(memo, resource, destinationRule);
      push(destinationRules, rule.host, rule);
    } else if (id.kind === "ServiceExport") {
      const clusters = filePlacement(resource.source.file).clusters;
      for (const cluster of clusters.length > 0 ? clusters : [""]) push(serviceExports, `${id.namespace}/${id.name}`, cluster);
    }
  }

  const backends = new Map<string, { key: string; label: string; service: string; placement: Placement; flows: string[] }>();
  const flowsByRoute = new Map<string, Flow[]>();
  for (const flow of model.flows.values()) {
    push(flowsByRoute, flow.resourceKey, flow);
    for (const backend of flow.backends) {
      const node = backends.get(backend.key);
      if (node) node.flows.push(flow.key);
      else
        backends.set(backend.key, {
          key: backend.key,
          label: backend.label,
          service: backend.service,
          placement: backend.placement,
          flows: [flow.key],
        });
    }
  }

  const attachments = [...routes.values()].flatMap((route) => attachRoute(route, points));
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
    routes,
    attachments,
    routesByGateway,
    destinationRules,
    serviceExports,
    backends,
    flowsByRoute,
    namespaces: [...namespaces].sort(),
  };
}
