import { Readable } from "node:stream";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readGzippedTarball, readTarball, type TarballLimits } from "../../src/github/tarball.js";
import { isReviewedPath } from "../../src/sources/folder-source.js";
import { gitBlobId, tarGz } from "./fake-archive.js";
import { commitAndArchive } from "./git-repository.js";

const SPLIT = `clusters/${"jkt-".repeat(15)}/${"gateway-".repeat(8)}/route.yaml`;
const PAX = `routes/${"checkout-".repeat(14)}weights.yaml`;
const BINARY = Uint8Array.from({ length: 3000 }, (_, index) => (index * 37) % 256);
const BLOCK = 512;
const FILES: Record<string, string | Uint8Array> = {
  ".github/route-governor.yml": "groups: {}\n",
  "routes/checkout.yaml": "kind: HTTPRoute\n",
  "routes/café.yaml": "metadata: { name: café }\n",
  "routes/empty.yaml": "",
  "routes/one-block.yaml": "#".repeat(511) + "\n",
  [SPLIT]: "kind: Gateway\n",
  [PAX]: "kind: DestinationRule\n",
  "assets/logo.png": BINARY,
  "README.md": "# traffic\n",
};
const repository = commitAndArchive(FILES, { symlinks: { "routes/alias.yaml": "checkout.yaml" } });
const everyFile = (_path: string, symlink: boolean) => !symlink;
const everything = everyFile;
/** A stream of the given chunks, as the gunzip stream hands them over. */
const streamOf = async function* (chunks: readonly Uint8Array[]) {
  yield* chunks;
};
/** The archive as one chunk: how the tests below hand it over unless they are about chunking. */
const read = (archive: Uint8Array, accept = everything, limits?: TarballLimits) => readGzippedTarball(streamOf([archive]), accept, limits);
const readAll = async (archive: Uint8Array) =>
  Object.fromEntries((await read(archive)).map((file) => [file.path, Buffer.from(file.bytes)]));

describe("readGzippedTarball on real `git archive --format=tar.gz` output (what GitHub's tarball endpoint serves)", () => {
  it("the paths are valid test cases: one needs the ustar prefix field, one a pax path record", () => {
    expect(SPLIT.length).toBeGreaterThan(100);
    expect(SPLIT.length - SPLIT.lastIndexOf("/")).toBeLessThan(100);
    expect(PAX.length - PAX.indexOf("/")).toBeGreaterThan(100);
  });

  it("every regular file comes back byte for byte under its repository path (top-level directory stripped)", async () => {
    const files = await readAll(repository.archive);
    expect(Object.keys(files).sort()).toEqual(Object.keys(FILES).sort());
    for (const [path, content] of Object.entries(FILES)) expect(files[path], path).toEqual(Buffer.from(content));
  });

  it("the bytes hash to git's blob ids, so they can be checked against the tree listing", async () => {
    const files = await readAll(repository.archive);
    const regular = repository.tree.filter((entry) => entry.mode !== "120000");
    expect(regular.map((entry) => [entry.path, gitBlobId(files[entry.path]!)])).toEqual(regular.map((entry) => [entry.path, entry.sha]));
  });

  it("the symlink, the directories and the pax global header are not files", async () => {
    expect(repository.tree.map((entry) => entry.path)).toContain("routes/alias.yaml");
    expect(await readAll(repository.archive)).not.toHaveProperty("routes/alias.yaml");
  });

  it("a symlink comes back only when asked for, its target as bytes that hash to git's blob id of the link", async () => {
    const links = await read(repository.archive, (_path, symlink) => symlink);
    const link = repository.tree.find((entry) => entry.mode === "120000")!;
    expect(links.map((file) => [file.path, Buffer.from(file.bytes).toString("utf8"), file.symlink, gitBlobId(file.bytes)])).toEqual([
      ["routes/alias.yaml", "checkout.yaml", true, link.sha],
    ]);
  });

  it("only the accepted paths are returned: the App asks for YAML (the policy file included)", async () => {
    expect((await read(repository.archive, (path, symlink) => !symlink && isReviewedPath(path))).map((file) => file.path).sort()).toEqual(
      [
        ".github/route-governor.yml",
        PAX,
        SPLIT,
        "routes/café.yaml",
        "routes/checkout.yaml",
        "routes/empty.yaml",
        "routes/one-block.yaml",
      ].sort(),
    );
  });
});

