import { selectsNamespace } from "../core/namespace-selection.js";
import { displayName, resourceKey, type ResourceId } from "../core/resource.js";
import { equalData, sortedSet } from "../core/canonical-values.js";
import { sitesMeet } from "../core/gitops-delivery.js";
import { qualifyHost } from "../core/service-host.js";
import type { ChangeClassId } from "../core/change-classes.js";
import type { FieldPath } from "../core/finding.js";
import { hostsOverlap } from "../core/host-match.js";
import { pickDefinition } from "../core/nearest-definition.js";
import type { Attachment, UnresolvedParent } from "../families/index.js";
import type { TrafficGraph } from "./traffic-graph.js";
import { notInTree, unscopedEntry, type Backend, type Flow } from "../core/traffic-model.js";
import {
  grantAdmits,
  type DestinationRef,
  type DestinationRuleNode,
  type GrantTarget,
  type ReferenceGrantNode,
  type RouteNode,
} from "../core/graph-nodes.js";
import { kindSpec } from "../manifests/kinds.js";
import { filesApart, type FileSiting } from "../core/copies-apart.js";
import { record, text } from "../core/json-access.js";
import type { RouteVersion } from "../diff/route-diff.js";

/**
 * Cross-resource checks only the whole graph can see (DESIGN §5 reference.broken and friends), as
 * gwctl analyze and istioctl analyze do: a route whose parent or listener does not exist or does
 * not admit it, a subset no DestinationRule defines, a ServiceImport nobody exports, failover
 * without outlier detection, and one host and match claimed by two routes on the same listener.
 * A referent is only judged missing when the repository holds that kind at all (base or head):
 * a repo of routes whose Gateways live elsewhere is not broken, only unchecked.
 */

export interface IssueSubject {
  readonly key: string;
  readonly id: ResourceId;
  readonly path: FieldPath;
}

export interface GraphIssue {
  readonly class: ChangeClassId;
  /** Stable identity across base and head: what is wrong and where, not how it is worded. */
  readonly key: string;
  readonly summary: string;
  /** The resources involved, first the one the problem is reported on. */
  readonly subjects: readonly IssueSubject[];
  /**
   * Of a conflict: what is claimed (listener, host, match), who contends with whom, as pairs of
   * objects that collide (`a b`; `a a` for two differing versions of one object in two files), and
   * where each contending object sends the claimed requests.
   */
  readonly contention?: {
    readonly claim: string;
    readonly pairs: readonly string[];
    /** The versions of one object that collide, as pairs of their keys (`a@x.yaml a@y.yaml`): which files contend. */
    readonly rivals: readonly string[];
    readonly sends: ReadonlyMap<string, Destination>;
  };
}

/** Where one contending object sends a claim's requests: `to` for the reviewer, `same` per version to compare (backend keys and shares). */
interface Destination {
  readonly name: string;
  readonly to: string;
  readonly same: readonly string[];
}

/** Which kinds of referent the repository holds at all: only those references are checked. */
export interface Checkable {
  readonly gateways: boolean;
  readonly istioGateways: boolean;
  readonly listenerSets: boolean;
  readonly destinationRules: boolean;
  readonly serviceExports: boolean;
  readonly referenceGrants: boolean;
  /** Whether a file the policy excludes may declare the object (graph/excluded-declarations.ts). */
  readonly excludedMayDeclare?: (kind: string, name: string) => boolean;
}

export interface ReferenceReport {
  readonly issues: readonly GraphIssue[];
  /** What the tree cannot tell, as sentences for the report: an existing limitation, not a finding. */
  readonly unchecked: readonly string[];
}

export function checkableIn(
  graphs: readonly TrafficGraph[],
  excludedMayDeclare?: ((kind: string, name: string) => boolean) | undefined,
): Checkable {
  const gateways = graphs.flatMap((graph) => [...graph.gateways.values()]);
  return {
    ...(excludedMayDeclare ? { excludedMayDeclare } : {}),
    gateways: gateways.some((g) => g.api === "gateway-api"),
    istioGateways: gateways.some((g) => g.api === "istio"),
    listenerSets: graphs.some((graph) => graph.listenerSets.size > 0),
    destinationRules: graphs.some((graph) => graph.destinationRules.size > 0),
    serviceExports: graphs.some((graph) => graph.serviceExports.size > 0),
    referenceGrants: graphs.some((graph) => graph.referenceGrants.size > 0),
  };
}

const BROKEN: ChangeClassId = "reference.broken";
const UNWRITTEN_NAMESPACE = "routes name no namespace, and the tree does not say which namespace they are applied to";

const missingIsCheckable = (attachment: Attachment, route: RouteNode, checkable: Checkable): boolean =>
  (route.api === "istio" ? checkable.istioGateways : attachment.target.kind === "Gateway" ? checkable.gateways : checkable.listenerSets) &&
  !excludedMayHold(attachment, checkable);

const excludedMayHold = (attachment: Attachment, checkable: Checkable): boolean =>
  checkable.excludedMayDeclare?.(attachment.target.kind, attachment.target.name) === true;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Whether a tree applies a file (model/applied-files.ts) and where (FileClusters.sites, the kustomizations building it). */
export interface FilesPlaced extends FileSiting {
  readonly applied: (file: string) => boolean;
}

/**
 * `definitionOf`: a route's spec and annotations by key (one object written alike in two places
 * competes with nobody); `placed`: whether the tree applies a file and where, as its GitOps
 * placement says (FileClusters.sites: routes applied to different clusters, named or not, claim
 * different listeners, a route nothing applies claims none, and copies of one object nothing
 * applies together are objects of their own).
 */
