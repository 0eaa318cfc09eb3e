import { describeFlow } from "../model/describe-flow.js";
import { admitsMethod, capturesAllOf, covers, mayOverlap, outranks, requestShapes, type RequestShape } from "../core/match-alternatives.js";
import { sameValue } from "../core/canonical-values.js";
import { MUTATING_METHODS } from "../core/mirror-changes.js";
import { FIRST_MATCH_GROUPS } from "../families/index.js";
import type { RouteDiff } from "../diff/route-diff.js";
import type { Backend, Flow, TrafficModel } from "../core/traffic-model.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Detection } from "../core/finding.js";
import { mergeFlowDrafts } from "./flow-findings.js";

/**
 * writes.active-active: for every (entry, host, path) and every mutating method, which regions can
 * the request reach? Among Gateway API rules, one limited to methods wins over a catch-all rule on
 * the same path (then the one with more header tests…), and a rule that also asks for a header or
 * query parameter takes only part of the method's requests: the rest fall through to the next rule,
 * so the reach is the union down to the first rule that takes them all. Istio and Gloo take the
 * first rule in list order that matches instead (firstMatchMet). A finding when the PR makes
 * writes reach more than one region — by adding a rule, re-weighting, reordering, or removing the
 * rule that pinned writes to one region (GEP-1748 `httproute-method.yaml`). A write path the PR
 * opens (a host alias, a second parentRef, a renamed host or VirtualGateway) is news only where its
 * writes reach backends or regions that the same method's writes did not already reach together at
 * base (liveWriteSets).
 */

interface WriteReach {
  /** The rule the method meets first. */
  readonly flow: Flow;
  readonly regions: readonly string[];
  /** True when the reach spans more than one region (or an unplaced multi-cluster backend). */
  readonly multi: boolean;
  readonly explicit: boolean;
  /** The backends the writes reach (share > 0), over every rule met. */
  readonly active: readonly Backend[];
}

const reachOf = (flows: readonly Flow[], method: string): WriteReach => {
  const active = flows.flatMap((flow) => flow.backends.filter((backend) => backend.share > 0));
  const known = [...new Set(active.flatMap((backend) => backend.placement.regions))].sort();
  const explicit = flows.some((flow) => flow.methods.includes(method));
  // A rule that pins writes to exactly one backend names the write owner: an unplaced ServiceImport
  // there is taken as that owner, while elsewhere it spans the cluster set by definition.
  const pinned = explicit && new Set(active.map((backend) => backend.key)).size === 1;
  const unplacedSet = active.some((backend) => backend.placement.multiCluster && backend.placement.regions.length === 0);
  const regions = [
    ...known,
    ...(unplacedSet ? ["clusterset"] : []),
    ...(active.some((b) => !b.placement.multiCluster && b.placement.regions.length === 0) ? ["unknown"] : []),
  ];
  return { flow: flows[0]!, regions, multi: known.length > 1 || (unplacedSet && !pinned), explicit, active };
};

/**
 * A backend as written either way: an Istio destination that spells out `port: 8080` is the one
 * that leaves it to the service's only port (route-diff pairs them too), so an alias spelling it
 * out still copies its original's writes.
 */
const identityOf = (backend: Backend): string => backend.portless ?? backend.key;

/**
 * Where a reach sends writes, backend by backend and region by region (`<backend key>@us-east1`):
 * an unplaced backend counts as its own place, the cluster set or unknown.
 */
const placedWrites = (reach: WriteReach): string[] =>
  reach.active.flatMap((backend) => {
    const { regions, multiCluster } = backend.placement;
    const places = regions.length > 0 ? regions : [multiCluster ? "clusterset" : "unknown"];
    return places.map((region) => `${identityOf(backend)}@${region}`);
  });

const hostOf = (flow: Flow): string => `${flow.entry}|${flow.host}`;
const groupOf = (flow: Flow): string => `${hostOf(flow)}|${flow.pathMatch}`;
const writesExplicitly = (flow: Flow): boolean => flow.methods.some((method) => MUTATING_METHODS.includes(method));
const isFirstMatch = (flow: Flow): boolean => FIRST_MATCH_GROUPS.has(flow.resource.group);

