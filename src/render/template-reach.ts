import { posix } from "node:path";
import { ANY_SEGMENT } from "../core/trust-reach.js";
import type { FieldPath } from "../core/finding.js";
import { namedKinds } from "../core/named-kinds.js";

/**
 * What an edit of a chart's template writes, read without rendering: the documents its changed
 * lines sit in (their kinds) and where in each document (the keys above each line, by indentation),
 * so that a host edited in an Ingress's rules is not a rewrite of its `tls` (podinfo ec57c11356, a
 * `| quote` added, blocked as critical "may rewrite Ingress spec.tls"). A line that writes no key
 * reaches what it governs: a condition or loop, the lines of its block; a variable set, the lines
 * naming it; an action emitting text, all below where it lands (everything, at a document's top).
 */

/** One place a change writes: the kinds its document may be, and the path below which it writes. */
export interface TemplateWrite {
  readonly kinds: readonly string[];
  readonly path: FieldPath;
}

/** A line's actions (`{{ … }}`), and a pipe through `quote`/`squote`, which writes the same string YAML reads. */
const ACTION = /\{\{.*?\}\}/g;
const QUOTED = /\s*\|\s*s?quote\b(?=[^{}]*\}\})/g;
const INDENT_ACTION = /\bn?indent\s+(\d+)/;
const KEY = /^(\s*)((?:-\s+)*)("[^"]*"|'[^']*'|[^\s#'"{][^:#]*?|\{\{.*?\}\}[^:#]*?)\s*:(?:\s|$)/;
const ITEM = /^(\s*)-(?:\s|$)/;
const KIND_AT_TOP = /^kind\s*:/;

/** Lines as compared: without what YAML reads as nothing at a line's end, and with quoting pipes taken out. */
const normalized = (line: string): string => line.trimEnd().replace(QUOTED, "");

/**
 * The lines of each side that the other lacks, by index, as the longest common subsequence of
 * normalized lines leaves them; every line where the texts are too long to compare so.
 */
export function changedLineIndices(before: string, after: string): { readonly base: number[]; readonly head: number[] } {
  const [a, b] = [before.split("\n").map(normalized), after.split("\n").map(normalized)];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let [endA, endB] = [a.length, b.length];
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) [endA, endB] = [endA - 1, endB - 1];
  const [n, m] = [endA - start, endB - start];
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);
  if (n * m > 4_000_000) return { base: range(start, endA), head: range(start, endB) };
  // lengths[i][j]: the common subsequence of a[start+i..endA) and b[start+j..endB).
  const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lengths[i]![j] = a[start + i] === b[start + j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
  const base: number[] = [];
  const head: number[] = [];
  let [i, j] = [0, 0];
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) [i, j] = [i + 1, j + 1];
    else if (j < m && (i === n || lengths[i]![j + 1]! >= lengths[i + 1]![j]!)) head.push(start + j++);
    else base.push(start + i++);
  }
  return { base, head };
}

/** A key above a line: its indentation and segment; undefined where the key is itself an action (any key). */
interface Step {
  readonly indent: number;
  readonly segment: string | number | undefined;
}

/** Whether a path lies strictly below another. */
const inside = (path: FieldPath, parent: FieldPath): boolean =>
  path.length > parent.length && parent.every((segment, at) => path[at] === segment);

/** The path the steps spell, up to the first one that is not known. */
const pathOf = (steps: readonly Step[]): FieldPath => {
  const unknown = steps.findIndex((step) => step.segment === undefined);
  return (unknown === -1 ? steps : steps.slice(0, unknown)).map((step) => step.segment!);
};

/**
 * What one line of a template does: writes below a path (a key, a list item, text, an action that
 * emits, where its indent function puts what it emits), gates the lines of a block (`if`, `range`,
 * `with`, their `else` and `end`), or sets a variable the lines naming it read; `document` where
 * it may reach all its document writes (the separator, a variable set into a shared dict).
 */
type Place =
  | { readonly path: FieldPath; readonly parent?: true }
  | { readonly block: readonly [number, number] }
  | { readonly variable: string }
  | { readonly document: true };

