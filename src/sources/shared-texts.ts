import type { SourceFile } from "../core/source-file.js";

/**
 * Base and head read apart (two folders, two git trees, or both copied into the analysis thread)
 * hold two copies of every file the PR leaves alone, and the review keeps both trees to its end:
 * an unchanged head file takes the base's string, and its own copy is freed at once.
 */
export function shareUnchangedTexts(base: readonly SourceFile[], head: readonly SourceFile[]): SourceFile[] {
  const baseText = new Map(base.map((file) => [file.path, file.text]));
  return head.map((file) => {
    const text = baseText.get(file.path);
    return text === file.text && text !== undefined ? { ...file, text } : file;
  });
}
