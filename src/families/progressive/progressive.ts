import { MUTATING_METHODS, reportMirrorIncreases } from "../../core/mirror-changes.js";
import { takesAnyHeaderValue } from "../../core/header-values.js";
import { flag, list, numeric, optionalRecord, record, spec, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import {
  autoPromotes,
  blueGreenStrategy,
  canaryStrategy,
  describeTarget,
  flaggerAnalysis,
  flaggerPlan,
  rolloutPlan,
  rolloutSteps,
  routingTargets,
} from "./plans.js";
import {
  canonical,
  describeLeafChanges,
  durationMs,
  formatDuration,
  leafChanges,
  sameValue,
  setChange,
  show,
  timeoutLimitMs,
} from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import { pairByIdentity } from "../../core/pair-by-identity.js";
import type { ResourceDetector } from "../../core/detector.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import { effectiveRewrite } from "../../core/istio-http-match.js";
import { corsOriginChanges, istioCorsOrigins } from "../../core/cors-origins.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";

/**
 * Progressive delivery (Flagger Canary, Argo Rollouts Rollout): each is read as the weights it
 * will set. Hosts, gateways and matches of a Canary's generated route are judged on its flows
 * (route-changes.ts), so this detector judges the rest of `spec.service` (its rewrite, CORS,
 * retries and timeout as a VirtualService rule's own) and `spec.analysis`, and
 * a Rollout's strategy, whole: what no specific check reports is listed as resource.changed here,
 * since a finding anywhere in a block speaks for all of it (resource-changes.ts).
 */

/**
 * Changed leaves of a block outside what a specific finding already reported (dotted paths within
 * the block: `steps`, `canary.trafficRouting`), as one resource.changed.
 */
function otherChanges(out: DetectionList, before: JsonRecord, after: JsonRecord, path: FieldPath, reported: ReadonlySet<string>): void {
  const isReported = (leaf: readonly string[]) => {
    const dotted = leaf.join(".");
    return [...reported].some((key) => dotted === key || dotted.startsWith(`${key}.`));
  };
  const changes = leafChanges(before, after).filter((leaf) => !isReported(leaf.path));
  if (changes.length === 0) return;
  out.add({
    class: "resource.changed",
    summary: describeLeafChanges(changes.map((leaf) => ({ ...leaf, path: [String(path[path.length - 1]), ...leaf.path] }))),
    side: "head",
    path: [...path, ...(changes[0]?.path ?? [])],
    before: changes.map((leaf) => leaf.before),
    after: changes.map((leaf) => leaf.after),
  });
}

// ---------------------------------------------------------------------------------------------
// Flagger Canary

/** Fields of `spec.service` that make the generated route's flows (judged by the route diff). */
const ROUTE_FIELDS = ["name", "hosts", "gateways", "gatewayRefs", "match"] as const;
/** Fields of `spec.analysis` that make the step plan. */
const PLAN_FIELDS = ["interval", "iterations", "stepWeight", "stepWeights", "maxWeight", "stepWeightPromotion"] as const;

const pick = (block: JsonRecord, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((key) => block[key] !== undefined).map((key) => [key, block[key]]));

const analysisPath = (resource: Resource | undefined): FieldPath => [
  "spec",
  spec(resource).canaryAnalysis !== undefined && spec(resource).analysis === undefined ? "canaryAnalysis" : "analysis",
];

/** Named checks (metrics, webhooks) by name: the ones the head drops or edits. */
/**
 * A metric whose only edit narrows the range it accepts (its minimum raised, its maximum lowered,
 * a bound added) promotes on a stricter check: no weaker (a success-rate minimum 99 → 99.5 was high).
 */
const narrowedRange = (was: unknown, now: unknown): boolean => {
  const [before, after] = [record(was), record(now)];
  if (canonical({ ...before, thresholdRange: null }) !== canonical({ ...after, thresholdRange: null })) return false;
  const [from, to] = [record(before.thresholdRange), record(after.thresholdRange)];
  const bound = (was: unknown, now: unknown, tighter: (was: number, now: number) => boolean) => {
    const [a, b] = [numeric(was), numeric(now)];
    return a === undefined || (b !== undefined && tighter(a, b));
  };
  return bound(from.min, to.min, (a, b) => b >= a) && bound(from.max, to.max, (a, b) => b <= a);
};

const weakenedChecks = (before: JsonRecord, after: JsonRecord, field: "metrics" | "webhooks"): string[] => {
  const byName = (block: JsonRecord) =>
    new Map(list(block[field]).map((item) => [text(record(item).name) ?? canonical(item), item] as const));
  const now = byName(after);
  return [...byName(before)].flatMap(([name, item]) => {
    if (!now.has(name)) return [`${name} removed`];
    const edited = now.get(name);
    return canonical(edited) === canonical(item) || narrowedRange(item, edited) ? [] : [`${name} changed`];
  });
};

function flaggerAnalysisChanges(change: ResourceChange, out: DetectionList): void {
  const before = flaggerAnalysis(change.base);
  const after = flaggerAnalysis(change.head);
  const path = analysisPath(change.head);
  const reported = new Set<string>(["match"]);
  const planBefore = pick(before, PLAN_FIELDS);
  const planAfter = pick(after, PLAN_FIELDS);
  if (!sameValue(planBefore, planAfter)) {
    for (const field of PLAN_FIELDS) reported.add(field);
    // The interval paces the steps without changing their weights (gitops-istio c25ca4d7: 10s → 15s
    // read as a weight change): a shorter one observes each step less, a longer one is only slower.
    if (sameValue({ ...planBefore, interval: null }, { ...planAfter, interval: null })) {
      const [was, now] = [durationMs(before.interval), durationMs(after.interval)];
      if (was !== undefined && now !== undefined && now < was)
        out.add({
          class: "health.changed",
          summary: `analysis.interval ${text(before.interval)} → ${text(after.interval)}: each step of the canary is observed for less time before it advances (step plan ${flaggerPlan(change.head)})`,
          side: "head",
          path: [...path, "interval"],
          before: before.interval,
          after: after.interval,
        });
    } else {
      const leaves = leafChanges(planBefore, planAfter);
      out.add({
        class: "backend.weight-changed",
        summary: `${describeLeafChanges(leaves.map((leaf) => ({ ...leaf, path: ["analysis", ...leaf.path] })))}: step plan ${flaggerPlan(change.head)}`,
        side: "head",
        path: [...path, String(leaves[0]?.path[0] ?? "")],
        before: { plan: flaggerPlan(change.base), ...planBefore },
        after: { plan: flaggerPlan(change.head), ...planAfter },
      });
    }
  }
  const threshold = [numeric(before.threshold), numeric(after.threshold)] as const;
  if (threshold[0] !== undefined && threshold[1] !== undefined && threshold[1] > threshold[0]) {
    reported.add("threshold");
    out.add({
      class: "health.changed",
      summary: `analysis.threshold ${threshold[0]} → ${threshold[1]}: more failed checks are tolerated before the canary is rolled back`,
      side: "head",
      path: [...path, "threshold"],
      before: threshold[0],
      after: threshold[1],
    });
  }
  const weakened = (["metrics", "webhooks"] as const).flatMap((field) =>
    weakenedChecks(before, after, field).map((item) => ({ field, item })),
  );
  if (weakened.length > 0) {
    for (const { field } of weakened) reported.add(field);
    out.add({
      class: "health.changed",
      summary: `analysis checks ${weakened.map(({ field, item }) => `${field} ${item}`).join(", ")}: the canary is promoted on fewer or different checks`,
      side: "head",
      path: [...path, weakened[0]!.field],
      before: pick(before, ["metrics", "webhooks"]),
      after: pick(after, ["metrics", "webhooks"]),
    });
  }
  const mirror = (block: JsonRecord) => (flag(block.mirror) === true ? (numeric(block.mirrorWeight) ?? 100) : 0);
  if (mirror(after) > mirror(before)) {
    reported.add("mirror").add("mirrorWeight");
    out.add({
      class: "mirror.changed",
      summary: `analysis.mirror: ${mirror(after)}% of requests are mirrored to the canary${mirror(before) ? ` (was ${mirror(before)}%)` : ""}; mirrored writes are duplicated`,
      side: "head",
      path: [...path, "mirror"],
      before: mirror(before),
      after: mirror(after),
    });
  }
  otherChanges(out, before, after, path, reported);
}

const tlsMode = (resource: Resource | undefined): string | undefined =>
  text(record(record(record(spec(resource).service).trafficPolicy).tls).mode);

function flaggerServiceChanges(change: ResourceChange, out: DetectionList): void {
  const before = record(spec(change.base).service);
  const after = record(spec(change.head).service);
  const reported = new Set<string>(ROUTE_FIELDS);
  const path: FieldPath = ["spec", "service"];
  const mode = tlsMode(change.head);
  if (mode === "DISABLE" && tlsMode(change.base) !== "DISABLE") {
    reported.add("trafficPolicy");
    out.add({
      class: "mtls.weakened",
      summary: `service.trafficPolicy.tls.mode ${tlsMode(change.base) ?? "(unset)"} → DISABLE: traffic to the primary and the canary is sent in plaintext`,
      side: "head",
      path: [...path, "trafficPolicy", "tls", "mode"],
      before: tlsMode(change.base) ?? null,
      after: mode,
    });
  }
  const attempts = [numeric(record(before.retries).attempts), numeric(record(after.retries).attempts)] as const;
  if ((attempts[1] ?? 0) > (attempts[0] ?? 0)) {
    reported.add("retries");
    out.add({
      class: "retry-timeout.changed",
      summary: `service.retries.attempts ${show(attempts[0])} → ${attempts[1]}: failures are retried more often, and retries multiply across layers`,
      side: "head",
      path: [...path, "retries", "attempts"],
      before: attempts[0] ?? null,
      after: attempts[1] ?? null,
    });
  }
  const timeout = [timeoutLimitMs(before.timeout), timeoutLimitMs(after.timeout)] as const;
  if (timeout[1] < timeout[0]) {
    reported.add("timeout");
    out.add({
      class: "retry-timeout.changed",
      summary: `service.timeout ${formatDuration(timeout[0])} → ${formatDuration(timeout[1])}: slow requests fail sooner`,
      side: "head",
      path: [...path, "timeout"],
      before: formatDuration(timeout[0]),
      after: formatDuration(timeout[1]),
    });
  }
  // Flagger writes these into the route it generates, as a VirtualService rule's own (istio.ts).
  reported.add("rewrite");
  reportRedirection(out, {
    kind: "rewrite",
    subject: "service: rewrite",
    before: effectiveRewrite(before.rewrite, list(before.match)),
    after: effectiveRewrite(after.rewrite, list(after.match)),
    path: [...path, "rewrite"],
  });
  for (const draft of corsOriginChanges(istioCorsOrigins(before.corsPolicy), istioCorsOrigins(after.corsPolicy), "service: ", [
    ...path,
    "corsPolicy",
  ])) {
    reported.add("corsPolicy");
    out.add(draft);
  }
  otherChanges(out, before, after, path, reported);
}

function flaggerCanary(change: ResourceChange, out: DetectionList): void {
  // A Canary added or removed is its route added or removed (route-changes.ts), plan included.
  if (flag(spec(change.head).skipAnalysis) === true && flag(spec(change.base).skipAnalysis) !== true) {
    out.add({
      class: "health.changed",
      summary: "skipAnalysis true: the canary is promoted at once, without metrics, webhooks or rollback",
      side: "head",
      path: ["spec", "skipAnalysis"],
      before: false,
      after: true,
      riskFloor: "high",
    });
  }
  if (!change.base || !change.head) return;
  const provider = [text(spec(change.base).provider), text(spec(change.head).provider)] as const;
  if (provider[0] !== provider[1]) {
    out.add({
      class: "route.attachment-changed",
      summary: `provider ${show(provider[0])} → ${show(provider[1])}: another router now shifts the canary's traffic, through routes it generates anew`,
      side: "head",
      path: ["spec", "provider"],
      before: provider[0] ?? null,
      after: provider[1] ?? null,
    });
  }
  flaggerAnalysisChanges(change, out);
  flaggerServiceChanges(change, out);
}

// ---------------------------------------------------------------------------------------------
// Argo Rollouts

/** Services and routes a Rollout points traffic at, by role. */
function rolloutTargets(resource: Resource | undefined): string[] {
  if (!resource) return [];
  const namespace = resource.id.namespace;
  const canary = canaryStrategy(resource);
  const blueGreen = blueGreenStrategy(resource);
  const services = [
    ["canaryService", text(canary?.canaryService)],
    ["stableService", text(canary?.stableService)],
    ["activeService", text(blueGreen?.activeService)],
    ["previewService", text(blueGreen?.previewService)],
  ] as const;
  return [
    ...services.filter(([, name]) => name !== undefined).map(([role, name]) => `${role} ${namespace}/${name}`),
    ...routingTargets(resource, namespace).map(describeTarget),
  ].sort();
}

/** What a plan change does: first step, pauses and analysis steps, when they differ. */
function stepDetails(base: Resource, head: Resource): string {
  const count = (resource: Resource, gate: RegExp) =>
    rolloutSteps(canaryStrategy(resource) ?? {}).filter((step) => step.gate && gate.test(step.gate)).length;
  // The first weight set: a pause, mirror or header-route step before it sets none.
  const first = (resource: Resource) => rolloutSteps(canaryStrategy(resource) ?? {}).find((step, index) => index > 0 && !step.gate)?.weight;
  const details: string[] = [];
  if (first(base) !== first(head)) details.push(`first step ${show(first(base))} → ${show(first(head))}%`);
  for (const [what, gate] of [
    ["pauses", /^pause/],
    ["analysis steps", /^analysis/],
  ] as const) {
    if (count(base, gate) !== count(head, gate)) details.push(`${what} ${count(base, gate)} → ${count(head, gate)}`);
  }
  return details.length ? ` (${details.join("; ")})` : "";
}

/** A step that only holds the canary where it is: a pause, or an analysis that may abort the rollout. */
const HOLD = /^(pause|analysis$)/;

/**
 * Whether the head's canary steps are the base's with pauses or analysis steps added, and nothing
 * else: each weight is reached as before, the rollout only waits (or checks) more on the way.
 */
function onlyHoldsAdded(base: Resource, head: Resource): boolean {
  const [before, after] = [canaryStrategy(base), canaryStrategy(head)];
  if (!before || !after) return false;
  const kept = rolloutSteps(before);
  let next = 0;
  for (const step of rolloutSteps(after)) {
    const wanted = kept[next];
    if (wanted && wanted.weight === step.weight && wanted.gate === step.gate) next++;
    else if (!step.gate || !HOLD.test(step.gate)) return false;
  }
  return next === kept.length;
}

const strategyPath = (resource: Resource | undefined): FieldPath => {
  if (canaryStrategy(resource)) return ["spec", "strategy", "canary", "steps"];
  return blueGreenStrategy(resource) ? ["spec", "strategy", "blueGreen"] : ["spec", "strategy"];
};

/**
 * A Rollout's `setMirrorRoute` steps: during the rollout the matched share of requests is copied to
 * the canary. Its match decides whether writes are copied (a match without a method, or a method
 * pattern other than an exact non-mutating method, may take writes), as a route's own mirror.
 */
function mirrorSteps(out: DetectionList, base: Resource, head: Resource): void {
  const mirrorsOf = (resource: Resource) =>
    list(canaryStrategy(resource)?.steps).flatMap((item, index) => {
      const mirror = optionalRecord(record(item).setMirrorRoute);
      // A step with no match removes the mirror route it names (Argo Rollouts' traffic management docs).
      if (!mirror || list(mirror.match).length === 0) return [];
      const methods = list(mirror.match).map((match) => record(record(match).method));
      const readOnly =
        methods.length > 0 &&
        methods.every((method) => {
          const exact = text(method.exact)?.toUpperCase();
          return exact !== undefined && !MUTATING_METHODS.includes(exact);
        });
      return [
        {
          name: text(mirror.name) ?? "",
          label: `step ${index} setMirrorRoute ${text(mirror.name) ?? ""}`.trim(),
          writes: readOnly ? undefined : "its match can take writes",
          mirror: {
            target: "the canary",
            percent: numeric(mirror.percentage) ?? 100,
            path: ["spec", "strategy", "canary", "steps", index, "setMirrorRoute"],
          },
        },
      ];
    });
  const earlier = mirrorsOf(base);
  for (const step of mirrorsOf(head))
    reportMirrorIncreases(
      out,
      { label: step.label, writes: step.writes, mirrors: [step.mirror] },
      earlier.filter((other) => other.name === step.name).map((other) => other.mirror),
      "mirror",
    );
}

/**
 * A Rollout's `setHeaderRoute` steps send the requests their match selects to the canary, all of
 * them, whatever weight the steps have reached. A match that takes any value of its headers (an
 * empty prefix, `.*`) sends every request carrying them, which for `user-agent` or `accept` is
 * nearly all: that is high. Another match changed moves which requests go: a match change.
 */
function headerRouteSteps(out: DetectionList, base: Resource, head: Resource): void {
  const routesOf = (resource: Resource) =>
    list(canaryStrategy(resource)?.steps).flatMap((item, index) => {
      const route = optionalRecord(record(item).setHeaderRoute);
      if (!route) return [];
      const matches = list(route.match).map(record);
      return [
        {
          name: text(route.name) ?? "",
          label: `step ${index} setHeaderRoute ${text(route.name) ?? ""}`.trim(),
          matches,
          headers: matches.map((match) => text(match.headerName) ?? "?"),
          takesAll: matches.length > 0 && matches.every((match) => takesAnyHeaderValue(record(match.headerValue))),
          path: ["spec", "strategy", "canary", "steps", index, "setHeaderRoute", "match"],
        },
      ];
    });
  // A header route is set by one step and removed by a later one of the same name (a step with no
  // match): steps of one name are paired in the order they come, not each with the first.
  for (const { base: before, head: step } of pairByIdentity(routesOf(base), routesOf(head), (route) => route.name)) {
    if (!step) continue;
    if (step.takesAll && !before?.takesAll)
      out.add({
        class: "backend.weight-changed",
        summary: `${step.label}: every request carrying ${step.headers.join(" and ")} goes to the canary (its match takes any value), whatever weight the steps have reached`,
        side: "head",
        path: step.path,
        before: before?.matches ?? null,
        after: step.matches,
        riskFloor: "high",
      });
    else if (before && !sameValue(before.matches, step.matches))
      out.add({
        class: "route.match-changed",
        summary: `${step.label}: other requests go to the canary: match ${show(before.matches)} → ${show(step.matches)}`,
        side: "head",
        path: step.path,
        before: before.matches,
        after: step.matches,
      });
  }
}

function rollout(change: ResourceChange, out: DetectionList): void {
  const { base, head } = change;
  const targets = [rolloutTargets(base), rolloutTargets(head)] as const;
  if (!base || !head) {
    // A new canary Rollout takes over the weights of the routes it names; without trafficRouting it is a workload like a Deployment.
    if (head && routingTargets(head, head.id.namespace).length > 0) {
      out.add({
        class: "backend.weight-changed",
        summary: `added: sets the weights of ${routingTargets(head, head.id.namespace).map(describeTarget).join(", ")}: step plan ${rolloutPlan(head)}`,
        side: "head",
        path: ["spec", "strategy", "canary", "trafficRouting"],
        after: { plan: rolloutPlan(head), targets: targets[1] },
      });
    }
    return;
  }
  mirrorSteps(out, base, head);
  headerRouteSteps(out, base, head);
  const reported = new Set<string>();
  const planBefore = rolloutPlan(base);
  const planAfter = rolloutPlan(head);
  const blueGreenBefore = blueGreenStrategy(base);
  const blueGreenAfter = blueGreenStrategy(head);
  if (planBefore !== planAfter) {
    reported.add("canary.steps").add("blueGreen.autoPromotionEnabled").add("blueGreen.autoPromotionSeconds");
    if (!sameValue(Object.keys(record(spec(base).strategy)), Object.keys(record(spec(head).strategy))))
      reported.add("canary").add("blueGreen");
    const nowAuto =
      blueGreenAfter !== undefined && autoPromotes(blueGreenAfter) && !(blueGreenBefore !== undefined && autoPromotes(blueGreenBefore));
    const held = !nowAuto && onlyHoldsAdded(base, head);
    out.add({
      class: held ? "resource.changed" : "backend.weight-changed",
      summary: nowAuto
        ? `blueGreen.autoPromotionEnabled: ${planAfter}, without a manual promotion (was: ${planBefore})`
        : `step plan ${planAfter}${stepDetails(base, head)} (was: ${planBefore})${held ? ": the same weights, held longer" : ""}`,
      side: "head",
      path: strategyPath(head),
      before: planBefore,
      after: planAfter,
      ...(nowAuto ? { riskFloor: "high" as const } : {}),
    });
  }
  if (!sameValue(targets[0], targets[1])) {
    for (const key of [
      "canary.canaryService",
      "canary.stableService",
      "canary.trafficRouting",
      "blueGreen.activeService",
      "blueGreen.previewService",
    ])
      reported.add(key);
    const moved = setChange(targets[0], targets[1]);
    out.add({
      class: "route.attachment-changed",
      summary: `traffic routing ${[...moved.added.map((t) => `now ${t}`), ...moved.removed.map((t) => `no longer ${t}`)].join("; ")}: the weights are set on other routes or Services`,
      side: "head",
      path: canaryStrategy(head) ? ["spec", "strategy", "canary", "trafficRouting"] : ["spec", "strategy", "blueGreen"],
      before: targets[0],
      after: targets[1],
    });
  }
  const background = [optionalRecord(canaryStrategy(base)?.analysis), optionalRecord(canaryStrategy(head)?.analysis)] as const;
  const [gatedBy, gatesBy] = [analysisTemplates(background[0]), analysisTemplates(background[1])];
  const dropped = gatedBy.filter((name) => !gatesBy.includes(name));
  if (background[0] && gatedBy.length > 0 && gatesBy.length === 0 && canaryStrategy(head)) {
    reported.add("canary.analysis");
    out.add({
      class: "health.changed",
      summary: `strategy.canary.analysis ${background[1] ? "runs no template now" : "removed"}: no background analysis aborts the rollout while its weights rise`,
      side: "head",
      path: ["spec", "strategy", "canary", ...(background[1] ? ["analysis", "templates"] : [])],
      before: background[0],
      after: background[1] ?? null,
    });
  } else if (dropped.length > 0 && gatesBy.length > 0) {
    reported.add("canary.analysis");
    out.add({
      class: "health.changed",
      summary: `strategy.canary.analysis no longer runs ${dropped.join(", ")}: the background analysis aborts the rollout on fewer checks while its weights rise`,
      side: "head",
      path: ["spec", "strategy", "canary", "analysis", "templates"],
      before: gatedBy,
      after: gatesBy,
    });
  }
  otherChanges(out, record(spec(base).strategy), record(spec(head).strategy), ["spec", "strategy"], reported);
}

/** The templates a Rollout's background analysis runs, by name (a cluster-scoped one marked so): none, no gate. */
const analysisTemplates = (analysis: JsonRecord | undefined): string[] =>
  list(analysis?.templates).flatMap((item) => {
    const template = record(item);
    const name = text(template.templateName);
    return name ? [flag(template.clusterScope) === true ? `ClusterAnalysisTemplate ${name}` : name] : [];
  });

export const progressiveDetector: ResourceDetector = (change) => {
  const subject = (change.head ?? change.base)!;
  const out = new DetectionList(change);
  if (subject.id.group === "flagger.app" && subject.id.kind === "Canary") flaggerCanary(change, out);
  else if (subject.id.group === "argoproj.io" && subject.id.kind === "Rollout") rollout(change, out);
  return out.detections;
};
