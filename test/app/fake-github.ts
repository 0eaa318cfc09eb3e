import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { archiveTopDirectory, gitBlobId, tarGz } from "../github/fake-archive.js";

/**
 * A small stateful fake of the GitHub API, over real HTTP on loopback, for end-to-end tests and
 * the demo: point Probot at it with GHE_HOST=127.0.0.1:<port> and GHE_PROTOCOL=http (or
 * `baseUrl: fake.apiUrl`). It serves the REST calls Route Governor makes, keeps comments,
 * check runs, labels and reactions, records every call, and can inject faults. Routes are
 * answered with and without GitHub Enterprise's `/api/v3` prefix; the tarball endpoint redirects
 * to `/_codeload/...` as GitHub Enterprise does, so the redirect is followed for real.
 */
export interface RecordedCall {
  readonly method: string;
  /** Path without `/api/v3` and without the query string. */
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly body?: unknown;
}

export interface FakeUser {
  readonly login: string;
  readonly type: "User" | "Bot";
}

export interface FakeComment {
  id: number;
  user: FakeUser;
  body: string;
  created_at: string;
  updated_at: string;
  html_url: string;
  performed_via_github_app: { id: number } | null;
  reactions: { user: string; content: string }[];
}

export interface FakeReview {
  id: number;
  user: FakeUser;
  state: string;
  submitted_at: string;
  commit_id: string;
}

export interface FakeCheckRun {
  id: number;
  /** The App that created it: only it may update the run. */
  app: { id: number };
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url?: string;
  external_id?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: unknown[];
}

export interface FakeWorkflowRun {
  id: number;
  /** The workflow's file name. */
  workflow: string;
  event: string;
  head_sha: string;
  head_branch: string;
  head_repository: { full_name: string } | null;
  actor: FakeUser;
  created_at: string;
}

export interface FakePull {
  number: number;
  user: FakeUser;
  body: string;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string; repo: { full_name: string } | null };
  labels: string[];
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  updated_at: string;
  /** Commit authors by login; null is a commit whose e-mail is linked to no account. */
  commits: (string | null)[];
  comments: FakeComment[];
  reviews: FakeReview[];
  /** The issue events GitHub keeps (only labelling is recorded). */
  events: { event: string; label: { name: string }; actor: FakeUser; performed_via_github_app: { id: number } | null }[];
}

/** "403": a token without the permission the call needs. */
export type Fault = "500" | "429" | "403" | "reset" | "hang";

interface FaultRule {
  readonly matches: (method: string, path: string) => boolean;
  readonly kind: Fault;
  remaining: number;
}

export const APP_BOT: FakeUser = { login: "route-governor[bot]", type: "Bot" };

export class FakeGitHub {
  readonly owner = "acme";
  readonly repo = "traffic";
  readonly calls: RecordedCall[] = [];
  readonly pulls = new Map<number, FakePull>();
  readonly checkRuns: FakeCheckRun[] = [];
  /**
   * Workflow runs: GitHub starts the Action's workflow (\`route-governor.yml\`) on \`pull_request\` when
   * a PR opens and on every push to it (\`pushed\`), the pusher as its actor.
   */
  readonly workflowRuns: FakeWorkflowRun[] = [];
  /** `org/team` → member logins. */
  readonly teams = new Map<string, string[]>();
  /** login → repository permission. */
  readonly permissions = new Map<string, string>();
  /** commit SHA → files (path → text). */
  private readonly commits = new Map<string, Record<string, string>>();
  /** Each commit's submodules: path → the commit of its repository (not in the archive). */
  private readonly gitlinks = new Map<string, Record<string, string>>();
  private readonly faults: FaultRule[] = [];
  private server: Server | undefined;
  private nextId = 1000;
  /** The clock GitHub stamps comments and reviews with. */
  clock: () => Date = () => new Date();

