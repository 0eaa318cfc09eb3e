import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { timedFetch } from "../../src/github/octokit.js";

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
