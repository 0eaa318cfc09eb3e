import type { SourceFile } from "../manifests/load-manifests.js";
import { firstChangedLine, textsOf, type TreeTexts } from "./render-plan.js";
import { originKey } from "./render-origins.js";
import type { ResourceId } from "../core/resource.js";

/**
 * What the render step hands the pure review: rendered documents as extra files per side, the raw
 * files they replace, and the roots that could not be rendered. Plain data, so `analyzeChange`
 * stays pure; the adapters (CLI, App) run the tools before.
 */
export interface RenderedRoot {
  readonly id: string;
  readonly origin: string;
  /** The virtual file holding the rendered documents (the same path on both sides). */
  readonly output: string;
  /** The files it reads, what decides its render first (render-plan.ts decisiveFirst): a finding points at the first the PR changed. */
  readonly inputs: readonly string[];
  /**
   * Set when nothing in the tree deploys the root (a chart the repository develops): it is
   * rendered with the chart's own default values, so a document they leave invalid is listed as
   * not reviewable, never gating (RenderFailure.gates says the same of a root that fails).
   */
  readonly undeployed?: true;
  /** Rendered without its remote resources, which the PR leaves as they are (RenderRoot.remoteResourcesOnly). */
  readonly withoutRemote?: true;
}

export interface RenderedSide {
  /** One virtual file per rendered root. */
  readonly files: readonly SourceFile[];
  /** Raw files replaced by rendered output: not reviewed as written. */
  readonly consumed: readonly string[];
  /** The repository file kustomize read each rendered resource from, by originKey (render-origins.ts). */
  readonly origins?: Readonly<Record<string, string>>;
}

export interface RenderFailure {
  readonly id: string;
  readonly origin: string;
  /** As RenderedRoot's. */
  readonly inputs: readonly string[];
  /** What could not be rendered and why, for the finding. */
  readonly reason: string;
  /** Whether it blocks: a root something deploys; a chart nothing installs is only listed, unless the PR changes traffic config its actions write (templatedTrafficChanged). */
  readonly gates: boolean;
  /**
   * A root that reads a file the PR breaks but applies no traffic config at either side, nor does
   * the Flux build it is part of: its build stops, no route's (rafaribe/home-ops 59bb3b0d43, a
   * kopiur ClusterRepository's duplicated key). Said, low.
   */
  readonly trafficFree?: true;
}

export interface RenderResult {
  readonly roots: readonly RenderedRoot[];
  readonly base: RenderedSide;
  readonly head: RenderedSide;
  readonly failures: readonly RenderFailure[];
  /** Roots the PR changes only in the versions of sources the policy trusts (`render.trusted`): not rendered, their files read as written. */
  readonly trusted?: readonly string[];
  /**
   * Roots whose installer the PR edits (an Argo CD Application, a HelmRelease's file) but not what
   * they render, as the render stage judged them (a known chart's workload values, a comment): not
   * rendered, and nothing left for a detector to judge of their render inputs.
   */
  readonly alike?: readonly string[];
  /** Why nothing was rendered (turned off, tools unavailable); undefined when rendering ran. */
  readonly skipped?: string;
}

/** A tree as the review reads it: raw files minus the consumed ones, plus the rendered ones. */
export function renderedTree(files: readonly SourceFile[], side: RenderedSide | undefined): readonly SourceFile[] {
  if (!side) return files;
  const consumed = new Set(side.consumed);
  return [...files.filter((file) => !consumed.has(file.path)), ...side.files];
}

/** The first input the PR changed, in the root's order (RenderedRoot.inputs), at its first changed line (the values key, the patch), else the origin. */
export const changedSource = (
  root: { readonly origin: string; readonly inputs: readonly string[] },
  base: readonly SourceFile[],
  head: readonly SourceFile[],
): { file: string; line: number } => changedIn(root, textsOf(base), textsOf(head));

function changedIn(
  root: { readonly origin: string; readonly inputs: readonly string[] },
  baseText: TreeTexts,
  headText: TreeTexts,
): { file: string; line: number } {
  const changed = root.inputs.find((input) => baseText.get(input) !== headText.get(input) && headText.has(input));
  return changed ? { file: changed, line: firstChangedLine(baseText.get(changed), headText.get(changed)) } : { file: root.origin, line: 1 };
}

/**
 * Where a finding on a rendered document points: the file that declares its resource when the PR
 * changed it, else the first input the PR changed (see changedSource); undefined for other files.
 */
export function sourceOfRendered(
  result: RenderResult | undefined,
  base: readonly SourceFile[],
  head: readonly SourceFile[],
): (file: string, resource?: ResourceId, side?: "base" | "head") => { file: string; line: number; root: RenderedRoot } | undefined {
  const roots = new Map((result?.roots ?? []).map((root) => [root.output, root]));
  const [baseText, headText] = [textsOf(base), textsOf(head)];
  return (file, resource, side = "head") => {
    const root = roots.get(file);
    if (!root) return undefined;
    const origins = result?.[side].origins ?? {};
    const origin =
      resource &&
      (origins[originKey(file, resource.kind, resource.namespace, resource.name)] ??
        origins[originKey(file, resource.kind, "", resource.name)]);
    if (origin !== undefined && baseText.get(origin) !== headText.get(origin) && (side === "base" ? baseText : headText).has(origin))
      return { file: origin, line: firstChangedLine(baseText.get(origin), headText.get(origin)), root };
    return { ...changedIn(root, baseText, headText), root };
  };
}
