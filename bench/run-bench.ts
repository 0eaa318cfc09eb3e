import { benchAppEvaluation } from "./app-bench.js";
import { benchFreshProcess } from "./fresh-process-bench.js";
import { benchLambdaBundle } from "./lambda-bench.js";

/** `npm run bench`: the core review in process and as a fresh CLI process, the Lambda bundle, and one App evaluation over a slow GitHub. */
console.log("== core review (issue 2, 6)");
await import("./review-bench.js");
console.log("\n== fresh process: the CLI against a bare parse (issue 13)");
await benchFreshProcess();
console.log("\n== Lambda bundle (issue 4)");
await benchLambdaBundle();
console.log("\n== App evaluation (issue 4)");
await benchAppEvaluation();