  constructor(
    readonly appId = 77,
    readonly installationId = 4242,
  ) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error("fake GitHub not started");
    return `http://127.0.0.1:${address.port}`;
  }

  /** For Probot's `baseUrl`, as GHE_HOST would produce. */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  /** `127.0.0.1:<port>`, for GHE_HOST. */
  get host(): string {
    return new URL(this.url).host;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Stores a commit of these files (path → text) and submodules (path → commit); returns its SHA. */
  commit(files: Record<string, string>, submodules: Record<string, string> = {}): string {
    const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
    const sha = createHash("sha1").update(JSON.stringify(sorted)).update(String(this.commits.size)).digest("hex");
    this.commits.set(sha, sorted);
    this.gitlinks.set(sha, submodules);
    return sha;
  }

  openPull(init: {
    number: number;
    author: string;
    base: string;
    baseSha: string;
    headSha: string;
    body?: string;
    commitAuthors?: (string | null)[];
  }): FakePull {
    const pull: FakePull = {
      number: init.number,
      user: { login: init.author, type: "User" },
      body: init.body ?? "",
      base: { ref: init.base, sha: init.baseSha },
      head: { ref: `change-${init.number}`, sha: init.headSha, repo: { full_name: `${this.owner}/${this.repo}` } },
      labels: [],
      state: "open",
      merged: false,
      draft: false,
      updated_at: this.now(),
      commits: init.commitAuthors ?? [init.author],
      comments: [],
      reviews: [],
      events: [],
    };
    this.pulls.set(init.number, pull);
    this.workflowRun(pull, init.author);
    return pull;
  }

  /** `by` pushes `sha` to PR `number`: its head moves and the workflow runs on it. */
  pushed(number: number, sha: string, by: string): void {
    const pull = this.pull(number);
    pull.head.sha = sha;
    this.workflowRun(pull, by);
  }

  private workflowRun(pull: FakePull, actor: string): void {
    this.workflowRuns.push({
      id: this.nextId++,
      workflow: "route-governor.yml",
      event: "pull_request",
      head_sha: pull.head.sha,
      head_branch: pull.head.ref,
      head_repository: pull.head.repo,
      actor: { login: actor, type: "User" },
      created_at: this.now(),
    });
  }

  pull(number: number): FakePull {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no PR #${number}`);
    return pull;
  }

  /** A person (or bot) comments on a PR. */
  comment(number: number, user: string | FakeUser, body: string): FakeComment {
    const at = this.now();
    const comment: FakeComment = {
      id: this.nextId++,
      user: typeof user === "string" ? { login: user, type: "User" } : user,
      body,
      created_at: at,
      updated_at: at,
      html_url: "",
      performed_via_github_app: null,
      reactions: [],
    };
    comment.html_url = `https://github.example/${this.owner}/${this.repo}/pull/${number}#issuecomment-${comment.id}`;
    this.pull(number).comments.push(comment);
    return comment;
  }

  review(number: number, login: string, state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED"): FakeReview {
    const pull = this.pull(number);
    const review = { id: this.nextId++, user: { login, type: "User" as const }, state, submitted_at: this.now(), commit_id: pull.head.sha };
    pull.reviews.push(review);
    return review;
  }

  /** The App's living comments on a PR: written by the App and carrying its marker (replies are not). */
  appComments(number: number): FakeComment[] {
    return this.pull(number).comments.filter(
      (comment) => comment.performed_via_github_app?.id === this.appId && comment.body.startsWith("<!-- route-governor:comment -->"),
    );
  }

  latestCheckRun(headSha: string, name?: string): FakeCheckRun | undefined {
    return this.checkRuns.filter((run) => run.head_sha === headSha && (name === undefined || run.name === name)).at(-1);
  }

  /** Fails the next `times` calls matching `method path` (path without `/api/v3`, a regex). */
  inject(method: string, path: RegExp, kind: Fault, times = 1): void {
    this.faults.push({ matches: (m, p) => m === method && path.test(p), kind, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // ---- webhook payloads, shaped like GitHub's (the fields the App reads) ----

  private envelope(sender: FakeUser) {
    return {
      installation: { id: this.installationId },
      repository: { name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { login: this.owner, type: "Organization" } },
      sender: { login: sender.login, type: sender.type },
    };
  }

  pullRequestEvent(action: string, number: number): { name: string; payload: Record<string, unknown> } {
    const pull = this.pull(number);
    return { name: "pull_request", payload: { action, number, pull_request: { ...this.pullJson(pull) }, ...this.envelope(pull.user) } };
  }

  issueCommentEvent(
    action: "created" | "edited" | "deleted",
    number: number,
    comment: FakeComment,
  ): { name: string; payload: Record<string, unknown> } {
    return {
      name: "issue_comment",
      payload: {
        action,
        issue: { number, pull_request: { url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/pulls/${number}` } },
        comment: this.commentJson(comment),
        ...this.envelope(comment.user),
      },
    };
  }

  reviewEvent(action: "submitted" | "dismissed", number: number, review: FakeReview): { name: string; payload: Record<string, unknown> } {
    return {
      name: "pull_request_review",
      payload: { action, review, pull_request: this.pullJson(this.pull(number)), ...this.envelope(review.user) },
    };
  }

  checkRunRerequestedEvent(run: FakeCheckRun, number: number): { name: string; payload: Record<string, unknown> } {
    return {
      name: "check_run",
      payload: {
        action: "rerequested",
        check_run: {
          id: run.id,
          name: run.name,
          head_sha: run.head_sha,
          pull_requests: [{ number, head: { sha: run.head_sha }, base: this.pulls.get(number)?.base }],
        },
        ...this.envelope({ login: "someone", type: "User" }),
      },
    };
  }

  // ---- the HTTP side ----

  private now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  private pullJson(pull: FakePull) {
    return {
      number: pull.number,
      user: pull.user,
      body: pull.body,
      mergeable: null,
      merge_commit_sha: null,
      base: pull.base,
      head: pull.head,
      labels: pull.labels.map((name) => ({ name })),
      state: pull.state,
      merged: pull.merged,
      draft: pull.draft,
      updated_at: pull.updated_at,
    };
  }

  private commentJson(comment: FakeComment) {
    const { reactions: _reactions, ...json } = comment;
    return json;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    const url = new URL(request.url ?? "/", "http://fake");
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const method = request.method ?? "GET";
    const record = (status: number) => this.calls.push({ method, path, query: url.search, status, ...(body ? { body } : {}) });

    const fault = this.faults.find((rule) => rule.remaining > 0 && rule.matches(method, path));
    if (fault) {
      fault.remaining--;
      if (fault.kind === "reset") {
        record(0);
        request.socket.destroy();
        return;
      }
      if (fault.kind === "hang") {
        record(0);
        return;
      }
      const [status, message] =
        fault.kind === "429"
          ? [429, "You have exceeded a secondary rate limit"]
          : fault.kind === "403"
            ? [403, "Resource not accessible by integration"]
            : [502, "Bad Gateway"];
      record(status);
      response.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "1" } : {}) });
      response.end(JSON.stringify({ message }));
      return;
    }

    const [status, json, headers] = this.route(method, path, body, request.headers.authorization ?? "", url.search);
    record(status);
    response.writeHead(status, headers ?? { "content-type": "application/json" });
    response.end(status === 204 ? undefined : Buffer.isBuffer(json) || typeof json === "string" ? json : JSON.stringify(json));
  }

  private route(
    method: string,
    path: string,
    body: Record<string, unknown> | undefined,
    authorization: string,
    query = "",
  ): [number, unknown, Record<string, string>?] {
    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    const asApp = authorization.includes("ghs_fake");
    const actor = asApp ? APP_BOT : { login: "someone", type: "User" as const };
    let match: RegExpExecArray | null;

    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: "ghs_fake", expires_at: new Date(Date.now() + 3_600_000).toISOString() }];
    }
    if (method === "GET" && (match = new RegExp(`^/_codeload/${this.owner}/${this.repo}/legacy\\.tar\\.gz/([0-9a-f]+)$`).exec(path))) {
      const files = this.commits.get(match[1]!);
      if (!files) return [404, { message: "Not Found" }];
      return [200, tarGz(files, archiveTopDirectory(this.owner, this.repo, match[1]!), match[1]), { "content-type": "application/x-gzip" }];
    }
    if ((match = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))) {
      const members = this.teams.get(`${match[1]}/${match[2]}`) ?? [];
      return members.includes(match[3]!) ? [200, { state: "active", role: "member" }] : [404, { message: "Not Found" }];
    }
    if (!path.startsWith(repoPrefix)) return [404, { message: "Not Found" }];
    const rest = path.slice(repoPrefix.length);

    if (method === "GET" && (match = /^\/git\/trees\/([0-9a-f]+)$/.exec(rest))) {
      const files = this.commits.get(match[1]!);
      if (!files) return [404, { message: "Not Found" }];
      return [
        200,
        {
          sha: match[1],
          truncated: false,
          tree: [
            ...Object.entries(files).map(([p, text]) => ({
              path: p,
              mode: "100644",
              type: "blob",
              sha: gitBlobId(text),
              size: Buffer.byteLength(text),
            })),
            ...Object.entries(this.gitlinks.get(match[1]!) ?? {}).map(([p, commit]) => ({
              path: p,
              mode: "160000",
              type: "commit",
              sha: commit,
            })),
          ],
        },
      ];
    }
    if (method === "GET" && (match = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      // Branches in this fake fork from the base commit they were opened on.
      return this.commits.has(match[1]!) && this.commits.has(match[2]!)
        ? [200, { merge_base_commit: { sha: match[1] }, commits: [], files: [] }]
        : [404, { message: "Not Found" }];
    }
    if (method === "GET" && (match = /^\/contents\/(.+)$/.exec(rest))) {
      const path = decodeURIComponent(match[1]!);
      const text = this.commits.get(new URLSearchParams(query).get("ref") ?? "")?.[path];
      return text === undefined
        ? [404, { message: "Not Found" }]
        : [200, { type: "file", path, encoding: "base64", content: Buffer.from(text).toString("base64") }];
    }
    if (method === "GET" && (match = /^\/tarball\/([0-9a-f]+)$/.exec(rest))) {
      return this.commits.has(match[1]!)
        ? [302, "", { location: `${this.url}/_codeload/${this.owner}/${this.repo}/legacy.tar.gz/${match[1]}` }]
        : [404, { message: "Not Found" }];
    }
    if (method === "GET" && (match = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const permission = this.permissions.get(match[1]!) ?? "none";
      return [200, { permission: permission === "maintain" ? "write" : permission, role_name: permission }];
    }
    if (method === "POST" && rest === "/check-runs") {
      const run: FakeCheckRun = {
        id: this.nextId++,
        app: { id: this.appId },
        name: String(body!.name),
        head_sha: String(body!.head_sha),
        status: String(body!.status ?? "queued"),
        conclusion: null,
        ...(body!.external_id ? { external_id: String(body!.external_id) } : {}),
        output: {},
        annotations: [],
      };
      this.checkRuns.push(run);
      return [201, run];
    }
    if (method === "PATCH" && (match = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(match![1]));
      if (!run) return [404, { message: "Not Found" }];
      const output = (body!.output ?? {}) as { title?: string; summary?: string; text?: string; annotations?: unknown[] };
      if ((output.annotations?.length ?? 0) > 50) return [422, { message: "annotations: at most 50 per request" }];
      run.annotations.push(...(output.annotations ?? []));
      run.output = {
        ...run.output,
        ...(output.title ? { title: output.title } : {}),
        ...(output.summary ? { summary: output.summary } : {}),
        ...(output.text ? { text: output.text } : {}),
      };
      if (body!.status) run.status = String(body!.status);
      if (body!.conclusion) run.conclusion = String(body!.conclusion);
      if (body!.details_url) run.details_url = String(body!.details_url);
      if (body!.external_id) run.external_id = String(body!.external_id);
      return [200, run];
    }
    if (method === "GET" && (match = /^\/actions(?:\/workflows\/([^/]+))?\/runs$/.exec(rest))) {
      const params = new URLSearchParams(query);
      const [event, branch, headSha] = [params.get("event"), params.get("branch"), params.get("head_sha")];
      const runs = this.workflowRuns
        .filter(
          (run) =>
            (match![1] === undefined || run.workflow === match![1]) &&
            (event === null || run.event === event) &&
            (branch === null || run.head_branch === branch) &&
            (headSha === null || run.head_sha === headSha),
        )
        .reverse();
      return [200, { total_count: runs.length, workflow_runs: runs }];
    }
    if (method === "GET" && (match = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const params = new URLSearchParams(query);
      const [name, status, appId] = [params.get("check_name"), params.get("status"), params.get("app_id")];
      const runs = this.checkRuns.filter(
        (run) =>
          run.head_sha === match![1] &&
          (name === null || run.name === name) &&
          (status === null || run.status === status) &&
          (appId === null || run.app.id === Number(appId)),
      );
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    if (method === "GET" && (match = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(rest))) {
      return [200, [...this.pulls.values()].filter((pull) => pull.head.sha === match![1]).map((pull) => this.pullJson(pull))];
    }
    if ((match = /^\/issues\/comments\/(\d+)(\/reactions)?$/.exec(rest))) {
      const id = Number(match[1]);
      const pull = [...this.pulls.values()].find((p) => p.comments.some((c) => c.id === id));
      const comment = pull?.comments.find((c) => c.id === id);
      if (!pull || !comment) return [404, { message: "Not Found" }];
      if (match[2] && method === "POST") {
        const content = String(body!.content);
        const existing = comment.reactions.some((r) => r.user === actor.login && r.content === content);
        if (!existing) comment.reactions.push({ user: actor.login, content });
        return [existing ? 200 : 201, { content, user: actor }];
      }
      if (method === "PATCH") {
        if (comment.user.login !== actor.login) return [403, { message: "Must have admin rights to Repository." }];
        if (String(body!.body).length > 65_536) return [422, { message: "Body is too long (maximum is 65536 characters)" }];
        comment.body = String(body!.body);
        comment.updated_at = this.now();
        return [200, this.commentJson(comment)];
      }
      if (method === "DELETE") {
        pull.comments.splice(pull.comments.indexOf(comment), 1);
        return [204, undefined];
      }
    }
    if ((match = /^\/(issues|pulls)\/(\d+)(\/.*)?$/.exec(rest))) {
      const pull = this.pulls.get(Number(match[2]));
      if (!pull) return [404, { message: "Not Found" }];
      const sub = match[3] ?? "";
      if (method === "GET" && sub === "" && match[1] === "pulls") return [200, this.pullJson(pull)];
      if (method === "GET" && sub === "/comments") return [200, pull.comments.map((c) => this.commentJson(c))];
      if (method === "GET" && sub === "/reviews") return [200, pull.reviews];
      if (method === "GET" && sub === "/commits") {
        const params = new URLSearchParams(query);
        const page = Number(params.get("page") ?? "1");
        const perPage = Number(params.get("per_page") ?? "30");
        // GitHub stops listing a PR's commits at 250, however many it has.
        const listed = pull.commits.slice(0, 250).map((login, index) => ({
          sha: `c${index}`,
          author: login === null ? null : { login },
          committer: { login: "web-flow" },
          commit: { author: { email: login === null ? "someone@unlinked.example" : `${login}@users.noreply.github.com` } },
        }));
        const slice = listed.slice((page - 1) * perPage, page * perPage);
        const next =
          page * perPage < listed.length
            ? {
                link: `<${this.apiUrl}${repoPrefix}/pulls/${pull.number}/commits?per_page=${perPage}&page=${page + 1}>; rel="next"`,
                "content-type": "application/json",
              }
            : undefined;
        return [200, slice, next];
      }
      if (method === "POST" && sub === "/comments") {
        if (String(body!.body).length > 65_536) return [422, { message: "Body is too long (maximum is 65536 characters)" }];
        const comment = this.comment(pull.number, actor, String(body!.body));
        if (asApp) comment.performed_via_github_app = { id: this.appId };
        return [201, this.commentJson(comment)];
      }
      if (method === "GET" && sub === "/events") return [200, pull.events];
      if (method === "POST" && sub === "/labels") {
        for (const label of body!.labels as string[]) {
          if (pull.labels.includes(label)) continue;
          pull.labels.push(label);
          pull.events.push({
            event: "labeled",
            label: { name: label },
            actor,
            performed_via_github_app: asApp ? { id: this.appId } : null,
          });
        }
        return [200, pull.labels.map((name) => ({ name }))];
      }
      if (method === "DELETE" && (match = /^\/labels\/(.+)$/.exec(sub))) {
        const name = decodeURIComponent(match[1]!);
        if (!pull.labels.includes(name)) return [404, { message: "Label does not exist" }];
        pull.labels.splice(pull.labels.indexOf(name), 1);
        return [200, pull.labels.map((n) => ({ name: n }))];
      }
    }
    return [404, { message: `fake GitHub has no route for ${method} ${path}` }];
  }
}

/** Sends a webhook delivery the way GitHub does: JSON body, event headers, X-Hub-Signature-256. */
export async function deliverWebhook(
  url: string,
  secret: string,
  event: { name: string; payload: Record<string, unknown> },
  options: { id?: string; signature?: string } = {},
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(event.payload);
  const signature = options.signature ?? `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event.name,
      "x-github-delivery": options.id ?? crypto.randomUUID(),
      "x-hub-signature-256": signature,
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}