/** What an action is, by its first word: an opener or closer of a block, an `else`, a variable set, a comment; else it emits. */
const ACTION_WORD = /^\{\{-?\s*(?:(if|with|range|define|block)\b|(end)\b|(else)\b|\$(\w*)\s*:?=|(\/\*))/;

/**
 * Where each line of a template writes (Place), by index, or undefined for a line that writes
 * nothing (blank, a comment); each line's document, by index, with the kinds each document names
 * at its top (`kind: Ingress`), or every kind the text names where its own is written by an action
 * or is a List.
 */
function placed(text: string): {
  readonly places: (Place | undefined)[];
  readonly documents: number[];
  readonly kinds: (readonly string[])[];
} {
  const lines = text.split("\n");
  const places: (Place | undefined)[] = [];
  const documents: number[] = [];
  const documentKinds: string[][] = [[]];
  /** The lines opening the blocks open so far, and each block line's block once it closes. */
  const open: number[] = [];
  const blocks = new Map<number, [number, number]>();
  let steps: Step[] = [];
  const above = (indent: number) => pathOf(steps.filter((step) => step.indent < indent));
  for (const [index, line] of lines.entries()) {
    documents.push(documentKinds.length - 1);
    const actions = line.match(ACTION) ?? [];
    const bare = line.replace(ACTION, "").trim();
    const indent = line.length - line.trimStart().length;
    // Blocks are matched across the whole text: a line's own opener and closer cancel out.
    let gating: number | undefined;
    let variable: string | undefined;
    let emits = false;
    for (const action of actions) {
      const [, opener, closer, otherwise, assigned, comment] = ACTION_WORD.exec(action) ?? [];
      if (opener !== undefined) open.push(index);
      else if (closer !== undefined) {
        const from = open.pop();
        if (from !== undefined) {
          blocks.set(from, [from, index]);
          if (from !== index) gating = from;
        }
      } else if (otherwise !== undefined) gating = open[open.length - 1] ?? gating;
      else if (assigned !== undefined) variable = assigned;
      else if (comment === undefined) emits = true;
    }
    if (open[open.length - 1] === index) gating = index;
    if (/^---/.test(line)) {
      places.push({ document: true });
      documentKinds.push([]);
      steps = [];
      continue;
    }
    if (line.trim() === "" || bare.startsWith("#") || (bare === "" && !emits && gating === undefined && variable === undefined)) {
      places.push(undefined);
      continue;
    }
    if (KIND_AT_TOP.test(line)) documentKinds[documentKinds.length - 1]!.push(...namedKinds(line));
    if (bare === "") {
      // An action alone on its line: what it emits lands where its indent function puts it, else at
      // its own indentation; `$_ := set …` writes into a dict any line may read.
      const emitted = Number(INDENT_ACTION.exec(line)?.[1] ?? indent);
      places.push(
        emits
          ? { path: above(emitted) }
          : gating !== undefined
            ? { block: [gating, gating] }
            : variable === "" || variable === "_"
              ? { document: true }
              : { variable: variable! },
      );
      continue;
    }
    const key = KEY.exec(line);
    const item = ITEM.exec(line);
    if (key === null && item === null) {
      places.push({ path: above(indent) });
      continue;
    }
    steps = steps.filter((step) => step.indent < indent);
    let at = indent;
    for (const dash of (key?.[2] ?? item![0]).match(/-\s*/g) ?? []) {
      steps.push({ indent: at, segment: ANY_SEGMENT });
      at += dash.length;
    }
    if (key !== null) {
      const written = key[3]!.replace(/^["']|["']$/g, "");
      steps.push({ indent: at, segment: written.includes("{{") ? undefined : written });
    }
    // A key or item whose value is the lines below it writes what they write (parents, below).
    const value = line
      .slice((key?.[0] ?? item![0]).length)
      .replace(/#.*$/, "")
      .trim();
    places.push({ path: pathOf(steps), ...(value === "" ? { parent: true as const } : {}) });
  }
  // A block line stands for its block as it closed (one never closed runs to the text's end); a
  // key with no line below it is a key written empty, which writes its own path.
  const closed = places.map((place, index): Place | undefined => {
    if (place === undefined) return place;
    if ("block" in place) return { block: blocks.get(place.block[0]) ?? ([place.block[0], lines.length - 1] as const) };
    if (!("path" in place) || !place.parent) return place;
    const next = places.slice(index + 1).find((later) => later !== undefined && "path" in later);
    return next !== undefined && "path" in next && inside(next.path, place.path) ? place : { path: place.path };
  });
  const everyKind = namedKinds(text);
  // A List's items are objects of their own kinds.
  const kinds = documents.map((document) => {
    const own = documentKinds[document]!;
    return own.length > 0 && !own.some((kind) => kind.endsWith("List")) ? own : everyKind;
  });
  return { places: closed, documents, kinds };
}

/**
 * Where the lines at these indices write, each with its document's kinds: a block line, where the
 * lines inside its block write; a variable set, where the lines naming it do (all its document
 * where one of those sets another); a separator or a dict set, all its document.
 */
function writesAt(text: string, indices: readonly number[]): TemplateWrite[] {
  const { places, documents, kinds } = placed(text);
  const lines = text.split("\n");
  // A parent's own line writes nothing its children do not: read alone, `spec:` would reach all of spec.
  const writing = (index: number): TemplateWrite[] => {
    const place = places[index];
    return place !== undefined && "path" in place && !place.parent ? [{ kinds: kinds[index]!, path: place.path }] : [];
  };
  /** The lines below a parent, to the first that writes outside it. */
  const children = (index: number, path: FieldPath): number[] => {
    const end = places.findIndex((place, later) => later > index && place !== undefined && "path" in place && !inside(place.path, path));
    return places.flatMap((_, later) => (later > index && (end === -1 || later < end) ? [later] : []));
  };
  // A separator joins or splits the documents on either side of it: all of both.
  const sameDocument = (of: number) => (index: number) =>
    documents[index] === documents[of] || (/^---/.test(lines[of]!) && documents[index] === documents[of]! + 1);
  const document = (of: number) => places.flatMap((_, index) => (sameDocument(of)(index) ? writing(index) : []));
  const resolved = (index: number, depth = 0): TemplateWrite[] => {
    const place = places[index];
    if (place === undefined) return [];
    if ("path" in place) return place.parent ? children(index, place.path).flatMap(writing) : writing(index);
    if ("block" in place)
      return places.flatMap((_, inside) => (inside >= place.block[0] && inside <= place.block[1] ? writing(inside) : []));
    if ("document" in place || depth > 0) return document(index);
    const named = new RegExp(`\\$${place.variable}\\b`);
    return lines.flatMap((line, user) => (user !== index && named.test(line) ? resolved(user, depth + 1) : []));
  };
  return distinct(indices.flatMap((index) => resolved(index)));
}

/** Writes without repeats: the same kinds at the same path once. */
const distinct = (writes: readonly TemplateWrite[]): TemplateWrite[] => [
  ...new Map(writes.map((write) => [`${write.kinds.join(",")}\0${write.path.join(".")}`, write])).values(),
];

/** Where a template's changed lines write, at either side: each line's document kinds and path. */
export function templateWrites(before: string | undefined, after: string | undefined): TemplateWrite[] {
  const changed = changedLineIndices(before ?? "", after ?? "");
  return distinct([
    ...(before === undefined ? [] : writesAt(before, changed.base)),
    ...(after === undefined ? [] : writesAt(after, changed.head)),
  ]);
}

/** Where the lines of a template that `test` picks write (writesAt). */
export function linesWhere(text: string, test: (line: string) => boolean): TemplateWrite[] {
  return writesAt(
    text,
    text.split("\n").flatMap((line, index) => (test(line) ? [index] : [])),
  );
}

/**
 * The named templates (`define`) a text holds, with their bodies: each to the `end` that closes it,
 * counting the blocks it opens (`if`, `range`, `with`), to the text's end where none does.
 */
export function definesIn(text: string): Map<string, string> {
  const defines = new Map<string, string>();
  const tokens = [...text.matchAll(/\{\{-?\s*(define\s+"([^"]+)"|if\b|range\b|with\b|block\b|end\b)[^}]*\}\}/g)];
  for (const [index, token] of tokens.entries()) {
    const name = token[2];
    if (name === undefined) continue;
    let [depth, close] = [0, text.length];
    for (const next of tokens.slice(index + 1)) {
      if (!/^end\b/.test(next[1]!)) depth++;
      else if (depth-- === 0) {
        close = next.index!;
        break;
      }
    }
    defines.set(name, text.slice(token.index! + token[0].length, close));
  }
  return defines;
}

/** The named templates a text uses (`include "x"`, `template "x"`). */
export const usedDefines = (text: string): string[] => [...text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((match) => match[1]!);

/**
 * Whether a template or helper reads one of these values paths: a `.Values.<a>.<b>` chain on the way
 * to one of them or below it (`.Values.ingress` for `ingress.tls.0.hosts`), or `.Values` whole
 * (`toYaml .Values`, `index .Values "a-b"`).
 */
export const readsValues = (text: string, paths: readonly FieldPath[]): boolean =>
  [...text.matchAll(/\.Values((?:\.\w+)*)/g)].some(([, chain]) => {
    const keys = chain!.split(".").slice(1);
    return paths.some((path) => keys.every((key, at) => at >= path.length || String(path[at]) === key));
  });

/** Whether a path is a chart's template or helper (under its `templates/`), by its chart folder. */
export const inTemplates = (chart: string, path: string): boolean => path.startsWith(posix.join(chart, "templates") + "/");
