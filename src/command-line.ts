import { readFile } from "node:fs/promises";
import packageJson from "../package.json" with { type: "json" };
import { parseArgs } from "node:util";
import { PolicyError, repositoryPolicy, resolvePolicy } from "./policy/load-policy.js";
import { renderJson } from "./report/json-report.js";
import { renderMarkdown } from "./report/markdown-report.js";
import { renderSarif } from "./report/sarif.js";
import { renderWorkflowCommands } from "./report/workflow-commands.js";
import { DEFAULT_RENDER_BUDGET_MS, renderForReview } from "./render/render-change.js";
import { POLICY_PATH, reviewChange, type ReviewInput, type ReviewResult } from "./review.js";
import { readFolder, type SourceTree } from "./sources/folder-source.js";
import { textsByPath } from "./core/source-file.js";
import { readAhead, type ReadAheadOptions } from "./sources/read-ahead.js";
import { createManifestCache } from "./manifests/load-manifests.js";
import { mergeBaseOf, readGitTree, type BlobTexts } from "./sources/git-source.js";

/**
 * `route-governor review`: the App's evaluation, offline, on two folders or two git refs.
 * Exit 0 = pass, 1 = requirements unmet or a manifest invalid, 2 = usage error.
 */
const USAGE = `Usage: route-governor review --base <dir|ref> --head <dir|ref> [options]

Options:
  --repo <git-dir>        read --base and --head as git refs of this repository (no checkout);
                          the PR's changes are merge-base(base, head) → head, as GitHub shows them
  --two-dot               with --repo: compare the base ref's own tree with head instead
  --policy <file>         policy file (default: ${POLICY_PATH} or .yaml of the base tree, else built-in defaults)
  --body <file|->         PR description with a "## Change evidence" section (- reads standard input)
  --format <fmt>          markdown (default), json, github (workflow commands: annotations in
                          GitHub Actions) or sarif (SARIF 2.1.0 for code scanning)
  --no-render             review kustomize overlays and Helm charts as written, without rendering
                          them with kubectl kustomize / helm template
  --now <iso-time>        judge rollout windows and freezes as of this instant, with its zone
                          (e.g. 2026-11-22T00:00:00Z; default: now)
  -h, --help              show this help
  -v, --version           print the version`;

class UsageError extends Error {}

const OPTIONS = {
  base: { type: "string" },
  head: { type: "string" },
  repo: { type: "string" },
  "two-dot": { type: "boolean" },
  policy: { type: "string" },
  body: { type: "string" },
  format: { type: "string", default: "markdown" },
  now: { type: "string" },
  "no-render": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

async function readTrees(base: string, head: string, repo: string | undefined, twoDot: boolean): Promise<[SourceTree, SourceTree]> {
  if (!repo) {
    const before = readFolder(base);
    return [before, readFolder(head, textsByPath(before.files))];
  }
  const from = twoDot ? base : await mergeBaseOf(repo, base, head);
  // One after the other: the head reads only the blobs the base did not have.
  const blobs: BlobTexts = new Map();
  const before = await readGitTree(repo, from, blobs);
  return [before, await readGitTree(repo, head, blobs)];
}

/**
 * Two trees reviewed as the CLI reviews them: rendered (unless told not to), then the pure review.
 * The replay (scripts/replay.ts) calls this too, so it measures exactly what users run.
 */
export async function reviewTrees(
  base: SourceTree,
  head: SourceTree,
  options: Pick<ReviewInput, "policy" | "policySource" | "body" | "now" | "cache" | "collect"> & {
    readonly render: boolean;
    /** Parse on the other cores first (the CLI's bundle has the worker entry). */
    readonly readAhead?: ReadAheadOptions;
  },
): Promise<ReviewResult> {
  const { render, readAhead: readingAhead, ...review } = options;
  const rendered = await renderForReview(base.files, head.files, review.policy, {
    budgetMs: DEFAULT_RENDER_BUDGET_MS,
    links: { base: base.links, head: head.links },
    ...(render ? {} : { off: "turned off (--no-render)" }),
  });
  const input = {
    base: base.files,
    head: head.files,
    links: { base: base.links, head: head.links },
    submodules: { base: base.submodules, head: head.submodules },
    rendered,
    ...review,
    cache: review.cache ?? createManifestCache(),
  };
  if (readingAhead) await readAhead(input, readingAhead);
  return reviewChange(input);
}

/** An instant needs its zone: a local time would judge windows differently on each machine. */
function instantOf(text: string): Date {
  const instant = new Date(text);
  if (Number.isNaN(instant.getTime())) throw new UsageError(`--now is not a date: ${text}`);
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text.trim()))
    throw new UsageError(`--now needs a time zone (Z or ±hh:mm), e.g. ${instant.toISOString()}: ${text}`);
  return instant;
}

/** parseArgs' message, in one line, with the option the user probably meant. */
function optionError(error: Error): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(error.message)?.[1];
  if (!unknown) return error.message.split("\n")[0]!;
  const names = Object.keys(OPTIONS);
  const typed = unknown.replace(/^-+/, "");
  const near = names.find((name) => editDistance(name, typed) <= 2);
  return `unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ""}; see --help`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

const FORMATS = {
  markdown: renderMarkdown,
  json: renderJson,
  github: renderWorkflowCommands,
  sarif: renderSarif,
} as const;

const isFormat = (name: string): name is keyof typeof FORMATS => Object.hasOwn(FORMATS, name);

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new UsageError(`cannot read ${what} file: ${path}`);
  }
}

async function readBody(path: string | undefined, io: CliIo): Promise<string> {
  if (path === undefined) return "";
  if (path !== "-") return readText(path, "body");
  if (!io.stdin) throw new UsageError("--body - reads standard input, and there is none here");
  return io.stdin();
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, read whole (`--body -`); absent where there is none to read. */
  readonly stdin?: () => Promise<string>;
  /** Where the read-ahead worker is, when the CLI runs as its bundle (bin/read-ahead-worker.mjs beside it). */
  readonly readAhead?: ReadAheadOptions;
  /** A full garbage collection, when the process can run one (src/full-collection.ts). */
  readonly collect?: () => void;
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(optionError(error as Error));
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
  const format = values.format;
  if (!isFormat(format)) throw new UsageError(`--format must be ${Object.keys(FORMATS).join(", ")}, not ${format}`);
  const now = values.now ? instantOf(values.now) : new Date();
  if (values["two-dot"] && !values.repo) throw new UsageError("--two-dot compares git refs: give --repo too");

  const [base, head] = await readTrees(values.base, values.head, values.repo, values["two-dot"] === true).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const { policy, source } = values.policy
    ? resolvePolicy(await readText(values.policy, "policy"), values.policy)
    : repositoryPolicy(base.files, " (base)");
  const body = await readBody(values.body, io);

  const result = await reviewTrees(base, head, {
    policy,
    policySource: source,
    body,
    now,
    render: !values["no-render"],
    ...(io.readAhead ? { readAhead: io.readAhead } : {}),
    ...(io.collect ? { collect: io.collect } : {}),
  });
  io.stdout(FORMATS[format](result));
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
