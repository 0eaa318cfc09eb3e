import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { fileBytes, invalidByte, manifestText } from "../../src/core/source-file.js";

const utf16Marked = (buffer: Buffer) =>
  buffer.length >= 2 && ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff));

// Bytes weighted towards the high half, where UTF-8's multi-byte sequences and its errors are.
const bytes = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0x80, max: 0xff })), {
    maxLength: 24,
  })
  .map((values) => Buffer.from(values))
  .filter((buffer) => !utf16Marked(buffer));

describe("a file's text from its bytes", () => {
  it("is UTF-8 decoded where the bytes are UTF-8, and gives its bytes back whatever they are", () => {
    fc.assert(
      fc.property(bytes, (buffer) => {
        const text = manifestText(buffer);
        expect(fileBytes(text)).toEqual(buffer);
        expect(invalidByte(text) === undefined).toBe(isUtf8(buffer));
        if (isUtf8(buffer)) expect(text).toBe(buffer.toString("utf8"));
      }),
      { numRuns: 2000 },
    );
  });

  it("tells the line and the byte of the first that is not UTF-8: overlong forms and encoded surrogates are not", () => {
    const at = (...parts: (string | Buffer)[]) =>
      invalidByte(manifestText(Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : part)))));
    expect(at("kind: HTTPRoute\n# propri", Buffer.of(0xe9), "taire\n")).toEqual({ line: 2, byte: 0xe9 });
    expect(at("a: ", Buffer.of(0xc0, 0xaf), "\n")).toEqual({ line: 1, byte: 0xc0 });
    expect(at("a: ", Buffer.of(0xed, 0xa0, 0x80), "\n")).toEqual({ line: 1, byte: 0xed });
    expect(at("a: ", Buffer.of(0xf4, 0x90, 0x80, 0x80), "\n")).toEqual({ line: 1, byte: 0xf4 });
    expect(at("a: 🚦 café\n")).toBeUndefined();
  });
});
