import { parentPort, workerData } from "node:worker_threads";
import { serveReadAhead, type ReadAheadWork } from "./sources/read-ahead-work.js";

/** A read-ahead thread (src/sources/read-ahead.ts): parses files of the shared work list until none is left. */
serveReadAhead(workerData as ReadAheadWork, (batch) => parentPort!.postMessage(batch));
