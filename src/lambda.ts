import { createProbot } from "probot";
import { appFromEnv } from "./app.js";
import { routeGovernorOctokit } from "./github/octokit.js";
import { resolveSecrets, ssmParameterReader } from "./lambda-secrets.js";
import { createWebhookHandler } from "./webhook-handler.js";

/**
 * The AWS Lambda entry point (serverless.yml: `dist/lambda.handler`). Probot is created once per
 * container, at cold start, from the secrets (environment or SSM), LOG_LEVEL, LOG_FORMAT and
 * GHE_HOST/GHE_PROTOCOL, with the same Octokit tuning as the server.
 */
const env = { ...process.env, ...(await resolveSecrets(process.env, ssmParameterReader)) };
const probot = createProbot({ env, overrides: { Octokit: routeGovernorOctokit() } });

export const handler = createWebhookHandler(probot, appFromEnv(env));
