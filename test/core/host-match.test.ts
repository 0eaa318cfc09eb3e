import { describe, expect, it } from "vitest";
import { hostIntersection, surelyCovers } from "../../src/core/host-match.js";

describe("hostname intersection (Gateway API, listener hostname × route hostname)", () => {
  it.each([
    // The examples of the Gateway API guide "Hostnames in Gateway API".
    ["www.example.com", "www.example.com", "www.example.com"],
    ["*.example.com", "www.example.com", "www.example.com"],
    ["*.example.com", "sub.domain.example.com", "sub.domain.example.com"],
    ["www.example.com", "*.example.com", "www.example.com"],
    ["sub.domain.example.com", "*.example.com", "sub.domain.example.com"],
    ["*.example.com", "*.example.com", "*.example.com"],
    ["*.com", "*.example.com", "*.example.com"],
    ["*", "www.example.com", "www.example.com"],
    ["*", "*", "*"],
    // No intersection: a wildcard needs at least one label, precise names must be equal.
    ["*.example.com", "example.com", undefined],
    ["www.example.com", "api.example.com", undefined],
    ["*.example.com", "*.example.org", undefined],
    // A Flux variable the tree does not resolve (an app repository's `${FOO_HOST}`) may be any host.
    ["*.example.com", "${FOO_HOST}", "${FOO_HOST}"],
    ["*", "${FOO_HOST}", "${FOO_HOST}"],
    ["www.example.com", "${FOO_HOST}", "www.example.com"],
    ["${DOMAIN}", "${DOMAIN}", "${DOMAIN}"],
  ])("%s × %s = %s", (listener, route, intersected) => {
    expect(hostIntersection(listener, route)).toBe(intersected);
    expect(hostIntersection(route, listener)).toBe(intersected);
  });
});

describe("surely covered hosts (where every implementation sends a host's requests)", () => {
  it.each([
    ["*", "shop.example.com", true],
    // A route's `*.chestr.dev` widened to `*` still serves those hosts (mchestr/home-cluster 333e4e6b6d).
    ["*", "*.chestr.dev", true],
    ["*.example.com", "*.example.com", true],
    ["*.example.com", "shop.example.com", true],
    // Several labels under a wildcard are Gateway API's and Envoy's reading, not every implementation's.
    ["*.example.com", "eu.shop.example.com", false],
    ["*.com", "*.example.com", false],
    // Narrowed: the other hosts `*` took are not covered by `*.chestr.dev`.
    ["*.chestr.dev", "*", false],
    ["*.chestr.dev", "shop.example.com", false],
  ])("%s covers %s: %s", (pattern, host, covered) => {
    expect(surelyCovers(pattern, host)).toBe(covered);
  });
});