const pushTo = <T>(map: Map<string, T[]>, key: string, item: T): void => {
  const items = map.get(key);
  if (items) items.push(item);
  else map.set(key, [item]);
};

/** A path a first-match rule names, as the requests it stands for: `PathPrefix /api/orders`. */
type Probe = RequestShape & { readonly key: string };

/** A first-match rule's flow with its match read once, as the probes of its host read it many times. */
interface OrderedRule {
  readonly flow: Flow;
  readonly shapes: readonly RequestShape[];
}

/**
 * The paths written by the first-match rules of the hosts asked about, at base and head alike: where
 * each path's writes land is compared across the two, so a rule inserted above a path's write rule
 * is weighed on that path even when its own is new (`/api` above `/api/orders`).
 */
function firstMatchProbes(models: readonly TrafficModel[], changedHosts: ReadonlySet<string>): Map<string, Probe[]> {
  const probes = new Map<string, Map<string, Probe>>();
  for (const model of models)
    for (const flow of model.flows.values()) {
      if (!isFirstMatch(flow) || !changedHosts.has(hostOf(flow))) continue;
      const host = probes.get(hostOf(flow)) ?? new Map<string, Probe>();
      probes.set(hostOf(flow), host);
      for (const shape of requestShapes(flow.match)) {
        if (!shape.path) continue;
        const key = `${shape.path.type} ${shape.path.value}${shape.ignoreCase ? ", ignore-uri-case" : ""}`;
        if (!host.has(key)) host.set(key, { key, path: shape.path, conditions: [], ignoreCase: shape.ignoreCase });
      }
    }
  return new Map([...probes].map(([host, byKey]) => [host, [...byKey.values()]]));
}

/**
 * The rules of a first-match host that a write of `method` to a probe's path meets: in each resource,
 * in list order, each rule whose alternatives may take some of those requests, down to the first
 * that takes them all. A rule asking for a header takes some writes (a canary rule above the write
 * rule sends the canary's POSTs elsewhere); a rule on a longer path takes that path's writes, weighed
 * at that path's own probe. Istio merges the VirtualServices of one gateway host whole, in an order
 * the repository does not hold (their creation times), so every resource's rules are met.
 */
function firstMatchMet(ordered: readonly OrderedRule[], probe: Probe, method: string): Flow[] {
  const request = { ...probe, methods: [method] };
  const met: Flow[] = [];
  const taken = new Set<string>();
  for (const { flow, shapes: all } of ordered) {
    if (taken.has(flow.resourceKey)) continue;
    const shapes = all.filter((shape) => mayOverlap(shape, request) && !onLongerPath(shape, probe));
    if (shapes.length === 0) continue;
    met.push(flow);
    if (shapes.some((shape) => covers(shape, request))) taken.add(flow.resourceKey);
  }
  return met;
}

/** Whether an alternative's path is a longer one within the probe's, which its own probe weighs. */
function onLongerPath(shape: RequestShape, probe: Probe): boolean {
  const path = { ...(shape.path ? { path: shape.path } : {}), conditions: [], ignoreCase: shape.ignoreCase };
  return covers(probe, path) && !covers(path, probe);
}

/**
 * `${entry}|${host}|${path}|${method}` → where that write lands, for every path of the hosts asked
 * about (a Gateway API rule's paths together, a first-match host's probes one by one): a new, more
 * specific path wins over a method rule on a shorter one, so a host whose flows did not change
 * lands its writes where it did, and only changed hosts count.
 */
