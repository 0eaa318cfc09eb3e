import { flag, list, numeric, optionalRecord, record, spec, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { durationMs } from "../../core/canonical-values.js";

/**
 * The step plans of progressive delivery: the canary weights a controller will set in turn, read
 * the way each controller walks them. Pure functions of one resource's spec, shared by the traffic
 * model (a flow shows its plan) and the detectors (a finding names the plan it leads to).
 */

/** All the traffic: Flagger's total weight (canary + primary always sum to 100, scheduler `totalWeight`), a Rollout's last step. */
export const FULL = 100;

/**
 * One step of a plan as it bears on traffic: a weight, or what holds the weight where it is (a
 * Rollout's steps; a Flagger analysis walked as such, flaggerSteps).
 */
export interface PlanStep {
  readonly weight: number;
  /** `pause 1m`, `pause until promoted`, `analysis`, `experiment`, `header route`, `mirror 50%`. */
  readonly gate?: string;
  /** A pause's length, however written (`5m`, `300`, `"300s"`); infinite until promoted, undefined when unreadable. */
  readonly pauseMs?: number;
}

/** A plan longer than this is shown as its first steps, `…`, and its last one. */
const SHOWN_STEPS = 6;

const ellipsis = (items: readonly string[]): string[] =>
  items.length <= SHOWN_STEPS ? [...items] : [...items.slice(0, 3), "…", ...items.slice(-1)];

/** Flagger's analysis block; `canaryAnalysis` is its v1alpha3-era name, still served. */
export const flaggerAnalysis = (resource: Resource | undefined): JsonRecord => {
  const body = spec(resource);
  return record(body.analysis ?? body.canaryAnalysis);
};

/**
 * The canary weights of Flagger's progressive traffic shifting, from 0: with `stepWeights` the
 * list (capped at 100); else `stepWeight` more per interval while the weight is below `maxWeight`
 * (default 100), capped at 100 but not at `maxWeight` (stepWeight 20, maxWeight 50: 20, 40, 60).
 */
function flaggerWeights(analysis: JsonRecord): number[] {
  const steps = list(analysis.stepWeights)
    .map(numeric)
    .filter((w): w is number => w !== undefined);
  if (steps.length > 0) return [0, ...steps.map((w) => Math.min(FULL, w))];
  const step = numeric(analysis.stepWeight) ?? 0;
  const max = numeric(analysis.maxWeight) || FULL;
  const weights = [0];
  for (let weight = 0; step > 0 && weight < max;) {
    weight = Math.min(FULL, weight + step);
    weights.push(weight);
  }
  return weights;
}

/**
 * What a Flagger analysis does with traffic, apart from its pace (interval, A/B or blue-green
 * iterations): the strategy, the canary weights it steps through and its promotion steps. Equal
 * when the plan is written another way (`stepWeight: 10` to 50 as `stepWeights: [10, …, 50]`,
 * `maxWeight: 100` written out).
 */
export function flaggerTrafficSteps(resource: Resource | undefined): JsonRecord {
  const analysis = flaggerAnalysis(resource);
  const strategy = analysisStrategy(analysis);
  return {
    strategy,
    weights: strategy === "canary" ? flaggerWeights(analysis) : [],
    promotion: numeric(analysis.stepWeightPromotion) ?? null,
  };
}

type FlaggerStrategy = "skipped" | "ab" | "blue-green" | "canary";

/** The strategy an analysis block selects: iterations test (with a match, A/B), else weights step. */
const analysisStrategy = (analysis: JsonRecord): Exclude<FlaggerStrategy, "skipped"> =>
  (numeric(analysis.iterations) ?? 0) > 0 ? (list(analysis.match).length > 0 ? "ab" : "blue-green") : "canary";

/** Which of Flagger's strategies the spec selects, in the scheduler's order of checks. */
export function flaggerStrategy(resource: Resource | undefined): FlaggerStrategy {
  return flag(spec(resource).skipAnalysis) === true ? "skipped" : analysisStrategy(flaggerAnalysis(resource));
}

const every = (analysis: JsonRecord): string => (text(analysis.interval) ? ` (every ${text(analysis.interval)})` : "");

const promotion = (analysis: JsonRecord): string => {
  const step = numeric(analysis.stepWeightPromotion);
  return step ? `then promotion in steps of ${step}%` : "then promotion";
};

/**
 * The plan of a Flagger Canary's routes, for its default rule or, in A/B testing, for the rule
 * of the requests that `analysis.match` sends to the canary.
 */
export function flaggerPlan(resource: Resource | undefined, rule: "default" | "ab" = "default"): string {
  const analysis = flaggerAnalysis(resource);
  const iterations = numeric(analysis.iterations) ?? 0;
  const mirror = flag(analysis.mirror) === true ? "mirrored, " : "";
  switch (flaggerStrategy(resource)) {
    case "skipped":
      return "analysis skipped: the canary is promoted at once";
    case "ab":
      return `canary ${rule === "ab" ? "100" : "0"}% for ${iterations} checks${every(analysis)}, ${promotion(analysis)}`;
    case "blue-green":
      return `canary 0% (${mirror}tested) for ${iterations} checks${every(analysis)}, ${promotion(analysis)}`;
    case "canary": {
      const weights = flaggerWeights(analysis);
      if (weights.length === 1) return "canary 0%: no step weight, so traffic never shifts";
      return `canary ${mirror ? "mirrored, then " : ""}${ellipsis(weights.map(String)).join(" → ")}%${every(analysis)}, ${promotion(analysis)}`;
    }
  }
}

/** Flagger's analysis interval: 1m where the Canary sets none (the CRD's GetAnalysisInterval); undefined where it cannot be read. */
export const flaggerIntervalMs = (resource: Resource | undefined): number | undefined => {
  const interval = flaggerAnalysis(resource).interval;
  return interval === undefined ? 60_000 : durationMs(interval);
};

/**
 * A canary analysis as the steps Flagger walks, one interval apart (the scheduler moves on at most
 * once a tick): a mirrored tick first where it mirrors, each weight of the plan held an interval,
 * then the promoted release takes all the traffic. `stepWeightPromotion` paces only the shift from
 * the canary's pods to the primary's once Flagger has copied the canary's spec there and the primary
 * is ready: both run the release that passed, so no request moves to an untested one. No weight
 * step: the scheduler never advances, the canary keeps none. Undefined for the other strategies,
 * and for an interval it cannot read.
 */
export function flaggerSteps(resource: Resource | undefined): PlanStep[] | undefined {
  if (flaggerStrategy(resource) !== "canary") return undefined;
  const analysis = flaggerAnalysis(resource);
  const interval = flaggerIntervalMs(resource);
  if (interval === undefined) return undefined;
  const weights = flaggerWeights(analysis).slice(1);
  if (weights.length === 0) return [{ weight: 0 }];
  const gate = `pause ${text(analysis.interval) ?? "1m"}`;
  const held = (weight: number): PlanStep[] => [{ weight }, { weight, gate, pauseMs: interval }];
  return [...(flag(analysis.mirror) === true ? held(0) : [{ weight: 0 }]), ...weights.flatMap(held), { weight: FULL }];
}

// ---------------------------------------------------------------------------------------------
// Argo Rollouts

export const canaryStrategy = (resource: Resource | undefined): JsonRecord | undefined =>
  optionalRecord(record(spec(resource).strategy).canary);
export const blueGreenStrategy = (resource: Resource | undefined): JsonRecord | undefined =>
  optionalRecord(record(spec(resource).strategy).blueGreen);

const pauseOf = (pause: JsonRecord): string => {
  const duration = pause.duration;
  return duration === undefined ? "pause until promoted" : `pause ${typeof duration === "number" ? `${duration}s` : String(duration)}`;
};

/** Argo Rollouts reads a pause's duration as seconds when it is a number or a string of digits, else as a Go duration. */
const pauseMsOf = (pause: JsonRecord): number | undefined => {
  const duration = pause.duration;
  if (duration === undefined) return Number.POSITIVE_INFINITY;
  return typeof duration === "string" && /^\d+$/.test(duration.trim()) ? Number(duration) * 1000 : durationMs(duration);
};

/** The canary weight after each step (a step that sets none keeps the last one), then 100% at the end: [0, 100] when nothing holds it back. */
export function rolloutSteps(canary: JsonRecord): PlanStep[] {
  const steps: PlanStep[] = [{ weight: 0 }];
  let weight = 0;
  for (const item of list(canary.steps)) {
    const step = record(item);
    const setWeight = numeric(step.setWeight);
    if (setWeight !== undefined) {
      weight = setWeight;
      steps.push({ weight });
      continue;
    }
    const mirror = optionalRecord(step.setMirrorRoute);
    const gate =
      step.pause !== undefined
        ? pauseOf(record(step.pause))
        : step.analysis !== undefined
          ? "analysis"
          : step.experiment !== undefined
            ? "experiment"
            : step.setHeaderRoute !== undefined
              ? "header route"
              : mirror
                ? `mirror ${numeric(mirror.percentage) ?? 100}%`
                : undefined;
    if (gate) steps.push(step.pause !== undefined ? { weight, gate, pauseMs: pauseMsOf(record(step.pause)) } : { weight, gate });
  }
  if (weight !== FULL) steps.push({ weight: FULL });
  return steps;
}

/** `canary 0 → 20 (pause until promoted) → 40 (pause 10s) → 100%`. */
export function rolloutPlan(resource: Resource | undefined): string {
  const canary = canaryStrategy(resource);
  if (canary) {
    const steps = rolloutSteps(canary);
    if (steps.length === 2) return "canary 0 → 100% at once (no steps)";
    // Each weight with what holds the canary there before the next one: `20 (pause until promoted, analysis)`.
    const held: { weight: number; gates: string[] }[] = [];
    for (const step of steps) {
      const last = held[held.length - 1];
      if (step.gate && last) last.gates.push(step.gate);
      else held.push({ weight: step.weight, gates: [] });
    }
    // The unit follows the last weight, before what holds it there: `0 → 100% (pause 10m)`.
    const shown = held.map(
      ({ weight, gates }, index) => `${weight}${index === held.length - 1 ? "%" : ""}${gates.length ? ` (${gates.join(", ")})` : ""}`,
    );
    return `canary ${ellipsis(shown).join(" → ")}`;
  }
  const blueGreen = blueGreenStrategy(resource);
  if (!blueGreen) return "no strategy";
  const seconds = numeric(blueGreen.autoPromotionSeconds);
  const when = autoPromotes(blueGreen) ? (seconds ? `automatically after ${seconds}s` : "as soon as it is ready") : "when promoted by hand";
  return `blue-green: the preview takes 0 → 100% ${when}`;
}

/** Argo Rollouts promotes a blue-green preview automatically unless told not to (the field defaults to true). */
export const autoPromotes = (blueGreen: JsonRecord): boolean => flag(blueGreen.autoPromotionEnabled) !== false;

/** A route whose weights a Rollout sets, as its trafficRouting names it. */
export interface RoutingTarget {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Istio: the named http routes it rewrites; empty = the route's only rule. */
  readonly rules: readonly string[];
}

const GATEWAY_API_PLUGIN = "argoproj-labs/gatewayAPI";

/** `name` or `namespace/name` (a VirtualService may be named across namespaces). */
const splitName = (value: string, namespace: string): { namespace: string; name: string } => {
  const slash = value.indexOf("/");
  return slash === -1 ? { namespace, name: value } : { namespace: value.slice(0, slash), name: value.slice(slash + 1) };
};

/**
 * The routes a canary Rollout's trafficRouting rewrites: Istio VirtualServices, Gateway API routes
 * through the `argoproj-labs/gatewayAPI` plugin, and, by name only, the Ingresses, SMI
 * TrafficSplits and other plugins' routes the tree's model does not hold.
 */
export function routingTargets(resource: Resource | undefined, namespace: string): RoutingTarget[] {
  const routing = record(canaryStrategy(resource)?.trafficRouting);
  const targets: RoutingTarget[] = [];
  const istio = record(routing.istio);
  const virtualServices = [...(istio.virtualService === undefined ? [] : [istio.virtualService]), ...list(istio.virtualServices)].map(
    record,
  );
  for (const vs of virtualServices) {
    const name = text(vs.name);
    if (name)
      targets.push({
        group: "networking.istio.io",
        kind: "VirtualService",
        ...splitName(name, namespace),
        rules: list(vs.routes)
          .map(text)
          .filter((r): r is string => r !== undefined),
      });
  }
  const gatewayApi = record(record(routing.plugins)[GATEWAY_API_PLUGIN]);
  const routeNamespace = text(gatewayApi.namespace) ?? namespace;
  for (const [field, kind] of [
    ["httpRoute", "HTTPRoute"],
    ["grpcRoute", "GRPCRoute"],
    ["tcpRoute", "TCPRoute"],
  ] as const) {
    const names = [text(gatewayApi[field]), ...list(gatewayApi[`${field}s`]).map((item) => text(record(item).name))].filter(
      (n): n is string => n !== undefined,
    );
    for (const name of names) targets.push({ group: GATEWAY_API_GROUP, kind, namespace: routeNamespace, name, rules: [] });
  }
  const nginx = record(routing.nginx);
  const alb = record(routing.alb);
  const byName = (kind: string, names: readonly unknown[]) =>
    names
      .map(text)
      .filter((n): n is string => n !== undefined)
      .forEach((name) => targets.push({ group: "", kind, namespace, name, rules: [] }));
  byName("Ingress", [nginx.stableIngress, ...list(nginx.stableIngresses), alb.ingress, ...list(alb.ingresses)]);
  byName("TrafficSplit", [record(routing.smi).trafficSplitName]);
  const destinationRule = text(record(istio.destinationRule).name);
  if (destinationRule)
    targets.push({ group: "networking.istio.io", kind: "DestinationRule", ...splitName(destinationRule, namespace), rules: [] });
  const otherPlugins = Object.keys(record(routing.plugins)).filter((plugin) => plugin !== GATEWAY_API_PLUGIN);
  for (const plugin of otherPlugins) targets.push({ group: "", kind: `plugin ${plugin}`, namespace, name: "", rules: [] });
  return targets;
}

export const describeTarget = (target: RoutingTarget): string =>
  `${target.kind}${target.name ? ` ${target.namespace}/${target.name}` : ""}${target.rules.length ? ` (routes ${target.rules.join(", ")})` : ""}`;
