import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  defaultYamlLimits,
  loadAllAsGoYaml,
  loadAsGoYaml,
  oversize,
  parseYamlDocument,
  parseYamlStream,
  plainKeyName,
  readingDuplicates,
  splitYamlDocuments,
  withoutBoms,
} from "../../src/manifests/yaml-documents.js";

const lines = (...text: string[]) => `${text.join("\n")}\n`;
const values = (text: string) => splitYamlDocuments(text).map((chunk) => parseYamlDocument(chunk));

describe("splitting a file into documents, each with its first file line", () => {
  it("keeps the line of every document of a multi-document file", () => {
    const text = lines(
      "# leading comment", // 1
      "---", // 2
      "a: 1", // 3
      "---", // 4
      "# only a comment", // 5
      "---", // 6
      "b: 2", // 7
      "...", // 8
      "c: 3", // 9: a bare document after an end marker
      "--- {d: 4}", // 10: content on the marker line
    );
    const chunks = splitYamlDocuments(text);
    expect(chunks.map((chunk) => chunk.line)).toEqual([2, 6, 9, 10]);
    expect(values(text)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: { b: 2 } },
      { ok: true, value: { c: 3 } },
      { ok: true, value: { d: 4 } },
    ]);
  });

  it("reads a first document that has no leading marker", () => {
    const chunks = splitYamlDocuments(lines("a: 1", "---", "b: 2"));
    expect(chunks.map((chunk) => [chunk.line, chunk.text])).toEqual([
      [1, "a: 1\n"],
      [2, "---\nb: 2\n"],
    ]);
  });

  it("treats only column-0 markers followed by a space or line end as markers", () => {
    const text = lines("a: |", "  ---", "  text", "b: ---x");
    expect(splitYamlDocuments(text)).toHaveLength(1);
    expect(values(text)).toEqual([{ ok: true, value: { a: "---\ntext\n", b: "---x" } }]);
  });

  it("keeps a %YAML directive with the document it introduces", () => {
    const text = lines("%YAML 1.2", "---", "a: 1", "...", "%YAML 1.2", "---", "b: 2");
    expect(splitYamlDocuments(text).map((chunk) => chunk.line)).toEqual([1, 5]);
    expect(values(text)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: { b: 2 } },
    ]);
  });

  it("ignores a byte order mark and reads CRLF files", () => {
    const text = "\uFEFFa: 1\r\n---\r\nb: 2\r\n";
    expect(splitYamlDocuments(text).map((chunk) => chunk.line)).toEqual([1, 2]);
    expect(values(text)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: { b: 2 } },
    ]);
  });

  it("skips a byte order mark that opens a later document, as kubectl and kustomize read each alone; elsewhere it is text", () => {
    const text = "a: 1\n---\n\uFEFFb: 2\n--- # c\r\n\uFEFFc: 3\n\uFEFFd: 4\n";
    const chunks = splitYamlDocuments(text);
    expect(chunks.map((chunk) => [chunk.line, chunk.offset])).toEqual([
      [1, 0],
      [2, 5],
      [4, 14],
    ]);
    expect(values(text)).toEqual([
      { ok: true, value: { a: 1 } },
      { ok: true, value: { b: 2 } },
      { ok: true, value: { c: 3, "\uFEFFd": 4 } },
    ]);
    expect(parseYamlStream(text, chunks)).toEqual(values(text));
    expect(withoutBoms(`\uFEFF${text}`)).toBe("a: 1\n---\nb: 2\n--- # c\r\nc: 3\n\uFEFFd: 4\n");
  });

  it("yields nothing for a file of comments and markers", () => {
    expect(splitYamlDocuments(lines("# nothing", "---", "--- # still nothing", "..."))).toEqual([]);
  });
});

