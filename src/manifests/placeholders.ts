import type { FieldPath } from "../core/finding.js";
import { equalData } from "../core/canonical-values.js";
import type { FieldPattern } from "../families/index.js";
import { lineOf } from "./field-line.js";
import { parseYamlDocument, type YamlChunk } from "./yaml-documents.js";

/**
 * `{{ }}` placeholders in a traffic document. A file committed unrendered (a chart template, an
 * envsubst or gomplate file) cannot be reviewed: a host, name, weight or backend that is a
 * placeholder says nothing of what the cluster gets. But a document that parses may hold `{{` as
 * another tool's data in strings the review never reads as traffic config: an Argo Rollout's pod
 * template (`env: [{name: LOG_FORMAT, value: '{{.Time}} {{.Level}}'}]`, Vault agent templates
 * `vault.hashicorp.com/agent-inject-template-*: | {{- with secret ... }}`), or a free-text
 * annotation (`docs: "see {{ wiki }} page"`). Refusing those hid the real weight change beside them.
 */

/** Offset of the first `{{` outside a comment at or after `from`, or -1. */
export function templateAt(text: string, from = 0): number {
  for (let at = text.indexOf("{{", from); at !== -1; at = text.indexOf("{{", at + 2)) {
    const lineStart = text.lastIndexOf("\n", at) + 1;
    if (!/(?:^|\s)#/.test(text.slice(lineStart, at))) return at;
  }
  return -1;
}

/**
 * What a `{{` is written as to tell where it sits: two characters YAML reads as text wherever they
 * stand (a `{` opens a flow mapping), of the same length, so that lines and offsets stay.
 */
const MARK = "\uE000\uE000";

const unmark = (text: string): string => text.replaceAll(MARK, "{{");

/** A string of the document (or a mapping key) holding a placeholder. */
interface Placeholder {
  /** As parsed, `{{` and all. */
  readonly path: FieldPath;
  readonly line: number;
}

/**
 * The strings (and keys) of a document that hold its placeholders, or undefined when one is YAML
 * syntax, not text within a string: `name: {{ .Values.name }}` parses as a flow mapping, and
 * `weight: {{ .Values.weight }}` as one whose schema may not object where a field is loosely typed.
 * Each `{{` is written as text and the document parsed again: it must read the same with the
 * placeholders back in their strings.
 */
function placeholdersOf(chunk: YamlChunk): readonly Placeholder[] | undefined {
  let marked = "";
  let from = 0;
  for (let at = templateAt(chunk.text); at !== -1; at = templateAt(chunk.text, from)) {
    marked += chunk.text.slice(from, at) + MARK;
    from = at + 2;
  }
  marked += chunk.text.slice(from);
  const markedChunk = { ...chunk, text: marked };
  const [written, read] = [parseYamlDocument(chunk), parseYamlDocument(markedChunk)];
  if (!written.ok || !read.ok || !equalData(written.value, unmarked(read.value))) return undefined;
  const found: Placeholder[] = [];
  const source = { file: "", line: chunk.line, text: marked };
  const visit = (node: unknown, path: readonly (string | number)[]): void => {
    const at = (steps: readonly (string | number)[]) =>
      found.push({ path: steps.map((step) => (typeof step === "string" ? unmark(step) : step)), line: lineOf(source, steps) });
    if (typeof node === "string") {
      if (node.includes(MARK)) at(path);
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...path, index]));
    } else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key.includes(MARK)) at([...path, key]);
        visit(value, [...path, key]);
      }
    }
  };
  visit(read.value, []);
  return found;
}

function unmarked(node: unknown): unknown {
  if (typeof node === "string") return unmark(node);
  if (Array.isArray(node)) return node.map(unmarked);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [unmark(key), unmarked(value)]));
}

/**
 * An annotation no family reads: its key has no prefix. Every annotation a family reads is a
 * controller's, under its domain (`cert-manager.io/cluster-issuer`, `external-dns.alpha.kubernetes.io/hostname`).
 */
const freeTextAnnotation = (path: FieldPath): boolean =>
  path.length === 3 &&
  path[0] === "metadata" &&
  path[1] === "annotations" &&
  typeof path[2] === "string" &&
  !path[2].includes("/") &&
  !path[2].includes("{{");

/** Whether a path lies within one of a kind's data fields; a `*` step takes any key or index that is no placeholder itself. */
const withinData = (path: FieldPath, fields: readonly FieldPattern[]): boolean =>
  fields.some(
    (pattern) =>
      pattern.length <= path.length && pattern.every((step, i) => (step === "*" ? !String(path[i]).includes("{{") : step === path[i])),
  );

/**
 * The line of the first placeholder of a document that the review would read (or of its first `{{`
 * when one is YAML syntax); undefined when every one is data: in the kind's `dataFields` or a
 * free-text annotation. `within`: the path of the object in its document (a List's item).
 */
export function readPlaceholderLine(chunk: YamlChunk, dataFields: readonly FieldPattern[], within: FieldPath = []): number | undefined {
  const placeholders = placeholdersOf(chunk);
  if (!placeholders) return chunk.line + lineCount(chunk.text, templateAt(chunk.text));
  const read = placeholders.find(({ path }) => {
    if (!within.every((step, i) => path[i] === step)) return false;
    const own = path.slice(within.length);
    return !freeTextAnnotation(own) && !withinData(own, dataFields);
  });
  return read?.line;
}

/** The newlines before `end`. */
export function lineCount(text: string, end: number): number {
  let lines = 0;
  for (let nl = text.indexOf("\n"); nl !== -1 && nl < end; nl = text.indexOf("\n", nl + 1)) lines++;
  return lines;
}