describe("readTarball streams: what it returns does not depend on how the stream is cut", () => {
  const tar = gunzipSync(repository.archive);
  const whole = () => readTarball(streamOf([tar]), (path, symlink) => symlink || isReviewedPath(path));
  const cut = (bytes: Uint8Array, at: readonly number[]): Uint8Array[] =>
    [0, ...at, bytes.length].slice(1).map((end, index, ends) => bytes.subarray(index === 0 ? 0 : ends[index - 1], end));

  it("chunks of every size up to a block and a byte put a boundary at every offset of headers, pax records, file data and padding", async () => {
    const expected = await whole();
    expect(expected.length).toBeGreaterThan(5);
    for (let size = 1; size <= BLOCK + 1; size++) {
      const at = Array.from({ length: Math.floor(tar.length / size) }, (_, index) => (index + 1) * size);
      expect(await readTarball(streamOf(cut(tar, at)), (path, symlink) => symlink || isReviewedPath(path)), `chunks of ${size}`).toEqual(
        expected,
      );
    }
  });

  it("any cutting into chunks, empty ones included, reads the same", async () => {
    const expected = await whole();
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(tar.length), { maxLength: 40 }), fc.boolean(), async (offsets, oneByte) => {
        const at = oneByte ? Array.from({ length: 2048 }, (_, index) => index) : offsets.sort((a, b) => a - b);
        expect(await readTarball(streamOf(cut(tar, at)), (path, symlink) => symlink || isReviewedPath(path))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("a file kept does not pin the chunk it arrived in (the skipped bytes around it can be collected)", async () => {
    const [file] = await readTarball(streamOf([tar]), (path) => path === "routes/checkout.yaml");
    expect(file!.bytes.buffer.byteLength).toBe("kind: HTTPRoute\n".length);
  });
});

describe("readTarball refuses what it cannot read completely, with a clear error and without hanging", () => {
  const tar = gunzipSync(repository.archive);
  const headerOf = (path: string) => tar.indexOf(Buffer.from(`acme-traffic-${repository.commit.slice(0, 7)}/${path}\0`));
  const firstFile = headerOf(".github/route-governor.yml");

  it.each([
    ["not gzip (an HTML error page)", Buffer.from("<html>rate limited</html>"), /not a readable gzip stream \(incorrect header check\)/],
    [
      "a gzip stream cut short",
      repository.archive.subarray(0, repository.archive.length - 100),
      /not a readable gzip stream \(unexpected end of file\)/,
    ],
    [
      "a gzip stream cut short after the end-of-archive marker (its trailer is still checked)",
      repository.archive.subarray(0, repository.archive.length - 4),
      /not a readable gzip stream \(unexpected end of file\)/,
    ],
    [
      "a tar cut short (inside a file's data)",
      gzipSync(tar.subarray(0, headerOf("assets/logo.png") + 600)),
      /corrupt: entry at byte \d+ declares 3000 bytes past the end of the archive \(truncated\)/,
    ],
    [
      "a tar cut short inside a kept file's data",
      gzipSync(tar.subarray(0, headerOf("routes/one-block.yaml") + 600)),
      /corrupt: entry at byte \d+ declares 512 bytes past the end of the archive \(truncated\)/,
    ],
    [
      "a tar without its end-of-archive marker",
      gzipSync(tar.subarray(0, firstFile)),
      /corrupt: ends at byte \d+ without an end-of-archive marker \(truncated\)/,
    ],
    [
      "a tar cut inside a header",
      gzipSync(tar.subarray(0, firstFile + 100)),
      new RegExp(`corrupt: ends at byte ${firstFile + 100} without an end-of-archive marker \\(truncated\\)`),
    ],
    [
      "a header with a flipped byte",
      gzipSync(Buffer.from(tar).fill(0x41, firstFile + 20, firstFile + 21)),
      /corrupt: header checksum mismatch at byte \d+/,
    ],
    ["bytes that are not tar at all", gzipSync(Buffer.alloc(2048, 0x41)), /corrupt: no ustar header at byte 0/],
    ["an empty gzip stream", gzipSync(Buffer.alloc(0)), /corrupt: ends at byte 0 without an end-of-archive marker/],
  ])("%s", async (_, archive, message) => {
    await expect(read(archive)).rejects.toThrow(message);
  });

  it("an archive over the streamed bound is refused as soon as it passes it (a gzip bomb costs nothing)", async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    let pulled = 0;
    const counted = async function* () {
      for await (const chunk of Readable.from([bomb]).pipe(createGunzip())) yield ((pulled += chunk.length), chunk as Buffer);
    };
    await expect(readTarball(counted(), everything, { maxRetainedBytes: 1024, maxStreamedBytes: 1024 * 1024 })).rejects.toThrow(
      "repository archive is over the 1048576-byte bound uncompressed: refused, Route Governor cannot review this repository completely",
    );
    expect(pulled).toBeLessThan(2 * 1024 * 1024);
  });

  it("the streamed bound counts every byte, skipped or kept, up to the end of the stream", async () => {
    const limits = (maxStreamedBytes: number) => ({ maxRetainedBytes: tar.length, maxStreamedBytes });
    await expect(read(repository.archive, everything, limits(tar.length - 1))).rejects.toThrow(/over the \d+-byte bound uncompressed/);
    await expect(read(repository.archive, () => false, limits(tar.length - 1))).rejects.toThrow(/over the \d+-byte bound uncompressed/);
    expect(await read(repository.archive, everything, limits(tar.length))).toHaveLength(Object.keys(FILES).length);
  });

  it("the files kept are bounded, and a file that would pass the bound is refused before its bytes are read", async () => {
    const yaml = (path: string, symlink: boolean) => !symlink && isReviewedPath(path);
    const keptBytes = Object.entries(FILES)
      .filter(([path]) => yaml(path, false))
      .reduce((total, [, content]) => total + Buffer.byteLength(content), 0);
    const limits = (maxRetainedBytes: number) => ({ maxRetainedBytes, maxStreamedBytes: tar.length });
    expect(await read(repository.archive, yaml, limits(keptBytes))).toHaveLength(7);
    await expect(read(repository.archive, yaml, limits(keptBytes - 1))).rejects.toThrow(
      /^repository archive's reviewed files are over the \d+-byte bound \(.+ at byte \d+ declares \d+ bytes\): refused, Route Governor cannot review this repository completely$/,
    );
    // A symlink's target counts too: a link is kept as its target's bytes.
    const links = (_path: string, symlink: boolean) => symlink;
    expect(await read(repository.archive, links, limits("checkout.yaml".length))).toHaveLength(1);
    await expect(read(repository.archive, links, limits("checkout.yaml".length - 1))).rejects.toThrow(
      /over the 12-byte bound \(routes\/alias\.yaml at byte \d+ declares 13 bytes\)/,
    );
    // The skipped files do not count: the 3,000-byte logo is over this bound on its own.
    expect(await read(repository.archive, yaml, limits(keptBytes))).toHaveLength(7);
    const huge = Buffer.from(tar);
    const header = headerOf("routes/checkout.yaml");
    huge.write("77777777777\0", header + 124);
    huge.write(
      `${checksum(huge.subarray(header, header + 512))
        .toString(8)
        .padStart(6, "0")}\0 `,
      header + 148,
    );
    await expect(read(gzipSync(huge), yaml)).rejects.toThrow(/routes\/checkout\.yaml at byte \d+ declares 8589934591 bytes/);
  });

  it("a pax header over its 1 MiB bound is refused before it is read", async () => {
    const archive = gunzipSync(tarGz({ [PAX]: "kind: A\n" }, "acme-traffic-1234567"));
    const header = Math.floor(archive.indexOf(Buffer.from(" path=")) / 512) * 512 - 512;
    archive.write("00010000000\0", header + 124);
    archive.write(
      `${checksum(archive.subarray(header, header + 512))
        .toString(8)
        .padStart(6, "0")}\0 `,
      header + 148,
    );
    await expect(read(gzipSync(archive))).rejects.toThrow(
      /^repository archive is corrupt: pax header at byte \d+ declares 2097152 bytes, over the 1048576-byte bound$/,
    );
  });

  it("a file outside the top-level directory (not GitHub's layout) is refused", async () => {
    await expect(read(commitAndArchive({ "route.yaml": "kind: A\n" }, { prefix: "" }).archive)).rejects.toThrow(
      /corrupt: file "route.yaml" at byte \d+ is outside the archive's top-level directory/,
    );
  });

  it("a pax record whose length runs past its header is refused", async () => {
    const archive = gunzipSync(tarGz({ [PAX]: "kind: A\n" }, "acme-traffic-1234567"));
    const record = Math.floor(archive.indexOf(Buffer.from(" path=")) / 512) * 512;
    archive.write("9", record);
    await expect(read(gzipSync(archive))).rejects.toThrow(
      /^repository archive is corrupt: malformed pax record in the header at byte \d+$/,
    );
  });

  it("any corruption of a real archive, in chunks of any size, ends in a result or a clear error, never a hang or another exception", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(tar.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(tar.length),
        fc.integer({ min: 1, max: 1024 }),
        async (edits, cut, chunk) => {
          const damaged = Buffer.from(tar.subarray(0, cut));
          for (const [at, byte] of edits) if (at < damaged.length) damaged[at] = byte;
          const chunks = Array.from({ length: Math.ceil(damaged.length / chunk) }, (_, index) =>
            damaged.subarray(index * chunk, (index + 1) * chunk),
          );
          try {
            await readTarball(streamOf(chunks), everything);
          } catch (error) {
            expect((error as Error).message).toMatch(/^repository archive is corrupt: /);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A ustar header's checksum: the sum of its bytes, the checksum field counted as spaces. */
const checksum = (header: Uint8Array): number => header.reduce((sum, byte, index) => sum + (index >= 148 && index < 156 ? 0x20 : byte), 0);
