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
 * document at all, and a new one passed unseen. A byte that is not part of UTF-8 (a Latin-1 comment,
 * `# propriétaire: équipe paiement`) is kept as the lone surrogate U+DC80–U+DCFF (Python's
 * `surrogateescape`), which no UTF-8 decodes to: replaced by U+FFFD it read as text, and a route
 * kustomize refuses ("invalid trailing UTF-8 octet"), and with it Flux and every kustomize build,
 * passed as unchanged. The loader refuses such a text (invalidByte), and a render gets its bytes
 * back (fileBytes).
 */
export function manifestText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return utf16Text(bytes.subarray(2), false);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return utf16Text(bytes.subarray(2), true);
  return isUtf8(bytes) ? bytes.toString("utf8") : withEscapedBytes(bytes);
}

/**
 * UTF-16 as kubectl's decoder (golang.org/x/text) reads it: what is not UTF-16 (a lone surrogate, an
 * odd last byte, on which a big-endian file's swap threw) as U+FFFD, so a lone surrogate in a file's
 * text only ever stands for a byte that was not UTF-8.
 */
function utf16Text(units: Buffer, bigEndian: boolean): string {
  const whole = units.subarray(0, units.length - (units.length % 2));
  const text = (bigEndian ? Buffer.from(whole).swap16() : whole).toString("utf16le");
  return (whole.length === units.length ? text : `${text}\uFFFD`).toWellFormed();
}

/** Each byte outside a UTF-8 sequence as U+DC00 plus the byte; the rest decoded. */
function withEscapedBytes(bytes: Buffer): string {
  let text = "";
  let from = 0;
  for (let at = 0; at < bytes.length;) {
    const length = utf8SequenceAt(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    text += bytes.toString("utf8", from, at) + String.fromCharCode(0xdc00 + bytes[at]!);
    from = ++at;
  }
  return text + bytes.toString("utf8", from);
}

/**
 * UTF-8 lead bytes from 0xC2 up, each row up to its `last`: the length of the sequence it starts and
 * the range of its second byte, which rules out what RFC 3629 forbids (overlong forms, surrogates,
 * code points past U+10FFFF).
 */
const UTF8_LEADS: readonly { readonly last: number; readonly length: number; readonly low: number; readonly high: number }[] = [
  { last: 0xdf, length: 2, low: 0x80, high: 0xbf },
  { last: 0xe0, length: 3, low: 0xa0, high: 0xbf },
  { last: 0xec, length: 3, low: 0x80, high: 0xbf },
  { last: 0xed, length: 3, low: 0x80, high: 0x9f },
  { last: 0xef, length: 3, low: 0x80, high: 0xbf },
  { last: 0xf0, length: 4, low: 0x90, high: 0xbf },
  { last: 0xf3, length: 4, low: 0x80, high: 0xbf },
  { last: 0xf4, length: 4, low: 0x80, high: 0x8f },
];

/** The length of the UTF-8 sequence at `at`, 0 where none starts. */
function utf8SequenceAt(bytes: Buffer, at: number): number {
  const lead = bytes[at]!;
  if (lead < 0x80) return 1;
  const form = lead < 0xc2 ? undefined : UTF8_LEADS.find(({ last }) => lead <= last);
  if (!form || at + form.length > bytes.length || bytes[at + 1]! < form.low || bytes[at + 1]! > form.high) return 0;
  for (let next = at + 2; next < at + form.length; next++) if ((bytes[next]! & 0xc0) !== 0x80) return 0;
  return form.length;
}

/** A lone surrogate: in a file's text (manifestText), a byte that was not UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Where a file's text (manifestText) holds what was not UTF-8: the line, and the byte where it was
 * one; undefined for a text read whole.
 */
export function invalidByte(text: string): { readonly line: number; readonly byte?: number } | undefined {
  if (text.isWellFormed()) return undefined;
  const at = LONE_SURROGATE.exec(text)!.index;
  let line = 1;
  for (let newline = text.indexOf("\n"); newline !== -1 && newline < at; newline = text.indexOf("\n", newline + 1)) line++;
  const code = text.charCodeAt(at);
  return code >= 0xdc80 && code <= 0xdcff ? { line, byte: code - 0xdc00 } : { line };
}

/** The bytes a file's text (manifestText) was read from: its characters in UTF-8, each byte that was not UTF-8 as it was. */
export function fileBytes(text: string): Buffer {
  if (text.isWellFormed()) return Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  let from = 0;
  for (const { index } of text.matchAll(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g)) {
    parts.push(Buffer.from(text.slice(from, index), "utf8"), Buffer.of(text.charCodeAt(index) - 0xdc00));
    from = index + 1;
  }
  parts.push(Buffer.from(text.slice(from), "utf8"));
  return Buffer.concat(parts);
}
