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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await startServer();
