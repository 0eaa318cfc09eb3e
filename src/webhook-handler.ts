import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { messageGroupOf, QUEUED_EVENTS, QueuedDeliverySchema, signatureMatches } from "./queue/delivery.js";
import type { Enqueue } from "./queue/sqs.js";

/**
 * The webhook function (API Gateway HTTP API, payload v2): verify the signature on the raw body,
 * put the delivery on the FIFO queue, answer. It loads no review engine and no Probot, so a cold
 * start answers well inside GitHub's 10 s (and our 1 s) budget; the worker function evaluates.
 *
 * 202: queued (or an event the App does not act on, acknowledged); 400: missing headers, a body
 * that is not a JSON object, or an event without its repository; 401: bad signature (nothing
 * queued); 413: a payload too large for an SQS message; 500: the queue refused it (GitHub shows
 * the failed delivery, which can be redelivered).
 */
export type WebhookHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface WebhookLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** SQS takes messages up to 1 MiB; the envelope around the payload is small. */
const MAX_MESSAGE_BYTES = 1_000_000;

const reply = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export function createWebhookHandler(deps: {
  readonly secret: string;
  readonly enqueue: Enqueue;
  readonly log: WebhookLog;
}): WebhookHandler {
  const { secret, enqueue, log } = deps;
  return async (event) => {
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const id = headers["x-github-delivery"];
    const name = headers["x-github-event"];
    const signature = headers["x-hub-signature-256"];
    if (!id || !name || !signature) return reply(400, { error: "missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256" });
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64") : Buffer.from(event.body ?? "", "utf8");
    if (!signatureMatches(secret, raw, signature)) {
      log.warn({ id, name }, "webhook rejected: signature mismatch");
      return reply(401, { error: "signature mismatch" });
    }
    if (!(QUEUED_EVENTS as readonly string[]).includes(name)) return reply(202, { ignored: name });
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch {
      return reply(400, { error: "body is not JSON" });
    }
    const delivery = QueuedDeliverySchema.safeParse({ v: 1, id, name, payload });
    const group = messageGroupOf(payload);
    if (!delivery.success || group === undefined)
      return reply(400, { error: "not a delivery the App can queue (delivery id, event name or repository)" });
    if (raw.length > MAX_MESSAGE_BYTES) {
      log.error({ id, name, bytes: raw.length }, "webhook payload too large for the queue");
      return reply(413, { error: "payload too large to queue" });
    }
    try {
      await enqueue(delivery.data, group);
      return reply(202, { queued: id });
    } catch (error) {
      log.error({ err: error, id, name }, "could not queue the delivery");
      return reply(500, { error: "could not queue the delivery" });
    }
  };
}
