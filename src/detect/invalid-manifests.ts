import { resourceKey, type InvalidManifest } from "../core/resource.js";
import type { SourceFile } from "../core/source-file.js";
import { splitYamlDocuments, type YamlChunk } from "../manifests/yaml-documents.js";
import type { Detection, Finding } from "../core/finding.js";
import type { Policy } from "../policy/policy-schema.js";
import { toFinding } from "./to-finding.js";

/**
 * manifest.invalid: a traffic document of the head tree that cannot be read. Its risk comes from
 * the policy like every other finding's, never below high (what it would change is unknown), and
 * it blocks whatever that risk (BLOCKING_CLASSES). Its fingerprint is its place: nothing was read
 * to bind an approval to.
 */
export function invalidManifestFinding(item: InvalidManifest, policy: Policy): Finding {
  const detection: Detection = {
    class: "manifest.invalid",
    summary: item.message,
    resource: item.resource ?? { group: "", kind: "File", namespace: "", name: item.file },
    side: "head",
    path: [],
    riskFloor: "high",
  };
  return {
    ...toFinding(detection, undefined, policy, { clusters: [], regions: [] }),
    file: item.file,
    line: item.line,
    fingerprint: `invalid:${item.file}:${item.line}`,
  };
}

/**
 * Whether an unreadable document of the head tree was so on the base branch already: its file had
 * the same problem there, and the document that holds it is there as it is. Only a document the PR
 * adds or edits, or a problem it causes (a document defined twice), gates: an image bump in a file
 * that has long held a broken Gateway is not blocked by that Gateway (it is shown, not gating).
 */
export function alreadyInvalid(
  base: { readonly files: readonly SourceFile[]; readonly invalid: readonly InvalidManifest[] },
  headFiles: readonly SourceFile[],
): (item: InvalidManifest) => boolean {
  // A message may name file lines ("line 13, column 4"), which move when the PR edits above the document.
  const stable = (message: string) => message.replace(/\b(line|column) \d+/g, "$1 #");
  const problem = (item: InvalidManifest) => `${item.file}\0${stable(item.message)}\0${item.resource ? resourceKey(item.resource) : ""}`;
  const known = new Set(base.invalid.map(problem));
  const before = new Map(base.files.map((file) => [file.path, file.text]));
  const after = new Map(headFiles.map((file) => [file.path, file.text]));
  return (item) => {
    const was = before.get(item.file);
    const is = after.get(item.file);
    if (was === undefined || is === undefined) return false;
    if (was === is) return true;
    if (!known.has(problem(item))) return false;
    const document = chunkAtLine(splitYamlDocuments(is), item.line);
    return document !== undefined && splitYamlDocuments(was).some((chunk) => chunk.text === document.text);
  };
}

/** The document a file line belongs to: the last that starts at or before it. */
const chunkAtLine = (chunks: readonly YamlChunk[], line: number): YamlChunk | undefined => chunks.findLast((chunk) => chunk.line <= line);
