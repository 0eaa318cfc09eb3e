import { runCli } from "./command-line.js";
import { fullCollection } from "./full-collection.js";

// No top-level await: the CLI is bundled as CommonJS (scripts/build.mjs).
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  readAhead: { workerUrl: new URL("./read-ahead-worker.mjs", import.meta.url) },
  ...fullCollection(),
}).then((code) => (process.exitCode = code));
