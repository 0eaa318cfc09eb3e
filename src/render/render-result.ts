import type { SourceFile } from "../manifests/load-manifests.js";
import { firstChangedLine, textsOf, type TreeTexts } from "./render-plan.js";
import { originKey } from "./render-origins.js";
import type { ResourceId } from "../core/resource.js";
import type { FieldPath } from "../core/finding.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { kustomizeReading } from "./kustomize-tree.js";

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
   * kopiur ClusterRepository's duplicated key). Said, low. So is a release removed with its trusted
   * chart whose values ask for no traffic config (removedWithTrustedChart).
   */
  readonly trafficFree?: true;
  /**
   * The trust kinds (Family.trustKinds: PeerAuthentication, Certificate…) the PR's change to its
   * inputs may rewrite (unrendered-trust.ts): what it would weaken directly is critical, so is this.
   */
  readonly trust?: readonly string[];
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

/**
 * The first input the PR changed, in the root's order (RenderedRoot.inputs), at its first changed
 * line (the values key, the patch), else the origin; a root whose origin the PR deletes, that file:
 * the release removed, not a file changed beside it (flux2-kustomize-helm-example 242c5b1eb1's
 * ingress-nginx.yaml deleted, its release's finding put at cert-manager.yaml:33).
 */
export const changedSource = (
  root: { readonly origin: string; readonly inputs: readonly string[] },
  base: readonly SourceFile[],
  head: readonly SourceFile[],
): { file: string; line: number } => {
  const [baseText, headText] = [textsOf(base), textsOf(head)];
  return baseText.has(root.origin) && !headText.has(root.origin) ? { file: root.origin, line: 1 } : changedIn(root, baseText, headText);
};

function changedIn(
  root: { readonly origin: string; readonly inputs: readonly string[] },
  baseText: TreeTexts,
  headText: TreeTexts,
): { file: string; line: number } {
  const changed = root.inputs.find((input) => changedAtHead(input, baseText, headText));
  return changed ? { file: changed, line: firstChangedLine(baseText.get(changed), headText.get(changed)) } : { file: root.origin, line: 1 };
}

const changedAtHead = (input: string, baseText: TreeTexts, headText: TreeTexts): boolean =>
  baseText.get(input) !== headText.get(input) && headText.has(input);

/**
 * Where a finding on a rendered document points: of a resource kustomize read from a file of the
 * repository, the change that names the field the finding is about (the key its path ends in), in
 * that file, else in a kustomization or patch the PR changed; else the declaring file when the PR
 * changed it, else the first input the PR changed (see changedSource); undefined for other files.
 * An overlay's patch that rewrote a Rollout's `steps` in the PR that bumped the image in its base is
 * the patch, not the base's image line; another route's file changed beside it is never the place.
 */
export function sourceOfRendered(
  result: RenderResult | undefined,
  base: readonly SourceFile[],
  head: readonly SourceFile[],
): (
  file: string,
  resource?: ResourceId,
  side?: "base" | "head",
  field?: FieldPath,
) => { file: string; line: number; root: RenderedRoot } | undefined {
  const roots = new Map((result?.roots ?? []).map((root) => [root.output, root]));
  const [baseText, headText] = [textsOf(base), textsOf(head)];
  // What may rewrite a rendered resource besides the file declaring it: its kustomizations and their patches, either side's.
  let patches: ReadonlySet<string> | undefined;
  const rewrites = (input: string) =>
    isKustomizationFile(input) ||
    (patches ??= new Set([...kustomizeReading(base).patches.keys(), ...kustomizeReading(head).patches.keys()])).has(input);
  const changedInputs = new Map<RenderedRoot, readonly string[]>();
  const rewritingChanged = (root: RenderedRoot) => {
    let changed = changedInputs.get(root);
    if (!changed)
      changedInputs.set(root, (changed = root.inputs.filter((input) => rewrites(input) && changedAtHead(input, baseText, headText))));
    return changed;
  };
  return (file, resource, side = "head", field = []) => {
    const root = roots.get(file);
    if (!root) return undefined;
    const origins = result?.[side].origins ?? {};
    const origin =
      resource &&
      (origins[originKey(file, resource.kind, resource.namespace, resource.name)] ??
        origins[originKey(file, resource.kind, "", resource.name)]);
    const declared =
      origin !== undefined && baseText.get(origin) !== headText.get(origin) && (side === "base" ? baseText : headText).has(origin);
    const key = origin === undefined ? undefined : fieldKey(field);
    if (key !== undefined)
      for (const candidate of declared ? [origin, ...rewritingChanged(root)] : rewritingChanged(root)) {
        const line = lineNaming(baseText.get(candidate), headText.get(candidate), key);
        if (line !== undefined) return { file: candidate, line, root };
      }
    if (declared) return { file: origin, line: firstChangedLine(baseText.get(origin), headText.get(origin)), root };
    return { ...changedIn(root, baseText, headText), root };
  };
}

/** The key a field path ends in, where it says more than a top-level field (`spec` alone names nothing a change could be told by). */
const fieldKey = (field: FieldPath): string | undefined => {
  const keys = field.filter((step) => typeof step === "string");
  return keys.length < 2 ? undefined : keys[keys.length - 1];
};

/**
 * The line of a file's change that names a key (`steps:`, a JSON patch's `path: /spec/strategy/canary/steps`):
 * the first line the head has more often than the base that names it, or, where only lines the base
 * had name it, where the change starts; undefined where no changed line names it.
 */
function lineNaming(before: string | undefined, after: string | undefined, key: string): number | undefined {
  if (after === undefined) return undefined;
  const names = new RegExp(`(?:^|[^\\w-])${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:[^\\w-]|$)`);
  const counts = new Map<string, number>();
  for (const line of (before ?? "").split("\n")) counts.set(line, (counts.get(line) ?? 0) + 1);
  const lines = after.split("\n");
  for (const [index, line] of lines.entries()) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else if (names.test(line)) return index + 1;
  }
  return [...counts].some(([line, left]) => left > 0 && names.test(line)) ? firstChangedLine(before, after) : undefined;
}
