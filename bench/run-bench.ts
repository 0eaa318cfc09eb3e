import { benchAppEvaluation } from "./app-bench.js";
import { benchFreshProcess } from "./fresh-process-bench.js";
import { benchLambdaBundle } from "./lambda-bench.js";
import { benchRepositorySize } from "./repository-size-bench.js";

/** `npm run bench`: the core review in process and as a fresh CLI process, the Lambda bundle, one App evaluation over a slow GitHub, and reading a large repository's archive. */
console.log("== core review (issue 2, 6)");
await import("./review-bench.js");
console.log("\n== fresh process: the CLI against a bare parse (issue 13)");
await benchFreshProcess();
console.log("\n== Lambda bundle (issue 4)");
await benchLambdaBundle();
console.log("\n== App evaluation (issue 4)");
await benchAppEvaluation();
console.log("\n== repository size: one side read through the streamed archive, fresh process (issue 12)");
await benchRepositorySize();
