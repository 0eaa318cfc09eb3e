import { fileURLToPath } from "node:url";
import { runCachedBundle } from "./compile-cache.js";

/**
 * What `bin/route-governor.mjs` and `bin/read-ahead-worker.mjs` are: each runs the CommonJS bundle
 * of the same name beside it (`.cjs`) through the compile cache, so the documented entries stay
 * where they are.
 */
runCachedBundle(fileURLToPath(import.meta.url).replace(/\.mjs$/, ".cjs"));
