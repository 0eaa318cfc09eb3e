import { getHeapStatistics } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection, where the process allows one: `{ collect }` when V8 runs with
 * `--expose-gc` (set by the CLI's entry before it compiles the bundle, src/cached-bundle-entry.ts),
 * else nothing. The flag adds `gc` to contexts made after it, not to the one already running: a new
 * context lends its function, which collects the whole heap.
 *
 * Why a one-shot review wants one (issue 13): once the loader lets go of the reads of both trees,
 * a fifth of what the review holds is garbage in the old generation, and V8 leaves it there until
 * the heap has doubled since its last full collection. That doubling was the CLI's peak on the
 * 2,000-file bench: 451 → 385 MB collecting there on Node 20; Node 22 ran its own collection
 * sooner and reached the same peak later, after the models, so the review collects there too
 * (445 → 393 MB). Each takes ~80–130 ms and spares one V8 would have run over a larger heap. Two
 * more since the review lets go of the bodies of what a PR leaves alone (manifests/held-body.ts):
 * after that release, and between the two graphs (2,000 files: ~330 → ~300 MB).
 */
export function fullCollection(): { readonly collect?: () => void } {
  try {
    const gc: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
    return typeof gc === "function"
      ? {
          collect: whenHeapAbove(
            () => void gc(),
            () => getHeapStatistics().used_heap_size,
          ),
        }
      : {};
  } catch {
    return {};
  }
}

/**
 * Below this much live heap, V8's own headroom cannot take the process near the peak the review is
 * bounded by (300 MB at 2,000 files), and a collection is only time: the 500-file bench's four
 * collected over 40–75 MB heaps at 40–65 ms each, an eighth of its run on Node 22. The 2,000-file
 * review reaches them at 175–220 MB, where they hold its peak down.
 */
export const COLLECT_ABOVE_BYTES = 128 * 1024 * 1024;

/** `collect`, run only while the heap in use is at least `bytes`. */
export function whenHeapAbove(collect: () => void, heapUsed: () => number, bytes = COLLECT_ABOVE_BYTES): () => void {
  return () => {
    if (heapUsed() >= bytes) collect();
  };
}
