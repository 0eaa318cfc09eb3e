/** `---` at column 0, with an optional comment, between the documents of a YAML stream. */
const DOCUMENT_MARKER = /^---[ \t]*(?:#.*)?$/m;

/**
 * A YAML stream's documents as texts, each to be read on its own: for detectors that read a few
 * documents of files the loader keeps nothing of (a kustomize patch, a core Service).
 */
export const documentTexts = (stream: string): string[] => stream.split(DOCUMENT_MARKER);
