import { createProbot } from "probot";
import { appFromEnv } from "./app.js";
import { routeGovernorOctokit } from "./github/octokit.js";
import { OPTIONAL_SECRET_NAMES, resolveSecrets, SECRET_NAMES, ssmParameterReader } from "./lambda-secrets.js";
import { createWorker } from "./worker.js";

/**
 * The worker Lambda (serverless.yml: `dist/worker/worker.handler`), fed by the SQS FIFO queue. No
 * webhook window here: an evaluation may take most of the function's timeout, keeping a reserve
 * to conclude the check `failure` when GitHub is slow. MAX_RECEIVES is the queue's maxReceiveCount.
 */
export const WORKER_BUDGET_MS = { evaluation: 60_000, failureReport: 15_000 } as const;

const env = { ...process.env, ...(await resolveSecrets(process.env, ssmParameterReader, SECRET_NAMES, OPTIONAL_SECRET_NAMES)) };
// The bundle carries Bottleneck's light build (scripts/bundle-options.mjs `lean`), without the
// Redis connection Probot would share rate limits through: said at start, not at the first request.
if (env.REDIS_URL) throw new Error("REDIS_URL is set, but the Lambda worker cannot share rate limits through Redis: unset it");
const probot = createProbot({ env, overrides: { Octokit: routeGovernorOctokit() } });

// The worker evaluates its batch's records one after another: one analysis slot, so the thread that
// answered takes the next record and no spare thread loads beside an analysis (src/isolation/isolated-analysis.ts).
export const handler = createWorker(probot, appFromEnv(env, { budgetMs: WORKER_BUDGET_MS, analysisLimits: { concurrent: 1 } }), {
  maxReceives: Number(process.env.MAX_RECEIVES) || 3,
  recordMs: WORKER_BUDGET_MS.evaluation + WORKER_BUDGET_MS.failureReport,
});
