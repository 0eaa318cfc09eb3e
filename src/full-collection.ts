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
    return typeof gc === "function" ? { collect: () => void gc() } : {};
  } catch {
    return {};
  }
}
