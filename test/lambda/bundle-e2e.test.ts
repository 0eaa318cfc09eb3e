import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../app/fake-github.js";
import { privateKey } from "../app/private-key.js";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";
import { asLambdaEvent, FakeSqs } from "../helpers/fake-sqs.js";
import { scratchDir } from "../helpers/scratch-trees.js";

/**
 * The Lambda artifacts end to end: the BUILT bundles (dist/lambda.mjs and dist/worker/worker.mjs, as
 * `npm run package` ships them), each imported by a real .mjs in a fresh Node process. The webhook
 * function queues a signed delivery on a local SQS endpoint through the real SDK; the worker takes
 * that message as the event source mapping would and evaluates it against the fake GitHub.
 */
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const SECRET = "bundle-e2e-secret";

const github = new FakeGitHub(77, 6200);
const sqs = new FakeSqs();
let runner: string;

beforeAll(async () => {
  await run(process.execPath, [join(ROOT, "scripts/build.mjs"), "lambda"], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, "scripts/build.mjs"), "worker"], { cwd: ROOT });
  await Promise.all([github.start(), sqs.start()]);
  runner = join(scratchDir("rg-lambda-"), "invoke.mjs");
  writeFileSync(
    runner,
    // The worker's context: the 90 s a fresh invocation has (serverless.yml).
    `const { handler } = await import(process.env.BUNDLE);\nconst context = { getRemainingTimeInMillis: () => 90_000 };\nprocess.stdout.write(JSON.stringify(await handler(JSON.parse(process.env.EVENT), context)));\n`,
  );
}, 60_000);
afterAll(() => Promise.all([github.stop(), sqs.stop()]));

const environment = () => ({
  PATH: process.env.PATH,
  QUEUE_URL: `${sqs.endpoint}/000000000000/deliveries.fifo`,
  AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  APP_ID: String(github.appId),
  PRIVATE_KEY: privateKey,
  WEBHOOK_SECRET: SECRET,
  GHE_HOST: github.host,
  GHE_PROTOCOL: "http",
  LOG_LEVEL: "fatal" as const,
  MAX_RECEIVES: "3",
});
const invoke = async <T>(bundle: string, event: unknown): Promise<T> =>
  JSON.parse(
    (await run(process.execPath, [runner], { env: { ...environment(), BUNDLE: join(ROOT, bundle), EVENT: JSON.stringify(event) } })).stdout,
  ) as T;

const apiEvent = (payload: Record<string, unknown>, name: string, id: string, secret = SECRET) => {
  const body = JSON.stringify(payload);
  return {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    headers: {
      "x-github-delivery": id,
      "x-github-event": name,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    isBase64Encoded: true,
    body: Buffer.from(body).toString("base64"),
  };
};

describe("the built Lambda bundles in fresh Node processes", () => {
  it("webhook → SQS FIFO → worker: check run and comment on the fake GitHub", async () => {
    const head = github.commit(headTree());
    github.openPull({ number: 7, author: "ana", base: "main", baseSha: github.commit(baseTree()), headSha: head, body: EVIDENCE_BODY });
    const response = await invoke<{ statusCode: number }>(
      "dist/lambda.mjs",
      apiEvent(github.pullRequestEvent("opened", 7).payload, "pull_request", "e2e-1"),
    );
    expect(response.statusCode).toBe(202);
    expect(github.calls).toEqual([]);
    expect(sqs.messages).toEqual([expect.objectContaining({ groupId: "acme/traffic#7", deduplicationId: "e2e-1" })]);

    const result = await invoke<{ batchItemFailures: unknown[] }>("dist/worker/worker.mjs", asLambdaEvent(sqs.messages));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(github.latestCheckRun(head)).toEqual(expect.objectContaining({ name: "Route Governor (main)", conclusion: "action_required" }));
    expect(github.appComments(7)[0]!.body).toContain("backend.weight-changed");
  });

  it("a delivery failing on its last receive is reported as a batch item failure (→ dead-letter queue) and its check says so", async () => {
    const head = github.commit(headTree(70, 30));
    github.openPull({ number: 8, author: "ana", base: "main", baseSha: github.commit(baseTree()), headSha: head, body: EVIDENCE_BODY });
    await invoke("dist/lambda.mjs", apiEvent(github.pullRequestEvent("opened", 8).payload, "pull_request", "e2e-2"));
    const message = sqs.messages.find((m) => m.deduplicationId === "e2e-2")!;
    github.inject("GET", /\/pulls\/8\/reviews$/, "500", Number.POSITIVE_INFINITY);
    const result = await invoke<{ batchItemFailures: { itemIdentifier: string }[] }>("dist/worker/worker.mjs", asLambdaEvent([message], 3));
    github.clearFaults();
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: message.messageId }]);
    const check = github.latestCheckRun(head)!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.text).toContain("Attempt 3 of 3 failed: Route Governor gave up and the delivery went to the dead-letter queue");
  });

  it("the webhook bundle rejects a delivery signed with another secret and queues nothing", async () => {
    const queued = sqs.messages.length;
    const response = await invoke<{ statusCode: number }>(
      "dist/lambda.mjs",
      apiEvent({ repository: { full_name: "acme/traffic" } }, "pull_request", "e2e-3", "wrong"),
    );
    expect(response.statusCode).toBe(401);
    expect(sqs.messages).toHaveLength(queued);
  });
});
