import { hostsOverlap } from "./host-match.js";
import type { GatewayNode, ListenerNode, ListenerSetNode, ParentRefNode, RouteNode } from "./traffic-graph.js";

/**
 * Which listeners a route's parent reference lands on, as a Gateway API controller or istiod
 * decides it: the parent must exist, the sectionName/port must name a listener, and the listener
 * must admit the route (allowedRoutes namespaces and kinds, hostname intersection; Istio server
 * hosts with their namespace part). Whether a missing parent is an error is the checks' call:
 * here it is only "missing".
 */
export type AttachmentStatus = "attached" | "unknown" | "missing" | "rejected";

export interface Attachment {
  readonly route: string;
  /** Index of the parent in the route's parents. */
  readonly parent: number;
  readonly target: ParentRefNode;
  /** The Gateway reached, directly or through a ListenerSet. */
  readonly gateway?: string;
  /** Ids of the listeners the route lands on (`mesh` or the parent entry for mesh parents). */
  readonly listeners: readonly string[];
  readonly status: AttachmentStatus;
  /** Why it is not attached, or why that cannot be known from the tree. */
  readonly reason?: string;
}

type Verdict = { readonly admits: true } | { readonly admits: false | "unknown"; readonly reason: string };

const ADMITTED: Verdict = { admits: true };
const GATEWAY_API = "gateway.networking.k8s.io";
const normalGroup = (group: string) => (group === "gateway.networking.x-k8s.io" ? GATEWAY_API : group);

/** Route kinds a listener admits when allowedRoutes.kinds is unset (Gateway API spec, by protocol). */
const DEFAULT_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute", "TCPRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

function namespaceVerdict(listener: ListenerNode, route: RouteNode): Verdict {
  switch (listener.allowedFrom) {
    case "All":
      return ADMITTED;
    case "None":
      return { admits: false, reason: `listener ${listener.name} admits no routes (allowedRoutes from None)` };
    case "Selector":
      return { admits: "unknown", reason: `listener ${listener.name} admits namespaces by label selector, and Namespace labels are not in the tree` };
    case "Same":
      return route.id.namespace === listener.ownerNamespace
        ? ADMITTED
        : { admits: false, reason: `listener ${listener.name} admits only routes from namespace ${listener.ownerNamespace}` };
  }
}

function kindVerdict(listener: ListenerNode, route: RouteNode): Verdict {
  const kind = `${normalGroup(route.id.group)}/${route.id.kind}`;
  const allowed = listener.allowedKinds?.map((k) => {
    const slash = k.lastIndexOf("/");
    return `${normalGroup(k.slice(0, slash))}/${k.slice(slash + 1)}`;
  }) ?? DEFAULT_KINDS[listener.protocol.toUpperCase()]?.map((k) => `${GATEWAY_API}/${k}`);
  if (!allowed || allowed.includes(kind)) return ADMITTED;
  return { admits: false, reason: `listener ${listener.name} admits ${allowed.map((k) => k.slice(k.lastIndexOf("/") + 1)).join(", ")}, not ${route.id.kind}` };
}

function hostnameVerdict(listener: ListenerNode, route: RouteNode): Verdict {
  if (listener.hostnames.length === 0 || route.hostnames.length === 0) return ADMITTED;
  if (route.hostnames.some((host) => listener.hostnames.some((own) => hostsOverlap(own, host)))) return ADMITTED;
  return { admits: false, reason: `listener ${listener.name} hostname ${listener.hostnames.join(", ")} matches none of ${route.hostnames.join(", ")}` };
}

/** Istio server hosts are `namespace/host`: `*` any namespace, `.` the Gateway's own. */
function istioServerVerdict(server: ListenerNode, route: RouteNode): Verdict {
  const accepts = server.hostnames.some((entry) => {
    const slash = entry.indexOf("/");
    const namespace = slash >= 0 ? entry.slice(0, slash) : "*";
    const host = slash >= 0 ? entry.slice(slash + 1) : entry;
    const visible = namespace === "*" || namespace === route.id.namespace || (namespace === "." && route.id.namespace === server.ownerNamespace);
    return visible && route.hostnames.some((own) => hostsOverlap(host, own));
  });
  return accepts ? ADMITTED : { admits: false, reason: `server ${server.name} hosts ${server.hostnames.join(", ")} accept none of ${route.hostnames.join(", ")}` };
}

function admission(listener: ListenerNode, route: RouteNode): Verdict {
  if (route.api === "istio") return istioServerVerdict(listener, route);
  for (const verdict of [namespaceVerdict(listener, route), kindVerdict(listener, route), hostnameVerdict(listener, route)]) {
    if (verdict.admits !== true) return verdict;
  }
  return ADMITTED;
}

