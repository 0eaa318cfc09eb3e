import { describe, expect, it } from "vitest";
import { getTransformStream } from "../../src/lambda-log-stream.js";

const through = async (options: Parameters<typeof getTransformStream>[0], lines: string[]): Promise<string> => {
  const stream = await getTransformStream(options);
  let out = "";
  stream.on("data", (chunk) => (out += String(chunk)));
  for (const line of lines) stream.write(`${line}\n`);
  stream.end();
  await new Promise((resolve) => stream.on("end", resolve));
  return out;
};

describe("the Lambda bundles' log stream", () => {
  it("passes pino's JSON lines through, one a line", async () => {
    expect(await through({ logFormat: "json" }, ['{"level":30,"msg":"a"}', '{"level":50,"msg":"b"}'])).toBe(
      '{"level":30,"msg":"a"}\n{"level":50,"msg":"b"}\n',
    );
  });

  it("writes levels as names when LOG_LEVEL_IN_STRING asks", async () => {
    expect(JSON.parse(await through({ logFormat: "json", logLevelInString: true }, ['{"level":40,"msg":"slow"}']))).toEqual({
      level: "warn",
      msg: "slow",
    });
  });

  it("says once that Sentry is not bundled when a DSN is set", async () => {
    const out = (
      await through({ logFormat: "json", sentryDsn: "https://key@sentry.example/1" }, ['{"level":30,"msg":"a"}', '{"level":30,"msg":"b"}'])
    )
      .trim()
      .split("\n");
    expect(out).toHaveLength(3);
    expect(out[0]).toContain("does not carry Sentry");
  });
});
