import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { gitHubTrees } from "../src/github/github-pull-request.js";
import { routeGovernorOctokit } from "../src/github/octokit.js";
import { GUNZIP_CHUNK_BYTES } from "../src/github/tarball.js";

/**
 * One fresh process per measurement of repository-size-bench.ts, so its peak memory is this read
 * alone. `side <api> <sha>…`: sides read as the App reads them, in parallel as it reads base and
 * head (tree listing, tarball download, gunzip, tar, blob ids). `floor <url>`: the archive downloaded and gunzipped to nowhere, the
 * least any reader of it costs. Prints `result {json}` on stderr, beside /usr/bin/time's report.
 */
const [mode, url, ...shas] = process.argv.slice(2) as [string, string, ...string[]];
const start = performance.now();
let result: Record<string, number>;
if (mode === "side") {
  const Octokit = routeGovernorOctokit();
  const octokit = new Octokit({ auth: { token: "ghs_bench" }, baseUrl: url });
  const readSide = gitHubTrees(octokit, { owner: "acme", repo: "traffic" });
  const sides = await Promise.all(shas.map((sha) => readSide(sha)));
  result = { ms: performance.now() - start, files: sides.reduce((sum, side) => sum + side.files.length, 0) };
} else {
  const response = await fetch(url);
  let bytes = 0;
  await pipeline(response.body!, createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), async (tar: AsyncIterable<Buffer>) => {
    for await (const chunk of tar) bytes += chunk.length;
  });
  result = { ms: performance.now() - start, bytes };
}
process.stderr.write(`result ${JSON.stringify({ ...result, maxRssKb: process.resourceUsage().maxRSS })}\n`);
