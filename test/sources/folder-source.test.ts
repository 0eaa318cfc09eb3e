import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readFolder } from "../../src/sources/folder-source.js";
import { fileBytes, textsByPath } from "../../src/core/source-file.js";
import { scratchFolder } from "../helpers/scratch-trees.js";

describe("readFolder beside a known tree (the head read after the base)", () => {
  const base = readFolder(
    scratchFolder({ "same.yaml": "kind: A\n", "edited.yaml": "kind: B\n", "accents.yaml": "name: café\n", "gone.yaml": "x: 1\n" }),
  );
  const head = readFolder(
    scratchFolder({ "same.yaml": "kind: A\n", "edited.yaml": "kind: C\n", "accents.yaml": "name: café\n", "new.yaml": "y: 2\n" }),
    textsByPath(base.files),
  );
  const text = (tree: typeof base, path: string) => tree.files.find((file) => file.path === path)!.text;

  it("reads every file as it is on disk", () => {
    expect(head.files.map((file) => [file.path, file.text])).toEqual([
      ["accents.yaml", "name: café\n"],
      ["edited.yaml", "kind: C\n"],
      ["new.yaml", "y: 2\n"],
      ["same.yaml", "kind: A\n"],
    ]);
  });

  it("a file whose bytes are the known text reads as it, multi-byte characters included", () => {
    expect(text(head, "same.yaml")).toBe(text(base, "same.yaml"));
    expect(text(head, "accents.yaml")).toBe(text(base, "accents.yaml"));
  });

  it("a known text of the same length but other bytes is not taken", () => {
    const other = readFolder(scratchFolder({ "same.yaml": "kind: Z\n" }), textsByPath(base.files));
    expect(other.files).toEqual([{ path: "same.yaml", text: "kind: Z\n" }]);
  });
});

describe("readFolder reads every file through one buffer", () => {
  it("each text is its own file's, whatever the sizes before it", () => {
    // Read in directory order: large, then small (the buffer's stale tail must not leak), then larger still.
    const files = { "a.yaml": `a: ${"x".repeat(70_000)}\n`, "b.yaml": "b: 1\n", "c.yaml": `c: ${"é".repeat(90_000)}\n`, "d.yaml": "" };
    const tree = readFolder(scratchFolder(files));
    expect(Object.fromEntries(tree.files.map((file) => [file.path, file.text]))).toEqual(files);
  });
});

describe("readFolder decodes what kubectl decodes", () => {
  it("a file saved as UTF-16 with a byte order mark (Windows PowerShell 5's `>`) reads as its text, either byte order", () => {
    const text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: café}\n";
    const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const big = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    const root = scratchFolder({});
    writeFileSync(join(root, "le.yaml"), little);
    writeFileSync(join(root, "be.yaml"), big);
    expect(readFolder(root).files).toEqual([
      { path: "be.yaml", text },
      { path: "le.yaml", text },
    ]);
  });

  it("a file that is not UTF-8 keeps each stray byte, as U+DC00 plus the byte, for the loader to refuse and a render to write back", () => {
    const latin1 = Buffer.from("# propriétaire\nkind: HTTPRoute\n", "latin1");
    // UTF-16 with an unpaired surrogate and an odd last byte (on which the swap of a big-endian file threw): U+FFFD, as kubectl reads it.
    const broken = Buffer.from([0xfe, 0xff, 0x00, 0x61, 0xd8, 0x00, 0x00, 0x62, 0x63]);
    const root = scratchFolder({});
    writeFileSync(join(root, "latin1.yaml"), latin1);
    writeFileSync(join(root, "utf16.yaml"), broken);
    const [first, second] = readFolder(root).files;
    expect(first).toEqual({ path: "latin1.yaml", text: "# propri\uDCE9taire\nkind: HTTPRoute\n" });
    expect(fileBytes(first!.text)).toEqual(latin1);
    expect(second).toEqual({ path: "utf16.yaml", text: "a\uFFFDb\uFFFD" });
  });
});

describe("readFolder reads what kustomize reads", () => {
  it("a kustomization named `Kustomization` (no extension) is read, as kustomize and Flux read it; other extensionless files are not", () => {
    const tree = readFolder(
      scratchFolder({ "apps/Kustomization": "resources: [route.yaml]\n", "apps/route.yaml": "kind: A\n", "apps/Makefile": "all:\n" }),
    );
    expect(tree.files.map((file) => file.path)).toEqual(["apps/Kustomization", "apps/route.yaml"]);
  });
});
