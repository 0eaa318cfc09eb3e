import { setFlagsFromString } from "node:v8";
import { fileURLToPath } from "node:url";
import { runCachedBundle } from "./compile-cache.js";

// A review holds most of what it reads until the end, and V8 lets a big heap grow to as much as
// four times what its last full collection found alive before collecting again: the review's peak
// was that headroom, not its data. Doubling at most costs no time here and lowers the peak (issue
// 13, measured on the bench's fleets: 2,000 files 615 → 555 MB, 500 files 235 → 214 MB). V8 reads
// the flag at every full collection, so setting it at start is enough. Set before the bundle is
// compiled: V8's code cache records the flags it was made under and rejects itself under others,
// so a flag set by the bundle made every run compile anew (and write the cache again at exit).
setFlagsFromString("--heap-growing-percent=100");
// So the CLI can collect the garbage of its load stage at once (src/full-collection.ts); set here,
// before the bundle is compiled, for the same reason as the flag above.
setFlagsFromString("--expose-gc");

/**
 * What `bin/route-governor.mjs` and `bin/read-ahead-worker.mjs` are: each runs the CommonJS bundle
 * of the same name beside it (`.cjs`) through the compile cache, so the documented entries stay
 * where they are. (In a worker thread the flag above is already the process's.)
 */
runCachedBundle(fileURLToPath(import.meta.url).replace(/\.mjs$/, ".cjs"));
