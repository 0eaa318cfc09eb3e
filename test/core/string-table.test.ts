import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shareStrings, stringTable } from "../../src/core/string-table.js";

// Which copy of a string comes back cannot be seen from JavaScript; what can is that it is always
// the string asked for, whatever the table held before (slots are shared by strings alike in
// length and characters).
describe("sharing strings through a table", () => {
  it("gives back a string equal to each one asked for, in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom("svc-1-0-jkt", "svc-1-0-jkt ", "svc-2-0-jkt", "a", "")), { maxLength: 200 }),
        (texts) => {
          const share = stringTable();
          for (const text of texts) expect(share(text)).toBe(text);
        },
      ),
    );
  });

  it("changes only the strings of parsed data, in place", () => {
    const data = { kind: "HTTPRoute", spec: { hostnames: ["a.example.com", "b.example.com"], weight: 10, on: true, none: null } };
    const copy = structuredClone(data);
    expect(shareStrings(data, stringTable())).toBe(data);
    expect(data).toEqual(copy);
  });
});
