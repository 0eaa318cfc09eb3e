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

// The entry of the thread the App analyses each evaluation in (src/isolation/isolated-analysis.ts),
// written beside every bundle that runs the App, where the App looks for it.
export const ANALYSIS_THREAD_ENTRY = "src/isolation/analysis-thread.ts";
