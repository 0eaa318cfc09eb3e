import { byKind, type Check } from "../../core/by-kind.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import { flag, isRecord, list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { canonical, describeLeafChanges, durationMs, leafChanges, show } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import { flaggerAnalysis } from "./plans.js";

/**
 * Argo Rollouts' AnalysisTemplate: the metrics a canary must pass before
 * it takes more traffic. A metric removed, a failure limit raised, fewer or closer measurements or a
 * pass condition rewritten lets a bad release through the gate unnoticed (`health.changed`, as
 * removing a Rollout's analysis is); a limit lowered only gates harder, and is left to the plain
 * change listing. One removed while a Rollout still names it is `reference.broken`, as is a Flagger
 * MetricTemplate removed while a Canary's metric names it.
 */

const ARGO = "argoproj.io";
const FLAGGER = "flagger.app";
/** Limits of failed, inconclusive or erroring measurements the analysis tolerates before it fails (Argo defaults). */
const LIMITS: Readonly<Record<string, number>> = { failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };
const CONDITIONS = ["successCondition", "failureCondition"] as const;

const metricsOf = (resource: Resource): Map<string, { index: number; metric: Record<string, unknown> }> =>
  new Map(
    list(record(resource.body.spec).metrics).map((item, index) => [
      text(record(item).name) ?? String(index),
      { index, metric: record(item) },
    ]),
  );

/**
 * The metrics a dry run leaves out of the verdict (`spec.dryRun`: each `metricName` a name or a
 * regular expression, `.*` every one): their failures are recorded, no longer failing the analysis.
 */