/** The parent's listeners that the reference selects (sectionName, port), then those that admit the route. */
function land(route: RouteNode, parent: ParentRefNode, listeners: readonly ListenerNode[], owner: string): Pick<Attachment, "listeners" | "status" | "reason"> {
  const selected = listeners.filter(
    (listener) => (parent.sectionName === undefined || listener.name === parent.sectionName) && (parent.port === undefined || listener.port === parent.port),
  );
  if (selected.length === 0) {
    const which = [parent.sectionName ? `named ${parent.sectionName}` : "", parent.port ? `on port ${parent.port}` : ""].filter(Boolean).join(" ");
    return { listeners: [], status: "rejected", reason: `${owner} has no listener${which ? ` ${which}` : "s"}` };
  }
  const verdicts = selected.map((listener) => ({ listener, verdict: admission(listener, route) }));
  const admitted = verdicts.filter(({ verdict }) => verdict.admits === true).map(({ listener }) => listener.id);
  if (admitted.length > 0) return { listeners: admitted, status: "attached" };
  const unknown = verdicts.filter(({ verdict }) => verdict.admits === "unknown");
  if (unknown.length > 0) return { listeners: unknown.map(({ listener }) => listener.id), status: "unknown", reason: reasons(unknown.map(({ verdict }) => verdict)) };
  return { listeners: [], status: "rejected", reason: `${owner}: ${reasons(verdicts.map(({ verdict }) => verdict))}` };
}

const reasons = (verdicts: readonly Verdict[]) => [...new Set(verdicts.map((v) => ("reason" in v ? v.reason : "")))].join("; ");

const byName = <T extends { id: { namespace: string; name: string } }>(nodes: Iterable<T>): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const node of nodes) {
    const key = `${node.id.namespace}/${node.id.name}`;
    map.set(key, [...(map.get(key) ?? []), node]);
  }
  return map;
};

/** The same name in several clusters: the one in the route's own cluster, else an unscoped one, else any. */
const pick = <T extends { scope?: string }>(candidates: readonly T[] | undefined, scope: string | undefined): T | undefined =>
  candidates?.find((c) => c.scope === scope) ?? candidates?.find((c) => c.scope === undefined) ?? candidates?.[0];

export function resolveAttachments(
  routes: ReadonlyMap<string, RouteNode>,
  gateways: ReadonlyMap<string, GatewayNode>,
  listenerSets: ReadonlyMap<string, ListenerSetNode>,
): Attachment[] {
  const gatewayApi = byName([...gateways.values()].filter((g) => g.api === "gateway-api"));
  const istio = byName([...gateways.values()].filter((g) => g.api === "istio"));
  const sets = byName(listenerSets.values());

  const resolve = (route: RouteNode, parent: ParentRefNode): Omit<Attachment, "route" | "parent" | "target"> => {
    const name = `${parent.namespace}/${parent.name}`;
    if (parent.kind === "mesh") return { listeners: ["mesh"], status: "attached" };
    if (route.api === "istio") {
      const gateway = pick(istio.get(name), route.scope);
      if (!gateway) return { listeners: [], status: "missing", reason: `Istio Gateway ${name} is not in the tree` };
      // A Gateway written without servers (as in istioctl's own test data) leaves hosts unjudged.
      if (gateway.listeners.length === 0) return { gateway: gateway.key, listeners: [], status: "attached" };
      return { gateway: gateway.key, ...land(route, parent, gateway.listeners, `Gateway ${name}`) };
    }
    if (parent.kind === "Gateway") {
      const gateway = pick(gatewayApi.get(name), route.scope);
      if (!gateway) return { listeners: [], status: "missing", reason: `Gateway ${name} is not in the tree` };
      return { gateway: gateway.key, ...land(route, parent, gateway.listeners, `Gateway ${name}`) };
    }
    if (parent.kind === "ListenerSet" || parent.kind === "XListenerSet") {
      const set = pick(sets.get(name), route.scope);
      if (!set) return { listeners: [], status: "missing", reason: `ListenerSet ${name} is not in the tree` };
      const gateway = pick(gatewayApi.get(`${set.parent.namespace}/${set.parent.name}`), set.scope);
      return { ...(gateway ? { gateway: gateway.key } : {}), ...land(route, parent, set.listeners, `ListenerSet ${name}`) };
    }
    // GAMMA: a Service parent is the mesh entry of that Service; Services are not traffic resources of the tree.
    if (parent.kind === "Service") return { listeners: [parent.entry], status: "unknown", reason: `GAMMA parent Service ${name}: Services are not read from the tree` };
    return { listeners: [parent.entry], status: "unknown", reason: `parent kind ${parent.kind} is not modelled` };
  };

  const attachments: Attachment[] = [];
  for (const route of routes.values()) {
    route.parents.forEach((parent, index) => attachments.push({ route: route.key, parent: index, target: parent, ...resolve(route, parent) }));
  }
  return attachments;
}
