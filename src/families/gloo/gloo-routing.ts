import { flag, list, numeric, record, spec, text, texts, type JsonRecord } from "../../core/json-access.js";
import { declares } from "../../core/declared-identities.js";
import { removedWhileNamed } from "../../core/removed-while-named.js";
import type { Resource } from "../../core/resource.js";
import { delegateSelects, failureModeOf, glooWeights, missingVirtualGateways, tableFailure, type FailureMode } from "./flows.js";
import { canonical, describeLeafChanges, leafChanges, sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { describeSelector, normal } from "./gloo-selectors.js";
import { pairEntries } from "../../core/pair-entries.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import { registryChanges, registryEntryChange, registryOf } from "../../core/registry-hosts.js";
import { routesOfTables } from "./route-selection.js";

/**
 * Gloo Platform routing objects (networking.gloo.solo.io/v2; research §1.4). RouteTable routes and
 * destinations are the route diff's (gloo-flows.ts); this module judges what it does not see:
 * splits Gloo rejects, delegation priority, rewrites, VirtualDestination backing clusters, hosts
 * and ports, and VirtualGateway listeners.
 */

// ---------------------------------------------------------------------------------------------
// RouteTable

interface RouteView {
  readonly section: string;
  readonly value: JsonRecord;
  readonly path: FieldPath;
  readonly label: string;
  readonly signature: string;
}

const routeViews = (resource: Resource | undefined): RouteView[] =>
  (["http", "tcp", "tls"] as const).flatMap((section) =>
    list(spec(resource)[section]).map((item, index) => {
      const value = record(item);
      const name = text(value.name);
      return {
        section,
        value,
        path: ["spec", section, index],
        label: `${section} route ${name ?? index + 1}`,
        signature: `${section}|${canonical(list(value.matchers).map((matcher) => normal(matcher)))}`,
      };
    }),
  );

/**
 * Gloo rejects a split whose weights do not add up. By default the route diff sees the route
 * answer 500 (flows.ts); with FREEZE_CONFIG the table keeps its last accepted config, and this is
 * the finding: nothing moves, but no later edit of the table tree applies until it is fixed.
 */
const rejectedSplits = (
  out: DetectionList,
  before: RouteView | undefined,
  after: RouteView,
  mode: FailureMode,
  /** The table's own failureMode says otherwise, as a delegated child's may (tableFailure). */
  unheeded: boolean,
): void => {
  const destinations = list(record(after.value.forwardTo).destinations);
  const { invalid } = glooWeights(destinations);
  if (!invalid) return;
  const earlier = list(record(before?.value.forwardTo).destinations);
  if (before && glooWeights(earlier).invalid && sameValue(earlier, destinations)) return;
  out.add({
    class: "resource.changed",
    summary: `${after.label}: ${invalid}: Gloo will reject this split (${
      mode === "FREEZE_CONFIG"
        ? "failureMode FREEZE_CONFIG: the table tree keeps serving its last accepted config until this is fixed; its other edits, judged here as written, all go live then"
        : `failureMode ROUTE_REPLACEMENT, ${unheeded ? "its parent's (a delegated child's own failureMode is unsupported)" : "the default"}: the route is replaced by a 500 direct response`
    })`,
    side: "head",
    path: [...after.path, "forwardTo", "destinations"],
    before: before ? normal(earlier) : undefined,
    after: normal(destinations),
    riskFloor: "medium-high",
  });
};

const REWRITES = ["pathRewrite", "regexRewrite", "hostRewrite", "autoHostRewrite"] as const;

const rewrites = (out: DetectionList, before: RouteView, after: RouteView): void => {
  const view = (route: RouteView) => Object.fromEntries(REWRITES.map((field) => [field, record(route.value.forwardTo)[field]]));
  const changes = leafChanges(view(before), view(after));
  if (changes.length === 0) return;
  out.add({
    class: "route.match-changed",
    summary: `${after.label}: forwardTo ${describeLeafChanges(changes)}: requests reach the destination with another path or host`,
    side: "head",
    path: [...after.path, "forwardTo"],
    before: normal(view(before)),
    after: normal(view(after)),
  });
};

/**
 * A table tree frozen at base serves a config the review cannot see: its last accepted one, which
 * may be older than the base commit. The PR that unfreezes it applies every edit held since then
 * at once (H2: fixing a 60/50 split switched /b to evil-svc, an edit an earlier PR made behind the
 * freeze), while the route diff can only compare with the base as written: high, saying so.
 */
const thawed = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !tableFailure(change.base, context.base).frozen) return;
  if (change.head && tableFailure(change.head, context.head).frozen) return;
  out.add({
    class: "resource.changed",
    summary:
      "its table tree was frozen at base (failureMode FREEZE_CONFIG, a split Gloo rejects) and is not now: Gloo applies at once every edit made to the tree since its last accepted config, which may be older than the base and which this review cannot see (the route diff compares with the base as written)",
    side: change.head ? "head" : "base",
    path: ["spec"],
    riskFloor: "high",
  });
};

