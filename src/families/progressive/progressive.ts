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
  flaggerIntervalMs,
  flaggerSteps,
  flaggerTrafficSteps,
  rolloutPlan,
  rolloutSteps,
  routingTargets,
} from "./plans.js";
import { noFaster } from "./plan-pace.js";
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
import { DetectionList, type Side } from "../../core/detection-list.js";
import { pairEntries } from "../../core/pair-entries.js";
import { ENDPOINT_CHECKS, comparePolicies, policyScopes } from "../../core/istio-traffic-policy.js";
import { reportIstioRetryChanges } from "../../core/istio-retries.js";
import { pairByIdentity } from "../../core/pair-by-identity.js";
import type { ResourceDetector } from "../../core/detector.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import { effectiveRewrite, ruleWrites } from "../../core/istio-http-match.js";
import { corsOriginChanges, istioCorsOrigins } from "../../core/cors-origins.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";

/**
 * Progressive delivery (Flagger Canary, Argo Rollouts Rollout): each is read as the weights it
 * will set. Hosts, gateways and matches of a Canary's generated route are judged on its flows
 * (route-changes.ts), so this detector judges the rest of `spec.service` (its rewrite, CORS,
 * retries and timeout as a VirtualService rule's own, its traffic policy as a DestinationRule's)
 * and `spec.analysis`, and
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

/** What a plan change that only slows the canary down is (plan-pace.ts noFaster): low, said so. */
const NO_FASTER =
  "no faster than before: at no moment does the canary take more of the traffic than under the old plan, nor, before promotion, a higher share than it ever did";
/** The same for a blue-green preview, which takes all the traffic at once when promoted (noFasterPlan). */
const NO_SOONER = "promoted no sooner than before: by hand, or automatically after as long or longer";

