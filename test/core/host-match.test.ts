import { describe, expect, it } from "vitest";
import { hostIntersection } from "../../src/core/host-match.js";

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
