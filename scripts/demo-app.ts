// `npm run demo:app`: the GitHub App, end to end, without a GitHub account. A small fake GitHub
// (test/app/fake-github.ts) holds the example PR (examples/base → examples/head); the real App
// runs in-process and receives signed webhooks; the transcript shows what a reviewer would see.
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Probot } from "probot";
import { routeGovernorApp } from "../src/app.js";
import { routeGovernorOctokit } from "../src/github/octokit.js";
import { readFolder } from "../src/sources/folder-source.js";
import { FakeGitHub, type FakeComment } from "../test/app/fake-github.js";
import { privateKey } from "../test/app/private-key.js";

const SECRET = "demo-webhook-secret";
const say = (text = ""): void => void process.stdout.write(`${text}\n`);
const tree = (folder: string) => Object.fromEntries(readFolder(folder).files.map((file) => [file.path, file.text]));

const github = await new FakeGitHub().start();
github.teams.set("example-org/platform-networking", ["pia"]);
github.teams.set("example-org/sre", ["sam"]);
const probot = new Probot({
  appId: github.appId,
  privateKey,
  secret: SECRET,
  baseUrl: github.apiUrl,
  logLevel: "fatal",
  Octokit: routeGovernorOctokit(),
});
await probot.load(routeGovernorApp({ ledgerSecret: SECRET, appId: github.appId }));

let delivery = 0;
async function deliver(event: { name: string; payload: Record<string, unknown> }, signature?: string): Promise<void> {
  const body = JSON.stringify(event.payload);
  await probot.webhooks.verifyAndReceive({
    id: `demo-${++delivery}`,
    name: event.name as never,
    payload: body,
    signature: signature ?? `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
  });
}

function status(head: string): void {
  const run = github.latestCheckRun(head)!;
  say(`   check run  "${run.name}" → ${run.conclusion ?? run.status}  (${run.output.title})`);
  for (const line of (run.output.summary ?? "").split("\n").slice(1)) say(`              ${line}`);
  say(`   labels     ${github.pull(7).labels.join(", ")}`);
  say(
    `   comment    ${github.appComments(7).length} living comment, ${github.appComments(7)[0]!.body.length.toLocaleString("en-US")} characters`,
  );
}

async function comment(login: string, body: string): Promise<FakeComment> {
  say(`\n💬 @${login}: ${body.replace(/\n/g, "\n              ")}`);
  const posted = github.comment(7, login, body);
  await deliver(github.issueCommentEvent("created", 7, posted));
  say(`   reactions  ${posted.reactions.map((r) => (r.content === "+1" ? "👍" : "👎")).join(" ") || "—"}`);
  for (const reply of github.pull(7).comments.filter((c) => c.body.includes(`route-governor:reply ${posted.id}:`))) {
    say(`   reply      ${reply.body.split("\n")[0]}`);
  }
  return posted;
}

say("Route Governor — the GitHub App on a fake GitHub (no account, no network)\n");
const base = github.commit(tree("examples/base"));
const head = github.commit(tree("examples/head"));
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const body = (await readFile("examples/pr-body.md", "utf8")).replace(
  /^- Rollout window: .*$/m,
  `- Rollout window: ${tomorrow}T01:00Z/${tomorrow}T03:00Z`,
);
github.openPull({ number: 7, author: "ana", base: "main", baseSha: base, headSha: head, body });

say("1. @ana opens PR #7: rebalance checkout across jkt/sgp, pre-stage tyo, simplify the case API.");
say("   The PR description carries change request, rollout window, rollback and test result.");
await deliver(github.pullRequestEvent("opened", 7));
status(head);

say("\n2. A forged delivery (wrong signature) is rejected before the App sees it:");
await deliver(github.pullRequestEvent("opened", 7), `sha256=${"0".repeat(64)}`).then(
  () => say("   accepted?! (this should not happen)"),
  (error: Error) => say(`   rejected: ${error.message.split("\n")[0]}`),
);

say("\n3. Commands. Everyone gets a reaction; refusals get a one-line reason.");
await comment("eve", "/approve");
await comment("ana", "/approve");
await comment(
  "ana",
  "/evidence synthetic-check https://synthetics.example.com/checkout\n/evidence metrics https://grafana.example.com/d/checkout",
);
status(head);
for (const login of ["dina", "maya", "pia"]) await comment(login, "/approve");
status(head);
await comment("sam", "/approve checked failover and capacity in sgp");
status(head);

const living = github.appComments(7)[0]!.body;
say("\n4. The living PR comment (first lines):\n");
say(
  living
    .split("\n")
    .slice(1, 4)
    .map((line) => `   │ ${line}`)
    .join("\n"),
);
say(`   │ …\n   │ ${living.split("\n").find((line) => line.startsWith("<details><summary>Approval record")) ?? ""}`);
say(
  `\nGitHub calls made: ${github.calls.length} (${new Set(github.calls.map((call) => `${call.method} ${call.path.replace(/\d+/g, "#")}`)).size} distinct routes).`,
);
say("Run it for real: register the App from app.yml, copy .env.example to .env, npm start.");
await github.stop();
