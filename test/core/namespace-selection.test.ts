import { describe, expect, it } from "vitest";
import { selectsNamespace } from "../../src/core/namespace-selection.js";
import { selectsKnowing } from "../../src/core/label-selector.js";

describe("selectsNamespace: the automatic kubernetes.io/metadata.name label", () => {
  const byName = (...names: string[]) => ({ matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: names }] });

  it("is known for a namespace the tree does not define: a selector testing only it is judged", () => {
    expect(selectsNamespace({ matchLabels: { "kubernetes.io/metadata.name": "shop" } }, "shop", undefined)).toBe(true);
    expect(selectsNamespace(byName("pay", "ops"), "shop", undefined)).toBe(false);
    expect(selectsNamespace({}, "shop", undefined)).toBe(true);
  });

  it("leaves a selector that tests another label unknown there, unless the name already rejects it", () => {
    const both = { matchLabels: { "kubernetes.io/metadata.name": "shop", shared: "true" } };
    expect(selectsNamespace(both, "shop", undefined)).toBe("unknown");
    expect(selectsNamespace(both, "pay", undefined)).toBe(false);
  });

  it("is added to the labels a Namespace of the tree is written with, over a value written there", () => {
    expect(selectsNamespace({ matchLabels: { "kubernetes.io/metadata.name": "shop", shared: "true" } }, "shop", { shared: "true" })).toBe(
      true,
    );
    expect(selectsNamespace(byName("shop"), "pay", { "kubernetes.io/metadata.name": "shop" })).toBe(false);
  });
});

describe("selectsKnowing", () => {
  it("judges an operator Kubernetes does not know as selecting nothing, whichever labels are known", () => {
    expect(selectsKnowing({ matchExpressions: [{ key: "team", operator: "Equals", values: ["a"] }] }, {}, () => false)).toBe(false);
  });
});