/** A route's actions that answer its requests in the gateway instead of forwarding them. */
const GLOO_ANSWERS = [
  ["redirect", "redirect"],
  ["directResponse", "answer"],
] as const;

export const routeTable = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const base = routeViews(change.base);
  const head = routeViews(change.head);
  const mode = change.head ? tableFailure(change.head, context.head).mode : "ROUTE_REPLACEMENT";
  const unheeded = failureModeOf(spec(change.head)) !== mode;
  for (const pair of pairEntries(base, head, [
    (route) => (text(route.value.name) ? `${route.section}|${text(route.value.name)}` : undefined),
    (route) => route.signature,
  ])) {
    if (!pair.head) continue;
    rejectedSplits(out, pair.base?.value, pair.head.value, mode, unheeded);
    if (!pair.base) continue;
    rewrites(out, pair.base.value, pair.head.value);
    for (const [field, kind] of GLOO_ANSWERS)
      reportRedirection(out, {
        kind,
        subject: `${pair.head.value.label}: ${field}`,
        before: pair.base.value.value[field],
        after: pair.head.value.value[field],
        path: [...pair.head.value.path, field],
      });
  }
  thawed(change, out, context);
  if (!change.base || !change.head) return;
  const priorityBefore = numeric(spec(change.base).weight) ?? 0;
  const priorityAfter = numeric(spec(change.head).weight) ?? 0;
  if (priorityBefore !== priorityAfter) {
    out.add({
      class: "resource.changed",
      summary: `spec.weight ${priorityBefore} → ${priorityAfter}: this is the table's delegation priority, not a traffic weight: parents try higher-weighted child tables first, so overlapping routes may now match in another table`,
      side: "head",
      path: ["spec", "weight"],
      before: priorityBefore,
      after: priorityAfter,
      riskFloor: "medium",
    });
  }
  const modeBefore = text(spec(change.base).failureMode) ?? "ROUTE_REPLACEMENT";
  const modeAfter = text(spec(change.head).failureMode) ?? "ROUTE_REPLACEMENT";
  if (modeBefore !== modeAfter) {
    out.add({
      class: "resource.changed",
      summary: `failureMode ${modeBefore} → ${modeAfter}: ${modeAfter === "FREEZE_CONFIG" ? "a misconfigured route now freezes every route of the table tree at its last accepted config" : "a misconfigured route is now replaced by a 500 direct response"}`,
      side: "head",
      path: ["spec", "failureMode"],
      before: modeBefore,
      after: modeAfter,
      riskFloor: "medium",
    });
  }
};

// ---------------------------------------------------------------------------------------------
// VirtualDestination

/** Every cluster of the workspace: a services selector that names no cluster. */
const EVERY_CLUSTER = "*";

const backingClusters = (resource: Resource | undefined): Map<string, number> => {
  const clusters = new Map<string, number>();
  list(spec(resource).services).forEach((selector, index) => {
    const cluster = text(record(selector).cluster) || EVERY_CLUSTER;
    if (!clusters.has(cluster)) clusters.set(cluster, index);
  });
  return clusters;
};

