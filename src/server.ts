import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { createNodeMiddleware, createProbot } from "probot";
import { appFromEnv } from "./app.js";
import { routeGovernorOctokit, type OctokitTuning } from "./github/octokit.js";
import type { AnalysisThread } from "./isolation/isolated-analysis.js";

/**
 * `npm start`: webhooks at `/api/github/webhooks` (WEBHOOK_PATH), configured by APP_ID,
 * PRIVATE_KEY, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL, or a `.env` file.
 * Not `probot run` nor Probot's Server: the first would build its Octokit with the throttle that
 * breaks GitHub's 10 s webhook window (see github/octokit.ts), and both read a delivery's whole
 * body before its signature is checked, so anyone could make the process buffer a gigabyte. Here
 * a body is read only up to MAX_BODY_BYTES, then handed to Probot's middleware to verify.
 */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;
const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";

export interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

class TooLarge extends Error {}

/** The body as text, or TooLarge once it passes the limit (declared or streamed). */
async function boundedBody(request: IncomingMessage): Promise<string> {
  if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** `analysisThread`: the App's analysis thread when not run as the bundle (tests run the sources). */
export async function startServer(
  env: NodeJS.ProcessEnv = process.env,
  tuning?: OctokitTuning,
  analysisThread?: AnalysisThread,
): Promise<RunningServer> {
  if (env === process.env && existsSync(".env")) process.loadEnvFile(".env");
  const path = env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const probot = createProbot({ env, overrides: { Octokit: routeGovernorOctokit(tuning) } });
  const middleware = await createNodeMiddleware(appFromEnv(env, analysisThread ? { analysisThread } : {}), { probot, webhooksPath: path });
  const notFound = (response: ServerResponse) =>
    response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');

  const server: HttpServer = createServer((request, response) => {
    void (async () => {
      if (request.method !== "POST" || new URL(request.url ?? "/", "http://server").pathname !== path) return notFound(response);
      try {
        // The webhooks middleware takes a string body as already read.
        Object.assign(request, { body: await boundedBody(request) });
      } catch (error) {
        if (!(error instanceof TooLarge)) throw error;
        response
          .writeHead(413, { "content-type": "application/json", connection: "close" })
          .end(`{"error":"payload larger than ${MAX_BODY_BYTES} bytes"}`);
        request.destroy();
        return;
      }
      await middleware(request, response, () => notFound(response));
    })().catch((error: unknown) => {
      probot.log.error({ err: error }, "the webhook request failed");
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) =>
    server.once("error", reject).listen(Number(env.PORT) || 3000, env.HOST || "localhost", resolve),
  );
  probot.log.info(`Listening on ${path} at port ${(server.address() as AddressInfo).port}`);
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Without an App id and key there is no App to run: say which are missing and the two ways on,
 * instead of a stack trace. `envFile` is the text of `.env` ("" when there is none).
 */
export function missingCredentialsNotice(env: NodeJS.ProcessEnv, envFile: string): string | undefined {
  const set = (name: string) => Boolean(env[name]?.trim()) || new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*[^\\s#]`, "m").test(envFile);
  if (set("APP_ID") && (set("PRIVATE_KEY") || set("PRIVATE_KEY_PATH"))) return undefined;
  return [
    "route-governor: APP_ID and PRIVATE_KEY are not set (environment or .env), so there is no App to run.",
    "  Register the App from app.yml (README: The GitHub App), then cp .env.example .env, fill in its values and run npm start again.",
    "  To try the App without GitHub: npm run demo:app.",
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const notice = missingCredentialsNotice(process.env, existsSync(".env") ? readFileSync(".env", "utf8") : "");
  if (notice) {
    console.error(notice);
    process.exit(1);
  }
  await startServer();
}