export function checkReferences(
  graph: TrafficGraph,
  checkable: Checkable,
  definitionOf?: (routeKey: string) => unknown,
  placed?: FilesPlaced,
  versions: readonly RouteVersion[] = [],
): ReferenceReport {
  const issues: GraphIssue[] = [];
  const unchecked = new Map<string, number>();
  const note = (what: string) => unchecked.set(what, (unchecked.get(what) ?? 0) + 1);

  for (const attachment of graph.attachments) {
    const route = graph.routes.get(attachment.route)!;
    if (attachment.status === "rejected" || (attachment.status === "missing" && missingIsCheckable(attachment, route, checkable))) {
      const reason =
        attachment.status === "missing"
          ? attachment.reason!.replace(notInTree(""), " does not exist in the repository")
          : `not admitted: ${attachment.reason}`;
      issues.push({
        class: BROKEN,
        key: `${BROKEN}|${route.key}|parent ${attachment.target.entry}`,
        summary: `${displayName(route.id)} → ${attachment.target.entry}: ${reason}`,
        subjects: [{ key: route.key, id: route.id, path: attachment.target.path }],
      });
    } else if (attachment.status === "missing") {
      note(
        excludedMayHold(attachment, checkable)
          ? `route parents name ${attachment.target.kind}s that files the policy excludes may hold`
          : route.api === "istio"
            ? "route parents name Istio Gateways, but the repository holds none"
            : `route parents name ${attachment.target.kind}s, but the repository holds none`,
      );
    } else if (attachment.status === "unknown") note(unknownLanding(attachment, route));
  }

  listenerSetParents(graph, checkable, issues, note);
  subsets(graph, checkable, issues, note);
  serviceImports(graph, checkable, issues, note);
  crossNamespaceBackends(graph, checkable, issues, note);
  unresolvableBackends(graph, issues, definitionOf);
  crossNamespaceCertificates(graph, checkable, issues, note);
  failoverWithoutOutliers(graph, issues);
  conflicts(graph, issues, note, definitionOf, placed, versionsJudged(versions));

  return {
    issues: issues.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    unchecked: [...unchecked].map(([what, count]) => `${plural(count, "reference")} not checked: ${what}`).sort(),
  };
}

/**
 * Routes that name no namespace of their own, whose parent named without one too sat beside them
 * at base (read in the same namespace, so attached) and at head is in the tree only in another
 * namespace: a parent named so is looked up in the route's own namespace (Istio's `gateways:
 * [bookinfo-gateway]`, a parentRef without `namespace`), so the route no longer reaches it. Each
 * tree alone cannot tell (a route applied with `kubectl -n` may land beside a Gateway written
 * elsewhere, unchecked), but base and head can: were the route applied to the Gateway's new
 * namespace, the Gateway would not have moved, which its own diff reports it did (bookinfo's
 * Gateway given `namespace: istio-system`, its VirtualService left as it was).
 */
export function parentsMovedAway(base: TrafficGraph, head: TrafficGraph): GraphIssue[] {
  const issues: GraphIssue[] = [];
  let reached: Map<string, string> | undefined;
  let named: Map<string, string[]> | undefined;
  for (const attachment of head.attachments) {
    const { target } = attachment;
    if (attachment.status !== "unknown" || !target.namespaceImplied || target.kind !== "Gateway") continue;
    reached ??= new Map(
      base.attachments.flatMap((at) => (at.status === "attached" && at.gateway ? [[`${at.route}|${at.target.entry}`, at.gateway]] : [])),
    );
    const was = reached.get(`${attachment.route}|${target.entry}`);
    const route = head.routes.get(attachment.route)!;
    if (!was || head.gateways.has(was) || base.gateways.get(was)?.api !== route.api) continue;
    named ??= byApiAndName(head);
    const now = named.get(`${route.api}|${target.name}`) ?? [];
    if (now.length === 0) continue;
    issues.push({
      class: BROKEN,
      key: `${BROKEN}|${route.key}|parent ${target.entry}`,
      summary: `${displayName(route.id)} → ${target.entry}: the Gateway, beside it at base, is now only at ${now.join(", ")}; a parent named without a namespace is looked up in the route's own, which the route does not write: it reaches the Gateway only if applied to ${[...new Set(now.map((at) => at.slice(0, at.indexOf("/"))))].join(" or ")}, where the Gateway would then not have moved`,
      subjects: [{ key: route.key, id: route.id, path: target.path }],
    });
  }
  return issues;
}

/** The tree's Gateways as `namespace/name`, by API and name. */
function byApiAndName(graph: TrafficGraph): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const { api, id } of graph.gateways.values()) {
    const key = `${api}|${id.name}`;
    index.set(key, [...(index.get(key) ?? []), `${id.namespace}/${id.name}`]);
  }
  return index;
}

type Note = (what: string) => void;

const UNRESOLVED: Readonly<Record<UnresolvedParent, string>> = {
  gamma: "routes attach to GAMMA Services, which are not read from the tree",
  kind: "routes attach to parent kinds that are not modelled",
  unplaced:
    "routes name Gateways that the tree holds with no namespace of their own, and the tree does not say which namespace those are applied to",
};

/** Why the tree cannot tell where a route lands, as one sentence for every route it applies to. */
function unknownLanding(attachment: Attachment, route: RouteNode): string {
  if (attachment.unresolved === "gamma") return UNRESOLVED.gamma;
  if (route.namespaceImplied) return UNWRITTEN_NAMESPACE;
  if (attachment.unresolved) return UNRESOLVED[attachment.unresolved];
  return "routes attach to listeners that admit namespaces by label selector (Namespace labels are not in the tree)";
}

