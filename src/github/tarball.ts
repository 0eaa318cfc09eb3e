import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * Reads the files of a repository archive as GitHub's tarball endpoint serves it (`git archive`
 * output, gzip'd): ustar headers with the `prefix` field, pax extended headers ('x') for long
 * paths, a pax global header ('g') carrying the commit id, and one top-level directory
 * `<owner>-<repo>-<sha7>/` that is stripped. Regular files and symlinks are returned, as raw bytes (the
 * caller checks them against git's blob ids before decoding).
 *
 * The archive is streamed: only the accepted entries' bytes are kept, the rest (a repository's
 * images, vendored code, binaries) is skipped as it arrives, so memory follows the reviewed files,
 * not the repository. The archive is untrusted input: the bytes kept and the bytes streamed are
 * bounded (the second ends a gzip bomb), every header is checksummed, and each step moves forward
 * by at least one block, so a corrupt archive ends in a clear error, never a hang or a partial read.
 */
export interface TarballLimits {
  /** Bytes of accepted entries kept in memory. */
  readonly maxRetainedBytes: number;
  /** Bytes of tar read through, kept or skipped: far above any repository, far below what a gzip bomb inflates to. */
  readonly maxStreamedBytes: number;
}

export const defaultTarballLimits: TarballLimits = { maxRetainedBytes: 256 * 1024 * 1024, maxStreamedBytes: 4 * 1024 * 1024 * 1024 };

export interface ArchivedFile {
  /** Path inside the repository (the top-level directory stripped), forward slashes. */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** A symbolic link: `bytes` is its target, which is what git stores as the link's blob. */
  readonly symlink?: true;
}

const BLOCK = 512;
/** Gunzip's output chunk: larger than its 16 KB default, it gunzips a repository's skipped bulk in about a quarter less time. */
export const GUNZIP_CHUNK_BYTES = 256 * 1024;
/** A pax extended header holds a path or a link target: git's own are under a few KB. */
const MAX_PAX_BYTES = 1024 * 1024;
const utf8 = new TextDecoder("utf-8");

/** gunzips `gzipped` (an HTTP body) into readTarball; an error anywhere, or `signal`, stops the download. */
export async function readGzippedTarball(
  gzipped: AsyncIterable<Uint8Array>,
  accept: (path: string, symlink: boolean) => boolean,
  limits: TarballLimits = defaultTarballLimits,
  signal?: AbortSignal,
): Promise<ArchivedFile[]> {
  let files: ArchivedFile[] = [];
  try {
    await pipeline(
      Readable.from(gzipped, { objectMode: false }),
      createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
      async (tar: AsyncIterable<Uint8Array>) => {
        files = await readTarball(tar, accept, limits);
      },
      { signal },
    );
  } catch (error) {
    if (/^Z_/.test((error as { code?: string }).code ?? "")) {
      throw new Error(`repository archive is not a readable gzip stream (${(error as Error).message})`);
    }
    throw error;
  }
  return files;
}

/** Reads the tar stream `tar` (already gunzipped) to its end. Pure apart from consuming the stream. */
export async function readTarball(
  tar: AsyncIterable<Uint8Array>,
  accept: (path: string, symlink: boolean) => boolean,
  limits: TarballLimits = defaultTarballLimits,
): Promise<ArchivedFile[]> {
  const input = byteReader(tar, limits.maxStreamedBytes);
  const files: ArchivedFile[] = [];
  let retained = 0;
  let pax: PaxRecords = {};
  for (;;) {
    const offset = input.offset();
    const header = await input.read(BLOCK);
    if (header.length < BLOCK) throw corrupt(`ends at byte ${input.offset()} without an end-of-archive marker (truncated)`);
    if (header.every((byte) => byte === 0)) {
      // What follows is padding, but the gzip trailer after it is the check that the stream arrived whole.
      await input.skip(Number.POSITIVE_INFINITY);
      return files;
    }
    checkHeader(header, offset);
    const type = String.fromCharCode(header[156]!);
    const size = type === "x" || type === "g" ? octal(header, 124, 12, offset) : (pax.size ?? octal(header, 124, 12, offset));
    const truncated = () => corrupt(`entry at byte ${offset} declares ${size} bytes past the end of the archive (truncated)`);
    /** The entry's data: read when kept, else skipped with its block padding below. */
    let dataRead = 0;
    const readData = async (): Promise<Uint8Array> => {
      const data = await input.read(size);
      if (data.length < size) throw truncated();
      dataRead = size;
      return data;
    };
    if (type === "x") {
      if (size > MAX_PAX_BYTES) throw corrupt(`pax header at byte ${offset} declares ${size} bytes, over the ${MAX_PAX_BYTES}-byte bound`);
      pax = paxRecords(await readData(), offset);
    } else {
      if (type === "0" || type === "\0" || type === "2") {
        const path = withoutTopDirectory(pax.path ?? ustarPath(header), offset);
        const symlink = type === "2";
        if (accept(path, symlink)) {
          // Bounded before a file's bytes are read; a link's target is already in hand (its header or pax record).
          const target = symlink ? (pax.linkpath ?? untilNul(header.subarray(157, 257)).slice()) : undefined;
          const length = target?.length ?? size;
          if (length > limits.maxRetainedBytes - retained) {
            throw new Error(
              `repository archive's reviewed files are over the ${limits.maxRetainedBytes}-byte bound (${path} at byte ${offset} declares ${length} bytes): refused, Route Governor cannot review this repository completely`,
            );
          }
          files.push(target ? { path, bytes: target, symlink: true } : { path, bytes: await readData() });
          retained += length;
        }
      }
      pax = {};
    }
    const rest = Math.ceil(size / BLOCK) * BLOCK - dataRead;
    if ((await input.skip(rest)) < rest) throw truncated();
  }
}

