import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { ApplicationFunction, Probot } from "probot";

/**
 * The API Gateway (HTTP API, payload v2) side of the App: verify the signature on the raw body
 * before anything else, then hand the event to Probot. Our own ~30 lines instead of
 * @probot/adapter-aws-lambda-serverless, which pins Probot 13, races Probot 14's async start and
 * answers 500 to a bad signature (dependency spike §1).
 *
 * 400: missing headers or a body that is not JSON; 401: bad signature (nothing processed);
 * 500: only when the evaluation itself failed — the check run then says why.
 */
export type WebhookHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const reply = (statusCode: number, body: Record<string, unknown>): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export function createWebhookHandler(probot: Probot, app: ApplicationFunction): WebhookHandler {
  // Probot 14 initialises asynchronously: `probot.webhooks` is null until load() settles.
  const ready = probot.load(app);
  return async (event) => {
    await ready;
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    const id = headers["x-github-delivery"];
    const name = headers["x-github-event"];
    const signature = headers["x-hub-signature-256"];
    if (!id || !name || !signature) return reply(400, { error: "missing X-GitHub-Delivery, X-GitHub-Event or X-Hub-Signature-256" });
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
    if (!(await probot.webhooks.verify(raw, signature).catch(() => false))) {
      probot.log.warn({ id, name }, "webhook rejected: signature mismatch");
      return reply(401, { error: "signature mismatch" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return reply(400, { error: "body is not JSON" });
    }
    try {
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
      return reply(200, { ok: true });
    } catch (error) {
      probot.log.error({ err: error, id, name }, "webhook handling failed");
      return reply(500, { error: "evaluation failed" });
    }
  };
}
