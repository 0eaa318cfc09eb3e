import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { treeEntries } from "../test/github/git-repository.js";
import { runFresh } from "./fresh-process-bench.js";
import { generateFleet } from "./generate-fleet.js";
import { median, report } from "./measure.js";

/**
 * Repository size (issue 12): one side of a PR read as the App reads it — the recursive tree from
 * the API, the tarball streamed from "codeload" (a redirect, as github.com answers), gunzipped, its
 * tar parsed, the YAML checked against git's blob ids — from a local server, in a fresh process
 * per run so its peak resident memory is that read alone. The archives are `git archive` output of
 * a generated repository: 500 or 2,000 YAML files of HTTPRoutes, with or without 300 MB of other
 * files (random binaries gzip cannot shrink, and log-like text); then both sides of a PR in
 * parallel, as the App reads them. Goal: peak ≤ 256 MB with the 300 MB, and time growing with the
 * YAML, not with the other files beyond the cost of gunzipping them (measured on its own as the
 * floor: download and gunzip, nothing kept).
 */
const CHILD = resolve("dist/read-side-child.mjs");
const MB = 1024 * 1024;
const OTHER_BYTES = 300 * MB;
const RUNS = 3;

interface Commit {
  readonly yamlFiles: number;
  readonly other: boolean;
  readonly label: string;
  readonly sha: string;
  readonly archive: string;
  readonly tree: string;
}

/** One repository, four commits: small and large YAML, each without and with the other files (stored once by git). */
function generateRepository(dir: string): Commit[] {
  const work = join(dir, "repo");
  const git = (...args: string[]): Buffer =>
    execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" },
      maxBuffer: 64 * MB,
    });
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  };
  mkdirSync(work);
  git("init", "-q");
  const fleet = generateFleet({ files: 2_000, routesPerFile: 10, changeEvery: 10, infrastructure: true }).head;
  const small = fleet.slice(0, 500);
  const others: string[] = [];
  const commits: Commit[] = [];
  const commit = (yamlFiles: number) => {
    git("add", "-A");
    git("commit", "-q", "-m", `${yamlFiles} YAML files${others.length > 0 ? " and 300 MB of other files" : ""}`);
    const sha = git("rev-parse", "HEAD").toString().trim();
    const archive = join(dir, `${sha}.tar.gz`);
    git("archive", "--format=tar.gz", `--prefix=acme-traffic-${sha.slice(0, 7)}/`, "-o", archive, "HEAD");
    const tree = treeEntries(git);
    const paths = new Set(tree.map((entry) => entry.path));
    const yamlMb = fleet.filter((file) => paths.has(file.path)).reduce((sum, file) => sum + Buffer.byteLength(file.text), 0) / MB;
    commits.push({
      yamlFiles,
      other: others.length > 0,
      label: `${yamlFiles.toLocaleString("en")} YAML files (${yamlMb.toFixed(1)} MB)${others.length > 0 ? ` + ${OTHER_BYTES / MB} MB other files` : ""}, gz ${(statSync(archive).size / MB).toFixed(1)} MB`,
      sha,
      archive,
      tree: JSON.stringify({ sha, truncated: false, tree }),
    });
  };
  for (const file of small) write(file.path, file.text);
  commit(500);
  for (const file of fleet.slice(500)) write(file.path, file.text);
  commit(2_000);
  // Five sixths random binaries (release assets, images) gzip cannot shrink, one sixth log-like text it can.
  for (let written = 0, index = 0; written < OTHER_BYTES; index++) {
    const size = Math.min(10 * MB, OTHER_BYTES - written);
    const path = index % 6 === 5 ? `docs/logs/capture-${index}.log` : `assets/blob-${index}.bin`;
    const content = path.endsWith(".log")
      ? Array.from(
          { length: Math.ceil(size / 60) },
          (_, line) => `${String(line).padStart(9, "0")} GET /checkout ${randomBytes(18).toString("hex")}\n`,
        )
          .join("")
          .slice(0, size)
      : randomBytes(size);
    write(path, content);
    others.push(path);
    written += size;
  }
  commit(2_000);
  for (const file of fleet.slice(500)) unlinkSync(join(work, file.path));
  commit(500);
  rmSync(work, { recursive: true, force: true });
  return commits;
}

