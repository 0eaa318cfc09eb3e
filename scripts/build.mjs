// Bundles the entry points with esbuild. `node scripts/build.mjs cli` builds only the CLI
// (run on `prepare`, so `npx route-governor` works right after `npm ci`); `bench` builds the
// benchmark, which measures the bundled code as it ships.
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
  { name: "bench", entryPoints: ["bench/review-bench.ts"], outfile: "dist/bench.mjs" },
].filter((t) => (only ? t.name === only : t.name !== "bench"));

for (const { name, ...options } of targets) {
  await build({ ...shared, ...options });
  if (name === "cli") chmodSync(options.outfile, 0o755);
}
