import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DeadlineExceededError, timedFetch, withDeadline } from "../../src/github/octokit.js";

const hanging = createServer(() => undefined);
await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`;
afterAll(() => {
  hanging.closeAllConnections();
  hanging.close();
});

describe("the per-request timeout (issue 12, 10)", () => {
  it("fires even when garbage collection runs while the request waits (Node 20 dropped AbortSignal.any's timeout)", async () => {
    const fixture = fileURLToPath(new URL("gc-timeout.fixture.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", fixture], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    expect(stdout.trim()).toBe("rejected TimeoutError");
  }, 60_000);

  it("the caller's own abort still ends the request", async () => {
    const caller = new AbortController();
    const request = timedFetch(undefined, 60_000)(url, { signal: caller.signal });
    caller.abort(new Error("caller gave up"));
    await expect(request).rejects.toThrow("caller gave up");
  });
});

describe("the evaluation's deadline bounds a response's body too (issue 12: the archive streams after its headers)", () => {
  it("a body that stalls after its headers ends at the deadline", async () => {
    const stalling = createServer((_, response) => {
      response.writeHead(200, { "content-type": "application/x-gzip" });
      response.write(Buffer.alloc(1024));
    });
    await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      // Headers come at once; the deadline leaves ample time for them on a loaded machine.
      const response = await withDeadline(Date.now() + 2_000, () =>
        timedFetch(undefined, 60_000)(`http://127.0.0.1:${(stalling.address() as AddressInfo).port}/`),
      );
      await expect(response.arrayBuffer()).rejects.toThrow(DeadlineExceededError);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });
});
