import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACTION_MARKER } from "../../src/action/action-report.js";
import { runAction } from "../../src/action/run-action.js";
import { FakeGitHub } from "../app/fake-github.js";
import { baseTree, EVIDENCE_BODY, headTree, ROUTE_PATH } from "../github/fixtures.js";
import { scratchDir } from "../helpers/scratch-trees.js";

/**
 * The Action end to end, as the runner starts it: a shallow clone of the base branch as the
 * workspace (what actions/checkout leaves), the event payload in a file (a real pull_request /
 * issue_comment payload from @octokit/webhooks-examples), the output and summary files, and the
 * project's fake GitHub as GITHUB_API_URL.
 */
const NUMBER = 7;

// Read directly, not through the App tests' nock helpers: nock's fetch interceptor must not stand between the Action and the fake.
const examples: WebhookDefinition[] = createRequire(import.meta.url)("@octokit/webhooks-examples");
const example = (name: string, action: string): Record<string, any> =>
  structuredClone(
    examples.find((definition) => definition.name === name)!.examples.find((e: any) => e.action === action) as Record<string, any>,
  );

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" })
    .toString("utf8")
    .trim();
}

function commitFiles(repo: string, files: Record<string, string>, message: string): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", message);
  return git(repo, "rev-parse", "HEAD");
}

/** origin: base, the PR branch off it, then one more commit on main (so the merge base is not the base tip). */
function repositories() {
  const root = scratchDir("rg-action-");
  const origin = join(root, "origin.git");
  const scratch = join(root, "scratch");
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", origin]);
  // GitHub serves any reachable commit by SHA; a bare repository must be told to.
  git(origin, "config", "uploadpack.allowAnySHA1InWant", "true");
  execFileSync("git", ["init", "-q", "-b", "main", scratch]);
  const mergeBase = commitFiles(scratch, baseTree(), "base");
  git(scratch, "checkout", "-qb", "change");
  const head = commitFiles(scratch, headTree(), "rebalance checkout");
  git(scratch, "checkout", "-q", "main");
  const baseTip = commitFiles(scratch, { "docs/notes.md": "unrelated\n" }, "docs");
  git(scratch, "push", "-q", origin, "main", "change");
  const workspace = join(root, "workspace");
  execFileSync("git", ["clone", "-q", "--depth=1", "--branch", "main", `file://${origin}`, workspace]);
  return { root, workspace, mergeBase, head, baseTip };
}

let fake: FakeGitHub;
let clock: number;
beforeEach(async () => {
  clock = Date.parse("2026-11-21T10:00:00Z");
  fake = await new FakeGitHub().start();
  fake.clock = () => new Date((clock += 60_000));
  fake.teams.set("acme/checkout-team", ["tom"]);
});
afterEach(() => fake.stop());

function runner(
  repos: ReturnType<typeof repositories>,
  event: { name: string; payload: Record<string, unknown> },
  inputs: Record<string, string> = {},
) {
  const dir = mkdtempSync(join(repos.root, "run-"));
  const files = { event: join(dir, "event.json"), output: join(dir, "output"), summary: join(dir, "summary.md") };
  writeFileSync(files.event, JSON.stringify(event.payload));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const env = {
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_WORKSPACE: repos.workspace,
    GITHUB_API_URL: fake.apiUrl,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_JOB: "route-governor",
    GITHUB_WORKFLOW_REF: "acme/traffic/.github/workflows/route-governor.yml@refs/heads/main",
    "INPUT_GITHUB-TOKEN": "ghs_fake",
    INPUT_COMMENT: "",
    INPUT_RENDER: "",
    INPUT_SARIF: "",
    "INPUT_REPORT-JSON": "",
    ...inputs,
  };
  return async () => {
    let stdout = "";
    const code = await runAction(env, { stdout: (text) => (stdout += text) }, new Date(clock));
    const outputs = Object.fromEntries(
      [...readFileSync(files.output, "utf8").matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1]!, m[3]!]),
    );
    return { code, stdout, outputs, summary: readFileSync(files.summary, "utf8") };
  };
}

const repository = { name: "traffic", owner: { login: "acme" } };

function pullRequestEvent() {
  const payload = example("pull_request", "opened");
  return {
    name: "pull_request",
    payload: {
      ...payload,
      number: NUMBER,
      pull_request: { ...payload.pull_request, number: NUMBER },
      repository: { ...payload.repository, ...repository },
    },
  };
}

