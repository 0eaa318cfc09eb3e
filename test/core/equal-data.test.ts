import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonical, equalData } from "../../src/core/canonical-values.js";

describe("equalData", () => {
  it("agrees with comparing canonical JSON, for any JSON values", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => equalData(a, b) === (canonical(a) === canonical(b))));
  });

  it("finds a copy equal and any one changed leaf different", () => {
    const flow = { key: "k", backends: [{ key: "a", weight: 80, placement: { regions: ["jkt"] } }], methods: [] as string[] };
    expect(equalData(flow, structuredClone(flow))).toBe(true);
    expect(equalData(flow, { ...flow, backends: [{ ...flow.backends[0], weight: 79 }] })).toBe(false);
    expect(equalData(flow, { ...flow, plan: undefined })).toBe(false);
    expect(equalData([1, 2], { 0: 1, 1: 2, length: 2 })).toBe(false);
    expect(equalData(null, {})).toBe(false);
  });
});
