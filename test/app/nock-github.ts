import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import nock from "nock";
import { Probot } from "probot";
import { routeGovernorApp } from "../../src/app.js";
import { routeGovernorOctokit } from "../../src/github/octokit.js";
import { archiveTopDirectory, gitBlobId, tarGz } from "../github/fake-archive.js";
import { privateKey } from "./private-key.js";
import { SOURCE_ANALYSIS_THREAD } from "../helpers/source-analysis-thread.js";

/**
 * nock-backed GitHub for the App tests: the real webhook payloads of @octokit/webhooks-examples
 * (Codertocat/Hello-World, PR #2, installation 1) and one stateful set of interceptors that
 * serve the PR's facts and record every write, so tests read like what GitHub would show.
 */
const examples: WebhookDefinition[] = createRequire(import.meta.url)("@octokit/webhooks-examples");

/** A real example payload (the first with an installation, else the first), deep-copied. */
export function example(name: string, action: string): Record<string, any> {
  const candidates = examples.find((definition) => definition.name === name)!.examples.filter((e: any) => e.action === action) as any[];
  const chosen = candidates.find((e) => e.installation) ?? candidates[0];
  if (!chosen) throw new Error(`no example ${name}.${action}`);
  const payload = structuredClone(chosen);
  payload.installation ??= { id: 1 };
  return payload;
}

export const SECRET = "test-secret";
export const APP_ID = 123;
const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const REPO = "/repos/Codertocat/Hello-World";
export const PR = 2;

export interface Comment {
  id: number;
  user: { login: string; type: string };
  body: string;
  created_at: string;
  updated_at: string;
  html_url: string;
  performed_via_github_app: { id: number } | null;
}

export interface GitHubState {
  author: string;
  base: { ref: string; sha: string };
  head: { sha: string };
  /** GitHub's test merge: `mergeable` and `merge_commit_sha` of the PR; absent = not computed yet (null). */
  merge?: { mergeable: boolean; sha?: string; parents?: [string, string] };
  /** What the compare API answers as the merge base (default: the base SHA). */
  mergeBase?: string;
  /** Commit messages the compare API lists (a merge queue's group commits). */
  compareMessages?: string[];
  body: string;
  state: "open" | "closed";
  labels: string[];
  commits: string[];
  /** commit SHA → files. */
  trees: Map<string, Record<string, string>>;
  comments: Comment[];
  reviews: { id: number; user: { login: string; type: string }; state: string; submitted_at: string; commit_id: string }[];
  teams: Record<string, string[]>;
  permissions: Record<string, string>;
  checkRuns: {
    id: number;
    app: { id: number };
    name: string;
    head_sha: string;
    status: string;
    external_id?: string;
    conclusion?: string;
    output: any;
    annotations: unknown[];
  }[];
  /** The labels the App added, as the PR's events record them. */
  labelled: string[];
  reactions: { commentId: number; content: string }[];
  /** GitHub's clock: it stamps the App's comment writes (`created_at`, `updated_at`). */
  now: () => string;
  /** Every request: `METHOD path`. */
  calls: string[];
}

let ids = 5000;
export const nextId = (): number => ids++;

export function commentBy(state: GitHubState, login: string, body: string, at: string, type = "User"): Comment {
  const comment: Comment = {
    id: nextId(),
    user: { login, type },
    body,
    created_at: at,
    updated_at: at,
    html_url: `https://github.com/Codertocat/Hello-World/pull/2#issuecomment-${ids}`,
    performed_via_github_app: null,
  };
  state.comments.push(comment);
  return comment;
}