function commentEvent(body: string, issue: "pull request" | "issue" = "pull request") {
  const payload = example("issue_comment", "created");
  const { pull_request: _link, ...plainIssue } = payload.issue;
  const base =
    issue === "pull request"
      ? { ...payload.issue, pull_request: { url: "https://api.github.example/repos/acme/traffic/pulls/7" } }
      : plainIssue;
  return {
    name: "issue_comment",
    payload: {
      ...payload,
      issue: { ...base, number: NUMBER },
      comment: { ...payload.comment, body },
      repository: { ...payload.repository, ...repository },
    },
  };
}

describe("the GitHub Action", () => {
  it("fails the job while the policy is unmet, with the summary, annotations, SARIF, JSON and outputs", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    const { code, stdout, outputs, summary } = await runner(repos, pullRequestEvent())();

    expect(code).toBe(1);
    expect(outputs).toMatchObject({ decision: "fail", risk: "medium-high" });
    expect(summary).toMatch(/^## Route Governor: 🟠 medium-high risk/);
    expect(summary).toContain("service-owners");
    // The base branch's later commit is not the PR's change: reviewed from the merge base.
    expect(summary).not.toContain("docs/notes.md");
    expect(stdout).toMatch(/^::warning file=routes\/checkout\.yaml,line=\d+,title=backend\.weight-changed \(medium-high\)::/m);
    expect(stdout).toMatch(/^::error title=Route Governor%3A policy not met::Route Governor: medium-high risk, unmet%0A- /m);

    const sarif = JSON.parse(readFileSync(outputs.sarif!, "utf8"));
    expect(sarif).toMatchObject({
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "Route Governor", rules: [{ id: "backend.weight-changed" }] } } }],
    });
    expect(sarif.runs[0].results).toEqual([
      expect.objectContaining({
        ruleId: "backend.weight-changed",
        ruleIndex: 0,
        level: "warning",
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: ROUTE_PATH, uriBaseId: "%SRCROOT%" }, region: { startLine: expect.any(Number) } },
          },
        ],
      }),
    ]);
    expect(JSON.parse(readFileSync(outputs["report-json"]!, "utf8"))).toMatchObject({
      version: 1,
      decision: "fail",
      policy: expect.stringContaining(`at main (${repos.baseTip.slice(0, 7)})`),
    });
    // The shallow clone was deepened to the merge base.
    expect(git(repos.workspace, "merge-base", repos.baseTip, repos.head)).toBe(repos.mergeBase);
  });

  it("passes once a member of the policy's group approves in a comment, and keeps one PR comment up to date", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    fake.comment(NUMBER, "eve", "/approve");
    const first = await runner(repos, commentEvent("/approve"), { INPUT_COMMENT: "true" })();
    expect(first.code).toBe(1);
    expect(first.summary).toContain("not a member of a group this PR needs");
    const comments = () => fake.pull(NUMBER).comments.filter((comment) => comment.body.startsWith(ACTION_MARKER));
    expect(comments()).toHaveLength(1);
    expect(first.outputs["comment-url"]).toBe(comments()[0]!.html_url);

    fake.comment(NUMBER, "tom", "/approve");
    const second = await runner(repos, commentEvent("/approve"), { INPUT_COMMENT: "true" })();
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ decision: "pass", risk: "medium-high" });
    expect(second.stdout).toMatch(/^::notice title=Route Governor::Route Governor: medium-high risk, satisfied$/m);
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain("✅ counted");
  });

  it("does not count an /approve posted before the head was pushed", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    const approval = fake.comment(NUMBER, "tom", "/approve");
    // As if the head had been pushed after tom commented.
    fake.workflowRuns[0]!.created_at = new Date(Date.parse(approval.created_at) + 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const { code, summary } = await runner(repos, commentEvent("/approve"))();
    expect(code).toBe(1);
    expect(summary).toContain(
      `@​tom's approval (${approval.html_url}) was given before Route Governor reported on head ${repos.head.slice(0, 7)}`,
    );
    expect(summary).not.toContain("ledger");
  });

  /** A commit of `files` on its own branch off the merge base, pushed to origin. */
  const pushBranch = (repos: ReturnType<typeof repositories>, branch: string, files: Record<string, string>): string => {
    const scratch = join(repos.root, "scratch");
    git(scratch, "checkout", "-qb", branch, repos.mergeBase);
    const sha = commitFiles(scratch, files, branch);
    git(scratch, "push", "-q", join(repos.root, "origin.git"), branch);
    return sha;
  };

  it("does not count an /approve given on another head when a commit GitHub knew earlier becomes the head (probe M, 1)", async () => {
    const repos = repositories();
    const benign = pushBranch(repos, "benign", { "docs/readme.md": "hello\n" });
    // The risky commit was the head of another PR long ago: a run of the workflow on it, on another branch.
    fake.openPull({ number: 9, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head });
    clock += 3_600_000;
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: benign, body: EVIDENCE_BODY });
    fake.comment(NUMBER, "tom", "/approve");
    const onBenign = await runner(repos, commentEvent("/approve"))();
    expect(onBenign).toMatchObject({ code: 0, outputs: { risk: "none" } });
    fake.pushed(NUMBER, repos.head, "alice");
    const swapped = await runner(repos, pullRequestEvent())();
    expect(swapped).toMatchObject({ code: 1, outputs: { decision: "fail", risk: "medium-high" } });
    expect(swapped.summary).toContain(`was given before Route Governor reported on head ${repos.head.slice(0, 7)}`);
    // Given again on this head, it counts.
    fake.comment(NUMBER, "tom", "/approve");
    expect((await runner(repos, commentEvent("/approve"))()).code).toBe(0);
  });

  it("head A, then B approved, then A again: the approval of B does not count for A", async () => {
    const repos = repositories();
    const benign = pushBranch(repos, "benign", { "docs/readme.md": "hello\n" });
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    fake.pushed(NUMBER, benign, "alice");
    fake.comment(NUMBER, "tom", "/approve");
    expect((await runner(repos, commentEvent("/approve"))()).code).toBe(0);
    fake.pushed(NUMBER, repos.head, "alice");
    const back = await runner(repos, pullRequestEvent())();
    expect(back.code).toBe(1);
    expect(back.summary).toContain(`was given before Route Governor reported on head ${repos.head.slice(0, 7)}`);
  });

  it("whoever pushed to the PR cannot approve it, like a commit author; someone who did not push can (probe M, 3)", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.mergeBase, body: EVIDENCE_BODY });
    // tom pushes the change (its commits name alice, or t@example.com: the push is what says tom wrote it).
    fake.pushed(NUMBER, repos.head, "tom");
    fake.comment(NUMBER, "tom", "/approve");
    const byPusher = await runner(repos, commentEvent("/approve"))();
    expect(byPusher.code).toBe(1);
    expect(byPusher.summary).toContain("a commit author or pusher cannot approve the change");
    fake.comment(NUMBER, "dina", "/approve");
    expect((await runner(repos, commentEvent("/approve"))()).code).toBe(0);
  });

  it("no approval counts when the workflow's runs cannot be read, or the head has none: who pushed is unknown", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    fake.comment(NUMBER, "dina", "/approve");
    fake.inject("GET", /\/actions\/workflows\/route-governor\.yml\/runs$/, "403");
    const unreadable = await runner(repos, commentEvent("/approve"))();
    expect(unreadable.code).toBe(1);
    expect(unreadable.summary).toContain("the job needs the actions: read permission");
    expect(unreadable.summary).toContain("no approval counts while who pushed to the PR is not known");
    // A head pushed without a run of the workflow (a [skip ci] commit): its pusher is unknown too.
    fake.workflowRuns.length = 0;
    const unrecorded = await runner(repos, commentEvent("/approve"))();
    expect(unrecorded.code).toBe(1);
    expect(unrecorded.summary).toContain(`head ${repos.head.slice(0, 7)} has no pull_request run of this workflow`);
    // With the runs readable, the same approval counts.
    fake.pushed(NUMBER, repos.head, "alice");
    fake.comment(NUMBER, "dina", "/approve");
    expect((await runner(repos, commentEvent("/approve"))()).code).toBe(0);
  });

  it("without the workflow's name from the runner, reads every workflow's pull_request runs (a later run only makes the head newer)", async () => {
    const repos = repositories();
    fake.openPull({ number: NUMBER, author: "alice", base: "main", baseSha: repos.baseTip, headSha: repos.head, body: EVIDENCE_BODY });
    fake.comment(NUMBER, "tom", "/approve");
    expect((await runner(repos, commentEvent("/approve"), { GITHUB_WORKFLOW_REF: "" })()).code).toBe(0);
    expect(fake.calls.filter((call) => call.path.includes("/actions/")).map((call) => call.path)).toEqual([
      "/repos/acme/traffic/actions/runs",
    ]);
  });

  it("passes over an issue comment on an issue, and fails closed outside a runner", async () => {
    const repos = repositories();
    const skipped = await runner(repos, commentEvent("/approve", "issue"))();
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain("nothing to review");

    const broken = await runner(repos, pullRequestEvent(), { "INPUT_GITHUB-TOKEN": "" })();
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^::error title=Route Governor::Route Governor could not review this pull request: .*github-token/m);
  });
});