function writeReach(
  model: TrafficModel,
  changedHosts: ReadonlySet<string>,
  probes: ReadonlyMap<string, readonly Probe[]>,
): Map<string, WriteReach> {
  const ranked = new Map<string, Flow[]>();
  const ordered = new Map<string, OrderedRule[]>();
  for (const flow of model.flows.values()) {
    if (!changedHosts.has(hostOf(flow))) continue;
    if (isFirstMatch(flow)) pushTo(ordered, hostOf(flow), { flow, shapes: requestShapes(flow.match) });
    else pushTo(ranked, groupOf(flow), flow);
  }
  const reach = new Map<string, WriteReach>();
  for (const [group, flows] of ranked) {
    for (const method of MUTATING_METHODS) {
      const candidates = flows
        .filter((f) => f.methods.length === 0 || f.methods.includes(method))
        .map((flow) => ({ flow, rank: specificity(flow, method) }))
        .sort((a, b) => compareRanks(b.rank, a.rank) || a.flow.precedence - b.flow.precedence)
        .map(({ flow }) => flow);
      const last = candidates.findIndex((f) => capturesAllOf(f.match, method));
      const met = last < 0 ? candidates : candidates.slice(0, last + 1);
      if (met.length > 0) reach.set(`${group}|${method}`, reachOf(met, method));
    }
  }
  for (const [host, rules] of ordered) {
    const inOrder = rules.sort((a, b) => a.flow.precedence - b.flow.precedence);
    for (const probe of probes.get(host) ?? [])
      for (const method of MUTATING_METHODS) {
        const met = firstMatchMet(inOrder, probe, method);
        if (met.length > 0) reach.set(`${host}|${probe.key}|${method}`, reachOf(met, method));
      }
  }
  return reach;
}

/**
 * How a Gateway API rule ranks for a method's requests on its path: one limited to the method
 * first; then the one with more header tests, then more query tests, whatever their order in the
 * list ("largest number of header matches" in the HTTPRoute spec), so a canary rule written after
 * the rule pinning writes still takes the writes it asks for.
 */
function specificity(flow: Flow, method: string): readonly number[] {
  const limited = flow.methods.length > 0 ? 1 : 0;
  const taking = requestShapes(flow.match).filter((shape) => admitsMethod(shape, method));
  const count = (prefix: string) =>
    Math.max(0, ...taking.map((shape) => shape.conditions.filter((part) => part.startsWith(prefix)).length));
  return [limited, count("header "), count("query ")];
}

const compareRanks = (a: readonly number[], b: readonly number[]): number => {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
};

/** Whether a flow takes some of a method's writes: it names no methods, or names that one. */
const takesWrites = (flow: Flow): boolean => flow.methods.length === 0 || writesExplicitly(flow);

/** The regions a service's writes land in, over every flow of a tree that takes writes to it. */
function serviceWriteRegions(model: TrafficModel, service: string): { regions: string[]; flows: Flow[] } {
  const flows = [...model.flows.values()].filter(
    (flow) => takesWrites(flow) && flow.backends.some((backend) => backend.service === service && backend.share > 0),
  );
  const regions = new Set(
    flows.flatMap((flow) =>
      flow.backends.filter((backend) => backend.service === service && backend.share > 0).flatMap((b) => b.placement.regions),
    ),
  );
  return { regions: [...regions].sort(), flows };
}

/**
 * A service the policy keeps single-region whose writes, over all its routes together, now land in
 * more than one region: each route alone may stay in one (its copy applied in a second cluster, a
 * Gateway of each region sending to the local Service), which the per-flow reach does not see.
 */
function serviceSpread(
  base: TrafficModel,
  head: TrafficModel,
  service: string,
): { reach: WriteReach; methods: string[]; was: WriteReach | undefined } | undefined {
  const [was, now] = [serviceWriteRegions(base, service), serviceWriteRegions(head, service)];
  if (now.regions.length <= 1 || was.regions.length > 1) return undefined;
  const added = now.regions.filter((region) => !was.regions.includes(region));
  const flow = now.flows.find((candidate) =>
    candidate.backends.some((b) => b.service === service && b.placement.regions.some((r) => added.includes(r))),
  );
  if (!flow) return undefined;
  const active = (at: Flow) => at.backends.filter((b) => b.service === service && b.share > 0);
  const reach = (regions: string[], at: Flow): WriteReach => ({
    flow: at,
    regions,
    multi: regions.length > 1,
    explicit: true,
    active: active(at),
  });
  const methods = flow.methods.length === 0 ? [...MUTATING_METHODS] : MUTATING_METHODS.filter((method) => flow.methods.includes(method));
  return { reach: reach(now.regions, flow), methods, was: was.flows[0] && reach(was.regions, was.flows[0]) };
}

