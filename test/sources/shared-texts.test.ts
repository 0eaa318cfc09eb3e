import { describe, expect, it } from "vitest";
import { shareUnchangedTexts } from "../../src/sources/shared-texts.js";

describe("shareUnchangedTexts", () => {
  it("gives back the head tree as it is: unchanged, changed, added files, in order (sharing a string is invisible)", () => {
    const base = [
      { path: "a.yaml", text: "kind: A\n" },
      { path: "b.yaml", text: "kind: B\n" },
      { path: "gone.yaml", text: "kind: Gone\n" },
    ];
    const head = [
      { path: "a.yaml", text: ["kind:", " A\n"].join("") },
      { path: "b.yaml", text: "kind: B2\n" },
      { path: "new.yaml", text: "kind: New\n" },
    ];
    expect(shareUnchangedTexts(base, head)).toEqual(head);
  });

  it("keeps a head file's other fields and an empty text", () => {
    const head = [{ path: "empty.yaml", text: "" }];
    expect(shareUnchangedTexts([{ path: "empty.yaml", text: "" }], head)).toEqual(head);
    expect(shareUnchangedTexts([], head)).toEqual(head);
  });
});
