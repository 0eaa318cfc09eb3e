import { describe, expect, it } from "vitest";
import { mergePatch } from "../../src/core/merge-patch.js";

describe("a child's settings merged over its parent's (JSON merge patch)", () => {
  it("objects merge key by key; lists and values replace; null removes", () => {
    const parent = {
      healthCheck: { passive: { consecutive5XxErrors: 3 } },
      timeout: { http: { requestTimeout: "0s" } },
      retry: { numRetries: 0 },
    };
    const child = { timeout: { http: { idleTimeout: "1h" } }, compression: [{ type: "Gzip" }], retry: null };
    expect(mergePatch(parent, child)).toEqual({
      healthCheck: { passive: { consecutive5XxErrors: 3 } },
      timeout: { http: { requestTimeout: "0s", idleTimeout: "1h" } },
      compression: [{ type: "Gzip" }],
    });
    expect(
      mergePatch({ compression: [{ type: "Brotli" }], rateLimit: "x" }, { compression: [{ type: "Gzip" }], rateLimit: { a: null, b: 1 } }),
    ).toEqual({
      compression: [{ type: "Gzip" }],
      rateLimit: { b: 1 },
    });
  });
});
