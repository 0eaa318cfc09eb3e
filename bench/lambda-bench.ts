import { execFile } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { privateKey } from "../test/app/private-key.js";
import { report, sample } from "./measure.js";

/**
 * The Lambda bundle (issue 4): its size, and how long a fresh Node process takes to import it —
 * module evaluation, secrets and Probot's start — a proxy for the cold start.
 * Goals: bundle ≤ 1 MB, import ≤ 150 ms median.
 */
const run = promisify(execFile);
const BUNDLE = resolve("dist/lambda.mjs");

export async function benchLambdaBundle(runs = 9): Promise<void> {
  const bytes = statSync(BUNDLE).size;
  console.log(`lambda bundle dist/lambda.mjs: ${(bytes / 1024).toFixed(0)} KB (goal ≤ 1000 KB)`);
  const probe = join(mkdtempSync(join(tmpdir(), "rg-bench-")), "import-probe.mjs");
  writeFileSync(
    probe,
    `const start = performance.now();\nawait import(${JSON.stringify(BUNDLE)});\nprocess.stdout.write(String(performance.now() - start));\n`,
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "bench",
    LOG_LEVEL: "fatal",
    QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/bench.fifo",
  };
  const samples = await sample(runs, async () => Number((await run(process.execPath, [probe], { env })).stdout));
  report("lambda bundle import in a fresh process", samples);
  console.log("  (goal ≤ 150 ms median)");
}
