import { createHmac } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";
import { describe, expect, it } from "vitest";
import { createWebhookHandler } from "../../src/webhook-handler.js";
import { privateKey } from "../app/private-key.js";

const SECRET = "lambda-test-secret";

/** An API Gateway HTTP API (payload v2) event, as GitHub's delivery arrives through it. */
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
const PING = JSON.stringify({ zen: "Design for failure.", hook_id: 1 });
const headersFor = (body: string, secret = SECRET) => ({ "X-GitHub-Delivery": "d-1", "X-GitHub-Event": "ping", "X-Hub-Signature-256": sign(body, secret), "Content-Type": "application/json" });

/** A handler around a recording App: what reached it is what the handler let through. */
function setup(behaviour: "record" | "fail" = "record") {
  const received: string[] = [];
  const app: ApplicationFunction = (probot) => {
    probot.on("ping", async (context) => {
      if (behaviour === "fail") throw new Error("evaluation failed");
      received.push(context.id);
    });
  };
  const probot = new Probot({ appId: 1, privateKey, secret: SECRET, logLevel: "fatal", Octokit: ProbotOctokit });
  return { handler: createWebhookHandler(probot, app), received };
}

describe("Lambda webhook handler (API Gateway v2)", () => {
  it("answers 200 to a signed delivery and hands it to the App", async () => {
    const { handler, received } = setup();
    const response = await handler(apiGatewayEvent(PING, headersFor(PING)));
    expect(response.statusCode).toBe(200);
    expect(received).toEqual(["d-1"]);
  });

  it("decodes base64 bodies and matches headers whatever their case", async () => {
    const { handler, received } = setup();
    const headers = Object.fromEntries(Object.entries(headersFor(PING)).map(([k, v]) => [k.toLowerCase(), v]));
    expect((await handler(apiGatewayEvent(PING, headers, true))).statusCode).toBe(200);
    expect(received).toEqual(["d-1"]);
  });

  it.each([
    ["a wrong secret", (h: Record<string, string>) => ({ ...h, "X-Hub-Signature-256": sign(PING, "not-the-secret") }), PING],
    ["a tampered body", (h: Record<string, string>) => h, PING.replace("failure", "success")],
  ])("answers 401 to %s and processes nothing", async (_case, headers, body) => {
    const { handler, received } = setup();
    const response = await handler(apiGatewayEvent(body, headers(headersFor(PING))));
    expect(response.statusCode).toBe(401);
    expect(received).toEqual([]);
  });

  it.each(["X-GitHub-Delivery", "X-GitHub-Event", "X-Hub-Signature-256"])("answers 400 without %s", async (missing) => {
    const { handler, received } = setup();
    const headers: Record<string, string> = { ...headersFor(PING) };
    delete headers[missing];
    expect((await handler(apiGatewayEvent(PING, headers))).statusCode).toBe(400);
    expect(received).toEqual([]);
  });

  it("answers 400 to a correctly signed body that is not JSON", async () => {
    const { handler, received } = setup();
    const body = "{not json";
    expect((await handler(apiGatewayEvent(body, headersFor(body)))).statusCode).toBe(400);
    expect(received).toEqual([]);
  });

  it("answers 500 only when the evaluation itself fails", async () => {
    const { handler } = setup("fail");
    const response = await handler(apiGatewayEvent(PING, headersFor(PING)));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? "{}")).toEqual({ error: "evaluation failed" });
  });
});
