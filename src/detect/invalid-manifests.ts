import { resourceKey, type InvalidManifest } from "../core/resource.js";
import type { SourceFile } from "../core/source-file.js";
import { refusedWhole, sameYamlContent, splitYamlDocuments, type YamlChunk } from "../manifests/yaml-documents.js";
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
 * Whether an unreadable document of the head tree was so on the base branch already: the same
 * problem in the same document (its text, or what it says where it can be read: a file reformatted
 * around a document the schema refuses), in its file or in a file the PR moved (gone from the head).
 * Only a document the PR adds, edits or copies, or a problem it causes (a document defined twice),
 * gates: an image bump beside a long-broken Gateway, or a folder rename, is not blocked by it
 * (it is shown, not gating).
 */
export function alreadyInvalid(
  base: { readonly files: readonly SourceFile[]; readonly invalid: readonly InvalidManifest[] },
  headFiles: readonly SourceFile[],
): (item: InvalidManifest) => boolean {
  // A message may name file lines ("line 13, column 4"), which move when the PR edits above the document.
  const stable = (message: string) => message.replace(/\b(line|column) \d+/g, "$1 #");
  const problem = (item: InvalidManifest) => `${stable(item.message)}\0${item.resource ? resourceKey(item.resource) : ""}`;
  // Its text without the `---` that opens it and the blank lines that end it: the first document of a
  // file has none, and the same document merged below another does.
  // Its group's version left out too: resources pair across versions (a v1beta1 → v1 promotion of a
  // document the CRDs refuse is the same refusal, gateway-api's hack/invalid-examples).
  const documentOf = (text: string | undefined, line: number) =>
    text === undefined
      ? undefined
      : chunkAtLine(splitYamlDocuments(text), line)
          ?.text.replace(/^---[ \t]*(?:#[^\n]*)?\r?\n/, "")
          .replace(/^(apiVersion:[ \t]*["']?[^\s"'/]+)\/[^\s"'#]+/m, "$1")
          .trimEnd();
  // Worked out on the first question: most trees hold no unreadable document.
  let index: ReturnType<typeof indexOf> | undefined;
  const indexOf = () => {
    const before = new Map(base.files.map((file) => [file.path, file.text]));
    const known = new Map<string, { file: string; document: string | undefined }[]>();
    for (const old of base.invalid)
      known.set(problem(old), [
        ...(known.get(problem(old)) ?? []),
        { file: old.file, document: documentOf(before.get(old.file), old.line) },
      ]);
    return { before, after: new Map(headFiles.map((file) => [file.path, file.text])), known };
  };
  return (item) => {
    const { before, after, known } = (index ??= indexOf());
    const is = after.get(item.file);
    if (is !== undefined && before.get(item.file) === is) return true;
    // A file refused whole (over the size bound) is the same refusal only as the same file: its first
    // document unchanged says nothing of the others the PR may have changed.
    if (refusedWhole(item.message)) return false;
    const document = documentOf(is, item.line);
    return (known.get(problem(item)) ?? []).some(
      (old) =>
        old.document !== undefined &&
        document !== undefined &&
        sameYamlContent(old.document, document) &&
        (old.file === item.file || !after.has(old.file)),
    );
  };
}

/** The document a file line belongs to: the last that starts at or before it. */
const chunkAtLine = (chunks: readonly YamlChunk[], line: number): YamlChunk | undefined => chunks.findLast((chunk) => chunk.line <= line);
