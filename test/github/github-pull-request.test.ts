import type { Readable } from "node:stream";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { gitHubPullRequest, IncompleteReadError } from "../../src/github/github-pull-request.js";
import { archiveTopDirectory, gitBlobId, tarGz, tarGzStream } from "./fake-archive.js";
import { commitAndArchive, type CommittedRepository } from "./git-repository.js";

const API = "https://api.github.com";
const CODELOAD = "https://codeload.github.com";
const REPO = "/repos/acme/traffic";
const BASE = "b".repeat(40);
const HEAD = "c".repeat(40);

const octokit = () => new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });
const source = () => gitHubPullRequest(octokit(), { owner: "acme", repo: "traffic", number: 7 });

interface Commit {
  readonly tree: readonly { path: string; mode: string; type: string; sha: string }[];
  /** The tar.gz, or a stream of it made on request for one too large to hold. */
  readonly archive: Buffer | (() => Readable);
}

const commitOf = (files: Record<string, string>, sha: string): Commit => ({
  tree: Object.entries(files).map(([path, text]) => ({ path, mode: "100644", type: "blob", sha: gitBlobId(text) })),
  archive: tarGz(files, archiveTopDirectory("acme", "traffic", sha), sha),
});

/**
 * GitHub for PR #7 from `base` to `head`: the PR, the recursive trees, and the tarball endpoint
 * answering as github.com does, with a redirect to codeload. Every request lands in `calls`.
 */
function serve(
  commits: Record<string, Commit>,
  calls: string[],
  pr: { base: string; head: string } = { base: BASE, head: HEAD },
  blobs: ReadonlyMap<string, Buffer> = new Map(),
) {
  const name = (sha: string) => (sha === BASE ? "base" : sha === HEAD ? "head" : sha.slice(0, 7));
  nock(API)
    .persist()
    .get(`${REPO}/pulls/7`)
    .reply(
      200,
      () => (
        calls.push("GET pulls/7"),
        {
          user: { login: "ana" },
          base: { ref: "main", sha: pr.base },
          head: { sha: pr.head },
          body: null,
          updated_at: "2026-11-21T10:00:00Z",
          state: "open",
          draft: false,
          labels: [],
        }
      ),
    )
    // No test-merge commit in these answers: the merge base (here the base itself) comes from compare.
    .get(/\/compare\/[0-9a-f]+\.\.\.[0-9a-f]+$/)
    .query(true)
    .reply(200, () => (calls.push("GET compare"), { merge_base_commit: { sha: pr.base }, commits: [] }))
    .get(/\/git\/trees\/[0-9a-f]+$/)
    .query({ recursive: "1" })
    .reply((request: Request) => {
      const sha = /trees\/([0-9a-f]+)/.exec(request.url)![1]!;
      calls.push(`GET git/trees/${name(sha)}`);
      return [200, { sha, truncated: false, tree: commits[sha]!.tree }];
    })
    .get(/\/git\/blobs\/[0-9a-f]+$/)
    .reply((request: Request) => {
      const sha = /blobs\/([0-9a-f]+)/.exec(request.url)![1]!;
      calls.push(`GET git/blobs/${sha.slice(0, 7)}`);
      const content = blobs.get(sha);
      return content === undefined
        ? [404, { message: "Not Found" }]
        : [200, { sha, encoding: "base64", content: content.toString("base64") }];
    })
    .get(/\/tarball\/[0-9a-f]+$/)
    .reply((request: Request) => {
      const sha = /tarball\/([0-9a-f]+)/.exec(request.url)![1]!;
      calls.push(`GET tarball/${name(sha)}`);
      return [302, "", { location: `${CODELOAD}/acme/traffic/legacy.tar.gz/${sha}?token=AAAA` }];
    });
  nock(CODELOAD)
    .persist()
    .get(/\/legacy\.tar\.gz\/[0-9a-f]+$/)
    .query(true)
    .reply((request: Request) => {
      const sha = /tar\.gz\/([0-9a-f]+)/.exec(request.url)![1]!;
      calls.push(`GET codeload/${name(sha)}`);
      const { archive } = commits[sha]!;
      return [200, typeof archive === "function" ? archive() : archive, { "content-type": "application/x-gzip" }];
    });
}

