import { describe, expect, it } from "vitest";
import { governedTrees } from "../../src/policy/governed-trees.js";

describe("the trees a PR reviewed from its merge base is governed on", () => {
  const policy = (text: string) => ({ path: ".github/route-governor.yml", text });
  const route = { path: "routes/a.yaml", text: "kind: HTTPRoute\n" };

  it("governs by the base tip's policy; a PR that leaves the policy alone does not change it", () => {
    const trees = governedTrees([policy("old"), route], [policy("old"), route], [policy("tightened")]);
    expect(trees.base).toContainEqual(policy("tightened"));
    expect(trees.head).toContainEqual(policy("tightened"));
  });

  it("the tip's policy saved as .yaml replaces the merge base's .yml", () => {
    const yaml = { path: ".github/route-governor.yaml", text: "tightened" };
    const trees = governedTrees([policy("old"), route], [policy("old"), route], [yaml]);
    expect(trees.base).toEqual([route, yaml]);
    expect(trees.head).toEqual([route, yaml]);
  });

  it("a PR that edits the policy still shows the edit, against the tip's policy", () => {
    const trees = governedTrees([policy("old")], [policy("loosened")], [policy("tightened")]);
    expect(trees.base).toEqual([policy("tightened")]);
    expect(trees.head).toEqual([policy("loosened")]);
  });
});
