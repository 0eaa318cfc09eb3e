import { benchAppEvaluation } from "./app-bench.js";
import { benchLambdaBundle } from "./lambda-bench.js";

/** `npm run bench`: the core review, the Lambda bundle, and one App evaluation over a slow GitHub. */
console.log("== core review (issue 2, 6)");
await import("./review-bench.js");
console.log("\n== Lambda bundle (issue 4)");
await benchLambdaBundle();
console.log("\n== App evaluation (issue 4)");
await benchAppEvaluation();