function listenerSetParents(graph: TrafficGraph, checkable: Checkable, issues: GraphIssue[], note: Note) {
  for (const set of graph.listenerSets.values()) {
    const parentName = `${set.parent.namespace}/${set.parent.name}`;
    const gateway = pickDefinition(
      [...graph.gateways.values()].filter((g) => g.api === "gateway-api" && `${g.id.namespace}/${g.id.name}` === parentName),
      set,
    );
    const subject = { key: set.key, id: set.id, path: set.parent.path };
    const key = `${BROKEN}|${set.key}|parent Gateway ${parentName}`;
    if (!gateway) {
      if (checkable.gateways)
        issues.push({
          class: BROKEN,
          key,
          summary: `${displayName(set.id)} → Gateway ${parentName}: does not exist in the repository`,
          subjects: [subject],
        });
      else note("ListenerSets name Gateways, but the repository holds none");
      continue;
    }
    const allowed = gateway.allowedListeners;
    const selected =
      allowed === "Selector" &&
      selectsNamespace(gateway.allowedListenersSelector, set.id.namespace, graph.namespaceLabels.get(set.id.namespace));
    if (selected === "unknown")
      note("Gateways admit ListenerSets by namespace label selector, and the tree does not define their Namespaces");
    else if (
      allowed === "None" ||
      (allowed === "Same" && gateway.id.namespace !== set.id.namespace) ||
      (allowed === "Selector" && !selected)
    ) {
      const why =
        allowed === "None"
          ? "allowedListeners is None (the default)"
          : allowed === "Same"
            ? `allowedListeners admits only namespace ${gateway.id.namespace}`
            : `its allowedListeners selector does not match Namespace ${set.id.namespace}'s labels`;
      issues.push({
        class: BROKEN,
        key,
        summary: `${displayName(set.id)} → Gateway ${parentName}: not admitted: ${why}`,
        subjects: [subject],
      });
    }
  }
}

/** A Gateway API backendRef as reported: a RequestMirror filter's is named as the mirror it is. */
const backendTarget = (destination: DestinationRef): string =>
  `${destination.mirror ? "mirror " : ""}${destination.kind}${destination.group ? `.${destination.group}` : ""} ${destination.namespace}/${destination.name}`;

/** What the Gateway does with a backendRef it refuses: a mirror is not configured, so nothing is mirrored; a backend's share fails. */
const refusal = (destination: DestinationRef, reason: string, backendEffect: string): string =>
  destination.mirror
    ? `the Gateway drops the mirror (${reason}) and no request is mirrored to it`
    : `the Gateway refuses the backend (${reason}) and ${backendEffect}`;

/**
 * A Gateway API route's backendRef to another namespace (a RequestMirror's too) resolves only where
 * a ReferenceGrant of that namespace lets routes of its kind and namespace reference the object:
 * otherwise the Gateway refuses it (ResolvedRefs False, RefNotPermitted) and the backend receives
 * nothing. Checked where the repository holds ReferenceGrants at all: a repository without any
 * keeps them elsewhere.
 */
function crossNamespaceBackends(graph: TrafficGraph, checkable: Checkable, issues: GraphIssue[], note: Note) {
  for (const route of graph.routes.values()) {
    if (route.api !== "gateway-api") continue;
    for (const destination of route.destinations) {
      if (destination.namespace === route.id.namespace || destination.namespaceImplied || route.namespaceImplied) continue;
      if (!checkable.referenceGrants) {
        note("backendRefs name objects of other namespaces, but the repository holds no ReferenceGrant");
        continue;
      }
      const group = destination.group ?? "";
      const permitted = granted(graph, destination.namespace, route.id, { group, kind: destination.kind, name: destination.name });
      if (permitted === "maybe") note(`backendRefs name objects of other namespaces: ${UNPLACED_GRANT}`);
      if (permitted) continue;
      const target = backendTarget(destination);
      issues.push({
        class: BROKEN,
        key: `${BROKEN}|${route.key}|backend ${target}`,
        summary: `${displayName(route.id)} → ${target}: no ReferenceGrant in namespace ${destination.namespace} lets ${route.id.kind}s of namespace ${route.id.namespace} reference it, so ${refusal(destination, "RefNotPermitted", "it receives no traffic")}`,
        subjects: [{ key: route.key, id: route.id, path: destination.path }],
      });
    }
  }
}

/**
 * A Gateway API backendRef to a Service or ServiceImport of a group no such kind has (`group:
 * core`, a misspelt `net.gke.iox`, a ServiceImport that names no group and so is read as a core
 * kind): implementations resolve these two kinds by group and kind, so this one they refuse
 * (ResolvedRefs False, InvalidKind) and answer its share of requests with 500 (a mirror's, they
 * do not configure: nothing is mirrored). The AWS Gateway API
 * controller for VPC Lattice resolves them by kind alone, and its guides write ServiceImports
 * without a group: a route all of whose Gateways it serves is not judged for the group.
 * A mesh route (a Service parent) may be Linkerd's, which reads `group: core` as the core group
 * for backends as for parents (its policy controller's is_service): not judged for that group.
 * Other kinds are implementation-specific backends (an Envoy Gateway Backend, an InferencePool),
 * not judged here.
 */
