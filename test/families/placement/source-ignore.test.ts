import { describe, expect, it } from "vitest";
import { sourceIgnored } from "../../../src/families/placement/source-ignore.js";

const ignored = (files: Record<string, string>, spec?: string) => {
  const matches = sourceIgnored(new Map(Object.entries(files)), spec);
  return (paths: readonly string[]) => paths.filter(matches);
};

describe("what source-controller leaves out of a GitRepository's artifact", () => {
  it("a root .sourceignore: a path with a slash from the root, a name anywhere below", () => {
    const left = ignored({ ".sourceignore": "# archived\n\napps/raw/deny.yaml\nREADME.yaml\n" });
    expect(left(["apps/raw/deny.yaml", "apps/raw/httproute.yaml", "other/apps/raw/deny.yaml", "docs/README.yaml"])).toEqual([
      "apps/raw/deny.yaml",
      "docs/README.yaml",
    ]);
  });

  it("a folder's .sourceignore is scoped to that folder", () => {
    const left = ignored({ "apps/raw/.sourceignore": "deny.yaml\n" });
    expect(left(["apps/raw/deny.yaml", "apps/raw/sub/deny.yaml", "apps/other/deny.yaml", "deny.yaml"])).toEqual([
      "apps/raw/deny.yaml",
      "apps/raw/sub/deny.yaml",
    ]);
  });

  it("a folder pattern leaves out what the folder holds, not a file of that name", () => {
    const left = ignored({ ".sourceignore": "raw/\n" });
    expect(left(["apps/raw/deny.yaml", "apps/raw"])).toEqual(["apps/raw/deny.yaml"]);
  });

  it("the last pattern decides: `/*` then `!/kubernetes` keeps kubernetes/ whole (cluster-template's flux-system)", () => {
    const left = ignored({}, "/*\n!/kubernetes\n");
    expect(left(["kubernetes/apps/web/route.yaml", "docs/route.yaml", "route.yaml"])).toEqual(["docs/route.yaml", "route.yaml"]);
  });

  it("spec.ignore comes after every .sourceignore, so it overrules them; `**` spans folders", () => {
    const files = { ".sourceignore": "**/deny.yaml\n", "apps/.sourceignore": "!keep/deny.yaml\n" };
    expect(ignored(files)(["apps/raw/deny.yaml", "apps/keep/deny.yaml"])).toEqual(["apps/raw/deny.yaml"]);
    expect(ignored(files, "!apps/raw/deny.yaml\n")(["apps/raw/deny.yaml"])).toEqual([]);
  });

  it("the defaults apply only where no pattern is given; the VCS ones always", () => {
    const paths = ["cloudbuild.yaml", ".github/workflows/ci.yaml", "apps/.sops.yaml", ".gitignore", "apps/route.yaml"];
    expect(ignored({})(paths)).toEqual(["cloudbuild.yaml", ".github/workflows/ci.yaml", "apps/.sops.yaml", ".gitignore"]);
    expect(ignored({ ".sourceignore": "*.md\n" })(paths)).toEqual([".gitignore"]);
  });
});