/**
 * Where a Gateway API path the PR adds sent its writes at base: to the rule of the same host whose
 * path took those requests there (longest prefix, an exact path first), as `/v2` added beside a
 * method rule on `/` takes POSTs that rule pinned to api-jkt. Each of the group's paths is weighed:
 * one whose writes base kept in one region, or served on no path, speaks for the group. First-match
 * hosts need none of this: their probes weigh base and head on the same paths.
 */
function priorRanked(before: ReadonlyMap<string, WriteReach>): (key: string, reach: WriteReach) => WriteReach | undefined {
  let byHost: Map<string, { paths: RequestShape[]; reach: WriteReach }[]> | undefined;
  const index = () => {
    const groups = new Map<string, { paths: RequestShape[]; reach: WriteReach }[]>();
    for (const [key, reach] of before)
      if (!isFirstMatch(reach.flow)) pushTo(groups, `${hostOf(reach.flow)}|${methodOf(key)}`, { paths: pathsOf(reach.flow), reach });
    return groups;
  };
  return (key, reach) => {
    const known = before.get(key);
    if (known || isFirstMatch(reach.flow)) return known;
    const groups = (byHost ??= index()).get(`${hostOf(reach.flow)}|${methodOf(key)}`) ?? [];
    const served = pathsOf(reach.flow).map((path) => {
      const taking = groups.flatMap(({ paths, reach: at }) => paths.filter((own) => covers(own, path)).map((own) => ({ own, at })));
      const top = taking.sort((a, b) => pathRank(b.own) - pathRank(a.own) || Number(a.at.multi) - Number(b.at.multi))[0];
      // Only a path precedence surely ranks first: beside a regular expression, or the root prefix
      // that now covers it, which of them took the writes is not known.
      const samePath = (other: RequestShape) => sameValue(other.path, top?.own.path);
      return top && taking.every(({ own }) => samePath(own) || outranks(top.own, own)) ? top.at : undefined;
    });
    return served.includes(undefined) ? undefined : (served.find((at) => !at!.multi) ?? served[0]);
  };
}

/** A Gateway API group's paths, each as the requests it stands for. */
const pathsOf = (flow: Flow): RequestShape[] =>
  requestShapes(flow.pathMatch).map((shape) => ({
    ...(shape.path ? { path: shape.path } : {}),
    conditions: [],
    ignoreCase: shape.ignoreCase,
  }));

/** Gateway API's order between paths that take one request: an exact path, then the longest prefix. */
const pathRank = (shape: RequestShape): number => (shape.path?.type === "Exact" ? 1e6 : 0) + (shape.path?.value.length ?? 0);

/**
 * Whether a write path new at head (no reach at base of its requests) only copies a multi-region
 * write set live at base: a host alias, a second parentRef or a renamed host whose PATCH still
 * reaches the two-region `api-replicas` that the old host's PATCH reached. It does when a base reach
 * of the same method on the same path, itself multi-region and write-aware, sent writes to each of
 * its backends in each of their regions. Not live: another path's split (an Istio alias whose read
 * rule, written first, takes the POSTs the original pinned, beside a 50/50 `/catalog`), a host that
 * routes no write on purpose (a status host's catch-all over both regions), a backend of the same
 * name in another namespace, one that gains a region at head, backends each reached singly at base
 * (writes to us-east1 and us-west1 by different hosts are not one write set). Base reaches are
 * worked out once, when first asked, and only for the hosts that send to the backends of the paths
 * the PR opens.
 */
function liveWriteSets(
  base: TrafficModel,
  opened: readonly WriteReach[],
  writeAware: (reach: WriteReach) => boolean,
): (key: string, reach: WriteReach) => boolean {
  let live: Map<string, Set<string>[]> | undefined;
  const liveSets = (): Map<string, Set<string>[]> => {
    const wanted = new Set(opened.flatMap((reach) => reach.active.map(identityOf)));
    const hosts = new Set<string>();
    for (const flow of base.flows.values())
      if (flow.backends.some((backend) => backend.share > 0 && wanted.has(identityOf(backend)))) hosts.add(hostOf(flow));
    const sets = new Map<string, Set<string>[]>();
    for (const [key, reach] of writeReach(base, hosts, firstMatchProbes([base], hosts)))
      if (reach.multi && writeAware(reach)) pushTo(sets, requestOf(key, reach), new Set(placedWrites(reach)));
    return sets;
  };
  return (key, reach) => {
    const places = placedWrites(reach);
    return ((live ??= liveSets()).get(requestOf(key, reach)) ?? []).some((set) => places.every((place) => set.has(place)));
  };
}

