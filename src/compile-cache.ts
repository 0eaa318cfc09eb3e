import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script, constants } from "node:vm";
import { threadId } from "node:worker_threads";

/**
 * Runs a CommonJS bundle with V8's code cache. A fresh CLI process otherwise compiles its bundle
 * anew each run, and the functions a review calls compile lazily on their first call; the cache is
 * written when the process (or thread) exits, after the review, so it holds those functions too and
 * the next run skips compiling them. One path for Node 20 and 22: Node 20 has no
 * `module.enableCompileCache()`, and `vm.Script`'s cache works alike on both.
 *
 * The cache lives in `$XDG_CACHE_HOME/route-governor` (else `~/.cache/route-governor`), one file per
 * bundle, stamped with a digest of the bundle's text and the Node build: a rebuilt bundle or
 * another Node never uses a stale cache (V8 checks too). It is written whole to a temporary file and
 * renamed, so a concurrent run reads the old cache or the new one. `NODE_DISABLE_COMPILE_CACHE` (as
 * Node's own cache honours it) turns it off, and any failure of the cache only loads the bundle
 * without it: the cache can make a run faster, never different.
 */
export function runCachedBundle(file: string): void {
  const { script, cache, cached } = compileBundle(file);
  if (cache && !cached) process.once("exit", () => attempt(() => writeCache(cache, script.createCachedData())));
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper)(module.exports, createRequire(file), module, file, dirname(file));
}

/**
 * The bundle compiled, with its cache when one was found (`cached`: V8 took it). Apart from
 * runCachedBundle so that the bundle's text (2.7 MB) is not held by the exit listener's scope for
 * the whole run: V8 keeps every variable a closure of a scope could read.
 */
function compileBundle(file: string): { readonly script: Script; readonly cache?: Cache; readonly cached: boolean } {
  const source = readFileSync(file, "utf8");
  const cache = process.env.NODE_DISABLE_COMPILE_CACHE ? undefined : attempt(() => cacheOf(file, source));
  const cachedData = cache && attempt(() => cachedDataOf(cache));
  // The parameters of Node's own CommonJS wrapper, on the bundle's first line so its line numbers hold.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return { script, ...(cache ? { cache } : {}), cached: cachedData !== undefined && !script.cachedDataRejected };
}

type CommonJsWrapper = (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;

interface Cache {
  readonly path: string;
  /** What the cached code was compiled from: the bundle's text and the Node build. */
  readonly stamp: Buffer;
}

function cacheOf(file: string, source: string): Cache {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "route-governor");
  const stamp = createHash("sha256").update(`${process.version} ${process.arch} ${process.versions.v8}\0`).update(source).digest();
  // Named for the bundle's place, so a rebuild replaces its cache instead of adding one.
  const place = createHash("sha256").update(file).digest("hex").slice(0, 16);
  return { path: join(dir, `${basename(file)}-${place}.v8-cache`), stamp };
}

function cachedDataOf(cache: Cache): Buffer | undefined {
  const data = readFileSync(cache.path);
  return data.subarray(0, cache.stamp.length).equals(cache.stamp) ? data.subarray(cache.stamp.length) : undefined;
}

function writeCache(cache: Cache, data: Buffer): void {
  mkdirSync(dirname(cache.path), { recursive: true });
  const temporary = `${cache.path}.${process.pid}-${threadId}.tmp`;
  writeFileSync(temporary, Buffer.concat([cache.stamp, data]));
  renameSync(temporary, cache.path);
}

function attempt<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