const portKey = (port: unknown) => String(numeric(record(port).number) ?? "?");

export const virtualDestination = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const hosts = (resource: Resource | undefined) => sortedSet(texts(spec(resource).hosts));
  const where = (cluster: string) => {
    if (cluster === EVERY_CLUSTER) return "every cluster of the workspace (a services selector names no cluster)";
    const region = context.policy.topology.clusters[cluster];
    return `cluster ${cluster}${region ? ` (region ${region})` : ""}`;
  };
  const before = backingClusters(change.base);
  const after = backingClusters(change.head);
  const served = hosts(change.head ?? change.base).join(", ") || "its hosts";
  if (!change.base || !change.head) {
    const resource = (change.head ?? change.base) as Resource;
    const clusters = [...(change.head ? after : before).keys()];
    const ports = list(spec(resource).ports).map(portKey).join(", ");
    out.add(
      change.head
        ? {
            class: clusters.length > 1 || clusters.includes(EVERY_CLUSTER) ? "backend.region-added" : "route.added",
            summary: `added: ${served} on port ${ports} served by services in ${clusters.map(where).join(", ")}: a multi-cluster backend`,
            side: "head",
            path: ["spec", "services"],
            after: { hosts: hosts(change.head), clusters: sortedSet(clusters) },
          }
        : {
            class: "route.removed",
            summary: `removed: ${served} no longer resolve, and routes that forward to this VirtualDestination fail`,
            side: "base",
            path: [],
            before: { hosts: hosts(change.base), clusters: sortedSet(clusters) },
          },
    );
    return;
  }
  // A selector that names no cluster takes the same services in every cluster of the workspace: a
  // named cluster whose selector it repeats stays selected (gloo-d30: west and east → one unpinned
  // selector loses neither), and one named beside it was selected already.
  const unpinned = (resource: Resource) =>
    new Set(
      list(spec(resource).services)
        .filter((selector) => !text(record(selector).cluster))
        .map((selector) => describeSelector({ ...record(selector), cluster: undefined })),
    );
  const coveredBy = (resource: Resource, other: Resource, index: number) =>
    unpinned(other).has(describeSelector({ ...record(list(spec(resource).services)[index]), cluster: undefined }));
  for (const [cluster, index] of after) {
    if (before.has(cluster) || coveredBy(change.head, change.base, index)) continue;
    out.add({
      class: "backend.region-added",
      summary: `services selector now matches ${where(cluster)}: ${served} gain backends there`,
      side: "head",
      path: ["spec", "services", index],
      before: sortedSet(before.keys()),
      after: sortedSet(after.keys()),
    });
  }
  for (const [cluster, index] of before) {
    if (after.has(cluster) || coveredBy(change.base, change.head, index)) continue;
    out.add({
      class: "backend.region-removed",
      summary: `services no longer selected in ${where(cluster)}: ${served} lose their backends there`,
      side: "base",
      path: ["spec", "services", index],
      before: sortedSet(before.keys()),
      after: sortedSet(after.keys()),
    });
  }
  const selectors = (resource: Resource) => sortedSet(list(spec(resource).services).map(describeSelector));
  if (sameValue([...before.keys()].sort(), [...after.keys()].sort()) && !sameValue(selectors(change.base), selectors(change.head))) {
    out.add({
      class: "resource.changed",
      summary: `services ${show(selectors(change.base))} → ${show(selectors(change.head))}: other services back ${served}`,
      side: "head",
      path: ["spec", "services"],
      before: selectors(change.base),
      after: selectors(change.head),
      riskFloor: "medium-high",
    });
  }
  const hostChange = setChange(hosts(change.base), hosts(change.head));
  for (const host of hostChange.added) {
    out.add({
      class: "route.added",
      summary: `host ${host} added: it now resolves to these backing services`,
      side: "head",
      path: ["spec", "hosts"],
      after: host,
    });
  }
  for (const host of hostChange.removed) {
    out.add({
      class: "route.removed",
      summary: `host ${host} removed: clients that call it fail`,
      side: "head",
      path: ["spec", "hosts"],
      before: host,
    });
  }
  const ports = (resource: Resource) =>
    new Map(list(spec(resource).ports).map((port, index) => [portKey(port), { value: normal(port), index }]));
  const portsBefore = ports(change.base);
  const portsAfter = ports(change.head);
  for (const [port, { value, index }] of portsAfter) {
    const was = portsBefore.get(port);
    if (!was)
      out.add({
        class: "route.added",
        summary: `port ${port} added (${show(value)})`,
        side: "head",
        path: ["spec", "ports", index],
        after: value,
      });
    else if (!sameValue(was.value, value)) {
      out.add({
        class: "resource.changed",
        summary: `port ${port} ${describeLeafChanges(leafChanges(was.value, value))}: protocol or target port of the backing services changes`,
        side: "head",
        path: ["spec", "ports", index],
        before: was.value,
        after: value,
        riskFloor: "medium-high",
      });
    }
  }
  for (const [port, { value, index }] of portsBefore) {
    if (!portsAfter.has(port))
      out.add({
        class: "route.removed",
        summary: `port ${port} removed: clients of ${served} on that port fail`,
        side: "base",
        path: ["spec", "ports", index],
        before: value,
      });
  }
  if (!sameValue(spec(change.base).clientMode, spec(change.head).clientMode)) {
    out.add({
      class: "resource.changed",
      summary: `clientMode ${show(spec(change.base).clientMode)} → ${show(spec(change.head).clientMode)}: how clients reach the backing services across clusters (east-west gateway mode) changes`,
      side: "head",
      path: ["spec", "clientMode"],
      before: normal(spec(change.base).clientMode),
      after: normal(spec(change.head).clientMode),
      riskFloor: "medium-high",
    });
  }
};