/** Interceptors for everything the App reads and writes, live on `state`. */
export function mockGitHub(state: GitHubState): void {
  const scope = nock(API).persist();
  const log = (method: string, path: string) =>
    state.calls.push(`${method} ${path.replace(/^https:\/\/api\.github\.com/, "").replace(/\?.*$/, "")}`);
  const json = async (request: Request): Promise<any> => JSON.parse((await request.text()) || "{}");

  scope
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(201, (request: Request) => (log("POST", request.url), { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" }));
  scope.get(`${REPO}/pulls/${PR}`).reply(200, (request: Request) => {
    log("GET", request.url);
    return {
      number: PR,
      user: { login: state.author },
      base: state.base,
      head: state.head,
      mergeable: state.merge?.mergeable ?? null,
      merge_commit_sha: state.merge?.sha ?? null,
      body: state.body,
      updated_at: "2026-11-21T09:00:00Z",
      state: state.state,
      draft: false,
      labels: state.labels.map((name) => ({ name })),
    };
  });
  scope.get(/\/git\/commits\/[0-9a-f]+$/).reply((request: Request) => {
    log("GET", request.url);
    const sha = /commits\/([0-9a-f]+)$/.exec(request.url)![1]!;
    const parents = state.merge?.sha === sha ? state.merge.parents : undefined;
    return parents ? [200, { sha, parents: parents.map((parent) => ({ sha: parent })) }] : [404, { message: "Not Found" }];
  });
  scope
    .get(/\/compare\/[0-9a-f]+\.\.\.[0-9a-f]+$/)
    .query(true)
    .reply((request: Request) => {
      log("GET", request.url);
      const all = (state.compareMessages ?? []).map((message, index) => ({
        sha: String(index).padStart(40, "0"),
        commit: { message },
      }));
      // Paged as GitHub pages a comparison's commits.
      const query = new URL(request.url, "https://api.github.com").searchParams;
      const perPage = Number(query.get("per_page") ?? 250);
      const page = Number(query.get("page") ?? 1);
      const commits = all.slice((page - 1) * perPage, page * perPage);
      return [200, { merge_base_commit: { sha: state.mergeBase ?? state.base.sha }, commits, total_commits: all.length, files: [] }];
    });
  scope
    .get(/\/git\/trees\/[0-9a-f]+/)
    .query({ recursive: "1" })
    .reply((request: Request) => {
      log("GET", request.url);
      const files = state.trees.get(/trees\/([0-9a-f]+)/.exec(request.url)![1]!);
      if (!files) return [404, { message: "Not Found" }];
      return [
        200,
        {
          truncated: false,
          tree: Object.entries(files).map(([path, text]) => ({ path, mode: "100644", type: "blob", sha: gitBlobId(text) })),
        },
      ];
    });
  scope
    .get(/\/contents\/.+$/)
    .query(true)
    .reply((request: Request) => {
      log("GET", request.url);
      const url = new URL(request.url);
      const path = decodeURIComponent(/contents\/(.+)$/.exec(url.pathname)![1]!);
      const text = state.trees.get(url.searchParams.get("ref") ?? "")?.[path];
      return text === undefined
        ? [404, { message: "Not Found" }]
        : [200, { type: "file", path, encoding: "base64", content: Buffer.from(text).toString("base64") }];
    });
  // As github.com answers: a redirect to codeload.github.com, which serves the archive (not an API call).
  scope.get(/\/tarball\/[0-9a-f]+$/).reply((request: Request) => {
    log("GET", request.url);
    return [
      302,
      "",
      { location: `${CODELOAD}/Codertocat/Hello-World/legacy.tar.gz/${/tarball\/([0-9a-f]+)/.exec(request.url)![1]}?token=AAAA` },
    ];
  });
  nock(CODELOAD)
    .persist()
    .get(/\/legacy\.tar\.gz\/[0-9a-f]+$/)
    .query(true)
    .reply((request: Request) => {
      const sha = /tar\.gz\/([0-9a-f]+)/.exec(request.url)![1]!;
      const files = state.trees.get(sha);
      if (!files) return [404, "Not Found"];
      return [200, tarGz(files, archiveTopDirectory("Codertocat", "Hello-World", sha), sha), { "content-type": "application/x-gzip" }];
    });
  scope
    .get(`${REPO}/issues/${PR}/comments`)
    .query(true)
    .reply(200, (request: Request) => (log("GET", request.url), state.comments));
  scope
    .get(`${REPO}/pulls/${PR}/reviews`)
    .query(true)
    .reply(200, (request: Request) => (log("GET", request.url), state.reviews));
  scope
    .get(`${REPO}/pulls/${PR}/commits`)
    .query(true)
    .reply(
      200,
      (request: Request) => (
        log("GET", request.url),
        state.commits.map((login, index) => ({
          sha: index.toString(16).padStart(40, "c"),
          author: { login },
          committer: { login: "web-flow" },
        }))
      ),
    );
  scope.get(/\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/).reply((request: Request) => {
    log("GET", request.url);
    const [, org, team, login] = /orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(request.url)!;
    return (state.teams[`${org}/${team}`] ?? []).includes(login!) ? [200, { state: "active" }] : [404, { message: "Not Found" }];
  });
  scope.get(/\/collaborators\/[^/]+\/permission$/).reply(200, (request: Request) => {
    log("GET", request.url);
    const login = /collaborators\/([^/]+)\/permission/.exec(request.url)![1]!;
    return { permission: "read", role_name: state.permissions[login] ?? "none" };
  });
  scope.get(/\/commits\/[0-9a-f]+\/pulls$/).reply(200, (request: Request) => {
    log("GET", request.url);
    return [{ number: PR, state: "open", head: { sha: /commits\/([0-9a-f]+)\/pulls/.exec(request.url)![1] }, base: state.base }];
  });
  scope.post(`${REPO}/check-runs`).reply(201, async (request: Request) => {
    log("POST", request.url);
    const body = await json(request);
    const run = {
      id: nextId(),
      app: { id: APP_ID },
      name: body.name,
      head_sha: body.head_sha,
      status: body.status,
      ...(body.external_id ? { external_id: body.external_id } : {}),
      output: {},
      annotations: [],
    };
    state.checkRuns.push(run);
    return run;
  });
  scope
    .get(/\/commits\/[0-9a-f]+\/check-runs$/)
    .query(true)
    .reply(200, (request: Request) => {
      log("GET", request.url);
      const url = new URL(request.url);
      const sha = /commits\/([0-9a-f]+)\/check-runs/.exec(url.pathname)![1];
      const status = url.searchParams.get("status");
      const runs = state.checkRuns.filter((run) => run.head_sha === sha && (status === null || run.status === status));
      return { total_count: runs.length, check_runs: runs };
    });
  scope
    .get(`${REPO}/issues/${PR}/events`)
    .query(true)
    .reply(200, (request: Request) => {
      log("GET", request.url);
      return state.labelled.map((name) => ({ event: "labeled", label: { name }, performed_via_github_app: { id: APP_ID } }));
    });
  scope.patch(/\/check-runs\/\d+$/).reply(200, async (request: Request) => {
    log("PATCH", request.url);
    const body = await json(request);
    const run = state.checkRuns.find((r) => r.id === Number(/check-runs\/(\d+)/.exec(request.url)![1]))!;
    run.annotations.push(...(body.output?.annotations ?? []));
    Object.assign(run, { ...body, output: { ...run.output, ...body.output } });
    return run;
  });
  scope.post(`${REPO}/issues/${PR}/comments`).reply(201, async (request: Request) => {
    log("POST", request.url);
    const comment = commentBy(state, "route-governor[bot]", (await json(request)).body, state.now(), "Bot");
    comment.performed_via_github_app = { id: APP_ID };
    return comment;
  });
  scope.patch(/\/issues\/comments\/\d+$/).reply(200, async (request: Request) => {
    log("PATCH", request.url);
    const comment = state.comments.find((c) => c.id === Number(/comments\/(\d+)/.exec(request.url)![1]))!;
    comment.body = (await json(request)).body;
    comment.updated_at = state.now();
    return comment;
  });
  scope.delete(/\/issues\/comments\/\d+$/).reply(204, (request: Request) => {
    log("DELETE", request.url);
    state.comments = state.comments.filter((c) => c.id !== Number(/comments\/(\d+)/.exec(request.url)![1]));
    return "";
  });
  scope.post(/\/issues\/comments\/\d+\/reactions$/).reply(200, async (request: Request) => {
    log("POST", request.url);
    const reaction = { commentId: Number(/comments\/(\d+)/.exec(request.url)![1]), content: (await json(request)).content };
    if (!state.reactions.some((r) => r.commentId === reaction.commentId && r.content === reaction.content)) state.reactions.push(reaction);
    return reaction;
  });
  scope.post(`${REPO}/issues/${PR}/labels`).reply(200, async (request: Request) => {
    log("POST", request.url);
    for (const label of (await json(request)).labels as string[]) {
      if (state.labels.includes(label)) continue;
      state.labels.push(label);
      state.labelled.push(label);
    }
    return state.labels.map((name) => ({ name }));
  });
  scope.delete(/\/issues\/2\/labels\/.+$/).reply((request: Request) => {
    log("DELETE", request.url);
    const name = decodeURIComponent(/labels\/(.+)$/.exec(request.url)![1]!);
    state.labels = state.labels.filter((label) => label !== name);
    return [200, []];
  });
}

export function newState(trees: Record<string, Record<string, string>>, base: string, head: string): GitHubState {
  return {
    author: "Codertocat",
    base: { ref: "master", sha: base },
    head: { sha: head },
    body: "",
    state: "open",
    labels: [],
    commits: ["Codertocat"],
    trees: new Map(Object.entries(trees)),
    comments: [],
    reviews: [],
    teams: {},
    now: () => "2026-11-21T10:00:00Z",
    permissions: {},
    checkRuns: [],
    labelled: [],
    reactions: [],
    calls: [],
  };
}

export async function newProbot(now: () => Date): Promise<Probot> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    logLevel: "fatal",
    Octokit: routeGovernorOctokit({ retry: { enabled: false } }),
  });
  await probot.load(routeGovernorApp({ ledgerSecret: SECRET, appId: APP_ID, now, analysisThread: SOURCE_ANALYSIS_THREAD }));
  return probot;
}
