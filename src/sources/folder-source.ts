import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { SourceFile } from "../review.js";

/** Files the review reads: YAML (traffic config, Helm values, the policy). */
export const isReviewedPath = (path: string): boolean => /\.ya?ml$/i.test(path);

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/** Every YAML file below `root`, with repository-style forward-slash paths relative to it. */
export async function readFolder(root: string): Promise<SourceFile[]> {
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`not a directory: ${root}`);
  const files: SourceFile[] = [];
  async function walk(directory: string): Promise<void> {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(path);
      } else if (entry.isFile() && isReviewedPath(entry.name)) {
        files.push({ path: relative(root, path).split(sep).join("/"), text: await readFile(path, "utf8") });
      }
    }
  }
  await walk(root);
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}
