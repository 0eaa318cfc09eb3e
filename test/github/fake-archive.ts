import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";

/**
 * What GitHub's tarball endpoint answers, for the fakes: the files as `git archive` lays them
 * out (a pax global header with the commit id, a top-level `<owner>-<repo>-<sha7>/` directory,
 * a pax `path` record for each path too long for the ustar name field), gzip'd. Plus git's blob
 * id, which the tree listing reports for each file.
 */
export const gitBlobId = (content: string | Uint8Array): string => {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
};

export const archiveTopDirectory = (owner: string, repo: string, commit: string): string => `${owner}-${repo}-${commit.slice(0, 7)}`;

export function tarGz(files: Readonly<Record<string, string | Uint8Array>>, top: string, commit = "0".repeat(40)): Buffer {
  const blocks: Buffer[] = [];
  const entry = (name: string, type: string, data: Buffer) => {
    blocks.push(tarHeader(name, type, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  };
  entry("pax_global_header", "g", paxRecord("comment", commit));
  entry(`${top}/`, "5", Buffer.alloc(0));
  for (const [path, content] of Object.entries(files)) {
    const name = `${top}/${path}`;
    if (Buffer.byteLength(name) > 100) entry(`${top}/PaxHeader`, "x", paxRecord("path", name));
    entry(name, "0", Buffer.from(content));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/**
 * tarGz with one more file of `size` zero bytes at the end, gzip'd as it is read: an archive
 * too large to build in memory first.
 */
export function tarGzStream(
  files: Readonly<Record<string, string | Uint8Array>>,
  top: string,
  commit: string,
  filler: { readonly path: string; readonly size: number },
): Readable {
  const tar = gunzipSync(tarGz(files, top, commit));
  const zeros = Buffer.alloc(1024 * 1024);
  async function* blocks() {
    yield tar.subarray(0, tar.length - 1024);
    yield tarHeader(`${top}/${filler.path}`, "0", filler.size);
    for (let left = filler.size; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
    yield Buffer.alloc(((512 - (filler.size % 512)) % 512) + 1024);
  }
  return Readable.from(blocks()).pipe(createGzip({ level: 1 }));
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return Buffer.from(`${length}${body}`);
}

function tarHeader(name: string, type: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, "0")}\0`;
  Buffer.from(name).copy(header, 0, 0, 100);
  header.write(octal(type === "5" ? 0o775 : 0o664, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136);
  header.write(" ".repeat(8), 148);
  header.write(type, 156);
  header.write("ustar\u000000", 257);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}
