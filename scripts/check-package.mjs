// Checks the deployable artifacts `npm run package` wrote (.serverless/): each function's zip holds
// its bundle alone (the worker's: the App, its analysis thread and their shared chunks), each within budget, and the analysis
// heap leaves the worker half its memory; the CloudFormation wires the webhook function to
// POST /api/github/webhooks and the worker to the FIFO queue with partial batch failures, a
// dead-letter queue with an alarm, Node 22 on x86_64, and no secret in any function's environment.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";

// What each function loads at a cold start (the kubectl/helm layer apart): 1 MB for the webhook
// function. The worker's App renders before it analyses, so its main thread loads the families'
// kinds and readers too; with every family it carries (session 20: 1,009,971 bytes) it outgrew
// 1 MB, and its import time, which `npm run bench` measures, is the figure that matters. Session
// 36 reached 1,091,111 bytes with the worker's import at 47 ms (goal 150 ms): 1.2 MB left the
// detectors room while that figure stays the one to watch. Session 41's families (versions of one
// object, applied files, cert-manager's shim, Istio Gateway renames) took it to 1,212,240 bytes with
// the import still far inside its goal: 1.3 MB, the import time still the figure to watch. Session
// 44's two families (Kuadrant, Traefik) took it to 1,337,053 bytes: 1.45 MB, as long as the import stays far inside its goal.
// Session 48's (mesh values merged per release, trust reach, documented defaults, Gateway copies,
// DNS failover copies) took it to 1,466,355 bytes with the worker's import at 55–61 ms: 1.6 MB.
const BUNDLE_BUDGET = { "dist/lambda.mjs": 1_000_000, "dist/worker/": 1_600_000 };
const failures = [];
const check = (ok, message) => ok || failures.push(message);

const zipHolds = (zip, bundles) => {
  const listing = execFileSync("unzip", ["-Z1", `.serverless/${zip}`], { encoding: "utf8" })
    .trim()
    .split("\n");
  check(
    listing.length === bundles.length && bundles.every((bundle) => listing.includes(bundle)),
    `${zip} must hold ${bundles.join(" and ")} alone, holds: ${listing.join(", ")}`,
  );
};
zipHolds("webhooks.zip", ["dist/lambda.mjs"]);
// The worker, its analysis thread and the chunks they share: together within the budget.
const workerFiles = readdirSync("dist/worker").map((name) => `dist/worker/${name}`);
zipHolds("worker.zip", workerFiles);
check(
  ["dist/worker/worker.mjs", "dist/worker/analysis-thread.mjs"].every((file) => workerFiles.includes(file)),
  "worker and analysis thread",
);
const bytes = (files) => files.reduce((sum, file) => sum + statSync(file).size, 0);
for (const [name, files] of [
  ["dist/lambda.mjs", ["dist/lambda.mjs"]],
  ["dist/worker/", workerFiles],
])
  check(bytes(files) <= BUNDLE_BUDGET[name], `${name} is ${bytes(files)} bytes, over ${BUNDLE_BUDGET[name]}`);

const template = JSON.parse(readFileSync(".serverless/cloudformation-template-update-stack.json", "utf8"));
const templateText = JSON.stringify(template);
const resources = Object.values(template.Resources);
const functions = resources.filter((r) => r.Type === "AWS::Lambda::Function");
const byHandler = (handler) => functions.find((fn) => fn.Properties.Handler === handler);
const webhook = byHandler("dist/lambda.handler");
const worker = byHandler("dist/worker/worker.handler");
check(webhook && worker, "functions dist/lambda.handler and dist/worker/worker.handler");
for (const fn of functions) {
  check(fn.Properties.Runtime === "nodejs22.x", `runtime: ${fn.Properties.Runtime}`);
  check(fn.Properties.Architectures?.includes("x86_64"), "architecture x86_64");
  const environment = fn.Properties.Environment?.Variables ?? {};
  for (const secret of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "LEDGER_KEY"])
    check(!(secret in environment), `${fn.Properties.Handler}: ${secret} must come from SSM, not the environment`);
}
check(webhook?.Properties.Timeout < 10, `webhook timeout ${webhook?.Properties.Timeout} s must stay inside GitHub's 10 s delivery window`);
check(worker?.Properties.Timeout >= 60, `worker timeout ${worker?.Properties.Timeout} s must be at least 60 s`);
const analysisMemory = Number(worker?.Properties.Environment?.Variables?.ANALYSIS_MEMORY_MB);
check(
  analysisMemory > 0 && analysisMemory <= worker?.Properties.MemorySize / 2,
  `worker ANALYSIS_MEMORY_MB ${analysisMemory} must leave the App at least half of its ${worker?.Properties.MemorySize} MB`,
);
check(webhook?.Properties.Environment?.Variables?.QUEUE_URL, "webhook QUEUE_URL");
check(webhook?.Properties.Environment?.Variables?.WEBHOOK_SECRET_SSM, "webhook WEBHOOK_SECRET_SSM");
for (const secret of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"])
  check(worker?.Properties.Environment?.Variables?.[`${secret}_SSM`], `worker ${secret}_SSM`);
const queues = resources.filter((r) => r.Type === "AWS::SQS::Queue");
check(queues.length === 2 && queues.every((q) => q.Properties.FifoQueue === true), "two FIFO queues (deliveries and dead letters)");
check(
  queues.some((q) => q.Properties.RedrivePolicy?.maxReceiveCount === Number(worker?.Properties.Environment?.Variables?.MAX_RECEIVES)),
  "redrive maxReceiveCount equals the worker's MAX_RECEIVES",
);
check(
  resources.some(
    (r) => r.Type === "AWS::Lambda::EventSourceMapping" && r.Properties.FunctionResponseTypes?.includes("ReportBatchItemFailures"),
  ),
  "SQS event source with ReportBatchItemFailures",
);
check(
  resources.some((r) => r.Type === "AWS::CloudWatch::Alarm" && r.Properties.MetricName === "ApproximateNumberOfMessagesVisible"),
  "alarm on the dead-letter queue's depth",
);
check(
  resources.some((r) => r.Type === "AWS::ApiGatewayV2::Route" && r.Properties.RouteKey === "POST /api/github/webhooks"),
  "route POST /api/github/webhooks",
);
check(
  resources.some((r) => r.Type === "AWS::Logs::LogGroup" && r.Properties.RetentionInDays === 30),
  "log retention 30 days",
);
check(!/BEGIN [A-Z ]*PRIVATE KEY/.test(templateText), "no private key in the template");

if (failures.length > 0) {
  console.error(`package check failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
const kb = (files) => `${(bytes(files) / 1024).toFixed(0)} KB`;
console.log(`package ok: dist/lambda.mjs ${kb(["dist/lambda.mjs"])}, dist/worker/ ${kb(workerFiles)} (${workerFiles.length} files)`);
