import { parsePolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import { analyzeChange, reviewChange, type ReviewInput, type SourceFile } from "../../src/review.js";
import { inRenderedOutput } from "../../src/core/rendered-paths.js";
import type { RenderResult } from "../../src/render/render-result.js";

export { CORPUS, corpusFile, describeCorpus, hasCorpus } from "./corpus.js";

export const NOW = new Date("2026-11-22T00:00:00Z");

/** A policy: the defaults with a repository overlay written as YAML. */
export const policyWith = (overlay = ""): ReturnType<typeof parsePolicy> => resolvePolicy(overlay || undefined, "test policy").policy;

type Tree = Record<string, string>;
const files = (tree: Tree): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));

/**
 * A file at a rendered-output path (`apps/prod/(rendered)/kustomization.yaml`) is handed over as the
 * render's output, as the adapters do: the review refuses such a path among the repository's files.
 */
const asRendered = (base: Tree, head: Tree): { rendered?: RenderResult } => {
  const side = (tree: Tree) => ({ files: files(tree).filter((file) => inRenderedOutput(file.path)), consumed: [] });
  const rendered = { roots: [], failures: [], base: side(base), head: side(head) };
  return rendered.base.files.length + rendered.head.files.length > 0 ? { rendered } : {};
};
const repository = (tree: Tree) => files(tree).filter((file) => !inRenderedOutput(file.path));

export const analyze = (base: Tree, head: Tree, overlay = "") =>
  analyzeChange({ base: repository(base), head: repository(head), policy: policyWith(overlay), ...asRendered(base, head) });

export const review = (base: Tree, head: Tree, extra: Partial<ReviewInput> & { overlay?: string } = {}) =>
  reviewChange({
    base: files(base),
    head: files(head),
    policy: policyWith(extra.overlay),
    policySource: "test",
    body: "",
    now: NOW,
    ...extra,
  });

/** Findings as `class` list, sorted: the shape most tests compare. */
export const classesOf = (result: { findings: readonly { class: string }[] }): string[] => result.findings.map((f) => f.class).sort();

/** Findings as `[class, risk, file]` rows, sorted: what a change across clusters' files is judged, file by file. */
export const findingRows = (result: { findings: readonly { class: string; risk: string; file: string }[] }): string[][] =>
  result.findings.map((finding) => [finding.class, finding.risk, finding.file]).sort((a, b) => a.join().localeCompare(b.join()));
