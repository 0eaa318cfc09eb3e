// Bundles the entry points with esbuild. `node scripts/build.mjs cli` builds only the CLI
// (run on `prepare`, so `npx route-governor` works right after `npm ci`); `bench` builds the
// benchmark, which measures the bundled code as it ships; `action` the GitHub Action's committed bundle.
import { build } from "esbuild";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ANALYSIS_THREAD_ENTRY, commonJs, lean, oneByteText, shared } from "./bundle-options.mjs";

const only = process.argv[2];
const targets = [
  // The CLI and its parsing threads (src/sources/read-ahead.ts; the parser alone, so a thread starts
  // fast) are CommonJS bundles, each run by the .mjs of its name through the compile cache: a fresh
  // process does not compile them again (src/cached-bundle-entry.ts).
  { name: "cli", entryPoints: ["src/cli.ts"], outfile: "bin/route-governor.cjs", ...commonJs },
  { name: "cli", entryPoints: ["src/read-ahead-worker.ts"], outfile: "bin/read-ahead-worker.cjs", ...commonJs },
  { name: "cli", entryPoints: ["src/cached-bundle-entry.ts"], outfile: "bin/route-governor.mjs", banner: { js: "#!/usr/bin/env node" } },
  { name: "cli", entryPoints: ["src/cached-bundle-entry.ts"], outfile: "bin/read-ahead-worker.mjs", banner: {} },
  // The Lambda Node.js runtime ships the AWS SDK v3: keep it out of the bundles. The webhook
  // function only verifies and enqueues (no Probot, no review engine: a fast cold start); the
  // worker carries the App.
  { name: "lambda", entryPoints: ["src/lambda.ts"], outfile: "dist/lambda.mjs", ...lean, external: ["@aws-sdk/*"] },
  // The worker and its analysis thread share their code as chunks in one folder: the function
  // carries the engine once (within its 1 MB budget), and the thread loads only what it needs.
  {
    name: "worker",
    entryPoints: { worker: "src/lambda-worker.ts", "analysis-thread": ANALYSIS_THREAD_ENTRY },
    outdir: "dist/worker",
    outExtension: { ".js": ".mjs" },
    splitting: true,
    ...lean,
    external: ["@aws-sdk/*"],
  },
  // The GitHub Action runs this committed file as it is (no install step): minified, with the
  // dependencies' licence notices at its end, and CI checks it matches the source.
  { name: "action", entryPoints: ["src/action.ts"], outfile: "action/index.mjs", minify: true, charset: "utf8", target: "node24" },
  // The repository-size bench runs the App's read of a side in a child process, measured alone;
  // the App evaluation bench runs the analysis thread beside it.
  {
    name: "bench",
    entryPoints: { bench: "bench/run-bench.ts", "read-side-child": "bench/read-side-child.ts", "analysis-thread": ANALYSIS_THREAD_ENTRY },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
  },
  { name: "server", entryPoints: ["src/server.ts"], outfile: "dist/server.mjs", app: true },
  { name: "demo-app", entryPoints: ["scripts/demo-app.ts"], outfile: "dist/demo-app.mjs", app: true },
  { name: "replay", entryPoints: ["scripts/replay.ts"], outfile: "dist/replay.mjs" },
  { name: "preview-cases", entryPoints: ["scripts/preview-cases.ts"], outfile: "dist/preview-cases.mjs" },
].filter((t) => (only ? t.name === only : !["bench", "demo-app", "replay", "preview-cases"].includes(t.name)));

for (const { name, app, ...options } of targets) {
  // A folder of chunks is rebuilt whole: stale chunks would be packaged too.
  if (options.splitting) rmSync(options.outdir, { recursive: true, force: true });
  await buildOneByte({ ...shared, ...options });
  if (name === "cli") chmodSync(options.outfile, 0o755);
  if (app) await buildOneByte({ ...shared, ...options, entryPoints: [ANALYSIS_THREAD_ENTRY], outfile: "dist/analysis-thread.mjs" });
}

/** A build whose JavaScript files V8 can hold one byte a character (bundle-options.mjs oneByteText). */
async function buildOneByte(options) {
  const { metafile } = await build({ ...options, metafile: true });
  for (const file of Object.keys(metafile.outputs).filter((output) => /\.[cm]?js$/.test(output))) {
    const code = readFileSync(file, "utf8");
    const escaped = oneByteText(code);
    if (escaped !== code) writeFileSync(file, escaped);
  }
}
