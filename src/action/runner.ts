import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";
import * as z from "zod";

/**
 * The runner's side of a JavaScript action: inputs arrive as `INPUT_<NAME>` variables, outputs
 * and the job summary go to the files `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` name.
 */
const flag = z.enum(["true", "false"]).transform((value) => value === "true");

const RunnerEnv = z.object({
  GITHUB_EVENT_NAME: z.string().min(1),
  GITHUB_EVENT_PATH: z.string().min(1),
  GITHUB_WORKSPACE: z.string().min(1),
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  GITHUB_OUTPUT: z.string().optional(),
  GITHUB_STEP_SUMMARY: z.string().optional(),
  GITHUB_JOB: z.string().default("route-governor"),
  /** \`owner/repo/.github/workflows/<file>@<ref>\`: the workflow whose runs record the PR's pushes. */
  GITHUB_WORKFLOW_REF: z.string().optional(),
  "INPUT_GITHUB-TOKEN": z.string({ error: "missing (the default is the job's token)" }),
  INPUT_COMMENT: flag.default(false),
  INPUT_RENDER: flag.default(true),
  INPUT_SARIF: z.string().default("route-governor.sarif"),
  "INPUT_REPORT-JSON": z.string().default("route-governor.json"),
});

export type RunnerSettings = z.infer<typeof RunnerEnv>;

/** An input the workflow leaves out reaches the action as an empty string: that is the default. */
export function runnerSettings(env: Readonly<Record<string, string | undefined>>): RunnerSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([name, value]) => !(name.startsWith("INPUT_") && value === "")));
  const parsed = RunnerEnv.safeParse(present);
  if (!parsed.success) {
    const name = (path: PropertyKey[]) => String(path[0]).replace(/^INPUT_(.*)$/, (_, input: string) => `input ${input.toLowerCase()}`);
    throw new Error(
      `not run as a GitHub Action step as expected: ${parsed.error.issues.map((issue) => `${name(issue.path)}: ${issue.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** The workflow's file name, as the API takes it for \`workflow_id\`. */
export const workflowFile = (workflowRef: string | undefined): string | undefined =>
  /\/\.github\/workflows\/([^/@]+)@/.exec(workflowRef ?? "")?.[1];

/** `name<<delimiter` form: a value may hold newlines or `=`. */
export async function setOutputs(file: string | undefined, outputs: Readonly<Record<string, string>>): Promise<void> {
  if (!file) return;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  await appendFile(
    file,
    Object.entries(outputs)
      .map(([name, value]) => `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
      .join(""),
  );
}

/** GitHub refuses a step summary over 1 MiB; the report is cut to a comment's size long before. */
export async function appendSummary(file: string | undefined, markdown: string): Promise<void> {
  if (file) await appendFile(file, markdown);
}
