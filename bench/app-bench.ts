import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot } from "probot";
import { routeGovernorApp } from "../src/app.js";
import { routeGovernorOctokit } from "../src/github/octokit.js";
import { readFolder } from "../src/sources/folder-source.js";
import { FakeGitHub } from "../test/app/fake-github.js";
import { privateKey } from "../test/app/private-key.js";
import { report, sample } from "./measure.js";

/**
 * One PR evaluation by the App, end to end, against the local fake GitHub behind a proxy that
 * answers every call 50 ms late (issue 4). Each delivery starts a fresh Probot, as a cold Lambda:
 * the installation token is fetched again. The PR is the bundled example (examples/base → head).
 * Goal: ≤ 2 s end to end.
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

const tree = async (dir: string) => Object.fromEntries((await readFolder(dir)).files.map((file) => [file.path, file.text]));

export async function benchAppEvaluation(runs = 5): Promise<void> {
  const github = await new FakeGitHub(77, 4242).start();
  const proxy = await latencyProxy(new URL(github.url));
  const apiUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/v3`;
  const head = github.commit(await tree("examples/head"));
  github.openPull({
    number: 1,
    author: "ana",
    base: "main",
    baseSha: github.commit(await tree("examples/base")),
    headSha: head,
    body: "Rebalance checkout.",
  });
  let calls = 0;
  try {
    const samples = await sample(runs, async () => {
      const probot = new Probot({
        appId: github.appId,
        privateKey,
        secret: "bench",
        baseUrl: apiUrl,
        logLevel: "fatal",
        Octokit: routeGovernorOctokit(),
      });
      await probot.load(routeGovernorApp({ ledgerSecret: "bench", appId: github.appId }));
      const before = github.calls.length;
      const start = performance.now();
      await probot.receive({ id: "bench", ...github.pullRequestEvent("synchronize", 1) } as never);
      calls = github.calls.length - before;
      return performance.now() - start;
    });
    report(`app evaluation, GitHub answering in ${LATENCY_MS} ms`, samples);
    console.log(`  ${calls} GitHub calls per evaluation; check: ${github.latestCheckRun(head)?.conclusion} (goal ≤ 2000 ms)`);
  } finally {
    proxy.close();
    await github.stop();
  }
}
