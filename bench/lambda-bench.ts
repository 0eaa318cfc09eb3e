import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { privateKey } from "../test/app/private-key.js";
import { report, sample } from "./measure.js";

/**
 * The Lambda bundles (issues 4, 12): their sizes, and how long a fresh Node process takes to import
 * each — module evaluation, secrets and (for the worker) Probot's start — a proxy for the cold
 * start. Goals: each bundle ≤ 1 MB, import ≤ 150 ms median.
 */
const run = promisify(execFile);
const BUNDLES = [
  { name: "webhook", file: resolve("dist/lambda.mjs") },
  { name: "worker", file: resolve("dist/worker/worker.mjs") },
];

export async function benchLambdaBundle(runs = 9): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "bench",
    LOG_LEVEL: "fatal",
    LOG_FORMAT: "json",
    QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/bench.fifo",
  };
  for (const { name, file } of BUNDLES) {
    console.log(
      `lambda ${name} bundle ${file.slice(resolve(".").length + 1)}: ${(statSync(file).size / 1024).toFixed(0)} KB (goal ≤ 1000 KB)`,
    );
    const dir = mkdtempSync(join(tmpdir(), "rg-bench-"));
    try {
      const probe = join(dir, "import-probe.mjs");
      writeFileSync(
        probe,
        `const start = performance.now();\nawait import(${JSON.stringify(file)});\nprocess.stdout.write(String(performance.now() - start));\n`,
      );
      const samples = await sample(runs, async () => Number((await run(process.execPath, [probe], { env })).stdout));
      report(`lambda ${name} import in a fresh process`, samples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log("  (goal ≤ 150 ms median)");
}
