import { describe, expect, it } from "vitest";
import { sharedPath } from "../../src/core/field-path.js";

describe("shared field paths", () => {
  it("the same steps give the same frozen array; a number step is not its string", () => {
    const path = sharedPath(["spec", "rules", 0, "backendRefs", 1]);
    expect(sharedPath(["spec", "rules", 0, "backendRefs", 1])).toBe(path);
    expect(Object.isFrozen(path)).toBe(true);
    expect(path).toEqual(["spec", "rules", 0, "backendRefs", 1]);
    expect(sharedPath(["spec", "rules", "0", "backendRefs", 1])).not.toBe(path);
    expect(sharedPath(["spec", "rules", 0])).toEqual(["spec", "rules", 0]);
    expect(sharedPath([])).toBe(sharedPath([]));
  });

  it("past its bound, a path is still a correct frozen copy", () => {
    for (let i = 0; i < 20_000; i++) expect(sharedPath(["odd", i])).toEqual(["odd", i]);
    const late = sharedPath(["odd", 19_999, "more"]);
    expect(late).toEqual(["odd", 19_999, "more"]);
    expect(Object.isFrozen(late)).toBe(true);
  });
});
