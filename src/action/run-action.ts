import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { Octokit } from "@octokit/rest";
import packageJson from "../../package.json" with { type: "json" };
import { evaluatePullRequest } from "../github/evaluate-pull-request.js";
import { renderJson } from "../report/json-report.js";
import { renderSarif } from "../report/sarif.js";
import { analyzeRendered } from "../rendered-analysis.js";
import { renderWorkflowCommands, workflowCommand } from "../report/workflow-commands.js";
import { DEFAULT_RENDER_BUDGET_MS } from "../render/render-change.js";
import { actionComment, actionReport, isActionComment } from "./action-report.js";
import { targetOf } from "./event.js";
import { RUN_LEDGER_APP_ID, actionPullRequest } from "./pull-request-source.js";
import { appendSummary, runnerSettings, setOutputs, workflowFile } from "./runner.js";

/**
 * One Action run: the App's evaluation of the PR, with the workspace clone for the trees and the
 * job's token for the rest, reported the ways a workflow reads (job summary, annotations, SARIF,
 * JSON, outputs, optionally one PR comment). Exit 0 = pass, 1 = the policy is not met or the
 * review could not be done: the job fails closed, never passes by accident.
 */
export interface ActionIo {
  readonly stdout: (text: string) => void;
}

export async function runAction(env: Readonly<Record<string, string | undefined>>, io: ActionIo, now: Date = new Date()): Promise<number> {
  try {
    return await review(env, io, now);
  } catch (error) {
    io.stdout(
      `${workflowCommand("error", `Route Governor could not review this pull request: ${(error as Error).message}`, { title: "Route Governor" })}\n`,
    );
    return 1;
  }
}

async function review(env: Readonly<Record<string, string | undefined>>, io: ActionIo, now: Date): Promise<number> {
  const settings = runnerSettings(env);
  const target = targetOf(settings.GITHUB_EVENT_NAME, JSON.parse(await readFile(settings.GITHUB_EVENT_PATH, "utf8")));
  if (target.kind === "ignored") {
    io.stdout(`${workflowCommand("notice", `Route Governor: nothing to review (${target.why})`)}\n`);
    return 0;
  }
  const octokit = new Octokit({
    auth: settings["INPUT_GITHUB-TOKEN"],
    baseUrl: settings.GITHUB_API_URL,
    userAgent: `route-governor-action/${packageJson.version}`,
  });
  const ref = { owner: target.owner, repo: target.repo, number: target.number };
  // Signs nothing that outlives the run: the Action writes no ledger (see actionPullRequest).
  const secret = randomBytes(32).toString("hex");
  const source = actionPullRequest(octokit, ref, settings.GITHUB_WORKSPACE, now, secret, workflowFile(settings.GITHUB_WORKFLOW_REF));
  const evaluation = await evaluatePullRequest(source, {
    now,
    secret,
    appId: RUN_LEDGER_APP_ID,
    // The job is a process of its own: a runaway analysis stops its own run only.
    analyze: (input) =>
      analyzeRendered({
        ...input,
        render: { budgetMs: DEFAULT_RENDER_BUDGET_MS, ...(settings.INPUT_RENDER ? {} : { off: "turned off (render: false)" }) },
      }),
  });
  const { result } = evaluation;
  const report = actionReport(evaluation, await source.notes(), settings.GITHUB_JOB);

  const inWorkspace = (path: string) => resolve(settings.GITHUB_WORKSPACE, path);
  const sarif = inWorkspace(settings.INPUT_SARIF);
  const json = inWorkspace(settings["INPUT_REPORT-JSON"]);
  await Promise.all([
    writeFile(sarif, renderSarif(result)),
    writeFile(json, renderJson(result)),
    appendSummary(settings.GITHUB_STEP_SUMMARY, report),
  ]);
  io.stdout(renderWorkflowCommands(result));

  let commentUrl = "";
  if (settings.INPUT_COMMENT) {
    // A fork's pull_request run has a read-only token: the comment is lost, the review is not.
    commentUrl = await upsertComment(octokit, ref, report, await source.comments()).catch((error: { status?: number; message: string }) => {
      if (error.status !== 403) throw error;
      io.stdout(
        `${workflowCommand("warning", `Route Governor could not write its PR comment (${error.message}): the job summary has the report`)}\n`,
      );
      return "";
    });
  }
  await setOutputs(settings.GITHUB_OUTPUT, {
    decision: result.decision,
    risk: result.risk,
    "report-json": json,
    sarif,
    ...(commentUrl ? { "comment-url": commentUrl } : {}),
  });
  return result.decision === "pass" ? 0 : 1;
}

/** Creates the Action's comment, or rewrites its oldest one when the report changed; returns its URL. */
async function upsertComment(
  octokit: Octokit,
  ref: { owner: string; repo: string; number: number },
  report: string,
  comments: readonly { id: number; authorIsBot: boolean; body: string; url: string }[],
): Promise<string> {
  const body = actionComment(report);
  const own = comments.filter((comment) => comment.authorIsBot && isActionComment(comment.body)).sort((a, b) => a.id - b.id)[0];
  if (!own)
    return (await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body })).data.html_url;
  if (own.body !== body) await octokit.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: own.id, body });
  return own.url;
}