/** Runs one check into `out`, and marks the fields it judges reported when it found something: what it left alone is still listed. */
function judged(out: DetectionList, reported: Set<string>, fields: readonly string[], check: () => void): void {
  const found = out.detections.length;
  check();
  if (out.detections.length > found) for (const field of fields) reported.add(field);
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

/**
 * Webhook types Flagger calls without waiting on the answer (its scheduler_hooks.go and events.go):
 * `post-rollout` runs once the release is promoted or rolled back and only logs a failure, `event`
 * forwards Flagger's events. Editing or dropping one changes who is told, not what is promoted,
 * so it is left to the field list (low). Every other type holds or aborts the release (a webhook
 * with no type is a `rollout` check; a `rollback` hook aborts it), and one retyped to a
 * non-gating type is a check removed.
 */
const NOTIFYING_WEBHOOKS: ReadonlySet<string> = new Set(["post-rollout", "event"]);

/** The checks of a block that can hold or fail the release: every metric, and the webhooks that gate. */
const gatingChecks = (block: JsonRecord, field: "metrics" | "webhooks"): unknown[] =>
  list(block[field]).filter((item) => field === "metrics" || !NOTIFYING_WEBHOOKS.has(text(record(item).type) ?? ""));

/**
 * Named checks (metrics, webhooks) by name: the ones the head drops or edits. Flagger names checks
 * only to label them: names may repeat (a second `checks` webhook is the second of that name) and
 * a rename keeps the check (the same body under a new name is no check removed).
 */
const weakenedChecks = (before: JsonRecord, after: JsonRecord, field: "metrics" | "webhooks"): string[] => {
  const byName = (block: JsonRecord) => {
    const named = new Map<string, unknown>();
    for (const item of gatingChecks(block, field)) {
      const name = text(record(item).name) ?? canonical(item);
      let key = name;
      for (let n = 2; named.has(key); n++) key = `${name} (${n})`;
      named.set(key, item);
    }
    return named;
  };
  const was = byName(before);
  const now = byName(after);
  const body = (item: unknown) => canonical({ ...record(item), name: null });
  const renamed = new Set([...now].filter(([name]) => !was.has(name)).map(([, item]) => body(item)));
  return [...was].flatMap(([name, item]) => {
    if (!now.has(name)) return renamed.has(body(item)) ? [] : [`${name} removed`];
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
    // The interval and the iterations pace the steps without changing their weights (gitops-istio
    // c25ca4d7: 10s → 15s read as a weight change): fewer or shorter observations are a weaker gate,
    // more or longer ones only slower; the same steps written another way are left to the field list.
    if (sameValue(flaggerTrafficSteps(change.base), flaggerTrafficSteps(change.head))) {
      const [was, now] = [durationMs(before.interval), durationMs(after.interval)];
      if (was !== undefined && now !== undefined && now < was) {
        reported.add("interval");
        out.add({
          class: "health.changed",
          summary: `analysis.interval ${text(before.interval)} → ${text(after.interval)}: each step of the canary is observed for less time before it advances (step plan ${flaggerPlan(change.head)})`,
          side: "head",
          path: [...path, "interval"],
          before: before.interval,
          after: after.interval,
        });
      }
      const iterations = [numeric(before.iterations), numeric(after.iterations)] as const;
      if (iterations[0] !== undefined && iterations[1] !== undefined && iterations[1] < iterations[0]) {
        reported.add("iterations");
        out.add({
          class: "health.changed",
          summary: `analysis.iterations ${iterations[0]} → ${iterations[1]}: the canary is promoted after fewer checks (step plan ${flaggerPlan(change.head)})`,
          side: "head",
          path: [...path, "iterations"],
          before: iterations[0],
          after: iterations[1],
        });
      }
    } else {
      for (const field of PLAN_FIELDS) reported.add(field);
      const leaves = leafChanges(planBefore, planAfter);
      // Smaller steps, a later promotion or a longer interval only slow the canary down (plan-pace.ts);
      // a shorter interval, whatever the steps, observes each for less time before it advances.
      const [was, now] = [flaggerSteps(change.base), flaggerSteps(change.head)];
      const slower =
        was !== undefined && now !== undefined && noFaster(was, now) && flaggerIntervalMs(change.head)! >= flaggerIntervalMs(change.base)!;
      out.add({
        class: slower ? "resource.changed" : "backend.weight-changed",
        summary: `${describeLeafChanges(leaves.map((leaf) => ({ ...leaf, path: ["analysis", ...leaf.path] })))}: step plan ${flaggerPlan(change.head)}${slower ? `: ${NO_FASTER}` : ""}`,
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
  // The generated rule mirrors to the canary the requests its `service.match` takes: writes among them are duplicated.
  const mirror = (resource: Resource | undefined) => {
    const analysis = flaggerAnalysis(resource);
    // Flagger leaves the share unset (all requests) when mirrorWeight is 0 or missing.
    return flag(analysis.mirror) === true ? numeric(analysis.mirrorWeight) || 100 : undefined;
  };
  const writes = (resource: Resource | undefined) => ruleWrites(list(record(spec(resource).service).match));
  const [was, now] = [mirror(change.base), mirror(change.head)];
  if (now !== undefined)
    judged(out, reported, ["mirror", "mirrorWeight"], () =>
      reportMirrorIncreases(
        out,
        {
          label: "analysis.mirror",
          writes: writes(change.head),
          mirrors: [{ target: "the canary", percent: now, path: [...path, "mirror"] }],
        },
        was === undefined
          ? []
          : [{ target: "the canary", percent: was, path: [...path, "mirror"], tookWrites: writes(change.base) !== undefined }],
        "mirror",
      ),
    );
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
  // Flagger copies the traffic policy into the DestinationRules it generates for the primary and the
  // canary, and retries, timeout, rewrite and CORS into its VirtualService rule: each judged as there.
  judged(out, reported, ["trafficPolicy"], () =>
    comparePolicies(
      out,
      policyScopes(before, path, "service.trafficPolicy"),
      policyScopes(after, path, "service.trafficPolicy"),
      ENDPOINT_CHECKS,
    ),
  );
  judged(out, reported, ["retries"], () => reportIstioRetryChanges(out, before.retries, after.retries, "service", [...path, "retries"]));
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

/**
 * Whether the head's plan shifts traffic no faster than the base's (plan-pace.ts): canary steps
 * with pauses, analysis steps or finer weights added on the way, or a pause lengthened (5m → 15m;
 * `5m` written `300`); a blue-green preview promoted by hand (as before, or now where it was
 * promoted automatically: held until a person promotes it, as a timed pause made indefinite), or
 * automatically after as long or longer. Argo Rollouts ignores `autoPromotionSeconds` when
 * promotion is by hand.
 */
function noFasterPlan(base: Resource, head: Resource): boolean {
  const [before, after] = [canaryStrategy(base), canaryStrategy(head)];
  if (before && after) return noFaster(rolloutSteps(before), rolloutSteps(after));
  const [was, now] = [blueGreenStrategy(base), blueGreenStrategy(head)];
  if (!was || !now) return false;
  if (!autoPromotes(now)) return true;
  return autoPromotes(was) && (numeric(now.autoPromotionSeconds) ?? 0) >= (numeric(was.autoPromotionSeconds) ?? 0);
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
    const held = !nowAuto && noFasterPlan(base, head);
    out.add({
      class: held ? "resource.changed" : "backend.weight-changed",
      summary: nowAuto
        ? `blueGreen.autoPromotionEnabled: ${planAfter}, without a manual promotion (was: ${planBefore})`
        : `step plan ${planAfter}${stepDetails(base, head)} (was: ${planBefore})${held ? `: ${blueGreenAfter ? NO_SOONER : NO_FASTER}` : ""}`,
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
  for (const gate of analysisGates(base, head)) {
    if (analysisGateChanges(out, gate)) reported.add(gate.key);
  }
  otherChanges(out, record(spec(base).strategy), record(spec(head).strategy), ["spec", "strategy"], reported);
}

/** One analysis of a Rollout, in base and head: what it gates, and what a weaker one lets through. */
interface AnalysisGate {
  /** How the finding names it: `strategy.canary.analysis`, `steps[3].analysis`. */
  readonly label: string;
  /** Its dotted path within `spec.strategy`, as otherChanges reads it. */
  readonly key: string;
  /** Where `path` points: the base for an analysis step the head no longer has. */
  readonly side: Side;
  readonly path: FieldPath;
  readonly before: JsonRecord | undefined;
  readonly after: JsonRecord | undefined;
  /** What no longer holds, removed: `no background analysis aborts the rollout while its weights rise`. */
  readonly ungated: string;
  /** What holds on fewer or other checks: `the background analysis aborts the rollout on fewer checks while its weights rise`. */
  readonly weaker: string;
}

/** A canary's analysis steps, each with its place in the steps and the weight it holds the canary at. */
function analysisSteps(canary: JsonRecord | undefined): { index: number; weight: number; analysis: JsonRecord }[] {
  let weight = 0;
  return list(canary?.steps).flatMap((item, index) => {
    const step = record(item);
    weight = numeric(step.setWeight) ?? weight;
    return step.analysis === undefined ? [] : [{ index, weight, analysis: record(step.analysis) }];
  });
}

/**
 * Every analysis of a Rollout: the canary's background analysis, each analysis step (paired with
 * the base's by what it runs, else by the weight it holds: a step moved or reordered is the same
 * check, and one of the base the head lacks is removed), and a blue-green preview's pre- and
 * post-promotion analyses.
 */
function analysisGates(base: Resource, head: Resource): AnalysisGate[] {
  const [canaryBefore, canaryAfter] = [canaryStrategy(base), canaryStrategy(head)];
  const gates: AnalysisGate[] = [];
  if (canaryAfter) {
    gates.push({
      label: "strategy.canary.analysis",
      key: "canary.analysis",
      side: "head",
      path: ["spec", "strategy", "canary", "analysis"],
      before: optionalRecord(canaryBefore?.analysis),
      after: optionalRecord(canaryAfter.analysis),
      ungated: "no background analysis aborts the rollout while its weights rise",
      weaker: "the background analysis aborts the rollout on fewer or other checks while its weights rise",
    });
    for (const { base: was, head: now } of pairEntries(analysisSteps(canaryBefore), analysisSteps(canaryAfter), [
      (step) => canonical(step.analysis),
      (step) => String(step.weight),
    ])) {
      if (!was) continue;
      const step = (now ?? was).value;
      gates.push({
        label: `steps[${step.index}].analysis`,
        key: "canary.steps",
        side: now ? "head" : "base",
        path: ["spec", "strategy", "canary", "steps", step.index, "analysis"],
        before: was.value.analysis,
        after: now?.value.analysis,
        ungated: `the canary at ${was.value.weight}% takes its next weight without this check`,
        weaker: "the step lets the canary take its next weight on fewer or other checks",
      });
    }
  }
  const [blueGreenBefore, blueGreenAfter] = [blueGreenStrategy(base), blueGreenStrategy(head)];
  if (blueGreenAfter)
    for (const [field, ungated, weaker] of [
      ["prePromotionAnalysis", "the preview is promoted without an analysis of it", "the preview is promoted on fewer or other checks"],
      [
        "postPromotionAnalysis",
        "no analysis after promotion rolls a failing release back",
        "the analysis after promotion rolls a failing release back on fewer or other checks",
      ],
    ] as const)
      gates.push({
        label: `strategy.blueGreen.${field}`,
        key: `blueGreen.${field}`,
        side: "head",
        path: ["spec", "strategy", "blueGreen", field],
        before: optionalRecord(blueGreenBefore?.[field]),
        after: optionalRecord(blueGreenAfter[field]),
        ungated,
        weaker,
      });
  return gates;
}

/** An analysis's arguments by name: what its templates measure (`service-name: checkout-canary`). */
const analysisArgs = (analysis: JsonRecord | undefined): JsonRecord =>
  Object.fromEntries(
    list(analysis?.args).map((item, index) => {
      const arg = record(item);
      return [text(arg.name) ?? String(index), arg.value ?? arg.valueFrom ?? null];
    }),
  );

/**
 * An analysis that gated the base and gates less at head: removed or running no template, a
 * template dropped (a lax one swapped in), its arguments pointed elsewhere (the stable Service
 * measured instead of the canary), or, in the background, starting at a later step. A template
 * added, the same ones reordered, or an earlier start only gate more.
 */
function analysisGateChanges(out: DetectionList, gate: AnalysisGate): boolean {
  const [gatedBy, gatesBy] = [analysisTemplates(gate.before), analysisTemplates(gate.after)];
  if (!gate.before || gatedBy.length === 0) return false;
  if (gatesBy.length === 0) {
    out.add({
      class: "health.changed",
      summary: `${gate.label} ${gate.after ? "runs no template now" : "removed"}: ${gate.ungated}`,
      side: gate.side,
      path: [...gate.path, ...(gate.after ? ["templates"] : [])],
      before: gate.before,
      after: gate.after ?? null,
    });
    return true;
  }
  const details: string[] = [];
  const dropped = gatedBy.filter((name) => !gatesBy.includes(name));
  if (dropped.length > 0) details.push(`no longer runs ${dropped.join(", ")}`);
  const args = leafChanges(analysisArgs(gate.before), analysisArgs(gate.after));
  if (args.length > 0) details.push(`its args ${describeLeafChanges(args)}`);
  const [from, to] = [numeric(gate.before.startingStep) ?? 0, numeric(gate.after?.startingStep) ?? 0];
  if (to > from) details.push(`starts at step ${to} (was ${from})`);
  if (details.length === 0) return false;
  out.add({
    class: "health.changed",
    summary: `${gate.label} ${details.join("; ")}: ${gate.weaker}`,
    side: "head",
    path: [...gate.path, dropped.length > 0 ? "templates" : args.length > 0 ? "args" : "startingStep"],
    before: gate.before,
    after: gate.after ?? null,
  });
  return true;
}

/** The templates one of a Rollout's analyses runs, by name (a cluster-scoped one marked so): none, no gate. */
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