const methodOf = (key: string): string => key.slice(key.lastIndexOf("|") + 1);
/** A reach's key without its host: the path (or probe) and the method, which an alias shares. */
const requestOf = (key: string, reach: WriteReach): string => key.slice(hostOf(reach.flow).length + 1);

export function writePathDetections(base: TrafficModel, head: TrafficModel, diffs: readonly RouteDiff[], policy: Policy): Detection[] {
  const changedHosts = new Set(
    diffs.flatMap((diff) => [diff.base, diff.head].filter((flow): flow is Flow => flow !== undefined).map(hostOf)),
  );
  // A first-match rule moved, its match and backends kept, is no route diff, yet its host's writes may meet another rule first.
  for (const flow of head.flows.values())
    if (isFirstMatch(flow) && base.flows.get(flow.key)?.precedence !== flow.precedence) changedHosts.add(hostOf(flow));
  // A host with a write rule on either side routes writes on purpose, on every one of its paths.
  const writeAwareHosts = new Set([...base.flows.values(), ...head.flows.values()].filter(writesExplicitly).map(hostOf));
  const probes = firstMatchProbes([base, head], changedHosts);
  const before = writeReach(base, changedHosts, probes);
  const after = writeReach(head, changedHosts, probes);
  const byGroup = new Map<string, { reach: WriteReach; methods: string[]; was: WriteReach | undefined }>();
  const declared = (reach: WriteReach, writes: string): boolean =>
    reach.flow.backends.some((b) => b.share > 0 && policy.services[b.service]?.writes === writes);
  const writeAware = (reach: WriteReach, was?: WriteReach): boolean =>
    reach.explicit || was?.explicit === true || writeAwareHosts.has(hostOf(reach.flow)) || declared(reach, "single-region");
  const prior = priorRanked(before);
  // Only reaches into several regions can be news; what each reached at base is asked once.
  const multi = [...after].flatMap(([key, reach]) => (reach.multi ? [{ key, reach, was: prior(key, reach) }] : []));
  const alreadyLive = liveWriteSets(
    base,
    multi.flatMap(({ reach, was }) => (was ? [] : [reach])),
    writeAware,
  );
  for (const { key, reach, was } of multi) {
    if (was?.multi) continue;
    if (declared(reach, "active-active") || !writeAware(reach, was) || (!was && alreadyLive(key, reach))) continue;
    const group = key.slice(0, key.lastIndexOf("|"));
    const method = methodOf(key);
    const entry = byGroup.get(group) ?? { reach, methods: [], was };
    entry.methods.push(method);
    byGroup.set(group, entry);
  }
  const drafts = [...byGroup.values()];
  const reported = new Set(drafts.flatMap(({ reach }) => reach.flow.backends.map((backend) => backend.service)));
  for (const service of Object.keys(policy.services)) {
    if (policy.services[service]!.writes !== "single-region" || reported.has(service)) continue;
    const spread = serviceSpread(base, head, service);
    if (spread) drafts.push(spread);
  }
  return mergeFlowDrafts(
    drafts.map(({ reach, methods, was }) => ({
      detection: {
        class: "writes.active-active" as const,
        resource: reach.flow.resource,
        resourceKey: reach.flow.resourceKey,
        side: "head" as const,
        path: reach.flow.path,
        ...(was ? { before: { methods, regions: was.regions } } : {}),
        after: { methods, regions: reach.regions },
      },
      flow: reach.flow,
      what: describeFlow(reach.flow),
      showEntry: true,
      detail: `${methods.join(", ")} can now reach ${reach.regions.join(", ")}${was ? ` (was ${was.regions.join(", ") || "none"})` : ""}`,
    })),
  );
}
