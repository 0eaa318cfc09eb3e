/** `---` at column 0, with an optional comment, between the documents of a YAML stream. */
const DOCUMENT_MARKER = /^---[ \t]*(?:#.*)?$/m;

/**
 * A YAML stream's documents as texts, each to be read on its own: for detectors that read a few
 * documents of files the loader keeps nothing of (a kustomize patch, a core Service).
 */
export const documentTexts = (stream: string): string[] => stream.split(DOCUMENT_MARKER);

/**
 * A `kind:` line naming one of `kinds`, in YAML or JSON (quoted, a trailing comma), or a `kind`
 * entry of a flow mapping or one-line JSON (`{"kind":"Service",...}`, which kubectl applies alike):
 * which files and documents are worth parsing for them.
 */
export const kindLine = (kinds: readonly string[]): RegExp => {
  const kind = `["']?kind["']?[ \\t]*:[ \\t]*["']?(?:${kinds.join("|")})["']?[ \\t]*`;
  return new RegExp(`^[ \\t]*${kind},?[ \\t]*(?:#.*)?\\r?$|${kind}[,}]`, "m");
};

/** Each document's text with the 1-based line its text starts on (a later one's at its `---` line). */
export function documentsWithLines(stream: string): { readonly text: string; readonly line: number }[] {
  let line = 1;
  return documentTexts(stream).map((text) => {
    const at = line;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) line++;
    return { text, line: at };
  });
}
