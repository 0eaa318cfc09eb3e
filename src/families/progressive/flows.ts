import { list, nonEmptyTexts, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { RuleShape, WeightedRef } from "../../core/route-rules.js";
import { gatewayEntry, httpAlternative } from "../../core/istio-http-match.js";
import { qualifyHost } from "../../core/service-host.js";
import {
  canaryStrategy,
  flaggerAnalysis,
  flaggerPlan,
  flaggerStrategy,
  rolloutPlan,
  routingTargets,
  type RoutingTarget as NamedTarget,
} from "./plans.js";
import type { Flow } from "../../core/traffic-model.js";
import { scoped } from "../../core/graph-nodes.js";
import { pickDefinition } from "../../core/nearest-definition.js";

/**
 * Progressive delivery in the traffic model. A Flagger Canary generates its own route (a
 * VirtualService, or an HTTPRoute with the gatewayapi provider) from `spec.service`: its flows are
 * that route's, from the primary (100% between releases) to the canary, with the step plan.
 * An Argo Rollout generates no route: it rewrites the weights of routes the tree defines, so its
 * plan is laid on their flows.
 */

const backend = (name: string, weight: number, namespace: string, file: string): WeightedRef => ({
  key: `${qualifyHost(name, namespace)}||`,
  label: name,
  weight,
  ref: { kind: "Host", name, namespace, routeFile: file },
  path: ["spec", "targetRef"],
});

/** Entries of the generated route: Gateway API `gatewayRefs`, else Istio `gateways`, else the mesh. */
function canaryEntries(service: Readonly<Record<string, unknown>>, namespace: string): string[] {
  const refs = list(service.gatewayRefs).map(record);
  if (refs.length > 0) return refs.map((ref) => `Gateway ${text(ref.namespace) ?? namespace}/${text(ref.name) ?? "?"}`);
  const gateways = nonEmptyTexts(service.gateways);
  return (gateways.length ? gateways : ["mesh"]).map((gateway) => gatewayEntry(gateway, namespace));
}

/** What a Canary's Services are named after: its target workload, and the apex Service clients call. */
function flaggerNames(resource: Resource): { readonly target: string; readonly apex: string } {
  const body = spec(resource);
  const target = text(record(body.targetRef).name) ?? resource.id.name;
  return { target, apex: text(record(body.service).name) ?? target };
}

/** Flagger makes the apex Service and the primary and canary Services of the target. */
export function flaggerServices(resource: Resource): { namespace: string; name: string }[] {
  const { target, apex } = flaggerNames(resource);
  return [apex, `${target}-primary`, `${target}-canary`].map((name) => ({ namespace: resource.id.namespace, name }));
}

export function flaggerCanaryRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "Canary" || resource.id.group !== "flagger.app") return [];
  const body = spec(resource);
  const service = record(body.service);
  const namespace = resource.id.namespace;
  const { target, apex } = flaggerNames(resource);
  // The Istio router always serves the apex Service's own name too; an HTTPRoute only the hosts listed.
  const gatewayApi = (text(body.provider) ?? "").startsWith("gatewayapi");
  const listed = nonEmptyTexts(service.hosts);
  const hosts = [...new Set(gatewayApi ? (listed.length ? listed : ["*"]) : [...listed, apex])];
  const backends = [
    backend(`${target}-primary`, 100, namespace, resource.source.file),
    backend(`${target}-canary`, 0, namespace, resource.source.file),
  ];
  const alternativesOf = (matches: readonly unknown[]) => (matches.length ? matches : [{}]).map((match) => httpAlternative(record(match)));
  const rules: { alternatives: RuleShape["alternatives"]; path: RuleShape["path"]; plan: string; ruleId: string }[] = [];
  const abMatches = list(flaggerAnalysis(resource).match);
  if (flaggerStrategy(resource) === "ab") {
    rules.push({
      alternatives: alternativesOf(abMatches),
      path: ["spec", "analysis", "match"],
      plan: flaggerPlan(resource, "ab"),
      ruleId: "analysis.match",
    });
  }
  const serviceMatch = alternativesOf(list(service.match));
  rules.push({ alternatives: serviceMatch, path: ["spec", "service"], plan: flaggerPlan(resource), ruleId: "service" });
  return canaryEntries(service, namespace).flatMap((entry) =>
    hosts.flatMap((host) => rules.map((rule, precedence) => ({ entry, host, ...rule, precedence, backends, mirrors: [] }))),
  );
}

/** Whether a flow comes from the route a Rollout target names (same cluster, and the named Istio routes when it names some). */
/** A route a Rollout names, in the Rollout's cluster, with the plan it lays on the route's flows. */
interface RoutingTarget extends NamedTarget {
  readonly cluster: string | undefined;
  readonly plan: string;
  /** `Rollout shop/checkout`. */
  readonly owner: string;
}

const isTarget = (flow: Flow, cluster: string | undefined, target: RoutingTarget): boolean =>
  flow.resource.group === target.group &&
  flow.resource.kind === target.kind &&
  flow.resource.namespace === target.namespace &&
  flow.resource.name === target.name &&
  cluster === target.cluster &&
  (target.rules.length === 0 || target.rules.includes(flow.ruleId));

/** The flows whose weights a canary Rollout sets, with its plan (`… (Rollout shop/checkout)`). */
export function withRolloutPlans(flows: ReadonlyMap<string, Flow>, set: ManifestSet): Map<string, Flow> {
  const targets = [...set.resources.values()]
    .filter((r) => r.id.group === "argoproj.io" && r.id.kind === "Rollout" && canaryStrategy(r) !== undefined)
    .flatMap((rollout) => {
      const owner = `Rollout ${rollout.id.namespace}/${rollout.id.name}`;
      const plan = `${rolloutPlan(rollout)} (${owner})`;
      const placed = { file: rollout.source.file, ...scoped(rollout.key) };
      return routingTargets(rollout, rollout.id.namespace).map((target) => ({
        ...target,
        ...placed,
        cluster: rollout.cluster,
        plan,
        owner,
      }));
    });
  const out = new Map(flows);
  if (targets.length === 0) return out;
  for (const [key, flow] of flows) {
    const route = set.resources.get(flow.resourceKey);
    // Where several files write one Rollout (an example folder each), the one nearest the route sets its weights.
    const target = pickDefinition(
      targets.filter((candidate) => isTarget(flow, route?.cluster, candidate)),
      { file: route?.source.file ?? "", ...scoped(flow.resourceKey) },
    );
    if (target) out.set(key, { ...flow, plan: target.plan, weightsSetBy: target.owner });
  }
  return out;
}
