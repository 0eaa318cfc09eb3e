import { gunzipSync } from "node:zlib";

/**
 * Reads the files of a repository archive as GitHub's tarball endpoint serves it (`git archive`
 * output, gzip'd): ustar headers with the `prefix` field, pax extended headers ('x') for long
 * paths, a pax global header ('g') carrying the commit id, and one top-level directory
 * `<owner>-<repo>-<sha7>/` that is stripped. Regular files and symlinks are returned, as raw bytes (the
 * caller checks them against git's blob ids before decoding). The archive is untrusted input: the
 * uncompressed size is bounded, every header is checksummed, and each step moves forward by at
 * least one block, so a corrupt archive ends in a clear error, never a hang or a partial read.
 */
export interface TarballLimits {
  readonly maxUncompressedBytes: number;
}

export const defaultTarballLimits: TarballLimits = { maxUncompressedBytes: 256 * 1024 * 1024 };

export interface ArchivedFile {
  /** Path inside the repository (the top-level directory stripped), forward slashes. */
  readonly path: string;
  readonly bytes: Uint8Array;
  /** A symbolic link: `bytes` is its target, which is what git stores as the link's blob. */
  readonly symlink?: true;
}

const BLOCK = 512;
const utf8 = new TextDecoder("utf-8");

export function readTarball(
  gzipped: Uint8Array,
  accept: (path: string, symlink: boolean) => boolean,
  limits: TarballLimits = defaultTarballLimits,
): ArchivedFile[] {
  const tar = gunzip(gzipped, limits);
  const files: ArchivedFile[] = [];
  let pax: PaxRecords = {};
  for (let offset = 0; ;) {
    if (offset + BLOCK > tar.length) throw corrupt(`ends at byte ${tar.length} without an end-of-archive marker (truncated)`);
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return files;
    checkHeader(header, offset);
    const type = String.fromCharCode(header[156]!);
    const size = type === "x" || type === "g" ? octal(header, 124, 12, offset) : (pax.size ?? octal(header, 124, 12, offset));
    const start = offset + BLOCK;
    if (start + size > tar.length) throw corrupt(`entry at byte ${offset} declares ${size} bytes past the end of the archive (truncated)`);
    const data = tar.subarray(start, start + size);
    if (type === "x") {
      pax = paxRecords(data, offset);
    } else if (type !== "g") {
      if (type === "0" || type === "\0") {
        const path = withoutTopDirectory(pax.path ?? ustarPath(header), offset);
        if (accept(path, false)) files.push({ path, bytes: data });
      } else if (type === "2") {
        const path = withoutTopDirectory(pax.path ?? ustarPath(header), offset);
        if (accept(path, true)) files.push({ path, bytes: pax.linkpath ?? untilNul(header.subarray(157, 257)), symlink: true });
      }
      pax = {};
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}

function gunzip(gzipped: Uint8Array, limits: TarballLimits): Buffer {
  try {
    return gunzipSync(gzipped, { maxOutputLength: limits.maxUncompressedBytes });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new Error(
        `repository archive is over the ${limits.maxUncompressedBytes}-byte bound uncompressed: refused, Route Governor cannot review this repository completely`,
      );
    }
    throw new Error(`repository archive is not a readable gzip stream (${(error as Error).message})`);
  }
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
    if (equals <= 0 || (key === "size" && !/^\d+$/.test(value))) throw corrupt(`malformed pax record in the header at byte ${offset}`);
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
