// The read-ahead worker entry for tests: vitest's loader does not reach worker threads, so tsx loads the TypeScript.
import { register } from "tsx/esm/api";

register();
await import("../../src/read-ahead-worker.ts");
