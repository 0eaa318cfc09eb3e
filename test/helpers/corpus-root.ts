import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The shared corpus of real public config (`shared/corpus`, beside the checkout): looked up from
 * each ancestor folder, so a git worktree nested one level deeper than the main checkout finds it
 * too. Absent, it is where the main checkout expects it, and the tests that read it skip.
 */
function findCorpus(): string {
  for (let folder = resolve(import.meta.dirname, "../.."); folder !== dirname(folder); folder = dirname(folder)) {
    const candidate = join(dirname(folder), "shared/corpus");
    if (existsSync(candidate)) return candidate;
  }
  return resolve(import.meta.dirname, "../../../shared/corpus");
}

export const CORPUS_ROOT = findCorpus();
