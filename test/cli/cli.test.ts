import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/command-line.js";
import { defaultYamlLimits } from "../../src/manifests/yaml-documents.js";
import { readGitTree } from "../../src/sources/git-source.js";
import { COLLECT_ABOVE_BYTES, fullCollection, whenHeapAbove } from "../../src/full-collection.js";
import { scratchDir } from "../helpers/scratch-trees.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "examples");

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const exampleArgs = [
  "review",
  "--base",
  join(EXAMPLES, "base"),
  "--head",
  join(EXAMPLES, "head"),
  "--body",
  join(EXAMPLES, "pr-body.md"),
  "--now",
  "2026-11-22T00:00:00Z",
];

describe("route-governor review (CLI contract)", () => {
  it("reviews the bundled example as markdown and exits 1 while requirements are unmet", async () => {
    const { code, stdout, stderr } = await cli(...exampleArgs);
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toContain("## Route Governor: ⛔ critical risk · ❌ requirements unmet");
    expect(stdout).toContain("writes.active-active");
  });

  it("collects garbage where the review lets go of much, when the process can: the same review with or without it", async () => {
    let collected = 0;
    let stdout = "";
    const code = await runCli([...exampleArgs, "--format", "json"], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      collect: () => collected++,
    });
    expect(collected).toBe(6);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual(JSON.parse((await cli(...exampleArgs, "--format", "json")).stdout));
  });

  it("collects only under --expose-gc, which the CLI's entry sets (a test runner sets none)", () => {
    expect(fullCollection()).toEqual({});
    const script = `import { setFlagsFromString } from "node:v8"; setFlagsFromString("--expose-gc");
const { fullCollection } = await import(${JSON.stringify(join(ROOT, "src/full-collection.ts"))});
const { collect } = fullCollection(); collect(); process.stdout.write(typeof collect);`;
    expect(execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" })).toBe("function");
  });

  it("collects only over a heap big enough for V8's headroom to matter to the peak", () => {
    let heap = COLLECT_ABOVE_BYTES - 1;
    let collected = 0;
    const collect = whenHeapAbove(
      () => collected++,
      () => heap,
    );
    collect();
    expect(collected).toBe(0);
    heap = COLLECT_ABOVE_BYTES;
    collect();
    expect(collected).toBe(1);
  });

  it("prints the JSON contract", async () => {
    const { code, stdout } = await cli(...exampleArgs, "--format", "json");
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["risk", "decision", "findings", "routeDiffs", "requirements", "errors"]));
    expect(report.risk).toBe("critical");
    expect(report.decision).toBe("fail");
    const weight = report.findings.find((f: { class: string }) => f.class === "backend.weight-changed");
    expect(weight).toMatchObject({
      risk: "medium-high",
      file: "clusters/config/routes/checkout.yaml",
      resource: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "storefront", name: "checkout" },
    });
    expect(report.routeDiffs.find((d: { flow: string }) => d.flow === "shop.example.com /checkout").regions).toEqual([
      { region: "jkt", before: 90, after: 50 },
      { region: "sgp", before: 10, after: 50 },
      { region: "tyo", before: 0, after: 0 },
    ]);
  });

  it("exits 0 with risk none when base and head are the same", async () => {
    const { code, stdout } = await cli("review", "--base", join(EXAMPLES, "base"), "--head", join(EXAMPLES, "base"), "--format", "json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ risk: "none", decision: "pass", findings: [] });
  });

  it("a file over the size bound at base and head still blocks when the PR changes it below its first document", async () => {
    const root = scratchDir("rg-huge-changed-");
    for (const side of ["base", "head"]) mkdirSync(join(root, side));
    // The change is within what the sources read (the bound), below a first document that stays.
    const huge = (weight: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: shop}\nspec:\n  rules: [{backendRefs: [{name: a, port: 80, weight: ${weight}}]}]\n---\n# ${"x".repeat(defaultYamlLimits.maxFileBytes)}\n`;
    writeFileSync(join(root, "base/huge.yaml"), huge(90));
    writeFileSync(join(root, "head/huge.yaml"), huge(10));
    const changed = await cli("review", "--base", join(root, "base"), "--head", join(root, "head"), "--format", "json");
    expect(changed.code).toBe(1);
    expect(JSON.parse(changed.stdout).findings).toMatchObject([{ class: "manifest.invalid", file: "huge.yaml" }]);
    const same = await cli("review", "--base", join(root, "base"), "--head", join(root, "base"), "--format", "json");
    expect(same.code).toBe(0);
  });

  it("refuses a YAML file over the size bound by name, in a folder and in a git tree, read whole for its traffic kinds", async () => {
    const root = scratchDir("rg-huge-");
    for (const side of ["base", "head"]) mkdirSync(join(root, side));
    const huge = `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n# ${"x".repeat(defaultYamlLimits.maxFileBytes)}\n`;
    writeFileSync(join(root, "head/huge.yaml"), huge);
    const expected = [{ class: "manifest.invalid", file: "huge.yaml", summary: expect.stringContaining("over the 2097152-byte bound") }];
    const folder = await cli("review", "--base", join(root, "base"), "--head", join(root, "head"), "--format", "json");
    expect(folder.code).toBe(1);
    expect(JSON.parse(folder.stdout).findings).toMatchObject(expected);

    const git = (...args: string[]) =>
      execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(root, "small.yaml"), "a: 1\n");
    git("add", "small.yaml");
    git("commit", "-qm", "base");
    writeFileSync(join(root, "huge.yaml"), huge);
    writeFileSync(join(root, "z.yaml"), "b: 2\n");
    git("add", "huge.yaml", "z.yaml");
    git("commit", "-qm", "head");
    const tree = await readGitTree(root, "HEAD");
    expect(tree.files.map((f) => [f.path, f.text.length])).toEqual([
      ["huge.yaml", huge.length],
      ["small.yaml", 5],
      ["z.yaml", 5],
    ]);
    const fromGit = await cli("review", "--repo", root, "--base", "HEAD~1", "--head", "HEAD", "--format", "json");
    expect(fromGit.code).toBe(1);
    expect(JSON.parse(fromGit.stdout).findings).toMatchObject(expected);
  });

  it("reads two git refs straight from the object store", async () => {
    const repo = scratchDir("rg-git-");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
    git("init", "-q", "-b", "main");
    mkdirSync(join(repo, "routes"));
    const route = (w: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r, namespace: shop }\nspec:\n  parentRefs: [{ name: gw }]\n  rules:\n  - backendRefs: [{ name: a, port: 80, weight: ${w} }, { name: b, port: 80, weight: 10 }]\n`;
    writeFileSync(join(repo, "routes/r.yaml"), route(90));
    git("add", ".");
    git("commit", "-qm", "base");
    writeFileSync(join(repo, "routes/r.yaml"), route(40));
    git("commit", "-qam", "head");
    const { code, stdout } = await cli("review", "--repo", repo, "--base", "HEAD~1", "--head", "HEAD", "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings.map((f: { class: string }) => f.class)).toEqual(["backend.weight-changed"]);
  });

  it("a submodule bumped between two git refs is a high finding naming it, not 'no traffic change'", async () => {
    const repo = scratchDir("rg-submodule-");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "README.md"), "# traffic\n");
    git("add", ".");
    // Gitlinks as `git submodule add` and a bump record them, without fetching another repository.
    git("update-index", "--add", "--cacheinfo", `160000,${"1".repeat(40)},clusters/jkt/routes`);
    git("commit", "-qm", "base");
    git("update-index", "--cacheinfo", `160000,${"2".repeat(40)},clusters/jkt/routes`);
    git("commit", "-qm", "head");
    const { code, stdout } = await cli("review", "--repo", repo, "--base", "HEAD~1", "--head", "HEAD", "--format", "json");
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toMatchObject([
      { class: "resource.changed", risk: "high", file: "clusters/jkt/routes", summary: expect.stringContaining("moved 1111111 → 2222222") },
    ]);
  });

  it("reviews what the PR changes since its merge base, as GitHub shows it; --two-dot compares the tips", async () => {
    const repo = scratchDir("rg-merge-base-");
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
    const route = (w: number) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: { name: r, namespace: shop }\nspec:\n  parentRefs: [{ name: gw }]\n  rules:\n  - backendRefs: [{ name: a, port: 80, weight: ${w} }, { name: b, port: 80, weight: ${100 - w} }]\n`;
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "r.yaml"), route(90));
    git("add", ".");
    git("commit", "-qm", "90/10");
    git("checkout", "-qb", "pr");
    writeFileSync(join(repo, "r.yaml"), route(50));
    git("commit", "-qam", "PR: 90/10 → 50/50");
    git("checkout", "-q", "main");
    // main moved on after the branch point: that is not the PR's change.
    writeFileSync(join(repo, "r.yaml"), route(80));
    git("commit", "-qam", "main: 80/20");
    const summaries = async (...extra: string[]) =>
      JSON.parse((await cli("review", "--repo", repo, "--base", "main", "--head", "pr", "--format", "json", ...extra)).stdout)
        .findings.map((f: { summary: string }) => f.summary)
        .join("\n");
    expect(await summaries()).toMatch(/a:80 90% → 50%/);
    expect(await summaries("--two-dot")).toMatch(/a:80 80% → 50%/);
  });

  it.each([
    [["review", "--bogus"], /unknown option --bogus; see --help/],
    [["review", "--fromat", "json"], /unknown option --fromat \(did you mean --format\?\)/],
    [["review", "--repo", tmpdir(), "--base", "HEAD", "--head", "HEAD"], /not a git repository: /],
    [["review", "--base", EXAMPLES, "--head", EXAMPLES, "--now", "2026-11-22T00:00"], /--now needs a time zone/],
    [["review", "--base", EXAMPLES, "--head", EXAMPLES, "--two-dot"], /--two-dot compares git refs: give --repo too/],
    [["review", "--base", "/nonexistent/a", "--head", "/nonexistent/b"], /not a directory: \/nonexistent\/[ab]/],
    [["review", "--base", "x"], /review needs --base and --head/],
    [["frobnicate"], /unknown command: frobnicate/],
    [["review", "--base", EXAMPLES, "--head", EXAMPLES, "--format", "xml"], /--format must be markdown, json, github, sarif, not xml/],
    [["review", "--repo", ROOT, "--base", "no-such-ref-xyz", "--head", "HEAD"], /unknown git ref: no-such-ref-xyz/],
  ])("usage error %j exits 2 with a one-line message", async (argv, message) => {
    const { code, stderr, stdout } = await cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("an invalid policy is a usage error naming the key", async () => {
    const dir = scratchDir("rg-policy-");
    writeFileSync(join(dir, "p.yml"), "classes:\n  backend.weight-changed:\n    risk: enormous\n");
    const { code, stderr } = await cli(
      "review",
      "--base",
      join(EXAMPLES, "base"),
      "--head",
      join(EXAMPLES, "head"),
      "--policy",
      join(dir, "p.yml"),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/^route-governor: .*classes\.backend\.weight-changed\.risk/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