// ---------------------------------------------------------------------------------------------
// VirtualGateway

interface RouteTableFilter {
  readonly host: string;
  readonly selector: string;
}

/** `*.example.com` (any namespace) ⊇ `shop/a.example.com`. */
const hostCovers = (wide: string, narrow: string): boolean => {
  const split = (host: string): [string, string] => {
    const slash = host.indexOf("/");
    return slash < 0 ? ["*", host] : [host.slice(0, slash), host.slice(slash + 1)];
  };
  const [wideNamespace, wideHost] = split(wide);
  const [narrowNamespace, narrowHost] = split(narrow);
  const namespaceCovers = wideNamespace === "*" || wideNamespace === narrowNamespace;
  const hostMatches = wideHost === narrowHost || wideHost === "*" || (wideHost.startsWith("*") && narrowHost.endsWith(wideHost.slice(1)));
  return namespaceCovers && hostMatches;
};

/** Undefined: no filter, any RouteTable of the workspace can bind. */
const routeTableFilters = (listener: JsonRecord): RouteTableFilter[] | undefined => {
  const filters = list(listener.allowedRouteTables);
  if (listener.allowedRouteTables === undefined || filters.length === 0) return undefined;
  return filters.map((filter) => ({
    host: text(record(filter).host) ?? "*",
    // A nil selector matches no RouteTable; an empty one matches every RouteTable of the workspace.
    selector: record(filter).selector === undefined ? "(none)" : describeSelector(record(filter).selector),
  }));
};

const showFilters = (filters: RouteTableFilter[] | undefined) =>
  filters === undefined ? "(any RouteTable)" : show(filters.map((filter) => `${filter.host} ${filter.selector}`));

const listenerView = (value: unknown) => {
  const listener = record(value);
  const port = record(listener.port);
  const tls = listener.tls === undefined ? undefined : normal(listener.tls);
  return {
    port: numeric(port.number) ?? text(port.name),
    type: listener.http !== undefined ? "http" : "tcp",
    appProtocol: text(listener.appProtocol)?.toUpperCase(),
    httpsRedirect: flag(listener.httpsRedirect) ?? false,
    tls,
    filters: routeTableFilters(listener),
  };
};

type ListenerView = ReturnType<typeof listenerView>;

