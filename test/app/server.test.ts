import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, startServer, type RunningServer } from "../../src/server.js";
import { baseTree, headTree } from "../github/fixtures.js";
import { deliverWebhook, FakeGitHub } from "./fake-github.js";
import { privateKey } from "./private-key.js";
import { SOURCE_ANALYSIS_THREAD } from "../helpers/source-analysis-thread.js";

/**
 * End to end over HTTP: the real server (`npm start`'s startServer) on loopback, signed webhooks,
 * and GHE_HOST pointing at the fake GitHub. opened → /evidence → /approve → success.
 */
const SECRET = "e2e-secret";

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

let fake: FakeGitHub;
let server: RunningServer;
let webhooks: string;

beforeAll(async () => {
  fake = await new FakeGitHub().start();
  const port = await freePort();
  server = await startServer(
    {
      APP_ID: String(fake.appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "fatal",
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
    },
    { retry: { retryAfterBaseValue: 1 } },
    SOURCE_ANALYSIS_THREAD,
  );
  webhooks = `http://127.0.0.1:${server.port}/api/github/webhooks`;
});
afterAll(async () => {
  await server?.stop();
  await fake?.stop();
});

/**
 * Posts an unsigned body of `chunks` MiB, declared with `contentLength` or chunked; resolves
 * with the status as soon as the server answers, however much is left unsent.
 */
const postLarge = (url: string, chunks: number, contentLength?: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const headers = {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": "big",
      ...(contentLength ? { "content-length": String(contentLength) } : {}),
    };
    const request = httpRequest(url, { method: "POST", headers }, (response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      request.destroy();
    });
    request.on("error", (error) => (request.destroyed ? undefined : reject(error)));
    const chunk = Buffer.alloc(1024 * 1024, 32);
    let sent = 0;
    const pump = () => {
      while (sent < chunks && !request.destroyed) {
        sent++;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      if (!request.destroyed) request.end();
    };
    pump();
  });

describe("the server's body limit (issue 12, 16)", () => {
  it("refuses a body declared larger than the limit with 413, before reading it", async () => {
    expect(await postLarge(webhooks, 2, 1024 * 1024 * 1024)).toBe(413);
  });

  it("refuses a chunked body once it passes the limit, without verifying or processing anything", async () => {
    const calls = fake.calls.length;
    expect(await postLarge(webhooks, MAX_BODY_BYTES / (1024 * 1024) + 2)).toBe(413);
    expect(fake.calls.length).toBe(calls);
  });
});

describe("the server, end to end", () => {
  it("rejects a delivery with an invalid signature and processes nothing", async () => {
    fake.openPull({ number: 9, author: "ana", base: "main", baseSha: fake.commit(baseTree()), headSha: fake.commit(headTree()) });
    const response = await deliverWebhook(webhooks, SECRET, fake.pullRequestEvent("opened", 9), { signature: `sha256=${"0".repeat(64)}` });
    expect(response.status).toBe(400);
    expect(fake.calls).toEqual([]);
  });

  it("opened → /evidence → /approve → success: one comment, the check run and its conclusion", async () => {
    const head = fake.commit(headTree());
    fake.openPull({ number: 7, author: "ana", base: "main", baseSha: fake.commit(baseTree()), headSha: head });
    const deliver = async (event: { name: string; payload: Record<string, unknown> }) =>
      expect((await deliverWebhook(webhooks, SECRET, event)).status).toBe(200);

    await deliver(fake.pullRequestEvent("opened", 7));
    expect(fake.latestCheckRun(head)).toEqual(
      expect.objectContaining({ name: "Route Governor (main)", status: "completed", conclusion: "action_required" }),
    );
    expect(fake.appComments(7)).toHaveLength(1);
    expect(fake.appComments(7)[0]!.body).toContain("evidence change-request: missing");

    const evidence = fake.comment(7, "ana", "/evidence change-request CHG-4821\n/evidence rollback git revert HEAD");
    await deliver(fake.issueCommentEvent("created", 7, evidence));
    expect(evidence.reactions).toEqual([{ user: "route-governor[bot]", content: "+1" }]);
    expect(fake.latestCheckRun(head)?.conclusion).toBe("action_required");

    const approval = fake.comment(7, "dina", "/approve");
    await deliver(fake.issueCommentEvent("created", 7, approval));
    expect(fake.latestCheckRun(head)).toEqual(
      expect.objectContaining({ conclusion: "success", details_url: fake.appComments(7)[0]!.html_url }),
    );
    expect(fake.appComments(7)).toHaveLength(1);
    expect(fake.appComments(7)[0]!.body).toContain("all requirements met");
    expect(fake.pull(7).labels).toEqual(["risk/medium-high"]);
  });
});
