import { describe, expect, it } from "vitest";
import { helmSet } from "../../src/core/helm-set.js";

describe("one --set, as Argo CD passes an Application's helm.parameters", () => {
  it("dotted names nest; an escaped dot stays in its key; an index makes a list", () => {
    expect(helmSet("meshConfig.trustDomain", "prod.example.com")).toEqual({ meshConfig: { trustDomain: "prod.example.com" } });
    expect(helmSet("podAnnotations.sidecar\\.istio\\.io/inject", "false")).toEqual({
      podAnnotations: { "sidecar.istio.io/inject": false },
    });
    expect(helmSet("meshConfig.extensionProviders[1].name", "authz")).toEqual({
      meshConfig: { extensionProviders: [null, { name: "authz" }] },
    });
  });

  it("typed as strvals types a value, unless forced to a string", () => {
    expect(helmSet("a", "true")).toEqual({ a: true });
    expect(helmSet("a", "null")).toEqual({ a: null });
    expect(helmSet("a", "42")).toEqual({ a: 42 });
    expect(helmSet("a", "042")).toEqual({ a: "042" });
    expect(helmSet("a", "{x,y}")).toEqual({ a: ["x", "y"] });
    expect(helmSet("a", "true", true)).toEqual({ a: "true" });
    // Argo CD escapes the commas of a value that is no list: one string.
    expect(helmSet("a", "x,y")).toEqual({ a: "x,y" });
  });

  it("a name this reading does not follow sets nothing", () => {
    expect(helmSet("a..b", "x")).toBeUndefined();
    expect(helmSet("[0]", "x")).toBeUndefined();
    expect(helmSet("a[x]", "x")).toBeUndefined();
    expect(helmSet("", "x")).toBeUndefined();
  });
});
