import type { RouteDiff, RouteVersion } from "../diff/route-diff.js";
import type { Topology } from "../policy/policy-schema.js";
import type { ResourceChange } from "../core/resource-change.js";
import type { Detection } from "../core/finding.js";
import { fileSites } from "../core/gitops-delivery.js";
import { blastRadiusOf, type BlastRadius, type TreeAnalysis } from "./blast-radius.js";
import { checkableIn, checkReferences, compareIssues, parentsMovedAway, type GraphIssue } from "./reference-checks.js";
import { buildTrafficGraph, graphMemo, type GraphMemo, type TrafficGraph } from "./traffic-graph.js";

/**
 * The graph stage of a review: both trees' graphs, the blast radius, and the reference problems
 * the PR introduces as detections (those already at base are only listed, as gwctl analyze does).
 */
export interface GraphReviewInput {
  readonly base: TreeAnalysis;
  readonly head: TreeAnalysis;
  readonly routeDiffs: readonly RouteDiff[];
  /** Versions of one object the route diff judged as edits (routeVersions): they contend with nobody. */
  readonly versions?: readonly RouteVersion[];
  readonly changes: readonly ResourceChange[];
  readonly topology: Topology;
  /** Nodes already read (traffic-graph.ts readGraphNodes). */
  readonly memo?: GraphMemo;
  readonly collect?: () => void;
  /** Whether a file the policy excludes may declare an object (graph/excluded-declarations.ts). */
  readonly excludedMayDeclare?: ((kind: string, name: string) => boolean) | undefined;
  /** Base key → head key of the resources read as renamed or moved with the same spec (detect/renamed-resources.ts). */
  readonly renamed?: ReadonlyMap<string, string>;
  /** Whether each tree applies a file (model/applied-files.ts); every file where absent. */
  readonly applied?: { readonly base: (file: string) => boolean; readonly head: (file: string) => boolean };
}

export interface GraphReview {
  readonly base: TrafficGraph;
  readonly head: TrafficGraph;
  readonly blastRadius: BlastRadius;
  readonly detections: readonly Detection[];
}

/** An issue is reported on the resource the PR changed when it involves one: that is the edit to fix. */
function toDetection(issue: GraphIssue, changed: ReadonlySet<string>): Detection {
  const subject = issue.subjects.find((s) => changed.has(s.key)) ?? issue.subjects[0]!;
  return {
    class: issue.class,
    summary: issue.summary,
    resource: subject.id,
    resourceKey: subject.key,
    side: "head",
    path: subject.path,
    before: null,
    after: issue.key,
  };
}

/**
 * The base's issues with renamed or moved resources under their head keys: the same object, its
 * spec as it was, still wrong is no new problem (two `echoserver` VirtualServices moved from
 * `default` to `istio-ingress`, one never admitted by its Gateway's servers, read as newly broken).
 */
function underHeadKeys(issues: readonly GraphIssue[], renamed: ReadonlyMap<string, string> | undefined): readonly GraphIssue[] {
  if (renamed === undefined || renamed.size === 0) return issues;
  return issues.map((issue) => {
    let key = issue.key;
    // An issue's key holds the keys of its subjects between `|`s (reference-checks.ts).
    for (const subject of issue.subjects) {
      const to = renamed.get(subject.key);
      if (to !== undefined) key = key.split(`|${subject.key}|`).join(`|${to}|`);
    }
    return key === issue.key ? issue : { ...issue, key };
  });
}

export function reviewGraph(input: GraphReviewInput): GraphReview {
  const memo = input.memo ?? graphMemo();
  const base = buildTrafficGraph(input.base.manifests, input.base.model, input.base.placement, memo);
  // The base graph's building left its garbage (the tables its maps outgrew): collected before the
  // head's adds its own, where a one-shot process allows (review.ts ChangeInput.collect).
  input.collect?.();
  const head = buildTrafficGraph(input.head.manifests, input.head.model, input.head.placement, memo);
  const checkable = checkableIn([base, head], input.excludedMayDeclare);
  const definitionOf = (tree: TreeAnalysis) => (key: string) => {
    const resource = tree.manifests.resources.get(key);
    return resource && { spec: resource.body.spec, annotations: resource.annotations };
  };
  const placed = (tree: TreeAnalysis, applied: ((file: string) => boolean) | undefined) => ({
    sites: fileSites(tree.placement),
    applied: applied ?? (() => true),
    includedBy: tree.manifests.includedBy,
  });
  const before = checkReferences(base, checkable, definitionOf(input.base), placed(input.base, input.applied?.base));
  // The base's checks claimed every flow of the tree once more (conflicts, imports): their tables are garbage before the head's.
  input.collect?.();
  const after = checkReferences(head, checkable, definitionOf(input.head), placed(input.head, input.applied?.head), input.versions);
  const issues = compareIssues(underHeadKeys(before.issues, input.renamed), [...after.issues, ...parentsMovedAway(base, head)]);
  const changed = new Set(input.changes.map((change) => change.key));
  const blastRadius = blastRadiusOf({
    base: { ...input.base, graph: base },
    head: { ...input.head, graph: head },
    routeDiffs: input.routeDiffs,
    changes: input.changes,
    topology: input.topology,
    issues,
    unchecked: after.unchecked,
  });
  return { base, head, blastRadius, detections: issues.introduced.map((issue) => toDetection(issue, changed)) };
}
