import { describe, expect, it } from "vitest";
import { headersTakingAnyValue, takesAnyHeaderValue } from "../../src/core/header-values.js";

describe("a header test that takes any value", () => {
  it("is an empty prefix or suffix, or a regex that takes every value matched whole", () => {
    for (const value of [{ prefix: "" }, { suffix: "" }, { regex: ".*" }, { regex: ".+" }, { regex: "^.*$" }, { regex: "[\\s\\S]*" }])
      expect(takesAnyHeaderValue(value)).toBe(true);
    for (const value of [{ exact: "" }, { exact: "yes" }, { prefix: "Mozilla" }, { regex: "curl/.*" }, { regex: "(" }, {}])
      expect(takesAnyHeaderValue(value)).toBe(false);
  });

  it("in a canonical match, every header test must take any value, and there must be one", () => {
    expect(headersTakingAnyValue("PathPrefix /, header user-agent~.*")).toEqual(["user-agent"]);
    expect(headersTakingAnyValue("PathPrefix /api, method GET, header a^, header b~.+")).toEqual(["a", "b"]);
    expect(headersTakingAnyValue("PathPrefix /, header a^, header b=1")).toBeUndefined();
    expect(headersTakingAnyValue("PathPrefix /, header x-canary=true")).toBeUndefined();
    expect(headersTakingAnyValue("PathPrefix /")).toBeUndefined();
    // Present with any value: Gloo's `header name`, Istio's empty string match.
    expect(headersTakingAnyValue("PathPrefix /, header user-agent")).toEqual(["user-agent"]);
    expect(headersTakingAnyValue("PathPrefix /, header user-agent*")).toEqual(["user-agent"]);
    // An inverted test (Gloo) tells values apart as far as this reading goes.
    expect(headersTakingAnyValue("PathPrefix /, header x-canary!=yes")).toBeUndefined();
  });
});
