import { readFileSync } from "node:fs";
import type { SQSRecord } from "aws-lambda";
import type { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { createWorker } from "../../src/worker.js";

/**
 * The worker Lambda's batch handling (src/worker.ts) over a stand-in Probot: which records of a
 * FIFO batch it tries, and which it hands back to the queue (`batchItemFailures`).
 */
const RECORD_MS = 75_000;

const record = (id: string, pull: number, receive = 1): SQSRecord => ({
  messageId: id,
  receiptHandle: `r-${id}`,
  body: JSON.stringify({
    v: 1,
    id: `delivery-${id}`,
    name: "issue_comment",
    payload: { action: "created", repository: { full_name: "acme/traffic" }, issue: { number: pull, pull_request: {} } },
  }),
  attributes: {
    ApproximateReceiveCount: String(receive),
    SentTimestamp: "0",
    SenderId: "test",
    ApproximateFirstReceiveTimestamp: "0",
    MessageGroupId: `acme/traffic#${pull}`,
    MessageDeduplicationId: `delivery-${id}`,
  },
  messageAttributes: {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:eu-west-1:1:route-governor-dev-deliveries.fifo",
  awsRegion: "eu-west-1",
});

/** A worker whose App evaluation is `evaluate`; `tried` lists the deliveries it was given, in order. */
function worker(evaluate: (id: string) => Promise<void>, clock: { leftMs: number } = { leftMs: 90_000 }) {
  const tried: string[] = [];
  const probot = {
    load: async () => undefined,
    receive: async (delivery: { id: string }) => {
      tried.push(delivery.id.replace("delivery-", ""));
      await evaluate(delivery.id.replace("delivery-", ""));
    },
    log: { error: () => undefined, info: () => undefined, warn: () => undefined },
  } as unknown as Probot;
  const handler = createWorker(probot, () => undefined, { maxReceives: 3, recordMs: RECORD_MS });
  const run = async (records: SQSRecord[]) =>
    (await handler({ Records: records }, { getRemainingTimeInMillis: () => clock.leftMs })).batchItemFailures.map(
      (failure) => failure.itemIdentifier,
    );
  return { run, tried };
}

const failing =
  (...ids: string[]) =>
  async (id: string) => {
    if (ids.includes(id)) throw new Error("GitHub API error 502");
  };

describe("a batch holding deliveries of several PRs (message groups)", () => {
  it("tries another PR's delivery after one PR's failed on its last receive: only the failed one is handed back", async () => {
    const { run, tried } = worker(failing("a"));
    expect(await run([record("a", 1, 3), record("b", 2, 3)])).toEqual(["a"]);
    expect(tried).toEqual(["a", "b"]);
  });

  it("hands back the later deliveries of the failed PR untried, so none overtakes the failed one", async () => {
    const { run, tried } = worker(failing("a"));
    expect(await run([record("a", 1), record("b", 2), record("c", 1), record("d", 2)])).toEqual(["a", "c"]);
    expect(tried).toEqual(["a", "b", "d"]);
  });
});

describe("the time left in the invocation", () => {
  it("does not start a record the time left cannot hold: it goes back to the queue untried", async () => {
    const { run, tried } = worker(async () => undefined, { leftMs: 5_000 });
    expect(await run([record("a", 1), record("b", 2)])).toEqual(["a", "b"]);
    expect(tried).toEqual([]);
  });

  it("evaluates while a whole evaluation fits, then hands the rest back", async () => {
    const clock = { leftMs: 160_000 };
    // Each evaluation takes its whole budget: 160 s hold two of them, not a third.
    const { run, tried } = worker(async () => void (clock.leftMs -= RECORD_MS), clock);
    expect(await run([record("a", 1), record("b", 2), record("c", 3)])).toEqual(["c"]);
    expect(tried).toEqual(["a", "b"]);
  });
});

describe("serverless.yml", () => {
  const yml = readFileSync(new URL("../../serverless.yml", import.meta.url), "utf8");
  const setting = (name: string, within = yml) => Number(new RegExp(`\\n\\s+${name}: (\\d+)`).exec(within)![1]);
  const workerFunction = yml.slice(yml.indexOf("\n  worker:"), yml.indexOf("\nresources:"));
  // src/lambda-worker.ts resolves its secrets when imported: its budget is read from its source.
  const source = readFileSync(new URL("../../src/lambda-worker.ts", import.meta.url), "utf8");
  const [, evaluation, failureReport] = /WORKER_BUDGET_MS = \{ evaluation: ([\d_]+), failureReport: ([\d_]+) \}/.exec(source)!;
  const recordS = (Number(evaluation!.replace(/_/g, "")) + Number(failureReport!.replace(/_/g, ""))) / 1000;

  it("a batch fits the function's timeout at the worst-case evaluation time, so every receive is an attempt", () => {
    expect(recordS).toBe(75);
    // 15 s for the App to load on a cold start (serverless.yml's arithmetic).
    expect(setting("batchSize", workerFunction) * recordS + 15).toBeLessThanOrEqual(setting("timeout", workerFunction));
  });

  it("the queue's visibility timeout is six times the function's timeout, and its receives are the worker's MAX_RECEIVES", () => {
    expect(setting("VisibilityTimeout")).toBe(6 * setting("timeout", workerFunction));
    expect(setting("maxReceiveCount")).toBe(Number(/MAX_RECEIVES: "(\d+)"/.exec(workerFunction)![1]));
  });
});