const compareGatewayListener = (out: DetectionList, was: ListenerView, now: ListenerView, path: FieldPath): void => {
  const label = `listener :${show(now.port)}`;
  if (was.type !== now.type || was.appProtocol !== now.appProtocol) {
    out.add({
      class: "listener.changed",
      summary: `${label} ${was.type}/${show(was.appProtocol)} → ${now.type}/${show(now.appProtocol)}: how the gateway handles the port's traffic changes`,
      side: "head",
      path,
      before: { type: was.type, appProtocol: was.appProtocol },
      after: { type: now.type, appProtocol: now.appProtocol },
    });
  }
  if (was.httpsRedirect !== now.httpsRedirect) {
    out.add({
      class: "listener.changed",
      summary: `${label} httpsRedirect ${was.httpsRedirect} → ${now.httpsRedirect}${now.httpsRedirect ? "" : ": plain HTTP requests are served instead of redirected to HTTPS"}`,
      side: "head",
      path: [...path, "httpsRedirect"],
      before: was.httpsRedirect,
      after: now.httpsRedirect,
    });
  }
  if (!sameValue(was.tls, now.tls)) {
    const what =
      now.tls === undefined
        ? "removed: the listener no longer terminates or validates TLS"
        : was.tls === undefined
          ? `added (${show(now.tls)})`
          : describeLeafChanges(leafChanges(was.tls, now.tls));
    out.add({
      class: "trust.changed",
      summary: `${label} tls ${what}: the certificate, mode or client validation the gateway serves changes`,
      side: "head",
      path: [...path, "tls"],
      before: was.tls,
      after: now.tls,
    });
  }
  if (!sameValue(was.filters, now.filters)) {
    const widened =
      now.filters === undefined ||
      (was.filters !== undefined &&
        now.filters.some(
          (filter) =>
            !was.filters!.some(
              (old) => hostCovers(old.host, filter.host) && (old.selector === filter.selector || old.selector === "everything"),
            ),
        ));
    out.add({
      class: widened ? "access.widened" : "listener.changed",
      summary: `${label} allowedRouteTables ${showFilters(was.filters)} → ${showFilters(now.filters)}: ${
        widened
          ? "more RouteTables can bind to the listener and claim its hosts"
          : "fewer RouteTables can bind: routes of the others detach"
      }`,
      side: "head",
      path: [...path, "allowedRouteTables"],
      before: was.filters,
      after: now.filters,
    });
  }
};

export const virtualGateway = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const of = (resource: Resource) => list(spec(resource).listeners);
  const identity = (listener: unknown) => show(listenerView(listener).port);
  for (const pair of pairEntries(of(change.base), of(change.head), [identity])) {
    const path = (index: number): FieldPath => ["spec", "listeners", index];
    if (pair.base && pair.head)
      compareGatewayListener(out, listenerView(pair.base.value), listenerView(pair.head.value), path(pair.head.index));
    else if (pair.head) {
      const view = listenerView(pair.head.value);
      out.add({
        class: "listener.changed",
        summary: `listener :${show(view.port)} added (${view.type}${view.tls ? ", TLS" : ""}, ${showFilters(view.filters)}): a new exposure point`,
        side: "head",
        path: path(pair.head.index),
        after: view,
      });
    } else if (pair.base) {
      const view = listenerView(pair.base.value);
      out.add({
        class: "listener.changed",
        summary: `listener :${show(view.port)} removed: RouteTables bound to it are no longer served there`,
        side: "base",
        path: path(pair.base.index),
        before: view,
      });
    }
  }
  const workloads = (resource: Resource) =>
    sortedSet(list(spec(resource).workloads).map((workload) => describeSelector(record(workload).selector)));
  if (!sameValue(workloads(change.base), workloads(change.head))) {
    out.add({
      class: "listener.changed",
      summary: `workloads ${show(workloads(change.base))} → ${show(workloads(change.head))}: other gateway proxies (possibly in other clusters) serve these listeners`,
      side: "head",
      path: ["spec", "workloads"],
      before: workloads(change.base),
      after: workloads(change.head),
    });
  }
};

