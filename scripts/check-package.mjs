// Checks the deployable artifact `npm run package` wrote (.serverless/): the zip holds the bundle
// alone, within budget, and the CloudFormation wires POST /api/github/webhooks to Node 20 on x86_64 (the
// architecture of the kubectl/helm layer the render step uses).
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";

// 1 MiB: the render step (planner, runner, tool locator) brought the bundle just past 1,000,000 bytes.
const BUNDLE_BUDGET = 1_048_576;
const failures = [];
const check = (ok, message) => ok || failures.push(message);

const listing = execFileSync("unzip", ["-Z1", ".serverless/route-governor.zip"], { encoding: "utf8" }).trim().split("\n");
check(listing.length === 1 && listing[0] === "dist/lambda.mjs", `zip must hold dist/lambda.mjs alone, holds: ${listing.join(", ")}`);
const bundleBytes = statSync("dist/lambda.mjs").size;
check(bundleBytes <= BUNDLE_BUDGET, `bundle ${bundleBytes} bytes exceeds ${BUNDLE_BUDGET}`);

const template = JSON.parse(readFileSync(".serverless/cloudformation-template-update-stack.json", "utf8"));
const resources = Object.values(template.Resources);
const fn = resources.find((r) => r.Type === "AWS::Lambda::Function");
check(fn?.Properties.Runtime === "nodejs20.x", `runtime: ${fn?.Properties.Runtime}`);
check(fn?.Properties.Architectures?.includes("x86_64"), "architecture x86_64 (the kubectl/helm layer is x86_64)");
check(fn?.Properties.Handler === "dist/lambda.handler", `handler: ${fn?.Properties.Handler}`);
check(fn?.Properties.Timeout < 10, `timeout ${fn?.Properties.Timeout} s must stay inside GitHub's 10 s delivery window`);
const environment = fn?.Properties.Environment?.Variables ?? {};
for (const secret of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"]) check(environment[`${secret}_SSM`], `${secret}_SSM names the SSM parameter`);
check(resources.some((r) => r.Type === "AWS::ApiGatewayV2::Route" && r.Properties.RouteKey === "POST /api/github/webhooks"), "route POST /api/github/webhooks");
check(resources.some((r) => r.Type === "AWS::Logs::LogGroup" && r.Properties.RetentionInDays === 30), "log retention 30 days");

if (failures.length > 0) {
  console.error(`package check failed:\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log(`package ok: dist/lambda.mjs ${(bundleBytes / 1024).toFixed(0)} KB, zip ${(statSync(".serverless/route-governor.zip").size / 1024).toFixed(0)} KB`);
