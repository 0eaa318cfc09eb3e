import type { AttachingRoute, ParentRefNode } from "../../core/graph-nodes.js";
import type { EntryPoints, GatewayNode, ListenerNode, ListenerSetNode } from "./entry-points.js";
import { hostIntersection } from "../../core/host-match.js";
import { selectsNamespace } from "../../core/namespace-selection.js";
import { definitionChoices, pickDefinition as pick } from "../../core/nearest-definition.js";
import { GATEWAY_API_EXPERIMENTAL_GROUP, GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { entryCopyOf, notInTree } from "../../core/traffic-model.js";

/**
 * Which listeners a route's parent reference lands on, as a Gateway API controller or istiod
 * decides it: the parent must exist, the sectionName/port must name a listener (none named: every
 * listener), and the listener must admit the route (allowedRoutes namespaces and kinds, hostname
 * intersection; Istio server hosts with their namespace part). The one reader of attachment: the
 * traffic model makes flows only where a route lands, the traffic graph checks and counts the same.
 * Whether a missing parent is an error is the checks' call: here it is only "missing".
 */
export type AttachmentStatus = "attached" | "unknown" | "missing" | "rejected";

/** Where a route lands on one parent, and for which of its hostnames. */
export interface Landing {
  /** The listener's id; `mesh`, or the parent entry as written when no listener can be known. */
  readonly id: string;
  /** How flows name the entry point: the listener (`Gateway infra/public:https`), else the parent as written. */
  readonly entry: string;
  /** The hostnames requests can carry here: the route's hostnames intersected with the listener's (`*`: any). */
  readonly hostnames: readonly string[];
  /** Set when the tree cannot tell whether the route is admitted here: the route is taken as landing, and this says why that is unverified. */
  readonly unverified?: string;
  /** The files of the definition of the listener's owner and of those that are one object with it (ListenerNode.copies). */
  readonly copy?: readonly string[];
  /**
   * Where the parent names a Gateway (or ListenerSet) that several differing definitions nearest
   * the route alike define, the copies (`copy`) of each: the route lands on the first, by tree order
   * alone, and is applied with whichever of them is (Flow.entryChoices). Unset where one is meant.
   */
  readonly choices?: readonly (readonly string[])[];
}

export interface Attachment {
  readonly route: string;
  /** Index of the parent in the route's parents. */
  readonly parent: number;
  readonly target: ParentRefNode;
  /** The Gateway reached, directly or through a ListenerSet. */
  readonly gateway?: string;
  /** Where the route lands: admitted listeners, and those whose admission the tree cannot tell, save those a narrower listener isolates whole. */
  readonly listeners: readonly Landing[];
  readonly status: AttachmentStatus;
  /** Why it is not attached, or why that cannot be known from the tree. */
  readonly reason?: string;
  /**
   * Why an unknown parent cannot be resolved, when the parent itself says: a GAMMA Service, a kind
   * not modelled, or a Gateway the tree holds with no namespace of its own. Unset for the unknowns
   * of admission (a route that names no namespace, Namespace labels the tree lacks).
   */
  readonly unresolved?: UnresolvedParent;
}

export type UnresolvedParent = "gamma" | "kind" | "unplaced";

type Verdict = { readonly admits: true } | { readonly admits: false | "unknown"; readonly reason: string };

const ADMITTED: Verdict = { admits: true };
const normalGroup = (group: string) => (group === GATEWAY_API_EXPERIMENTAL_GROUP ? GATEWAY_API_GROUP : group);

/** Route kinds a listener admits when allowedRoutes.kinds is unset (Gateway API spec, by protocol). */
export const DEFAULT_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute", "TCPRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

function namespaceVerdict(listener: ListenerNode, route: AttachingRoute, namespaceLabels: EntryPoints["namespaceLabels"]): Verdict {
  switch (listener.allowedFrom) {
    case "All":
      return ADMITTED;
    case "None":
      return { admits: false, reason: `listener ${listener.name} admits no routes (allowedRoutes from None)` };
    case "Selector": {
      if (route.namespaceImplied) return unwrittenNamespace(listener);
      const selected = selectsNamespace(listener.allowedSelector, route.id.namespace, namespaceLabels.get(route.id.namespace));
      if (selected === true) return ADMITTED;
      return selected === "unknown"
        ? {
            admits: "unknown",
            reason: `listener ${listener.name} admits namespaces by label selector, and the tree does not define Namespace ${route.id.namespace} (or defines it with different labels)`,
          }
        : {
            admits: false,
            reason: `listener ${listener.name} admits namespaces by label selector, which Namespace ${route.id.namespace}'s labels do not match`,
          };
    }
    case "Same":
      if (route.id.namespace === listener.ownerNamespace) return ADMITTED;
      if (route.namespaceImplied) return unwrittenNamespace(listener);
      return { admits: false, reason: `listener ${listener.name} admits only routes from namespace ${listener.ownerNamespace}` };
  }
}

const unwrittenNamespace = (listener: ListenerNode): Verdict => ({
  admits: "unknown",
  reason: `listener ${listener.name} admits routes by namespace, and the route names none (the tree does not say where it is applied)`,
});

function kindVerdict(listener: ListenerNode, route: AttachingRoute): Verdict {
  const kind = `${normalGroup(route.id.group)}/${route.id.kind}`;
  const allowed =
    listener.allowedKinds?.map((k) => {
      const slash = k.lastIndexOf("/");
      return `${normalGroup(k.slice(0, slash))}/${k.slice(slash + 1)}`;
    }) ?? DEFAULT_KINDS[listener.protocol.toUpperCase()]?.map((k) => `${GATEWAY_API_GROUP}/${k}`);
  if (!allowed || allowed.includes(kind)) return ADMITTED;
  return {
    admits: false,
    reason: `listener ${listener.name} admits ${allowed.map((k) => k.slice(k.lastIndexOf("/") + 1)).join(", ")}, not ${route.id.kind}`,
  };
}

/** TCPRoute and UDPRoute have no hostnames, and listener hostnames do not apply to them. */
const HOSTLESS_KINDS = new Set(["TCPRoute", "UDPRoute"]);

/** The hostnames a route serves on a listener (Gateway API hostname intersection, `*` = any). */
function landedHostnames(listener: ListenerNode, route: AttachingRoute): string[] {
  const own = listener.hostnames[0] ?? "*";
  if (HOSTLESS_KINDS.has(route.id.kind)) return ["*"];
  if (route.hostnames.length === 0) return [own];
  return [...new Set(route.hostnames.map((host) => hostIntersection(own, host)).filter((host): host is string => host !== undefined))];
}

function hostnameVerdict(listener: ListenerNode, route: AttachingRoute): Verdict {
  if (landedHostnames(listener, route).length > 0) return ADMITTED;
  return {
    admits: false,
    reason: `listener ${listener.name} hostname ${listener.hostnames.join(", ")} matches none of ${route.hostnames.join(", ")}`,
  };
}

/** Istio server hosts are `namespace/host`: `*` any namespace, `.` the Gateway's own. */
function istioServerVerdict(server: ListenerNode, route: AttachingRoute): Verdict {
  const accepts = (anyNamespace: boolean) =>
    server.hostnames.some((entry) => {
      const slash = entry.indexOf("/");
      const namespace = slash >= 0 ? entry.slice(0, slash) : "*";
      const host = slash >= 0 ? entry.slice(slash + 1) : entry;
      const visible =
        anyNamespace ||
        namespace === "*" ||
        namespace === route.id.namespace ||
        (namespace === "." && route.id.namespace === server.ownerNamespace);
      return visible && route.hostnames.some((own) => hostIntersection(host, own) !== undefined);
    });
  if (accepts(false)) return ADMITTED;
  if (route.namespaceImplied && accepts(true))
    return {
      admits: "unknown",
      reason: `server ${server.name} accepts hosts ${server.hostnames.join(", ")} by namespace, and the route names none (the tree does not say where it is applied)`,
    };
  return {
    admits: false,
    reason: `server ${server.name} hosts ${server.hostnames.join(", ")} accept none of ${route.hostnames.join(", ")}`,
  };
}

/** A listener that rejects the route for one reason rejects it, even when another reason cannot be judged. */
function admission(listener: ListenerNode, route: AttachingRoute, namespaceLabels: EntryPoints["namespaceLabels"]): Verdict {
  if (route.api === "istio") return istioServerVerdict(listener, route);
  const verdicts = [namespaceVerdict(listener, route, namespaceLabels), kindVerdict(listener, route), hostnameVerdict(listener, route)];
  return verdicts.find((verdict) => verdict.admits === false) ?? verdicts.find((verdict) => verdict.admits === "unknown") ?? ADMITTED;
}

/**
 * Requests go to the most specific listener on a port (Gateway API listener isolation): a hostname
 * that a narrower listener beside this one covers whole never reaches this listener's routes.
 */
function isolated(listener: ListenerNode, siblings: readonly ListenerNode[], hostnames: readonly string[]): readonly string[] {
  const own = listener.hostnames[0] ?? "*";
  const narrower = siblings
    .filter((other) => other !== listener && other.port === listener.port)
    .map((other) => other.hostnames[0] ?? "*")
    .filter((host) => host !== own && hostIntersection(own, host) === host);
  // Nearly always none: the landing keeps the list it was given, not a filtered copy (see nonEmptyTexts).
  if (narrower.length === 0) return hostnames;
  return hostnames.filter((host) => !narrower.some((narrow) => hostIntersection(narrow, host) === host));
}

const landing = (
  listener: ListenerNode,
  siblings: readonly ListenerNode[],
  route: AttachingRoute,
  verdict: Verdict,
  choices: Landing["choices"],
): Landing => ({
  id: listener.id,
  entry: listener.entry,
  hostnames: route.api === "istio" ? route.hostnames : isolated(listener, siblings, landedHostnames(listener, route)),
  ...("reason" in verdict ? { unverified: verdict.reason } : {}),
  ...(listener.copies ? { copy: listener.copies } : {}),
  ...(choices ? { choices } : {}),
});

/** A parent whose listeners the tree cannot show: the route lands on it as written. */
const asWritten = (route: AttachingRoute, parent: ParentRefNode, unverified?: string): Landing => ({
  id: parent.kind === "mesh" ? "mesh" : parent.entry,
  entry: parent.entry,
  hostnames: route.hostnames.length > 0 && !HOSTLESS_KINDS.has(route.id.kind) ? route.hostnames : ["*"],
  ...(unverified ? { unverified } : {}),
});

/**
 * The definition a parent lands on (pickDefinition), and the copies of each it may as well mean
 * (Landing.choices) where they are not all one object.
 */
function chosen<N extends { readonly scope?: string; readonly file: string; readonly copies?: readonly string[] }>(
  nodes: readonly N[] | undefined,
  route: AttachingRoute,
): [N | undefined, Landing["choices"]] {
  const choices = definitionChoices(nodes, route);
  if (choices.length < 2) return [choices[0], undefined];
  const copies = new Map(choices.flatMap(({ copies }) => (copies ? [[entryCopyOf({ entryCopy: copies }), copies] as const] : [])));
  return [choices[0], copies.size > 1 ? [...copies.values()] : undefined];
}

/** The parent's listeners that the reference selects (sectionName, port), then those that admit the route. */
function land(
  route: AttachingRoute,
  parent: ParentRefNode,
  listeners: readonly ListenerNode[],
  owner: string,
  namespaceLabels: EntryPoints["namespaceLabels"],
  choices?: Landing["choices"],
): Pick<Attachment, "listeners" | "status" | "reason"> {
  const selected = listeners.filter(
    (listener) =>
      (parent.sectionName === undefined || listener.name === parent.sectionName) &&
      (parent.port === undefined || listener.port === parent.port),
  );
  if (selected.length === 0) {
    const which = [parent.sectionName ? `named ${parent.sectionName}` : "", parent.port ? `on port ${parent.port}` : ""]
      .filter(Boolean)
      .join(" ");
    return { listeners: [], status: "rejected", reason: `${owner} has no listener${which ? ` ${which}` : "s"}` };
  }
  const verdicts = selected.map((listener) => ({ listener, verdict: admission(listener, route, namespaceLabels) }));
  const landed = verdicts.filter(({ verdict }) => verdict.admits !== false);
  // A listener that admits the route but whose every hostname a narrower one beside it takes (listener
  // isolation) is where no request of the route arrives: it is not where the route lands.
  const listenersLanded = landed
    .map(({ listener, verdict }) => landing(listener, listeners, route, verdict, choices))
    .filter((where) => where.hostnames.length > 0);
  if (landed.some(({ verdict }) => verdict.admits === true)) return { listeners: listenersLanded, status: "attached" };
  if (landed.length > 0) return { listeners: listenersLanded, status: "unknown", reason: reasons(landed.map(({ verdict }) => verdict)) };
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

interface ParentIndex {
  readonly gatewayApi: ReadonlyMap<string, GatewayNode[]>;
  readonly istio: ReadonlyMap<string, GatewayNode[]>;
  readonly sets: ReadonlyMap<string, ListenerSetNode[]>;
  readonly namespaceLabels: EntryPoints["namespaceLabels"];
}

const indexOfPoints = new WeakMap<EntryPoints, ParentIndex>();

function parentIndex(points: EntryPoints): ParentIndex {
  let index = indexOfPoints.get(points);
  if (!index) {
    const gateways = [...points.gateways.values()];
    index = {
      gatewayApi: byName(gateways.filter((g) => g.api === "gateway-api")),
      istio: byName(gateways.filter((g) => g.api === "istio")),
      sets: byName(points.listenerSets.values()),
      namespaceLabels: points.namespaceLabels,
    };
    indexOfPoints.set(points, index);
  }
  return index;
}

function resolve(
  route: AttachingRoute,
  parent: ParentRefNode,
  { gatewayApi, istio, sets, namespaceLabels }: ParentIndex,
): Omit<Attachment, "route" | "parent" | "target"> {
  const name = `${parent.namespace}/${parent.name}`;
  // A parent read in the route's unwritten namespace that the tree holds in another namespace may
  // be that one, once applied; so may a parent of that name the tree holds with no namespace of its
  // own (a Gateway that Flux's targetNamespace or `kubectl -n` places): not missing, only unknown.
  // Named nowhere, it is missing wherever applied.
  const missing = (
    kind: string,
    nodes: ReadonlyMap<string, readonly { readonly namespaceImplied?: true }[]>,
  ): Omit<Attachment, "route" | "parent" | "target"> => {
    const elsewhere = [...nodes]
      .filter(([key, found]) => key.endsWith(`/${parent.name}`) && (parent.namespaceImplied || found.some((node) => node.namespaceImplied)))
      .map(([key]) => key);
    if (elsewhere.length === 0) {
      const reason = notInTree(`${kind} ${name}`);
      return { listeners: [asWritten(route, parent, reason)], status: "missing", reason };
    }
    const reason = parent.namespaceImplied
      ? `${kind} ${parent.name} is in the tree as ${elsewhere.join(", ")}, and the route names no namespace (the tree does not say where it is applied)`
      : `${kind} ${parent.name} is in the tree with no namespace of its own (read as ${elsewhere.join(", ")}): it lands in the namespace it is applied to, which the tree does not say`;
    return {
      listeners: [asWritten(route, parent, reason)],
      status: "unknown",
      reason,
      ...(parent.namespaceImplied ? {} : { unresolved: "unplaced" as const }),
    };
  };
  if (parent.kind === "mesh") return { listeners: [asWritten(route, parent)], status: "attached" };
  if (route.api === "istio") {
    const gateway = pick(istio.get(name), route);
    if (!gateway) return missing("Istio Gateway", istio);
    // A Gateway written without servers (as in istioctl's own test data) leaves hosts unjudged.
    if (gateway.listeners.length === 0) return { gateway: gateway.key, listeners: [], status: "attached" };
    return { gateway: gateway.key, ...land(route, parent, gateway.listeners, `Gateway ${name}`, namespaceLabels) };
  }
  const unsupported = unsupportedParent(parent);
  if (unsupported) return { listeners: [], status: "rejected", reason: unsupported };
  if (parent.kind === "Gateway") {
    const [gateway, choices] = chosen(gatewayApi.get(name), route);
    if (!gateway) return missing("Gateway", gatewayApi);
    return { gateway: gateway.key, ...land(route, parent, gateway.listeners, `Gateway ${name}`, namespaceLabels, choices) };
  }
  if (parent.kind === "ListenerSet" || parent.kind === "XListenerSet") {
    const [set, choices] = chosen(sets.get(name), route);
    if (!set) return missing("ListenerSet", sets);
    const gateway = pick(gatewayApi.get(`${set.parent.namespace}/${set.parent.name}`), set);
    return {
      ...(gateway ? { gateway: gateway.key } : {}),
      ...land(route, parent, set.listeners, `ListenerSet ${name}`, namespaceLabels, choices),
    };
  }
  // GAMMA: a Service parent is the mesh entry of that Service; Services are not traffic resources of the tree.
  const gamma = parent.kind === "Service";
  const reason = gamma ? `GAMMA parent Service ${name}: Services are not read from the tree` : `parent kind ${parent.kind} is not modelled`;
  return { listeners: [asWritten(route, parent, reason)], status: "unknown", reason, unresolved: gamma ? "gamma" : "kind" };
}

/**
 * A parentRef's group and kind name its parent's type, and implementations resolve the pair: a
 * Gateway of another group, or a Service of any group but the core one, is no parent they support
 * (Istio: "unsupported parent"), so the route is not served there. A parentRef that names no group
 * means gateway.networking.k8s.io (the CRD's default): `kind: Service` without `group: ""` is the
 * usual slip of a mesh (GAMMA) route. Linkerd also reads `group: core` as the core group.
 */
function unsupportedParent(parent: ParentRefNode): string | undefined {
  if (parent.kind === "Gateway" && parent.group !== GATEWAY_API_GROUP)
    return `no Gateway has API group ${parent.group || '""'} (a Gateway's is ${GATEWAY_API_GROUP}), so implementations refuse the parent and the route is not served there`;
  if (parent.kind === "Service" && parent.group !== "" && parent.group.toLowerCase() !== "core")
    return `no Service has API group ${parent.group}${parent.group === GATEWAY_API_GROUP ? " (what a parentRef that names no group means)" : ""}: a mesh route's Service parent needs group "", so implementations refuse the parent and the route is not served there`;
  return undefined;
}

/** Where each parent of one route lands, in the order of its parents. */
export const attachRoute = (route: AttachingRoute, points: EntryPoints): Attachment[] =>
  route.parents.map((parent, index) => ({
    route: route.key,
    parent: index,
    target: parent,
    ...resolve(route, parent, parentIndex(points)),
  }));
