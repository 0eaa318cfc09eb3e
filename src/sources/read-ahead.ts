import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { cacheReads, pendingReads, readDocuments, type ManifestCache, type PendingRead } from "../manifests/load-manifests.js";
import { claim, withText, type PlacedRead, type ReadAheadWork } from "./read-ahead-work.js";
import { loading, type ChangeInput } from "../review.js";
import { withoutBoms } from "../manifests/yaml-documents.js";

/**
 * Parsing is most of a large review's time and every file parses alone, so the files a review will
 * read are parsed ahead on the spare cores: this thread and worker threads take the next file from one
 * shared counter until none is left, and the documents land in the review's manifest cache, where
 * the pure review finds them. The texts reach the workers as UTF-8 in shared memory (not a copy per
 * thread), and the documents come back with each chunk's place in its file instead of its text.
 * Whatever a worker does not deliver (it failed to start, it crashed) is simply not in the cache:
 * the review parses it itself, so reading ahead can make a review faster, never different.
 */

export interface ReadAheadOptions {
  /** The worker entry (src/read-ahead-worker.ts as bundled): it calls serveReadAhead. */
  readonly workerUrl: URL;
  /** Below this many bytes to parse, starting a thread costs more than it saves. */
  readonly minBytes?: number;
  /** Worker threads to start; by default one a core beyond the two that the review and V8's own threads take. */
  readonly maxWorkers?: number;
  /** False leaves all parsing to the workers (so a test sees their documents arrive). */
  readonly parseHere?: boolean;
}

/** How many files were read ahead, and how many of them on worker threads. */
export interface ReadAheadStats {
  readonly files: number;
  readonly byWorkers: number;
}

const DEFAULT_MIN_BYTES = 2 * 1024 * 1024;

/**
 * A worker holds one file's documents at a time (each batch is posted as it is done): a small heap
 * keeps its garbage from adding to the process's peak. A file too big for it (within the loader's
 * own bounds) stops the worker, and the review parses that worker's files itself.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

/**
 * V8 marks, sweeps and compiles on background threads of the main isolate: on two cores a parsing
 * worker only competes with them (measured on the bench's fleets: no faster at 2,000 files, up to
 * a fifth slower at 500 on Node 22, and ~90 MB more at peak), so workers start from the third core.
 */
const defaultWorkers = (): number => Math.min(3, availableParallelism() - 2);

export async function readAhead(
  input: ChangeInput & { readonly cache: ManifestCache },
  options: ReadAheadOptions,
): Promise<ReadAheadStats> {
  const workers = options.maxWorkers ?? defaultWorkers();
  if (workers < 1) return { files: 0, byWorkers: 0 };
  const { baseFiles, headFiles, options: loadOptions } = loading(input, input.cache);
  // A string with a lone surrogate would not survive UTF-8: such a file is left to the review.
  const pending = pendingReads([baseFiles, headFiles], loadOptions).filter((read) => read.text.isWellFormed());
  const bytes = pending.reduce((sum, read) => sum + Buffer.byteLength(read.text, "utf8"), 0);
  if (bytes < (options.minBytes ?? DEFAULT_MIN_BYTES)) return { files: 0, byWorkers: 0 };

  const work = sharedWork(pending, bytes);
  let byWorkers = 0;
  const delivered = Array.from({ length: workers }, () =>
    startWorker(work, options, (index, reads) => {
      byWorkers++;
      const body = withoutBoms(pending[index]!.text);
      cacheReads(
        input.cache,
        pending[index]!,
        reads.map((read) => withText(read, body, input.cache.share)),
      );
    }),
  );
  for (let index = options.parseHere === false ? pending.length : claim(work); index < pending.length; index = claim(work)) {
    const read = pending[index]!;
    cacheReads(input.cache, read, readDocuments(read.text, read.asValues, input.cache.share));
  }
  await Promise.all(delivered);
  return { files: pending.length, byWorkers };
}

function sharedWork(pending: readonly PendingRead[], bytes: number): ReadAheadWork {
  const buffer = Buffer.from(new SharedArrayBuffer(bytes));
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (pending.length + 1)));
  const asValues = new Uint8Array(new SharedArrayBuffer(pending.length));
  let at = 0;
  pending.forEach((read, index) => {
    offsets[index] = at;
    asValues[index] = read.asValues ? 1 : 0;
    at += buffer.write(read.text, at, "utf8");
  });
  offsets[pending.length] = at;
  return { bytes: buffer.buffer as SharedArrayBuffer, offsets, asValues, next: new Int32Array(new SharedArrayBuffer(4)) };
}

/** Resolves when the worker has stopped, delivered or not: a failed worker only leaves its files to the review. */
function startWorker(
  work: ReadAheadWork,
  options: ReadAheadOptions,
  deliver: (index: number, reads: readonly PlacedRead[]) => void,
): Promise<void> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(options.workerUrl, { workerData: work, resourceLimits: WORKER_LIMITS });
    } catch {
      return resolve();
    }
    worker.on("message", (batch: [number, PlacedRead[]][]) => {
      for (const [index, reads] of batch) deliver(index, reads);
    });
    worker.on("error", () => undefined);
    worker.on("exit", () => resolve());
  });
}
