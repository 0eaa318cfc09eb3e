import { parsePolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import { analyzeChange, reviewChange, type ReviewInput, type SourceFile } from "../../src/review.js";

export { CORPUS, corpusFile, describeCorpus, hasCorpus } from "./corpus.js";

export const NOW = new Date("2026-11-22T00:00:00Z");

/** A policy: the defaults with a repository overlay written as YAML. */
export const policyWith = (overlay = ""): ReturnType<typeof parsePolicy> => resolvePolicy(overlay || undefined, "test policy").policy;

type Tree = Record<string, string>;
const files = (tree: Tree): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));

export const analyze = (base: Tree, head: Tree, overlay = "") =>
  analyzeChange({ base: files(base), head: files(head), policy: policyWith(overlay) });

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
