import { describeFlow } from "../model/describe-flow.js";
import { capturesAllOf, requestShapes } from "../model/match-alternatives.js";
import { FIRST_MATCH_GROUPS } from "../families/index.js";
import type { RouteDiff } from "../diff/route-diff.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";
import type { Policy } from "../policy/policy-schema.js";
import type { Detection } from "../core/finding.js";
import { mergeFlowDrafts } from "./flow-findings.js";

/**
 * writes.active-active: for every (entry, host, path) and every mutating method, which regions can
 * the request reach? Rules limited to methods win over catch-all rules on the same path (Gateway API
 * precedence; Istio first-match in practice puts them first), and a rule that also asks for a header
 * or query parameter takes only part of the method's requests: the rest fall through to the next
 * rule, so the reach is the union down to the first rule that takes them all. A finding when the PR
 * makes writes reach more than one region — by adding a rule, re-weighting, or removing the rule
 * that pinned writes to one region (GEP-1748 `httproute-method.yaml`).
 */
export const MUTATING_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;

interface WriteReach {
  /** The rule the method meets first. */
  readonly flow: Flow;
  readonly regions: readonly string[];
  /** True when the reach spans more than one region (or an unplaced multi-cluster backend). */
  readonly multi: boolean;
  readonly explicit: boolean;
}

const reachOf = (flows: readonly Flow[], explicit: boolean): WriteReach => {
  const active = flows.flatMap((flow) => flow.backends.filter((backend) => backend.share > 0));
  const known = [...new Set(active.flatMap((backend) => backend.placement.regions))].sort();
  // A rule that pins writes to exactly one backend names the write owner: an unplaced ServiceImport
  // there is taken as that owner, while elsewhere it spans the cluster set by definition.
  const pinned = explicit && new Set(active.map((backend) => backend.key)).size === 1;
  const unplacedSet = active.some((backend) => backend.placement.multiCluster && backend.placement.regions.length === 0);
  const regions = [
    ...known,
    ...(unplacedSet ? ["clusterset"] : []),
    ...(active.some((b) => !b.placement.multiCluster && b.placement.regions.length === 0) ? ["unknown"] : []),
  ];
  return { flow: flows[0]!, regions, multi: known.length > 1 || (unplacedSet && !pinned), explicit };
};

const hostOf = (flow: Flow): string => `${flow.entry}|${flow.host}`;
const groupOf = (flow: Flow): string => `${hostOf(flow)}|${flow.pathMatch}`;
const writesExplicitly = (flow: Flow): boolean => flow.methods.some((method) => (MUTATING_METHODS as readonly string[]).includes(method));

/**
 * `${entry}|${host}|${pathMatch}|${method}` → where that write lands, for every path of the hosts
 * asked about: a new, more specific path wins over a method rule on a shorter one, so a host whose
 * flows did not change lands its writes where it did, and only changed hosts count.
 */
function writeReach(model: TrafficModel, changedHosts: ReadonlySet<string>): Map<string, WriteReach> {
  const groups = new Map<string, Flow[]>();
  for (const flow of model.flows.values()) {
    if (!changedHosts.has(hostOf(flow))) continue;
    const group = groupOf(flow);
    const flows = groups.get(group);
    if (flows) flows.push(flow);
    else groups.set(group, [flow]);
  }
  const reach = new Map<string, WriteReach>();
  for (const [group, flows] of groups) {
    for (const method of MUTATING_METHODS) {
      const candidates = flows
        .filter((f) => f.methods.length === 0 || f.methods.includes(method))
        .map((flow) => ({ flow, rank: specificity(flow, method) }))
        .sort((a, b) => compareRanks(b.rank, a.rank) || a.flow.precedence - b.flow.precedence)
        .map(({ flow }) => flow);
      const last = candidates.findIndex((f) => capturesAllOf(f.match, method));
      const met = last < 0 ? candidates : candidates.slice(0, last + 1);
      if (met.length > 0)
        reach.set(
          `${group}|${method}`,
          reachOf(
            met,
            met.some((f) => f.methods.includes(method)),
          ),
        );
    }
  }
  return reach;
}

/**
 * How a rule ranks for a method's requests on its path: one limited to the method first; then, where
 * rules are not first-match (Gateway API), the one with more header tests, then more query tests,
 * whatever their order in the list ("largest number of header matches" in the HTTPRoute spec), so a
 * canary rule written after the rule pinning writes still takes the writes it asks for. First-match
 * families rank by list order alone past the method (Istio takes the first rule that matches).
 */
function specificity(flow: Flow, method: string): readonly number[] {
  const limited = flow.methods.length > 0 ? 1 : 0;
  if (FIRST_MATCH_GROUPS.has(flow.resource.group)) return [limited];
  const taking = requestShapes(flow.match).filter((shape) => shape.method === undefined || shape.method === method);
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
  const reach = (regions: string[], at: Flow): WriteReach => ({ flow: at, regions, multi: regions.length > 1, explicit: true });
  const methods = flow.methods.length === 0 ? [...MUTATING_METHODS] : MUTATING_METHODS.filter((method) => flow.methods.includes(method));
  return { reach: reach(now.regions, flow), methods, was: was.flows[0] && reach(was.regions, was.flows[0]) };
}

export function writePathDetections(base: TrafficModel, head: TrafficModel, diffs: readonly RouteDiff[], policy: Policy): Detection[] {
  const changedHosts = new Set(
    diffs.flatMap((diff) => [diff.base, diff.head].filter((flow): flow is Flow => flow !== undefined).map(hostOf)),
  );
  // A host with a write rule on either side routes writes on purpose, on every one of its paths.
  const writeAwareHosts = new Set([...base.flows.values(), ...head.flows.values()].filter(writesExplicitly).map(hostOf));
  const before = writeReach(base, changedHosts);
  const after = writeReach(head, changedHosts);
  const byGroup = new Map<string, { reach: WriteReach; methods: string[]; was: WriteReach | undefined }>();
  for (const [key, reach] of after) {
    if (!reach.multi) continue;
    const was = before.get(key);
    if (was?.multi) continue;
    const services = reach.flow.backends.filter((b) => b.share > 0).map((b) => policy.services[b.service]?.writes);
    if (services.includes("active-active")) continue;
    const writeAware =
      reach.explicit || was?.explicit === true || writeAwareHosts.has(hostOf(reach.flow)) || services.includes("single-region");
    if (!writeAware) continue;
    const group = key.slice(0, key.lastIndexOf("|"));
    const method = key.slice(key.lastIndexOf("|") + 1);
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
