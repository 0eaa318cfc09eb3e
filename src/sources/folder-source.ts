import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { defaultYamlLimits } from "../manifests/yaml-documents.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { namedRenderInputs } from "../render/kustomize-tree.js";
import type { SourceFile, Submodule, SymbolicLink } from "../review.js";
import { manifestText, renderInputFile } from "../core/source-file.js";

/**
 * A tree as the review reads it: its reviewed files, its symlinks (not followed) whatever they name,
 * and the submodules a git tree records (whose files it does not hold).
 */
export interface SourceTree {
  readonly files: SourceFile[];
  readonly links: SymbolicLink[];
  readonly submodules: Submodule[];
}

/**
 * Files the review reads: YAML (traffic config, Helm values, the policy), and what rendering reads
 * beside it (Helm template helpers, .helmignore, JSON patches and schemas, generator env files),
 * Flux's `.sourceignore` (what a GitRepository's artifact leaves out is applied by no Kustomization), and
 * a kustomization under any name kustomize reads it by: one renamed to `Kustomization` (no
 * extension; kustomize and Flux read it as kustomization.yaml) went unread, so its folder's routes
 * and Gateways read as removed.
 */
export const isReviewedPath = (path: string): boolean =>
  /(?:\.ya?ml|\.tpl|\.json|\.env|\.properties|(?:^|\/)\.helmignore|(?:^|\/)\.sourceignore)$/i.test(path) || isKustomizationFile(path);

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/**
 * Every reviewed file and every symlink below `root`, and the other files its kustomizations name
 * (see namedRenderInputs), with repository-style forward-slash paths relative to it. Read synchronously: the CLI has nothing else to do meanwhile, and a thousand
 * small files read through the thread pool left its main thread waiting for 150 ms of a 2.6 s review.
 *
 * `known`: the other tree's texts by path (the base's, when this is the head). A file whose bytes
 * are that text takes its string: the review keeps both trees to its end, and decoding a second
 * copy of every file the PR leaves alone only to drop it was most of the head's reading (issue 13).
 */
export function readFolder(root: string, known?: ReadonlyMap<string, string>): SourceTree {
  const info = statSync(root, { throwIfNoEntry: false });
  if (!info?.isDirectory()) throw new Error(`not a directory: ${root}`);
  const files: SourceFile[] = [];
  const links: SymbolicLink[] = [];
  const repositoryPath = (path: string) => relative(root, path).split(sep).join("/");
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(path);
      } else if (entry.isSymbolicLink()) {
        links.push({ path: repositoryPath(path), target: readlinkSync(path).split(sep).join("/") });
      } else if (entry.isFile() && isReviewedPath(entry.name)) {
        const repositoryFile = repositoryPath(path);
        files.push({ path: repositoryFile, text: readBounded(path, known?.get(repositoryFile)) });
      }
    }
  };
  walk(root);
  // Only a regular file inside the folder: a link on the way could lead anywhere on the machine.
  const inside = `${realpathSync(root)}${sep}`;
  for (const path of namedRenderInputs(files)) {
    const full = join(root, ...path.split("/"));
    if (lstatSync(full, { throwIfNoEntry: false })?.isFile() && realpathSync(full).startsWith(inside))
      files.push(renderInputFile(path, readBytes(full)));
  }
  // The buffers lent to this read go with it: the largest file's size twice over, held to the end of the review.
  reading = scratch = Buffer.alloc(0);
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
  // A checked-out submodule is a folder like any other: its files are read as the tree's own.
  return { files: files.sort(byPath), links: links.sort(byPath), submodules: [] };
}

/** Where a known text is encoded to be compared with the bytes read: one buffer for the whole read. */
let scratch = Buffer.alloc(0);

/** Whether `bytes` are `text` encoded, without making a string of them. */
function encodes(bytes: Buffer, text: string): boolean {
  if (Buffer.byteLength(text, "utf8") !== bytes.length) return false;
  if (scratch.length < bytes.length) scratch = Buffer.allocUnsafe(Math.max(bytes.length, scratch.length * 2));
  scratch.write(text, 0, "utf8");
  return bytes.equals(scratch.subarray(0, bytes.length));
}

/**
 * A file's bytes, cut one byte past the loader's read bound: a file too large to parse is still
 * scanned whole for traffic kinds, and one too large to read is refused by name without being held
 * in memory. `into` lends a buffer of a size when the bytes need not outlive the next read.
 */
function readBytes(path: string, into: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const handle = openSync(path, "r");
  try {
    const buffer = into(Math.min(fstatSync(handle).size, defaultYamlLimits.maxReadBytes) + 1);
    let filled = 0;
    for (let read = -1; read !== 0 && filled < buffer.length; filled += read) {
      read = readSync(handle, buffer, filled, buffer.length - filled, filled);
    }
    return buffer.subarray(0, filled);
  } finally {
    closeSync(handle);
  }
}

/**
 * Where a file whose text is all the review keeps is read: one buffer, grown to the largest. A
 * buffer of its own a file left the process's allocator holding once the collector freed it, and a
 * large tree's thousands of them stayed resident to the review's peak (issue 13: 2,000 files,
 * 10–20 MB of peak RSS).
 */
let reading = Buffer.alloc(0);

const lentBuffer = (size: number): Buffer => {
  // A file over the parse bound is rare and read once: not a reason to hold its size to the end.
  if (size > defaultYamlLimits.maxFileBytes + 1) return Buffer.allocUnsafe(size);
  if (reading.length < size) reading = Buffer.allocUnsafe(Math.min(Math.max(size, 2 * reading.length), defaultYamlLimits.maxFileBytes + 1));
  return reading.subarray(0, size);
};

/** A file's text (see readBytes); `known` is returned itself when the bytes are it. */
function readBounded(path: string, known?: string): string {
  const bytes = readBytes(path, lentBuffer);
  return known !== undefined && encodes(bytes, known) ? known : manifestText(bytes);
}
