import { readDocuments, type DocumentRead } from "../manifests/load-manifests.js";
import { labelsOrNone } from "../core/resource.js";
import { shareStrings, type ShareString } from "../core/string-table.js";

/**
 * What the threads of read-ahead.ts share: the work list in shared memory, and documents in the
 * form they travel in. Kept apart from read-ahead.ts so a worker loads the parser, not the review.
 */

/** What a worker receives: the texts, where each starts, which are mesh values, and the shared counter. */
export interface ReadAheadWork {
  readonly bytes: SharedArrayBuffer;
  readonly offsets: Int32Array;
  readonly asValues: Uint8Array;
  readonly next: Int32Array;
}

/** A chunk's text is a slice of its file's text: it travels as its place, and the receiver slices its own copy. */
type Placed<T> = T extends { readonly chunk: infer C }
  ? Omit<T, "chunk"> & { readonly chunk: Omit<C, "text"> & { readonly length: number } }
  : T;
export type PlacedRead = Placed<DocumentRead>;

export const claim = (work: ReadAheadWork): number => Atomics.add(work.next, 0, 1);

const BATCH = 16;

/** The worker's side: parse the next file until none is left, posting documents in small batches. */
export function serveReadAhead(work: ReadAheadWork, post: (batch: [number, PlacedRead[]][]) => void): void {
  const count = work.asValues.length;
  // The copy to the review's thread gives every value a string of its own again: the review shares them there.
  const share = (text: string) => text;
  const bytes = Buffer.from(work.bytes);
  let batch: [number, PlacedRead[]][] = [];
  for (let index = claim(work); index < count; index = claim(work)) {
    const text = bytes.toString("utf8", work.offsets[index], work.offsets[index + 1]);
    batch.push([index, readDocuments(text, work.asValues[index] === 1, share).map(placed)]);
    if (batch.length === BATCH) {
      post(batch);
      batch = [];
    }
  }
  if (batch.length > 0) post(batch);
}

function placed(read: DocumentRead): PlacedRead {
  if (!("chunk" in read)) return read;
  const { text, ...place } = read.chunk;
  return { ...read, chunk: { ...place, length: text.length } } as PlacedRead;
}

/**
 * `body` is the file's text as splitYamlDocuments reads it (withoutBoms), where chunk offsets
 * count. The copy across threads gave every value a string of its own and made the empty labels of
 * a resource an empty record each: the values go through the review's string table, and the shared
 * empty records stand in again.
 */
export function withText(read: PlacedRead, body: string, share: ShareString): DocumentRead {
  if (!("chunk" in read)) return read;
  const { length, ...place } = read.chunk;
  const chunk = { ...place, text: body.slice(place.offset, place.offset + length) };
  if (read.type === "values") return { ...read, body: shareStrings(read.body, share), chunk };
  if (read.type === "chart-release") return { ...read, value: shareStrings(read.value, share), chunk };
  return {
    ...read,
    chunk,
    id: shareStrings(read.id, share),
    apiVersion: share(read.apiVersion),
    family: share(read.family),
    body: shareStrings(read.body, share),
    labels: labelsOrNone(shareStrings(read.labels, share)),
    annotations: labelsOrNone(shareStrings(read.annotations, share)),
  };
}