function unresolvableBackends(graph: TrafficGraph, issues: GraphIssue[], definitionOf: ((key: string) => unknown) | undefined) {
  let byKindAlone: ((route: RouteNode) => boolean) | undefined;
  for (const route of graph.routes.values()) {
    if (route.api !== "gateway-api") continue;
    for (const destination of route.destinations) {
      // Only where the route's family read the group (v1alpha1's forwardTo shape is read without it).
      const group = destination.group;
      if (group === undefined) continue;
      const known =
        destination.kind === "Service"
          ? group === "" || (group.toLowerCase() === "core" && meshRoute(route))
          : destination.kind === "ServiceImport"
            ? kindSpec(group, "ServiceImport") !== undefined
            : true;
      if (known) continue;
      if ((byKindAlone ??= latticeServed(graph, definitionOf))(route)) continue;
      const target = backendTarget(destination);
      const why = group
        ? `no ${destination.kind} has API group ${group}${destination.kind === "Service" ? " (a core Service has none)" : ""}`
        : `it names no API group, so it is read as a core ${destination.kind}, which does not exist (a ServiceImport's group is multicluster.x-k8s.io, or net.gke.io on GKE)`;
      issues.push({
        class: BROKEN,
        key: `${BROKEN}|${route.key}|backend kind ${target}`,
        summary: `${displayName(route.id)} → ${target}: ${why}, so ${refusal(destination, "InvalidKind", "answers its share of requests with 500")}`,
        subjects: [{ key: route.key, id: route.id, path: destination.path }],
      });
    }
  }
}

/** A GAMMA route: one a mesh serves, attached to a Service. */
const meshRoute = (route: RouteNode): boolean => route.parents.some((parent) => parent.kind === "Service");

/** The AWS Gateway API controller's GatewayClass name in its guides, and its controllerName. */
const LATTICE_CLASS = "amazon-vpc-lattice";
const LATTICE_CONTROLLER = "application-networking.k8s.aws/gateway-api-controller";

/** Whether every Gateway a route attaches to is served by the VPC Lattice controller (and it attaches to one). */
function latticeServed(graph: TrafficGraph, definitionOf: ((key: string) => unknown) | undefined): (route: RouteNode) => boolean {
  // The class's controllerName where the tree defines the class; else its name, as the guides give it.
  const lattice = (gateway: string): boolean => {
    const className = graph.gateways.get(gateway)?.className;
    if (className === undefined) return false;
    const classKey = graph.gatewayClasses.get(className);
    const controller = classKey === undefined ? undefined : text(record(record(definitionOf?.(classKey)).spec).controllerName);
    return controller === undefined ? className === LATTICE_CLASS : controller === LATTICE_CONTROLLER;
  };
  const gatewaysOf = new Map<string, string[]>();
  for (const { route, gateway, status } of graph.attachments)
    if (gateway !== undefined && status !== "missing" && status !== "rejected")
      gatewaysOf.set(route, [...(gatewaysOf.get(route) ?? []), gateway]);
  return (route) => {
    const gateways = gatewaysOf.get(route.key);
    return gateways !== undefined && gateways.every(lattice);
  };
}

/**
 * Whether a ReferenceGrant of `namespace` lets objects of `from`'s kind and namespace reference
 * `target`: "maybe" when none does but one the tree holds with no namespace of its own would
 * (xunholy/k8s-gitops: a grant written without one, applied by Flux in the Service's namespace).
 */
function granted(graph: TrafficGraph, namespace: string, from: ResourceId, target: GrantTarget): boolean | "maybe" {
  const admits = (grant: ReferenceGrantNode) => grantAdmits(grant, from, target);
  if ((graph.referenceGrants.get(namespace) ?? []).some(admits)) return true;
  for (const grants of graph.referenceGrants.values()) if (grants.some((grant) => grant.namespaceImplied && admits(grant))) return "maybe";
  return false;
}

const UNPLACED_GRANT =
  "a ReferenceGrant the tree holds with no namespace of its own would permit them, and the tree does not say which namespace it is applied to";

/**
 * A listener's certificateRef to another namespace resolves only where a ReferenceGrant there lets
 * the Gateway (or ListenerSet) of its namespace reference it: otherwise the listener's references do
 * not resolve (ResolvedRefs False, RefNotPermitted), it has no certificate and serves no TLS.
 */
function crossNamespaceCertificates(graph: TrafficGraph, checkable: Checkable, issues: GraphIssue[], note: Note) {
  const owners = [...[...graph.gateways.values()].filter((gateway) => gateway.api === "gateway-api"), ...graph.listenerSets.values()];
  for (const owner of owners) {
    if (owner.namespaceImplied) continue;
    for (const listener of owner.listeners) {
      for (const certificate of listener.foreignCertificates ?? []) {
        if (!checkable.referenceGrants) {
          note("listener certificateRefs name objects of other namespaces, but the repository holds no ReferenceGrant");
          continue;
        }
        const { group, kind, namespace, name } = certificate;
        const permitted = granted(graph, namespace, owner.id, { group, kind, name });
        if (permitted === "maybe") note(`listener certificateRefs name objects of other namespaces: ${UNPLACED_GRANT}`);
        if (permitted) continue;
        const target = `${kind}${group ? `.${group}` : ""} ${namespace}/${name}`;
        issues.push({
          class: BROKEN,
          key: `${BROKEN}|${owner.key}|${listener.name}|certificate ${target}`,
          summary: `${displayName(owner.id)} listener ${listener.name} → ${target}: no ReferenceGrant in namespace ${namespace} lets ${owner.id.kind}s of namespace ${owner.id.namespace} reference it, so the certificate does not resolve (RefNotPermitted) and the listener serves no TLS`,
          subjects: [{ key: owner.key, id: owner.id, path: certificate.path }],
        });
      }
    }
  }
}

