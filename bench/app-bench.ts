import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot } from "probot";
import { routeGovernorApp } from "../src/app.js";
import { routeGovernorOctokit } from "../src/github/octokit.js";
import { readFolder } from "../src/sources/folder-source.js";
import { FakeGitHub } from "../test/app/fake-github.js";
import { privateKey } from "../test/app/private-key.js";
import type { SourceFile } from "../src/core/source-file.js";
import { generateFleet } from "./generate-fleet.js";
import { report, sample } from "./measure.js";

/**
 * One PR evaluation by the App, end to end, against the local fake GitHub behind a proxy that
 * answers every call 50 ms late (issue 4). Each delivery starts a fresh Probot, as a cold Lambda:
 * the installation token is fetched again. The PRs: a generated 300-file one (issue 13), and the
 * bundled example (examples/base → head). Goal: ≤ 2 s end to end, cold. The samples share one
 * process, as deliveries to a warm server or Lambda do: the analysis thread that answered takes the
 * next PR. The process's first evaluation (the 300-file PR's first sample, reported apart) is the
 * cold one, as on a Lambda's cold start: its thread has compiled nothing yet.
 */
const LATENCY_MS = 50;

function latencyProxy(target: URL): Promise<Server> {
  const server = createServer((incoming, outgoing) => {
    setTimeout(() => {
      const upstream = forward(
        { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      incoming.pipe(upstream);
    }, LATENCY_MS);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const tree = (dir: string) => Object.fromEntries(readFolder(dir).files.map((file) => [file.path, file.text]));

/** A generated PR of this many files (a shared Gateway, routes to ServiceImports in three regions, every tenth file re-weighted). */
function fleetTrees(files: number): { base: Record<string, string>; head: Record<string, string> } {
  const { base, head } = generateFleet({ files, routesPerFile: 10, changeEvery: 10, infrastructure: true });
  const policy = { ".github/route-governor.yml": `topology: { backendRegions: ["-(?<region>jkt|sgp|tyo)$"] }\n` };
  const asTree = (tree: readonly SourceFile[]) => ({ ...policy, ...Object.fromEntries(tree.map((file) => [file.path, file.text])) });
  return { base: asTree(base), head: asTree(head) };
}

export async function benchAppEvaluation(runs = 5): Promise<void> {
  const github = await new FakeGitHub(77, 4242).start();
  const proxy = await latencyProxy(new URL(github.url));
  const apiUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/v3`;
  const fleet = fleetTrees(300);
  const pulls = [
    { number: 1, what: "a 300-file PR (3,000 routes a side)", ...fleet },
    { number: 2, what: "the example PR", base: tree("examples/base"), head: tree("examples/head") },
  ];
  try {
    for (const pull of pulls) {
      const head = github.commit(pull.head);
      github.openPull({
        number: pull.number,
        author: "ana",
        base: "main",
        baseSha: github.commit(pull.base),
        headSha: head,
        body: "Rebalance.",
      });
      let calls = 0;
      const samples = await sample(runs, async () => {
        const probot = new Probot({
          appId: github.appId,
          privateKey,
          secret: "bench",
          baseUrl: apiUrl,
          logLevel: "fatal",
          Octokit: routeGovernorOctokit(),
        });
        // One analysis slot, as the Lambda worker has (src/lambda-worker.ts).
        await probot.load(routeGovernorApp({ ledgerSecret: "bench", appId: github.appId, analysisLimits: { concurrent: 1 } }));
        const before = github.calls.length;
        const start = performance.now();
        await probot.receive({ id: "bench", ...github.pullRequestEvent("synchronize", pull.number) } as never);
        calls = github.calls.length - before;
        return performance.now() - start;
      });
      report(`app evaluation of ${pull.what}, GitHub answering in ${LATENCY_MS} ms`, samples);
      console.log(`  first evaluation ${samples[0]!.toFixed(0)} ms${pull === pulls[0] ? " (cold: the process's first)" : ""}`);
      const run = github.latestCheckRun(head);
      console.log(`  ${calls} GitHub calls per evaluation; check: ${run?.conclusion} (goal ≤ 2000 ms)`);
      if (run?.conclusion === "failure") console.log(`  ${run.output.summary?.split("\n").slice(0, 3).join(" ")}`);
    }
  } finally {
    proxy.close();
    await github.stop();
  }
}
