import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { timedFetch } from "../../src/github/octokit.js";

/**
 * Run by octokit.test.ts as `node --expose-gc --import tsx`: a request to a server that never
 * answers, with garbage collection forced while it waits. Prints how the request ended.
 */
const server = createServer(() => undefined);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const collecting = setInterval(gc, 10);
const guard = new Promise<string>((resolve) => setTimeout(() => resolve("hung"), 30_000).unref());
const outcome = await Promise.race([
  timedFetch(
    undefined,
    300,
  )(url).then(
    () => "answered",
    (error: Error) => `rejected ${error.name}`,
  ),
  guard,
]);
clearInterval(collecting);
server.closeAllConnections();
server.close();
console.log(outcome);
