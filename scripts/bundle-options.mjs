// esbuild options every bundle shares: scripts/build.mjs, and the tests' build of the analysis thread.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const shared = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  loader: { ".yml": "text" },
  logLevel: "warning",
  // CommonJS dependencies call require(); an ESM bundle has none unless we make one.
  banner: { js: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);" },
};

// The CLI's code runs as CommonJS through the compile cache (src/compile-cache.ts): `vm.Script`
// caches compiled scripts, not ES modules. A CommonJS bundle has no `import.meta`; its file's URL
// stands in. Strict, as the ES modules it is built from (the banner comes before esbuild's "use strict").
export const commonJs = {
  format: "cjs",
  banner: { js: '"use strict"; const __rgImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__rgImportMetaUrl" },
};

// What a deployed function carries is its cold start: the policies' comments are documentation for
// people reading policies/*.yml, not input to the parser; text stays UTF-8 rather than \u-escaped.
export const lean = {
  minify: true,
  charset: "utf8",
  // JSON logs only (src/lambda-log-stream.ts); Probot's config files read with js-yaml (src/lambda-yaml.ts).
  alias: { "@probot/pino": "./src/lambda-log-stream.ts", yaml: "./src/lambda-yaml.ts" },
  plugins: [
    {
      // Probot's throttling takes full Bottleneck only to share rate limits through Redis, which it
      // would fetch with npx at run time (REDIS_URL): no function does (src/lambda-worker.ts refuses
      // it). The light build Octokit's throttling plugin uses already is 60 KB less to load.
      name: "bottleneck-light",
      setup(esbuild) {
        esbuild.onResolve({ filter: /^bottleneck$/ }, () => ({ path: fileURLToPath(import.meta.resolve("bottleneck/light.js")) }));
      },
    },
    {
      name: "policy-without-comments",
      setup(esbuild) {
        esbuild.onLoad({ filter: /\.yml$/ }, ({ path }) => ({
          contents: readFileSync(path, "utf8").replace(/^\s*#.*\n/gm, ""),
          loader: "text",
        }));
      },
    },
  ],
};

/**
 * V8 keeps a script's source for as long as its functions live, as one-byte (Latin-1) text only if
 * every character fits: one `→` in a comment makes the CLI's whole 2 MB bundle two-byte, 2 MB more
 * heap for the life of every review (issue 13), and so for the Lambda bundles, which keep UTF-8.
 * esbuild escapes string literals but not comments, regular expressions or raw templates (ten
 * characters, one of them in zod). A \u escape means the same character in a string, a template,
 * a regular expression and an identifier, and nothing in a comment; the one raw template that
 * holds such characters is a RegExp source, where the escape is read as the character again.
 */
export function oneByteText(code) {
  return code.replace(/[^\x00-\xff]/g, (unit, at) => {
    // After a backslash the escape would itself be escaped: no bundle has one, and none may slip through.
    if (code[at - 1] === "\\") throw new Error(`oneByteText: an escaped non-Latin-1 character at ${at}`);
    return `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

// The entry of the thread the App analyses each evaluation in (src/isolation/isolated-analysis.ts),
// written beside every bundle that runs the App, where the App looks for it.
export const ANALYSIS_THREAD_ENTRY = "src/isolation/analysis-thread.ts";
