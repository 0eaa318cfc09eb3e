import { describe, expect, it } from "vitest";
import { connectedGroups } from "../../src/core/connected-groups.js";

describe("connectedGroups", () => {
  it("gives each item the first item of its group, through any chain of meetings", () => {
    // 0 meets 3, then 1 meets 3: one group whose first is 0, though 1 met it before 0's group was whole.
    const meets = new Set(["0-3", "1-3", "2-4"]);
    const firsts = connectedGroups([0, 1, 2, 3, 4, 5], (a, b) => meets.has(`${a}-${b}`));
    expect(firsts).toEqual([0, 0, 2, 0, 2, 5]);
  });

  it("leaves items that meet nothing alone", () => {
    expect(connectedGroups(["a", "b"], () => false)).toEqual(["a", "b"]);
    expect(connectedGroups([], () => true)).toEqual([]);
  });
});