describe("parsing one document alone", () => {
  it("reports a syntax error at its file line, and the other documents still parse", () => {
    const text = lines("a: 1", "---", "b:", "  c: 1", " d: 2", "---", "e: 3");
    const [first, broken, last] = values(text);
    expect(first).toEqual({ ok: true, value: { a: 1 } });
    expect(broken).toMatchObject({ ok: false, line: 5 });
    expect(broken?.ok === false && broken.message).toMatch(/^YAML: .*\(line 5, column \d+\)$/);
    expect(last).toEqual({ ok: true, value: { e: 3 } });
  });

  it("reports a complex key where it is written, not at the document's start (gke-poc-toolkit-demos 27f806c5a1)", () => {
    const text = lines(
      "---", // 1
      "kind: ApplicationSet", // 2
      "spec:", // 3
      "  template:", // 4
      "    metadata: {name: '{{name}}-configs'}", // 5: a placeholder in a quoted string is text
      "    spec:", // 6
      "      source:", // 7
      "        repoURL: {{SYNC_REPO}}", // 8: a flow mapping whose key is a mapping
      "---", // 9
      "a:", // 10
      "  ? [1, 2]", // 11
      "  : b", // 12
    );
    const COMPLEX = "YAML: object-based map does not support complex keys";
    expect(values(text)).toEqual([
      { ok: false, line: 8, message: `${COMPLEX} (line 8, column 18)` },
      { ok: false, line: 11, message: `${COMPLEX} (line 11, column 3)` },
    ]);
  });

  it("reads merge keys as Kubernetes does", () => {
    expect(values(lines("base: &b {x: 1}", "item:", "  <<: *b", "  z: 2"))).toEqual([
      { ok: true, value: { base: { x: 1 }, item: { x: 1, z: 2 } } },
    ]);
  });

  // Kubernetes decodes YAML with go-yaml v2 (sigs.k8s.io/yaml): integers as Go's ParseInt(s, 0, 64)
  // after dropping `_`, booleans as YAML 1.1.
  it.each([
    ["0100", 64, "a leading zero is octal"],
    ["010", 8, "a leading zero is octal"],
    ["-0100", -64, "a signed leading zero is octal"],
    ["0o100", 64, "0o is octal"],
    ["0x10", 16, "0x is hex"],
    ["0b11", 3, "0b is binary"],
    ["1_000", 1000, "underscores are dropped"],
    ["08", 8, "not octal: go-yaml reads the float 8"],
    ["100", 100, "decimal"],
    ["'0100'", "0100", "a quoted scalar is a string"],
    ["!!str 0100", "0100", "a tagged scalar is a string"],
    ["1:20", "1:20", "no base 60 (js-yaml's YAML 1.1 schema would read 80)"],
    ["yes", true, "YAML 1.1 boolean"],
    ["On", true, "YAML 1.1 boolean"],
    ["y", true, "YAML 1.1 boolean"],
    ["no", false, "YAML 1.1 boolean"],
    ["OFF", false, "YAML 1.1 boolean"],
    ["n", false, "YAML 1.1 boolean"],
    ["yEs", "yEs", "not a boolean spelling"],
  ] as [string, unknown, string][])("reads `weight: %s` as Kubernetes does: %j (%s)", (scalar, expected, _why) => {
    expect(values(lines(`weight: ${scalar}`))).toEqual([{ ok: true, value: { weight: expected } }]);
  });

  it('names keys as Kubernetes does (`y:` is the key "true", `010:` is "8")', () => {
    expect(values(lines("y: 1", "010: 2", "name: 3"))).toEqual([{ ok: true, value: { true: 1, 8: 2, name: 3 } }]);
    expect(plainKeyName("on")).toBe("true");
    expect(plainKeyName("010")).toBe("8");
    expect(plainKeyName("weight")).toBe("weight");
  });

  it("refuses a billion-laughs alias bomb quickly, without expanding it", () => {
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      rows.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(",")}]`);
    }
    const started = performance.now();
    const [result] = values(lines(...rows));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ ok: false, line: 1 });
    expect(result?.ok === false && result.message).toContain(`more than ${defaultYamlLimits.maxNodes} nodes`);
  });

  it("refuses more aliases than the bound", () => {
    const many = Array.from({ length: defaultYamlLimits.maxAliases + 1 }, () => "*x").join(", ");
    const [result] = values(lines("x: &x 1", `list: [${many}]`));
    expect(result?.ok === false && result.message).toContain("maxAliases");
  });

  it("refuses 200-deep nesting", () => {
    const deep = Array.from({ length: 200 }, (_, depth) => `${"  ".repeat(depth)}k${depth}:`).join("\n") + " leaf\n";
    const [result] = values(deep);
    expect(result?.ok === false && result.message).toContain("maxDepth");
  });
});

describe("file size bound", () => {
  it("refuses a file over 2 MiB and accepts one under it", () => {
    const big = `a: "${"x".repeat(defaultYamlLimits.maxFileBytes)}"\n`;
    expect(oversize(big)).toBe("file is over the 2097152-byte bound for YAML: refused");
    expect(oversize("a: 1\n")).toBeUndefined();
  });

  it("refuses a file over the read bound as unread: nothing in it can be told", () => {
    const big = `a: "${"x".repeat(defaultYamlLimits.maxFileBytes)}"\n`;
    expect(oversize(big, { ...defaultYamlLimits, maxReadBytes: defaultYamlLimits.maxFileBytes + 1 })).toBe(
      `file is over the ${defaultYamlLimits.maxFileBytes + 1}-byte bound for reading: refused`,
    );
  });

  it("counts UTF-8 bytes, not characters", () => {
    const wide = "é".repeat(defaultYamlLimits.maxFileBytes / 2 + 1);
    expect(oversize(wide)).toBeDefined();
    expect(oversize("é".repeat(defaultYamlLimits.maxFileBytes / 2 - 1))).toBeUndefined();
  });
});

describe("parsing a whole file in one call", () => {
  const tricky = lines(
    "# leading",
    "---",
    "a: 1",
    "---",
    "# empty",
    "--- {b: 2}",
    "...",
    "%YAML 1.2",
    "---",
    "c: &x [1]",
    "d: *x",
    "...",
    "e: |",
    "  text",
  );

  it.each([
    ["markers, directives, anchors and block scalars", tricky],
    ["empty documents between markers", lines("---", "", "---", "x: 1", "---", "---", "y: 2")],
  ])("gives each chunk the same value as parsing it alone: %s", (_, text) => {
    const chunks = splitYamlDocuments(text);
    expect(parseYamlStream(text, chunks)).toEqual(chunks.map((chunk) => parseYamlDocument(chunk)));
  });

  it("declines a file with a broken document, so each chunk is parsed alone", () => {
    const text = lines("a: 1", "---", "b: [", "---", "c: 3");
    expect(parseYamlStream(text, splitYamlDocuments(text))).toBeUndefined();
  });

  // A large file is read a run of documents at a time: every run lines up with its chunks, and a
  // broken document in the last run still declines the whole file.
  const large = (last: string) =>
    "\uFEFF# rendered\n" +
    Array.from({ length: 3000 }, (_, i) => `---\nkind: ServiceImport\nmetadata: {name: svc-${i}, labels: &l {n: "${i}"}}\ncopy: *l\n`).join(
      "...\n",
    ) +
    last;

  it("gives each chunk of a large file the same value as parsing it alone", () => {
    const text = large("--- # nothing\n---\nend: true\n");
    expect(text.length).toBeGreaterThan(3 * 64 * 1024);
    const chunks = splitYamlDocuments(text);
    expect(parseYamlStream(text, chunks)).toEqual(chunks.map((chunk) => parseYamlDocument(chunk)));
  });

  it("declines a large file whose last document is broken", () => {
    const text = large("---\nend: [\n");
    expect(parseYamlStream(text, splitYamlDocuments(text))).toBeUndefined();
  });
});

describe("splitting agrees with the parser on any mix of documents", () => {
  const piece = fc.constantFrom(
    "---\n",
    "--- # marker comment\n",
    "...\n",
    "# comment\n",
    "\n",
    "a: 1\n",
    "list:\n- x\n- y\n",
    "ref: &r {k: v}\nuse: *r\n",
    "text: |\n  line\n",
    "--- {flow: 1}\n",
    "%YAML 1.2\n---\nd: 1\n",
  );

  it("parses every file the same in one call or chunk by chunk", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join("");
        const chunks = splitYamlDocuments(text);
        const alone = chunks.map((chunk) => parseYamlDocument(chunk));
        const stream = parseYamlStream(text, chunks);
        if (stream) expect(stream).toEqual(alone);
        else expect(alone.some((result) => !result.ok)).toBe(true);
      }),
    );
  });
});

describe("reading what go-yaml reads (kubectl, kustomize, Argo CD)", () => {
  const real = (name: string) => readFileSync(new URL(`../fixtures/real/${name}`, import.meta.url), "utf8");
  const only = (text: string) => {
    const [chunk, ...rest] = splitYamlDocuments(text);
    expect(rest).toEqual([]);
    return parseYamlDocument(chunk!);
  };

  it("reads a single-quoted description wrapped left of its key (Istio's generated CRDs)", () => {
    const parsed = only(real("istio-gateway-crd-wrapped-description.yaml"));
    expect(parsed.ok).toBe(true);
    const spec = parsed.ok
      ? (parsed.value as { spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { description: string } } } } }[] } }).spec
      : undefined;
    expect(spec?.versions[0]?.schema.openAPIV3Schema.properties.spec.description).toBe(
      "Configuration affecting edge load balancer. See more details at: https://istio.io/docs/reference/config/networking/gateway.html",
    );
  });

  it("reads a double-quoted string wrapped at its key's column (Envoy Gateway's inline Lua)", () => {
    const parsed = only(real("envoy-extension-policy-wrapped-lua.yaml"));
    expect(parsed).toMatchObject({
      ok: true,
      value: { spec: { lua: [{ inline: "function envoy_on_request(request_handle) request_handle:logInfo('Goodbye.') end" }] } },
    });
  });

  it("reads a flow mapping closed at its key's column (Envoy Gateway's xDS IR)", () => {
    const parsed = only(real("envoy-xds-ir-flow-mapping-closed-left.yaml"));
    expect(parsed).toMatchObject({
      ok: true,
      value: { http: [{ routes: [{ sessionPersistence: { header: { name: "session-header" } } }] }] },
    });
  });

  it.each([
    ["a quoted string wrapped to column 0", lines("a:", '  b: "hello', 'world"'), { a: { b: "hello world" } }],
    ["a single-quoted string with an escaped quote, wrapped", lines("a:", "  b: 'it''s", " wrapped'"), { a: { b: "it's wrapped" } }],
    ["an escaped line break in a wrapped string", lines("a:", '  b: "hello \\', 'world"'), { a: { b: "hello world" } }],
    ["a flow sequence closed at column 0", lines("hosts: [", '  "a.example.com",', "]"), { hosts: ["a.example.com"] }],
    ["a plain scalar wrapped inside a flow sequence", lines("- k: [hello", "  world, x]"), [{ k: ["hello world", "x"] }]],
    ["tabs between flow entries", lines("a: {b: 1,\tc: [x,\tw]}"), { a: { b: 1, c: ["x", "w"] } }],
    ["a tab inside a quoted string in a flow (kept)", lines('a: ["x\ty",', "z]"), { a: ["x\ty", "z"] }],
    [
      "quotes and brackets inside a block scalar before a wrapped string",
      lines("a: |", '  "[not a quote', 'b: "x', 'y"'),
      { a: '"[not a quote\n', b: "x y" },
    ],
    [
      "a quote inside a multi-line plain scalar before a wrapped flow",
      lines("a: it's", '  "fine', "b: [1,", "2]"),
      { a: "it's \"fine", b: [1, 2] },
    ],
  ])("reads %s", (_, text, value) => {
    expect(only(text)).toEqual({ ok: true, value });
  });

  it("keeps refusing what go-yaml refuses too, at the first error's line", () => {
    expect(only(lines("a:", "  b: c", " d: e"))).toMatchObject({ ok: false, line: 3 });
    expect(only(lines("a:", "\t- b"))).toMatchObject({ ok: false, line: 2 });
  });
});

describe("loadAllAsGoYaml: a whole file's documents, for the render plan", () => {
  it("reads every document of a file js-yaml refuses for an indentation go-yaml does not check", () => {
    const text = lines(
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata: {name: a}",
      "---",
      "kind: CustomResourceDefinition",
      "description: 'wrapped",
      "continued at the key'",
    );
    expect(loadAllAsGoYaml(text)).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
      { kind: "CustomResourceDefinition", description: "wrapped continued at the key" },
    ]);
  });

  it("still throws what go-yaml refuses too", () => {
    expect(() => loadAllAsGoYaml(lines("a:", "  b: c", " d: e"))).toThrow();
    expect(() => loadAllAsGoYaml(lines("a: 1", "a: 2"))).toThrow(/duplicated mapping key/);
  });
});

describe("readingDuplicates: a key written twice is unknown, and only that key", () => {
  const UNKNOWN = "<twice>";
  const read = (text: string) => readingDuplicates(text, loadAllAsGoYaml, () => UNKNOWN);

  it("reads the rest of the document, each key written twice or more as unknown, in block and flow mappings, quoted or not", () => {
    expect(read("a:\n  b: 1\n  c: 2\n  b: 3\n  b: 4\n---\nd: {x: 1, 'x': 2, y: 3}\n")).toEqual([
      { a: { b: UNKNOWN, c: 2 } },
      { d: { x: UNKNOWN, y: 3 } },
    ]);
    expect(read("- k: {deep: 1}\n  k: {deep: 2}\n  other: [1, 2]\n")).toEqual([[{ k: UNKNOWN, other: [1, 2] }]]);
  });

  it("reads a text with no duplicate as the reader does, and throws what else the reader refuses", () => {
    expect(read("a: {b: 1}\n")).toEqual(loadAllAsGoYaml("a: {b: 1}\n"));
    expect(() => read("a: [1\n")).toThrow();
    expect(readingDuplicates("a: 1\na: 2\n", loadAsGoYaml, () => UNKNOWN)).toEqual({ a: UNKNOWN });
  });

  it("leaves unread a key written again in another form (a tag), never read as its first value", () => {
    const twice = (again: string) => () => readingDuplicates(`a:\n  trustDomain: cluster.local\n  ${again}\n`, loadAsGoYaml, () => UNKNOWN);
    expect(twice("!!str trustDomain: evil.local")).toThrow();
    expect(twice("? !!str trustDomain\n  : evil.local")).toThrow();
    expect(twice("? trustDomain\n  : evil.local")()).toEqual({ a: { trustDomain: UNKNOWN } });
  });
});
