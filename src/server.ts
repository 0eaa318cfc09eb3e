import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { run, type Server } from "probot";
import { appFromEnv } from "./app.js";
import { routeGovernorOctokit, type OctokitTuning } from "./github/octokit.js";

/**
 * `npm start`: Probot's own server (webhooks at `/api/github/webhooks`, configured by APP_ID,
 * PRIVATE_KEY, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL, or a `.env` file).
 * Not `probot run` itself: that would build its Octokit with the throttle that breaks GitHub's
 * 10 s webhook window (see github/octokit.ts).
 */
export function startServer(env: NodeJS.ProcessEnv = process.env, tuning?: OctokitTuning): Promise<Server> {
  // Read when Probot loads the App, after it has applied `.env` to process.env.
  return run((probot, options) => appFromEnv(env)(probot, options), { env, Octokit: routeGovernorOctokit(tuning) });
}

/**
 * Without an App id and key Probot does not fail: it serves its "register a GitHub App" page, which
 * a newcomer who ran `npm start` to try the App does not expect. Say why and the two ways on.
 * `envFile` is the text of `.env` ("" when there is none), which Probot reads only later.
 */
export function missingCredentialsNotice(env: NodeJS.ProcessEnv, envFile: string): string | undefined {
  const set = (name: string) => Boolean(env[name]?.trim()) || new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*[^\\s#]`, "m").test(envFile);
  if (set("APP_ID") && (set("PRIVATE_KEY") || set("PRIVATE_KEY_PATH"))) return undefined;
  return [
    "route-governor: APP_ID and PRIVATE_KEY are not set (environment or .env), so Probot serves its setup page, not the App.",
    `  Register a new App: open http://localhost:${env.PORT ?? "3000"}/ — GitHub creates it from app.yml and Probot writes APP_ID, PRIVATE_KEY and WEBHOOK_SECRET to .env; then restart npm start.`,
    "  Use an existing App: cp .env.example .env, fill in its values, restart. To try the App without GitHub: npm run demo:app.",
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const notice = missingCredentialsNotice(process.env, existsSync(".env") ? readFileSync(".env", "utf8") : "");
  if (notice) console.warn(notice);
  await startServer();
}
