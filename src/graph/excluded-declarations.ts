import type { SourceFile } from "../core/source-file.js";

/**
 * Whether a file the policy's `paths` exclude may declare an object: its text names the kind in a
 * `kind:` line and holds the name. Excluded files are not read, so a reference to what one of them
 * declares (a route of the examples attached to a Gateway of `conformance/`) is unchecked, not
 * broken. A text test, not a parse: an excluded file may be anything.
 */
export function excludedDeclarations(
  trees: readonly { readonly files: readonly SourceFile[]; readonly excluded: readonly string[] }[],
): ((kind: string, name: string) => boolean) | undefined {
  const texts = trees.flatMap(({ files, excluded }) => {
    if (excluded.length === 0) return [];
    const paths = new Set(excluded);
    return files.flatMap((file) => (paths.has(file.path) ? [file.text] : []));
  });
  if (texts.length === 0) return undefined;
  return (kind, name) => {
    const declares = new RegExp(`^\\s*(?:-\\s+)?kind:\\s*["']?${kind}["']?\\s*(?:#.*)?$`, "m");
    return texts.some((text) => text.includes(name) && declares.test(text));
  };
}
