/** One file of a tree as the adapters read it: its repository path and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Each file's text by its path. */
export const textsByPath = (files: readonly SourceFile[]): Map<string, string> => new Map(files.map((file) => [file.path, file.text]));
