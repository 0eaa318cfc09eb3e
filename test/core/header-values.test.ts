import { describe, expect, it } from "vitest";
import { broadHeaderTests, describeBroad, selectsByValue, takesAnyHeaderValue } from "../../src/core/header-values.js";

describe("a header test that takes any value", () => {
  it("is an empty prefix or suffix, or a regex that takes every value matched whole", () => {
    for (const value of [{ prefix: "" }, { suffix: "" }, { regex: ".*" }, { regex: ".+" }, { regex: "^.*$" }, { regex: "[\\s\\S]*" }])
      expect(takesAnyHeaderValue(value)).toBe(true);
    for (const value of [{ exact: "" }, { exact: "yes" }, { prefix: "Mozilla" }, { regex: "curl/.*" }, { regex: "(" }, {}])
      expect(takesAnyHeaderValue(value)).toBe(false);
  });

  it("in a canonical match, every header test must leave nearly every request in, and there must be one", () => {
    expect(broadHeaderTests("PathPrefix /, header user-agent~.*")).toEqual({ carrying: ["user-agent"], lacking: [] });
    expect(broadHeaderTests("PathPrefix /api, method GET, header a^, header b~.+")).toEqual({ carrying: ["a", "b"], lacking: [] });
    expect(broadHeaderTests("PathPrefix /, header a^, header b=1")).toBeUndefined();
    expect(broadHeaderTests("PathPrefix /, header x-canary=true")).toBeUndefined();
    expect(broadHeaderTests("PathPrefix /")).toBeUndefined();
    // Present with any value: Gloo's `header name`, Istio's empty string match.
    expect(broadHeaderTests("PathPrefix /, header user-agent")).toEqual({ carrying: ["user-agent"], lacking: [] });
    expect(broadHeaderTests("PathPrefix /, header user-agent*")).toEqual({ carrying: ["user-agent"], lacking: [] });
    // An inverted test (Gloo) tells values apart as far as this reading goes.
    expect(broadHeaderTests("PathPrefix /, header x-canary!=yes")).toBeUndefined();
    // Istio's withoutHeaders of a value leaves every other request in; of any value, it selects the header's absence.
    expect(broadHeaderTests("PathPrefix /, without-header x-canary=true")).toEqual({ carrying: [], lacking: ["x-canary=true"] });
    expect(broadHeaderTests("PathPrefix /, without-header x-canary~.*")).toBeUndefined();
  });

  it("is described as what the rule takes", () => {
    expect(describeBroad({ carrying: ["user-agent"], lacking: [] })).toBe(
      "its test of user-agent takes any value, so every request carrying it",
    );
    expect(describeBroad({ carrying: [], lacking: ["x-canary=true"] })).toBe(
      "its test without x-canary=true leaves out only that value, so nearly every request",
    );
  });
});

describe("a header or query test that selects by value", () => {
  it("an exact value, a prefix, a pattern that tells values apart: a request without it fails", () => {
    for (const part of ["header x-cart-beta=1", "query v=2", "header end-user^ja", "header x-user~a.+", "query v~[0-9]+"])
      expect(selectsByValue(part)).toBe(true);
  });

  it("not a presence test, a test taking any value, an inverted or unread one, nor another part", () => {
    for (const part of [
      "header user-agent~.*",
      "header a^",
      "header user-agent",
      "header user-agent*",
      "header x-canary!=yes",
      "without-header x-canary=true",
      "port 8080",
      "source app=frontend",
      "method GET",
      "PathPrefix /cart",
    ])
      expect(selectsByValue(part)).toBe(false);
  });
});
