import { readFile } from "node:fs/promises";
import packageJson from "../package.json" with { type: "json" };
import { parseArgs } from "node:util";
import { PolicyError, resolvePolicy } from "./policy/load-policy.js";
import { renderJson } from "./report/json-report.js";
import { renderMarkdown } from "./report/markdown-report.js";
import { POLICY_PATH, reviewChange } from "./review.js";
import { readFolder, type SourceTree } from "./sources/folder-source.js";
import { readGitTree } from "./sources/git-source.js";

/**
 * `route-governor review`: the App's evaluation, offline, on two folders or two git refs.
 * Exit 0 = pass, 1 = requirements unmet or a manifest invalid, 2 = usage error.
 */
const USAGE = `Usage: route-governor review --base <dir|ref> --head <dir|ref> [options]

Options:
  --repo <git-dir>        read --base and --head as git refs of this repository (no checkout)
  --policy <file>         policy file (default: ${POLICY_PATH} of the base tree, else built-in defaults)
  --body <file>           PR description with a "## Change evidence" section
  --format <fmt>          markdown (default) or json
  --now <iso-time>        judge rollout windows and freezes as of this instant (default: now)
  -h, --help              show this help
  -v, --version           print the version`;

class UsageError extends Error {}

const OPTIONS = {
  base: { type: "string" },
  head: { type: "string" },
  repo: { type: "string" },
  policy: { type: "string" },
  body: { type: "string" },
  format: { type: "string", default: "markdown" },
  now: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

async function readTree(where: string, repo: string | undefined): Promise<SourceTree> {
  if (repo) return readGitTree(repo, where);
  return readFolder(where);
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new UsageError(`cannot read ${what} file: ${path}`);
  }
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout(`${packageJson.version}\n`);
    return 0;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  // Called with nothing to do: the usage is the error message.
  if (positionals.length === 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = positionals;
  if (command !== "review") throw new UsageError(`unknown command: ${command}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
  if (!values.base || !values.head) throw new UsageError("review needs --base and --head");
  if (values.format !== "markdown" && values.format !== "json") throw new UsageError(`--format must be markdown or json, not ${values.format}`);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now is not a date: ${values.now}`);

  const [base, head] = await Promise.all([readTree(values.base, values.repo), readTree(values.head, values.repo)]).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const policyText = values.policy ? await readText(values.policy, "policy") : base.files.find((file) => file.path === POLICY_PATH)?.text;
  const { policy, source } = resolvePolicy(policyText, values.policy ?? (policyText === undefined ? "built-in defaults" : `${POLICY_PATH} (base)`));
  const body = values.body ? await readText(values.body, "body") : "";

  const result = reviewChange({ base: base.files, head: head.files, links: { base: base.links, head: head.links }, policy, policySource: source, body, now });
  io.stdout(values.format === "json" ? renderJson(result) : renderMarkdown(result));
  return result.decision === "pass" ? 0 : 1;
}

/** Runs one command line; never throws: errors become a one-line message and an exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    const expected = error instanceof UsageError || error instanceof PolicyError;
    io.stderr(`route-governor: ${expected ? (error as Error).message : `internal error: ${(error as Error).stack ?? String(error)}`}\n`);
    return expected ? 2 : 1;
  }
}
