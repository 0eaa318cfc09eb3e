import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { gitHubTrees } from "../../src/github/github-pull-request.js";
import { readGzippedTarball } from "../../src/github/tarball.js";
import { archiveTopDirectory, tarGzStream } from "./fake-archive.js";

/**
 * The archive's download over real HTTP (nock reads a streamed reply to its end before answering,
 * so it cannot show a download stopped half-way): a reader that gives up closes the connection.
 * `closedEarly` says whether the watched response was closed before it was written to its end.
 */
async function withServer(
  answer: (request: IncomingMessage, response: ServerResponse, watch: (response: ServerResponse) => void) => void,
  run: (url: string, closedEarly: Promise<boolean>) => Promise<void>,
): Promise<void> {
  let settle: (early: boolean) => void;
  const closedEarly = new Promise<boolean>((resolve) => (settle = resolve));
  const watch = (response: ServerResponse) => response.on("close", () => settle(!response.writableFinished));
  const server = createServer((request, response) => answer(request, response, watch));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, closedEarly);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const HEAD = "c".repeat(40);

describe("a download stopped half-way closes its connection", () => {
  it("an archive that turns out corrupt: the rest is not read", async () => {
    await withServer(
      (_, response, watch) => {
        watch(response);
        response.writeHead(200, { "content-type": "application/x-gzip" });
        const gzip = createGzip();
        gzip.pipe(response);
        // Not tar, and endless: only the reader giving up ends it.
        const endless = () => {
          while (gzip.write(randomBytes(64 * 1024)));
          gzip.once("drain", endless);
        };
        endless();
      },
      async (url, closedEarly) => {
        const { body } = await fetch(url);
        await expect(readGzippedTarball(body!, () => true)).rejects.toThrow("repository archive is corrupt: no ustar header at byte 0");
        expect(await closedEarly).toBe(true);
      },
    );
  });

  it("a tree listing that fails: nothing is left to check the archive against, so its download stops", async () => {
    await withServer(
      (request, response, watch) => {
        if (request.url!.includes("/git/trees/")) {
          // Late, so the archive is mid-download when the listing fails.
          setTimeout(() => response.writeHead(200, { "content-type": "application/json" }).end(`{"truncated":true,"tree":[]}`), 200);
          return;
        }
        watch(response);
        response.writeHead(200, { "content-type": "application/x-gzip" });
        tarGzStream({}, archiveTopDirectory("acme", "traffic", HEAD), HEAD, { path: "big.bin", size: 1024 ** 4 }).pipe(response);
      },
      async (baseUrl, closedEarly) => {
        const octokit = new ProbotOctokit({
          auth: { token: "ghs_test" },
          baseUrl,
          throttle: { enabled: false },
          retry: { enabled: false },
        });
        await expect(gitHubTrees(octokit, { owner: "acme", repo: "traffic" })(HEAD)).rejects.toThrow(/too large for GitHub to list/);
        expect(await closedEarly).toBe(true);
      },
    );
  });
});
