import * as jsyaml from "js-yaml";
import type { FieldPath } from "../core/finding.js";
import type { DocumentSource } from "../core/resource.js";
import { defaultYamlLimits, plainKeyName, readAsGoYaml } from "./yaml-documents.js";

/**
 * File lines of fields, found only when a finding needs one: the hot path parses without
 * positions, and this re-reads one document's events (source offsets) on demand.
 */

interface Located {
  /** Offset of the node itself in the document text. */
  readonly offset: number;
  /** Mapping entries by key, each with the offset of its key. */
  readonly entries?: ReadonlyMap<string, { readonly keyOffset: number; readonly value: Located }>;
  readonly items?: readonly Located[];
}

interface DocumentIndex {
  readonly lineStarts: readonly number[];
  readonly root: Located | undefined;
}

const { SCALAR, ALIAS, MAPPING, SEQUENCE, POP } = jsyaml.EVENT_ID;
const BLOCK_STYLES: ReadonlySet<number> = new Set([jsyaml.SCALAR_STYLE.LITERAL_BLOCK, jsyaml.SCALAR_STYLE.FOLDED_BLOCK]);

const indexes = new WeakMap<DocumentSource, DocumentIndex>();

/**
 * The 1-based file line of the field at `path`: the key's line for a mapping entry, the item's line
 * for a sequence item. When the path does not exist fully, the line of its deepest existing ancestor.
 */
export function lineOf(source: DocumentSource, path: FieldPath): number {
  let index = indexes.get(source);
  if (!index) {
    index = indexDocument(source.text);
    indexes.set(source, index);
  }
  if (!index.root) return source.line;
  let node: Located = index.root;
  let offset = node.offset;
  for (const step of source.within ? [...source.within, ...path] : path) {
    const entry = node.entries?.get(String(step));
    const item = typeof step === "number" ? node.items?.[step] : undefined;
    if (entry) {
      offset = entry.keyOffset;
      node = entry.value;
    } else if (item) {
      offset = item.offset;
      node = item;
    } else {
      break;
    }
  }
  return source.line + lineIndex(index.lineStarts, offset);
}

function indexDocument(documentText: string): DocumentIndex {
  let text = documentText;
  let events: jsyaml.Event[] | undefined;
  try {
    // Offsets index the text that parsed: a re-indented one keeps every line where it was.
    [text, events] = readAsGoYaml(
      documentText,
      (read) => [read, jsyaml.parseEvents(read, { maxDepth: defaultYamlLimits.maxDepth })] as const,
    );
  } catch {
    events = undefined;
  }
  const lineStarts = [0];
  for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) lineStarts.push(nl + 1);
  if (!events) return { lineStarts, root: undefined };
  // events[0] opens the document; its content node, if any, follows.
  const first = events[1];
  if (!first || first.type === POP || isEmptyScalar(first)) return { lineStarts, root: undefined };
  return { lineStarts, root: readNode(text, events, 1)[0] };
}

/** The null node of a document (or value) with no content at all. */
const isEmptyScalar = (event: jsyaml.Event): boolean =>
  event.type === SCALAR && event.valueStart === event.valueEnd && event.anchorStart < 0 && event.tagStart < 0;

/** The node starting at events[at], and the index just after it. */
function readNode(text: string, events: readonly jsyaml.Event[], at: number): [Located, number] {
  const event = events[at];
  if (!event) return [{ offset: 0 }, at + 1];
  switch (event.type) {
    case SCALAR:
      return [{ offset: scalarOffset(text, event) }, at + 1];
    case ALIAS:
      return [{ offset: event.anchorStart }, at + 1];
    case MAPPING: {
      const entries = new Map<string, { keyOffset: number; value: Located }>();
      let next = at + 1;
      while (events[next] && events[next]?.type !== POP) {
        const keyEvent = events[next];
        const [keyNode, afterKey] = readNode(text, events, next);
        const [value, afterValue] = readNode(text, events, afterKey);
        if (keyEvent?.type === SCALAR) {
          const key = keyName(text, keyEvent);
          if (!entries.has(key)) entries.set(key, { keyOffset: keyNode.offset, value });
        }
        next = afterValue;
      }
      return [{ offset: startOf(event.start, event), entries }, next + 1];
    }
    case SEQUENCE: {
      const items: Located[] = [];
      let next = at + 1;
      while (events[next] && events[next]?.type !== POP) {
        const [item, after] = readNode(text, events, next);
        items.push(item);
        next = after;
      }
      return [{ offset: startOf(event.start, event), items }, next + 1];
    }
    default:
      return [{ offset: 0 }, at + 1];
  }
}

/** A key as the parsed document names it: an untagged plain key resolves (`on:` is "true", `010:` is "8"). */
function keyName(text: string, event: jsyaml.ScalarEvent): string {
  const value = jsyaml.getScalarValue(text, event);
  return event.style === jsyaml.SCALAR_STYLE.PLAIN && event.tagStart < 0 ? plainKeyName(value) : value;
}

/** A tag or anchor written before the node is where the node starts on the page. */
function startOf(start: number, props: { readonly anchorStart: number; readonly tagStart: number }): number {
  return Math.min(...[start, props.anchorStart, props.tagStart].filter((offset) => offset >= 0));
}

/**
 * A block scalar's value starts on the line after its `|`/`>` header, but the header's line is the
 * one a reader looks for. Only the header and blank lines precede the value, so the last indicator
 * before it is on the header line.
 */
function scalarOffset(text: string, event: jsyaml.ScalarEvent): number {
  if (!BLOCK_STYLES.has(event.style)) return startOf(event.valueStart, event);
  const header = Math.max(text.lastIndexOf("|", event.valueStart - 1), text.lastIndexOf(">", event.valueStart - 1));
  return startOf(header >= 0 ? header : event.valueStart, event);
}

function lineIndex(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}