function subsets(graph: TrafficGraph, checkable: Checkable, issues: GraphIssue[], note: Note) {
  const wildcardRules = [...graph.destinationRules].filter(([host]) => host.includes("*"));
  const rulesFor = (host: string): DestinationRuleNode[] => [
    ...(graph.destinationRules.get(host) ?? []),
    ...wildcardRules.filter(([pattern]) => pattern !== host && hostsOverlap(pattern, host)).flatMap(([, rules]) => rules),
  ];
  for (const route of graph.routes.values()) {
    // Made for the few routes that name subsets: a tree holds tens of thousands of routes.
    let seen: Set<string> | undefined;
    for (const destination of route.destinations) {
      if (!destination.subset || !destination.host) continue;
      if (!checkable.destinationRules) {
        note("destinations name subsets, but the repository holds no DestinationRule");
        continue;
      }
      const identity = `${destination.host}/${destination.subset}`;
      if ((seen ??= new Set()).has(identity)) continue;
      seen.add(identity);
      const rules = rulesFor(destination.host);
      if (rules.some((rule) => rule.subsets.includes(destination.subset!))) continue;
      // Read in the route's unwritten namespace, the host may be that of a rule in another namespace once applied.
      if (destination.namespaceImplied && definedElsewhere(graph, destination.name, destination.subset)) {
        note(UNWRITTEN_NAMESPACE);
        continue;
      }
      const why =
        rules.length === 0
          ? `no DestinationRule in the repository is for host ${destination.host}`
          : `no DestinationRule for ${destination.host} defines it (${sortedSet(rules.map((r) => displayName(r.id))).join(", ")})`;
      issues.push({
        class: BROKEN,
        key: `${BROKEN}|${route.key}|subset ${identity}`,
        summary: `${displayName(route.id)}: subset ${destination.subset} of ${destination.name}: ${why}`,
        subjects: [{ key: route.key, id: route.id, path: destination.path }],
      });
    }
  }
}

/** Whether a DestinationRule for the short host `name` in some namespace (`name.<ns>.svc.cluster.local`) defines `subset`. */
const definedElsewhere = (graph: TrafficGraph, name: string, subset: string): boolean =>
  [...graph.destinationRules].some(
    ([host, rules]) =>
      host.startsWith(`${name}.`) &&
      host.split(".").length === 5 &&
      host.endsWith(".svc.cluster.local") &&
      rules.some((rule) => rule.subsets.includes(subset)),
  );

function serviceImports(graph: TrafficGraph, checkable: Checkable, issues: GraphIssue[], note: Note) {
  let exportedNames: Set<string> | undefined;
  const exportedAnywhere = (name: string) =>
    (exportedNames ??= new Set([...graph.serviceExports.keys()].map((key) => key.slice(key.indexOf("/") + 1)))).has(name);
  for (const route of graph.routes.values()) {
    let seen: Set<string> | undefined;
    for (const destination of route.destinations) {
      if (destination.kind !== "ServiceImport") continue;
      if (!checkable.serviceExports) {
        note("backends are ServiceImports, but the repository holds no ServiceExport");
        continue;
      }
      const name = `${destination.namespace}/${destination.name}`;
      if (graph.serviceExports.has(name) || (seen ??= new Set()).has(name)) continue;
      seen.add(name);
      // Read in the route's unwritten namespace, it may be the export of that name once applied.
      if (destination.namespaceImplied && exportedAnywhere(destination.name)) {
        note(UNWRITTEN_NAMESPACE);
        continue;
      }
      issues.push({
        class: BROKEN,
        key: `${BROKEN}|${route.key}|import ${name}`,
        summary: `${displayName(route.id)}: ServiceImport ${name} is exported by no cluster (no ServiceExport ${name} in the repository), so it has no endpoints`,
        subjects: [{ key: route.key, id: route.id, path: destination.path }],
      });
    }
  }
}

function failoverWithoutOutliers(graph: TrafficGraph, issues: GraphIssue[]) {
  for (const [host, rules] of graph.destinationRules) {
    if (rules.some((rule) => rule.outlierDetection)) continue;
    for (const rule of rules) {
      if (!rule.failoverAt) continue;
      issues.push({
        class: "failover.changed",
        key: `failover.changed|${rule.key}|no outlier detection`,
        summary: `${displayName(rule.id)}: locality failover for ${host} with no outlierDetection in any DestinationRule for that host: unhealthy endpoints are never ejected, so failover never triggers`,
        subjects: [{ key: rule.key, id: rule.id, path: rule.failoverAt }],
      });
    }
  }
}

/** Who can see a VirtualService: exportTo `.` is its own namespace, `*` or none is everyone. */
const visibleTo = (route: RouteNode): ReadonlySet<string> | "all" =>
  route.exportTo.length === 0 || route.exportTo.includes("*")
    ? "all"
    : new Set(route.exportTo.map((ns) => (ns === "." ? route.id.namespace : ns)));

const seeEachOther = (a: RouteNode, b: RouteNode): boolean => {
  const va = visibleTo(a);
  const vb = visibleTo(b);
  return va === "all" || vb === "all" || [...va].some((ns) => vb.has(ns));
};

/** The cluster a route is applied to, when its key says (`…@cluster`, or `…@cluster@file` beside copies in other files). */
const clusterOf = (route: RouteNode): string | undefined => {
  if (route.scope === undefined || route.scope === route.file) return undefined;
  return route.scope.endsWith(`@${route.file}`) ? route.scope.slice(0, -route.file.length - 1) : route.scope;
};

