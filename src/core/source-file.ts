import { isUtf8 } from "node:buffer";

/** One file of a tree as the adapters read it: its repository path and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  /**
   * The text is the file's bytes, one character a byte (latin1): a file a kustomization names that
   * is not UTF-8 (an icon, a keystore), which its generator must receive byte for byte. Decoded as
   * UTF-8 it came out mangled, and kustomize refused the ConfigMap it made (szinn/k8s-homelab dashy icons).
   */
  readonly binary?: true;
}

/** Each file's text by its path. */
export const textsByPath = (files: readonly SourceFile[]): Map<string, string> => new Map(files.map((file) => [file.path, file.text]));

/** A file only a render reads (a generator's input): its text when its bytes are UTF-8, else the bytes themselves. */
export const renderInputFile = (path: string, bytes: Buffer): SourceFile =>
  isUtf8(bytes) ? { path, text: bytes.toString("utf8") } : { path, text: bytes.toString("latin1"), binary: true };

/**
 * A reviewed file's text from its bytes: UTF-8, or UTF-16 where a byte order mark says so (what
 * Windows PowerShell 5's `>` writes, and kubectl reads). Decoded as UTF-8, such a route was no
 * document at all, and a new one passed unseen.
 */
export function manifestText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString("utf16le");
  return bytes.toString("utf8");
}
