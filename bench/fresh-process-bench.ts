import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { SourceFile } from "../src/review.js";
import { generateFleet } from "./generate-fleet.js";
import { median, report } from "./measure.js";

/**
 * The review as users meet it (issue 13): the CLI as a fresh process — module loading, reading the
 * folders, the review and the JSON report — against a fresh process that reads the same files and
 * js-yaml `loadAll`s both sides. Peak memory is the child's maximum resident set size.
 * Goals: wall time ≤ 1.5 × the bare parse at 500 and 2,000 files; peak ≤ 300 MB at 2,000 files.
 */
const CLI = resolve("bin/route-governor.mjs");
// In dist/, so `js-yaml` resolves from the project's node_modules.
const BARE = resolve("dist/bare-parse.mjs");
const TIME = "/usr/bin/time";
const POLICY = `topology: { backendRegions: ["-(?<region>jkt|sgp|tyo)$"] }\n`;

const BARE_SOURCE = `import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as jsyaml from "js-yaml";
let documents = 0;
for (const root of process.argv.slice(2)) {
  for (const path of readdirSync(root, { recursive: true })) {
    if (/\\.ya?ml$/.test(path)) documents += jsyaml.loadAll(readFileSync(join(root, path), "utf8")).length;
  }
}
process.stderr.write(\`maxrss \${process.resourceUsage().maxRSS}\\n\`);
process.stdout.write(String(documents));
`;

export interface Run {
  readonly ms: number;
  /** User + system CPU time: steadier than wall time when other work shares the machine; NaN without /usr/bin/time. */
  readonly cpuMs: number;
  readonly peakMb: number;
  readonly stderr: string;
}

/** `/usr/bin/time -v` measures the child from outside; without it the child reports its own maxRSS. */
export function runFresh(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const timed = existsSync(TIME);
  const [command, argv] = timed ? [TIME, ["-v", process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      // The CLI exits 1 when the PR does not meet its policy: a result, not a failure.
      if (code !== 0 && code !== 1) return reject(new Error(`${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
      const kb = timed ? /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] : /maxrss (\d+)/.exec(stderr)?.[1];
      const seconds = (label: string) => Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(stderr)?.[1] ?? Number.NaN);
      resolvePromise({ ms, cpuMs: (seconds("User") + seconds("System")) * 1000, peakMb: Number(kb ?? Number.NaN) / 1024, stderr });
    });
  });
}

function writeTree(root: string, files: readonly SourceFile[]): void {
  for (const file of [...files, { path: ".github/route-governor.yml", text: POLICY }]) {
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
}

/**
 * The CLI keeps its compiled code in a cache (src/compile-cache.ts): each bench run gives it a new
 * one, so the first CLI run of the first size compiles cold, as a user's first run does; it is
 * reported alone, and the medians are of runs that found the cache.
 */
async function measureSize(files: number, runs: number, cacheHome: string, reportCold: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rg-fresh-"));
  try {
    const { base, head } = generateFleet({ files, routesPerFile: 10, changeEvery: 10, infrastructure: true });
    writeTree(join(dir, "base"), base);
    writeTree(join(dir, "head"), head);
    const bare: Run[] = [];
    const cli: Run[] = [];
    const review = () =>
      runFresh(
        [
          CLI,
          "review",
          "--base",
          join(dir, "base"),
          "--head",
          join(dir, "head"),
          "--format",
          "json",
          "--no-render",
          "--now",
          "2026-11-22T00:00:00Z",
        ],
        { ...process.env, XDG_CACHE_HOME: cacheHome },
      );
    if (reportCold) {
      const cold = await review();
      console.log(
        `${files} files: route-governor review, first run (cold compile cache) ${cold.ms.toFixed(0)} ms, CPU ${cold.cpuMs.toFixed(0)} ms`,
      );
    }
    // Interleaved, so a slow spell of the shared machine hits both alike.
    for (let i = 0; i < runs; i++) {
      bare.push(await runFresh([BARE, join(dir, "base"), join(dir, "head")]));
      cli.push(await review());
    }
    const bareMs = report(
      `${files} files: bare js-yaml loadAll, fresh process`,
      bare.map((run) => run.ms),
    );
    const cliMs = report(
      `${files} files: route-governor review, fresh process`,
      cli.map((run) => run.ms),
    );
    const bareCpu = median(bare.map((run) => run.cpuMs));
    const cliCpu = median(cli.map((run) => run.cpuMs));
    const bareMb = median(bare.map((run) => run.peakMb));
    const cliMb = median(cli.map((run) => run.peakMb));
    console.log(`  peak RSS median: review ${cliMb.toFixed(0)} MB, bare parse ${bareMb.toFixed(0)} MB`);
    console.log(`  CPU time median: review ${cliCpu.toFixed(0)} ms, bare parse ${bareCpu.toFixed(0)} ms`);
    console.log(
      `  ratio review / bare parse: wall ${(cliMs / bareMs).toFixed(2)} (goal ≤ 1.5), CPU ${(cliCpu / bareCpu).toFixed(2)}, peak ${(cliMb / bareMb).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFreshProcess(): Promise<void> {
  writeFileSync(BARE, BARE_SOURCE);
  const cacheHome = mkdtempSync(join(tmpdir(), "rg-fresh-cache-"));
  try {
    await measureSize(500, 5, cacheHome, true);
    await measureSize(2_000, 3, cacheHome, false);
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
  console.log("  (goal: peak ≤ 300 MB at 2,000 files)");
}
