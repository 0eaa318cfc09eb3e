import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitHubPullRequest } from "../../src/github/github-pull-request.js";

const API = "https://api.github.com";
const REPO = "/repos/acme/traffic";
const BASE = "b".repeat(40);
const HEAD = "c".repeat(40);
const sha = (side: string, index: number) => `${side}${index.toString(16).padStart(39, "0")}`.slice(0, 40);

const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
const source = () => gitHubPullRequest(octokit(), { owner: "acme", repo: "traffic", number: 7 });

interface Call {
  readonly method: string;
  readonly path: string;
  readonly aliases?: number;
}

/** A repository of `files` YAML files (plus a README) of which the first `changed` differ at the head. */
function mockRepository(files: number, changed: number, calls: Call[]) {
  const entry = (path: string, blob: string) => ({ path, mode: "100644", type: "blob", sha: blob, size: 10 });
  const baseTree = [entry("README.md", sha("d", 0)), ...Array.from({ length: files }, (_, i) => entry(`clusters/c${i}/route.yaml`, sha("a", i)))];
  const headTree = baseTree.map((item, i) => (i >= 1 && i <= changed ? { ...item, sha: sha("e", i) } : item));
  nock(API)
    .get(`${REPO}/pulls/7`)
    .reply(200, () => (calls.push({ method: "GET", path: "pulls/7" }), { user: { login: "ana" }, base: { ref: "main", sha: BASE }, head: { sha: HEAD }, body: null, updated_at: "2026-11-21T10:00:00Z", state: "open", draft: false, labels: [] }))
    .get(`${REPO}/git/trees/${BASE}`)
    .query({ recursive: "1" })
    .reply(200, () => (calls.push({ method: "GET", path: "git/trees/base" }), { sha: BASE, truncated: false, tree: baseTree }))
    .get(`${REPO}/git/trees/${HEAD}`)
    .query({ recursive: "1" })
    .reply(200, () => (calls.push({ method: "GET", path: "git/trees/head" }), { sha: HEAD, truncated: false, tree: headTree }))
    .post("/graphql")
    .times(100)
    .reply(200, async (request: Request) => {
      const { query } = (await request.json()) as { query: string };
      const aliases = [...query.matchAll(/(b\d+): object\(oid: "([0-9a-f]+)"\)/g)];
      calls.push({ method: "POST", path: "graphql", aliases: aliases.length });
      return { data: { repository: Object.fromEntries(aliases.map(([, alias, oid]) => [alias, { text: `# ${oid}\n`, isBinary: false, isTruncated: false, byteSize: 42 }])) } };
    });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("reading a PR's files: API economy (DESIGN §12)", () => {
  it("a 300-file change costs 1 PR read + 2 tree listings + ⌈distinct YAML blobs / 100⌉ GraphQL batches, never a call per file", async () => {
    const calls: Call[] = [];
    mockRepository(300, 300, calls);
    const pr = source();
    const [base, head] = await Promise.all([pr.tree("base"), pr.tree("head")]);
    expect(base).toHaveLength(300);
    expect(head).toHaveLength(300);
    expect(head[0]).toEqual({ path: "clusters/c0/route.yaml", text: `# ${sha("e", 1)}\n` });
    // 300 base + 300 head versions = 600 distinct blobs: 6 batches of 100.
    expect(calls.map((call) => call.path)).toEqual(["pulls/7", "git/trees/base", "git/trees/head", ...Array(6).fill("graphql")]);
    expect(calls.filter((call) => call.aliases).map((call) => call.aliases)).toEqual([100, 100, 100, 100, 100, 100]);
  });

  it("an unchanged file is read once for both sides: the same repository with 1 changed file costs 4 batches", async () => {
    const calls: Call[] = [];
    mockRepository(300, 1, calls);
    const pr = source();
    await pr.tree("base");
    await pr.tree("head");
    expect(calls.map((call) => call.path)).toEqual(["pulls/7", "git/trees/base", "git/trees/head", ...Array(4).fill("graphql")]);
    expect(calls.at(-1)?.aliases).toBe(1);
  });

  it("a truncated tree listing is an error: the review would be incomplete", async () => {
    nock(API)
      .get(`${REPO}/pulls/7`)
      .reply(200, { user: { login: "ana" }, base: { ref: "main", sha: BASE }, head: { sha: HEAD }, body: "", updated_at: "2026-11-21T10:00:00Z", state: "open", labels: [] })
      .get(/\/git\/trees\//)
      .query(true)
      .times(2)
      .reply(200, { sha: BASE, truncated: true, tree: [] });
    await expect(source().tree("head")).rejects.toThrow(/too large for GitHub to list in one response \(truncated\)/);
  });

  it("a text GraphQL truncated is read through REST git/blobs", async () => {
    const big = "f".repeat(40);
    nock(API)
      .get(`${REPO}/pulls/7`)
      .reply(200, { user: { login: "ana" }, base: { ref: "main", sha: BASE }, head: { sha: BASE }, body: "", updated_at: "2026-11-21T10:00:00Z", state: "open", labels: [] })
      .get(`${REPO}/git/trees/${BASE}`)
      .query(true)
      .times(2)
      .reply(200, { sha: BASE, truncated: false, tree: [{ path: "big.yaml", type: "blob", sha: big }] })
      .post("/graphql")
      .reply(200, { data: { repository: { b0: { text: "kind: Par", isBinary: false, isTruncated: true, byteSize: 9_000_000 } } } })
      .get(`${REPO}/git/blobs/${big}`)
      .reply(200, { encoding: "base64", content: Buffer.from("kind: Partial\n").toString("base64") });
    expect(await source().tree("base")).toEqual([{ path: "big.yaml", text: "kind: Partial\n" }]);
  });
});

describe("group membership, cached per evaluation", () => {
  it("users by name, org teams via memberships (active only), repository permission by role", async () => {
    nock(API)
      .get("/orgs/acme/teams/sre/memberships/sam")
      .reply(200, { state: "active" })
      .get("/orgs/acme/teams/sre/memberships/pat")
      .reply(200, { state: "pending" })
      .get("/orgs/acme/teams/sre/memberships/eve")
      .reply(404, { message: "Not Found" })
      .get(`${REPO}/collaborators/eve/permission`)
      .reply(200, { permission: "write", role_name: "maintain" });
    const pr = source();
    const group = { users: ["Dina"], teams: ["acme/sre"], permission: undefined };
    expect(await pr.isMember("dina", group)).toBe(true);
    expect(await pr.isMember("sam", group)).toBe(true);
    expect(await pr.isMember("sam", group)).toBe(true);
    expect(await pr.isMember("pat", group)).toBe(false);
    expect(await pr.isMember("eve", { users: [], teams: ["acme/sre"], permission: "maintain" })).toBe(true);
    expect(await pr.isMember("eve", { users: [], teams: [], permission: "admin" })).toBe(false);
    expect(nock.isDone()).toBe(true);
  });
});
