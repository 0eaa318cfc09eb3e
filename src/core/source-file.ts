/** One file of a tree as the adapters read it: its repository path and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}
