import { benchAppEvaluation } from "./app-bench.js";
import { benchFreshProcess } from "./fresh-process-bench.js";
import { benchLambdaBundle } from "./lambda-bench.js";
import { benchRepositorySize } from "./repository-size-bench.js";

/**
 * `npm run bench`: the core review in process and as a fresh CLI process, the Lambda bundle, one App
 * evaluation over a slow GitHub, and reading a large repository's archive. Names on the command line
 * (`npm run bench -- fresh app`) run only those parts: the whole run takes minutes.
 */
const parts: Record<string, { title: string; run: () => Promise<unknown> }> = {
  core: { title: "core review (issue 2, 6)", run: () => import("./review-bench.js") },
  fresh: { title: "fresh process: the CLI against a bare parse (issue 13)", run: benchFreshProcess },
  lambda: { title: "Lambda bundle (issue 4)", run: benchLambdaBundle },
  app: { title: "App evaluation (issue 4)", run: benchAppEvaluation },
  size: { title: "repository size: one side read through the streamed archive, fresh process (issue 12)", run: benchRepositorySize },
};
const chosen = process.argv.slice(2);
// V8's tiers differ by release (Node 22 adds Maglev): the figures hold for the Node that ran them.
console.log(`Node ${process.version} (${process.arch}); the Lambda functions run Node 22 (serverless.yml)`);
const unknown = chosen.filter((name) => !(name in parts));
if (unknown.length > 0) throw new Error(`unknown bench part ${unknown.join(", ")}; the parts: ${Object.keys(parts).join(", ")}`);
for (const [name, part] of Object.entries(parts).filter(([name]) => chosen.length === 0 || chosen.includes(name))) {
  console.log(`\n== ${name}: ${part.title}`);
  await part.run();
}
