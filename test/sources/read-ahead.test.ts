import { describe, expect, it } from "vitest";
import { generateFleet } from "../../bench/generate-fleet.js";
import { createManifestCache, readDocuments } from "../../src/manifests/load-manifests.js";
import { defaultPolicy } from "../../src/policy/load-policy.js";
import { reviewChange } from "../../src/review.js";
import { readAhead } from "../../src/sources/read-ahead.js";
import { stringTable } from "../../src/core/string-table.js";

// Workers named outright: by default a two-core machine (CI's) starts none.
const worker = { workerUrl: new URL("../helpers/read-ahead-worker.mjs", import.meta.url), minBytes: 0, maxWorkers: 1 };

const { base, head } = generateFleet({ files: 30, routesPerFile: 3, changeEvery: 4, infrastructure: true });
// Byte order marks (one opening a later document) and a character outside the BMP: chunk offsets and UTF-8 lengths must still line up.
const odd = { path: "clusters/odd.yaml", text: "\uFEFF# 🚦 route\n---\napiVersion: v1\nkind: ConfigMap\n---\n\uFEFF" + head[1]!.text };
const input = {
  base,
  head: [...head, odd],
  policy: defaultPolicy(),
  now: new Date("2026-11-22T00:00:00Z"),
  policySource: "test",
  body: "",
};

describe("reading ahead on worker threads", () => {
  it("fills the cache with exactly the documents the review would read itself", async () => {
    const cache = createManifestCache();
    const stats = await readAhead({ ...input, cache }, { ...worker, maxWorkers: 2, parseHere: false });
    expect(stats.byWorkers).toBe(stats.files);
    expect(cache.reads.size).toBeGreaterThan(30);
    for (const [text, reads] of cache.reads) expect(reads).toEqual(readDocuments(text, false, stringTable()));
  });

  it("gives the same review as reading on one thread", async () => {
    const cache = createManifestCache();
    await readAhead({ ...input, cache }, worker);
    expect(JSON.stringify(reviewChange({ ...input, cache }))).toBe(JSON.stringify(reviewChange(input)));
  });

  it("reads everything itself when a worker cannot start", async () => {
    const cache = createManifestCache();
    const stats = await readAhead({ ...input, cache }, { ...worker, workerUrl: new URL("./no-such-worker.mjs", import.meta.url) });
    expect(stats.byWorkers).toBe(0);
    expect(cache.reads.size).toBeGreaterThan(30);
    expect(JSON.stringify(reviewChange({ ...input, cache }))).toBe(JSON.stringify(reviewChange(input)));
  });

  it("leaves small reviews to the one thread", async () => {
    const cache = createManifestCache();
    expect(await readAhead({ ...input, cache }, { ...worker, minBytes: 1e9 })).toEqual({ files: 0, byWorkers: 0 });
    expect(cache.reads.size).toBe(0);
  });
});