// ---------------------------------------------------------------------------------------------
// ExternalService

/**
 * The hosts and ports an ExternalService registers (Gloo makes an Istio ServiceEntry of it), judged
 * as a ServiceEntry's: a host that joins opens egress to it, one that leaves is no longer served
 * through the mesh — and RouteTables that forward to the service by name now reach the new hosts.
 */
const isExternalService = (resource: Resource): boolean =>
  resource.id.kind === "ExternalService" && resource.id.group === "networking.gloo.solo.io";

export const externalService = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const registry = registryOf(change, context, { kind: "ExternalService", isEntry: isExternalService });
  registryEntryChange(change, out, registry);
  if (!change.base || !change.head) return;
  registryChanges(change, out, sortedSet(texts(spec(change.head).hosts)).join(", "), registry);
};

/**
 * A VirtualGateway removed while RouteTables of the tree still bind to it (`virtualGateways`, name
 * and namespace defaulting to the table's): their routes are no longer served by that gateway.
 */
export const virtualGatewayRemoved = removedWhileNamed(
  (tree, gateway) =>
    // A table held once per cluster or file is named once.
    [
      ...new Set(
        [...tree.resources.values()]
          .filter(
            (resource) =>
              resource.id.kind === "RouteTable" &&
              list(spec(resource).virtualGateways).some((item) => {
                const ref = record(item);
                return text(ref.name) === gateway.id.name && (text(ref.namespace) ?? resource.id.namespace) === gateway.id.namespace;
              }),
          )
          .map((table) => `RouteTable ${table.id.namespace}/${table.id.name}`),
      ),
    ].sort(),
  (tables) =>
    `removed while ${tables.join(", ")} still ${tables.length === 1 ? "binds to it: its routes are" : "bind to it: their routes are"} no longer served through it`,
);

/**
 * A RouteTable that comes to bind to a VirtualGateway the tree does not hold, while it holds others
 * (gloo-d28: `north-south-gw` renamed `north-south-gateway` in the table only): no gateway serves
 * its routes there. One the base already named so is the base's problem.
 */
export const unknownVirtualGateways = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.head) return;
  const before = change.base ? missingVirtualGateways(change.base, context.base) : [];
  const missing = missingVirtualGateways(change.head, context.head).filter((entry) => !before.includes(entry));
  if (missing.length === 0) return;
  out.add({
    class: "reference.broken",
    summary: `virtualGateways names ${missing.join(", ")}, which the repository does not hold: no gateway serves its routes there`,
    side: "head",
    path: ["spec", "virtualGateways"],
    after: missing,
  });
};

/**
 * A RouteTable removed while a parent of the tree delegates to it and no other table of the tree
 * answers that delegation: the parent's delegated route is left without routes.
 */
export const delegatedTableRemoved = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  // Another object of this identity (in another file or cluster) still answers the name.
  if (!change.base || change.head || declares(context.head, change.base.id)) return;
  const removed = change.base;
  const tables = [...new Set(routesOfTables(context.head).map(({ table }) => table))];
  const orphaned: string[] = [];
  for (const parent of tables)
    list(spec(parent).http).forEach((item, index) => {
      const route = record(item);
      const selectors = list(record(route.delegate).routeTables).map(record);
      if (!selectors.some((selector) => delegateSelects(selector, parent, removed))) return;
      const answered = tables.some((table) => table !== parent && selectors.some((selector) => delegateSelects(selector, parent, table)));
      const label = `route ${text(route.name) ?? `#${index + 1}`} of RouteTable ${parent.id.namespace}/${parent.id.name}`;
      if (!answered && !orphaned.includes(label)) orphaned.push(label);
    });
  if (orphaned.length === 0) return;
  out.add({
    class: "reference.broken",
    summary: `removed while ${orphaned.join(", ")} still ${orphaned.length === 1 ? "delegates" : "delegate"} to it, and no other RouteTable of the repository answers: the delegated requests find no route`,
    side: "base",
    path: ["spec"],
    before: orphaned,
  });
};
