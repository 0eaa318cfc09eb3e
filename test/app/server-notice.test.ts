import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingCredentialsNotice } from "../../src/server.js";

/** `npm start` without credentials stops with a message that says why and what to do. */
describe("npm start without APP_ID and PRIVATE_KEY", () => {
  const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");

  it.each([
    ["no .env and no environment", {}, ""],
    ["a copied .env.example left blank", {}, example],
    ["an App id without a key", { APP_ID: "123" }, "# PRIVATE_KEY=\n"],
  ])("%s: says what is missing and the two ways on", (_case, env, envFile) => {
    const notice = missingCredentialsNotice({ PORT: "3999", ...env }, envFile);
    expect(notice).toContain("APP_ID and PRIVATE_KEY are not set");
    expect(notice).toContain("cp .env.example .env");
    expect(notice).toContain("npm run demo:app");
  });

  it.each([
    ["the environment", { APP_ID: "123", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----" }, ""],
    ["a filled .env", {}, 'APP_ID=123\nPRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\n..."\n'],
    ["a key file named in .env", {}, "APP_ID = 123\nPRIVATE_KEY_PATH=app.pem\n"],
  ])("says nothing when the credentials come from %s", (_case, env, envFile) => {
    expect(missingCredentialsNotice(env, envFile)).toBeUndefined();
  });
});
