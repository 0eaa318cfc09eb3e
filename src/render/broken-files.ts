import { parseYamlDocument, splitYamlDocuments, undecodable, type YamlChunk } from "../manifests/yaml-documents.js";
import { isYamlFile } from "../core/kustomization-files.js";
import type { TreeTexts } from "./render-plan.js";

export interface BrokenFile {
  /** The parser's message for its first unreadable document. */
  readonly why: string;
  /** What the finding says of it: `<path> no longer parses: <why>` (`does not parse` for a file the PR adds). */
  readonly said: string;
}

/**
 * The YAML files the PR breaks: a document of theirs no longer parses, or the file is no longer
 * UTF-8 (a Latin-1 comment). kustomize, and Flux's kustomize-controller and Argo CD after it,
 * refuse a file with one unreadable document whole, so the build that reads it stops (a note
 * appended after a HelmRelease, `---\nnote: see: runbook`, left the release readable and the PR
 * passed as no traffic change). A file already broken at base stopped its build before the PR.
 * Pure; only changed files are parsed.
 */
export function brokenFiles(baseText: TreeTexts, headText: TreeTexts): ReadonlyMap<string, BrokenFile> {
  const broken = new Map<string, BrokenFile>();
  for (const [path, after] of headText) {
    const before = baseText.get(path);
    if (before === after || !isYamlFile(path)) continue;
    // A document the base holds as it is parses as it did there: only those the PR writes are parsed
    // (a 2,000-file PR of one edited route a file would parse every document twice).
    const kept = new Set(before === undefined ? [] : splitYamlDocuments(before).map((chunk) => chunk.text));
    const found = refusal(
      after,
      splitYamlDocuments(after).filter((chunk) => !kept.has(chunk.text)),
    );
    if (found === undefined || (before !== undefined && refusal(before, splitYamlDocuments(before)) !== undefined)) continue;
    broken.set(path, { why: found, said: `${path} ${before === undefined ? "does not parse" : "no longer parses"}: ${found}` });
  }
  return broken;
}

/** Why kustomize refuses a text: bytes that are not UTF-8, or the first of these documents of it that does not parse. */
const refusal = (text: string, chunks: readonly YamlChunk[]): string | undefined =>
  undecodable(text)?.message ?? unparseableDocument(chunks);

/**
 * Why the first of a text's documents that does not parse fails. A Helm template's document
 * (`{{`) is helm's to read: it is no YAML until rendered.
 */
function unparseableDocument(chunks: readonly YamlChunk[]): string | undefined {
  for (const chunk of chunks) {
    if (chunk.text.includes("{{")) continue;
    const parsed = parseYamlDocument(chunk);
    if (!parsed.ok) return parsed.message;
  }
  return undefined;
}
