import { resolveSecrets, ssmParameterReader } from "./lambda-secrets.js";
import { sqsEnqueue } from "./queue/sqs.js";
import { createWebhookHandler } from "./webhook-handler.js";

/**
 * The webhook Lambda (serverless.yml: `dist/lambda.handler`): verifies, enqueues on QUEUE_URL and
 * answers. It needs only the webhook secret (environment or SSM, read once per container).
 */
const queueUrl = process.env.QUEUE_URL;
if (!queueUrl) throw new Error("QUEUE_URL is not set: the webhook function puts deliveries on that SQS FIFO queue");
const { WEBHOOK_SECRET } = await resolveSecrets(process.env, ssmParameterReader, ["WEBHOOK_SECRET"]);

const log = {
  warn: (fields: Record<string, unknown>, message: string) => console.warn(JSON.stringify({ level: "warn", msg: message, ...fields })),
  error: (fields: Record<string, unknown>, message: string) =>
    console.error(JSON.stringify({ level: "error", msg: message, ...fields, err: String(fields.err ?? "") })),
};

export const handler = createWebhookHandler({ secret: WEBHOOK_SECRET, enqueue: sqsEnqueue(queueUrl), log });
