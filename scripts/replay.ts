// `npm run replay -- --repo <git dir> [--range A..B] [--max N] [--out file.jsonl] [--no-render] [--policy file] [--only pathspec] [--fresh]`:
// reviews every commit of a repository's history that touches YAML, each against its first
// parent, as the CLI would review that commit as a PR (rendering kustomize and Helm as it does).
// `--policy` reviews every commit under that policy, as a team adopting one would, instead of the
// base tree's. Prints one line a commit (exit code, risk, class counts, time) and the totals: the team's
// instrument for precision on real histories. `--only` keeps the commits that touch YAML under a git
// pathspec (`samples/`): a large repository's traffic config is often one folder among many.
// `--commits file.jsonl` reviews exactly the commits an earlier `--out` holds (one JSON line a
// commit, or one commit a line), whatever `--range`/`--only`/`--max` chose then: two builds compared
// commit for commit. `--fresh` reviews each commit with a cache of its own, as the CLI and the App review one PR (what
// a review lets go of once a later one cannot want it is let go): slower, and what users run.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createManifestCache, type ManifestCache } from "../src/manifests/load-manifests.js";
import { resolvePolicy } from "../src/policy/load-policy.js";
import { atLeast } from "../src/core/risk-level.js";
import { reviewTrees } from "../src/command-line.js";
import { POLICY_PATH } from "../src/review.js";
import { readGitTree, type BlobTexts } from "../src/sources/git-source.js";

const USAGE =
  "Usage: npm run replay -- --repo <git dir> [--range A..B] [--max N] [--commits file] [--out file.jsonl] [--no-render] [--policy file] [--only pathspec] [--fresh]";

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    range: { type: "string" },
    max: { type: "string" },
    out: { type: "string" },
    "no-render": { type: "boolean" },
    policy: { type: "string" },
    only: { type: "string" },
    commits: { type: "string" },
    fresh: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});
if (values.help || !values.repo) {
  (values.help ? console.log : console.error)(USAGE);
  process.exit(values.help ? 0 : 2);
}
const repo = values.repo;
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });

// Oldest first, first-parent: a merge is reviewed as what it brought to the branch.
const under = values.only === undefined ? "" : `${values.only.replace(/\/$/, "")}/`;
const commits = git("rev-list", "--reverse", "--first-parent", values.range ?? "HEAD", "--", `${under}*.yaml`, `${under}*.yml`)
  .split("\n")
  .filter(Boolean);
const listed = values.commits === undefined ? undefined : commitsListed(readFileSync(values.commits, "utf8"));
const selected = listed ?? (values.max ? commits.slice(-Number(values.max)) : commits);
const NOW = new Date("2026-12-01T12:00:00Z");

/** The commits of an earlier replay's `--out` (its rows' `commit`), or of a list of one a line. */
function commitsListed(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => (line.startsWith("{") ? String((JSON.parse(line) as { commit: unknown }).commit) : line));
}
const chosenPolicy = values.policy === undefined ? undefined : readFileSync(values.policy, "utf8");

interface Row {
  commit: string;
  subject: string;
  exit: number | "crash";
  risk: string;
  blocking: Record<string, number>;
  other: Record<string, number>;
  ms: number;
  findings?: unknown[];
  error?: string;
}

const rows: Row[] = [];
const out: string[] = [];
let cache: ManifestCache = createManifestCache({ acrossChanges: true });
let blobs: BlobTexts = new Map();
for (const [index, commit] of selected.entries()) {
  const subject = git("log", "-1", "--format=%s", commit).trim();
  const parent = git("rev-list", "--max-count=1", "--skip=1", "--first-parent", commit).trim();
  const started = performance.now();
  let row: Row;
  try {
    if (!parent) throw new Error("root commit: nothing to compare with");
    // Neighbouring commits share most blobs: each is read once while the cache lasts.
    const base = await readGitTree(repo, parent, blobs);
    const head = await readGitTree(repo, commit, blobs);
    const policyText = chosenPolicy ?? base.files.find((file) => file.path === POLICY_PATH)?.text;
    const { policy, source } = resolvePolicy(policyText, values.policy ?? (policyText === undefined ? "built-in defaults" : POLICY_PATH));
    // A long history would hold every file text ever seen: start the cache afresh now and then.
    if (index % 50 === 0) [cache, blobs] = [createManifestCache({ acrossChanges: true }), new Map()];
    if (values.fresh) cache = createManifestCache();
    const result = await reviewTrees(base, head, { policy, policySource: source, body: "", now: NOW, cache, render: !values["no-render"] });
    const blocking: Record<string, number> = {};
    const other: Record<string, number> = {};
    for (const finding of result.analysis.findings) {
      const counts = finding.class === "manifest.invalid" || atLeast(finding.risk, "medium") ? blocking : other;
      counts[finding.class] = (counts[finding.class] ?? 0) + 1;
    }
    row = {
      commit,
      subject,
      exit: result.decision === "pass" ? 0 : 1,
      risk: result.risk,
      blocking,
      other,
      ms: Math.round(performance.now() - started),
      findings: result.analysis.findings.map(({ class: cls, risk, summary, file, line }) => ({ class: cls, risk, summary, file, line })),
    };
  } catch (error) {
    row = {
      commit,
      subject,
      exit: "crash",
      risk: "-",
      blocking: {},
      other: {},
      ms: Math.round(performance.now() - started),
      error: (error as Error).stack ?? String(error),
    };
    // A root commit is no crash: it has nothing to compare with.
    if (!parent) row.exit = 0;
  }
  rows.push(row);
  if (values.out) out.push(JSON.stringify(row));
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, n]) => `${k}×${n}`)
      .join(" ");
  console.log(
    [
      row.commit.slice(0, 10),
      `exit=${row.exit}`,
      `risk=${row.risk}`,
      `${row.ms}ms`,
      counts(row.blocking) || "-",
      row.subject.slice(0, 70),
      row.error ? `ERROR ${row.error.split("\n")[0]}` : "",
    ].join("\t"),
  );
}
if (values.out) writeFileSync(values.out, `${out.join("\n")}\n`);

const reviewed = rows.length;
const crashes = rows.filter((row) => row.exit === "crash");
const blocked = rows.filter((row) => row.exit === 1);
const slowest = [...rows].sort((a, b) => b.ms - a.ms).slice(0, 3);
const median = [...rows].map((row) => row.ms).sort((a, b) => a - b)[Math.floor(reviewed / 2)] ?? 0;
const classTotals: Record<string, number> = {};
for (const row of rows) for (const [cls, n] of Object.entries(row.blocking)) classTotals[cls] = (classTotals[cls] ?? 0) + n;
console.log(
  `\n${reviewed} commits reviewed, ${blocked.length} blocked (${((100 * blocked.length) / Math.max(1, reviewed)).toFixed(1)} %), ${crashes.length} crashes, median ${median} ms`,
);
console.log(`slowest: ${slowest.map((row) => `${row.commit.slice(0, 10)} ${row.ms} ms`).join(", ")}`);
console.log(
  `blocking findings by class: ${
    Object.entries(classTotals)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "none"
  }`,
);
for (const crash of crashes) console.log(`crash ${crash.commit.slice(0, 10)}: ${crash.error}`);
process.exit(crashes.length > 0 ? 1 : 0);