/**
 * Two renders of one object: the same identity in the same cluster, out of two render roots (two
 * overlays of one app, each a variant to deploy instead of the other). It cannot take requests
 * from itself (kubeflow: each pipelines overlay renders VirtualService kubeflow/ml-pipeline-ui onto
 * the one kubeflow-gateway). Two files that write two versions of one object as they are stay a
 * conflict: which one holds depends on the order they are applied in (see sameDefinition).
 */
const sameObject = (a: RouteNode, b: RouteNode): boolean =>
  a.file.includes("(rendered)/") &&
  b.file.includes("(rendered)/") &&
  sameName(a, b) &&
  a.id.namespace === b.id.namespace &&
  clusterOf(a) === clusterOf(b);

/**
 * One object written alike in two places (microservices-demo keeps its mesh VirtualService in
 * `istio-manifests/`, in a release bundle and in a kustomize component): whichever is applied
 * last, the cluster holds the same route, so it competes with nobody.
 */
const sameDefinition = (a: RouteNode, b: RouteNode, definitionOf: ((routeKey: string) => unknown) | undefined): boolean => {
  if (!definitionOf || !sameName(a, b) || a.id.namespace !== b.id.namespace || clusterOf(a) !== clusterOf(b)) return false;
  const definition = definitionOf(a.key);
  return definition !== undefined && equalData(definition, definitionOf(b.key));
};

/**
 * Two routes the GitOps placement applies to different clusters (an ApplicationSet's per-cluster
 * folders: one HTTPRoute each, on each cluster's copy of a shared Gateway) claim different listeners,
 * whether the policy names those clusters or not (two bootstrapped Flux roots, each a cluster: each
 * one's release of a shared chart renders a mesh VirtualService of one name, and one edited read as
 * two versions of one object).
 */
const appliedApart = (a: RouteNode, b: RouteNode, placed: FilesPlaced | undefined): boolean => {
  if (!placed) return false;
  const [here, there] = [placed.sites(a.file), placed.sites(b.file)];
  return here.length > 0 && there.length > 0 && !sitesMeet(here, there);
};

/**
 * Two copies of one object (its identity in two files) known to be applied apart (core/copies-apart.ts).
 * An archived copy (get-istio-multicluster 1b5db57570 keeps `archive/clusters/armadillo/istio/for-demo-2/`,
 * its own kustomization, beside the live `clusters/armadillo/istio/traffic-management/`) made every
 * rule added to the live one a high "versions of one object" while the two were no longer equal; a
 * second VirtualService shop/shop added loose in `apps/promo/` beside `apps/shop/` cuts the first's
 * traffic over.
 */
const copiesApart = (a: RouteNode, b: RouteNode, placed: FilesPlaced | undefined): boolean =>
  placed !== undefined && sameName(a, b) && a.id.namespace === b.id.namespace && filesApart(a.file, b.file, placed);

/**
 * Whether the route diff judged two versions of one object as an edit (diff/route-diff.ts
 * routeVersions): a file adding a version beside the base's, or two files adding versions of the
 * same base one. What the added version does is then judged as that edit, rule by rule (a cutover,
 * a re-attachment, a filter added), not as an order two files are applied in: envoyproxy/gateway
 * af5776538a's `authn/grpc-jwt.yaml`, writing GRPCRoute default/yages with a JWT filter beside
 * `grpc-routing.yaml`'s, read as a high conflict of the object with itself.
 */
function versionsJudged(versions: readonly RouteVersion[]): (a: RouteNode, b: RouteNode) => boolean {
  if (versions.length === 0) return () => false;
  const against = new Map<string, Set<string>>();
  for (const { key, baseFiles } of versions) against.set(key, new Set(baseFiles));
  return (a, b) => {
    if (!sameName(a, b) || a.id.namespace !== b.id.namespace) return false;
    const [ofA, ofB] = [against.get(a.key), against.get(b.key)];
    return (
      ofA?.has(b.file) === true ||
      ofB?.has(a.file) === true ||
      (ofA !== undefined && ofB !== undefined && [...ofA].some((file) => ofB.has(file)))
    );
  };
}

/** The same group, kind and name (whatever the namespace). */
const sameName = (a: RouteNode, b: RouteNode): boolean => a.id.group === b.id.group && a.id.kind === b.id.kind && a.id.name === b.id.name;

/**
 * A short host names a service of the route's own namespace. Of a route that writes none, that is
 * wherever it is applied: two such routes in one file go together, in one namespace, and one
 * object written in two files is one object wherever both land, two versions of it competing. Otherwise, in two files or beside a route that writes
 * its namespace, they may name two services (kubectl -n, two Argo CD destinations): their claim on
 * the host is not known to collide.
 */
const sameHostKnown = (
  a: { readonly route: RouteNode; readonly guessedHost?: true },
  b: { readonly route: RouteNode; readonly guessedHost?: true },
): boolean =>
  (!a.guessedHost && !b.guessedHost) || (a.guessedHost === b.guessedHost && (a.route.file === b.route.file || sameName(a.route, b.route)));

function listenerNames(graph: TrafficGraph): Map<string, string> {
  const names = new Map<string, string>([["mesh", "the mesh"]]);
  for (const owner of [...graph.gateways.values(), ...graph.listenerSets.values()]) {
    for (const listener of owner.listeners) names.set(listener.id, `${displayName(owner.id)}:${listener.name}`);
  }
  return names;
}

/**
 * One request shape claimed by two routes on one listener: a Gateway API controller picks the
 * oldest route, Istio merges gateway VirtualServices in no fixed order and applies one mesh
 * VirtualService per host. Across namespaces it is a takeover (access.widened).
 */
