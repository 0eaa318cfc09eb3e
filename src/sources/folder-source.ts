import { open, readdir, readlink, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { defaultYamlLimits } from "../manifests/yaml-documents.js";
import type { SourceFile, SymbolicLink } from "../review.js";

/** A tree as the review reads it: its reviewed files, and its symlinks (not followed) whatever they name. */
export interface SourceTree {
  readonly files: SourceFile[];
  readonly links: SymbolicLink[];
}

/**
 * Files the review reads: YAML (traffic config, Helm values, the policy), and what rendering reads
 * beside it (Helm template helpers, .helmignore, JSON patches and schemas, generator env files).
 */
export const isReviewedPath = (path: string): boolean => /(?:\.ya?ml|\.tpl|\.json|\.env|\.properties|(?:^|\/)\.helmignore)$/i.test(path);

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/** Every reviewed file and every symlink below `root`, with repository-style forward-slash paths relative to it. */
export async function readFolder(root: string): Promise<SourceTree> {
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`not a directory: ${root}`);
  const files: SourceFile[] = [];
  const links: SymbolicLink[] = [];
  const repositoryPath = (path: string) => relative(root, path).split(sep).join("/");
  async function walk(directory: string): Promise<void> {
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(path);
      } else if (entry.isSymbolicLink()) {
        links.push({ path: repositoryPath(path), target: (await readlink(path)).split(sep).join("/") });
      } else if (entry.isFile() && isReviewedPath(entry.name)) {
        files.push({ path: repositoryPath(path), text: await readBounded(path) });
      }
    }
  }
  await walk(root);
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
  return { files: files.sort(byPath), links: links.sort(byPath) };
}

/**
 * A file's text, cut one byte past the loader's size bound: enough for the loader to refuse it by
 * name, without holding a huge file in memory.
 */
async function readBounded(path: string): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(Math.min((await handle.stat()).size, defaultYamlLimits.maxFileBytes) + 1);
    let filled = 0;
    for (let read = -1; read !== 0 && filled < buffer.length; filled += read) {
      ({ bytesRead: read } = await handle.read(buffer, filled, buffer.length - filled, filled));
    }
    return buffer.toString("utf8", 0, filled);
  } finally {
    await handle.close();
  }
}
