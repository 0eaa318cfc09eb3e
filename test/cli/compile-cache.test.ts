import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const COMPILE_CACHE = resolve(import.meta.dirname, "../../src/compile-cache.ts");
// Built by `npm ci` (the prepare script) and `npm run build`.
const CLI = resolve(import.meta.dirname, "../../bin/route-governor.mjs");

describe("the compile cache", () => {
  let dir: string;
  let bundle: string;
  let cacheHome: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "rg-compile-cache-"));
    bundle = join(dir, "bundle.cjs");
    cacheHome = join(dir, "cache");
    writeBundle("first");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const writeBundle = (word: string) =>
    writeFileSync(
      bundle,
      `"use strict";\nmodule.exports = 1;\nconsole.log(${JSON.stringify(word)}, require("node:path").basename(__filename), typeof exports);\n`,
    );

  /** Runs the bundle in a fresh process, as bin/route-governor.mjs does; what it printed. */
  const run = (env: NodeJS.ProcessEnv = {}) =>
    execFileSync(
      process.execPath,
      ["--import", "tsx", "-e", `import(${JSON.stringify(COMPILE_CACHE)}).then((m) => m.runCachedBundle(${JSON.stringify(bundle)}))`],
      { env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: "", ...env }, encoding: "utf8" },
    );
  const cacheFile = () => {
    const dir = join(cacheHome, "route-governor");
    const files = existsSync(dir) ? readdirSync(dir) : [];
    return files.length === 1 ? join(dir, files[0]!) : undefined;
  };

  it("runs the bundle as CommonJS and keeps its compiled code for the next run, which uses it as it is", () => {
    expect(run()).toBe("first bundle.cjs object\n");
    const written = cacheFile()!;
    const { mtimeMs } = statSync(written);
    expect(run()).toBe("first bundle.cjs object\n");
    expect(statSync(written).mtimeMs).toBe(mtimeMs);
    expect(readdirSync(join(cacheHome, "route-governor"))).toHaveLength(1);
  });

  it("never runs a changed bundle from the old cache, and replaces that cache", () => {
    run();
    const before = readFileSync(cacheFile()!);
    writeBundle("second");
    expect(run()).toBe("second bundle.cjs object\n");
    expect(readFileSync(cacheFile()!).equals(before)).toBe(false);
  });

  it("runs the bundle without a cache it cannot read or write", () => {
    run();
    writeFileSync(cacheFile()!, "not a cache");
    expect(run()).toBe("first bundle.cjs object\n");
    rmSync(cacheHome, { recursive: true });
    writeFileSync(cacheHome, "a file where the cache folder would be");
    expect(run()).toBe("first bundle.cjs object\n");
  });

  // The CLI sets a V8 flag (src/cached-bundle-entry.ts); V8 rejects a cache made under other flags,
  // and a rejected cache is written again at exit: the second run must leave it as it was.
  it.skipIf(!existsSync(CLI))("keeps the CLI's own cache from one run to the next", () => {
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: "" };
    execFileSync(process.execPath, [CLI, "--version"], { env });
    const written = cacheFile()!;
    const { mtimeMs } = statSync(written);
    execFileSync(process.execPath, [CLI, "--version"], { env });
    expect(statSync(written).mtimeMs).toBe(mtimeMs);
  });

  it("is off under NODE_DISABLE_COMPILE_CACHE", () => {
    expect(run({ NODE_DISABLE_COMPILE_CACHE: "1" })).toBe("first bundle.cjs object\n");
    expect(cacheFile()).toBeUndefined();
  });
});