function conflicts(
  graph: TrafficGraph,
  issues: GraphIssue[],
  note: Note,
  definitionOf: ((routeKey: string) => unknown) | undefined,
  placed: FilesPlaced | undefined,
  judged: (a: RouteNode, b: RouteNode) => boolean,
) {
  // Every flow of a large tree is a claim and nearly every claim has one claimant: a claim holds
  // what names it, and its words are only put together for the few that conflict.
  interface Claimant {
    readonly route: RouteNode;
    readonly path: FieldPath;
    readonly flow: Flow;
    /** The route's other flows on a mesh claim, which is its whole host (made only for a second one). */
    more?: Flow[];
    /** Its host is a short name qualified with the route's namespace, which the route does not write. */
    readonly guessedHost?: true;
  }
  interface Claim {
    readonly listener: string;
    readonly host: string;
    /** The match claimed, or undefined for a mesh VirtualService, which claims its whole host. */
    readonly match: string | undefined;
    readonly claimants: Claimant[];
  }
  // A claim with one claimant is that claimant alone: the Claim is made when a second route comes.
  const claims = new Map<string, Claimant | Claim>();
  let named: Map<string, string> | undefined;
  const names = () => (named ??= listenerNames(graph));
  for (const attachment of graph.attachments) {
    const route = graph.routes.get(attachment.route);
    // A route its tree's GitOps objects no longer deliver is pruned: it claims nothing (an overlay
    // another cluster's delivery was pointed away from, read as contending with the one it now gets).
    if (!route || attachment.status === "missing" || attachment.status === "rejected" || placed?.applied(route.file) === false) continue;
    const flows = graph.flowsByRoute.get(route.key) ?? [];
    for (const { id: listener, entry } of attachment.listeners) {
      for (const flow of flows) {
        if (unscopedEntry(flow.entry) !== entry) continue;
        const mesh = route.api === "istio" && listener === "mesh";
        const section = mesh ? /^(\S+)( \((?:tls|tcp)\))?$/.exec(flow.host) : null;
        const host = mesh && section ? `${qualifyHost(section[1]!, route.id.namespace)}${section[2] ?? ""}` : flow.host;
        const key = mesh ? `mesh|${host}` : `${listener}|${host}|${flow.match}`;
        // Only a host written without a dot takes the route's namespace (qualifyHost), which it does not write.
        const guessedHost =
          route.namespaceImplied &&
          section !== null &&
          route.hostnames.some((written) => !/[.*]/.test(written) && `${written}.${route.id.namespace}` === section[1]);
        const claimant: Claimant = { route, flow, path: mesh ? ["spec", "hosts"] : flow.path, ...(guessedHost ? { guessedHost } : {}) };
        const claim = claims.get(key);
        const same = !claim
          ? undefined
          : "claimants" in claim
            ? claim.claimants.find((other) => other.route.key === route.key)
            : claim.route.key === route.key
              ? claim
              : undefined;
        if (same) (same.more ??= []).push(flow);
        else if (!claim) claims.set(key, claimant);
        else if (!("claimants" in claim))
          claims.set(key, { listener, host, match: mesh ? undefined : flow.match, claimants: [claim, claimant] });
        else claim.claimants.push(claimant);
      }
    }
  }
  claims.forEach((claim, key) => {
    if (!("claimants" in claim)) return;
    const claimants = [...claim.claimants].sort((a, b) => (a.route.key < b.route.key ? -1 : 1));
    const collide = (a: Claimant, b: Claimant, known: boolean) =>
      !sameObject(a.route, b.route) &&
      !sameDefinition(a.route, b.route, definitionOf) &&
      !appliedApart(a.route, b.route, placed) &&
      !copiesApart(a.route, b.route, placed) &&
      !judged(a.route, b.route) &&
      seeEachOther(a.route, b.route) &&
      (!known || sameHostKnown(a, b));
    // Only the claimants that collide contend: mesh VirtualServices exported each to its own
    // namespace (`exportTo: "."`) beside a third both see do not contend with each other, so that
    // pair exported to all is a new takeover, not one the base had.
    const pairs = new Set<string>();
    const rivals = new Set<string>();
    const contending = new Set<Claimant>();
    claimants.forEach((a, i) =>
      claimants.slice(i + 1).forEach((b) => {
        if (!collide(a, b, true)) return;
        const objects = [resourceKey(a.route.id), resourceKey(b.route.id)];
        pairs.add(objects.sort().join(" "));
        if (objects[0] === objects[1]) rivals.add([a.route.key, b.route.key].sort().join(" "));
        contending.add(a).add(b);
      }),
    );
    if (pairs.size === 0) {
      if (claimants.some((a, i) => claimants.slice(i + 1).some((b) => collide(a, b, false)))) note(UNWRITTEN_NAMESPACE);
      return;
    }
    const crossNamespace = new Set(claimants.map(({ route }) => route.id.namespace)).size > 1;
    const cls: ChangeClassId = crossNamespace ? "access.widened" : "listener.changed";
    // The same identity in two files (or clusters) is told apart by its scope.
    const who = claimants.map(({ route }) => `${displayName(route.id)}${route.scope ? ` @${route.scope}` : ""}`).join(" and ");
    const what = claim.match === undefined ? `host ${claim.host}` : `${claim.host} ${claim.match}`;
    // Keyed by the objects that contend, not by every file writing one of them: one more version of
    // an object already contending with itself is the conflict the base had (kgateway's examples:
    // a fifth file writing HTTPRoute default/example-route read as a new conflict).
    const contenders = [...new Set(claimants.map(({ route }) => resourceKey(route.id)))];
    const effect =
      contenders.length === 1
        ? "versions of one object, and which one the cluster holds depends on the order they are applied in"
        : claim.listener === "mesh"
          ? "Istio applies only one VirtualService per host in the mesh"
          : "which one serves it depends on creation order";
    issues.push({
      class: cls,
      key: `${cls}|${key}|${contenders.join(",")}`,
      summary: `${what} on ${names().get(claim.listener) ?? claim.listener} is claimed by ${who}: ${effect}${crossNamespace ? " (takeover risk across namespaces)" : ""}`,
      subjects: claimants.map(({ route, path }) => ({ key: route.key, id: route.id, path })),
      contention: { claim: key, pairs: [...pairs], rivals: [...rivals], sends: destinations([...contending]) },
    });
  });
}

