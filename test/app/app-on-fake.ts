import { Probot } from "probot";
import { routeGovernorApp, type AppOptions } from "../../src/app.js";
import { routeGovernorOctokit, type OctokitTuning } from "../../src/github/octokit.js";
import { SOURCE_ANALYSIS_THREAD } from "../helpers/source-analysis-thread.js";
import type { FakeGitHub } from "./fake-github.js";
import { privateKey } from "./private-key.js";

/**
 * The App loaded in a Probot that talks to a fake GitHub, as the server runs it: `secret` signs the
 * webhooks; `app` is the App's options but its id and analysis thread (the fake's, the sources').
 */
export async function appOnFake(
  github: FakeGitHub,
  secret: string,
  app: Omit<AppOptions, "appId" | "analysisThread">,
  tuning?: OctokitTuning,
): Promise<Probot> {
  const probot = new Probot({
    appId: github.appId,
    privateKey,
    secret,
    baseUrl: github.apiUrl,
    logLevel: "fatal",
    Octokit: routeGovernorOctokit(tuning),
  });
  await probot.load(routeGovernorApp({ ...app, appId: github.appId, analysisThread: SOURCE_ANALYSIS_THREAD }));
  return probot;
}
