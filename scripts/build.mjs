// Bundles the entry points with esbuild. `node scripts/build.mjs cli` builds only the CLI
// (run on `prepare`, so `npx route-governor` works right after `npm ci`); `bench` builds the
// benchmark, which measures the bundled code as it ships; `action` the GitHub Action's committed bundle.
import { build } from "esbuild";
import { chmodSync, readFileSync } from "node:fs";

const shared = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  loader: { ".yml": "text" },
  logLevel: "warning",
  // CommonJS dependencies call require(); an ESM bundle has none unless we make one.
  banner: { js: "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);" },
};

// What a deployed function carries is its cold start: the policies' comments are documentation for
// people reading policies/*.yml, not input to the parser; text stays UTF-8 rather than \u-escaped.
const lean = {
  minify: true,
  charset: "utf8",
  // JSON logs only: see src/lambda-log-stream.ts.
  alias: { "@probot/pino": "./src/lambda-log-stream.ts" },
  plugins: [
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

const only = process.argv[2];
const targets = [
  {
    name: "cli",
    entryPoints: ["src/cli.ts"],
    outfile: "bin/route-governor.mjs",
    banner: { js: "#!/usr/bin/env node\n" + shared.banner.js },
  },
  // The Lambda Node.js runtime ships the AWS SDK v3: keep it out of the bundles. The webhook
  // function only verifies and enqueues (no Probot, no review engine: a fast cold start); the
  // worker carries the App.
  { name: "lambda", entryPoints: ["src/lambda.ts"], outfile: "dist/lambda.mjs", ...lean, external: ["@aws-sdk/*"] },
  { name: "worker", entryPoints: ["src/lambda-worker.ts"], outfile: "dist/worker.mjs", ...lean, external: ["@aws-sdk/*"] },
  // The GitHub Action runs this committed file as it is (no install step): minified, with the
  // dependencies' licence notices at its end, and CI checks it matches the source.
  { name: "action", entryPoints: ["src/action.ts"], outfile: "action/index.mjs", minify: true, charset: "utf8", target: "node24" },
  // The repository-size bench runs the App's read of a side in a child process, measured alone.
  {
    name: "bench",
    entryPoints: { bench: "bench/run-bench.ts", "read-side-child": "bench/read-side-child.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
  },
  { name: "server", entryPoints: ["src/server.ts"], outfile: "dist/server.mjs" },
  { name: "demo-app", entryPoints: ["scripts/demo-app.ts"], outfile: "dist/demo-app.mjs" },
  { name: "replay", entryPoints: ["scripts/replay.ts"], outfile: "dist/replay.mjs" },
  { name: "preview-cases", entryPoints: ["scripts/preview-cases.ts"], outfile: "dist/preview-cases.mjs" },
].filter((t) => (only ? t.name === only : !["bench", "demo-app", "replay", "preview-cases"].includes(t.name)));

for (const { name, ...options } of targets) {
  await build({ ...shared, ...options });
  if (name === "cli") chmodSync(options.outfile, 0o755);
}
