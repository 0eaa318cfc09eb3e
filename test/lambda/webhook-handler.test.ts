import { createHmac } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqsEnqueue } from "../../src/queue/sqs.js";
import { createWebhookHandler } from "../../src/webhook-handler.js";
import { FakeSqs } from "../helpers/fake-sqs.js";

/**
 * The webhook function against a local SQS endpoint, through the real @aws-sdk/client-sqs (which
 * sends to the host of the queue URL, as QUEUE_URL names it, and else AWS_ENDPOINT_URL_SQS).
 */
const SECRET = "lambda-test-secret";
let QUEUE: string;
const sqs = new FakeSqs();
const silent = { warn: () => undefined, error: () => undefined };
let handler: ReturnType<typeof createWebhookHandler>;

beforeAll(async () => {
  await sqs.start();
  QUEUE = `${sqs.endpoint}/000000000000/deliveries.fifo`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  handler = createWebhookHandler({ secret: SECRET, enqueue: sqsEnqueue(QUEUE), log: silent });
});
afterAll(() => sqs.stop());

function apiGatewayEvent(body: string, headers: Record<string, string>, isBase64Encoded = false): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    rawQueryString: "",
    headers,
    isBase64Encoded,
    body: isBase64Encoded ? Buffer.from(body).toString("base64") : body,
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
  };
}
const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const comment = (number: number) =>
  JSON.stringify({
    action: "created",
    issue: { number, pull_request: {} },
    comment: { id: 1 },
    repository: { full_name: "acme/traffic" },
    installation: { id: 1 },
  });
const headers = (body: string, id: string, event = "issue_comment", secret = SECRET) => ({
  "X-GitHub-Delivery": id,
  "X-GitHub-Event": event,
  "X-Hub-Signature-256": sign(body, secret),
});

describe("the webhook function", () => {
  it("verifies, puts the delivery on the FIFO queue (group: repository + PR, deduplication: delivery id) and answers 202", async () => {
    const body = comment(7);
    const started = Date.now();
    const response = await handler(apiGatewayEvent(body, headers(body, "d-1"), true));
    expect(response.statusCode).toBe(202);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(sqs.messages).toEqual([expect.objectContaining({ queueUrl: QUEUE, groupId: "acme/traffic#7", deduplicationId: "d-1" })]);
    expect(JSON.parse(sqs.messages[0]!.body)).toEqual({ v: 1, id: "d-1", name: "issue_comment", payload: JSON.parse(body) });
  });

  it("a redelivery is deduplicated by its delivery id", async () => {
    const body = comment(7);
    expect((await handler(apiGatewayEvent(body, headers(body, "d-1")))).statusCode).toBe(202);
    expect(sqs.messages.filter((message) => message.deduplicationId === "d-1")).toHaveLength(1);
  });

  it("a merge group is its own message group", async () => {
    const body = JSON.stringify({
      action: "checks_requested",
      merge_group: { head_ref: "refs/heads/gh-readonly-queue/main/pr-7-abc" },
      repository: { full_name: "acme/traffic" },
    });
    await handler(apiGatewayEvent(body, headers(body, "d-2", "merge_group")));
    expect(sqs.messages.at(-1)!.groupId).toBe("acme/traffic@refs/heads/gh-readonly-queue/main/pr-7-abc");
  });

  it("a re-run of one PR's head is that PR's group; of a commit of several PRs (or a fork's, none listed), the commit's", async () => {
    const rerun = (pulls: number[], id: string) => {
      const body = JSON.stringify({
        action: "rerequested",
        check_run: { head_sha: "c".repeat(40), pull_requests: pulls.map((number) => ({ number })) },
        repository: { full_name: "acme/traffic" },
      });
      return handler(apiGatewayEvent(body, headers(body, id, "check_run")));
    };
    await rerun([7], "d-6");
    expect(sqs.messages.at(-1)!.groupId).toBe("acme/traffic#7");
    await rerun([7, 8], "d-7");
    expect(sqs.messages.at(-1)!.groupId).toBe(`acme/traffic@${"c".repeat(40)}`);
    await rerun([], "d-8");
    expect(sqs.messages.at(-1)!.groupId).toBe(`acme/traffic@${"c".repeat(40)}`);
  });

  it("401 for a bad signature, 400 for missing headers or a body that is not JSON, 202 without queueing for events the App ignores", async () => {
    const before = sqs.messages.length;
    const body = comment(8);
    expect((await handler(apiGatewayEvent(body, headers(body, "d-3", "issue_comment", "wrong")))).statusCode).toBe(401);
    expect((await handler(apiGatewayEvent(body, { "X-GitHub-Event": "issue_comment" }))).statusCode).toBe(400);
    expect((await handler(apiGatewayEvent("not json", headers("not json", "d-4")))).statusCode).toBe(400);
    expect((await handler(apiGatewayEvent(body, headers(body, "d-5", "installation")))).statusCode).toBe(202);
    expect(sqs.messages).toHaveLength(before);
  });

  it("500 when the queue refuses the message", async () => {
    const refusing = createWebhookHandler({
      secret: SECRET,
      enqueue: sqsEnqueue("http://127.0.0.1:1/000000000000/deliveries.fifo"),
      log: silent,
    });
    const body = comment(9);
    expect((await refusing(apiGatewayEvent(body, headers(body, "d-6")))).statusCode).toBe(500);
  });
});
