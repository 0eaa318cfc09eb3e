import { byKind, type Check } from "../../core/by-kind.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { flag, isRecord, list, numeric, record, text } from "../../core/json-access.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { canonical, describeLeafChanges, leafChanges, show } from "../../core/canonical-values.js";

/**
 * Argo Rollouts' AnalysisTemplate: the metrics a canary must pass before
 * it takes more traffic. A metric removed, a failure limit raised or a pass condition rewritten lets
 * a bad release through the gate unnoticed (`health.changed`, as removing a Rollout's analysis is);
 * a limit lowered only gates harder, and is left to the plain change listing. One removed while a
 * Rollout still names it is `reference.broken`.
 */

const ARGO = "argoproj.io";
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

/** A query as its provider reads it: runs of whitespace (a folded or literal block, lines rewrapped) are one space. */
const spacing = (value: unknown): unknown =>
  typeof value === "string"
    ? value.trim().replace(/\s+/g, " ")
    : Array.isArray(value)
      ? value.map(spacing)
      : isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([key, field]) => [key, spacing(field)]))
        : value;

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

/** The namespaced templates an object names anywhere in its spec (`templateName`, not `clusterScope`): steps, background and blue-green analyses, experiments. */
function templateNames(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) templateNames(item, into);
  else if (isRecord(value)) {
    const name = text(value.templateName);
    if (name !== undefined && flag(value.clusterScope) !== true) into.add(name);
    for (const field of Object.values(value)) templateNames(field, into);
  }
  return into;
}

/**
 * An AnalysisTemplate removed while a Rollout or Experiment of its namespace still names it: Argo
 * Rollouts finds no template, marks the Rollout's spec invalid and stops progressing it (the
 * argo-rollouts examples' `random-fail`, deleted in the mutation sweep, passed as low).
 */
const removedWhileRun = removedWhileNamed(
  (tree: ManifestSet, removed: Resource) =>
    [...tree.resources.values()]
      .filter(
        (other) =>
          other.id.group === ARGO &&
          (other.id.kind === "Rollout" || other.id.kind === "Experiment") &&
          other.id.namespace === removed.id.namespace &&
          templateNames(other.body.spec, new Set()).has(removed.id.name),
      )
      .map((other) => displayName(other.id))
      .sort(),
  (referrers) =>
    `removed while ${stillName(referrers)}: its analysis finds no template, and Argo Rollouts marks the spec invalid and stops progressing it`,
);

/**
 * A Flagger MetricTemplate's query or provider rewritten: every Canary metric naming it measures
 * something else (a query made `vector(0)` always passes its range). One removed while a Canary
 * names it stops its analysis (Flagger fails the check), judged where the Canary is read.
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

export const metricTemplateDetector = byKind({ MetricTemplate: [metricQuery] }, (id) => id.group === "flagger.app");

export const analysisTemplateDetector = byKind(
  { AnalysisTemplate: [gate, removedWhileRun], ClusterAnalysisTemplate: [gate] },
  (id) => id.group === ARGO,
);