/** A repository of 300 routes (and a README) of which the first `changed` differ at the head. */
function routes(changed: number): Record<string, Commit> {
  const route = (index: number, weight: number) =>
    `kind: HTTPRoute\nmetadata: { name: r${index} }\nspec: { rules: [{ backendRefs: [{ name: b${index}, weight: ${weight} }] }] }\n`;
  const base: Record<string, string> = Object.fromEntries([
    ["README.md", "# traffic\n"],
    ...Array.from({ length: 300 }, (_, i) => [`clusters/c${i}/route.yaml`, route(i, 90)]),
  ]);
  const head = Object.fromEntries(
    Object.entries(base).map(([path, text], i) => [path, i >= 1 && i <= changed ? text.replace("weight: 90", "weight: 50") : text]),
  );
  return { [BASE]: commitOf(base, BASE), [HEAD]: commitOf(head, HEAD) };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("reading a PR's files: API economy (DESIGN §12)", () => {
  const readBothSides = async (changed: number) => {
    const calls: string[] = [];
    nock.cleanAll();
    serve(routes(changed), calls);
    const pr = source();
    const [base, head] = await Promise.all([pr.tree("base"), pr.tree("head")]);
    return { calls: calls.sort(), base, head };
  };
  const EXPECTED_CALLS = [
    "GET codeload/base",
    "GET codeload/head",
    "GET compare",
    "GET git/trees/base",
    "GET git/trees/head",
    "GET pulls/7",
    "GET tarball/base",
    "GET tarball/head",
  ];

  it("1 changed file and 300 changed files cost the same calls: the PR, then per side one tree listing and one tarball (redirected to codeload)", async () => {
    const one = await readBothSides(1);
    const all = await readBothSides(300);
    expect(one.calls).toEqual(EXPECTED_CALLS);
    expect(all.calls).toEqual(one.calls);
    for (const { base, head } of [one, all]) {
      expect(base).toHaveLength(300);
      expect(head).toHaveLength(300);
    }
    expect(one.head.filter((file) => file.text.includes("weight: 50")).map((file) => file.path)).toEqual(["clusters/c0/route.yaml"]);
    expect(all.head.filter((file) => file.text.includes("weight: 50"))).toHaveLength(300);
    expect(all.base.filter((file) => file.text.includes("weight: 50"))).toHaveLength(0);
  });

  it("a PR whose base and head are the same commit reads it once", async () => {
    const calls: string[] = [];
    serve(routes(0), calls, { base: BASE, head: BASE });
    const pr = source();
    expect(await pr.tree("head")).toEqual(await pr.tree("base"));
    expect(calls.sort()).toEqual(["GET codeload/base", "GET compare", "GET git/trees/base", "GET pulls/7", "GET tarball/base"]);
  });
});

describe("the archive is checked against git's tree: what is reviewed is what git stores", () => {
  const LONG = `clusters/${"region-".repeat(12)}/${"gateway-".repeat(9)}/route.yaml`;
  const readReal = async (repository: CommittedRepository) => {
    serve({ [BASE]: repository, [HEAD]: repository }, []);
    return source().tree("head");
  };

  it("a real git archive: YAML blobs only, long (ustar prefix and pax) and UTF-8 paths, no symlinks, the policy file included", async () => {
    const pax = `routes/${"canary-".repeat(16)}.yaml`;
    const repository = commitAndArchive(
      {
        ".github/route-governor.yml": "groups: {}\n",
        [LONG]: "kind: Gateway\n",
        [pax]: "kind: HTTPRoute\n",
        "routes/café.yaml": "kind: Service # café\n",
        "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      },
      { symlinks: { "routes/alias.yaml": "café.yaml" } },
    );
    expect(repository.tree.map((entry) => entry.path)).toContain("routes/alias.yaml");
    expect(await readReal(repository)).toEqual([
      { path: ".github/route-governor.yml", text: "groups: {}\n" },
      { path: LONG, text: "kind: Gateway\n" },
      { path: "routes/café.yaml", text: "kind: Service # café\n" },
      { path: pax, text: "kind: HTTPRoute\n" },
    ]);
  });

  it("symlinks come back as links, their targets read from the archive and checked against git's blob ids, with no extra call", async () => {
    const repository = commitAndArchive(
      { "clusters/jkt-prod-1/exports.yaml": "kind: ServiceExport\n", "clusters/config/routes/checkout.yaml": "kind: HTTPRoute\n" },
      {
        symlinks: {
          "clusters/sgp-prod-1/jkt-exports.yaml": "../jkt-prod-1/exports.yaml",
          "clusters/tyo-prod-1/routes": "../config/routes",
        },
      },
    );
    const calls: string[] = [];
    serve({ [BASE]: repository, [HEAD]: repository }, calls);
    const pr = source();
    expect(await pr.links!("head")).toEqual([
      { path: "clusters/sgp-prod-1/jkt-exports.yaml", target: "../jkt-prod-1/exports.yaml" },
      { path: "clusters/tyo-prod-1/routes", target: "../config/routes" },
    ]);
    expect((await pr.tree("head")).map((file) => file.path).sort()).toEqual([
      "clusters/config/routes/checkout.yaml",
      "clusters/jkt-prod-1/exports.yaml",
    ]);
    expect(calls.sort()).toEqual(["GET codeload/head", "GET compare", "GET git/trees/head", "GET pulls/7", "GET tarball/head"]);
  });

  it("a file a kustomization names besides the YAML (a generator's redis.conf, an icon) is read by its blob id: kustomize needs it (podinfo 693ffa9)", async () => {
    const conf = "maxmemory 64mb\n";
    const icon = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
    const kustomization =
      "configMapGenerator:\n- name: redis\n  files: [redis.conf, extra=../shared/extra.txt, icon.png]\nresources: [deploy.yaml]\n";
    const repository = commitAndArchive({
      "deploy/cache/kustomization.yaml": kustomization,
      "deploy/cache/deploy.yaml": "kind: Service\n",
      "deploy/cache/redis.conf": conf,
      "deploy/cache/icon.png": icon,
      "deploy/cache/unnamed.conf": "not named\n",
      "deploy/shared/extra.txt": "extra\n",
    });
    const sha = (path: string) => repository.tree.find((entry) => entry.path === path)!.sha;
    const calls: string[] = [];
    serve(
      { [BASE]: repository, [HEAD]: repository },
      calls,
      undefined,
      new Map([
        [sha("deploy/cache/redis.conf"), Buffer.from(conf)],
        [sha("deploy/cache/icon.png"), icon],
        [sha("deploy/shared/extra.txt"), Buffer.from("extra\n")],
      ]),
    );
    const files = await source().tree("head");
    // The icon's bytes, one character each: the render writes them back as they were.
    expect(files.filter((file) => !file.path.endsWith(".yaml"))).toEqual([
      { path: "deploy/cache/icon.png", text: icon.toString("latin1"), binary: true },
      { path: "deploy/cache/redis.conf", text: conf },
      { path: "deploy/shared/extra.txt", text: "extra\n" },
    ]);
    expect(calls.filter((call) => call.startsWith("GET git/blobs/")).sort()).toEqual(
      ["deploy/cache/icon.png", "deploy/cache/redis.conf", "deploy/shared/extra.txt"]
        .map((path) => `GET git/blobs/${sha(path).slice(0, 7)}`)
        .sort(),
    );
  });

  it("a symlink whose archived target differs from git's blob fails the read", async () => {
    const repository = commitAndArchive({ "routes/a.yaml": "kind: HTTPRoute\n" }, { symlinks: { "routes/alias": "a.yaml" } });
    const forged = {
      ...repository,
      tree: repository.tree.map((entry) => (entry.mode === "120000" ? { ...entry, sha: "0".repeat(40) } : entry)),
    };
    await expect(readReal(forged)).rejects.toThrow(/differs from git for routes\/alias/);
  });

  it("a route hidden from the archive by .gitattributes export-ignore (which hides itself too) fails the read", async () => {
    const repository = commitAndArchive({
      ".gitattributes": "routes/evil.yaml export-ignore\n.gitattributes export-ignore\n",
      "routes/evil.yaml": "kind: HTTPRoute\n",
      "routes/ok.yaml": "kind: HTTPRoute\n",
    });
    await expect(readReal(repository)).rejects.toThrow(
      new IncompleteReadError(
        "the archive of cccccccccccc leaves out routes/evil.yaml, which git has (a .gitattributes export-ignore?): Route Governor cannot review this tree completely",
      ),
    );
  });

  it("a route rewritten in the archive by export-subst (the commit subject pasted in) fails the read", async () => {
    const repository = commitAndArchive({ ".gitattributes": "*.yaml export-subst\n", "routes/checkout.yaml": "weight: $Format:%s$\n" });
    await expect(readReal(repository)).rejects.toThrow(
      /^the archive of cccccccccccc differs from git for routes\/checkout\.yaml \(a \.gitattributes export-subst, ident or eol rewrite, or Git LFS content\?\): Route Governor reviews only what git stores$/,
    );
  });

  it("a repository with 300 MB of other files (past the bound of the whole-archive reader this replaced) is read as it streams in", async () => {
    const files = { "routes/checkout.yaml": "kind: HTTPRoute\n", ".github/route-governor.yml": "groups: {}\n" };
    const video = { path: "docs/walkthrough.mp4", size: 300 * 1024 * 1024 };
    const tree = [...commitOf(files, HEAD).tree, { path: video.path, mode: "100644", type: "blob", sha: "f".repeat(40) }];
    const archive = () => tarGzStream(files, archiveTopDirectory("acme", "traffic", HEAD), HEAD, video);
    serve({ [BASE]: commitOf(files, BASE), [HEAD]: { tree, archive } }, []);
    expect(await source().tree("head")).toEqual([
      { path: "routes/checkout.yaml", text: "kind: HTTPRoute\n" },
      { path: ".github/route-governor.yml", text: "groups: {}\n" },
    ]);
  }, 30_000);

  it("a tree too large for GitHub to list in one response is an error: the review would be incomplete", async () => {
    nock(API).get(`${REPO}/git/trees/${HEAD}`).query(true).reply(200, { sha: HEAD, truncated: true, tree: [] });
    serve(routes(0), []);
    await expect(source().tree("head")).rejects.toThrow(/too large for GitHub to list in one response \(truncated\)/);
  });

  it.each([
    ["not gzip", 200, { message: "unexpected" }, "repository archive is not a readable gzip stream (incorrect header check)"],
    ["no body at all", 204, undefined, "the archive of cccccccccccc did not come back as a byte stream"],
  ])("a tarball answer with %s is an error", async (_, status, body, message) => {
    nock(API)
      .get(`${REPO}/pulls/7`)
      .reply(200, {
        user: { login: "ana" },
        base: { ref: "main", sha: BASE },
        head: { sha: HEAD },
        body: "",
        updated_at: "2026-11-21T10:00:00Z",
        state: "open",
        labels: [],
      })
      .get(`${REPO}/compare/${BASE}...${HEAD}`)
      .query(true)
      .reply(200, { merge_base_commit: { sha: BASE }, commits: [] })
      .get(`${REPO}/git/trees/${HEAD}`)
      .query(true)
      .reply(200, { sha: HEAD, truncated: false, tree: [] })
      .get(`${REPO}/tarball/${HEAD}`)
      .reply(status, body);
    await expect(source().tree("head")).rejects.toThrow(message);
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

  it("a custom repository role counts as its base role (`permission`), never above it", async () => {
    nock(API)
      .get(`${REPO}/collaborators/dev/permission`)
      .reply(200, { permission: "write", role_name: "deployer" })
      .get(`${REPO}/collaborators/aud/permission`)
      .reply(200, { permission: "read", role_name: "Admin auditor" })
      .get(`${REPO}/collaborators/old/permission`)
      .reply(200, { permission: "push" })
      .get(`${REPO}/collaborators/odd/permission`)
      .reply(200, { permission: "superuser", role_name: "superuser" });
    const pr = source();
    const needs = (permission: "read" | "write" | "maintain") => ({ users: [], teams: [], permission });
    // Before: "deployer" was no role at all, so a write-based role was refused even `write`.
    expect(await pr.isMember("dev", needs("write"))).toBe(true);
    expect(await pr.isMember("dev", needs("maintain"))).toBe(false);
    expect(await pr.isMember("aud", needs("read"))).toBe(true);
    expect(await pr.isMember("aud", needs("write"))).toBe(false);
    expect(await pr.isMember("old", needs("write"))).toBe(true);
    expect(await pr.isMember("odd", needs("read"))).toBe(false);
    expect(nock.isDone()).toBe(true);
  });
});

describe("who wrote the PR's commits (they cannot approve it)", () => {
  it("commit authors and committers count, GitHub's own web-flow committer does not", async () => {
    const commit = (author: string | null, committer: string | null) => ({
      sha: "f".repeat(40),
      author: author && { login: author },
      committer: committer && { login: committer },
      commit: {},
    });
    nock(API)
      .get(`${REPO}/pulls/7/commits`)
      .query(true)
      .reply(200, [commit("ana", "web-flow"), commit("ana", "dina"), commit(null, "Tom"), commit("ana", null)]);
    expect(await source().commitAuthors()).toEqual({
      logins: ["ana", "dina", "Tom"],
      shas: Array(4).fill("f".repeat(40)),
      unlinkedCommits: 2,
      truncated: false,
    });
  });

  it("a list of 250 commits may be cut short: it is reported as truncated", async () => {
    const commits = Array.from({ length: 250 }, (_, index) => ({
      sha: index.toString(16).padStart(40, "0"),
      author: { login: "ana" },
      committer: { login: "ana" },
      commit: {},
    }));
    nock(API)
      .get(`${REPO}/pulls/7/commits`)
      .query(true)
      .reply(200, commits.slice(0, 100), { link: `<${API}${REPO}/pulls/7/commits?per_page=100&page=2>; rel="next"` })
      .get(`${REPO}/pulls/7/commits`)
      .query({ per_page: "100", page: "2" })
      .reply(200, commits.slice(100, 200), { link: `<${API}${REPO}/pulls/7/commits?per_page=100&page=3>; rel="next"` })
      .get(`${REPO}/pulls/7/commits`)
      .query({ per_page: "100", page: "3" })
      .reply(200, commits.slice(200));
    expect(await source().commitAuthors()).toEqual({
      logins: ["ana"],
      shas: commits.map((commit) => commit.sha),
      unlinkedCommits: 0,
      truncated: true,
    });
  });
});
