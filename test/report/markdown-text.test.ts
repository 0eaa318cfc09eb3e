import { describe, expect, it } from "vitest";
import { cellCode, code, plain } from "../../src/report/markdown-text.js";

describe("untrusted text in the PR comment", () => {
  it.each([
    ["<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"],
    ["--> <!-- route-governor", "--\\> \\<!-- route-governor"],
    ["cc @octocat and @org/team", "cc @\u200boctocat and @\u200borg/team"],
    ["a | b", "a \\| b"],
    ["[click](https://evil.example)", "\\[click\\](https://evil.example)"],
    ["line1\nline2\u0007", "line1 line2"],
    ["**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"],
  ])("plain(%j) stays text", (input, expected) => {
    expect(plain(input)).toBe(expected);
  });

  it("code() fences text its own backticks cannot close, and escapes pipes in table cells", () => {
    expect(code("kubectl get svc")).toBe("`kubectl get svc`");
    expect(code("a ` b")).toBe("``a ` b``");
    expect(code("`x`")).toBe("`` `x` ``");
    expect(code("a|b")).toBe("`a|b`");
    expect(cellCode("a|b")).toBe("`a\\|b`");
    expect(code("two\nlines")).toBe("`two lines`");
  });
});
