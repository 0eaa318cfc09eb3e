import type { ManifestSet, Resource } from "../../core/resource.js";
import { declares } from "../../core/declared-identities.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { notInTree } from "../../core/traffic-model.js";
import { actionRef, ruleIdOf, type RouteRules, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { flag, list, nonEmptyTexts, numeric, record, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { sharedPath } from "../../core/field-path.js";

/**
 * Gloo Platform RouteTables (networking.gloo.solo.io/v2) as flows: one per entry (each
 * VirtualGateway, or `mesh` for sidecars), host and route. Routes are first-match within the
 * table, so their order is their precedence. Destination weights follow Gloo's rule (see
 * `glooWeights`), and a destination is identified by kind, cluster, namespace, name, port and subset.
 */

export const GLOO_NETWORKING_GROUP = "networking.gloo.solo.io";

/** Sidecars of the workspace route with the table when it names no gateway or selects workloads. */
export const MESH_ENTRY = "mesh";
/** A child table (no hosts, no gateways) is reached only through a parent's `delegate` route. */
export const DELEGATED_ENTRY = "RouteTable (delegated)";

export function routeTableEntries(spec: JsonRecord, namespace: string): string[] {
  const gateways = list(spec.virtualGateways).map(
    (ref) => `VirtualGateway ${text(record(ref).namespace) ?? namespace}/${text(record(ref).name) ?? "?"}`,
  );
  const hosts = list(spec.hosts);
  if (gateways.length === 0 && hosts.length === 0) return [DELEGATED_ENTRY];
  const sidecars = gateways.length === 0 || list(spec.workloadSelectors).length > 0;
  return [...new Set([...gateways, ...(sidecars ? [MESH_ENTRY] : [])])];
}

/**
 * The entries (`VirtualGateway ns/name`) of the VirtualGateways a table binds to that the tree does
 * not hold; none are known missing in a tree without VirtualGateways (they live elsewhere).
 */
export function missingVirtualGateways(table: Resource, set: ManifestSet): string[] {
  if (resourcesOfKind(set, "VirtualGateway").every((gateway) => gateway.id.group !== GLOO_NETWORKING_GROUP)) return [];
  return list(record(table.body.spec).virtualGateways).flatMap((item) => {
    const ref = record(item);
    const id = {
      group: GLOO_NETWORKING_GROUP,
      kind: "VirtualGateway",
      namespace: text(ref.namespace) ?? table.id.namespace,
      name: text(ref.name) ?? "?",
    };
    return declares(set, id) ? [] : [`VirtualGateway ${id.namespace}/${id.name}`];
  });
}

export interface GlooWeights {
  /** Effective weight per destination, in list order. */
  readonly weights: readonly number[];
  /** Why Gloo rejects the split; undefined when it accepts it. */
  readonly invalid?: string;
}

/**
 * Gloo's weight rule (route_table.proto ForwardToAction): weights must sum to 100; when the
 * explicit ones sum to less, the remainder is spread over the destinations without a weight
 * (at least 1 each). Weights are proto3 uint32, so 0 is the same as unset. A single destination
 * takes all traffic whatever its weight. An invalid split keeps its explicit weights so that it
 * can still be compared by share.
 */
export function glooWeights(destinations: readonly unknown[]): GlooWeights {
  if (destinations.length <= 1) return { weights: destinations.map(() => 100) };
  const explicit = destinations.map((destination) => numeric(record(destination).weight) ?? 0);
  const total = explicit.reduce((sum, weight) => sum + weight, 0);
  const unset = explicit.filter((weight) => weight === 0).length;
  const remainder = 100 - total;
  const weights = explicit.map((weight) => (weight === 0 && unset > 0 ? Math.max(0, remainder) / unset : weight));
  if (unset === 0 && total !== 100) return { weights, invalid: `destination weights sum to ${total}, not 100` };
  if (unset > 0 && remainder < unset) {
    return {
      weights,
      invalid: `explicit weights sum to ${total}, leaving ${Math.max(0, remainder)} for ${unset} destination${unset === 1 ? "" : "s"} without a weight (each needs at least 1; weight 0 means unset)`,
    };
  }
  return { weights };
}

const KIND_LABEL: Readonly<Record<string, string>> = { VIRTUAL_DESTINATION: "VirtualDestination", EXTERNAL_SERVICE: "ExternalService" };

function destinationRef(destination: JsonRecord, namespace: string, file: string, weight: number, path: (string | number)[]): WeightedRef {
  const ref = record(destination.ref);
  const kind = text(destination.kind) ?? "SERVICE";
  const name = text(ref.name) ?? "?";
  const refNamespace = text(ref.namespace) || namespace;
  const cluster = text(ref.cluster) || undefined;
  const port = record(destination.port);
  const portLabel = numeric(port.number) ?? text(port.name);
  const subset = stringMap(destination.subset);
  const subsetLabel = Object.keys(subset)
    .sort()
    .map((key) => `${key}=${subset[key]}`)
    .join(",");
  const kindLabel = KIND_LABEL[kind];
  const where = `${refNamespace === namespace ? "" : `${refNamespace}/`}${name}${cluster ? `@${cluster}` : ""}${portLabel === undefined ? "" : `:${portLabel}`}`;
  return {
    key: `${kind}/${cluster ?? ""}/${refNamespace}/${name}:${portLabel ?? ""}|${subsetLabel}`,
    label: `${kindLabel ? `${kindLabel} ` : ""}${where}${subsetLabel ? ` {${subsetLabel}}` : ""}`,
    weight,
    // ref.cluster on a Service names where its endpoints run; on other kinds it names where the object is kept.
    ref: {
      kind: kind === "VIRTUAL_DESTINATION" ? "VirtualDestination" : kind === "EXTERNAL_SERVICE" ? "Host" : "Service",
      name,
      namespace: refNamespace,
      ...(kind === "SERVICE" && cluster ? { cluster } : {}),
      routeFile: file,
      ...(kind === "SERVICE" ? { coreService: true } : {}),
      ...(portLabel === undefined ? {} : { port: portLabel }),
    },
    path,
  };
}

/**
 * What Gloo does with a RouteTable that holds a route it rejects (route_table.proto FailureMode):
 * by default (ROUTE_REPLACEMENT) it answers that route's requests with a 500 direct response;
 * with FREEZE_CONFIG it keeps serving the whole table's last accepted config.
 */
export type FailureMode = "ROUTE_REPLACEMENT" | "FREEZE_CONFIG";
export const failureModeOf = (spec: JsonRecord): FailureMode =>
  text(spec.failureMode) === "FREEZE_CONFIG" ? "FREEZE_CONFIG" : "ROUTE_REPLACEMENT";

/** Whether Gloo rejects a route's split (glooWeights). */
const rejectsSplit = (route: unknown): boolean => glooWeights(list(record(record(route).forwardTo).destinations)).invalid !== undefined;

const holdsRejectedSplit = (table: Resource): boolean =>
  (["http", "tcp", "tls"] as const).some((section) => list(record(table.body.spec)[section]).some(rejectsSplit));

/** Whether a parent's `delegate.routeTables` selector (name, namespace, labels; fields left out match all) picks this table. */
export const delegateSelects = (selector: JsonRecord, parent: Resource, table: Resource): boolean => {
  const name = text(selector.name);
  const namespace = text(selector.namespace) ?? (name ? parent.id.namespace : undefined);
  const labels = Object.entries(record(selector.labels));
  return (
    (!name || name === table.id.name) &&
    (!namespace || namespace === table.id.namespace) &&
    labels.every(([key, value]) => table.labels[key] === value)
  );
};

/** How Gloo treats a table's misconfigured routes: its mode, and whether its table tree is frozen at its last accepted config. */
export interface TableFailure {
  readonly mode: FailureMode;
  readonly frozen: boolean;
}

const NOT_FROZEN: TableFailure = { mode: "ROUTE_REPLACEMENT", frozen: false };
const failuresOfTree = new WeakMap<ManifestSet, ReadonlyMap<string, TableFailure>>();

/**
 * A RouteTable's failure handling, by the table trees it is in: a root table (hosts or gateways)
 * and the tables its `delegate` routes reach. The root's failureMode governs the whole tree; a
 * delegated child's own is unsupported (route_table.proto: "supported only for the parent route
 * table, which controls the behavior for each child route table"), so a child counts as FREEZE_CONFIG
 * only where every root reaching it says so, and one no root of the tree reaches as the default.
 * Under FREEZE_CONFIG "any misconfigured route on the parent route table or any child route table
 * freezes the configuration for all routes in the route table tree": a split rejected in a child
 * of a frozen parent read as a route replaced by a 500 (critical) though nothing moved.
 */
export function tableFailure(table: Resource, set: ManifestSet): TableFailure {
  let failures = failuresOfTree.get(set);
  if (!failures) failuresOfTree.set(set, (failures = failuresOf(set)));
  return failures.get(table.key) ?? NOT_FROZEN;
}

const glooTables = (set: ManifestSet): Resource[] =>
  resourcesOfKind(set, "RouteTable").filter((table) => table.id.group === GLOO_NETWORKING_GROUP);

/** The tables a parent's `delegate` routes pick, of those `which` keeps. */
function delegatedTo(parent: Resource, tables: readonly Resource[], which: (delegate: JsonRecord) => boolean = () => true): Resource[] {
  const selectors = list(record(parent.body.spec).http)
    .map((route) => record(record(route).delegate))
    .filter(which)
    .flatMap((delegate) => list(delegate.routeTables).map(record));
  return selectors.length === 0
    ? []
    : tables.filter((table) => table !== parent && selectors.some((selector) => delegateSelects(selector, parent, table)));
}

/** Each table with every table below it, by the `delegate` routes of each. */
function withDescendants(tables: readonly Resource[], from: Iterable<Resource>): Set<Resource> {
  const members = new Set(from);
  for (const member of members) for (const child of delegatedTo(member, tables)) members.add(child);
  return members;
}

const sortedOfTree = new WeakMap<ManifestSet, ReadonlySet<string>>();

/**
 * Whether Gloo sorts a table's routes by how specific their matchers are rather than by their order:
 * a `delegate` with sortMethod ROUTE_SPECIFICITY sorts the routes of the tables it reaches ("exact
 * path matchers are considered more specific than regex path matchers, which are more specific than
 * prefix path matchers", longer paths first). A catch-all written first there hides no route.
 */
function sortedBySpecificity(table: Resource, set: ManifestSet): boolean {
  let sorted = sortedOfTree.get(set);
  if (!sorted) {
    const tables = glooTables(set);
    const picked = tables.flatMap((parent) => delegatedTo(parent, tables, (delegate) => text(delegate.sortMethod) === "ROUTE_SPECIFICITY"));
    sortedOfTree.set(set, (sorted = new Set([...withDescendants(tables, picked)].map((member) => member.key))));
  }
  return sorted.has(table.key);
}

function failuresOf(set: ManifestSet): ReadonlyMap<string, TableFailure> {
  const tables = glooTables(set);
  const inTrees = new Map<string, TableFailure[]>();
  for (const root of tables) {
    if (routeTableEntries(record(root.body.spec), root.id.namespace).includes(DELEGATED_ENTRY)) continue;
    const members = withDescendants(tables, [root]);
    const mode = failureModeOf(record(root.body.spec));
    const frozen = mode === "FREEZE_CONFIG" && [...members].some(holdsRejectedSplit);
    for (const member of members) inTrees.set(member.key, [...(inTrees.get(member.key) ?? []), { mode, frozen }]);
  }
  return new Map(
    [...inTrees].map(([key, trees]) => [
      key,
      {
        mode: trees.every((tree) => tree.mode === "FREEZE_CONFIG") ? "FREEZE_CONFIG" : "ROUTE_REPLACEMENT",
        frozen: trees.every((tree) => tree.frozen),
      },
    ]),
  );
}

/** forwardTo destinations, the table's defaultDestination when none are listed, else the terminal action. */
function routeBackends(
  route: JsonRecord,
  spec: JsonRecord,
  mode: FailureMode,
  namespace: string,
  file: string,
  routePath: (string | number)[],
): WeightedRef[] {
  const forwardTo = route.forwardTo === undefined ? undefined : record(route.forwardTo);
  if (forwardTo) {
    const destinations = list(forwardTo.destinations);
    if (destinations.length > 0) {
      const { weights, invalid } = glooWeights(destinations);
      // The shares a rejected split names are never served: by default the route answers 500 instead.
      if (invalid && mode === "ROUTE_REPLACEMENT")
        return [
          actionRef(
            {
              name: "directResponse",
              value: 500,
              answers: { status: 500 },
              label: `500 direct response (Gloo rejects the split: ${invalid})`,
            },
            { namespace, file, path: sharedPath([...routePath, "forwardTo", "destinations"]) },
          ),
        ];
      return destinations.map((destination, index) =>
        destinationRef(record(destination), namespace, file, weights[index] ?? 0, [...routePath, "forwardTo", "destinations", index]),
      );
    }
    if (spec.defaultDestination !== undefined)
      return [destinationRef(record(spec.defaultDestination), namespace, file, 100, ["spec", "defaultDestination"])];
    return [];
  }
  const terminal = (["delegate", "redirect", "directResponse", "graphql"] as const).find((action) => route[action] !== undefined);
  if (!terminal) return [];
  const answers = terminal === "directResponse" ? { answers: { status: numeric(record(route.directResponse).status) } } : {};
  return [
    actionRef({ name: terminal, value: route[terminal], ...answers }, { namespace, file, path: sharedPath([...routePath, terminal]) }),
  ];
}

const stringMatch = (value: unknown): { type: string; value: string } => {
  const match = record(value);
  const caseless = flag(match.ignoreCase) ? " (ignore case)" : "";
  if (match.exact !== undefined) return { type: "Exact", value: `${text(match.exact) ?? ""}${caseless}` };
  if (match.regex !== undefined) return { type: "RegularExpression", value: `${text(match.regex) ?? ""}${caseless}` };
  if (match.prefix !== undefined) return { type: "PathPrefix", value: `${text(match.prefix) ?? ""}${caseless}` };
  return { type: "PathPrefix", value: "/" };
};

const namedMatch = (kind: string, value: unknown): string => {
  const match = record(value);
  const operator = flag(match.invertMatch) ? "!" : "";
  const regex = flag(match.regex) ? "~" : "=";
  const name = kind === "header" ? (text(match.name) ?? "?").toLowerCase() : (text(match.name) ?? "?");
  return match.value === undefined ? `${kind} ${operator}${name}` : `${kind} ${name}${operator}${regex}${text(match.value) ?? ""}`;
};

function httpAlternative(value: unknown) {
  const match = record(value);
  const uri = stringMatch(match.uri);
  const path = `${uri.type} ${uri.value}`;
  const method = text(match.method)?.toUpperCase() || undefined;
  const parts = [
    path,
    ...(method ? [`method ${method}`] : []),
    ...list(match.headers)
      .map((header) => namedMatch("header", header))
      .sort(),
    ...list(match.queryParameters)
      .map((query) => namedMatch("query", query))
      .sort(),
    ...(numeric(match.port) ? [`port ${numeric(match.port)}`] : []),
  ];
  return { signature: parts.join(", "), path };
}

function l4Alternative(value: unknown) {
  const match = record(value);
  const parts = [
    ...(numeric(match.port) ? [`port ${numeric(match.port)}`] : []),
    ...list(match.sniHosts)
      .map((host) => `sni ${text(host) ?? ""}`)
      .sort(),
  ];
  const signature = parts.join(", ") || "*";
  return { signature, path: signature };
}

/**
 * A RouteTable's flows. One in a table tree that `failureMode: FREEZE_CONFIG` freezes (a route Gloo
 * rejects somewhere in it: tableFailure) serves its last accepted config, which the tree does not
 * hold: the head tree keeps the base's flows of the rejected routes (RouteRules.held), and reads
 * the rest as written, since every other edit goes live the moment anyone fixes the split.
 */
export function glooRouteTableSource(resource: Resource, set: ManifestSet): RouteRules | undefined {
  // Rules at a VirtualGateway the tree does not hold are kept there, unverified (as Gateway API's at a missing parent).
  const missing = missingVirtualGateways(resource, set);
  const failure = tableFailure(resource, set);
  const rules = glooRouteTableRules(resource, failure.mode, failure.frozen, sortedBySpecificity(resource, set)).map((rule) =>
    missing.includes(rule.entry) ? { ...rule, unverified: notInTree(rule.entry) } : rule,
  );
  if (failure.frozen)
    return {
      rules,
      held: "failureMode FREEZE_CONFIG of its table tree, which holds a route Gloo rejects: the tree keeps its last accepted config",
    };
  return rules.length > 0 ? { rules } : undefined;
}

/**
 * Where Gloo's specificity sort puts an http route: by its most specific matcher, an exact path
 * before a regex before a prefix, a longer path first; a route testing no path last.
 */
function specificityOf(route: JsonRecord): readonly [number, number] {
  const ranks = list(route.matchers).map((matcher) => {
    const uri = record(record(matcher).uri);
    const [rank, path] = uri.exact !== undefined ? [0, uri.exact] : uri.regex !== undefined ? [1, uri.regex] : [2, uri.prefix];
    return [rank, -(text(path)?.length ?? 0)] as const;
  });
  return ranks.sort((a, b) => a[0] - b[0] || a[1] - b[1])[0] ?? [2, 0];
}

/** Each http route's place in the order Gloo tries them: as written, or sorted by specificity (stably). */
function routeOrder(routes: readonly unknown[], bySpecificity: boolean): number[] {
  const order = routes.map((_, index) => index);
  if (!bySpecificity) return order;
  const keys = routes.map((route) => specificityOf(record(route)));
  const sorted = [...order].sort((a, b) => keys[a]![0] - keys[b]![0] || keys[a]![1] - keys[b]![1] || a - b);
  sorted.forEach((index, place) => (order[index] = place));
  return order;
}

/**
 * `frozen`: the table's tree is frozen (tableFailure), so a route whose split Gloo rejects is held at
 * its last accepted config. `bySpecificity`: a delegate sorts its routes by specificity (sortedBySpecificity).
 */
export function glooRouteTableRules(resource: Resource, mode: FailureMode, frozen = false, bySpecificity = false): RuleShape[] {
  if (resource.id.kind !== "RouteTable" || resource.id.group !== GLOO_NETWORKING_GROUP) return [];
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const entries = routeTableEntries(spec, namespace);
  const hosts = nonEmptyTexts(spec.hosts);
  const shapes: RuleShape[] = [];
  for (const section of ["http", "tcp", "tls"] as const) {
    const order = routeOrder(list(spec[section]), section === "http" && bySpecificity);
    list(spec[section]).forEach((item, index) => {
      const route = record(item);
      const routePath = ["spec", section, index];
      const matchers = list(route.matchers);
      const alternatives = (matchers.length > 0 ? matchers : [{}]).map(section === "http" ? httpAlternative : l4Alternative);
      const backends = routeBackends(route, spec, mode, namespace, resource.source.file, routePath);
      const ruleId = ruleIdOf(text(route.name), alternatives);
      for (const entry of entries) {
        for (const host of hosts.length > 0 ? hosts : ["*"]) {
          shapes.push({
            entry,
            host: section === "http" ? host : `${host} (${section})`,
            alternatives,
            ruleId,
            precedence: order[index]!,
            path: routePath,
            backends,
            mirrors: [],
            ...(frozen && rejectsSplit(route) ? { held: true as const } : {}),
          });
        }
      }
    });
  }
  return shapes;
}
