import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { resolveSecrets, ssmParameterReader } from "../../src/lambda-secrets.js";

const SSM_NAMES = { APP_ID_SSM: "/rg/dev/app-id", PRIVATE_KEY_SSM: "/rg/dev/private-key", WEBHOOK_SECRET_SSM: "/rg/dev/webhook-secret" };
const STORED: Record<string, string> = {
  "/rg/dev/app-id": "4242",
  "/rg/dev/private-key": "-----BEGIN RSA PRIVATE KEY-----…",
  "/rg/dev/webhook-secret": "s3cret",
};

describe("Lambda secrets: environment first, else SSM Parameter Store", () => {
  it("reads every secret missing from the environment with one call", async () => {
    const calls: string[][] = [];
    const secrets = await resolveSecrets({ ...SSM_NAMES, APP_ID: "7" }, async (names) => {
      calls.push([...names]);
      return Object.fromEntries(names.map((name) => [name, STORED[name]!]));
    });
    expect(secrets).toEqual({ APP_ID: "7", PRIVATE_KEY: STORED["/rg/dev/private-key"], WEBHOOK_SECRET: "s3cret" });
    expect(calls).toEqual([["/rg/dev/private-key", "/rg/dev/webhook-secret"]]);
  });

  it("does not call SSM when the environment has everything", async () => {
    const secrets = await resolveSecrets({ APP_ID: "1", PRIVATE_KEY: "k", WEBHOOK_SECRET: "w" }, () =>
      Promise.reject(new Error("no SSM expected")),
    );
    expect(secrets.APP_ID).toBe("1");
  });

  it("reads the optional ledger keys only when they are set or named", async () => {
    const base = { APP_ID: "1", PRIVATE_KEY: "k", WEBHOOK_SECRET: "w" };
    const none = await resolveSecrets(base, () => Promise.reject(new Error("no SSM expected")), undefined, [
      "LEDGER_KEY",
      "LEDGER_KEYS_OLD",
    ]);
    expect(none).toEqual(base);
    const named = await resolveSecrets(
      { ...base, LEDGER_KEY_SSM: "/rg/dev/ledger-key" },
      async (names) => Object.fromEntries(names.map((name) => [name, "ledger"])),
      undefined,
      ["LEDGER_KEY", "LEDGER_KEYS_OLD"],
    );
    expect(named).toEqual({ ...base, LEDGER_KEY: "ledger" });
  });

  it("says which secret is missing", async () => {
    await expect(resolveSecrets({ APP_ID: "1" }, async () => ({}))).rejects.toThrow(
      "missing secrets: set PRIVATE_KEY or PRIVATE_KEY_SSM, WEBHOOK_SECRET or WEBHOOK_SECRET_SSM",
    );
    await expect(resolveSecrets({ ...SSM_NAMES }, async () => ({}))).rejects.toThrow(
      "SSM parameter /rg/dev/app-id (for APP_ID) was not found",
    );
  });
});

describe("the real SSM reader (AWS SDK v3) against a local SSM endpoint", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("sends GetParameters WithDecryption and returns the values by name", async () => {
    const requests: { target: string | undefined; body: { Names: string[]; WithDecryption: boolean } }[] = [];
    const body = (request: IncomingMessage) =>
      new Promise<string>((resolve) => {
        let text = "";
        request.on("data", (chunk) => (text += chunk));
        request.on("end", () => resolve(text));
      });
    const server = createServer(async (request, response) => {
      const parsed = JSON.parse(await body(request));
      requests.push({ target: request.headers["x-amz-target"] as string | undefined, body: parsed });
      response.setHeader("content-type", "application/x-amz-json-1.1");
      response.end(
        JSON.stringify({
          Parameters: parsed.Names.map((name: string) => ({ Name: name, Value: STORED[name], Type: "SecureString" })),
          InvalidParameters: [],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    Object.assign(process.env, {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    });
    try {
      const values = await ssmParameterReader(["/rg/dev/app-id", "/rg/dev/webhook-secret"]);
      expect(values).toEqual({ "/rg/dev/app-id": "4242", "/rg/dev/webhook-secret": "s3cret" });
      expect(requests).toEqual([
        { target: "AmazonSSM.GetParameters", body: { Names: ["/rg/dev/app-id", "/rg/dev/webhook-secret"], WithDecryption: true } },
      ]);
    } finally {
      server.close();
    }
  });
});
