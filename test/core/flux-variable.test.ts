import { describe, expect, it } from "vitest";
import { holdsFluxVariable, variablesMatching } from "../../src/core/flux-variable.js";

describe("Flux variables inside a string", () => {
  it("are found anywhere in it, but not behind Flux's $$ escape", () => {
    expect(holdsFluxVariable("https://id.${SECRET_DOMAIN}")).toBe(true);
    expect(holdsFluxVariable("${VAR:=default}.example.com")).toBe(true);
    expect(holdsFluxVariable("$${VAR}.example.com")).toBe(false);
    expect(holdsFluxVariable("nerdz.cloud")).toBe(false);
  });

  it("take the values that make a template read a literal: non-empty, the same wherever a variable recurs", () => {
    expect(variablesMatching("https://id.${SECRET_DOMAIN}", "https://id.nerdz.cloud")).toEqual(new Map([["SECRET_DOMAIN", "nerdz.cloud"]]));
    expect(variablesMatching("flux-${CLUSTER}.skylab.fi: flux-${CLUSTER}-tls", "flux-media.skylab.fi: flux-media-tls")).toEqual(
      new Map([["CLUSTER", "media"]]),
    );
    expect(variablesMatching("flux-${CLUSTER}.skylab.fi: flux-${CLUSTER}-tls", "flux-media.skylab.fi: flux-nebula-tls")).toBeUndefined();
    expect(variablesMatching("https://id.${SECRET_DOMAIN}", "https://id.")).toBeUndefined();
    expect(variablesMatching("https://id.${SECRET_DOMAIN}", "https://auth.nerdz.cloud")).toBeUndefined();
    // A template's other characters are literal, not a pattern.
    expect(variablesMatching("a.b${X}", "axbc")).toBeUndefined();
  });
});
