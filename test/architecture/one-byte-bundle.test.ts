import { build, transform } from "esbuild";
import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { commonJs, lean, oneByteText, shared } from "../../scripts/bundle-options.mjs";

/**
 * V8 holds a script's source two bytes a character if one character does not fit in one:
 * scripts/build.mjs escapes what esbuild leaves (comments, regular expressions, raw templates) so
 * the bundles' sources cost half (issue 13).
 */
describe("oneByteText", () => {
  it("escapes every character beyond Latin-1 and keeps what the code means", () => {
    const source = [
      "// a comment → kept as a comment",
      'const quoted = "a → b";',
      "const template = `c — ${1 + 1}`;",
      "const pattern = /^x(?:-|–|—)y…$/;",
      "const raw = new RegExp(String.raw`^(?:-|–)$`);",
      "const café = 'é stays one byte';",
      "module.exports = [quoted, template, pattern.test('x–y…'), raw.test('–'), café];",
    ].join("\n");
    const escaped = oneByteText(source);
    expect(escaped).toMatch(/^[\x00-\xff]*$/);
    expect(escaped).toContain("café");
    const run = (code: string) => {
      const module = { exports: undefined as unknown };
      new Script(`(function (module) {${code}\n})`).runInThisContext()(module);
      return module.exports;
    };
    expect(run(escaped)).toEqual(run(source));
    expect(run(escaped)).toEqual(["a → b", "c — 2", true, true, "é stays one byte"]);
  });

  it("refuses a character after a backslash, which its escape would change", () => {
    expect(() => oneByteText('const s = "\\→";')).toThrow(/escaped non-Latin-1 character/);
  });

  it("leaves the CLI's and the Lambda worker's bundles valid scripts, one byte a character", async () => {
    for (const options of [
      { ...commonJs, entryPoints: ["src/cli.ts"] },
      { ...lean, entryPoints: ["src/isolation/analysis-thread.ts"], external: ["@aws-sdk/*"] },
    ]) {
      const result = await build({ ...shared, ...options, write: false, logLevel: "silent" });
      const code = oneByteText(result.outputFiles[0]!.text);
      expect(code).toMatch(/^[\x00-\xff]*$/);
      // Parsed again as what it is (a CommonJS script, an ES module): an escape that broke the syntax throws.
      await expect(transform(code, { format: options.format ?? "esm", loader: "js", logLevel: "silent" })).resolves.toBeDefined();
    }
  }, 60_000);
});
