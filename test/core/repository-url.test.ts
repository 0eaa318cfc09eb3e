import { describe, expect, it } from "vitest";
import { repositoryKey, sameRepository } from "../../src/core/repository-url.js";

describe("repositoryKey", () => {
  it.each([
    "https://github.com/example/home",
    "https://github.com/Example/home.git/",
    "http://github.com:80/example/home",
    "https://user:token@github.com:443/example/home",
    "ssh://git@github.com/example/home",
    "ssh://git@github.com:22/example/home",
    "ssh://git@ssh.github.com:443/example/home",
    "git+ssh://git@github.com/example/home.git",
    "git@github.com:example/home.git",
  ])("%s is github.com/example/home", (url) => {
    expect(repositoryKey(url)).toBe("github.com/example/home");
  });

  it("keeps what names another repository: host, path, and an scp-like path that starts with digits", () => {
    expect(sameRepository("https://github.com/example/home", "https://gitlab.com/example/home")).toBe(false);
    expect(sameRepository("https://github.com/example/home", "https://github.com/example/other")).toBe(false);
    expect(repositoryKey("git@git.example.com:2024/infra.git")).toBe("git.example.com/2024/infra");
  });
});
