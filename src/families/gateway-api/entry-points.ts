import { resourceKey, type ManifestSet, type Resource, type ResourceId } from "../../core/resource.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import { scoped, type AttachingRoute, type ParentRefNode } from "../../core/graph-nodes.js";
import { equalData, sortedSet } from "../../core/canonical-values.js";
import { canonicalText } from "../../core/canonical-form.js";
import { appliedTogether } from "../../core/copies-apart.js";
import { connectedGroups } from "../../core/connected-groups.js";
import { sharedText } from "../../core/string-table.js";
import { GATEWAY_API_EXPERIMENTAL_GROUP, GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";

/**
 * What routes attach to, read once per tree for both the traffic model and the traffic graph:
 * Gateways (Gateway API and Istio) with their listeners or servers, ListenerSets, and the parents
 * each route names. Flows and the attachment graph agree because both read these nodes.
 */

export type AllowedFrom = "All" | "Same" | "Selector" | "None";

export interface ListenerNode {
  /** `<owner key>#<listener name>`; Istio servers are named by their port name, else their index. */
  readonly id: string;
  readonly name: string;
  /** Key of the Gateway or ListenerSet that declares the listener. */
  readonly owner: string;
  readonly ownerNamespace: string;
  /** The entry point as flows name it: `Gateway infra/public:https`. */
  readonly entry: string;
  readonly port?: number;
  readonly protocol: string;
  /** Gateway API: the listener's hostname (none = any). Istio: server hosts, `ns/host` form kept. */
  readonly hostnames: readonly string[];
  readonly allowedFrom: AllowedFrom;
  /** With `allowedFrom: Selector`, the label selector namespaces must match (as written). */
  readonly allowedSelector?: unknown;
  /** `group/Kind` of the route kinds the listener admits; undefined = the protocol's defaults. */
  readonly allowedKinds?: readonly string[];
  /**
   * Gateway API: the listener's `tls.certificateRefs` to objects of other namespaces, which resolve
   * only where a ReferenceGrant there admits the listener's owner (src/graph/reference-checks.ts).
   */
  readonly foreignCertificates?: readonly ForeignCertificate[];
  /** Gateway API: the files of its owner's definition and of those that are one object with it (Flow.entryCopy). */
  readonly copies?: readonly string[];
  readonly path: FieldPath;
}

/** A certificateRef to another namespace's object (a Secret, unless it names another kind). */
export interface ForeignCertificate {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly path: FieldPath;
}

export interface GatewayNode {
  readonly key: string;
  readonly id: ResourceId;
  readonly api: "gateway-api" | "istio";
  /** The cluster (or file) scope of the resource key, when the tree applies it to one cluster. */
  readonly scope?: string;
  /** The file that declares it: of several definitions of one name, a route lands on the one nearest it. */
  readonly file: string;
  /** Its namespace is read as `default` but not written (Resource.namespaceImplied): it lands where it is applied. */
  readonly namespaceImplied?: true;
  readonly className?: string;
  readonly listeners: readonly ListenerNode[];
  /** Gateway API: the files of its definition and of those that are one object with it (ListenerNode.copies). */
  readonly copies?: readonly string[];
  /** Which namespaces' ListenerSets may add listeners (Gateway API default: None). */
  readonly allowedListeners: AllowedFrom;
  /** With `allowedListeners: Selector`, the label selector their namespaces must match (as written). */
  readonly allowedListenersSelector?: unknown;
}

export interface ListenerSetNode {
  readonly key: string;
  readonly id: ResourceId;
  readonly scope?: string;
  readonly file: string;
  readonly namespaceImplied?: true;
  readonly parent: { readonly namespace: string; readonly name: string; readonly path: FieldPath };
  readonly listeners: readonly ListenerNode[];
  /** The files of its definition and of those that are one object with it (ListenerNode.copies). */
  readonly copies: readonly string[];
}

export interface EntryPoints {
  readonly gateways: ReadonlyMap<string, GatewayNode>;
  readonly listenerSets: ReadonlyMap<string, ListenerSetNode>;
  /**
   * The labels of the Namespaces the tree defines, by name, as written, for listeners that admit
   * namespaces by label selector (core/namespace-selection adds the one the API server sets). A
   * namespace defined with different labels in several places is left out: unknown.
   */
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export const GATEWAY_API_GROUPS = new Set([GATEWAY_API_GROUP, GATEWAY_API_EXPERIMENTAL_GROUP]);
const ISTIO_NETWORKING = "networking.istio.io";
const LISTENER_SET_KINDS = new Set(["ListenerSet", "XListenerSet"]);

const allowedFrom = (value: unknown, fallback: AllowedFrom): AllowedFrom => {
  const from = text(record(value).from);
  return from === "All" || from === "Same" || from === "Selector" || from === "None" ? from : fallback;
};

/** `Gateway infra/public`, the owner part of a listener's entry. */
const ownerEntry = (owner: Resource) => `${owner.id.kind} ${owner.id.namespace}/${owner.id.name}`;

function gatewayApiListeners(owner: Resource, spec: JsonRecord, copies: readonly string[]): ListenerNode[] {
  return list(spec.listeners).map((item, index) => {
    const listener = record(item);
    const name = text(listener.name) ?? String(index);
    const allowed = record(listener.allowedRoutes);
    const from = allowedFrom(allowed.namespaces, "Same");
    const kinds = list(allowed.kinds).map(record);
    const hostname = text(listener.hostname);
    const port = numeric(listener.port);
    const foreign = foreignCertificates(listener, owner.id.namespace, ["spec", "listeners", index]);
    return {
      id: `${owner.key}#${name}`,
      name,
      owner: owner.key,
      ownerNamespace: owner.id.namespace,
      entry: `${ownerEntry(owner)}:${name}`,
      ...(port !== undefined ? { port } : {}),
      protocol: text(listener.protocol) ?? "",
      hostnames: hostname ? [hostname] : [],
      allowedFrom: from,
      ...(from === "Selector" ? { allowedSelector: record(allowed.namespaces).selector ?? {} } : {}),
      ...(kinds.length ? { allowedKinds: kinds.map((k) => `${text(k.group) ?? GATEWAY_API_GROUP}/${text(k.kind) ?? "?"}`) } : {}),
      ...(foreign.length > 0 ? { foreignCertificates: foreign } : {}),
      copies,
      path: ["spec", "listeners", index],
    };
  });
}

function foreignCertificates(listener: JsonRecord, namespace: string, path: FieldPath): ForeignCertificate[] {
  return list(record(listener.tls).certificateRefs).flatMap((item, index) => {
    const ref = record(item);
    const other = text(ref.namespace);
    return other === undefined || other === namespace
      ? []
      : [
          {
            group: text(ref.group) ?? "",
            kind: text(ref.kind) ?? "Secret",
            namespace: other,
            name: text(ref.name) ?? "?",
            path: [...path, "tls", "certificateRefs", index],
          },
        ];
  });
}

/** Istio flows stay named by their Gateway: a VirtualService binds to every server of it whose hosts admit it. */
function istioServers(owner: Resource, spec: JsonRecord): ListenerNode[] {
  return list(spec.servers).map((item, index) => {
    const server = record(item);
    const port = record(server.port);
    const name = text(port.name) ?? String(index);
    const number = numeric(port.number);
    return {
      id: `${owner.key}#${name}`,
      name,
      owner: owner.key,
      ownerNamespace: owner.id.namespace,
      entry: ownerEntry(owner),
      ...(number !== undefined ? { port: number } : {}),
      protocol: text(port.protocol) ?? "",
      hostnames: nonEmptyTexts(server.hosts),
      allowedFrom: "All",
      path: ["spec", "servers", index],
    };
  });
}

const entryPointsOfTree = new WeakMap<ManifestSet, EntryPoints>();

/**
 * The entry points read last. A tree whose Gateways and ListenerSets equal them (the head of a PR
 * that leaves them alone) is given the same object, so what is worked out from a route and its
 * tree's entry points (landings, attachments) is worked out once for the routes both trees share.
 */
let lastRead: WeakRef<EntryPoints> | undefined;

/** In order, as attachment picks among same-named parents in tree order. */
const samePoints = (a: EntryPoints, b: EntryPoints): boolean =>
  equalData([...a.gateways], [...b.gateways]) &&
  equalData([...a.listenerSets], [...b.listenerSets]) &&
  equalData([...a.namespaceLabels], [...b.namespaceLabels]);

/** The tree's Gateways and ListenerSets, read once per tree whoever asks first. */
export function entryPointsOf(set: ManifestSet): EntryPoints {
  const known = entryPointsOfTree.get(set);
  if (known) return known;
  const gateways = new Map<string, GatewayNode>();
  const listenerSets = new Map<string, ListenerSetNode>();
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  const ambiguous = new Set<string>();
  const copiesOf = sameObjectFiles(set);
  for (const resource of set.resources.values()) {
    const { id, key } = resource;
    if (id.group === "" && id.kind === "Namespace") {
      const known = namespaceLabels.get(id.name);
      if (known && !equalData(known, resource.labels)) ambiguous.add(id.name);
      namespaceLabels.set(id.name, resource.labels);
      continue;
    }
    const gatewayApi = GATEWAY_API_GROUPS.has(id.group);
    const entryPoint = gatewayApi
      ? id.kind === "Gateway" || LISTENER_SET_KINDS.has(id.kind)
      : id.group === ISTIO_NETWORKING && id.kind === "Gateway";
    // Only an entry point's body is read: the others may have let theirs go (manifests/held-body.ts).
    if (!entryPoint) continue;
    const spec = record(resource.body.spec);
    if (gatewayApi && id.kind === "Gateway") {
      const className = text(spec.gatewayClassName);
      const listenersFrom = record(record(spec.allowedListeners).namespaces);
      const allowedListeners = allowedFrom(listenersFrom, "None");
      const copies = copiesOf(resource);
      gateways.set(key, {
        key,
        id,
        api: "gateway-api",
        ...scoped(key),
        file: resource.source.file,
        ...(resource.namespaceImplied ? { namespaceImplied: true as const } : {}),
        ...(className ? { className } : {}),
        listeners: gatewayApiListeners(resource, spec, copies),
        copies,
        allowedListeners,
        ...(allowedListeners === "Selector" ? { allowedListenersSelector: listenersFrom.selector ?? {} } : {}),
      });
    } else if (gatewayApi && LISTENER_SET_KINDS.has(id.kind)) {
      const parent = record(spec.parentRef);
      const copies = copiesOf(resource);
      listenerSets.set(key, {
        key,
        id,
        ...scoped(key),
        file: resource.source.file,
        ...(resource.namespaceImplied ? { namespaceImplied: true as const } : {}),
        parent: { namespace: text(parent.namespace) ?? id.namespace, name: text(parent.name) ?? "?", path: ["spec", "parentRef"] },
        listeners: gatewayApiListeners(resource, spec, copies),
        copies,
      });
    } else if (id.group === ISTIO_NETWORKING && id.kind === "Gateway") {
      gateways.set(key, {
        key,
        id,
        api: "istio",
        ...scoped(key),
        file: resource.source.file,
        ...(resource.namespaceImplied ? { namespaceImplied: true as const } : {}),
        listeners: istioServers(resource, spec),
        allowedListeners: "None",
      });
    }
  }
  for (const name of ambiguous) namespaceLabels.delete(name);
  const read = { gateways, listenerSets, namespaceLabels };
  const last = lastRead?.deref();
  const points = last && samePoints(last, read) ? last : read;
  lastRead = new WeakRef(points);
  entryPointsOfTree.set(set, points);
  return points;
}

/**
 * For each Gateway API Gateway or ListenerSet, the files of its definition and of the other
 * definitions of its name that are one object with it: the same text, or applied together (one
 * cluster, else one folder: core/copies-apart.ts), transitively. Definitions that differ, each in
 * its own folder, are objects of their own, as the resource diff has them (nginx-gateway-fabric's
 * examples each write `Gateway default/gateway` with their own listeners, one example applied at a
 * time): a route on one is not served by the routes on another. Nearly every name has one
 * definition, and only names with several are compared.
 */
function sameObjectFiles(set: ManifestSet): (owner: Resource) => readonly string[] {
  const byName = new Map<string, Resource[]>();
  for (const resource of set.resources.values()) {
    const { id } = resource;
    if (!GATEWAY_API_GROUPS.has(id.group) || (id.kind !== "Gateway" && !LISTENER_SET_KINDS.has(id.kind))) continue;
    const name = resourceKey(id);
    const known = byName.get(name);
    if (known) known.push(resource);
    else byName.set(name, [resource]);
  }
  const files = new Map<Resource, readonly string[]>();
  for (const copies of byName.values()) {
    if (copies.length < 2) continue;
    const texts = new Map(copies.map((copy) => [copy, canonicalText(copy.body)]));
    const placed = (copy: Resource) => ({ cluster: copy.cluster, file: copy.source.file });
    const firsts = connectedGroups(copies, (a, b) => texts.get(a) === texts.get(b) || appliedTogether(placed(a), placed(b)));
    const shared = new Map(
      [...new Set(firsts)].map((first) => [
        first,
        sortedSet(copies.filter((_, index) => firsts[index] === first).map((copy) => copy.source.file)),
      ]),
    );
    copies.forEach((copy, index) => files.set(copy, shared.get(firsts[index]!)!));
  }
  return (owner) => files.get(owner) ?? [owner.source.file];
}

/** `Gateway infra/public:https`, `Gateway infra/public:443`, `Service shop/orders`: a parentRef as written. */
export function parentEntry(parent: JsonRecord, routeNamespace: string): string {
  const kind = text(parent.kind) ?? "Gateway";
  const namespace = text(parent.namespace) ?? routeNamespace;
  const section = text(parent.sectionName);
  const port = numeric(parent.port);
  return sharedText(`${kind} ${namespace}/${text(parent.name) ?? "?"}${section ? `:${section}` : ""}${port ? `:${port}` : ""}`);
}

/** A Gateway API route as attachment reads it: its parentRefs and hostnames. */
export function gatewayApiAttachingRoute(resource: Resource): AttachingRoute {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const parents = list(spec.parentRefs).map((item, index): ParentRefNode => {
    const parent = record(item);
    const sectionName = text(parent.sectionName);
    const port = numeric(parent.port);
    return {
      group: text(parent.group) ?? GATEWAY_API_GROUP,
      kind: text(parent.kind) ?? "Gateway",
      namespace: text(parent.namespace) ?? namespace,
      name: text(parent.name) ?? "?",
      ...(sectionName ? { sectionName } : {}),
      ...(port !== undefined ? { port } : {}),
      entry: parentEntry(parent, namespace),
      path: ["spec", "parentRefs", index],
      ...(resource.namespaceImplied && text(parent.namespace) === undefined ? { namespaceImplied: true } : {}),
    };
  });
  return {
    key: resource.key,
    id: resource.id,
    api: "gateway-api",
    ...scoped(resource.key),
    file: resource.source.file,
    ...(resource.namespaceImplied ? { namespaceImplied: true } : {}),
    hostnames: nonEmptyTexts(spec.hostnames),
    parents,
  };
}
