import { describe, expect, it } from "vitest";
import { withDefaults } from "../../src/core/field-defaults.js";

describe("withDefaults", () => {
  const route = { metadata: { namespace: "shop" }, spec: { rules: [{ backendRefs: [{ name: "a" }, { name: "b", weight: 0 }] }] } };

  it("writes a default only where the field is unset, in every object the pattern reaches", () => {
    const body = withDefaults(route, [{ path: ["spec", "rules", "*", "backendRefs", "*", "weight"], value: 1 }]);
    expect(body.spec).toEqual({
      rules: [
        {
          backendRefs: [
            { name: "a", weight: 1 },
            { name: "b", weight: 0 },
          ],
        },
      ],
    });
    expect(route.spec.rules[0]!.backendRefs[0]).toEqual({ name: "a" });
  });

  it("takes a default from another field of the document, and assumes nothing where that is unset", () => {
    const own = { path: ["spec", "rules", "*", "backendRefs", "*", "namespace"], sameAs: ["metadata", "namespace"] };
    expect(withDefaults(route, [own]).spec).toEqual({
      rules: [
        {
          backendRefs: [
            { name: "a", namespace: "shop" },
            { name: "b", weight: 0, namespace: "shop" },
          ],
        },
      ],
    });
    expect(withDefaults({ spec: route.spec }, [own])).toEqual({ spec: route.spec });
  });

  it("fills a block before what is inside it, and counts null as unset", () => {
    const body = withDefaults({ spec: { rules: [{}, { matches: [{ path: null, headers: [{ name: "x" }] }] }] } }, [
      { path: ["spec", "rules", "*", "matches"], value: [{ path: { type: "PathPrefix", value: "/" } }] },
      { path: ["spec", "rules", "*", "matches", "*", "path"], value: { type: "PathPrefix", value: "/" } },
      { path: ["spec", "rules", "*", "matches", "*", "headers", "*", "type"], value: "Exact" },
    ]);
    expect(body.spec).toEqual({
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: "/" } }] },
        { matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [{ name: "x", type: "Exact" }] }] },
      ],
    });
  });

  it("an `alone` default applies to the one item of its list only", () => {
    const lone = { path: ["spec", "http", "*", "route", "*", "weight"], value: 100, alone: true };
    const body = withDefaults({ spec: { http: [{ route: [{ d: 1 }] }, { route: [{ d: 1 }, { d: 2 }] }] } }, [lone]);
    expect(body.spec).toEqual({ http: [{ route: [{ d: 1, weight: 100 }] }, { route: [{ d: 1 }, { d: 2 }] }] });
  });

  it("copies only what it fills, and never writes into the document", () => {
    const rules = [{ backendRefs: [{ name: "a", weight: 3 }] }, { backendRefs: [{ name: "b" }] }];
    const document = { metadata: { name: "r" }, spec: { rules } };
    const weight = { path: ["spec", "rules", "*", "backendRefs", "*", "weight"], value: 1 };
    expect(withDefaults(document, [{ path: ["spec", "parentRefs", "*", "kind"], value: "Gateway" }])).toBe(document);
    const body = withDefaults(document, [weight]) as typeof document;
    expect(body.spec.rules[1]).toEqual({ backendRefs: [{ name: "b", weight: 1 }] });
    expect(body.spec.rules[0]).toBe(rules[0]);
    expect(body.metadata).toBe(document.metadata);
    expect(rules[1]).toEqual({ backendRefs: [{ name: "b" }] });
  });
});
