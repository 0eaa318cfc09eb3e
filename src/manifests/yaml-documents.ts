import * as jsyaml from "js-yaml";
import { indentFlowContinuations } from "./flow-indentation.js";
import { canonical } from "../core/canonical-values.js";
import { invalidByte } from "../core/source-file.js";

/**
 * Multi-document YAML, one document at a time: each document keeps the file line it starts on, and
 * one broken document never hides the others (a file that fails as a whole is parsed document by
 * document). Untrusted input is bounded (DESIGN §12): file size, aliases, nesting depth and the
 * node count aliases expand to.
 */

export interface YamlLimits {
  /** Larger files are not parsed: their documents' header lines alone say whether one is meant as traffic config. */
  readonly maxFileBytes: number;
  /**
   * Sources read files up to this, so that a file too large to parse is still scanned whole: a
   * route after the parse bound (a vendored bundle's CRDs first) would otherwise go unseen, and
   * two such files that differ only there would read alike. Larger files are refused unread.
   */
  readonly maxReadBytes: number;
  /** Alias nodes (`*ref`) per document. */
  readonly maxAliases: number;
  /** Collection nesting per document. */
  readonly maxDepth: number;
  /**
   * Nodes the documents of one file expand to, together, when every alias is followed: what later
   * stages would walk. Per file, not per document: forty documents each just under a per-document
   * cap are forty times the work.
   */
  readonly maxNodes: number;
}

/** What is left of a file's node budget, shared by its documents. */
export interface NodeBudget {
  remaining: number;
}

export const nodeBudget = (limits: YamlLimits = defaultYamlLimits): NodeBudget => ({ remaining: limits.maxNodes });

export const defaultYamlLimits: YamlLimits = {
  maxFileBytes: 2 * 1024 * 1024,
  maxReadBytes: 64 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  maxNodes: 200_000,
};

/** One document's own text, from its `---` marker (or directives) to its end. */
export interface YamlChunk {
  /** 1-based file line of the chunk's first line. */
  readonly line: number;
  /** Offset of the chunk in the file text without its documents' byte order marks (withoutBoms). */
  readonly offset: number;
  readonly text: string;
}

export type ParsedYaml =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly line: number; readonly message: string };

/**
 * Integers as Kubernetes reads them: sigs.k8s.io/yaml decodes with go-yaml v2, which drops every
 * `_` and reads the rest as Go's strconv.ParseInt(s, 0, 64) does. So a leading zero is octal
 * (`0100` is 64), and `0x`, `0o`, `0b` prefixes count; `08` is no integer (go-yaml reads it as the
 * float 8, as the core float tag does). js-yaml's YAML 1.1 schema differs (`0o100`, `08`, `1:20`).
 */
const GO_INTEGER = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$/;

// Load-only tags: nothing here dumps YAML.
const goIntTag = jsyaml.defineScalarTag<number>("tag:yaml.org,2002:int", {
  implicit: true,
  identify: () => false,
  implicitFirstChars: ["-", "+", ..."0123456789"],
  resolve: (source) => {
    const match = GO_INTEGER.exec(source.replaceAll("_", ""));
    if (!match) return jsyaml.NOT_RESOLVED;
    const [, sign, hex, octal, binary, leadingZero, decimal] = match;
    const [digits, radix] = hex
      ? [hex, 16]
      : octal
        ? [octal, 8]
        : binary
          ? [binary, 2]
          : leadingZero
            ? [leadingZero, 8]
            : [decimal ?? "0", 10];
    const magnitude = parseInt(digits, radix);
    return sign === "-" && magnitude !== 0 ? -magnitude : magnitude;
  },
});

const GO_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((word) => [word, true] as const),
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((word) => [word, false] as const),
]);

/** Booleans as go-yaml v2 reads them: YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n` too. */
const goBoolTag = jsyaml.defineScalarTag<boolean>("tag:yaml.org,2002:bool", {
  implicit: true,
  identify: () => false,
  implicitFirstChars: [...new Set([...GO_BOOLEANS.keys()].map((word) => word.charAt(0)))],
  resolve: (source) => GO_BOOLEANS.get(source) ?? jsyaml.NOT_RESOLVED,
});

// Kubernetes' YAML decoder (go-yaml v2) honours merge keys and its own integers and booleans.
const schema = jsyaml.CORE_SCHEMA.withTags(goBoolTag, goIntTag, jsyaml.mergeTag);

/** The resolvers of a plain scalar, in the order the schema tries them. */
const plainResolvers = [jsyaml.nullCoreTag, goBoolTag, goIntTag, jsyaml.floatCoreTag];