/** GitHub as the App meets it: the recursive tree, and the tarball endpoint redirecting to codeload, which streams the archive. */
function serve(commits: readonly Commit[]): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://local").pathname;
    const byTree = /^\/repos\/acme\/traffic\/git\/trees\/([0-9a-f]{40})$/.exec(path);
    const byTarball = /^\/repos\/acme\/traffic\/tarball\/([0-9a-f]{40})$/.exec(path);
    const byCodeload = /^\/_codeload\/acme\/traffic\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(path);
    const commit = commits.find((candidate) => candidate.sha === (byTree ?? byTarball ?? byCodeload)?.[1]);
    if (!commit) {
      response.writeHead(404, { "content-type": "application/json" }).end(`{"message":"Not Found"}`);
    } else if (byTree) {
      response.writeHead(200, { "content-type": "application/json" }).end(commit.tree);
    } else if (byTarball) {
      response.writeHead(302, { location: `/_codeload/acme/traffic/legacy.tar.gz/${commit.sha}` }).end();
    } else {
      response.writeHead(200, { "content-type": "application/x-gzip", "content-length": statSync(commit.archive).size });
      createReadStream(commit.archive).pipe(response);
    }
  });
  return new Promise((resolvePromise) => server.listen(0, "127.0.0.1", () => resolvePromise(server)));
}

interface Measured {
  readonly wallMs: number;
  readonly readMs: number;
  readonly peakMb: number;
}

async function measure(args: readonly string[]): Promise<Measured> {
  const run = await runFresh([CHILD, ...args]);
  const result = /result (\{.*\})/.exec(run.stderr)?.[1];
  if (!result) throw new Error(`${args.join(" ")}: no result (${run.stderr.slice(-2000)})`);
  const { ms, maxRssKb } = JSON.parse(result) as { ms: number; maxRssKb: number };
  return { wallMs: run.ms, readMs: ms, peakMb: Number.isNaN(run.peakMb) ? maxRssKb / 1024 : run.peakMb };
}

export async function benchRepositorySize(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rg-repo-size-"));
  let server: Server | undefined;
  try {
    const started = performance.now();
    const commits = generateRepository(dir);
    console.log(`  (generated with git and \`git archive --format=tar.gz\` in ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    server = await serve(commits);
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const read = new Map<Commit, number>();
    const floors = new Map<Commit, number>();
    const peaks: number[] = [];
    for (const commit of [...commits].sort((a, b) => a.yamlFiles - b.yamlFiles || Number(a.other) - Number(b.other))) {
      const runs: Measured[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(["side", api, commit.sha]));
      read.set(
        commit,
        report(
          `${commit.label}: read one side`,
          runs.map((run) => run.readMs),
        ),
      );
      const floor: Measured[] = [];
      for (let i = 0; i < RUNS; i++) floor.push(await measure(["floor", `${api}/_codeload/acme/traffic/legacy.tar.gz/${commit.sha}`]));
      floors.set(commit, median(floor.map((run) => run.readMs)));
      const peak = median(runs.map((run) => run.peakMb));
      peaks.push(peak);
      console.log(
        `  peak RSS median ${peak.toFixed(0)} MB; fresh process wall median ${median(runs.map((run) => run.wallMs)).toFixed(0)} ms; download + gunzip alone ${floors.get(commit)!.toFixed(0)} ms`,
      );
    }
    const at = (yamlFiles: number, other: boolean) => commits.find((commit) => commit.yamlFiles === yamlFiles && commit.other === other)!;
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    for (const yamlFiles of [500, 2_000]) {
      const [without, withOther] = [at(yamlFiles, false), at(yamlFiles, true)];
      console.log(
        `  ${yamlFiles.toLocaleString("en")} YAML files: the 300 MB of other files add ${ms(read.get(withOther)! - read.get(without)!)}; downloading and gunzipping them alone adds ${ms(floors.get(withOther)! - floors.get(without)!)}`,
      );
    }
    for (const other of [false, true]) {
      console.log(
        `  ${other ? "with" : "without"} the other files: 2,000 YAML files instead of 500 add ${ms(read.get(at(2_000, other))! - read.get(at(500, other))!)}`,
      );
    }
    const both: Measured[] = [];
    for (let i = 0; i < RUNS; i++) both.push(await measure(["side", api, at(500, true).sha, at(2_000, true).sha]));
    report(
      `a PR adding 1,500 YAML files beside the 300 MB: both sides in parallel, as the App reads them`,
      both.map((run) => run.readMs),
    );
    const bothPeak = median(both.map((run) => run.peakMb));
    peaks.push(bothPeak);
    console.log(`  peak RSS median ${bothPeak.toFixed(0)} MB`);
    console.log(`  highest peak ${Math.max(...peaks).toFixed(0)} MB (goal: ≤ 256 MB with 300 MB of other files in the repository)`);
  } finally {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
