import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// Policies ship as YAML text inside the bundles (esbuild's text loader); tests load them the same way.
const yamlAsText = {
  name: "yaml-as-text",
  enforce: "pre" as const,
  load(id: string) {
    if (!/\.ya?ml$/.test(id)) return null;
    return `export default ${JSON.stringify(readFileSync(id, "utf8"))};`;
  },
};

export default defineConfig({
  plugins: [yamlAsText],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/build-analysis-thread.ts"],
    testTimeout: 20_000,
    pool: "forks",
  },
});
