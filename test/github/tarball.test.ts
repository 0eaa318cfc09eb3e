import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readTarball } from "../../src/github/tarball.js";
import { isReviewedPath } from "../../src/sources/folder-source.js";
import { gitBlobId, tarGz } from "./fake-archive.js";
import { commitAndArchive } from "./git-repository.js";

const SPLIT = `clusters/${"jkt-".repeat(15)}/${"gateway-".repeat(8)}/route.yaml`;
const PAX = `routes/${"checkout-".repeat(14)}weights.yaml`;
const BINARY = Uint8Array.from({ length: 3000 }, (_, index) => (index * 37) % 256);
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
const readAll = (archive: Uint8Array) =>
  Object.fromEntries(readTarball(archive, everything).map((file) => [file.path, Buffer.from(file.bytes)]));

describe("readTarball on real `git archive --format=tar.gz` output (what GitHub's tarball endpoint serves)", () => {
  it("the paths are valid test cases: one needs the ustar prefix field, one a pax path record", () => {
    expect(SPLIT.length).toBeGreaterThan(100);
    expect(SPLIT.length - SPLIT.lastIndexOf("/")).toBeLessThan(100);
    expect(PAX.length - PAX.indexOf("/")).toBeGreaterThan(100);
  });

  it("every regular file comes back byte for byte under its repository path (top-level directory stripped)", () => {
    const read = readAll(repository.archive);
    expect(Object.keys(read).sort()).toEqual(Object.keys(FILES).sort());
    for (const [path, content] of Object.entries(FILES)) expect(read[path], path).toEqual(Buffer.from(content));
  });

  it("the bytes hash to git's blob ids, so they can be checked against the tree listing", () => {
    const read = readAll(repository.archive);
    const regular = repository.tree.filter((entry) => entry.mode !== "120000");
    expect(regular.map((entry) => [entry.path, gitBlobId(read[entry.path]!)])).toEqual(regular.map((entry) => [entry.path, entry.sha]));
  });

  it("the symlink, the directories and the pax global header are not files", () => {
    expect(repository.tree.map((entry) => entry.path)).toContain("routes/alias.yaml");
    expect(readAll(repository.archive)).not.toHaveProperty("routes/alias.yaml");
  });

  it("a symlink comes back only when asked for, its target as bytes that hash to git's blob id of the link", () => {
    const links = readTarball(repository.archive, (_path, symlink) => symlink);
    const link = repository.tree.find((entry) => entry.mode === "120000")!;
    expect(links.map((file) => [file.path, Buffer.from(file.bytes).toString("utf8"), file.symlink, gitBlobId(file.bytes)])).toEqual([
      ["routes/alias.yaml", "checkout.yaml", true, link.sha],
    ]);
  });

  it("only the accepted paths are returned: the App asks for YAML (the policy file included)", () => {
    expect(
      readTarball(repository.archive, (path, symlink) => !symlink && isReviewedPath(path))
        .map((file) => file.path)
        .sort(),
    ).toEqual(
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
      "a tar cut short (inside a file's data)",
      gzipSync(tar.subarray(0, headerOf("assets/logo.png") + 600)),
      /corrupt: entry at byte \d+ declares 3000 bytes past the end of the archive \(truncated\)/,
    ],
    [
      "a tar without its end-of-archive marker",
      gzipSync(tar.subarray(0, firstFile)),
      /corrupt: ends at byte \d+ without an end-of-archive marker \(truncated\)/,
    ],
    [
      "a header with a flipped byte",
      gzipSync(Buffer.from(tar).fill(0x41, firstFile + 20, firstFile + 21)),
      /corrupt: header checksum mismatch at byte \d+/,
    ],
    ["bytes that are not tar at all", gzipSync(Buffer.alloc(2048, 0x41)), /corrupt: no ustar header at byte 0/],
    ["an empty gzip stream", gzipSync(Buffer.alloc(0)), /corrupt: ends at byte 0 without an end-of-archive marker/],
  ])("%s", (_, archive, message) => {
    expect(() => readTarball(archive, everything)).toThrow(message);
  });

  it("an archive over the uncompressed bound is refused before it is inflated further (a gzip bomb costs nothing)", () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(() => readTarball(bomb, everything, { maxUncompressedBytes: 1024 * 1024 })).toThrow(
      "repository archive is over the 1048576-byte bound uncompressed: refused, Route Governor cannot review this repository completely",
    );
    expect(() => readTarball(repository.archive, everything, { maxUncompressedBytes: tar.length - 1 })).toThrow(/over the \d+-byte bound/);
    expect(readTarball(repository.archive, everything, { maxUncompressedBytes: tar.length })).toHaveLength(Object.keys(FILES).length);
  });

  it("a file outside the top-level directory (not GitHub's layout) is refused", () => {
    expect(() => readTarball(commitAndArchive({ "route.yaml": "kind: A\n" }, { prefix: "" }).archive, everything)).toThrow(
      /corrupt: file "route.yaml" at byte \d+ is outside the archive's top-level directory/,
    );
  });

  it("a pax record whose length runs past its header is refused", () => {
    const archive = gunzipSync(tarGz({ [PAX]: "kind: A\n" }, "acme-traffic-1234567"));
    const record = Math.floor(archive.indexOf(Buffer.from(" path=")) / 512) * 512;
    archive.write("9", record);
    expect(() => readTarball(gzipSync(archive), everything)).toThrow(
      /^repository archive is corrupt: malformed pax record in the header at byte \d+$/,
    );
  });

  it("any corruption of a real archive ends in a result or a clear error, never a hang or another exception", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(tar.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(tar.length),
        (edits, cut) => {
          const damaged = Buffer.from(tar.subarray(0, cut));
          for (const [at, byte] of edits) if (at < damaged.length) damaged[at] = byte;
          try {
            readTarball(gzipSync(damaged), everything);
          } catch (error) {
            expect((error as Error).message).toMatch(/^repository archive is corrupt: /);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
