import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "vitest";

/**
 * Real public config (`shared/corpus`, beside the checkout; never copied into the project),
 * looked up from each ancestor folder, so a git worktree nested deeper than the main checkout
 * finds it too. Absent, it is where the main checkout expects it, and the suites that read it skip.
 */
function findCorpus(): string {
  for (let folder = resolve(import.meta.dirname, "../.."); folder !== dirname(folder); folder = dirname(folder)) {
    const candidate = join(dirname(folder), "shared/corpus");
    if (existsSync(candidate)) return candidate;
  }
  return resolve(import.meta.dirname, "../../../shared/corpus");
}

export const CORPUS = findCorpus();
export const hasCorpus = existsSync(CORPUS);
export const corpusFile = (path: string): string => readFileSync(resolve(CORPUS, path), "utf8");

/**
 * A suite over the corpus. vitest runs a skipped describe's body to collect its tests, and these
 * bodies read the corpus: where it is absent the body must not run at all, so one skipped test
 * stands for the suite.
 */
export const describeCorpus = (name: string, body: () => void): void => {
  if (hasCorpus) describe(name, body);
  else it.skip(`${name} (needs ../shared/corpus)`);
};
