import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../app/fake-github.js";
import { privateKey } from "../app/private-key.js";
import { baseTree, EVIDENCE_BODY, headTree } from "../github/fixtures.js";

/**
 * The Lambda artifact end to end: the BUILT bundle (dist/lambda.mjs, as `npm run package` ships
 * it) imported by a real .mjs in a fresh Node process — not `node -e`, which hides a missing
 * `require` in ESM bundles — handling a signed API Gateway v2 event against the local fake GitHub.
 */
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const BUNDLE = join(ROOT, "dist/lambda.mjs");
const SECRET = "bundle-e2e-secret";

const github = new FakeGitHub(77, 6200);
let runner: string;

beforeAll(async () => {
  await run(process.execPath, [join(ROOT, "scripts/build.mjs"), "lambda"], { cwd: ROOT });
  await github.start();
  const dir = mkdtempSync(join(tmpdir(), "rg-lambda-"));
  runner = join(dir, "invoke.mjs");
  writeFileSync(
    runner,
    `import { handler } from ${JSON.stringify(BUNDLE)};\nconst response = await handler(JSON.parse(process.env.EVENT));\nprocess.stdout.write(JSON.stringify(response));\n`,
  );
}, 60_000);
afterAll(() => github.stop());

async function invoke(payload: Record<string, unknown>, name: string, secret = SECRET) {
  const body = JSON.stringify(payload);
  const event = {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    headers: { "x-github-delivery": "e2e-1", "x-github-event": name, "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
    isBase64Encoded: true,
    body: Buffer.from(body).toString("base64"),
  };
  const { stdout } = await run(process.execPath, [runner], {
    env: { PATH: process.env.PATH, EVENT: JSON.stringify(event), APP_ID: String(github.appId), PRIVATE_KEY: privateKey, WEBHOOK_SECRET: SECRET, GHE_HOST: github.host, GHE_PROTOCOL: "http", LOG_LEVEL: "fatal" },
  });
  return JSON.parse(stdout) as { statusCode: number; body: string };
}

describe("the built Lambda bundle in a fresh Node process", () => {
  it("reviews a signed pull_request.opened: check run and comment on the fake GitHub", async () => {
    const head = github.commit(headTree());
    github.openPull({ number: 7, author: "ana", base: "main", baseSha: github.commit(baseTree()), headSha: head, body: EVIDENCE_BODY });
    const response = await invoke(github.pullRequestEvent("opened", 7).payload, "pull_request");
    expect(response.statusCode).toBe(200);
    const check = github.latestCheckRun(head)!;
    expect(check.name).toBe("Route Governor (main)");
    expect(check.conclusion).toBe("action_required");
    const comments = github.appComments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("backend.weight-changed");
  });

  it("rejects a delivery signed with another secret and touches nothing", async () => {
    const calls = github.calls.length;
    const response = await invoke(github.pullRequestEvent("opened", 7).payload, "pull_request", "wrong-secret");
    expect(response.statusCode).toBe(401);
    expect(github.calls.length).toBe(calls);
  });
});
