import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CORPUS_ROOT } from "./corpus-root.js";
import { parsePolicy, resolvePolicy } from "../../src/policy/load-policy.js";
import { analyzeChange, reviewChange, type ReviewInput, type SourceFile } from "../../src/review.js";

/** Real public config (../shared/corpus): tests that read it skip where it is absent. */
export const CORPUS = CORPUS_ROOT;
export const hasCorpus = existsSync(CORPUS);
export const corpusFile = (path: string): string => readFileSync(resolve(CORPUS, path), "utf8");

export const NOW = new Date("2026-11-22T00:00:00Z");

/** A policy: the defaults with a repository overlay written as YAML. */
export const policyWith = (overlay = ""): ReturnType<typeof parsePolicy> => resolvePolicy(overlay || undefined, "test policy").policy;

type Tree = Record<string, string>;
const files = (tree: Tree): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));

export const analyze = (base: Tree, head: Tree, overlay = "") => analyzeChange({ base: files(base), head: files(head), policy: policyWith(overlay) });

export const review = (base: Tree, head: Tree, extra: Partial<ReviewInput> & { overlay?: string } = {}) =>
  reviewChange({ base: files(base), head: files(head), policy: policyWith(extra.overlay), policySource: "test", body: "", now: NOW, ...extra });

/** Findings as `class` list, sorted: the shape most tests compare. */
export const classesOf = (result: { findings: readonly { class: string }[] }): string[] => result.findings.map((f) => f.class).sort();