const dryRunOf = (resource: Resource, names: Iterable<string>): Set<string> => {
  const patterns = list(record(resource.body.spec).dryRun).flatMap((item) => {
    const name = text(record(item).metricName);
    if (name === undefined) return [];
    try {
      return [new RegExp(`^(?:${name})$`)];
    } catch {
      return [new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`)];
    }
  });
  return new Set([...names].filter((name) => patterns.some((pattern) => pattern.test(name))));
};

/** Where whitespace in a query is only layout: beside a bracket, a comma or an operator. */
const PUNCTUATION = /\s*([()[\]{},+\-*/%^=!<>~])\s*/g;
/** What a query keeps as written: its string literals and its `{{args.x}}` placeholders. */
const LITERAL = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\{\{[\s\S]*?\}\})/;

/**
 * A query as its provider's lexer reads it: outside string literals and placeholders, a run of
 * whitespace is one space and none beside a bracket, comma or operator, so a query reflowed from
 * `|` to `>-` (a line break after `(` dropped) is the same query; whitespace inside a literal
 * (`"5.*"` against `"5 .*"`) still tells two apart.
 */
const queryForm = (query: string): string =>
  query
    .split(LITERAL)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/\s+/g, " ").replace(PUNCTUATION, "$1")))
    .join("")
    .trim();

/** What a metric measures as its provider reads it: its `query` by queryForm, other text with runs of whitespace (lines rewrapped) one space. */
const spacing = (value: unknown, key?: string): unknown =>
  typeof value === "string"
    ? key === "query"
      ? queryForm(value)
      : value.trim().replace(/\s+/g, " ")
    : Array.isArray(value)
      ? value.map((item) => spacing(item))
      : isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([field, item]) => [field, spacing(item, field)]))
        : value;

/**
 * A metric that measures less before the analysis passes, as Flagger's shorter interval or fewer
 * iterations do: fewer measurements (`count` written on both sides; one at or below the failure
 * limit can never fail), or the same number closer together, so they span less of the rollout.
 */
function measuredLess(out: DetectionList, name: string, at: FieldPath, was: JsonRecord, now: JsonRecord): void {
  const [from, to] = [numeric(was.count), numeric(now.count)];
  if (from !== undefined && to !== undefined && to < from) {
    const limit = numeric(now.failureLimit) ?? LIMITS.failureLimit!;
    out.add({
      class: "health.changed",
      summary: `metric ${name} count ${from} → ${to}: the analysis passes on fewer measurements${to <= limit ? `; with failureLimit ${limit} it can never fail` : ""}`,
      side: "head",
      path: [...at, "count"],
      before: from,
      after: to,
    });
  }
  const [wasEvery, nowEvery] = [durationMs(was.interval), durationMs(now.interval)];
  if (to !== undefined && to > 1 && wasEvery !== undefined && nowEvery !== undefined && nowEvery < wasEvery)
    out.add({
      class: "health.changed",
      summary: `metric ${name} interval ${text(was.interval)} → ${text(now.interval)}: its ${to} measurements span less time before the analysis passes`,
      side: "head",
      path: [...at, "interval"],
      before: was.interval,
      after: now.interval,
    });
}

const gate: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [before, after] = [metricsOf(change.base), metricsOf(change.head)];
  const [dryBefore, dryAfter] = [dryRunOf(change.base, before.keys()), dryRunOf(change.head, after.keys())];
  for (const [name, { metric: was }] of before) {
    const now = after.get(name);
    if (!now) {
      out.add({
        class: "health.changed",
        summary: `metric ${name} removed: canaries no longer have to pass it`,
        side: "base",
        path: ["spec", "metrics"],
        before: name,
        after: null,
      });
      continue;
    }
    const at = ["spec", "metrics", now.index];
    if (dryAfter.has(name) && !dryBefore.has(name))
      out.add({
        class: "health.changed",
        summary: `metric ${name} now runs dry (spec.dryRun): its failures are recorded but no longer fail the analysis`,
        side: "head",
        path: ["spec", "dryRun"],
        before: null,
        after: name,
      });
    // What the metric measures: another query (`vector(1)` always passes), another Service, another provider.
    if (canonical(spacing(was.provider)) !== canonical(spacing(now.metric.provider)))
      out.add({
        class: "health.changed",
        summary: `metric ${name} provider ${describeLeafChanges(leafChanges(record(was.provider), record(now.metric.provider)))}: it measures something else`,
        side: "head",
        path: [...at, "provider"],
        before: was.provider ?? null,
        after: now.metric.provider ?? null,
      });
    for (const [field, fallback] of Object.entries(LIMITS)) {
      const [from, to] = [numeric(was[field]) ?? fallback, numeric(now.metric[field]) ?? fallback];
      if (to > from)
        out.add({
          class: "health.changed",
          summary: `metric ${name} ${field} ${from} → ${to}: more bad measurements pass before the analysis fails`,
          side: "head",
          path: [...at, field],
          before: from,
          after: to,
        });
    }
    measuredLess(out, name, at, was, now.metric);
    for (const field of CONDITIONS) {
      const [from, to] = [text(was[field]), text(now.metric[field])];
      if (from !== to)
        out.add({
          class: "health.changed",
          summary: `metric ${name} ${field} ${show(from)} → ${show(to)}: which measurements pass the gate changes`,
          side: "head",
          path: [...at, field],
          before: from,
          after: to,
        });
    }
  }
};

/**
 * The templates an object names anywhere in its spec (`templateName`: steps, background and
 * blue-green analyses, experiments): the namespaced ones, or with `clusterScope: true` the
 * ClusterAnalysisTemplates.
 */
function templateNames(value: unknown, clusterScope: boolean, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) templateNames(item, clusterScope, into);
  else if (isRecord(value)) {
    const name = text(value.templateName);
    if (name !== undefined && (flag(value.clusterScope) === true) === clusterScope) into.add(name);
    for (const field of Object.values(value)) templateNames(field, clusterScope, into);
  }
  return into;
}

/**
 * A template removed while a Rollout or Experiment still names it — an AnalysisTemplate from one of
 * its namespace, a ClusterAnalysisTemplate from any with `clusterScope: true`: Argo Rollouts finds
 * no template, marks the Rollout's spec invalid and stops progressing it (the argo-rollouts
 * examples' `random-fail`, deleted in the mutation sweep, passed as low).
 */
const removedWhileRun = (clusterScope: boolean): Check =>
  removedWhileNamed(
    (tree: ManifestSet, removed: Resource) =>
      copiesNamed(
        [...resourcesOfKind(tree, "Rollout"), ...resourcesOfKind(tree, "Experiment")].filter(
          (other) =>
            other.id.group === ARGO &&
            (clusterScope || other.id.namespace === removed.id.namespace) &&
            templateNames(other.body.spec, clusterScope, new Set()).has(removed.id.name),
        ),
      ).sort(),
    (referrers) =>
      `removed while ${stillName(referrers)}: its analysis finds no template, and Argo Rollouts marks the spec invalid and stops progressing it`,
  );

/**
 * A Flagger MetricTemplate removed while a Canary's metric still names it (`templateRef`, in the
 * Canary's namespace unless it says another): Flagger cannot run that check, counts it failed and
 * rolls each new release back once the failures pass the threshold.
 */
const removedWhileMeasured = removedWhileNamed(
  (tree: ManifestSet, removed: Resource) =>
    copiesNamed(
      [...tree.resources.values()].filter(
        (other) =>
          other.id.group === FLAGGER &&
          other.id.kind === "Canary" &&
          list(flaggerAnalysis(other).metrics).some((metric) => {
            const ref = record(record(metric).templateRef);
            return text(ref.name) === removed.id.name && (text(ref.namespace) ?? other.id.namespace) === removed.id.namespace;
          }),
      ),
    ).sort(),
  (referrers) =>
    `removed while ${stillName(referrers)}: that metric finds no template, so Flagger fails the check and rolls the canary back`,
);

/**
 * A Flagger MetricTemplate's query or provider rewritten: every Canary metric naming it measures
 * something else (a query made `vector(0)` always passes its range).
 */
const metricQuery: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [before, after] = [record(change.base.body.spec), record(change.head.body.spec)];
  const measured = (body: Record<string, unknown>) =>
    spacing({ query: body.query ?? null, provider: body.provider ?? null }) as Record<string, unknown>;
  const changes = leafChanges(measured(before), measured(after));
  if (changes.length === 0) return;
  out.add({
    class: "health.changed",
    summary: `${describeLeafChanges(changes)}: the canary metrics that name this template measure something else`,
    side: "head",
    path: ["spec", String(changes[0]!.path[0])],
    before: measured(before),
    after: measured(after),
  });
};

export const metricTemplateDetector = byKind({ MetricTemplate: [metricQuery, removedWhileMeasured] }, (id) => id.group === FLAGGER);

export const analysisTemplateDetector = byKind(
  { AnalysisTemplate: [gate, removedWhileRun(false)], ClusterAnalysisTemplate: [gate, removedWhileRun(true)] },
  (id) => id.group === ARGO,
);