/**
 * The property name a plain mapping key becomes, as the parser builds it (`on:` is "true", `010:`
 * is "8"): what paths into a parsed document are made of.
 */
export function plainKeyName(source: string): string {
  for (const tag of plainResolvers) {
    const value: unknown = tag.resolve(source, false, tag.tagName);
    if (value !== jsyaml.NOT_RESOLVED) return String(value);
  }
  return source;
}

/** `---` and `...` at column 0 are always document markers (YAML 1.2 §9.1), even inside scalars. */
const MARKER = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;
const CONTENT_LINE = /^(?![ \t]*(?:#|\r?$)|\.\.\.(?:[ \t]|\r?$))/m;
const DIRECTIVE_OR_BLANK = /^(?:[ \t]*(?:#.*)?|%.*)\r?$/;

/** Whether a chunk holds anything but blank and comment lines (its own `---` counts as nothing). */
function hasContent(text: string): boolean {
  return CONTENT_LINE.test(text.replace(/^---[ \t]*(?:#[^\n]*)?/, ""));
}

/** `%YAML`/`%TAG` lines that belong to the document whose `---` follows them. */
const isDirectivesOnly = (text: string): boolean => /^%/m.test(text) && text.split("\n").every((line) => DIRECTIVE_OR_BLANK.test(line));

/** A byte order mark that opens a document: on the line after a `---`. */
const DOCUMENT_BOM = /^(---(?:[ \t][^\n]*)?\r?\n)\uFEFF/gm;

/**
 * The file text the chunks' offsets refer to: without the byte order mark that opens the file or a
 * document (the line after a `---`), which go-yaml skips at the start of its input, and kubectl,
 * kustomize and Argo CD hand it each document alone. Files saved with one and concatenated
 * (`cat a.yaml b.yaml`) left it before the second document's `apiVersion`, whose key it became: the
 * document was no resource, and an unchanged DestinationRule read as removed (probe E17, critical).
 * Anywhere else a BOM is text, as it is to them (a key `\uFEFFkind`). Line numbers are unchanged.
 */
export function withoutBoms(fileText: string): string {
  const text = fileText.charCodeAt(0) === 0xfeff ? fileText.slice(1) : fileText;
  return text.includes("\uFEFF") ? text.replace(DOCUMENT_BOM, "$1") : text;
}

export function splitYamlDocuments(fileText: string): YamlChunk[] {
  const text = withoutBoms(fileText);
  // A `---` starts a document on its own line; a `...` ends one, so the next starts after its line.
  const boundaries = [0];
  MARKER.lastIndex = 0;
  for (let match = MARKER.exec(text); match; match = MARKER.exec(text)) {
    boundaries.push(match[1] === "---" ? match.index : lineEnd(text, match.index));
  }
  boundaries.push(text.length);

  const chunks: YamlChunk[] = [];
  let line = 1;
  let counted = 0;
  let directives: YamlChunk | undefined;
  for (let i = 0; i + 1 < boundaries.length; i++) {
    const from = boundaries[i] ?? 0;
    const to = boundaries[i + 1] ?? text.length;
    for (let nl = text.indexOf("\n", counted); nl !== -1 && nl < from; nl = text.indexOf("\n", nl + 1)) line++;
    counted = from;
    if (to <= from) continue;
    const own = text.slice(from, to);
    const chunk = directives ? { ...directives, text: directives.text + own } : { line, offset: from, text: own };
    directives = undefined;
    if (isDirectivesOnly(chunk.text)) directives = chunk;
    else if (hasContent(chunk.text)) chunks.push(chunk);
  }
  return chunks;
}

function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * Size in UTF-8 bytes when it matters; the bound is a refusal, so only an exact count may refuse.
 * Sources read a huge file only up to one byte past the bound, so the message gives no size.
 */
export function oversize(text: string, limits: YamlLimits = defaultYamlLimits): string | undefined {
  if (text.length * 3 <= limits.maxFileBytes) return undefined;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= limits.maxFileBytes) return undefined;
  if (bytes > limits.maxReadBytes) return `file is over the ${limits.maxReadBytes}-byte bound for reading: refused`;
  return `file is over the ${limits.maxFileBytes}-byte bound for YAML: refused`;
}

/**
 * Why kustomize refuses a file whole though it may parse here, and with it Flux (which builds every
 * path with kustomize) and `kubectl apply -k`: bytes that are not UTF-8 (core/source-file.ts
 * manifestText keeps them), at the line of the first. `kubectl apply -f` and an Argo CD directory
 * source read them as U+FFFD; the file is refused for every tree alike.
 */
export function undecodable(text: string): { readonly line: number; readonly message: string } | undefined {
  const found = invalidByte(text);
  if (!found) return undefined;
  const byte = found.byte === undefined ? "" : `byte 0x${found.byte.toString(16).toUpperCase()} `;
  return { line: found.line, message: `file is not UTF-8 (${byte}on line ${found.line})` };
}

/** Whether oversize refused the file unread: nothing in it can be told. */
export const refusedUnread = (message: string): boolean => /^file is over the \d+-byte bound for reading: refused$/.test(message);

/** Whether a loader message is oversize's or undecodable's: the whole file refused, not one of its documents. */
export const refusedWhole = (message: string): boolean =>
  /^file is over the \d+-byte bound for YAML: refused$|^file is not UTF-8 \(/.test(message) || refusedUnread(message);

/**
 * Reads a document's text as go-yaml would: when js-yaml refuses an indentation that go-yaml does
 * not check (see flow-indentation.ts), the same text with those lines indented is read instead;
 * when that fails too, the first refusal stands. Only refused documents pay for the second read.
 */
export function readAsGoYaml<T>(text: string, read: (text: string) => T): T {
  try {
    return read(text);
  } catch (error) {
    if (!(error instanceof jsyaml.YAMLException) || error.reason !== "deficient indentation") throw error;
    const lenient = indentFlowContinuations(text);
    if (lenient === text) throw error;
    try {
      return read(lenient);
    } catch {
      throw error;
    }
  }
}

/**
 * Every document of a file as kubectl, kustomize and helm (go-yaml) read it: js-yaml's read of the
 * whole file, or, where js-yaml refuses an indentation go-yaml does not check (a wrapped CRD
 * description), each document read as readAsGoYaml does. Throws what js-yaml throws otherwise.
 */
export function loadAllAsGoYaml(text: string): unknown[] {
  try {
    return jsyaml.loadAll(withoutBoms(text));
  } catch (error) {
    if (!(error instanceof jsyaml.YAMLException) || error.reason !== "deficient indentation") throw error;
    return splitYamlDocuments(text).map((chunk) => readAsGoYaml(chunk.text, (document) => jsyaml.load(document)));
  }
}

/** One document as go-yaml reads it (readAsGoYaml). */
export const loadAsGoYaml = (text: string): unknown => readAsGoYaml(text, (document) => jsyaml.load(document));

/** What marks a key written again in a mapping while its duplicates are read (readingDuplicates): `⁂<n>⁂`. */
const DUPLICATE_MARK = /^\u2042\d+\u2042/;

/** How many duplicated keys a text may have before it is left unreadable: each one is a parse of the whole text. */
const MAX_DUPLICATES = 64;

/**
 * A text read as `read` reads it (loadAllAsGoYaml, loadAsGoYaml), but where a mapping writes a key
 * twice, which go-yaml refuses (the file fails whole: kustomize stops its build), that key's value
 * is `duplicated()`: which one its author meant is unknown, and only that key. Each later
 * duplicate is renamed with a mark where js-yaml places its refusal and the text read again, so a
 * reader can tell what else the document says (a patch whose `meshConfig` writes
 * `enablePrometheusMerge` twice writes no trust domain: flux2-kustomize-gitops-demo 0c808b93f7).
 * Throws what `read` throws for anything else.
 */
export function readingDuplicates(text: string, read: (text: string) => unknown, duplicated: () => unknown): unknown {
  let current = withoutBoms(text);
  for (let count = 0; ; count++) {
    try {
      return unmarked(read(current), duplicated);
    } catch (error) {
      const mark = error instanceof jsyaml.YAMLException ? error.mark : undefined;
      // Where the refusal is in another text than this one (a document read alone), its position says nothing here.
      if (
        error instanceof jsyaml.YAMLException &&
        error.reason === "duplicated mapping key" &&
        mark?.buffer === current &&
        count < MAX_DUPLICATES
      )
        current = `${current.slice(0, mark.position)}\u2042${count}\u2042${current.slice(mark.position)}`;
      else throw error;
    }
  }
}

/**
 * A value read with its duplicated keys marked: each such key's value `duplicated()`, its marked
 * copies gone. A marked key that names no key beside it was written in another form than the first
 * (`!!str trustDomain:`, `? trustDomain`): which key it repeats is not known here, so the text is
 * not read at all rather than read as its first value.
 */
function unmarked(value: unknown, duplicated: () => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => unmarked(item, duplicated));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  const twice = new Set(entries.flatMap(([key]) => (DUPLICATE_MARK.test(key) ? [key.replace(DUPLICATE_MARK, "")] : [])));
  for (const key of twice) if (!Object.hasOwn(value, key)) throw new Error(`a key is written twice in two forms (${key})`);
  return Object.fromEntries(
    entries
      .filter(([key]) => !DUPLICATE_MARK.test(key))
      .map(([key, item]) => [key, twice.has(key) ? duplicated() : unmarked(item, duplicated)]),
  );
}

const COMPLEX_KEY = "object-based map does not support complex keys";

/**
 * Where a document's first complex key is likely written: js-yaml places that error at the
 * document's start, while it is most often an unquoted placeholder read as a flow mapping whose key
 * is a mapping (an ApplicationSet's `repoURL: {{SYNC_REPO}}` on line 17 of gke-poc-toolkit-demos
 * 27f806c5a1, refused "at line 1, column 1"), else an explicit `? ` key.
 */
function complexKeyAt(text: string): { readonly line: number; readonly column: number } | undefined {
  const lines = text.split("\n");
  // A `{{` that opens a plain value or key, not one inside a quoted string (`name: '{{name}}-configs'`).
  for (const pattern of [/(?<=^\s*|[:?-]\s+|[[{,]\s*)\{\s*\{/, /(?<=^\s*)\?(?:\s|$)/]) {
    const line = lines.findIndex((written) => pattern.test(written.replace(/(?:^|\s)#.*$/, "")));
    if (line !== -1) return { line, column: lines[line]!.search(pattern) };
  }
  return undefined;
}

export function parseYamlDocument(
  chunk: YamlChunk,
  limits: YamlLimits = defaultYamlLimits,
  budget: NodeBudget = nodeBudget(limits),
): ParsedYaml {
  let value: unknown;
  try {
    value = readAsGoYaml(chunk.text, (text) => jsyaml.load(text, { schema, maxAliases: limits.maxAliases, maxDepth: limits.maxDepth }));
  } catch (error) {
    if (error instanceof jsyaml.YAMLException) {
      // An error found at the end of the input (an unclosed bracket) belongs to the chunk's last line.
      const lastLine = chunk.text.split("\n").length - (chunk.text.endsWith("\n") ? 2 : 1);
      const mark = (error.reason === COMPLEX_KEY && error.mark?.position === 0 && complexKeyAt(chunk.text)) || error.mark;
      const markLine = mark?.line ?? 0;
      const line = chunk.line + Math.min(markLine, lastLine);
      const column = mark && markLine <= lastLine ? `, column ${mark.column + 1}` : "";
      return { ok: false, line, message: `YAML: ${error.reason} (line ${line}${column})` };
    }
    return { ok: false, line: chunk.line, message: `YAML: ${error instanceof Error ? error.message : String(error)}` };
  }
  return boundedDocument(value, chunk, limits, budget);
}

/** One YAML document in a string (a ConfigMap's embedded document, Helm values in a string), with the loader's bounds (size, aliases, depth, nodes). */
export const readYamlText = (text: string): unknown => {
  if (oversize(text)) return undefined;
  const parsed = parseYamlDocument({ line: 1, offset: 0, text });
  return parsed.ok ? parsed.value : undefined;
};

function boundedDocument(value: unknown, chunk: YamlChunk, limits: YamlLimits, budget: NodeBudget): ParsedYaml {
  // Without an anchor there is no alias, so the node count is already bounded by the file size.
  if (chunk.text.includes("&") && !spend(value, budget)) {
    return {
      ok: false,
      line: chunk.line,
      message: `YAML: the file's documents expand to more than ${limits.maxNodes} nodes through their aliases (alias bomb?): refused`,
    };
  }
  return { ok: true, value };
}

/**
 * All documents of a file in one parser call, each matched to its chunk by where its content
 * starts; undefined when the file does not parse as a whole (then each chunk is parsed alone, so
 * the broken one is found and the others kept). A js-yaml call has a fixed cost that dominates
 * small documents, so a file whose documents all matter is cheaper read this way. A large file is
 * read a run of documents at a time: a parser call holds every event of its text until its
 * documents are built, and the events of a whole rendered file outlive several young-generation
 * collections, each of which copies them.
 */
export function parseYamlStream(
  fileText: string,
  chunks: readonly YamlChunk[],
  limits: YamlLimits = defaultYamlLimits,
  budget: NodeBudget = nodeBudget(limits),
): ParsedYaml[] | undefined {
  const text = withoutBoms(fileText);
  // Spent only if the stream is used: otherwise each chunk is parsed, and counted, again.
  const spending = { remaining: budget.remaining };
  const results: ParsedYaml[] = [];
  for (let first = 0; first < chunks.length;) {
    let last = first + 1;
    while (last < chunks.length && chunks[last]!.offset + chunks[last]!.text.length - chunks[first]!.offset <= STREAM_RUN_CHARS) last++;
    const run = parseRun(text, chunks.slice(first, last), limits, spending);
    if (!run) return undefined;
    results.push(...run);
    first = last;
  }
  budget.remaining = spending.remaining;
  return results;
}

/** Characters of YAML one parser call reads at most, unless one document is longer. */
const STREAM_RUN_CHARS = 64 * 1024;

/** The documents of consecutive chunks, read in one parser call over their stretch of the file. */
function parseRun(text: string, chunks: readonly YamlChunk[], limits: YamlLimits, spending: NodeBudget): ParsedYaml[] | undefined {
  const start = chunks[0]!.offset;
  const last = chunks[chunks.length - 1]!;
  // A stretch that is the whole text is the text itself (slice returns it): no copy for a small file.
  const stretch = text.slice(start, last.offset + last.text.length);
  let documents: unknown[];
  let events: jsyaml.Event[];
  try {
    events = jsyaml.parseEvents(stretch, { maxDepth: limits.maxDepth });
    documents = jsyaml.constructFromEvents(events, { source: stretch, schema, maxAliases: limits.maxAliases });
  } catch {
    return undefined;
  }
  const results: (ParsedYaml | undefined)[] = chunks.map(() => undefined);
  let document = -1;
  let placed = true;
  // Indexed: a large tree has millions of events, and an iterator's result objects add up.
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    if (event.type === DOCUMENT) {
      document++;
      placed = false;
      continue;
    }
    if (placed) continue;
    const at = eventStart(event);
    if (at < 0) continue;
    placed = true;
    const chunk = chunkAt(chunks, start + at);
    if (!chunks[chunk] || results[chunk]) return undefined;
    results[chunk] = boundedDocument(documents[document], chunks[chunk]!, limits, spending);
  }
  // Chunks without a node (`--- # nothing`) hold no document.
  return results.map((result) => result ?? { ok: true, value: null });
}

const { DOCUMENT, POP, SCALAR } = jsyaml.EVENT_ID;

/** Where a node starts; -1 for events that are not nodes and for the empty node of an empty document. */
function eventStart(event: jsyaml.Event): number {
  if (event.type === DOCUMENT || event.type === POP) return -1;
  if (event.type === SCALAR && event.valueStart === event.valueEnd && event.anchorStart < 0 && event.tagStart < 0) return -1;
  const own = "valueStart" in event ? event.valueStart : "start" in event ? event.start : -1;
  return earliest(earliest(own, event.anchorStart), "tagStart" in event ? event.tagStart : -1);
}

/** The smaller of two offsets where -1 means absent. */
const earliest = (a: number, b: number): number => (a < 0 ? b : b < 0 ? a : Math.min(a, b));

function chunkAt(chunks: readonly YamlChunk[], offset: number): number {
  let low = 0;
  let high = chunks.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((chunks[mid]?.offset ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Counts nodes as later stages would see them (a shared, aliased node counts at every use) against
 * the budget; false, with the budget spent, as soon as it runs out. A refused document stays spent:
 * the budget bounds work done, and the work was done.
 */
function spend(root: unknown, budget: NodeBudget): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (--budget.remaining < 0) {
      budget.remaining = 0;
      return false;
    }
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
    } else if (node !== null && typeof node === "object") {
      for (const key in node) stack.push((node as Record<string, unknown>)[key]);
    }
  }
  return true;
}

/**
 * What a YAML text says, as one canonical string of its documents' values: comments, layout, key
 * order and quoting do not show. Undefined when it cannot be read within the loader's bounds.
 */
function yamlContent(text: string): string | undefined {
  if (oversize(text) || undecodable(text)) return undefined;
  const budget = nodeBudget();
  const values: unknown[] = [];
  for (const chunk of splitYamlDocuments(text)) {
    const parsed = parseYamlDocument(chunk, defaultYamlLimits, budget);
    if (!parsed.ok) return undefined;
    values.push(parsed.value);
  }
  return canonical(values);
}

/** Whether two YAML texts say the same; an unreadable one says something of its own. */
export function sameYamlContent(a: string, b: string): boolean {
  if (a === b) return true;
  const content = yamlContent(a);
  return content !== undefined && content === yamlContent(b);
}