/**
 * Bytes from a stream of chunks of any size, in order: `read` copies exactly `length` bytes out
 * (fewer where the stream ends), so nothing kept pins the chunk it came in; `skip` discards
 * without keeping. Every byte pulled counts against `maxBytes`.
 */
function byteReader(chunks: AsyncIterable<Uint8Array>, maxBytes: number) {
  const iterator = chunks[Symbol.asyncIterator]();
  let chunk: Uint8Array = new Uint8Array(0);
  let at = 0;
  let pulled = 0;
  let ended = false;
  /** Moves to a chunk with bytes left in it; false at the end of the stream. */
  const ready = async (): Promise<boolean> => {
    while (at === chunk.length && !ended) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        break;
      }
      pulled += next.value.length;
      if (pulled > maxBytes) {
        throw new Error(
          `repository archive is over the ${maxBytes}-byte bound uncompressed: refused, Route Governor cannot review this repository completely`,
        );
      }
      [chunk, at] = [next.value, 0];
    }
    return at < chunk.length;
  };
  return {
    offset: (): number => pulled - (chunk.length - at),
    async read(length: number): Promise<Uint8Array> {
      const pieces: Uint8Array[] = [];
      let count = 0;
      while (count < length && (await ready())) {
        const piece = chunk.subarray(at, at + Math.min(length - count, chunk.length - at));
        pieces.push(piece);
        count += piece.length;
        at += piece.length;
      }
      const bytes = new Uint8Array(count);
      pieces.reduce((position, piece) => (bytes.set(piece, position), position + piece.length), 0);
      return bytes;
    },
    async skip(length: number): Promise<number> {
      let count = 0;
      while (count < length && (await ready())) {
        const step = Math.min(length - count, chunk.length - at);
        count += step;
        at += step;
      }
      return count;
    },
  };
}

const corrupt = (detail: string): Error => new Error(`repository archive is corrupt: ${detail}`);

/** ustar magic and the header checksum (the sum of its bytes, the checksum field read as spaces). */
function checkHeader(header: Uint8Array, offset: number): void {
  if (utf8.decode(header.subarray(257, 262)) !== "ustar") throw corrupt(`no ustar header at byte ${offset}`);
  let sum = 0;
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
  if (octal(header, 148, 8, offset) !== sum) throw corrupt(`header checksum mismatch at byte ${offset}`);
}

function octal(header: Uint8Array, start: number, length: number, offset: number): number {
  const text = utf8
    .decode(header.subarray(start, start + length))
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  if (!/^[0-7]+$/.test(text)) throw corrupt(`numeric field at byte ${offset + start} is not octal`);
  return parseInt(text, 8);
}

const untilNul = (bytes: Uint8Array): Uint8Array => {
  const end = bytes.indexOf(0);
  return end === -1 ? bytes : bytes.subarray(0, end);
};

const field = (header: Uint8Array, start: number, length: number): string => utf8.decode(untilNul(header.subarray(start, start + length)));

const ustarPath = (header: Uint8Array): string => {
  const prefix = field(header, 345, 155);
  const name = field(header, 0, 100);
  return prefix ? `${prefix}/${name}` : name;
};

interface PaxRecords {
  path?: string;
  size?: number;
  /** A symlink target too long for the ustar field, kept as bytes: they are the link's blob. */
  linkpath?: Uint8Array;
}

/** pax records: `<length> <key>=<value>\n`, the length in bytes counting the whole record. */
function paxRecords(data: Uint8Array, offset: number): PaxRecords {
  const records: PaxRecords = {};
  for (let position = 0; position < data.length;) {
    const space = data.indexOf(0x20, position);
    const length = space === -1 ? NaN : Number(utf8.decode(data.subarray(position, space)));
    if (
      !Number.isInteger(length) ||
      length <= space - position + 1 ||
      position + length > data.length ||
      data[position + length - 1] !== 0x0a
    ) {
      throw corrupt(`malformed pax record in the header at byte ${offset}`);
    }
    const record = utf8.decode(data.subarray(space + 1, position + length - 1));
    const equals = record.indexOf("=");
    const [key, value] = [record.slice(0, equals), record.slice(equals + 1)];
    if (equals <= 0 || (key === "size" && !/^\d{1,15}$/.test(value))) throw corrupt(`malformed pax record in the header at byte ${offset}`);
    if (key === "path") records.path = value;
    if (key === "size") records.size = Number(value);
    if (key === "linkpath") records.linkpath = new TextEncoder().encode(value);
    position += length;
  }
  return records;
}

function withoutTopDirectory(path: string, offset: number): string {
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1)
    throw corrupt(`file ${JSON.stringify(path)} at byte ${offset} is outside the archive's top-level directory`);
  return path.slice(slash + 1);
}