/** gwctl-style triage: only problems the PR introduces gate; those already at base are listed apart. */
export interface IssueComparison {
  readonly introduced: readonly GraphIssue[];
  readonly existing: readonly GraphIssue[];
  readonly fixed: readonly GraphIssue[];
}

export function compareIssues(base: readonly GraphIssue[], head: readonly GraphIssue[]): IssueComparison {
  const before = new Set(base.map((issue) => issue.key));
  const after = new Set(head.map((issue) => issue.key));
  // A claim is one conflict at most per tree, so the base's and the head's are each other's.
  const atBase = new Map(base.flatMap(({ contention }) => (contention ? [[contention.claim, contention]] : [])));
  // A conflict that shrinks is the one the base had when every two objects contending for the claim
  // at head contended for it at base (aws-application-networking-k8s 1862bef9: route-a, route-b and
  // route-c on `/` of my-hotel:http, route-c deleted, read as a new conflict of route-a and route-b),
  // and every object that left sent its requests where one left sends them: the winner is the
  // oldest, and a departed one that was oldest hands its requests to another contender. One more
  // object joining contends with each of them anew: a new conflict.
  const shrunk = new Set<string>();
  const departed = new Map<string, Destination[]>();
  for (const { contention } of head) {
    const had = contention && atBase.get(contention.claim);
    if (!had || !contention.pairs.every((pair) => had.pairs.includes(pair))) continue;
    const remaining = new Set([...contention.sends.values()].flatMap(({ same }) => same));
    const moving = [...had.sends]
      .filter(([object, { same }]) => !contention.sends.has(object) && !same.every((version) => remaining.has(version)))
      .map(([, destination]) => destination);
    if (moving.length === 0) shrunk.add(contention.claim);
    else departed.set(contention.claim, moving);
  }
  // Versions of one object that contended at base, whatever for: files of one sample each (istio's
  // bookinfo, flagger's artifacts) applied one at a time instead of each other. One of them edited
  // in place to claim what another version claims (flagger f117f72901: workloads/virtual-service.yaml's
  // VirtualService test/podinfo given routing/match.yaml's app.istio.weavedx.com, the two already
  // rivals on the mesh host podinfo) is the rivalry the base had; the edit is judged as an edit by
  // the route diff. Versions that did not contend at base, or another object joining, contend anew.
  const rivalsAtBase = new Set(base.flatMap(({ contention }) => contention?.rivals ?? []));
  const rivalsBefore = ({ contention }: GraphIssue) =>
    contention !== undefined &&
    contention.pairs.length === 1 &&
    contention.rivals.length > 0 &&
    contention.rivals.every((rival) => rivalsAtBase.has(rival));
  // A conflict is judged by its pairs, not by its key (the objects claiming): two equal copies of
  // route-a beside route-b, one copy made to differ, are the same objects but a new pair, the copy
  // against the original.
  const had = (issue: GraphIssue) => (issue.contention ? shrunk.has(issue.contention.claim) || rivalsBefore(issue) : before.has(issue.key));
  const still = (issue: GraphIssue) => after.has(issue.key) || (issue.contention !== undefined && shrunk.has(issue.contention.claim));
  const told = (issue: GraphIssue): GraphIssue => {
    const moving = issue.contention && departed.get(issue.contention.claim);
    if (!moving) return issue;
    const left = moving.map(({ name, to }) => `${name} (to ${to})`).join(" and ");
    return { ...issue, summary: `${issue.summary}; ${left} left the contested claim: requests it served may move to the ones left` };
  };
  return {
    introduced: head.filter((issue) => !had(issue)).map(told),
    existing: head.filter(had),
    fixed: base.filter((issue) => !still(issue)),
  };
}

/** Where each contending object sends the claimed requests: every rule of it on the claim, every version of it. */
function destinations(
  claimants: readonly { readonly route: RouteNode; readonly flow: Flow; readonly more?: Flow[] }[],
): Map<string, Destination> {
  const versions = new Map<string, { name: string; to: Set<string>; same: Set<string> }>();
  for (const { route, flow, more } of claimants) {
    const object = resourceKey(route.id);
    let entry = versions.get(object);
    if (!entry) versions.set(object, (entry = { name: displayName(route.id), to: new Set(), same: new Set() }));
    const flows = [flow, ...(more ?? [])].sort((a, b) => (a.match < b.match ? -1 : 1));
    const each = (write: (backend: Backend) => string) => flows.map((f) => f.backends.map(write).join(", ")).join("; ");
    entry.to.add(
      each(({ label, share, answers }) => (answers !== undefined ? `answers ${answers}` : `${label} ${Math.round(share * 100)}%`)),
    );
    entry.same.add(
      flows
        .map((f) => `${f.match} → ${f.backends.map(({ key, share, answers }) => `${key}=${answers ?? ""}@${share}`).join(", ")}`)
        .join("; "),
    );
  }
  return new Map([...versions].map(([object, { name, to, same }]) => [object, { name, to: [...to].join(" or "), same: [...same] }]));
}
