import { decide, type BreakGlass, type GovernanceResult, type Hold } from "./decision.js";
import type { ApprovalInput, AuthorshipGaps } from "./approvals.js";
import type { EvidenceCommand } from "./evidence.js";
import type { Policy } from "../policy/policy-schema.js";
import type { DocumentSource, InvalidManifest, SkippedFile } from "../core/resource.js";
import type { Finding } from "../core/finding.js";
import type { RouteDiff } from "../diff/route-diff.js";
import type { BlastRadius } from "../graph/blast-radius.js";

/**
 * The governance side of a review: an analysis outcome and the PR's facts in, the decision out.
 * Apart from review.ts so that what runs beside the analysis (the App's worker, whose analysis
 * runs in a thread of its own) does not load the analysis engine it never calls.
 */

/**
 * What changed and how risky it is: what governance and the reports keep of an analysis. The
 * trees, models and graphs stay behind (in the analysis thread, when there is one: they are most
 * of its memory, and copying them out would cost more than the analysis); of the documents, those
 * the route diff points at.
 */
export interface AnalysisOutcome {
  readonly findings: readonly Finding[];
  readonly routeDiffs: readonly RouteDiff[];
  /** Traffic documents of the head tree that could not be read, which the PR adds or changes (detect/invalid-manifests.ts): they block the decision. */
  readonly invalid: readonly InvalidManifest[];
  /**
   * Unreadable documents the PR leaves as they are on the base branch: shown, not gating (an
   * unrelated PR is not blocked by a chart template that was always there, nor an edit beside it).
   */
  readonly existingInvalid: readonly InvalidManifest[];
  /** Files the PR adds or changes that name traffic config but hold none (a workflow, a CRD, a chart template): not reviewed, not gating. */
  readonly skipped: readonly SkippedFile[];
  /** YAML files the PR adds, changes or deletes that the policy's `paths` leave out, and how many the head tree leaves out in all. */
  readonly excluded: { readonly changed: readonly string[]; readonly total: number };
  readonly blastRadius: BlastRadius;
  /**
   * What the render step did: the roots reviewed as rendered, and why it was skipped if it was.
   * `failed`: roots that could not be rendered and block; `unrendered`: charts nothing in the tree
   * installs that could not be rendered (listed, not blocking); `trusted`: roots changed only in
   * the versions of sources the policy's `render.trusted` names (not rendered, not blocking);
   * `withoutRemote`: rendered roots whose remote resources, which the PR leaves alone, were left out.
   */
  readonly render: {
    readonly rendered: readonly string[];
    readonly failed: readonly string[];
    readonly unrendered: readonly string[];
    readonly trusted: readonly string[];
    readonly withoutRemote: readonly string[];
    readonly skipped?: string;
  };
  /** By resource key, the documents of the route diff's flows on each side: reports find their lines there. */
  readonly routeSources: { readonly base: ReadonlyMap<string, DocumentSource>; readonly head: ReadonlyMap<string, DocumentSource> };
}

/** Everything a review needs beyond the two trees: the PR's words and people (DESIGN §9–§10). */
export interface ReviewFacts {
  readonly policy: Policy;
  readonly policySource: string;
  /** The PR description (its `## Change evidence` section is evidence). */
  readonly body: string;
  readonly now: Date;
  readonly prAuthor?: string;
  readonly bodyAt?: string;
  readonly commitAuthors?: readonly string[];
  /** Commits whose authors could not be named: approvals then do not count (governance/approvals.ts). */
  readonly authorship?: AuthorshipGaps;
  readonly evidenceCommands?: readonly EvidenceCommand[];
  readonly approvals?: readonly ApprovalInput[];
  readonly holds?: readonly Hold[];
  readonly breakGlass?: BreakGlass;
  /** The PR was merged (only a break-glass's follow-up is then judged). */
  readonly merged?: boolean;
  /** When the head last moved: approvals before it are stale unless `invalidateOnSemanticChangeOnly`. */
  readonly lastPushAt?: string;
  /** The branch the PR targets now: approvals given for another are stale. */
  readonly baseRef?: string;
}

export interface ReviewResult {
  readonly risk: GovernanceResult["risk"];
  readonly decision: GovernanceResult["decision"];
  readonly policySource: string;
  readonly analysis: AnalysisOutcome;
  readonly governance: GovernanceResult;
}

/** The governance of a change already analysed (the App analyses in a thread of its own, once per evaluation). */
export function reviewAnalysis(analysis: AnalysisOutcome, input: ReviewFacts): ReviewResult {
  const author = input.prAuthor ?? "author";
  const governance = decide({
    findings: analysis.findings,
    policy: input.policy,
    evidenceSources: {
      ...(input.body ? { body: { text: input.body, at: input.bodyAt ?? input.now.toISOString(), author } } : {}),
      commands: input.evidenceCommands ?? [],
    },
    approvals: input.approvals ?? [],
    holds: input.holds ?? [],
    ...(input.breakGlass ? { breakGlass: input.breakGlass } : {}),
    prAuthor: author,
    commitAuthors: input.commitAuthors ?? [],
    ...(input.authorship ? { authorship: input.authorship } : {}),
    ...(input.merged ? { merged: true } : {}),
    ...(input.lastPushAt ? { lastPushAt: input.lastPushAt } : {}),
    ...(input.baseRef ? { baseRef: input.baseRef } : {}),
    now: input.now,
  });
  return { risk: governance.risk, decision: governance.decision, policySource: input.policySource, analysis, governance };
}
