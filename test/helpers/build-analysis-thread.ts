import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import type { TestProject } from "vitest/node";
import { ANALYSIS_THREAD_ENTRY, shared } from "../../scripts/bundle-options.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    analysisThread: string;
  }
}

/**
 * Vitest's global setup: the App's analysis thread bundled from the current sources, once per run.
 * Node 20 cannot start a worker on a .ts file, and one loading the sources through tsx spends
 * about a second per evaluation compiling them. Built inside the project, as the App's bundles
 * are: the thread renders, and finds the pinned kubectl and helm package from where it runs.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const cache = join("node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "rg-analysis-thread-"));
  const outfile = join(dir, "analysis-thread.mjs");
  await build({ ...shared, entryPoints: [ANALYSIS_THREAD_ENTRY], outfile });
  project.provide("analysisThread", outfile);
  return () => rmSync(dir, { recursive: true, force: true });
}
