import { describe, expect, it } from "vitest";
import { lineOf } from "../../src/manifests/field-line.js";
import type { DocumentSource } from "../../src/core/resource.js";

const document = [
  "---", // 10
  "# an HTTPRoute", // 11
  "apiVersion: gateway.networking.k8s.io/v1", // 12
  "kind: HTTPRoute", // 13
  "metadata:", // 14
  "  name: checkout", // 15
  "spec:", // 16
  '  hostnames: [shop.example.com, "www.example.com"]', // 17
  "  rules:", // 18
  "  - matches:", // 19
  "    - path: {type: PathPrefix, value: /checkout}", // 20
  "    backendRefs:", // 21
  "    - name: checkout-jkt", // 22
  "      # a comment between fields", // 23
  "      weight: 90", // 24
  "    -", // 25
  "      name: checkout-sgp", // 26
  "      'weight': 10", // 27
  "  - description: |", // 28
  "      text", // 29
  "    ports:", // 30
  "      80: http", // 31
  "",
].join("\n");

const source: DocumentSource = { file: "routes.yaml", line: 10, text: document };

describe("lineOf: the file line of a field, for findings", () => {
  it.each([
    [[], 12],
    [["kind"], 13],
    [["metadata", "name"], 15],
    [["spec", "hostnames", 1], 17],
    [["spec", "rules", 0], 19],
    [["spec", "rules", 0, "matches", 0, "path", "value"], 20],
    [["spec", "rules", 0, "backendRefs", 0], 22],
    [["spec", "rules", 0, "backendRefs", 0, "weight"], 24],
    [["spec", "rules", 0, "backendRefs", 1], 26],
    [["spec", "rules", 0, "backendRefs", 1, "weight"], 27],
    [["spec", "rules", 1, "description"], 28],
    [["spec", "rules", 1, "ports", 80], 31],
  ] as const)("%j is on line %i", (path, line) => {
    expect(lineOf(source, path)).toBe(line);
  });

  it("falls back to the deepest existing ancestor of a missing field", () => {
    expect(lineOf(source, ["spec", "rules", 0, "backendRefs", 0, "port"])).toBe(22);
    expect(lineOf(source, ["spec", "rules", 5, "name"])).toBe(18);
    expect(lineOf(source, ["status"])).toBe(12);
  });

  it("points a sequence item that is a block scalar at its indicator line", () => {
    const text = "items:\n- |\n  first\n- plain\n";
    expect(lineOf({ file: "f.yaml", line: 1, text }, ["items", 0])).toBe(2);
    expect(lineOf({ file: "f.yaml", line: 1, text }, ["items", 1])).toBe(4);
  });

  it('finds a key by the name the parser gives it (`on:` is "true", `010:` is "8"), a quoted key as written', () => {
    const text = "spec:\n  on: 1\n  010: 2\n  'off': 3\n";
    expect(lineOf({ file: "f.yaml", line: 1, text }, ["spec", "true"])).toBe(2);
    expect(lineOf({ file: "f.yaml", line: 1, text }, ["spec", "8"])).toBe(3);
    expect(lineOf({ file: "f.yaml", line: 1, text }, ["spec", "off"])).toBe(4);
  });

  it("answers the document's own line when the text holds no node", () => {
    expect(lineOf({ file: "f.yaml", line: 7, text: "--- # empty\n" }, ["spec"])).toBe(7);
  });
});
