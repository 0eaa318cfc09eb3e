// Bundles the entry points with esbuild. `node scripts/build.mjs cli` builds only the CLI
// (run on `prepare`, so `npx route-governor` works right after `npm ci`); `bench` builds the
// benchmark, which measures the bundled code as it ships; `action` the GitHub Action's committed bundle.
import { build } from "esbuild";
import { chmodSync } from "node:fs";

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

const only = process.argv[2];
const targets = [
  { name: "cli", entryPoints: ["src/cli.ts"], outfile: "bin/route-governor.mjs", banner: { js: "#!/usr/bin/env node\n" + shared.banner.js } },
  // The Lambda Node.js runtime ships the AWS SDK v3: keep it out of the bundle.
  { name: "lambda", entryPoints: ["src/lambda.ts"], outfile: "dist/lambda.mjs", minify: true, external: ["@aws-sdk/*"] },
  // The GitHub Action runs this committed file as it is (no install step): minified, and CI checks it matches the source.
  { name: "action", entryPoints: ["src/action.ts"], outfile: "action/index.mjs", minify: true, target: "node24", legalComments: "none" },
  { name: "bench", entryPoints: ["bench/run-bench.ts"], outfile: "dist/bench.mjs" },
  { name: "server", entryPoints: ["src/server.ts"], outfile: "dist/server.mjs" },
  { name: "demo-app", entryPoints: ["scripts/demo-app.ts"], outfile: "dist/demo-app.mjs" },
  { name: "replay", entryPoints: ["scripts/replay.ts"], outfile: "dist/replay.mjs" },
].filter((t) => (only ? t.name === only : !["bench", "demo-app", "replay"].includes(t.name)));

for (const { name, ...options } of targets) {
  await build({ ...shared, ...options });
  if (name === "cli") chmodSync(options.outfile, 0o755);
}
